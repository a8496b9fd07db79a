# SPDX-License-Identifier: Apache-2.0
"""Loops that wait on nothing but their function's own locals, decided from a parse of the
top-level block that holds each one (issue 22): then no flag can be published to them, and
the whole file need not be parsed (protobuf's upb amalgamations each hold one such
loop, `while (ptr > type_url.data && *--ptr != '/') {}`, and nothing else the text test keeps).

The walk of the publish check (publish.py) gives a loop condition's reads of locals, of a
local struct's fields and through pointers no key, whatever the file declares: a condition
with no event at all in the function's own walk has none in the whole file's either. Any
event (a read of another name, a call, an atomic operation), a block that does not parse
cleanly alone, or braces that do not balance leave the decision to the whole parse.
"""

from __future__ import annotations

import bisect

from porting_advisor.scanners.c import cfile, preproc, publish
from porting_advisor.scanners.c.preproc import Directive

# (a block this large is parsed whole instead: parsing it twice would cost more; and so
# are loops in this many blocks)
MAX_SHARE = 0.5
MAX_BLOCKS = 32


def only_local(
    text: str,
    loops: list[int],
    cpp: bool,
    directives: list[Directive],
    compiler_only: frozenset[str],
) -> bool:
    """Does every loop at `loops` (offsets of its `while`) wait only on locals?"""
    blocks = top_level_blocks(text, directives)
    if not blocks:
        return False
    opens = [b[0] for b in blocks]
    by_block: dict[int, list[int]] = {}
    for at in loops:
        i = bisect.bisect_right(opens, at) - 1
        if i < 0 or at > blocks[i][1]:
            return False  # not inside a block: a file-scope `while` is no function's
        by_block.setdefault(i, []).append(at)
    if len(by_block) > MAX_BLOCKS:
        return False  # (parsing that many pieces costs what one parse of the file does)
    for i, offsets in by_block.items():
        start = blocks[i - 1][1] + 1 if i else 0
        end = blocks[i][1] + 1
        if end - start > MAX_SHARE * len(text) or not waits_on_locals(
            text[start:end], [at - start for at in offsets], cpp, compiler_only
        ):
            return False
    return True


def top_level_blocks(text: str, directives: list[Directive]) -> list[tuple[int, int]]:
    """(offset of `{`, offset of its `}`) of each outermost brace block, comments, literals
    and preprocessor lines left out; [] when the braces do not balance (an `#if` that opens
    a block two ways, say)."""
    spans = preproc.comment_spans(text)
    starts = [d.offset for d in directives]
    ends = [cfile.directive_end(text, d.offset) for d in directives]
    blocks: list[tuple[int, int]] = []
    depth, opened = 0, -1
    for m in publish.BRACE.finditer(text):
        at = m.start()
        k = bisect.bisect_right(starts, at) - 1
        if (k >= 0 and at < ends[k]) or preproc.inside(spans, at) >= 0:
            continue
        if text[at] == "{":
            if depth == 0:
                opened = at
            depth += 1
        else:
            depth -= 1
            if depth < 0:
                return []
            if depth == 0:
                blocks.append((opened, at))
    return blocks if depth == 0 else []


def waits_on_locals(piece: str, loops: list[int], cpp: bool, compiler_only: frozenset[str]) -> bool:
    """Parse `piece` alone: is each `while` at `loops` in a function each of whose spin loops
    (as the walk sees them) has a condition with no event in the function's walk?"""
    data = piece.encode("utf-8", "surrogatepass")
    tree = cfile.parse(data, cpp)
    if tree.root_node.has_error:
        return False
    walked: set[int] = set()
    offset, done = 0, 0  # (byte offsets, counted from one loop to the next)
    for at in sorted(loops):
        offset += len(piece[done:at].encode("utf-8", "surrogatepass"))
        done = at
        node = tree.root_node.descendant_for_byte_range(offset, offset + 5)
        while node is not None and node.type != "function_definition":
            node = node.parent
        body = node.child_by_field_name("body") if node is not None else None
        if node is None or body is None:
            return False
        if node.id in walked:
            continue
        walked.add(node.id)
        walker = publish.Walker({}, {}, compiler_only, publish.locals_of(node))
        walker.walk(body)
        events = sorted(e.at for e in walker.events)
        for spin in walker.spins:
            k = bisect.bisect_left(events, spin.cond.start_byte)
            if k < len(events) and events[k] <= spin.cond.end_byte:
                return False  # an event in its condition: the whole file decides
    return True
