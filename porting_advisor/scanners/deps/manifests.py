# SPDX-License-Identifier: Apache-2.0
"""Dependency manifests and lock files: PyPI, Maven/Gradle, Go modules, conda.

Manifests are read as data, never executed (setup.py is parsed with `ast`); XML with a DTD is
refused (no entity expansion). Each dependency becomes an inventory record (the report's
`dependencies`) and, against rules/deps/arm64-packages.tsv, a finding when it has no Arm64
build or its version or specifier admits no Arm64-ready release.
"""

from __future__ import annotations

import configparser
import functools
import json
import posixpath
import re
import tomllib
import xml.parsers.expat

from packaging.version import Version

from porting_advisor.core import lazy_re, ruleset
from porting_advisor.core.facts import Dependency
from porting_advisor.core.source import Source
from porting_advisor.scanners.deps import conda, gomod, gradle, maven, python, specs, versions
from porting_advisor.scanners.deps.common import Dep, Knowledge, lookup

PARSERS = {
    "pyproject.toml": python.parse_pyproject,
    "setup.cfg": python.parse_setup_cfg,
    "setup.py": python.parse_setup_py,
    "Pipfile": python.parse_pipfile,
    "Pipfile.lock": python.parse_pipfile_lock,
    "poetry.lock": python.parse_lock_toml,
    "uv.lock": python.parse_lock_toml,
    "pdm.lock": python.parse_lock_toml,
    "go.sum": gomod.parse_gosum,
    "gradle.lockfile": gradle.parse_lockfile,
    "buildscript-gradle.lockfile": gradle.parse_lockfile,
    "pom.xml": maven.parse_pom,
    "build.gradle": gradle.parse_gradle,
    "build.gradle.kts": gradle.parse_gradle,
    "libs.versions.toml": gradle.parse_version_catalog,
}


def parser_for(name: str):  # type: ignore[no-untyped-def]
    if name in PARSERS:
        return PARSERS[name]
    if re.match(r"^(?:requirements|constraints)[\w.-]*\.(?:txt|in)$", name):
        return python.parse_requirements
    if name.endswith(".gradle") or name.endswith(".gradle.kts"):
        return gradle.parse_gradle
    return None


# A wheel name starts a token: `(?<!\S)` keeps one long token from being tried at each of its
# characters (quadratic: a 40,000-character line took seconds, issue 21).
X86_WHEEL = lazy_re.compile(
    r"(?<!\S)\S+(?:manylinux\w*_x86_64|linux_x86_64|win_amd64|win32|macosx_\w*_x86_64)"
    r"\.whl\b|--platform[= ]\S*(?:x86_64|amd64|win32)\S*"
)
PIP_PIN = lazy_re.compile(r"^[ \t]*pip\s*==\s*([\d.]+)", re.M)
JAVA_LEVEL = lazy_re.compile(
    r"<(maven\.compiler\.(?:source|target|release))>\s*(?:1\.)?(\d+)\s*<|"
    r"\b(sourceCompatibility|targetCompatibility)\s*=\s*['\"]?"
    r"(?:JavaVersion\.VERSION_)?(?:1[._])?(\d+)"
)


@functools.cache
def runtimes() -> dict[str, dict[str, str]]:
    return ruleset.load_table("runtimes.yaml")  # type: ignore[no-any-return]


