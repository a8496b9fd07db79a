# SPDX-License-Identifier: Apache-2.0
"""Findings in the bodies of macros no code expands (issue 18).

A #define is only text until code expands it: libyuv's `row.h` defines its MSVC `IACA_*`
profiling marks (`__asm _emit`, `__writegsbyte`) in an `#else` GCC on aarch64 does take, but
only `IACA_START`/`IACA_END` use them, and no code of the tree uses those. A file's scan
records such macros (`UnexpandedMacro`: none of its own code expands them, directly or
through the macros that wrap them); after the scan the engine asks every C/C++ and assembly
file which of those names it mentions (`mentions`, the `Mentions` fact), and the macro-uses
pass filters what no code of the tree expands.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator

from porting_advisor.core import lazy_re
from porting_advisor.core.facts import Mentions, UnexpandedMacro
from porting_advisor.core.source import Source
from porting_advisor.scanners.c import preproc
from porting_advisor.scanners.c.cfile import CFile

MAX_WRAPPERS = 32  # macros followed up from one macro (depth and count): more is doubt


def record(cf: CFile) -> None:
    """`UnexpandedMacro` facts for the #defines of this file whose bodies hold a finding the
    target reaches and that no code of the file expands."""
    lines = sorted({f.line for f in cf.src.findings if not f.filtered and f.line})
    if not lines:
        return
    text = cf.text
    spans: list[tuple[str, int, int]] = []  # each #define: name, its lines
    bodies: dict[str, str] = {}  # name -> its bodies (a macro may be defined per branch)
    for d, end in zip(cf.layout.directives, cf.dir_ends, strict=True):
        if d.name != "define" or (m := preproc.DEFINE.match(d.arg)) is None:
            continue
        name = m.group(1)
        spans.append((name, d.line, d.line + text.count("\n", d.offset, end)))
        bodies[name] = bodies.get(name, "") + "\n" + m.group(3)
    verdicts: dict[str, set[str] | None] = {}
    for name, first, last in spans:
        i = bisect.bisect_left(lines, first)
        if i == len(lines) or lines[i] > last:
            continue  # no finding in this body
        if name not in verdicts:
            verdicts[name] = unexpanded(cf, name, bodies)
        wrappers = verdicts[name]
        if wrappers is not None:
            cf.src.facts.append(UnexpandedMacro(name, first, last, tuple(sorted(wrappers))))


def unexpanded(cf: CFile, name: str, bodies: dict[str, str]) -> set[str] | None:
    """The macros of this file that wrap `name` (transitively) when none of them, nor
    `name`, is expanded by code of the file; None when one is (or when in doubt)."""
    seen = {name}
    todo = [name]
    pasted = paste_fragments(cf.text)
    while todo:
        current = todo.pop()
        if in_code(cf, current) or formed_by(current, pasted):
            return None
        for other, body in bodies.items():
            if other not in seen and current in body and word(current).search(body):
                if len(seen) >= MAX_WRAPPERS:
                    return None
                seen.add(other)
                todo.append(other)
    return seen - {name}


# the pieces `##` glues a name from: `IACA_##x` may make any IACA_ name. Found from each
# `##` (a pattern that starts with \w+ is tried at every offset)
WORD_AFTER = lazy_re.compile(r"\s*(\w+)")


def paste_fragments(text: str) -> tuple[set[str], set[str]]:
    """The words that start and end names made by `##` in this text."""
    heads: set[str] = set()
    tails: set[str] = set()
    at = text.find("##")
    while at >= 0:
        end = at
        while end and text[end - 1].isspace():
            end -= 1
        start = end
        while start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            start -= 1
        if end - start >= 2:
            heads.add(text[start:end])
        after = WORD_AFTER.match(text, at + 2)
        if after is not None and len(after.group(1)) >= 2:
            tails.add(after.group(1))
        at = text.find("##", at + 1)
    return heads, tails


def formed_by(name: str, pasted: tuple[set[str], set[str]]) -> bool:
    """Could `##` make `name` from these pieces (then code may expand it unseen)?"""
    heads, tails = pasted
    return any(name.startswith(h) for h in heads) or any(name.endswith(t) for t in tails)


@functools.cache
def any_of(names: tuple[str, ...]) -> re.Pattern[str]:
    """Finds where any of `names` occurs, as a substring (longest first): one pass over a
    file instead of one per name (the names all start with a letter or `_`, so sre skips
    to their first characters)."""
    return re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))


def word(name: str) -> re.Pattern[str]:
    """`name` as a whole word (the name first: a pattern that starts with a literal is
    found at memchr speed, one that starts with a lookbehind is tried at every offset)."""
    n = re.escape(name)
    return re.compile(rf"{n}(?<![\w$]{n})(?![\w$])")


def in_code(cf: CFile, name: str) -> bool:
    """Does code of the file (not a directive, comment or string) name `name`?"""
    return next(code_uses(cf, name), None) is not None


def code_uses(cf: CFile, name: str, called: bool = False) -> Iterator[int]:
    """Where code of the file (not a directive, comment or string) names `name` (`called`:
    followed by `(`, as a function-like macro's expansion is)."""
    if name not in cf.text:
        return
    n = re.escape(name)
    pattern = re.compile(rf"{n}(?<![\w$]{n})\s*\(") if called else word(name)
    for m in pattern.finditer(cf.text):
        if cf.directive_at(m.start()) is None and preproc.inside(cf.spans, m.start()) < 0:
            yield m.start()


def mentions(src: Source, names: tuple[str, ...]) -> None:
    """The `Mentions` fact of a file: which of `names` it names in code, and which only in
    directives (a #define of another macro, an #ifdef), comments and strings left out."""
    text = src.text
    present = sorted(set(any_of(names).findall(text)) & set(names)) if names else []
    pasted = paste_fragments(text)
    code: set[str] = {n for n in names if formed_by(n, pasted)}  # (`##` may make it)
    if not present and not code:
        return
    spans = preproc.comment_spans(text)
    directives: set[str] = set()
    for name in present:
        for m in word(name).finditer(text):
            if preproc.inside(spans, m.start()) >= 0:
                continue
            (directives if in_directive(text, m.start()) else code).add(name)
    if code or directives:
        src.facts.append(Mentions(tuple(sorted(code)), tuple(sorted(directives - code))))


def in_directive(text: str, offset: int) -> bool:
    """Is `offset` on a preprocessor directive's logical line (continuations included)?"""
    start = text.rfind("\n", 0, offset) + 1
    while start >= 2 and text[start - 2] == "\\":  # the previous line continues into this
        start = text.rfind("\n", 0, start - 1) + 1
    return text[start:offset].lstrip().startswith("#")
