# SPDX-License-Identifier: Apache-2.0
"""conda environment files: the x86-only packages they ask for."""

from __future__ import annotations

import re

from porting_advisor.core import lazy_re

CONDA_X86 = lazy_re.compile(
    r"^(?:mkl(?:[-_]\w+)?|intel-openmp|icc_rt|intel-cmplr-lib-rt|"
    r"mkl-service|daal\w*|ipp\w*)(?:[=<>!\s].*)?$|^blas=\*=mkl$"
)


def parse_environment(text: str) -> list[tuple[int, str]]:
    """conda environment.yml: (line, package) of the x86-only packages it asks for."""
    out = []
    in_deps = False
    for no, raw in enumerate(text.split("\n"), 1):
        line = raw.split("#", 1)[0].rstrip()
        if re.match(r"^dependencies\s*:", line):
            in_deps = True
            continue
        if in_deps and re.match(r"^\S", line):
            in_deps = False
        m = re.match(r"^\s*-\s*([^\s:]+(?:\s*[<>=!].*)?)\s*$", line) if in_deps else None
        if m and CONDA_X86.match(m.group(1).strip()):
            out.append((no, m.group(1).strip()))
    return out
