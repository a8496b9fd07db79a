# SPDX-License-Identifier: Apache-2.0
"""Evaluate a preprocessor #if expression in three-valued logic (known number or unknown)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence

from porting_advisor.core import lazy_re, vocab

# A macro look-up answers ("def", value text), ("undef", "") or ("unknown", "").
Lookup = Callable[[str], tuple[str, str]]
Value = int | None  # None = unknown

TOKEN = lazy_re.compile(
    r"\s*(?:(0[xX][0-9a-fA-F]+|0[bB][01]+|\d+)[uUlL]*"
    r"|([A-Za-z_]\w*)|('(?:\\.|[^'\\])+')"
    r"|(&&|\|\||==|!=|<=|>=|<<|>>|[-+*/%<>!~&|^?:(),]))"
)
HAS_INCLUDE = lazy_re.compile(r"__has_include(?:_next)?\s*\(\s*[<\"]([^>\"]*)[>\"]\s*\)")
BINARY = {
    "||": 1,
    "&&": 2,
    "|": 3,
    "^": 4,
    "&": 5,
    "==": 6,
    "!=": 6,
    "<": 7,
    ">": 7,
    "<=": 7,
    ">=": 7,
    "<<": 8,
    ">>": 8,
    "+": 9,
    "-": 9,
    "*": 10,
    "/": 10,
    "%": 10,
}
INT = lazy_re.compile(r"\s*\(?\s*(-?)(0[xX][0-9a-fA-F]+|\d+)[uUlL]*\s*\)?\s*$")
X86_HEADERS = frozenset(
    {
        "immintrin.h",
        "x86intrin.h",
        "emmintrin.h",
        "xmmintrin.h",
        "pmmintrin.h",
        "tmmintrin.h",
        "smmintrin.h",
        "nmmintrin.h",
        "wmmintrin.h",
        "ammintrin.h",
        "mmintrin.h",
        "avxintrin.h",
        "avx2intrin.h",
        "cpuid.h",
        "ia32intrin.h",
        "x86gprintrin.h",
        "mm_malloc.h",
        "intrin.h",
        "zmmintrin.h",
        "popcntintrin.h",
        "bmiintrin.h",
        "bmi2intrin.h",
        "fmaintrin.h",
    }
)
ARM_HEADERS = frozenset(
    {
        "arm_neon.h",
        "arm_acle.h",
        "arm_sve.h",
        "arm_fp16.h",
        "arm_bf16.h",
        "sys/auxv.h",
        "asm/hwcap.h",
    }
)


STANDARD_HEADERS = vocab.get().system_libs.standard_headers  # rules/vocab/system-libs.yaml


class ParseError(Exception):
    pass


def literal_value(text: str, lookup: Lookup, depth: int = 0) -> Value:
    """The integer a macro's value text stands for, when it is one."""
    m = INT.match(text)
    if m:
        return int(m.group(2), 0) * (-1 if m.group(1) else 1)
    if text.strip() == "":
        return 0  # an empty macro in #if arithmetic
    if depth < 4:
        try:
            value, _ = evaluate(text, lookup, depth + 1)
            return value
        except RecursionError:
            return None
    return None


