# SPDX-License-Identifier: Apache-2.0
"""#error, #pragma and architecture #if chains."""

from __future__ import annotations

import posixpath
import re

from porting_advisor.core import lazy_re, ruleset
from porting_advisor.scanners.c import ppexpr, preproc
from porting_advisor.scanners.c.attributes import X86_ISA, target_strings
from porting_advisor.scanners.c.cfile import INACTIVE_REASON, CFile, state_filter
from porting_advisor.scanners.c.preproc import ACTIVE, GUARDED, INACTIVE
from porting_advisor.scanners.c.records import INCLUDE

INTEL_PRAGMAS = frozenset(
    {
        "simd",
        "vector",
        "novector",
        "intel",
        "ivdep",
        "loop_count",
        "unroll_and_jam",
        "nofusion",
        "distribute_point",
        "prefetch",
        "noprefetch",
        "forceinline",
        "inline",
        "noinline",
        "parallel",
        "optimization_level",
        "optimize_for",
    }
)
OLD_CRT = lazy_re.compile(
    r"comment\s*\(\s*lib\s*,\s*\"((?:msvcr\d+|msvcp(?:60|70|71|80|90|100|110|"
    r"120))d?)(?:\.lib)?\"",
    re.I,
)


def check_directives(cf: CFile) -> None:
    src = cf.src
    lay = cf.layout
    target = src.options.target
    errors = [d for d in lay.directives if d.name == "error"]
    # A file that stops at an #error on x86-64 as well is an architecture probe, built to fail
    # and name what it found (zlib-ng's detect-arch.c: `#error archfound x86_64`, `...
    # aarch64`): that it fails on Arm64 too is its purpose.
    probe = len(errors) > 1 and any(cf.x86_layout().at(d.line).status == ACTIVE for d in errors)
    for i, d in enumerate(lay.directives):
        match d.name:
            case "error":
                st = lay.at(d.line)
                if (st.status == INACTIVE and not src.options.no_filter) or probe:
                    continue
                x86 = cf.x86_layout().at(d.line)
                if (
                    st.status != INACTIVE
                    and x86.status == ACTIVE
                    and not X86_FEATURE.search(" ".join(enclosing(lay.directives, i)))
                ):
                    # x86-64 reaches it too: not something the port introduces. (Unless an
                    # x86 feature macro decides it, `#if !defined(__SSE4_1__)`: the x86 build
                    # passes -msse4.1 and never sees it; an Arm64 build always does.)
                    continue
                text = d.arg.strip().strip('"')[:120]
                report, filtered, guard = state_filter(src, st)
                src.add(
                    "c-reached-error",
                    d.line,
                    column_of(cf, d),
                    length=0,
                    filtered=filtered,
                    filtered_reason=INACTIVE_REASON,
                    guard=guard,
                    text=text,
                    target=target,
                    x86_guard=x86.guard if x86.status == GUARDED else None,
                )
            case "include":
                m = INCLUDE.match(d.arg)
                if not m:
                    continue
                header = m.group(1)
                base = posixpath.basename(header) if header != "intrin.h" else header
                if header == "arm_sve.h":
                    cf.sve_header = True
                    if "__ARM_FEATURE_SVE" not in cf.macros[0].defined:
                        emit_at(
                            cf,
                            d,
                            "c-sve-unavailable",
                            name="<arm_sve.h>",
                            feature="SVE",
                            target=target,
                        )
                elif header == "cpuid.h":
                    emit_at(cf, d, "c-x86-cpu-detection", name="<cpuid.h>")
                elif base in ppexpr.X86_HEADERS and (
                    base != "intrin.h" or (header == "intrin.h" and cf.target_os != "windows")
                ):
                    # (MSVC's <intrin.h> is x86-only off Windows; `<../simd/intrin.h>` is a
                    # project's own header)
                    emit_at(cf, d, "c-x86-header", header=header)
            case "pragma":
                check_pragma(cf, d)
    check_chains(cf)


