# SPDX-License-Identifier: Apache-2.0
"""Node.js: package.json and npm lock files against the knowledge data, binding.gyp flags."""

from __future__ import annotations

import json
import posixpath
import re

from porting_advisor.core.facts import Dependency
from porting_advisor.core.source import Source
from porting_advisor.scanners import build as buildfiles
from porting_advisor.scanners.deps import common, versions


def scan_node(src: Source) -> None:
    """package.json and lock files against the npm knowledge data; binding.gyp flags."""
    name = posixpath.basename(src.file)
    if name == "binding.gyp":
        for no, line in enumerate(src.text.split("\n"), 1):
            code = line.split("#", 1)[0]
            buildfiles.check_flags(src, code, [(0, no)])
            buildfiles.check_libraries(src, code, [(0, no)], True, "")
        return
    deps: list[tuple[str, str, bool]] = []  # (name, version or range, exact)
    try:
        data = json.loads(src.text)
    except json.JSONDecodeError as exc:
        from porting_advisor.core.model import Remark

        src.remarks.append(
            Remark("manifest-unreadable", f"could not parse {name}: {exc}", src.file)
        )
        return
    if name == "package.json":
        for section in ("dependencies", "devDependencies", "optionalDependencies"):
            for dep, spec in (data.get(section) or {}).items():
                deps.append((dep, str(spec), False))
    elif name in ("package-lock.json", "npm-shrinkwrap.json"):
        for path, info in (data.get("packages") or {}).items():
            if path.startswith("node_modules/") and isinstance(info, dict):
                deps.append((path.split("node_modules/")[-1], str(info.get("version", "")), True))
        for dep, info in (data.get("dependencies") or {}).items():
            if isinstance(info, dict):
                deps.append((dep, str(info.get("version", "")), True))
    seen: set[str] = set()
    for dep, spec, exact in deps:
        if dep in seen:
            continue
        seen.add(dep)
        known = common.knowledge().get(("npm", dep.lower()))
        line_no = common.line_of(src.text, dep)
        arm64 = "unknown"
        if known is not None:
            col = src.line_text(line_no).find(dep) + 1
            if known.status != "min":
                arm64 = "no Arm64 build"
                src.add(
                    "node-native-addon",
                    line_no,
                    max(col, 1),
                    name=dep,
                    problem="has no Arm64 build",
                    case="no-arm64",
                    knowledge=known.note,
                    key=dep,
                )
            else:
                version = re.sub(r"^[\^~>=v\s]+", "", spec)
                too_old = bool(version) and versions.older("npm", version, known.min_version)
                arm64 = f"needs >= {known.min_version}" if too_old else "ok"
                if too_old:
                    src.add(
                        "node-native-addon",
                        line_no,
                        max(col, 1),
                        name=dep,
                        problem=f"{spec} predates its Arm64 builds ({known.min_version})",
                        case="too-old",
                        min_version=known.min_version,
                        key=dep,
                    )
        src.facts.append(
            Dependency(
                "npm", dep, spec if exact else "", "" if exact else spec, src.file, line_no, arm64
            )
        )