class Parser:
    """Precedence climbing over the tokens; unknown operands propagate (Kleene logic)."""

    def __init__(
        self,
        tokens: Sequence[tuple[str, str]],
        lookup: Lookup,
        depth: int,
        headers: dict[str, str],
    ) -> None:
        self.tokens = tokens
        self.pos = 0
        self.lookup = lookup
        self.depth = depth
        self.headers = headers
        self.unknown: set[str] = set()

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", "")

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        self.pos += 1
        return tok

    def expect(self, op: str) -> None:
        if self.take() != ("op", op):
            raise ParseError(op)

    def expression(self, min_prec: int = 0) -> Value:
        left = self.unary()
        while True:
            kind, op = self.peek()
            if kind == "op" and op == "?" and min_prec == 0:
                self.take()
                a = self.expression(0)
                self.expect(":")
                b = self.expression(0)
                # an unknown condition is still decided when both branches agree
                left = (a if a == b else None) if left is None else (a if left else b)
                continue
            prec = BINARY.get(op) if kind == "op" else None
            if prec is None or prec < min_prec:
                return left
            self.take()
            right = self.expression(prec + 1)
            left = combine(op, left, right)

    def unary(self) -> Value:
        kind, text = self.take()
        if kind == "num":
            return int(text, 0)
        if kind == "chr":
            body = text[1:-1]
            return ord(body[-1]) if body else 0
        if kind == "op":
            if text == "(":
                v = self.expression(0)
                self.expect(")")
                return v
            if text in "!~-+":
                v = self.unary()
                if v is None:
                    return None
                return {"!": int(not v), "~": ~v, "-": -v, "+": v}[text]
            raise ParseError(text)
        if kind == "id":
            return self.identifier(text)
        raise ParseError("end")

    def identifier(self, name: str) -> Value:
        if name == "defined":
            paren = self.peek() == ("op", "(")
            if paren:
                self.take()
            kind, macro = self.take()
            if kind != "id":
                raise ParseError("defined")
            if paren:
                self.expect(")")
            state, _ = self.lookup(macro)
            if state == "unknown":
                self.unknown.add(macro)
                return None
            return int(state == "def")
        if name in self.headers:
            header = self.headers[name]
            if header in X86_HEADERS:
                return 0
            if header in ARM_HEADERS or header in STANDARD_HEADERS:
                return 1  # (the standard library's: every aarch64 toolchain has them)
            self.unknown.add(f"__has_include(<{header}>)")
            return None
        if self.peek() == ("op", "("):
            args = self.call_args()
            return self.function(name, args)
        state, value = self.lookup(name)
        if state == "undef":
            return 0
        if state == "unknown":
            self.unknown.add(name)
            return None
        result = literal_value(value, self.lookup, self.depth)
        if result is None:
            self.unknown.add(name)
        return result

    def call_args(self) -> list[str]:
        self.take()
        depth = 1
        args: list[str] = []
        cur: list[str] = []
        while depth:
            kind, text = self.take()
            if kind == "end":
                raise ParseError("(")
            if text == "(" and kind == "op":
                depth += 1
            elif text == ")" and kind == "op":
                depth -= 1
                if not depth:
                    break
            elif text == "," and kind == "op" and depth == 1:
                args.append(" ".join(cur))
                cur = []
                continue
            cur.append(text)
        args.append(" ".join(cur))
        return args

    def function(self, name: str, args: list[str]) -> Value:
        if name == "__has_builtin":
            if args and args[0].startswith("__builtin_ia32"):
                return 0
        elif name == "__GNUC_PREREQ" and len(args) == 2:
            major = literal_value(self.lookup("__GNUC__")[1], self.lookup)
            minor = literal_value(self.lookup("__GNUC_MINOR__")[1], self.lookup)
            if major is not None and minor is not None and all(a.isdigit() for a in args):
                return int((major, minor) >= (int(args[0]), int(args[1])))
        elif name == "__has_declspec_attribute" and self.lookup("_MSC_VER")[0] == "undef":
            return 0
        self.unknown.add(f"{name}({', '.join(args)})")
        return None


def shift(a: int, b: int, left: bool) -> Value:
    if not 0 <= b < 64:
        return None
    return a << b if left else a >> b


ARITHMETIC: dict[str, Callable[[int, int], Value]] = {
    "==": lambda a, b: int(a == b),
    "!=": lambda a, b: int(a != b),
    "<": lambda a, b: int(a < b),
    ">": lambda a, b: int(a > b),
    "<=": lambda a, b: int(a <= b),
    ">=": lambda a, b: int(a >= b),
    "<<": lambda a, b: shift(a, b, True),
    ">>": lambda a, b: shift(a, b, False),
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: int(a / b) if b else None,
    "%": lambda a, b: a % b if b else None,
    "&": lambda a, b: a & b,
    "|": lambda a, b: a | b,
    "^": lambda a, b: a ^ b,
}


def combine(op: str, a: Value, b: Value) -> Value:
    if op == "&&":
        if a == 0 or b == 0:
            return 0
        return None if a is None or b is None else 1
    if op == "||":
        if (a is not None and a != 0) or (b is not None and b != 0):
            return 1
        return None if a is None or b is None else 0
    if a is None or b is None:
        return None
    fn = ARITHMETIC.get(op)
    return fn(a, b) if fn is not None else None


# (remembered: the cross-file pass evaluates the same expansions under many guards)
@functools.lru_cache(maxsize=512)
def tokenize(text: str) -> tuple[tuple[str, str], ...]:
    return tuple(tokens_of(text))


