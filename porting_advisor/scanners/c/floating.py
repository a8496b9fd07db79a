# SPDX-License-Identifier: Apache-2.0
"""C and C++ floating point that compiles on Arm64 but behaves differently (issue 23):
`long double` arithmetic in loops, a 128-bit software type on Linux/aarch64; and, for the
fp-contract pass (passes/fp_contract.py), tests that compare floating-point results exactly
and sources that turn FMA contraction off."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from porting_advisor.core import lazy_re
from porting_advisor.core.facts import ContractOff, FloatCompare
from porting_advisor.core.source import Source, node_text
from porting_advisor.scanners.c import memory_order, preproc
from porting_advisor.scanners.c.cfile import LazyTree
from porting_advisor.scanners.c.preproc import GUARDED, INACTIVE, Layout

if TYPE_CHECKING:
    import tree_sitter

# (`long(?<!\wlong)` is `\blong`: a pattern that starts with a literal is found at memchr
# speed, one that starts with \b is tried at every offset, 25 times slower)
LONG_DOUBLE = lazy_re.compile(r"long(?<!\wlong)\s+double\b")
LOOPS = frozenset({"for_statement", "while_statement", "do_statement", "for_range_loop"})
ARITHMETIC = frozenset({"+", "-", "*", "/"})
COMPOUND = frozenset({"+=", "-=", "*=", "/="})


def check(src: Source, layout: Layout | None, tree: LazyTree) -> None:
    """Report the first `long double` arithmetic inside a loop of each function; record
    the facts of the fp-contract pass."""
    if "type-portability" not in src.options.categories or src.options.target_os == "windows":
        return
    if "fp-contract=off" in src.text:
        contract_off(src)
    if test_file(src.file):
        layout = exact_compare(src, layout)
    long_double(src, layout, tree)


def long_double(src: Source, layout: Layout | None, tree: LazyTree) -> None:
    """The first `long double` arithmetic inside a loop of each function."""
    text = src.text
    if "double" not in text or not LONG_DOUBLE.search(text):
        return

    names: dict[int | None, set[str]] = {}  # function node id (None: file scope) -> names
    for node in tree.nodes("declaration", "parameter_declaration"):
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
    for fn in tree.nodes("function_definition"):
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


# ---- for the fp-contract pass -------------------------------------------------------------

# GCC's per-file and per-function optimize settings (with or without the `-f`)
OPTIMIZE_OFF = lazy_re.compile(
    r"^[ \t]*#[ \t]*pragma[ \t]+GCC[ \t]+optimize\b[^\n]*?\"(?:-f)?fp-contract=off\"\s*\)?"
    r"|\b(?:__)?optimize(?:__)?\s*\(\s*\"(?:-f)?fp-contract=off\"\s*\)",
    re.M,
)


def contract_off(src: Source) -> None:
    """Record the first GCC optimize pragma or attribute outside comments that turns FMA
    contraction off. (`#pragma STDC FP_CONTRACT OFF` does not count: GCC ignores it.)"""
    text = src.text
    spans: tuple[list[int], list[int]] | None = None
    for m in OPTIMIZE_OFF.finditer(text):
        at = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
        spans = spans or preproc.comment_spans(text)
        if preproc.inside(spans, at) < 0:
            line = text.count("\n", 0, at) + 1
            src.facts.append(ContractOff(line, " ".join(m.group(0).split())))
            return


# A test source: in a test directory, or named as one (test_x.c, x_test.cc, x_unittest.cpp,
# XTest.cpp). Vendored libraries' own tests (a copy of googletest) are not the project's.
TEST_DIRS = frozenset(
    {"test", "tests", "testing", "unittest", "unittests", "unit_tests", "unit-tests", "testsuite"}
)
TEST_NAME = lazy_re.compile(r"(?i:tests?|tests?[_-].*|.*[_-](?:unit)?tests?)|.*[a-z0-9]Tests?")
VENDORED = frozenset(
    {"third_party", "thirdparty", "third-party", "3rdparty", "vendor", "external", "extern", "deps"}
)
GTEST = lazy_re.compile(r"(?i)g(?:oogle)?test|g(?:oogle)?mock|catch2?|doctest|cppunit")


def test_file(path: str) -> bool:
    """Is this the project's own test source?"""
    parts = path.split("/")
    stem = parts[-1].rsplit(".", 1)[0]
    dirs = [p.lower() for p in parts[:-1]]
    if any(d in VENDORED or GTEST.fullmatch(d) for d in dirs):
        return False
    return any(d in TEST_DIRS for d in dirs) or TEST_NAME.fullmatch(stem) is not None


