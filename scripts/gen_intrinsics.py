#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generate rules/generated/x86-intrinsics.json from the compilers' own headers.

Sources (Debian 12 packages; paths can be overridden with the flags below):
  gcc-12                  /usr/lib/gcc/x86_64-linux-gnu/12/include/*intrin.h, cpuid.h, mm_malloc.h
  mingw-w64-common        /usr/share/mingw-w64/include/intrin.h, psdk_inc/intrin-impl.h (MSVC)
  gcc-aarch64-linux-gnu   /usr/lib/gcc-cross/aarch64-linux-gnu/12/include/arm_neon.h, arm_acle.h,
                          arm_sve.h (the Arm names a suggestion may use)
  libsimde-dev            /usr/include/simde/x86/*.h (which NEON intrinsics implement each one)

Only names are extracted (facts); the NEON mapping records which Arm intrinsics SIMDe's NEON
branch calls, and curated entries in rules/intrinsic-map.yaml override it.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

GCC_X86 = Path("/usr/lib/gcc/x86_64-linux-gnu/12/include")
GCC_ARM = Path("/usr/lib/gcc-cross/aarch64-linux-gnu/12/include")
MINGW = Path("/usr/share/mingw-w64/include")
SIMDE = Path("/usr/include/simde/x86")

# Header stem -> ISA family label shown to users.
FAMILY_LABELS = {
    "mmintrin": "MMX",
    "mm3dnow": "3DNow!",
    "xmmintrin": "SSE",
    "emmintrin": "SSE2",
    "pmmintrin": "SSE3",
    "tmmintrin": "SSSE3",
    "smmintrin": "SSE4.1",
    "nmmintrin": "SSE4.2",
    "ammintrin": "SSE4a",
    "popcntintrin": "POPCNT",
    "wmmintrin": "AES/PCLMUL",
    "avxintrin": "AVX",
    "avx2intrin": "AVX2",
    "fmaintrin": "FMA",
    "fma4intrin": "FMA4",
    "f16cintrin": "F16C",
    "bmiintrin": "BMI",
    "bmi2intrin": "BMI2",
    "lzcntintrin": "LZCNT",
    "shaintrin": "SHA",
    "rdseedintrin": "RDSEED",
    "rtmintrin": "TSX/RTM",
    "xtestintrin": "TSX",
    "ia32intrin": "x86 base",
    "cpuid": "CPUID",
    "mm_malloc": "x86 aligned malloc",
    "adxintrin": "ADX",
    "xopintrin": "XOP",
    "tbmintrin": "TBM",
    "lwpintrin": "LWP",
    "gfniintrin": "GFNI",
    "vaesintrin": "VAES",
    "vpclmulqdqintrin": "VPCLMULQDQ",
    "immintrin": "x86 (immintrin.h)",
    "x86gprintrin": "x86 GPR",
    "msvc": "MSVC x86",
}


def family_of(stem: str) -> str:
    if stem in FAMILY_LABELS:
        return FAMILY_LABELS[stem]
    label = stem.removesuffix("intrin")
    if label.startswith("avx512"):
        return "AVX-512 " + label[6:].upper() if label != "avx512" else "AVX-512"
    if label.startswith("amx"):
        return "AMX " + label[3:].upper()
    return label.upper()


DEF_RE = re.compile(r"^(_{1,2}[A-Za-z]\w*)\s*\(", re.M)  # function definitions
MACRO_RE = re.compile(r"^#\s*define\s+(_{1,2}[A-Za-z]\w*)\b", re.M)  # macro intrinsics/aliases
NOT_INTRINSIC = {
    "__attribute__",
    "__inline",
    "__inline__",
    "__extension__",
    "__asm__",
    "__DISABLE_AVX__",
    "__volatile__",
}


def gcc_names(include: Path) -> dict[str, str]:
    names: dict[str, str] = {}
    files = sorted(include.glob("*intrin.h")) + [
        include / "cpuid.h",
        include / "mm_malloc.h",
        include / "mm3dnow.h",
    ]
    for header in files:
        if not header.exists():
            continue
        text = header.read_text(errors="replace")
        fam = family_of(header.stem)
        for rx in (DEF_RE, MACRO_RE):
            for m in rx.finditer(text):
                name = m.group(1)
                # GCC keeps the SSE4.2 string/CRC32 intrinsics in smmintrin.h
                if header.stem == "smmintrin" and re.match(
                    r"_mm_(crc32|cmp[ei]str|cmpgt_epi64)", name
                ):
                    names.setdefault(name, "SSE4.2")
                # Header guards, internal helpers and type/ISA macros are not user-callable.
                if (
                    name in NOT_INTRINSIC
                    or name.endswith(("_H_INCLUDED", "_INCLUDED", "__"))
                    or name.startswith(("__DISABLE", "_X86", "__x86", "__builtin"))
                    or name.isupper()
                ):
                    continue
                names.setdefault(name, fam)
    return names


MSVC_X86_MACROS = (
    "__MACHINEX86X",
    "__MACHINEX86X_NOX64",
    "__MACHINEX86X_NOIA64",
    "__MACHINEX86X_NOWIN64",
    "__MACHINEX64",
    "__MACHINEI",
    "__MACHINEIA32",
)
MSVC_ANY_MACROS = ("__MACHINE", "__MACHINEARMX", "__MACHINECE", "__MACHINECC")
PROTO_NAME = re.compile(r"(_{1,2}[A-Za-z]\w*)\s*\(")


def msvc_names(include: Path) -> dict[str, str]:
    """x86-only MSVC intrinsics: declared only for x86/x64 in intrin.h or intrin-impl.h."""
    x86: set[str] = set()
    portable: set[str] = set()
    intrin = (include / "intrin.h").read_text(errors="replace")
    for m in re.finditer(r"^\s*(__MACHINE\w*)\((.*)\)\s*$", intrin, re.M):
        macro, proto = m.groups()
        found = PROTO_NAME.findall(proto)
        if not found:
            continue
        name = found[-1] if found[-1] not in ("__cdecl", "__MINGW_EXTENSION") else found[0]
        if macro in MSVC_X86_MACROS:
            x86.add(name)
        elif macro in MSVC_ANY_MACROS:
            portable.add(name)
    impl = (include / "psdk_inc" / "intrin-impl.h").read_text(errors="replace")
    stack: list[str] = []
    for line in impl.splitlines():
        s = line.strip()
        if s.startswith(("#if", "#ifdef", "#ifndef")):
            stack.append(s)
        elif s.startswith("#elif"):
            if stack:
                stack[-1] = s
        elif s.startswith("#else") and stack:
            stack[-1] = "#else " + stack[-1]
        elif s.startswith("#endif") and stack:
            stack.pop()
        m = re.match(r"#if __INTRINSIC_PROLOG\((\w+)\)", s)
        if m:
            conds = " ".join(stack[:-1])
            is_x86 = (
                re.search(r"__x86_64__|_AMD64_|__i386__|_X86_", conds)
                and not re.search(r"__arm__|__aarch64__|_ARM", conds)
                and "#else" not in conds
            )
            (x86 if is_x86 else portable).add(m.group(1))
    keep = {
        n
        for n in x86 - portable
        if n.startswith("_") and not n.startswith(("_Interlocked", "_interlocked"))
    }
    return dict.fromkeys(keep, "MSVC x86")


# x86/x64-only MSVC intrinsics that mingw-w64's headers do not declare (names from Microsoft's
# "x64 intrinsics list"; MSVC for ARM64 has _CountOneBits/_CountLeadingZeros instead).
MSVC_X86_EXTRA = (
    "__popcnt16",
    "__popcnt",
    "__popcnt64",
    "__lzcnt16",
    "__lzcnt",
    "__lzcnt64",
    "_mul128",
    "_xgetbv",
)


def arm_names(include: Path) -> set[str]:
    names: set[str] = set()
    for h in ("arm_neon.h", "arm_acle.h", "arm_sve.h", "arm_fp16.h", "arm_bf16.h"):
        p = include / h
        if p.exists():
            text = p.read_text(errors="replace")
            names.update(re.findall(r"^(v\w+|__\w+|sv\w+)\s*\(", text, re.M))
            names.update(re.findall(r"^#define\s+(__crc32\w+|__\w+|v\w+)\(", text, re.M))
    return names


def simde_neon_map(simde: Path, arm: set[str]) -> dict[str, list[str]]:
    """x86 name -> NEON intrinsics SIMDe's first NEON branch calls (at most three)."""
    mapping: dict[str, list[str]] = {}
    func = re.compile(r"^simde_(mm\w*|m_\w+|x_mm\w*)\s*\(", re.M)
    branch = re.compile(
        r"#\s*(?:el)?if[^\n]*SIMDE_ARM_NEON_A(?:32V7|32V8|64V8)_NATIVE[^\n]*\n(.*?)"
        r"\n\s*#\s*(?:elif|else|endif)",
        re.S,
    )
    for header in sorted(simde.glob("*.h")):
        text = header.read_text(errors="replace")
        starts = [(m.start(), m.group(1)) for m in func.finditer(text)]
        for i, (pos, name) in enumerate(starts):
            end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
            body = text[pos:end]
            name = "_" + name
            if name in mapping:
                continue
            b = branch.search(body)
            if not b:
                continue
            calls = [
                c
                for c in dict.fromkeys(re.findall(r"\b(v[a-z0-9_]+)\s*\(", b.group(1)))
                if c in arm
            ]
            if 1 <= len(calls) <= 3:
                mapping[name] = calls
    return mapping


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gcc-x86", type=Path, default=GCC_X86)
    ap.add_argument("--gcc-arm", type=Path, default=GCC_ARM)
    ap.add_argument("--mingw", type=Path, default=MINGW)
    ap.add_argument("--simde", type=Path, default=SIMDE)
    ap.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent.parent / "rules" / "generated"
    )
    args = ap.parse_args()

    names = gcc_names(args.gcc_x86)
    for name, fam in msvc_names(args.mingw).items():
        names.setdefault(name, fam)
    for name in MSVC_X86_EXTRA:
        names.setdefault(name, "MSVC x86")
    arm = arm_names(args.gcc_arm)
    # An Arm intrinsic is never reported as x86 (ACLE shares a few spellings, e.g. __rbit? none
    # today, but keep the guarantee explicit).
    for n in arm & set(names):
        del names[n]
    families = sorted(set(names.values()))
    index = {f: i for i, f in enumerate(families)}
    neon = simde_neon_map(args.simde, arm)
    neon = {k: v for k, v in sorted(neon.items()) if k in names}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "x86-intrinsics.json").write_text(
        json.dumps(
            {
                "source": "GCC 12 x86 headers, mingw-w64 intrin.h (x86-only MSVC names)",
                "families": families,
                "names": {n: index[f] for n, f in sorted(names.items())},
                "neon": neon,
            },
            separators=(",", ":"),
            sort_keys=False,
        )
        + "\n"
    )
    (args.out / "arm-intrinsics.json").write_text(
        json.dumps(
            {"source": "GCC 12 aarch64 arm_neon.h, arm_acle.h, arm_sve.h", "names": sorted(arm)},
            separators=(",", ":"),
        )
        + "\n"
    )
    print(
        f"{len(names)} x86 names in {len(families)} families, {len(neon)} NEON mappings, "
        f"{len(arm)} Arm names"
    )


if __name__ == "__main__":
    main()
