# SPDX-License-Identifier: Apache-2.0
"""Go modules: go.mod's go directive and requirements, go.sum's downloaded modules.

With minimal version selection the version go.mod requires is the one the build uses (from
Go 1.17 go.mod lists every module that provides a package, indirect ones too): go.mod is the
verdict. go.sum is no resolution: it holds hashes of every version the module graph consulted
(`/go.mod` lines of versions MVS did not select, stale lines). Its content hashes name the
modules whose source was downloaded; read only for modules go.mod does not list (go.mod files
before 1.17 omit indirect ones), at the highest such version."""

from __future__ import annotations

import re

from porting_advisor.scanners.deps import versions
from porting_advisor.scanners.deps.common import Dep


def parse_gomod(text: str) -> tuple[str, int, list[Dep]]:
    """(go directive, its line, requirements) with `replace` directives applied."""
    go_version, go_line = "", 0
    deps: list[Dep] = []
    replaces: dict[str, tuple[str, str]] = {}
    block = ""
    for no, raw in enumerate(text.split("\n"), 1):
        line = raw.split("//", 1)[0].strip()
        if not line:
            continue
        if line == ")":
            block = ""
            continue
        m = re.match(r"^(require|replace|exclude|retract)\s*\($", line)
        if m:
            block = m.group(1)
            continue
        m = re.match(r"^go\s+(\S+)$", line)
        if m:
            go_version, go_line = m.group(1), no
            continue
        kind, rest = (block, line) if block else (line.split(None, 1) + [""])[:2]
        parts = rest.split()
        if kind == "require" and len(parts) >= 2:
            deps.append(Dep("go", parts[0], parts[1], parts[1], no, resolved=True))
        elif kind == "replace" and "=>" in rest:
            left, right = (x.split() for x in rest.split("=>", 1))
            if left and right:
                replaces[left[0]] = (right[0], right[1] if len(right) > 1 else "")
    out = []
    for d in deps:
        if d.name in replaces:
            path, version = replaces[d.name]
            if not version:  # replaced by a local directory: not a registry version
                continue
            d = Dep("go", path, version, version, d.line, resolved=True)
        out.append(d)
    return go_version, go_line, out


def parse_gosum(text: str) -> list[Dep]:
    """go.sum: per module, the highest version with a content hash (not only `/go.mod`)."""
    best: dict[str, tuple[str, int]] = {}
    for no, line in enumerate(text.split("\n"), 1):
        parts = line.split()
        if len(parts) != 3 or parts[1].endswith("/go.mod"):
            continue
        module, version = parts[0], parts[1]
        have = best.get(module)
        if have is None or versions.older("go", have[0], version):
            best[module] = (version, no)
    return [
        Dep("go", module, version, version, no, resolved=True, via="go.sum")
        for module, (version, no) in best.items()
    ]