# A floating literal: 1.5, .5, 1., 1e-3, 0.1f, 2.0L, 0x1.8p1 (not an integer, not a version)
FLOAT = (
    r"(?<![\w.])(?:(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+"
    r"|0[xX][0-9a-fA-F]*\.?[0-9a-fA-F]*[pP][+-]?\d+)[fFlL]?(?![\w.])"
)
FLOAT_LITERAL = lazy_re.compile(FLOAT)
# `x == 1.5`, `1.5 != x`: a literal that is a whole operand of == or != (not one inside a
# call such as `Approx(1.5) == x`). Found from each operator (a literal search: a pattern
# whose first branch starts with a lookbehind is tried at every offset).
COMPARE_OP = lazy_re.compile(r"[=!]=")
LITERAL_AFTER = lazy_re.compile(r"(?>\s*)(?:[-+](?>\s*))?(" + FLOAT + r")(?!\s*[(\[])")
LITERAL_BEFORE = lazy_re.compile(r"(?<![\w.)\]])(" + FLOAT + r")\s*$")
BEFORE_REACH = 64  # characters: a literal and the spaces before its operator


def literal_sites(masked: str) -> Iterator[tuple[int, str, str]]:
    """(offset, `1.5 ==` or `== 1.5`, the literal) of each literal operand of == or !=, left
    to right and not overlapping."""
    done = 0
    for op in COMPARE_OP.finditer(masked):
        at = op.start()
        if at < done:
            continue
        before = LITERAL_BEFORE.search(masked, max(done, at - BEFORE_REACH), at)
        if before is not None:
            done = at + 2
            yield before.start(), masked[before.start() : done], before.group(1)
            continue
        after = LITERAL_AFTER.match(masked, at + 2)
        if after is not None:
            done = after.end()
            yield at, masked[at:done], after.group(1)


# assertions that compare with operator== (the ULP-tolerant EXPECT_DOUBLE_EQ, EXPECT_NEAR,
# BOOST_CHECK_CLOSE, CPPUNIT_ASSERT_DOUBLES_EQUAL do not match; nor does EXPECT_NE: a last-bit
# change does not make two values equal)
EQUAL_NAMES = frozenset(
    {
        "EXPECT_EQ",
        "ASSERT_EQ",
        "CHECK_EQ",
        "REQUIRE_EQ",
        "WARN_EQ",
        "CPPUNIT_ASSERT_EQUAL",
        "BOOST_CHECK_EQUAL",
        "BOOST_REQUIRE_EQUAL",
        "BOOST_WARN_EQUAL",
    }
)
# an upper-case name called (sre skips to each capital, where a leading \b made it try
# every offset): EQUAL_NAMES are picked from these
UPPER_CALL = lazy_re.compile(r"[A-Z](?<!\w[A-Z])[A-Z_]*\s*\(")


def equal_macros(masked: str) -> Iterator[re.Match[str]]:
    """The calls of EQUAL_NAMES, their `(` included."""
    for m in UPPER_CALL.finditer(masked):
        if m.group()[:-1].rstrip() in EQUAL_NAMES:
            yield m


MEMCMP = lazy_re.compile(r"memcmp(?<!\wmemcmp)\s*\(")
FLOAT_SIZE = lazy_re.compile(r"\bsizeof\s*\(?\s*(?:double|float)\b")
FLOAT_CAST = lazy_re.compile(
    r"^\(?(?:static_cast\s*<\s*(?:double|float)\s*>|\(\s*(?:double|float)\s*\))"
)
# `TYPE name` followed by what ends a declarator (not `(`: a function; not `[`: an array)
DECLARATION = lazy_re.compile(r"\b([A-Za-z_]\w*)[\s*&]+(?:const\s+)?([A-Za-z_]\w*)\s*(?=[=;,)])")
NOT_TYPES = frozenset({"return", "case", "else", "goto", "const", "volatile", "static"})
WORD = lazy_re.compile(r"[A-Za-z_]\w*")
RAW_STRING = lazy_re.compile(r'\bR"([^()\\\s"]{0,16})\((.*?)\)\1"', re.S)
NOT_NEWLINE = lazy_re.compile(r"[^\n]")
NUMBER = lazy_re.compile(r"(?<![\w.])(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?(?![\w.])")
CALLEE = lazy_re.compile(r"(\w*)\s*$")
CONDITIONS = frozenset({"if", "while", "for", "switch"})
ASSERTION = lazy_re.compile(r"(?i)assert|check|require|expect|verify|^ok$|^test")
STATUS = lazy_re.compile(r"\s*(?:return\b|(?:status|fail\w*|errors?|ok|pass\w*|result)\s*[-+|&]?=)")
# a floating literal as a whole call argument: `f(o, 29.5)`, `Value(56.78)`
# (`(?>\s*)(?:[-+](?>\s*))?`, not `\s*[-+]?\s*`: two `\s*` side by side retry every split
# of a run of spaces after each comma, and the masked text blanks whole strings to spaces:
# 73 ms -> 0.7 ms on simdjson's basictests.cpp)
PASSED = lazy_re.compile(r"[(,](?>\s*)(?:[-+](?>\s*))?(" + FLOAT + r")\s*(?=[,)])")
MAX_SITES = 200  # candidates read per kind and file