def check_runtimes(src: Source, name: str) -> None:
    """Old Java bytecode targets, low Python bounds, pinned old Pythons and pips."""
    from porting_advisor.core.model import Severity

    table = runtimes()
    text = src.text
    if name in ("pom.xml", "build.gradle", "build.gradle.kts"):
        for m in JAVA_LEVEL.finditer(text):
            key, level = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            if int(level) < int(table["java"]["bytecode_min"]):
                line, col = src.position(m.start())
                src.add(
                    "runtime-version-low",
                    line,
                    col,
                    what=key,
                    version=level,
                    why="bytecode older than Java 8",
                    case="java-bytecode",
                )
    py = table["python"]
    low: re.Match[str] | None = None
    if name == "pyproject.toml":
        low = re.search(r"(?m)^[ \t]*requires-python\s*=\s*[\"']\s*>=?\s*([\d.]+)", text)
    elif name in ("setup.py", "setup.cfg"):
        low = re.search(r"python_requires\s*=\s*[\"']?\s*>=?\s*([\d.]+)", text)
    if low and Version(low.group(1)) < Version(py["lower_bound_min"]):
        line, col = src.position(low.start(1))
        src.add(
            "runtime-version-low",
            line,
            col,
            what="supports Python",
            version=low.group(1),
            why=f"many Arm64 wheels exist only for Python {py['lower_bound_min']}+",
            case="python-lower-bound",
            min_version=py["lower_bound_min"],
        )
    if name in (".python-version", "runtime.txt"):
        pinned = re.search(r"(\d+\.\d+)(?:\.\d+)?", text)
        if pinned and Version(pinned.group(1)) < Version(py["pinned_min"]):
            line, col = src.position(pinned.start())
            src.add(
                "runtime-version-low",
                line,
                col,
                severity=Severity.WARNING,
                what="pins Python",
                version=pinned.group(0),
                why=f"Arm64 wheels for many packages need Python {py['pinned_min']}+",
                case="python-pinned",
                min_version=py["pinned_min"],
            )
    for m in PIP_PIN.finditer(text) if name.startswith(("requirements", "constraints")) else ():
        if Version(m.group(1)) < Version(py["pip_min"]):
            line, col = src.position(m.start(1))
            src.add(
                "runtime-version-low",
                line,
                col,
                severity=Severity.WARNING,
                what="pins pip",
                version=m.group(1),
                why="pip before 19.3 cannot install manylinux2014 aarch64 wheels",
                case="pip",
                min_version=py["pip_min"],
            )


def scan(src: Source) -> None:
    """Parse one manifest; record the inventory and report what blocks Arm64."""
    name = posixpath.basename(src.file)
    check_runtimes(src, name)
    if name.startswith(("requirements", "constraints")):
        for m in X86_WHEEL.finditer(src.text):
            line, col = src.position(m.start())
            text = src.line_text(line)
            marker = text.split(";", 1)[1].split(" #", 1)[0] if ";" in text else ""
            if not text.lstrip().startswith("#") and not specs.marker_scope(marker.strip()):
                src.add(
                    "requirement-x86-wheel",
                    line,
                    col,
                    length=len(m.group(0)),
                    token=m.group(0)[-90:],
                )
    if name == "go.mod":
        go_version, go_line, deps = gomod.parse_gomod(src.text)
        if go_version and versions.older("go", go_version, "1.16"):
            src.add("go-old-version", go_line, 1, version=go_version)
    elif name in ("environment.yml", "environment.yaml"):
        for line, pkg in conda.parse_environment(src.text):
            col = src.line_text(line).find(pkg) + 1
            src.add("conda-x86-package", line, max(col, 1), name=pkg, key=pkg.split("=")[0])
        return
    else:
        parse = parser_for(name)
        if parse is None:
            return
        try:
            deps = parse(src.text)
        except (
            tomllib.TOMLDecodeError,
            json.JSONDecodeError,
            SyntaxError,
            ValueError,
            configparser.Error,
            xml.parsers.expat.ExpatError,
        ) as exc:
            src.remarks.append(_remark(src, f"could not parse {name}: {str(exc)[:120]}"))
            return
    if name == "pom.xml":
        for line, value in maven.x86_classifiers(src.text):
            col = src.line_text(line).find(value) + 1
            src.add("x86-native-classifier", line, max(col, 1), classifier=value)
    for dep in deps:
        check(src, dep)


def _remark(src: Source, message: str):  # type: ignore[no-untyped-def]
    from porting_advisor.core.model import Remark

    return Remark("manifest-unreadable", message, src.file)


