# SPDX-License-Identifier: Apache-2.0
"""The `--online` stage: ask the package index which versions of each PyPI dependency have a
Linux/Arm64 build, once per package, and the Maven repository which versions of a JNI artifact
have a Linux/Arm64 classifier jar (online/maven.py), before the cross-file passes; their
verdicts replace the offline table's for the dependencies they answered for."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from porting_advisor.core.facts import Dependency
from porting_advisor.core.model import FileResult, Finding, Options, Remark, base_dir
from porting_advisor.core.ruleset import RuleSet
from porting_advisor.core.source import finding
from porting_advisor.online import images, indexes, maven, npm, simple

# The offline verdicts an index answer replaces.
OFFLINE_RULES = frozenset({"dependency-too-old", "dependency-source-build", "dependency-no-arm64"})
NO_VERDICT = ("x86-only (marker)", "not installed (marker)", "direct reference")


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the index says about one manifest entry."""

    file: str
    line: int
    name: str
    asked: str  # the pin or specifier, as written
    ready: bool  # a version it admits has a Linux/Arm64 build
    first_good: str  # first version with one ("" when none has)
    sdist: bool  # the admitted versions have an sdist to build from


@dataclass(frozen=True, slots=True)
class Target:
    """Who the verdict is for."""

    pythons: tuple[str, ...]  # CPython X.Y
    glibc: tuple[int, int]

    def describe(self) -> str:
        py = self.pythons[0] if len(self.pythons) == 1 else f"{self.pythons[0]}-{self.pythons[-1]}"
        return f"CPython {py}, glibc {self.glibc[0]}.{self.glibc[1]}"


def project_pythons(base: Path) -> tuple[str, ...]:
    """The CPythons the project declares (.python-version, requires-python), else the
    supported ones (rules/runtimes.yaml)."""
    from porting_advisor.scanners.deps import specs

    supported = specs.pythons()
    try:
        pinned = re.search(r"\b3\.(\d+)", (base / ".python-version").read_text())
        if pinned:
            return (f"3.{pinned.group(1)}",)
    except OSError:
        pass
    try:
        project = tomllib.loads((base / "pyproject.toml").read_text()).get("project", {})
        spec = SpecifierSet(str(project.get("requires-python", "")))
    except (OSError, tomllib.TOMLDecodeError, InvalidSpecifier, UnicodeDecodeError):
        return supported
    known = [f"3.{m}" for m in range(8, int(supported[-1].split(".")[1]) + 1)]
    chosen = tuple(v for v in known if spec.contains(f"{v}.0", prereleases=True))
    return chosen or supported


def judge(record: dict[str, object], files: list[simple.Dist], target: Target) -> Verdict | None:
    """The verdict for one manifest entry, from its project's files (None: nothing to say)."""
    pages = simple.by_version(files)
    version, specifier = str(record.get("version") or ""), str(record.get("specifier") or "")
    try:
        if version:
            admitted = [v for v in pages if v == Version(version)]
        else:
            spec = SpecifierSet(specifier)
            admitted = list(spec.filter(pages))
    except (InvalidVersion, InvalidSpecifier):
        return None
    if not admitted:
        return None

    def arm(v: Version) -> bool:
        return simple.has_build(pages[v], "aarch64", target.pythons, target.glibc)

    ready = any(arm(v) for v in admitted)
    x86 = any(simple.has_build(pages[v], "x86_64", target.pythons, target.glibc) for v in admitted)
    if not ready and not x86:
        return None  # no Linux wheel for these Pythons on either machine: not an Arm64 matter
    later = [v for v in pages if v > max(admitted) and not v.is_prerelease and arm(v)]
    first = later[0] if later else next((v for v in pages if arm(v)), None)
    return Verdict(
        str(record["file"]),
        int(str(record["line"])),
        str(record["name"]),
        version or specifier or "(any version)",
        ready,
        str(first) if first else "",
        any(not f.wheel_tags for v in admitted for f in pages[v]),
    )


def run(
    results: list[FileResult], findings: list[Finding], options: Options, rules: RuleSet
) -> tuple[list[Finding], list[Remark]]:
    """The stage: the dependency records of the scan, the index's verdicts, merged findings."""
    records: list[dict[str, object]] = [
        f._asdict() for r in results for f in r.facts if isinstance(f, Dependency)
    ]
    target = Target(project_pythons(base_dir(options.root)), simple.DEFAULT_GLIBC)
    verdicts, remarks = gather(records, target, options.cache_dir, options.index_url)
    findings = merge(findings, verdicts, target, rules)
    jars, more, repo = maven.gather(records, options.cache_dir, options.maven_repo)
    findings = maven.merge(findings, jars, repo, rules)
    addons, on_npm = npm.gather(results, options.cache_dir)
    bases, on_images = images.gather(results, options.allow_registry, options.cache_dir)
    findings = images.merge(npm.merge(findings, addons, rules), bases, rules)
    return findings, remarks + more + on_npm + on_images


def gather(
    records: list[dict[str, object]],
    target: Target,
    cache_dir: Path | None,
    index_url: str = "",
) -> tuple[list[Verdict], list[Remark]]:
    """Ask the user's index (or `index_url`) about every PyPI record, one page per package."""
    pypi = [r for r in records if r.get("ecosystem") == "pypi" and r.get("arm64") not in NO_VERDICT]
    if not pypi:
        return [], []
    urls = indexes.pypi_indexes(index_url)
    if not urls:
        return [], [Remark("online-unavailable", "--online: no Python package index configured")]
    remarks: list[Remark] = []
    failed: set[str] = set()
    pages: dict[str, list[simple.Dist] | None] = {}
    for name in sorted({str(r["name"]) for r in pypi}):
        found: list[simple.Dist] | None = None
        for url in urls:
            if url in failed:
                continue
            try:
                answer = simple.project_page(url, name, cache_dir)
            except simple.IndexError_ as exc:
                failed.add(url)
                remarks.append(Remark("online-unavailable", f"--online: could not ask {exc}"))
                continue
            if answer is not None:
                found = (found or []) + answer
        pages[name] = found
    verdicts = [
        v
        for r in pypi
        if pages.get(str(r["name"]))
        for v in [judge(r, pages[str(r["name"])] or [], target)]
        if v is not None
    ]
    return verdicts, remarks


def merge(
    findings: list[Finding], verdicts: list[Verdict], target: Target, rules: RuleSet
) -> list[Finding]:
    """The index's verdicts in place of the offline table's for the same manifest entries."""
    answered = {(v.file, v.line) for v in verdicts}
    out = [f for f in findings if f.rule not in OFFLINE_RULES or (f.file, f.line) not in answered]
    for v in verdicts:
        if v.ready:
            continue
        first = f"first version with one: {v.first_good}" if v.first_good else "no version has one"
        out.append(
            finding(
                rules,
                "dependency-no-arm64-wheel",
                v.file,
                v.line,
                1,
                snippet="",
                key=v.name,
                name=v.name,
                version=v.asked,
                target=target.describe(),
                fallback=" (pip would build the sdist)" if v.sdist else "",
                first=first,
                upgrade=f"Use `{v.name}` {v.first_good} or later."
                if v.first_good
                else f"Replace `{v.name}` with a package that has Arm64 wheels.",
            )
        )
    return out
