# SPDX-License-Identifier: Apache-2.0
"""One C/C++ file while it is scanned: its text, layout for the target, parse tree."""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING, Any

from porting_advisor.core import grammars
from porting_advisor.core.source import Source
from porting_advisor.scanners.c import preproc, units
from porting_advisor.scanners.c.preproc import GUARDED, INACTIVE, Layout, State, language_mode

if TYPE_CHECKING:
    import tree_sitter


USE_BEFORE = frozenset("=(,;{}?:+-*/&|^!~<[%)")
# A name is being declared, not used, when it is the declarator of one of these.
DECLARING = frozenset(
    {
        "function_declarator",
        "declaration",
        "init_declarator",
        "parameter_declaration",
        "field_declaration",
        "array_declarator",
        "pointer_declarator",
    }
)
USE_WORDS = frozenset(
    {
        "return",
        "case",
        "else",
        "do",
        "sizeof",
        "typeof",
        "decltype",
        "__typeof__",
        "co_return",
        "throw",
    }
)
# Why a construct in a branch the preprocessor settles as not compiled is filtered
INACTIVE_REASON = "in a preprocessor branch not compiled for the target"
UNBUILDABLE_REASON = "in a file that cannot be compiled for the target (x86-only or another OS)"


def state_filter(src: Source, st: State) -> tuple[bool, bool, tuple[str, ...]]:
    """(report?, filtered, guard) for a construct in a region with state `st`."""
    if st.status == INACTIVE:
        return src.options.no_filter, True, ()
    if st.status == GUARDED:
        return True, False, st.guard
    return True, False, ()


class CFile:
    """The state of one C/C++ file while it is scanned."""

    def __init__(self, src: Source) -> None:
        self.src = src
        self.text = src.text
        self.spans = preproc.comment_spans(self.text)
        mode = language_mode(src.file)
        self.mode = mode
        self.x86_lay: Layout | None = None
        self.cpp = mode != "c"
        self.macros = units.file_macros(src.options, src.file, mode)
        self.layout: Layout = preproc.layout(self.text, self.macros, self.spans)
        dirs = self.layout.directives
        self.dir_offsets = [d.offset for d in dirs]
        self.dir_ends = [directive_end(self.text, d.offset) for d in dirs]
        self.parsed = LazyTree(src, self.cpp)
        self.sve_header = False
        self.target_os = src.options.target_os  # see target_os_of

    def x86_layout(self) -> Layout:
        """The same file evaluated for x86-64 (computed when first needed)."""
        if self.x86_lay is None:
            self.x86_lay = preproc.layout(
                self.text,
                units.file_macros(self.src.options, self.src.file, self.mode, True),
                self.spans,
            )
        return self.x86_lay

    def directive_at(self, offset: int) -> preproc.Directive | None:
        i = bisect.bisect_right(self.dir_offsets, offset) - 1
        if i < 0:
            return None
        return self.layout.directives[i] if offset < self.dir_ends[i] else None

    def emit(self, rule: str, offset: int, length: int, **params: Any) -> None:
        line, col = self.src.position(offset)
        report, filtered, guard = state_filter(self.src, self.layout.at(line))
        if report:
            self.src.add(
                rule,
                line,
                col,
                length=length,
                filtered=filtered,
                filtered_reason=INACTIVE_REASON,
                guard=guard,
                **params,
            )

    def byte_offset(self, offset: int) -> int:
        return self.src.byte_offset(offset)

    def is_use(self, start: int, end: int) -> bool:
        """Is the identifier at [start, end) a use, not a member or the name being declared?"""
        j = start - 1
        text = self.text
        while j >= 0 and text[j] in " \t\r\n":
            j -= 1
        if j < 0:
            return self.ts_use(start, end)
        ch = text[j]
        if ch == "." or (ch == ">" and j > 0 and text[j - 1] == "-"):
            return False
        if ch in USE_BEFORE:
            return True
        if ch.isalnum() or ch == "_":
            k = j
            while k >= 0 and (text[k].isalnum() or text[k] == "_"):
                k -= 1
            if text[k + 1 : j + 1] in USE_WORDS:
                return True
        return self.ts_use(start, end)

    def ts_use(self, start: int, end: int) -> bool:
        """Parse the statement around the name and ask the tree what the name is there."""
        text = self.text
        lo = max(text.rfind(c, max(0, start - 2000), start) for c in ";{}\n#") + 1
        hi_candidates = [i for i in (text.find(c, end, end + 2000) for c in ";{}") if i >= 0]
        hi = min(hi_candidates) + 1 if hi_candidates else min(len(text), end + 200)
        snippet = text[lo:hi].encode("utf-8")
        tree = parse(snippet, self.cpp)
        bs = len(text[lo:start].encode("utf-8"))
        be = bs + len(text[start:end].encode("utf-8"))
        node = tree.root_node.descendant_for_byte_range(bs, be)
        if node is None:
            return True
        if node.type in ("field_identifier", "namespace_identifier", "statement_identifier"):
            return False
        parent = node.parent
        if parent is not None and parent.type in DECLARING:
            return parent.child_by_field_name("declarator") != node
        return True


# The node kinds the memory-ordering and long-double checks read, found by one query per
# file: a query of four patterns costs what one does to compile (in each worker, and most
# with the C++ grammar) and to run (a walk of the whole tree).
NODE_KINDS = ("function_definition", "declaration", "parameter_declaration", "field_declaration")
NODE_QUERY = " ".join(f"({kind}) @{kind}" for kind in NODE_KINDS)


class LazyTree:
    """One file's tree-sitter parse, made when a check first asks for it and shared by the
    checks that need one (char signedness, memory ordering, long double): a 1 MB header
    takes about 0.15 s to parse."""

    def __init__(self, src: Source, cpp: bool) -> None:
        self.src, self.cpp = src, cpp
        self.tree: tree_sitter.Tree | None = None
        self.found: dict[str, list[tree_sitter.Node]] | None = None

    def nodes(self, *kinds: str) -> list[tree_sitter.Node]:
        """Every node of these NODE_KINDS in the file, in source order."""
        if self.found is None:
            import tree_sitter

            query = grammars.query("cpp" if self.cpp else "c", NODE_QUERY)
            self.found = tree_sitter.QueryCursor(query).captures(self().root_node)
        if len(kinds) == 1:
            return sorted(self.found.get(kinds[0], []), key=start_byte)
        return sorted((n for k in kinds for n in self.found.get(k, [])), key=start_byte)

    def __call__(self) -> tree_sitter.Tree:
        if self.tree is None:
            # the bytes the text decodes from, or the text's UTF-8 when undecodable bytes
            # were replaced (offsets in the tree are then offsets in that encoding)
            data = self.src.data
            clean = data.isascii() or data.decode("utf-8", "replace") == self.src.text
            self.tree = parse(data if clean else self.src.text.encode(), self.cpp)
        return self.tree


def directive_end(text: str, start: int) -> int:
    """Offset of the newline ending the directive whose line starts at `start` (a directive
    may continue over several lines), or the text's length."""
    end = text.find("\n", start)
    while end > 0 and text[end - 1] == "\\":
        end = text.find("\n", end + 1)
    return end if end >= 0 else len(text)


def start_byte(node: tree_sitter.Node) -> int:
    return node.start_byte


def parse(data: bytes, cpp: bool) -> tree_sitter.Tree:
    return grammars.parser("cpp" if cpp else "c").parse(data)