def tokens_of(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m or m.end() == pos:
            if text[pos:].strip() == "":
                break
            raise ParseError(text[pos : pos + 10])
        pos = m.end()
        if m.group(1):
            tokens.append(("num", m.group(1)))
        elif m.group(2):
            tokens.append(("id", m.group(2)))
        elif m.group(3):
            tokens.append(("chr", m.group(3)))
        elif m.group(4):
            tokens.append(("op", m.group(4)))
    return tokens


EXPAND_TOKEN = lazy_re.compile(
    r"[A-Za-z_]\w*|##|#|&&|\|\||==|!=|<=|>=|<<|>>|\d\w*|"
    r"'(?:\\.|[^'\\])+'|\"(?:\\.|[^\"\\])*\"|\S"
)
MAX_EXPANSION = 20000


@functools.lru_cache(maxsize=512)
def expand_tokens(text: str) -> tuple[str, ...]:
    """(remembered: macro values are expanded again and again)"""
    return tuple(EXPAND_TOKEN.findall(text))


def expand(text: str, lookup: Lookup, hide: frozenset[str] = frozenset(), depth: int = 0) -> str:
    """Macro-expand an #if expression: object-like and function-like macros (with `##`).

    `defined X` operands are left alone; names being expanded are not expanded again (the
    preprocessor's hide set). Unknown and undefined names stay as they are for the parser.
    """
    if depth > 24 or len(text) > MAX_EXPANSION:
        raise ParseError("expansion too deep")
    toks = expand_tokens(text)
    out: list[str] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        i += 1
        if tok == "defined":
            out.append(tok)
            if i < len(toks) and toks[i] == "(":
                out.extend(toks[i : i + 3])
                i += 3
            elif i < len(toks):
                out.append(toks[i])
                i += 1
            continue
        if not (tok[0].isalpha() or tok[0] == "_") or tok in hide:
            out.append(tok)
            continue
        state, value = lookup(tok)
        if state == "def":
            out.append(expand(value, lookup, hide | {tok}, depth + 1) if value else "")
        elif state == "func" and i < len(toks) and toks[i] == "(":
            args, i = call_arguments(toks, i)
            params, body = value.split("\x1f", 1)
            out.append(
                expand(
                    substitute(params, body, args, lookup, hide, depth),
                    lookup,
                    hide | {tok},
                    depth + 1,
                )
            )
        else:
            out.append(tok)
    return " ".join(out)


def call_arguments(toks: Sequence[str], i: int) -> tuple[list[str], int]:
    """The arguments of a call whose '(' is toks[i]; returns them and the index after ')'."""
    depth = 0
    args: list[str] = []
    cur: list[str] = []
    while i < len(toks):
        t = toks[i]
        i += 1
        if t == "(":
            depth += 1
            if depth == 1:
                continue
        elif t == ")":
            depth -= 1
            if depth == 0:
                args.append(" ".join(cur))
                return args, i
        elif t == "," and depth == 1:
            args.append(" ".join(cur))
            cur = []
            continue
        cur.append(t)
    raise ParseError("unclosed call")


def substitute(
    params: str, body: str, args: list[str], lookup: Lookup, hide: frozenset[str], depth: int
) -> str:
    names = [p.strip() for p in params.split(",") if p.strip()]
    toks = EXPAND_TOKEN.findall(body)
    raw = dict(zip(names, args + [""] * (len(names) - len(args)), strict=False))
    if names and names[-1] == "...":
        raw["__VA_ARGS__"] = ", ".join(args[len(names) - 1 :])
    out: list[str] = []
    for k, t in enumerate(toks):
        if t in raw:
            pasted = (k > 0 and toks[k - 1] == "##") or (k + 1 < len(toks) and toks[k + 1] == "##")
            stringized = k > 0 and toks[k - 1] == "#"
            if pasted or stringized:
                out.append(raw[t])
            else:
                out.append(expand(raw[t], lookup, hide, depth + 1))
        else:
            out.append(t)
    text = " ".join(out)
    return re.sub(r"\s*##\s*", "", text)


def evaluate(text: str, lookup: Lookup, depth: int = 0) -> tuple[Value, frozenset[str]]:
    """Value of an #if expression and the names whose unknown value kept it from being known."""
    try:
        headers: dict[str, str] = {}

        def has_include(m: re.Match[str]) -> str:
            key = f"__pa_has_include_{len(headers)}"
            headers[key] = m.group(1).strip()
            return key

        text = expand(HAS_INCLUDE.sub(has_include, text), lookup)
        tokens = tokenize(text)
        parser = Parser(tokens, lookup, depth, headers)
        value = parser.expression(0)
        if parser.pos < len(tokens):
            raise ParseError("trailing")
        return value, frozenset(parser.unknown) if value is None else frozenset()
    except (ParseError, RecursionError, ValueError, OverflowError):
        names = frozenset(n for n in re.findall(r"[A-Za-z_]\w*", text) if n != "defined")
        return None, names or frozenset({text.strip()})