def column_of(src: Source, dep: Dep) -> int:
    text = src.line_text(dep.line)
    at = text.lower().find(dep.name.lower())
    return at + 1 if at >= 0 else len(text) - len(text.lstrip()) + 1


def admits(dep: Dep, minimum: str) -> bool:
    """Does the pin or specifier allow a version at or above the first Arm64-ready one?"""
    if dep.version:
        return versions.older(dep.ecosystem, dep.version, minimum) is not True
    if dep.ecosystem != "pypi" or not dep.specifier:
        return True
    return specs.admits_from(dep.specifier, minimum)


def same_everywhere(dep: Dep, known: Knowledge) -> bool:
    """A pin older than the first release with Linux wheels: no architecture gets a wheel
    (PyYAML 5.3), so Arm64 is no different."""
    if not (dep.version and known.x86_only_from):
        return False
    return versions.older(dep.ecosystem, dep.version, known.x86_only_from) is True


def source_build_advice(dep: Dep, known: Knowledge) -> str:
    """What a source build on Arm64 needs, and the version that makes it unnecessary."""
    if not known.min_version:
        return f"Install {known.note}."
    return f"Install {known.note}, or use `{dep.name}` {known.min_version}+ (Arm64 wheels)."


NO_BUILD = {
    "unsupported": "unsupported",
    "manual-build": "manual build only",
    "x86-only": "x86-only by design",
}


def check(src: Source, dep: Dep) -> None:
    """Report what the knowledge data says about `dep`; record it in the inventory."""
    known = lookup(dep)
    scope = specs.marker_scope(dep.marker) if dep.marker else ""
    status = "unknown"
    if scope:
        # `; platform_machine == "x86_64"`: never installed on Arm64, on purpose (issue 20)
        status = "x86-only (marker)" if scope == "x86-only" else "not installed (marker)"
    elif dep.direct:
        status = "direct reference"  # a URL or a path: no index version to judge
    elif known is not None and known.status in NO_BUILD:
        status = "no Arm64 build" if known.status == "unsupported" else NO_BUILD[known.status]
        src.add(
            "dependency-no-arm64",
            dep.line,
            column_of(src, dep),
            ecosystem=dep.ecosystem,
            name=dep.name,
            status=NO_BUILD[known.status],
            case="manifest",
            detail=f": {known.note}" if known.note != "public porting list" else "",
            key=dep.name,
        )
    elif known is not None and known.status == "portable":
        status = "ok"
    elif known is not None and same_everywhere(dep, known):
        status = "ok"  # no Linux wheel for any architecture: it builds the same way on Arm64
    elif known is not None and (known.min_version or known.status == "source-build"):
        too_old = not known.min_version or not admits(dep, known.min_version)
        exception = dep.version in known.x86_only_after  # torch 1.9.1 after 1.8.0
        backport = bool(dep.version) and dep.version in known.arm64_before  # rocksdbjni 5.18.4
        too_old = (too_old or exception) and not backport
        status = f"needs >= {known.min_version}" if too_old and known.min_version else "ok"
        if too_old and known.status == "source-build":
            status = "builds from source"
            src.add(
                "dependency-source-build",
                dep.line,
                column_of(src, dep),
                name=dep.name,
                version=dep.version or dep.specifier or "(any version)",
                advice=source_build_advice(dep, known),
                key=dep.name,
            )
        elif too_old:
            src.add(
                "dependency-too-old",
                dep.line,
                column_of(src, dep),
                name=dep.name,
                version=dep.version or dep.specifier,
                why="has no Arm64 build, unlike the releases around it"
                if exception
                else "predates Arm64 support",
                min_version=known.min_version,
                key=dep.name,
            )
    src.facts.append(
        Dependency(
            dep.ecosystem,
            dep.name,
            dep.version,
            dep.specifier,
            src.file,
            dep.line,
            status,
            dep.resolved,
            dep.via,
        )
    )
