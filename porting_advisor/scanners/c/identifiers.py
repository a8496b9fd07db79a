# SPDX-License-Identifier: Apache-2.0
"""Identifiers: x86 intrinsics and builtins, inline assembly, CPU detection, SVE."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator

from porting_advisor.core import lazy_re
from porting_advisor.core.facts import CShim
from porting_advisor.scanners.c import inline_asm as asminline
from porting_advisor.scanners.c import intrinsics, macro_uses, preproc
from porting_advisor.scanners.c.cfile import CFile
from porting_advisor.scanners.c.preproc import ACTIVE, INACTIVE

# Literal first so that the regex engine can skip ahead (about 20x faster than a look-behind
# first); the look-behind then rejects a '_' in the middle of an identifier.
IDENT = lazy_re.compile(r"_(?<![\w$]_)\w+")
ASM = lazy_re.compile(r"asm(?<![\w$]asm)\b")
BUILTIN = lazy_re.compile(r"__builtin_\w+")
SVE_IDENT = lazy_re.compile(r"s(?<![\w$]s)v[a-z0-9]\w*")
ASM_WORDS = frozenset({"asm", "__asm__", "__asm", "_asm"})
CPU_DETECTION = frozenset(
    {
        "__builtin_cpu_supports",
        "__builtin_cpu_is",
        "__builtin_cpu_init",
        "_xgetbv",
        "__get_cpuid",
        "__get_cpuid_count",
        "__get_cpuid_max",
        "__cpuid",
        "__cpuid_count",
        "__cpuidex",
    }
)
X87 = intrinsics.X87
SVE_CALL = lazy_re.compile(r"^sv[a-z0-9]+(?:_[a-z0-9]+)*$")


def dropped_argument(cf: CFile, start: int, end: int) -> bool:
    """Is the name at start..end a bare argument of a function-like macro of this file whose
    definition for the target does not use that parameter? CRoaring passes both kernels,
    `CROARING_BITSET_CONTAINER_FN(or, |, _mm256_or_si256, vorrq_u64)`, to a macro defined
    once for x86-64 and once for NEON: on Arm64 the AVX2 name goes nowhere."""
    text = cf.text
    if next_char(text, end) not in ",)":
        return False
    depth, index, at = 0, 0, start - 1
    while at >= 0 and start - at < 2000:
        c = text[at]
        if c in ")]":
            depth += 1
        elif c in "([":
            if depth == 0:
                break
            depth -= 1
        elif c == "," and depth == 0:
            index += 1
        elif c in ";{}":
            return False
        at -= 1
    else:
        return False
    if text[at] != "(":
        return False
    macro = IDENT_BEFORE.search(text, max(0, at - 200), at)
    if macro is None:
        return False
    # a definition that may be the target's and never uses the parameter (a generic or NEON
    # one beside the x86 one) drops the argument
    function_like = macro.group(1) + "()"
    for name, value, status, _ in cf.layout.defines:
        if name != function_like or status == INACTIVE:
            continue
        params, _, body = value.partition("\x1f")
        names = [p.strip() for p in params.split(",")]
        if (
            index < len(names)
            and names[index].isidentifier()
            and re.search(rf"(?<!\w){re.escape(names[index])}(?!\w)", body) is None
        ):
            return True
    return False


IDENT_BEFORE = lazy_re.compile(r"([A-Za-z_]\w*)\s*$")


def expanded_nowhere(cf: CFile, d: preproc.Directive) -> bool:
    """Is the macro this #define makes used in the file, and only in code the target does not
    compile? CRoaring defines its `bts`/`sbb` asm macros for every GCC, and expands them only
    under `__AVX2__` or its x86-64 switch. (A macro the file does not use may be used by
    others: its asm is still reported.)"""
    m = preproc.DEFINE.match(d.arg)
    if m is None:
        return False
    uses = list(macro_uses.code_uses(cf, m.group(1), called=True))
    return bool(uses) and all(cf.layout.at_offset(u).status == INACTIVE for u in uses)


def check_identifiers(cf: CFile) -> None:
    """Intrinsics, builtins, CPU detection, x87 names, SVE calls and inline asm keywords."""
    cat = intrinsics.catalogue()
    src = cf.src
    sve_missing = cf.sve_header and "__ARM_FEATURE_SVE" not in cf.macros[0].defined
    # code not compiled for the target is dropped first (unless --no-filter keeps it): the
    # use test, position, message and finding are not paid for what `emit` would drop
    lay = None if src.options.no_filter else cf.layout
    text = cf.text
    # The names worth a look, found with set operations in C: most identifiers of a file are
    # not, and a Python-level test of each cost more than everything else here.
    wanted = set(IDENT.findall(text))
    wanted.intersection_update(looked_at())
    if "__builtin_" in text:
        wanted.update(BUILTIN.findall(text))
    hits: Iterator[re.Match[str]] = IDENT.finditer(text) if wanted else iter(())
    if "asm" in text:
        hits = itertools.chain(hits, ASM.finditer(text))
        wanted.add("asm")
    if sve_missing:
        hits = itertools.chain(hits, SVE_IDENT.finditer(text))
    for m in hits:
        name = m.group(0)
        if name not in wanted and not sve_missing:
            continue
        start = m.start()
        is_asm = name in ASM_WORDS
        family = cat.get(name)
        if not (
            is_asm
            or family
            or name.startswith("__builtin_")
            or name in X87
            or (sve_missing and name.startswith("sv"))
        ):
            continue
        if lay is not None and lay.at_offset(start).status == INACTIVE:
            continue
        if preproc.inside(cf.spans, start) >= 0:
            continue
        if pasted(text, start, m.end()):
            continue  # `type##_serialize`: part of a name made by token pasting
        d = cf.directive_at(start)
        if d is not None and d.name == "define" and defines_name(cf, d, start):
            if family:
                note_shim(cf, name, start)  # `#define _mm_lddqu_si128 ...`
            continue
        if d is not None and d.name != "define":
            continue
        if is_asm:
            if d is None or not expanded_nowhere(cf, d):
                check_asm(cf, name, start)
            continue
        if name in CPU_DETECTION or family == "CPUID":
            if cf.is_use(start, m.end()) and not other_cpu_query(text, m.end()):
                cf.emit("c-x86-cpu-detection", start, len(name), name=name, key=name)
        elif family:
            # (in a #define's body the name is used, whatever the parse of the line says: a
            # macro's value is no declaration of the intrinsic)
            in_body = d is not None and d.name == "define"
            if (in_body or cf.is_use(start, m.end())) and not dropped_argument(cf, start, m.end()):
                cf.emit(
                    "c-x86-intrinsic",
                    start,
                    len(name),
                    name=name,
                    family=family,
                    advice=intrinsics.advice(name, family),
                    key=name,
                )
            elif not in_body and next_char(text, m.end()) == "(" and not member(text, start):
                note_shim(cf, name, start)  # `__m128i _mm_loadu_si128(const ...) {`
        elif name.startswith("__builtin_ia32_"):
            cf.emit("c-x86-builtin", start, len(name), name=name, key=name)
        elif name in X87:
            cf.emit("c-long-double-80", start, len(name), name=name)
        elif sve_missing and SVE_CALL.match(name) and next_char(cf.text, m.end()) == "(":
            cf.emit(
                "c-sve-unavailable",
                start,
                len(name),
                name=name,
                feature="SVE",
                target=src.options.target,
                key=name,
            )


CPU_ARG = lazy_re.compile(r"\s*\(\s*\"([^\"\n]*)\"")
# GCC's __builtin_cpu_is/__builtin_cpu_supports exist for POWER and (GCC 14) AArch64 too:
# asked about one of their CPUs or features, the call is not x86 detection.
OTHER_CPU = lazy_re.compile(
    r"(?:power\d+x?|ppc\w*|arch_\d+(?:_\d+)?|altivec|vsx|htm(?:-nosc)?|mma|darn|"
    r"scv|isel|dfp|cell|sve2?|sme\w*|dotprod|i8mm|bf16|fp16|rng|memtag|bti|"
    r"lse|rcpc\w*|flagm|crc|sha[23]|sm4|asimd\w*|neoverse\w*)"
)


def other_cpu_query(text: str, end: int) -> bool:
    """`__builtin_cpu_is("power9")`, `__builtin_cpu_supports("sve2")`: not an x86 query."""
    m = CPU_ARG.match(text, end, end + 200)
    return m is not None and OTHER_CPU.fullmatch(m.group(1).strip()) is not None


def pasted(text: str, start: int, end: int) -> bool:
    """Is the identifier at [start, end) glued to another by `##`?"""
    before = text[max(0, start - 8) : start].rstrip(" \t")
    return before.endswith("##") or text[end : end + 8].lstrip(" \t").startswith("##")


def member(text: str, start: int) -> bool:
    before = text[max(0, start - 8) : start].rstrip(" \t\r\n")
    return before.endswith((".", "->"))


def note_shim(cf: CFile, name: str, start: int) -> None:
    """The file defines an x86 intrinsic's name itself, in code compiled for the target (an
    Arm shim such as abseil's non_temporal_arm_intrinsics.h or sse2neon.h): its uses in the
    tree are the project's own function, settled by the C guards pass."""
    if cf.layout.at_offset(start).status == ACTIVE:
        cf.src.facts.append(CShim(name))


