# SPDX-License-Identifier: Apache-2.0
"""C and C++ memory ordering (issue 23): fences that are compiler-only on Arm64, and flags
that publish data to a spinning reader without atomics or fences (plain or relaxed).

x86 is TSO: stores leave in order and loads are not reordered with loads, so code that only
stops the compiler from reordering works there. Arm64 reorders both. The barrier check reads
#define bodies and inline functions with the preprocessor's layout (what the target compiles);
the publish check reads one file's functions with tree-sitter. docs/how-it-works/memory-ordering.md
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from porting_advisor.core import lazy_re, vocab
from porting_advisor.core.source import Source
from porting_advisor.scanners.c import local_waits, preproc, publish, units
from porting_advisor.scanners.c.cfile import LazyTree
from porting_advisor.scanners.c.preproc import GUARDED, INACTIVE, Layout, State

BARRIERS = vocab.get().barriers  # rules/vocab/memory-barriers.yaml
# Every fence name ends with one of these: each ending is a literal pattern, found at memchr
# speed (their alternation is tried at every `a` and `m` of the text), and each hit is then
# widened to its word.
FENCE_ENDINGS = ("mb", "MB", "arrier", "ARRIER")
FENCE_ENDS = (
    tuple(re.compile(re.escape(e) + r"\b") for e in FENCE_ENDINGS)
    if all(n.endswith(FENCE_ENDINGS) for n in BARRIERS.fences)
    else (re.compile("(?:" + "|".join(sorted(map(re.escape, BARRIERS.fences))) + r")\b"),)
)


def fence_names(text: str) -> Iterator[tuple[int, str]]:
    """(offset, name) of each fence name in `text` as a whole word, in order."""
    for stop in sorted(m.end() for end in FENCE_ENDS for m in end.finditer(text)):
        start = word_start(text, stop)
        if text[start:stop] in BARRIERS.fences:
            yield start, text[start:stop]


def has_fence(text: str) -> bool:
    """Does `text` name a fence as a whole word? (`fence_names` without sorting them all:
    most files have a word ending in `mb` or `MB`, few a fence)"""
    return any(
        text[word_start(text, m.end()) : m.end()] in BARRIERS.fences
        for end in FENCE_ENDS
        for m in end.finditer(text)
    )


def word_start(text: str, stop: int) -> int:
    """Where the word that ends at `stop` starts."""
    start = stop - 1
    while start and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    return start


# `asm volatile("" ::: "memory")` in its spellings: an empty template orders only the compiler
EMPTY_ASM = lazy_re.compile(
    r"\b_*asm_*\s*(?:_*volatile_*\s*)?\(\s*\"\"[\s:]*(?:\"memory\"[\s:]*)?\)"
)
COMPILER_ONLY_CALL = lazy_re.compile(
    r"(?:\bstd\s*::\s*)?\b("
    + "|".join(re.escape(n) for n in sorted(BARRIERS.compiler_only))
    + r")\s*\((?:[^()]|\([^()]*\))*\)"
)
# what wraps a statement macro's body and means nothing: do { } while (0), (void)0, braces
WRAPPING = lazy_re.compile(r"\bdo\b|\bwhile\s*\(\s*0\s*\)|\(\s*void\s*\)\s*0|[{}();\s]")
CALL_ONLY = lazy_re.compile(r"^\s*\(*\s*([A-Za-z_]\w*)\s*(?:\(\s*\))?\s*\)*\s*;?\s*$")
COMMENT = lazy_re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
INLINE_FN = lazy_re.compile(r"\(\s*(?:void)?\s*\)\s*\{")
# A single-CPU or single-threaded build, where a compiler barrier is the right fence (the
# Linux kernel's `#ifndef CONFIG_SMP`, a project's `!defined(HAVE_THREADS)`).
SINGLE_CPU = lazy_re.compile(r"^!\s*\(?.*(?:SMP|THREAD)|UNIPROCESSOR|NO_?THREADS?\b|SINGLE_?THREAD")


def check(src: Source, layout: Layout | None, tree: LazyTree) -> None:
    """Report compiler-only fences and unordered publishing in one C/C++ file."""
    if "memory-ordering" not in src.options.categories:
        return
    text = src.text
    # (most files have neither: the layout and the parse are paid for only when one is there)
    fences = has_fence(text)
    spins = list(publish.candidate_loops(text))
    if not fences and not spins:
        return
    if layout is None:
        layout = file_layout(src)
    local = frozenset(check_barriers(src, layout, fences))
    if spins and not (
        tree.tree is None
        and local_waits.only_local(text, spins, tree.cpp, layout.directives, local)
    ):
        publish.check(src, tree, layout, local)


def file_layout(src: Source) -> Layout:
    mode = "c" if src.file.endswith(".c") else "header" if src.file.endswith(".h") else "cpp"
    return preproc.layout(src.text, units.file_macros(src.options, src.file, mode))


def check_barriers(src: Source, layout: Layout, fences: bool) -> set[str]:
    """Report fence macros and inline functions whose compiled definition is compiler-only
    (when the file names a fence). Returns the names this file defines as compiler-only
    barriers (any name: `barrier`), which order nothing on Arm64 when the publish check
    meets them."""
    defs: dict[str, list[tuple[State, str]]] = {}
    sites: list[tuple[str, int, State, str]] = []  # name, line, state, body
    for d in layout.directives:
        if d.name != "define":
            continue
        m = preproc.DEFINE.match(d.arg)
        if not m:
            continue
        name, body = m.group(1), m.group(3)
        if m.group(2):
            params, _, body = body.partition(")")
            if params.strip():
                continue  # a barrier takes no argument
        elif len(name) <= 3:
            continue  # `mb` as an object-like macro is a unit (megabytes), not a fence
        st = layout.at(d.line)
        defs.setdefault(name, []).append((st, body))
        if fences and name in BARRIERS.fences:
            sites.append((name, d.line, st, body))
    text = src.text
    if fences:
        spans = preproc.comment_spans(text)
        for at, name in fence_names(text):
            fn = INLINE_FN.match(text, at + len(name))
            bol = text.rfind("\n", 0, at) + 1
            if (
                fn is None
                or preproc.inside(spans, at) >= 0
                or not declared_here(text, at)
                or text[bol:at].lstrip().startswith("#")  # a #define, seen above
            ):
                continue
            end = closing_brace(text, fn.end() - 1)
            line = src.position(at)[0]
            sites.append((name, line, layout.at(line), text[fn.end() : end]))
    compiler_only = {n for n in defs if describe(n, defs, 0) == "a compiler barrier"}
    for name, line, st, body in sites:
        what = body_kind(body, defs, 0)
        if what is None or skipped(st, what):
            continue
        report, filtered = st.status != INACTIVE or src.options.no_filter, st.status == INACTIVE
        if report:
            col = src.line_text(line).find(name) + 1
            src.add(
                "c-compiler-only-barrier",
                line,
                col,
                length=len(name),
                filtered=filtered,
                guard=st.guard if st.status == GUARDED else (),
                case=BARRIERS.fences[name],
                name=name,
                kind=BARRIERS.fences[name],
                body=what,
            )
    return compiler_only


def declared_here(text: str, at: int) -> bool:
    """Is the name at `at` the name of a function being defined (a type word before it)?"""
    j = at - 1
    while j >= 0 and text[j] in " \t\r\n*":
        j -= 1
    return j >= 0 and (text[j].isalnum() or text[j] == "_") and text[j - 5 : j + 1] != "return"


def closing_brace(text: str, open_at: int) -> int:
    depth = 0
    for i in range(open_at, min(len(text), open_at + 4000)):
        c = text[i]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
    return open_at + 1


def skipped(st: State, what: str) -> bool:
    """Definitions that are right where they are compiled: single-CPU builds; and an empty
    body under a project switch (a build without threads)."""
    if st.status != GUARDED:
        return False
    if any(SINGLE_CPU.search(g) for g in st.guard):
        return True
    return what == "empty"


def body_kind(body: str, defs: dict[str, list[tuple[State, str]]], depth: int) -> str | None:
    """How a fence body is compiler-only ("empty", "`asm volatile(\"\" ::: \"memory\")`" ...),
    or None when it is anything else (an instruction, a call, an unknown macro)."""
    body = COMMENT.sub(" ", body)
    found = []
    if EMPTY_ASM.search(body):
        found.append('a compiler barrier (`asm volatile("" ::: "memory")`)')
        body = EMPTY_ASM.sub(" ", body)
    found.extend(f"`{m.group(1)}()`, a compiler barrier" for m in COMPILER_ONLY_CALL.finditer(body))
    body = COMPILER_ONLY_CALL.sub(" ", body)
    rest = WRAPPING.sub("", body)
    if not rest:
        return found[0] if found else "empty"
    m = CALL_ONLY.match(body)
    if m and not found and depth < 4:
        inner = describe(m.group(1), defs, depth + 1)
        if inner:
            return f"`{m.group(1)}()`, {inner}"
    return None


def describe(name: str, defs: dict[str, list[tuple[State, str]]], depth: int) -> str | None:
    """Is every definition of `name` this file compiles for the target compiler-only?"""
    live = [body for st, body in defs.get(name, []) if st.status != INACTIVE]
    if not live or depth > 4:
        return None
    kinds = [body_kind(b, defs, depth) for b in live]
    if any(k is None for k in kinds):
        return None
    return "empty" if all(k == "empty" for k in kinds) else "a compiler barrier"
