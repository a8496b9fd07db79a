# SPDX-License-Identifier: Apache-2.0
"""The x86 intrinsic catalogue and what to use on Arm64 instead of each name."""

from __future__ import annotations

import functools

from porting_advisor.core import ruleset

# x87-only: glibc's _FPU_GETCW/_FPU_SETCW exist on Arm64 too (for FPCR); precision control
# (_FPU_EXTENDED/_FPU_DOUBLE, _PC_64) and __float80 do not.
X87 = frozenset(
    {
        "__float80",
        "_FPU_EXTENDED",
        "_FPU_DOUBLE",
        "_FPU_SINGLE",
        "_control87",
        "__control87_2",
        "_PC_64",
        "_PC_53",
        "_PC_24",
        "_MCW_PC",
    }
)


@functools.cache
def catalogue() -> dict[str, str]:
    """Intrinsic name -> ISA family label (about 6,800 names, generated from GCC headers)."""
    data = ruleset.load_json("x86-intrinsics.json")
    families = data["families"]
    return {name: families[i] for name, i in data["names"].items()}


@functools.cache
def names_set() -> frozenset[str]:
    """Every name the C scanner looks at: the catalogue plus the x87 names it reports."""
    return frozenset(catalogue()) | X87


@functools.cache
def advice_table() -> tuple[dict[str, str], dict[str, list[str]], dict[str, str], dict[str, str]]:
    table = ruleset.load_table("intrinsic-map.yaml")
    neon = ruleset.load_json("x86-intrinsics.json")["neon"]
    defaults = {k: str(v) for k, v in table.items() if k.startswith("default") or k == "simde"}
    return dict(table["curated"]), neon, dict(table["families"]), defaults


@functools.cache  # (bounded by the catalogue; SIMD-dense files ask for the same names again)
def advice(name: str, family: str) -> str:
    """The replacement for one intrinsic: curated, then SIMDe-derived NEON, then the family."""
    curated, neon, families, defaults = advice_table()
    if name in curated:
        return curated[name]
    if name in neon:
        names = " + ".join(f"`{n}`" for n in neon[name])
        return defaults["simde"].format(neon=names, name=name)
    if family in families:
        return families[family]
    if family.startswith("AVX-512"):
        return defaults["default_avx512"]
    if family.startswith("AMX"):
        return defaults["default_amx"]
    return defaults["default"]