@functools.cache
def looked_at() -> frozenset[str]:
    """Identifiers `check_identifiers` acts on, besides `__builtin_*` and SVE names."""
    return intrinsics.names_set() | X87 | ASM_WORDS | CPU_DETECTION


def next_char(text: str, pos: int) -> str:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return text[pos] if pos < len(text) else ""


def defines_name(cf: CFile, d: preproc.Directive, offset: int) -> bool:
    """Is `offset` the macro name of `#define NAME`, not a use in its body?"""
    m = re.match(r"[ \t]*#[ \t]*define[ \t]+", cf.text[d.offset :])
    return m is not None and d.offset + m.end() == offset


def check_asm(cf: CFile, keyword: str, start: int) -> None:
    pos = start + len(keyword)
    parsed = asminline.extract(cf.text, pos, keyword)
    if parsed is None:
        return
    kind, template = parsed
    if kind == "msvc":
        what = asminline.describe(template)
        cf.emit("c-msvc-inline-asm", start, len(keyword), what=f" ({what})" if what else "")
        return
    arch = asminline.classify(template)
    if arch != "x86":
        # (an instruction text that says nothing may still ask for x86 flags)
        flags = asminline.x86_flag_outputs(cf.text, cf.text.find("(", pos))
        if arch == "arm" or not flags:
            return
        what = f"x86 flag output `{flags[0]}`, which AArch64 compilers reject"
        cf.emit("c-x86-inline-asm", start, len(keyword), what=f" ({what})", case="other")
        return
    what, case = asminline.explain(template)
    cf.emit(
        "c-x86-inline-asm",
        start,
        len(keyword),
        what=f" ({what})" if what else "",
        case=case,
        key=f"asm: {what}" if what else "",
    )
