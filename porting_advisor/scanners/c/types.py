# SPDX-License-Identifier: Apache-2.0
"""Type portability: x87 long double, plain char compared with negative values."""

from __future__ import annotations

from typing import TYPE_CHECKING

from porting_advisor.core import grammars, lazy_re
from porting_advisor.core.source import node_text
from porting_advisor.scanners.c import preproc
from porting_advisor.scanners.c.cfile import CFile

if TYPE_CHECKING:
    import tree_sitter


LDBL = lazy_re.compile(r"\bLDBL_MANT_DIG\s*[=!]=\s*64\b|\b64\s*[=!]=\s*LDBL_MANT_DIG\b")
EOF_WORD = lazy_re.compile(r"EOF(?<!\wEOF)\b")  # (\bEOF\b, found at memchr speed)
MINUS_DIGITS = lazy_re.compile(r"-(\s*)\d+")


def signed_compare(text: str) -> bool:
    """Anything compared with EOF or a negative constant (`x == -1`, `-1 != x`)? A search
    anchored on `-` with the operator checked around it: a regex that starts with an operator
    class tries every position and ran at 40 MB/s."""
    if "EOF" in text and EOF_WORD.search(text):
        return True
    for m in MINUS_DIGITS.finditer(text):
        before = text[max(0, m.start() - 64) : m.start()].rstrip()
        if before and before[-1] in "=!<>":
            return True
        after = text[m.end() : m.end() + 64].lstrip()
        if not m.group(1) and after and after[0] in "=!<>":
            return True
    return False


NEGATIVE_NUMBER = lazy_re.compile(r"-\s*\d")


def check_ldbl(cf: CFile) -> None:
    if "LDBL_MANT_DIG" not in cf.text:
        return
    for m in LDBL.finditer(cf.text):
        if preproc.inside(cf.spans, m.start()) < 0:
            cf.emit("c-long-double-80", m.start(), len(m.group(0)), name=m.group(0))


CHAR_DECL = (
    "(declaration type: (primitive_type) @type declarator: (identifier) @name)\n"
    "(declaration type: (primitive_type) @type declarator: "
    "(init_declarator declarator: (identifier) @name))"
)
COMPARE_OPS = frozenset({"==", "!=", "<", "<=", ">", ">="})
# a local `char x` (an array or a parameter is never a CHAR_DECL match: not a candidate)
PLAIN_CHAR = lazy_re.compile(r"char(?<![\w$]char)\s+(\w+)\s*[=;,]")
SIGNED_BEFORE = lazy_re.compile(r"(?:un)?signed\s+$")
_CMP = r"(?:==|!=|<=|>=|<(?!<)|>(?!>))"
_NEG = r"(?:EOF\b|-\s*\d)"
NEGATIVE = lazy_re.compile(_NEG)
# a negative compared with what follows: `-1 == x`, `EOF != (c`
NEGATIVE_COMPARED = lazy_re.compile(rf"{_NEG}\d*\s*{_CMP}\s*\(?\s*(\w+)")
OPERAND_BEFORE = lazy_re.compile(r"(?:\(\s*(\w+)\s*=[^;]{0,80}\)|(\w+)\s*\)?)\s*$")


def negatively_compared(text: str) -> set[str]:
    """Names compared with EOF or a negative constant (cheap, for the parse decision). Each
    negative is found once and its operator looked for on either side: a regex that starts
    with the operator class tries every `=`, `<` and `>` of the file."""
    names = set()
    after_end = 0  # (the end of the last `-1 == x` match: they do not overlap)
    for m in NEGATIVE.finditer(text):
        at = m.start()
        j = at - 1
        while j >= 0 and text[j].isspace():
            j -= 1
        # `x == -1`, `x < -1`: an operator right before it (`=` alone assigns)
        if j >= 0 and text[j] in "=!<>":
            start = j - 1 if text[j] == "=" and j > 0 and text[j - 1] in "=!<>" else j
            if text[start] != "=" or start < j:
                b = OPERAND_BEFORE.search(text, max(0, start - 120), start)
                if b:
                    names.add(b.group(1) or b.group(2))
        if at >= after_end and (c := NEGATIVE_COMPARED.match(text, at)) is not None:
            names.add(c.group(1))
            after_end = c.end()
    return names


def char_candidates(text: str) -> bool:
    """Cheap test before parsing: a plain `char x` whose name is compared with a negative."""
    names = {
        m.group(1)
        for m in PLAIN_CHAR.finditer(text)
        if not SIGNED_BEFORE.search(text, max(0, m.start() - 10), m.start())
    }
    return (
        bool(names)
        and ("EOF" in text or NEGATIVE_NUMBER.search(text) is not None)
        and not names.isdisjoint(negatively_compared(text))
    )


def check_char_signedness(cf: CFile) -> None:
    """A local plain `char` compared with EOF or a negative constant (char is unsigned on
    Arm64 Linux; MSVC keeps it signed on Arm64 Windows)."""
    text = cf.text
    if (
        cf.target_os == "windows"
        or "char" not in text
        or not signed_compare(text)
        or not char_candidates(text)
    ):
        return
    import tree_sitter

    tree = cf.parsed()
    cursor = tree_sitter.QueryCursor(grammars.query("cpp" if cf.cpp else "c", CHAR_DECL))
    chars: dict[tuple[int, str], int] = {}
    for _, caps in cursor.matches(tree.root_node):
        if caps["type"][0].text != b"char":
            continue
        name = caps["name"][0]
        func = enclosing_function(name)
        if func is not None:
            chars[(func.id, node_text(name))] = 1
    if not chars:
        return
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "binary_expression":
            check_compare(cf, node, chars)
        stack.extend(node.children)


def enclosing_function(node: tree_sitter.Node | None) -> tree_sitter.Node | None:
    while node is not None and node.type != "function_definition":
        node = node.parent
    return node


def operand_name(node: tree_sitter.Node | None) -> str:
    while node is not None and node.type == "parenthesized_expression":
        node = node.named_children[0] if node.named_children else None
    if node is None:
        return ""
    if node.type == "assignment_expression":
        node = node.child_by_field_name("left")
    return node_text(node) if node is not None and node.type == "identifier" else ""


def negative_value(node: tree_sitter.Node) -> str:
    text = node_text(node)
    if node.type == "identifier" and text == "EOF":
        return "EOF"
    if node.type == "number_literal" and text.startswith("-"):
        return text
    if node.type == "unary_expression" and text.startswith("-"):
        arg = node.child_by_field_name("argument")
        if arg is not None and arg.type == "number_literal":
            return text
    return ""


def check_compare(cf: CFile, node: tree_sitter.Node, chars: dict[tuple[int, str], int]) -> None:
    op = node.child_by_field_name("operator")
    if op is None or op.type not in COMPARE_OPS:
        return
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    if left is None or right is None:
        return
    for a, b in ((left, right), (right, left)):
        name, value = operand_name(a), negative_value(b)
        if name and value:
            func = enclosing_function(node)
            if func is not None and (func.id, name) in chars:
                offset = char_offset(cf, node.start_byte)
                cf.emit("c-char-signedness", offset, 0, name=name, value=value)
                return


def char_offset(cf: CFile, byte: int) -> int:
    if len(cf.src.data) == len(cf.text):
        return byte
    return len(cf.text.encode("utf-8")[:byte].decode("utf-8", "replace"))