# x86 feature macros a compiler defines for -m flags (`__SSE4_1__`, `__AVX2__`, `__PCLMUL__`)
X86_FEATURE = lazy_re.compile(
    r"\b__(?:SSE\w*|SSSE3|AVX\w*|PCLMUL|AES|BMI2?|POPCNT|FMA|F16C|LZCNT|SHA|VPCLMULQDQ)__\b"
)


def enclosing(dirs: list[preproc.Directive], index: int) -> list[str]:
    """The conditions of the #if chains (every branch up to the current one) that enclose
    the directive at `index`."""
    stack: list[list[str]] = []
    for d in dirs[:index]:
        if d.name in ("if", "ifdef", "ifndef"):
            stack.append([f"{d.name} {d.arg}"])
        elif d.name in ("elif", "elifdef", "elifndef", "else") and stack:
            stack[-1].append(f"{d.name} {d.arg}")
        elif d.name == "endif" and stack:
            stack.pop()
    return [cond for chain in stack for cond in chain]


def column_of(cf: CFile, d: preproc.Directive) -> int:
    return cf.text.index("#", d.offset) - d.offset + 1


def emit_at(cf: CFile, d: preproc.Directive, rule: str, **params: str) -> None:
    cf.emit(rule, cf.text.index("#", d.offset), 0, **params)


def check_pragma(cf: CFile, d: preproc.Directive) -> None:
    words = d.arg.split()
    if not words:
        return
    first = words[0]
    text = " ".join(words)[:120]
    if (
        first in ("GCC", "clang")
        and len(words) > 1
        and (words[1].startswith("target") or words[1] == "attribute")
    ):
        isas = [s for s in target_strings(d.arg) if X86_ISA.match(s.strip())]
        if isas:
            emit_at(cf, d, "c-x86-target-pragma", text=text, isa=", ".join(isas))
    elif first in INTEL_PRAGMAS or first.split("(")[0] in INTEL_PRAGMAS:
        if first == "inline" or first == "parallel":
            return  # also spelled by other compilers; too ambiguous to call Intel-only
        emit_at(cf, d, "c-intel-pragma", text=text)
    elif first.startswith("comment"):
        m = OLD_CRT.search(d.arg)
        if m:
            emit_at(cf, d, "c-old-crt", lib=m.group(1))
    elif first == "intrinsic" or first.startswith("intrinsic("):
        pass  # MSVC: names intrinsics; the uses are reported where they are called


def check_chains(cf: CFile) -> None:
    """compiler-specific guards and x86-only chains (both default-off categories)."""
    cats = cf.src.options.categories
    want_cc = "compiler-specific" in cats
    want_missing = "missing-arm64-path" in cats
    if not (want_cc or want_missing):
        return
    m0 = cf.macros[0]
    compilers = frozenset(ruleset.load_table("macros.yaml")["compiler"]) | {
        "__GNUC__",
        "__GNUC_MINOR__",
        "__GNUC_PATCHLEVEL__",
    }
    for chain in preproc.conditional_chains(cf.layout.directives):
        conds = [(d, preproc.condition_of(d)) for d in chain if d.name not in ("else", "endif")]
        for d, cond in conds:
            names = [n for n in preproc.names_in(cond) if n != "defined"]
            if want_cc and names and all(n in compilers for n in names):
                emit_at(cf, d, "c-compiler-guard", names=", ".join(dict.fromkeys(names)))
        if not want_missing:
            continue
        kinds = [arch_kind(cond, m0, compilers) for _, cond in conds]
        if "x86" in kinds and "arm" not in kinds:
            d, cond = conds[kinds.index("x86")]
            emit_at(cf, d, "c-missing-arm64-path", cond=cond[:80])


def arch_kind(cond: str, m: preproc.Macros, compilers: frozenset[str]) -> str:
    names = [n for n in preproc.names_in(cond) if n not in compilers]
    if any(
        n.startswith(("__aarch64", "__ARM", "_M_ARM64", "__arm64"))
        or preproc.word_class(n, m) == "arm"
        for n in names
    ):
        return "arm"
    if any(n in m.x86 or preproc.word_class(n, m) == "x86" for n in names):
        return "x86"
    return ""
