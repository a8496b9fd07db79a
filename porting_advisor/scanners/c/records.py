# SPDX-License-Identifier: Apache-2.0
"""Facts a C/C++ file records for the cross-file passes: its #includes and #defines."""

from __future__ import annotations

import posixpath
from collections.abc import Callable

from porting_advisor.core import lazy_re, vocab
from porting_advisor.core.archnames import arch_of_name
from porting_advisor.core.facts import Asked, CFunctions, Defines, Include, MacroWords, Undef
from porting_advisor.core.source import Source
from porting_advisor.scanners.c import preproc
from porting_advisor.scanners.c.preproc import GUARDED, INACTIVE, Layout

INCLUDE = lazy_re.compile(r"^[<\"]([^>\"]+)[>\"]")
# A project's own header: quoted, or in angle brackets with a directory that is not the
# system's (`<rapidfuzz/details/simd_avx2.hpp>`; not `<sys/types.h>`)
PROJECT_INCLUDE = lazy_re.compile(r"#[ \t]*include[ \t]*(?:\"([^\"\n]+)\"|<([\w.+-]+/[^>\n]+)>)")
SYSTEM_DIRS = vocab.get().system_libs.include_dirs  # rules/vocab/system-libs.yaml
# Under a compile database every #include counts: its -I directories make `<name.h>` a
# project header as much as `"name.h"` (the compile-database pass follows them)
ANY_INCLUDE = lazy_re.compile(r"#[ \t]*include[ \t]*(?:\"([^\"\n]+)\"|<([^>\n]+)>)")


def project_headers(text: str, every: bool = False) -> list[str]:
    """The project headers a file #includes, in order, each once (`every`: all headers)."""
    return list(
        dict.fromkeys(
            q or a
            for q, a in (ANY_INCLUDE if every else PROJECT_INCLUDE).findall(text)
            if q or every or a.split("/", 1)[0] not in SYSTEM_DIRS
        )
    )


# a switch-shaped name a file #defines or #undefs, whatever its value and wherever it stands
# (the C guards pass: a switch no file defines is off where the build is read)
DEFINED_NAME = lazy_re.compile(r"#[ \t]*(?:define|undef)[ \t]+([A-Z][A-Z0-9]*_[A-Z0-9_]*)")


def record_defined_names(src: Source) -> None:
    """Every switch-shaped name the file #defines or #undefs (`Defines` keeps only the
    values an #if can test, and only in files with an architecture in sight). A directive
    starts its line: `/* #define X */` and `"... #define X"` define nothing."""
    text = src.text
    if "define" not in text:
        return
    names = {
        m.group(1)
        for m in DEFINED_NAME.finditer(text)
        if not text[text.rfind("\n", 0, m.start()) + 1 : m.start()].strip(" \t")
    }
    if names:
        src.facts.append(MacroWords(tuple(sorted(names)), False))


def record_includes(src: Source, layout: Layout, unbuildable: bool = False) -> None:
    """Facts for the include graph: each #include of a project header (quoted, or `<dir/...>`
    outside the system's directories) with its state for the target (files included only
    from code not compiled there are x86-only). Also from assembly files the C
    preprocessor reads (.S): libsodium's sandy2x.S includes its kernels under HAVE_AVX_ASM.
    (A .S file's #defines stay its own: LIBFFI_ASM, defined by each .S before it includes
    ffi.h, would otherwise switch off ffi.h's C declarations for every C file.)"""
    dispatched = x86_dispatch_includes(layout.directives)
    every = src.options.compile_db is not None
    for d in layout.directives:
        if (
            d.name == "include"
            and (m := INCLUDE.match(d.arg)) is not None
            and (
                d.arg.startswith('"')
                or every
                or ("/" in m.group(1) and m.group(1).split("/", 1)[0] not in SYSTEM_DIRS)
            )
        ):
            inc = preproc.State(INACTIVE) if unbuildable else layout.at(d.line)
            if inc.status == GUARDED and d.line in dispatched:
                inc = preproc.State(INACTIVE)
            src.facts.append(Include(m.group(1), inc.status, inc.guard))


def x86_dispatch_includes(dirs: list[preproc.Directive]) -> frozenset[int]:
    """Lines of #includes of x86-named headers in an #if/#elif chain where another branch
    includes an Arm-named header (highway.h: `#if HWY_TARGET == HWY_SSSE3` / `#include
    "x86_128-inl.h"` ... `#elif HWY_TARGET == HWY_NEON` / `#include "arm_neon-inl.h"`): a
    per-architecture dispatch whose x86 branch the target does not take, however undecided
    its condition (a target macro computed from bit tricks the evaluator cannot follow)."""
    if not any(d.name == "include" for d in dirs):
        return frozenset()
    out: set[int] = set()
    # per open chain: its branches, each a list of (line, arch of the included header)
    stack: list[list[list[tuple[int, str]]]] = []
    for d in dirs:
        if d.name in ("if", "ifdef", "ifndef"):
            stack.append([[]])
        elif d.name in ("elif", "elifdef", "elifndef", "else") and stack:
            stack[-1].append([])
        elif d.name == "endif" and stack:
            branches = stack.pop()
            arches = [{arch for _, arch in b} for b in branches]
            for i, b in enumerate(branches):
                if any("arm" in a for j, a in enumerate(arches) if j != i):
                    out.update(line for line, arch in b if arch == "x86")
        elif d.name == "include" and stack and (m := INCLUDE.match(d.arg)) is not None:
            stack[-1][-1].append((d.line, arch_of_name(posixpath.basename(m.group(1)))))
    return frozenset(out)