def exact_compare(src: Source, layout: Layout | None) -> Layout | None:
    """Record the first exact floating-point comparison of a C/C++ test file, in code the
    target compiles. Returns the layout (computed here when needed) for the next check."""
    text = src.text
    if "==" not in text and "!=" not in text and "_EQ" not in text and "memcmp" not in text:
        return layout
    masked, quoted = mask(text)
    known = Known(masked, quoted)
    hits = sorted(itertools.chain(literal_compares(masked, known), assertions(masked, known)))
    if not hits:
        return layout
    if layout is None:
        layout = memory_order.file_layout(src)
    for offset, what in hits:
        line, col = src.position(offset)
        if layout.at(line).status != INACTIVE:
            shown = what if len(what) <= 80 else what[:77] + "..."
            src.facts.append(FloatCompare(line, col, shown, src.line_text(line).strip()[:400]))
            break
    return layout


def literal_compares(masked: str, known: Known) -> Iterator[tuple[int, str]]:
    """`x == 1.5`, `1.5f != y` that a test asserts (`asserted`). Not against zero: `if (x == 0.0)`
    guards a division more often than it checks a result; nor against a value the test
    wrote itself (`Known`)."""
    for at, what, literal in itertools.islice(literal_sites(masked), MAX_SITES):
        number = value(literal)
        if (
            number != 0.0
            and not known.written(number, at, at + len(what))
            and asserted(masked, at, what)
        ):
            yield at, " ".join(what.split())


def assertions(masked: str, known: Known) -> Iterator[tuple[int, str]]:
    """Equality assertions with a floating literal or a cast to double or float (not a
    value the test wrote itself), or an integer literal and a double variable; memcmp of
    float or double buffers. (Two variables: the file seldom shows whether one was
    computed or stored, and a stored one cannot change.)"""
    for m in itertools.islice(equal_macros(masked), MAX_SITES):
        call = arguments(masked, m.end())
        if call is None:
            continue
        args, end = call
        bare = [a.lstrip("+- ") for a in args]
        floats = [value(b) for b in bare if FLOAT_LITERAL.fullmatch(b)]
        if any(known.written(f, m.start(), end) for f in floats):
            continue
        if (
            floats
            or any(FLOAT_CAST.match(b) for b in bare)
            or (any(b.isdigit() for b in bare) and any(known.floating(b) for b in bare))
        ):
            yield m.start(), m.group(0).rstrip("( ") + "(" + ", ".join(args) + ")"
    for m in itertools.islice(MEMCMP.finditer(masked), MAX_SITES):
        call = arguments(masked, m.end())
        if call is not None and any(FLOAT_SIZE.search(a) for a in call[0]):
            yield m.start(), "memcmp(" + ", ".join(call[0]) + ")"


