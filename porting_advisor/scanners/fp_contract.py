# SPDX-License-Identifier: Apache-2.0
"""Build settings that stop GCC and Clang fusing a*b+c into one FMA (issue 23), for the
fp-contract pass (passes/fp_contract.py): `-ffp-contract=off` in a build file. (C/C++
sources that set it with `#pragma GCC optimize`: scanners/c/floating.py.)

Only `off` counts. `-ffp-contract=on` still fuses within one expression (Clang's default,
which is what `on` asks of any compiler that implements it), and GCC ignores
`#pragma STDC FP_CONTRACT OFF` (aarch64-linux-gnu-gcc -O2 still emits fmadd under it).
`-ffp-model=strict` is Clang's spelling that includes `off`. docs/how-it-works/memory-ordering.md
"""

from __future__ import annotations

from porting_advisor.core import lazy_re
from porting_advisor.core.facts import ContractOff
from porting_advisor.core.source import Source

# the flag as a word of its own: not `-ffp-contract=offload` nor part of a longer option
BUILD_FLAG = lazy_re.compile(r"(?<![\w-])-f(?:fp-contract=off|fp-model=strict)(?![\w-])")
# a comment to the end of the line: `#` (Make, CMake, Meson, shell, Python, Bazel), `dnl`
COMMENT = lazy_re.compile(r"(?<!\\)#|\bdnl\b")


def scan_build(src: Source) -> None:
    """Record the first `-ffp-contract=off` of a build file outside comments."""
    text = src.text
    if "fp-contract=off" not in text and "fp-model=strict" not in text:
        return
    for m in BUILD_FLAG.finditer(text):
        start = text.rfind("\n", 0, m.start()) + 1
        if COMMENT.search(text, start, m.start()):
            continue
        src.facts.append(ContractOff(text.count("\n", 0, m.start()) + 1, m.group(0)))
        return
