# SPDX-License-Identifier: Apache-2.0
"""Gradle: build scripts (dependency notations, read line by line), version catalogs and
dependency lock files (gradle.lockfile: `group:artifact:version=configurations`)."""

from __future__ import annotations

import re
import tomllib

from porting_advisor.core import lazy_re
from porting_advisor.scanners.deps.common import Dep, line_of

GRADLE_DEP = lazy_re.compile(r"""(?x)\b(?:implementation|api|compile|runtimeOnly|compileOnly|
    testImplementation|runtime|annotationProcessor|kapt)\s*\(?\s*["']([\w.\-]+):([\w.\-]+)
    (?::([\w.\-+\[\](),]+))?["']""")
GRADLE_MAP = lazy_re.compile(
    r"""group\s*[:=]\s*["']([\w.\-]+)["']\s*,\s*name\s*[:=]\s*["']([\w.\-]+)
    ["'](?:\s*,\s*version\s*[:=]\s*["']([\w.\-]+)["'])?""",
    re.X,
)


def parse_gradle(text: str) -> list[Dep]:
    out = []
    for no, line in enumerate(text.split("\n"), 1):
        code = line.split("//", 1)[0]
        for rx in (GRADLE_DEP, GRADLE_MAP):
            for m in rx.finditer(code):
                version = m.group(3) or ""
                out.append(
                    Dep(
                        "maven",
                        m.group(2),
                        version if "$" not in version else "",
                        version,
                        no,
                        group=m.group(1),
                    )
                )
    return out


def parse_version_catalog(text: str) -> list[Dep]:
    data = tomllib.loads(text)
    vers = {k: str(v) for k, v in data.get("versions", {}).items() if isinstance(v, str)}
    out = []
    for key, lib in data.get("libraries", {}).items():
        if isinstance(lib, str):
            group, _, rest = lib.partition(":")
            artifact, _, version = rest.partition(":")
        else:
            module = lib.get("module") or f"{lib.get('group', '')}:{lib.get('name', '')}"
            group, _, artifact = module.partition(":")
            v = lib.get("version", "")
            version = vers.get(v.get("ref", ""), "") if isinstance(v, dict) else str(v)
        out.append(Dep("maven", artifact, version, version, line_of(text, key), group=group))
    return out


CONDA_X86 = lazy_re.compile(
    r"^(?:mkl(?:[-_]\w+)?|intel-openmp|icc_rt|intel-cmplr-lib-rt|"
    r"mkl-service|daal\w*|ipp\w*)(?:[=<>!\s].*)?$|^blas=\*=mkl$"
)


def parse_lockfile(text: str) -> list[Dep]:
    """gradle.lockfile and buildscript-gradle.lockfile: every resolved module, transitive too."""
    out = []
    for no, line in enumerate(text.split("\n"), 1):
        m = re.match(r"^([\w.\-]+):([\w.\-]+):([^=\s]+)=", line)
        if m:
            group, artifact, version = m.groups()
            out.append(Dep("maven", artifact, version, version, no, group=group, resolved=True))
    return out
