#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generate rules/generated/target-profiles.json: the predefined macros of each Arm64 target.

Linux profiles are read from Debian's cross compiler (package gcc-aarch64-linux-gnu, GCC 12):
`aarch64-linux-gnu-gcc <flags> -dM -E -x c /dev/null`. GCC 12 does not know neoverse-v2/v3,
so graviton4 and axion (both Neoverse V2) are built from -march=armv9-a+i8mm+bf16; graviton5
(armv9.2-a, unknown to GCC 12) uses the same flags (levels from
shared/data/graviton-targets.tsv). GCC 12 knows neoverse-n2 (cobalt100), neoverse-n1
(ampere-altra) and ampere1 (ampereone). The ISA facts beside the macros come from
rules/targets.yaml. The Windows profile is
MSVC for ARM64 as documented by Microsoft (predefined macros page), written by hand below.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CC = "aarch64-linux-gnu-gcc"
ROOT = Path(__file__).resolve().parent.parent
TARGETS = {
    "graviton2": ["-mcpu=neoverse-n1"],
    "graviton3": ["-mcpu=neoverse-v1"],
    "graviton4": ["-march=armv9-a+i8mm+bf16"],
    "graviton5": ["-march=armv9-a+i8mm+bf16"],
    "axion": ["-march=armv9-a+i8mm+bf16"],
    "cobalt100": ["-mcpu=neoverse-n2"],
    "ampere-altra": ["-mcpu=neoverse-n1"],
    "ampereone": ["-mcpu=ampere1"],
}
NOTES = {
    "graviton4": "GCC 12 lacks -mcpu=neoverse-v2: built from -march=armv9-a+i8mm+bf16",
    "graviton5": (
        "GCC 12 lacks -mcpu=neoverse-v3 and armv9.2-a: built from "
        "-march=armv9-a+i8mm+bf16; "
        "the 9.2 additions predefine no macro that changes a porting decision"
    ),
    "axion": "GCC 12 lacks -mcpu=neoverse-v2: built from -march=armv9-a+i8mm+bf16",
}
FACTS = ("cloud", "core", "arch", "sve", "vector_bits", "lse", "crypto", "mcpu", "source")


def features(name: str) -> dict[str, object]:
    """The ISA facts of a target from rules/targets.yaml."""
    import yaml

    table = yaml.safe_load((ROOT / "rules" / "targets.yaml").read_text(encoding="utf-8"))
    return {k: table[name][k] for k in FACTS}


# MSVC targeting ARM64 (no GCC macros); version 19.30 = Visual Studio 2022.
MSVC_ARM64 = {
    "_WIN32": "1",
    "_WIN64": "1",
    "_M_ARM64": "1",
    "_MSC_VER": "1930",
    "_MSC_FULL_VER": "193030705",
    "_MSC_EXTENSIONS": "1",
    "_INTEGRAL_MAX_BITS": "64",
    "__STDC_HOSTED__": "1",
    "_MT": "1",
}


def macros(flags: list[str]) -> dict[str, str]:
    return macros_of(CC, flags)


def macros_of(cc: str, flags: list[str]) -> dict[str, str]:
    out = subprocess.run(
        [cc, *flags, "-dM", "-E", "-x", "c", "/dev/null"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    table = {}
    for line in out.splitlines():
        parts = line.split(None, 2)
        if len(parts) >= 2 and parts[0] == "#define" and "(" not in parts[1]:
            table[parts[1]] = parts[2] if len(parts) > 2 else ""
    return table


def main() -> None:
    version = subprocess.run(
        [CC, "-dumpfullversion"], capture_output=True, text=True, check=True
    ).stdout.strip()
    profiles = {
        name: {
            "flags": " ".join(flags),
            "note": NOTES.get(name, ""),
            "macros": macros(flags),
            "features": features(name),
        }
        for name, flags in TARGETS.items()
    }
    # The x86-64 reference: an #error that x86-64 reaches too is not an Arm64 problem.
    native = subprocess.run(["gcc", "-dumpmachine"], capture_output=True, text=True).stdout
    if not native.startswith("x86_64"):
        sys.exit("run on an x86-64 host: the x86-64 reference profile comes from its gcc")
    x86 = macros_of("gcc", [])
    out = ROOT / "rules" / "generated" / "target-profiles.json"
    out.write_text(
        json.dumps(
            {
                "compiler": f"{CC} {version}",
                "linux": profiles,
                "windows": {"macros": MSVC_ARM64},
                "x86_64_reference": {"macros": x86},
            },
            indent=1,
            sort_keys=True,
        )
        + "\n"
    )
    print(f"wrote {out} ({', '.join(profiles)})", file=sys.stderr)


if __name__ == "__main__":
    main()
