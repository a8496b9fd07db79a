# SPDX-License-Identifier: Apache-2.0
"""C and C++ floating point that compiles on Arm64 but behaves differently (issue 23):
`long double` arithmetic in loops, a 128-bit software type on Linux/aarch64."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from porting_advisor.core import grammars
from porting_advisor.core.source import Source, node_text
from porting_advisor.scanners.c import memory_order
from porting_advisor.scanners.c.preproc import GUARDED, INACTIVE, Layout

if TYPE_CHECKING:
    import tree_sitter

LONG_DOUBLE = re.compile(r"\blong\s+double\b")
LOOPS = frozenset({"for_statement", "while_statement", "do_statement", "for_range_loop"})
ARITHMETIC = frozenset({"+", "-", "*", "/"})
COMPOUND = frozenset({"+=", "-=", "*=", "/="})
DECLARATIONS = "(declaration) @d (parameter_declaration) @d"


def check(src: Source, layout: Layout | None, cpp: bool) -> None:
    """Report the first `long double` arithmetic inside a loop of each function."""
    if "type-portability" not in src.options.categories or src.options.target_os == "windows":
        return
    text = src.text
    if "double" not in text or not LONG_DOUBLE.search(text):
        return
    import tree_sitter

    lang = "cpp" if cpp else "c"
    root = grammars.parser(lang).parse(text.encode("utf-8", "replace")).root_node
    names: dict[int | None, set[str]] = {}  # function node id (None: file scope) -> names
    cursor = tree_sitter.QueryCursor(grammars.query(lang, DECLARATIONS))
    for _, caps in cursor.matches(root):
        node = caps["d"][0]
        kind = node.child_by_field_name("type")
        if kind is None or not LONG_DOUBLE.fullmatch(" ".join(node_text(kind).split())):
            continue
        fn = enclosing(node, "function_definition")
        for d in node.children_by_field_name("declarator"):
            name = declared_name(d)
            if name:
                names.setdefault(fn.id if fn is not None else None, set()).add(name)
    if not names:
        return
    if layout is None:
        layout = memory_order.file_layout(src)
    fcursor = tree_sitter.QueryCursor(grammars.query(lang, "(function_definition) @f"))
    for _, caps in fcursor.matches(root):
        fn = caps["f"][0]
        wide = names.get(None, set()) | names.get(fn.id, set())
        if wide:
            hit = first_in_loop(fn, wide)
            if hit is not None:
                emit(src, layout, hit[0], hit[1])


def enclosing(node: tree_sitter.Node | None, kind: str) -> tree_sitter.Node | None:
    while node is not None and node.type != kind:
        node = node.parent
    return node


def declared_name(node: tree_sitter.Node | None) -> str:
    while node is not None:
        if node.type == "identifier":
            return node_text(node)
        if node.type == "function_declarator":
            return ""  # a function returning long double, not a variable
        node = node.child_by_field_name("declarator")
    return ""


def operand(node: tree_sitter.Node | None) -> str:
    """The variable an arithmetic operand reads (`x`, `x[i]`, `(x)`), or ""."""
    while node is not None and node.type in ("parenthesized_expression", "subscript_expression"):
        node = (
            node.child_by_field_name("argument")
            if node.type == "subscript_expression"
            else (node.named_children[0] if node.named_children else None)
        )
    return node_text(node) if node is not None and node.type == "identifier" else ""


def first_in_loop(fn: tree_sitter.Node, wide: set[str]) -> tuple[tree_sitter.Node, str] | None:
    """The first arithmetic on one of `wide` inside a loop of `fn` (source order)."""
    stack: list[tuple[tree_sitter.Node, bool]] = [(fn, False)]
    while stack:
        node, in_loop = stack.pop()
        if in_loop and node.type in ("binary_expression", "assignment_expression"):
            op = node.child_by_field_name("operator")
            sign = node_text(op) if op is not None else ""
            sides = [node.child_by_field_name("left"), node.child_by_field_name("right")]
            if sign in ARITHMETIC or sign in COMPOUND:
                for side in sides[:1] if sign in COMPOUND else sides:
                    name = operand(side)
                    if name in wide:
                        return node, name
        if node.type == "lambda_expression":
            continue
        inner = in_loop or node.type in LOOPS
        stack.extend((c, inner) for c in reversed(node.children))
    return None


def emit(src: Source, layout: Layout, node: tree_sitter.Node, name: str) -> None:
    line, col = node.start_point.row + 1, node.start_point.column + 1
    st = layout.at(line)
    if st.status == INACTIVE and not src.options.no_filter:
        return
    src.add(
        "c-long-double-loop",
        line,
        col,
        filtered=st.status == INACTIVE,
        guard=st.guard if st.status == GUARDED else (),
        name=name,
    )
