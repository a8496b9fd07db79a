# SPDX-License-Identifier: Apache-2.0
"""npm lock files as entries: package-lock.json / npm-shrinkwrap.json (v1 nested
`dependencies`, v2/v3 `packages`), yarn.lock (v1 and berry) and pnpm-lock.yaml (v5-v9).

Every entry is a package the install resolved, transitive ones included, at the line of its
resolved version; with the platform fields the lock file keeps (`cpu`, `optional`) and the
names of its optional dependencies (per-platform prebuilt packages)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from porting_advisor.core import lazy_re
from porting_advisor.scanners.deps.common import Cursor


@dataclass(frozen=True, slots=True)
class Entry:
    name: str
    version: str
    line: int
    cpu: tuple[str, ...] = ()  # the `cpu` field: the architectures the package installs on
    optional: bool = False  # installed only where its platform fields allow
    optional_deps: tuple[str, ...] = ()
    deps: tuple[str, ...] = ()  # names it depends on (for `via`)
    via: str = ""  # the package it is nested under (package-lock.json)
    dev: bool = False  # package.json: a devDependency
    builds: bool = False  # runs an install script (`hasInstallScript`, pnpm `requiresBuild`)


def name_of(descriptor: str) -> str:
    """`@scope/name@range` -> `@scope/name` (yarn and pnpm descriptors)."""
    at = descriptor.find("@", 1)
    return descriptor[:at] if at > 0 else descriptor


def package_lock(text: str) -> list[Entry]:
    data = json.loads(text)
    cursor = Cursor(text)
    out: list[Entry] = []
    packages = data.get("packages")
    if isinstance(packages, dict) and packages:
        for path, info in packages.items():
            if "node_modules/" not in path or not isinstance(info, dict) or info.get("link"):
                continue
            at = cursor.find(rf"{re.escape(json.dumps(path))}\s*:\s*\{{")
            version = str(info.get("version", ""))
            line = cursor.find(rf'"version"\s*:\s*{re.escape(json.dumps(version))}') or at
            parent, _, name = path.rpartition("node_modules/")
            via = parent.rstrip("/").rpartition("node_modules/")[2]
            out.append(entry(name, version, line, info, via))
        return out

    def walk(deps: object, parent: str = "") -> None:  # v1: nested `dependencies`, in order
        if not isinstance(deps, dict):
            return
        for name, info in deps.items():
            if not isinstance(info, dict):
                continue
            at = cursor.find(rf"{re.escape(json.dumps(name))}\s*:\s*\{{")
            version = str(info.get("version", ""))
            line = cursor.find(rf'"version"\s*:\s*{re.escape(json.dumps(version))}') or at
            out.append(entry(name, version, line, info, parent))
            walk(info.get("dependencies"), name)

    walk(data.get("dependencies"))
    return out


def entry(name: str, version: str, line: int, info: dict[str, object], via: str) -> Entry:
    cpu = info.get("cpu")
    opt = info.get("optionalDependencies")
    requires = info.get("requires") if "requires" in info else info.get("dependencies")
    return Entry(
        name,
        version,
        line,
        tuple(str(c) for c in cpu) if isinstance(cpu, list) else (),
        bool(info.get("optional")),
        tuple(opt) if isinstance(opt, dict) else (),
        tuple(requires) if isinstance(requires, dict) else (),
        via,
        builds=bool(info.get("hasInstallScript")),
    )


def yarn_lock(text: str) -> list[Entry]:
    """yarn.lock v1 (`version "1.2.3"`) and berry (`version: 1.2.3`), block by block."""
    out: list[Entry] = []
    name, version, line, section = "", "", 0, ""
    deps: list[str] = []
    optional: list[str] = []

    def close() -> None:
        if name and version and not version.startswith("0.0.0-use.local"):
            out.append(Entry(name, version, line, (), False, tuple(optional), tuple(deps)))

    for no, raw in enumerate(text.split("\n"), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if not raw.startswith(" "):
            close()
            head = raw.rstrip(":").split(",")[0].strip().strip('"')
            name = "" if head == "__metadata" else name_of(head)
            version, line, section, deps, optional = "", no, "", [], []
            continue
        indent = len(raw) - len(raw.lstrip())
        body = raw.strip()
        if indent == 2:
            m = re.match(r'^version:?\s+"?([^"\s]+)"?$', body)
            if m:
                version, line = m.group(1), no
            section = body.rstrip(":") if body.endswith(":") else ""
        elif indent >= 4 and section in ("dependencies", "optionalDependencies"):
            dep = re.split(r'"?:?\s', body.strip('"'), maxsplit=1)[0].strip('"')
            (optional if section == "optionalDependencies" else deps).append(dep)
    close()
    return out


PNPM_KEY = lazy_re.compile(r"^  '?/?((?:@[^/@\s]+/)?[^/@\s(]+)[/@]([^(_:'\s]+)[^:]*'?:\s*$")


def pnpm_lock(text: str) -> list[Entry]:
    """pnpm-lock.yaml: entries of `packages:` (and v9's `snapshots:`), keyed `/name/1.0.0`
    (v5), `/name@1.0.0(peer)` (v6) or `name@1.0.0` (v9)."""
    found: dict[tuple[str, str], dict[str, object]] = {}
    order: list[tuple[str, str]] = []
    top, key, field = "", None, ""
    for no, raw in enumerate(text.split("\n"), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if not raw.startswith(" "):
            top, key = raw.split(":", 1)[0], None
            continue
        if top not in ("packages", "snapshots"):
            continue
        m = PNPM_KEY.match(raw)
        if m:
            key = (m.group(1), m.group(2))
            if key not in found:
                found[key] = {
                    "line": no,
                    "cpu": (),
                    "optional": False,
                    "opt": [],
                    "deps": [],
                    "builds": False,
                }
                order.append(key)
            continue
        if key is None:
            continue
        info = found[key]
        indent = len(raw) - len(raw.lstrip())
        body = raw.strip()
        if indent == 4:
            field = body.rstrip(":") if body.endswith(":") else ""
            m = re.match(r"^cpu:\s*\[([^\]]*)\]", body)
            if m:
                info["cpu"] = tuple(c.strip().strip("'\"") for c in m.group(1).split(","))
            if re.match(r"^optional:\s*true\b", body):
                info["optional"] = True
            if re.match(r"^requiresBuild:\s*true\b", body):
                info["builds"] = True
        elif indent == 6 and field in ("dependencies", "optionalDependencies"):
            dep = body.split(":", 1)[0].strip("'\"")
            target = info["opt"] if field == "optionalDependencies" else info["deps"]
            if isinstance(target, list):
                target.append(dep)
    return [
        Entry(
            name,
            version,
            int(str(found[(name, version)]["line"])),
            tuple(found[(name, version)]["cpu"]),  # type: ignore[arg-type]
            bool(found[(name, version)]["optional"]),
            tuple(found[(name, version)]["opt"]),  # type: ignore[arg-type]
            tuple(found[(name, version)]["deps"]),  # type: ignore[arg-type]
            builds=bool(found[(name, version)]["builds"]),
        )
        for name, version in order
    ]


READERS = {
    "package-lock.json": package_lock,
    "npm-shrinkwrap.json": package_lock,
    "yarn.lock": yarn_lock,
    "pnpm-lock.yaml": pnpm_lock,
}

# per-platform prebuilt packages: `@esbuild/linux-arm64`, `@swc/core-linux-x64-gnu`,
# `esbuild-linux-64` (esbuild before 0.15)
LINUX_X64 = lazy_re.compile(r"(?:^|[-/])linux-(?:x64|64)(?:-(?:gnu|musl|glibc))?$")
LINUX_ARM64 = lazy_re.compile(r"(?:^|[-/])linux-arm64(?:-(?:gnu|musl|glibc))?$")


# any per-platform prebuilt package (`@img/sharp-darwin-arm64`, `@swc/core-win32-x64-msvc`)
PLATFORM_PACKAGE = lazy_re.compile(
    r"(?:^|[-/])(?:linux|darwin|win32|freebsd|openbsd|netbsd|android|sunos|aix)"
    r"-(?:x64|64|arm64|ia32|arm|x86|ppc64|ppc64le|s390x|riscv64|loong64|mips64el|universal)"
    r"(?:-[a-z]+)?$"
)


def native(e: Entry) -> bool:
    """A required entry that builds or fetches native code at install: an install script, or
    per-platform prebuilt optional packages."""
    return not e.optional and (e.builds or any(PLATFORM_PACKAGE.search(d) for d in e.optional_deps))


def platform_gap(optional_deps: tuple[str, ...]) -> bool:
    """Optional platform packages for Linux x64 and none for Linux arm64."""
    return any(LINUX_X64.search(d) for d in optional_deps) and not any(
        LINUX_ARM64.search(d) for d in optional_deps
    )


def cpu_excludes_arm64(cpu: tuple[str, ...]) -> bool:
    """A `cpu` field npm refuses on arm64 (`["x64"]`, `["!arm64"]`)."""
    if not cpu:
        return False
    if "!arm64" in cpu:
        return True
    allowed = [c for c in cpu if not c.startswith("!")]
    return bool(allowed) and "arm64" not in allowed