class Known:
    """What a test file shows about its values, read when first asked: the numbers it
    writes in strings (a parser's input: `parse("[1.1]")` then `x == 1.1`), the floating
    literals it passes to calls (`set_rate(o, 29.5)` then `get_rate(o) == 29.5`: a value
    stored and read back), and the types it declares names with (`double x = ...`,
    `int n;`). Contraction changes none of the first two."""

    def __init__(self, masked: str, quoted: frozenset[float]) -> None:
        self.text = masked
        self.quoted = quoted
        self.passed: dict[float, list[int]] | None = None
        self.types: dict[str, set[str]] | None = None

    def written(self, number: float, start: int, end: int) -> bool:
        """Is `number` in a string of the file, or a call argument outside start..end?
        (Not 0 and 1 as arguments: too common to tell anything.)"""
        if number in self.quoted:
            return True
        if number in (0.0, 1.0):
            return False
        if self.passed is None:
            self.passed = {}
            for m in PASSED.finditer(self.text):
                if opener(self.text, m.start(1)) == "(":  # (not `{0.1, 0.2}`: input data)
                    self.passed.setdefault(value(m.group(1)), []).append(m.start(1))
        return any(not start <= at < end for at in self.passed.get(number, ()))

    def floating(self, name: str) -> bool:
        """Is `name` declared only as a double or float?"""
        if not WORD.fullmatch(name):
            return False
        if self.types is None:
            self.types = {}
            for m in DECLARATION.finditer(self.text):
                self.types.setdefault(m.group(2), set()).add(m.group(1))
        # (`a * x)` reads as a declaration of x of type `a`: it only keeps x from counting)
        kinds = self.types.get(name, set()) - NOT_TYPES
        return bool(kinds) and kinds <= {"double", "float"}


def opener(text: str, offset: int) -> str:
    """The innermost bracket still open at `offset` (within 500 characters), or ""."""
    depth = 0
    for i in range(offset - 1, max(-1, offset - 501), -1):
        c = text[i]
        if c in ")]}":
            depth += 1
        elif c in "([{":
            if not depth:
                return c
            depth -= 1
    return ""


def mask(text: str) -> tuple[str, frozenset[float]]:
    """The text with comments and string, raw string and character literals blanked (lines
    kept), and the numbers written inside its string literals."""
    quoted: list[str] = []

    def blank(piece: str) -> str:
        if piece[0] != "/":
            quoted.append(piece)
        return NOT_NEWLINE.sub(" ", piece) if "\n" in piece else " " * len(piece)

    if 'R"' in text:  # (the lexer does not know C++ raw strings: JSON in tests often is one)
        text = RAW_STRING.sub(lambda m: blank(m.group(0)), text)
    starts, ends = preproc.comment_spans(text)
    out, last = [], 0
    for a, b in zip(starts, ends, strict=True):
        out.append(text[last:a])
        out.append(blank(text[a:b]))
        last = b
    out.append(text[last:])
    numbers = frozenset(float(n) for q in quoted for n in NUMBER.findall(q))
    return "".join(out), numbers


def asserted(text: str, offset: int, compare: str) -> bool:
    """Is the comparison at `offset` what a test checks: an equality an assertion asserts
    (`assert(`, `CHECK(`, `EXPECT_TRUE(`, `ck_assert(`, `g_assert(`, `VERIFY(`; not an
    inequality, which a last-bit change does not break), a returned predicate, or a status
    the test adds up (`status += (x != 0.25)`)? Not a condition of `if`/`while`
    (`if (factor != 1.0) scale(x, factor)`), nor a preprocessor line."""
    line = text.rfind("\n", 0, offset) + 1
    if text[line:offset].lstrip().startswith("#"):
        return False
    # the statement so far: from the last `;`, `{` or `}` (at most 500 characters back)
    start = max(offset - 500, *(text.rfind(c, 0, offset) + 1 for c in ";{}"))
    depth = 0
    for i in range(offset - 1, start - 1, -1):  # enclosing parentheses, innermost first
        c = text[i]
        if c == ")":
            depth += 1
        elif c == "(" and depth:
            depth -= 1
        elif c == "(":
            callee = CALLEE.search(text, start, i)
            name = callee.group(1) if callee else ""
            if name in CONDITIONS:
                return False
            if ASSERTION.search(name):
                return "==" in compare
    return STATUS.match(text, start) is not None


def value(literal: str) -> float:
    body = literal.rstrip("fFlL")
    try:
        return float.fromhex(body) if body[:2] in ("0x", "0X") else float(body)
    except ValueError:
        return 1.0


def arguments(text: str, start: int) -> tuple[list[str], int] | None:
    """The top-level arguments of the call whose `(` ends just before `start`, each with
    its whitespace collapsed, and the offset of its `)`; None when the call does not close
    within 2,000 characters."""
    depth, args, last = 0, [], start
    for i in range(start, min(len(text), start + 2000)):
        c = text[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                args.append(text[last:i])
                return [" ".join(a.split()) for a in args], i
            depth -= 1
        elif c == "," and depth == 0:
            args.append(text[last:i])
            last = i + 1
    return None