def record_facts(src: Source, layout: Layout, unbuildable: bool = False) -> None:
    """Facts for the cross-file pass: conditional #include "..." (`record_includes`) and
    #define/#undef (derived macros). In a file the target cannot build, every #define and
    #include counts as not compiled."""
    record_includes(src, layout, unbuildable)
    # An #undef makes a macro's state depend on include order, unless the file defines the
    # macro itself: a header's own helper (brotli's SUPPORTS_SSE_2, defined under an x86 test
    # and #undef'd at the end) or a fallback that replaces the value (xxhash's XXH_VECTOR)
    own = {name.removesuffix("()") for name, _, _, _ in layout.defines}
    for name in layout.undefs:
        if name not in own:
            src.facts.append(Undef(name))
    for names in asked_for(layout.directives):
        src.facts.append(Asked(tuple(names)))
    defines = []
    for name, value, status, path in layout.defines:
        if (
            len(value) > 400
            or any(c in value for c in "{;")
            or ('"' in value and not name.endswith("()"))
        ):
            continue  # not something an #if can test
        if "\t" in value:  # a continued value indented with tabs, on one line
            value = " ".join(value.split())
        if unbuildable:
            path = ("0", *path)  # a definition in code the target never compiles
        defines.append((name, value, status, path))
    if defines:
        src.facts.append(Defines(tuple(defines)))


ERROR_MACRO = lazy_re.compile(r"\b[A-Z_][A-Z0-9_]{2,}\b")


def asked_for(dirs: list[preproc.Directive]) -> list[list[str]]:
    """For each #error that asks for a definition (`#error "define CONFIG_64 or CONFIG_32"`),
    the macros it names that the file tests."""
    asked = [
        names
        for d in dirs
        if d.name == "error" and "defin" in d.arg.lower() and (names := ERROR_MACRO.findall(d.arg))
    ]
    if not asked:
        return []
    tested = {
        name
        for d in dirs
        if d.name in ("if", "ifdef", "ifndef", "elif")
        for name in preproc.names_in(d.arg)
    }
    return [found for names in asked if (found := sorted(set(names) & tested))]


# A function's name at the start of a line, after its return type (`static uint32_t
# crc_fold(`): a definition when its parameter list is followed by `{`, a prototype when by
# `;`. Code inside functions is indented, and a return type on its own line is missed.
# (after a newline: a pattern that starts with a literal is found at memchr speed; `^` with
# re.M is tried at every offset)
FUNCTION_HEAD = lazy_re.compile(r"\n(?:[A-Za-z_]\w*[ \t*]+)+?([A-Za-z_]\w*)[ \t]*\(")
# the rest of the parameter list (one level of nested parentheses) and what follows it
PARAMETERS = lazy_re.compile(r"[^(){};]*(?:\([^(){};]*\)[^(){};]*)*\)\s*([{;])")
NOT_A_TYPE = frozenset(
    {"return", "else", "case", "goto", "do", "throw", "delete", "new", "typedef", "define"}
)


def record_functions(
    src: Source, layout: Callable[[], Layout] | None, wanted: frozenset[str] | None = None
) -> None:
    """A `CFunctions` fact: the functions the file defines and declares at file scope, in
    code compiled for the target (`layout` makes the file's layout, asked for at the first
    function that needs it; without one, none of the file is conditional on an
    architecture), of the `wanted` names only when given."""
    text = "\n" + src.text  # (offsets below are one more than in the file)
    defined: set[str] = set()
    declared: set[str] = set()
    made: Layout | None = None
    for m in FUNCTION_HEAD.finditer(text):
        if wanted is not None and m.group(1) not in wanted:
            continue
        first = m.group(0).split(None, 1)[0]
        if first in NOT_A_TYPE or first == "static":
            continue  # (a static function is no symbol the linker could give assembly)
        rest = PARAMETERS.match(text, m.end())
        if rest is None:
            continue
        if layout is not None:
            made = made or layout()
            if made.at_offset(m.start()).status == INACTIVE:
                continue
        (defined if rest.group(1) == "{" else declared).add(m.group(1))
    if defined or declared:
        src.facts.append(
            CFunctions(tuple(sorted(defined)[:5000]), tuple(sorted(declared - defined)[:5000]))
        )
