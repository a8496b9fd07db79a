# SPDX-License-Identifier: Apache-2.0
"""Per-architecture #if chains whose selector the evaluator cannot follow: the branches only
an x86 build takes.

Highway picks its code with `#if HWY_TARGET == HWY_SVE_256` / `#elif HWY_TARGET <= HWY_AVX3`
/ `#else  // AVX2`, inside `#if HWY_TARGET <= HWY_AVX2 || HWY_TARGET == HWY_SVE_256`.
`HWY_TARGET` comes from bit arithmetic, so every branch stays undecided, yet the chain is a
dispatch: a branch whose test names only x86 constants is for x86 builds when a sibling tests
an Arm one; and a later branch is reached only through the x86 half of its enclosing test
when that test's other half is exactly an earlier sibling's (the `#else` above).
"""

from __future__ import annotations

from dataclasses import dataclass

from porting_advisor.core import lazy_re
from porting_advisor.scanners.c import preproc

OR = lazy_re.compile(r"\|\|")
# a test that negates or excludes something says nothing about the architecture it is for
NEGATION = lazy_re.compile(r"!(?!=)|!=")
COMPILER_MACROS = frozenset({"defined", "__GNUC__", "__clang__", "_MSC_VER"})


def arch_of(cond: str, m: preproc.Macros) -> str:
    """'x86' or 'arm' for a test that names constants of one architecture only (and no
    negation), else ''."""
    if NEGATION.search(cond):
        return ""
    kinds = {
        "arm"
        if n.startswith(("__aarch64", "__ARM", "_M_ARM64", "__arm64"))
        else "x86"
        if n in m.x86
        else preproc.word_class(n, m)
        for n in preproc.names_in(cond)
        if n not in COMPILER_MACROS
    }
    kinds.discard("")
    return next(iter(kinds)) if len(kinds) == 1 and kinds <= {"x86", "arm"} else ""


def normal(cond: str) -> str:
    """A test without spaces and outer parentheses, for comparing two tests."""
    out = "".join(cond.split())
    while out.startswith("(") and out.endswith(")") and balanced(out[1:-1]):
        out = out[1:-1]
    return out


def balanced(text: str) -> bool:
    depth = 0
    for c in text:
        depth += (c == "(") - (c == ")")
        if depth < 0:
            return False
    return depth == 0


def disjuncts(cond: str) -> list[str] | None:
    """The parts of `a || b || c` at the top level (None when the parentheses do not allow
    a plain split)."""
    parts = OR.split(normal(cond))
    return [normal(p) for p in parts] if all(balanced(p) for p in parts) else None


@dataclass(slots=True)
class Chain:
    dispatch: bool  # some branch tests an Arm constant
    conds: list[str]  # each branch's test so far ("" for #else)
    start: int  # the first line of the current branch
    why: str  # why the current branch is x86-only ("" if it is not)


def x86_branches(dirs: list[preproc.Directive], m: preproc.Macros) -> list[tuple[int, int, str]]:
    """(first line, last line, reason) of each branch only an x86 build takes."""
    wanted = {c[0].offset for c in preproc.conditional_chains(dirs) if dispatching(c, m)}
    if not wanted:
        return []
    out: list[tuple[int, int, str]] = []
    stack: list[Chain] = []
    for d in dirs:
        if d.name in ("if", "ifdef", "ifndef"):
            stack.append(Chain(d.offset in wanted, [preproc.condition_of(d)], d.line + 1, ""))
        elif d.name in ("elif", "elifdef", "elifndef", "else") and stack:
            ch = stack[-1]
            if ch.why:
                out.append((ch.start, d.line - 1, ch.why))
            ch.conds.append(preproc.condition_of(d) if d.name != "else" else "")
            ch.start = d.line + 1
        elif d.name == "endif" and stack:
            ch = stack.pop()
            if ch.why:
                out.append((ch.start, d.line - 1, ch.why))
            continue
        else:
            continue
        ch = stack[-1]
        ch.why = reason(ch, stack[:-1], d.line, m) if ch.dispatch else ""
    return out


def dispatching(chain: list[preproc.Directive], m: preproc.Macros) -> bool:
    """Does some branch of the chain test an Arm constant (a dispatch with an Arm path)?"""
    return any(
        arch_of(preproc.condition_of(d), m) == "arm"
        for d in chain
        if d.name not in ("else", "endif")
    )


def reason(ch: Chain, outer: list[Chain], line: int, m: preproc.Macros) -> str:
    """Why the branch of a dispatch chain opened at `line` is x86-only, or ''."""
    cond = ch.conds[-1]
    if cond and arch_of(cond, m) == "x86":
        return f"in the x86 branch of a per-architecture #if chain (line {line}: `{cond[:60]}`)"
    if not outer or not outer[-1].conds[-1]:
        return ""
    test = outer[-1].conds[-1]
    parts = disjuncts(test)
    if not parts:
        return ""
    earlier = {normal(c) for c in ch.conds[:-1] if c}
    x86 = [p for p in parts if arch_of(p, m) == "x86"]
    if x86 and all(p in earlier or arch_of(p, m) == "x86" for p in parts):
        return (
            f"reached only through the x86 half of `{test[:60]}`: its other half is an "
            f"earlier branch's test (line {line})"
        )
    return ""
