# SPDX-License-Identifier: Apache-2.0
"""The Go packages pass: per package (a directory), does its linux/arm64 build find every
function and name its files use? Joins the workers' records (GoFile, GoDecls, GoAsm) for the
file sets of arm64 and amd64."""

from __future__ import annotations

import posixpath
from collections import defaultdict
from dataclasses import dataclass, field

from porting_advisor.core.facts import GoAsm, GoDecls, GoFile
from porting_advisor.core.model import FileResult, Finding
from porting_advisor.core.ruleset import RuleSet
from porting_advisor.core.source import finding, shortlist
from porting_advisor.passes.context import Pass, PassContext


def packages(results: list[FileResult]) -> dict[str, list[FileResult]]:
    """The Go files and Go assembly files of each package (directory), except those the go
    tool never builds as packages (under `testdata`, or a directory named `_x` or `.x`)."""
    by_dir: dict[str, list[FileResult]] = defaultdict(list)
    for r in results:
        if any(isinstance(fact, GoFile | GoAsm) for fact in r.facts):
            folder = posixpath.dirname(r.file)
            if not any(
                part == "testdata" or part.startswith(("_", ".")) for part in folder.split("/")
            ):
                by_dir[folder].append(r)
    return by_dir


def unparsed(results: list[FileResult]) -> list[str]:
    """The files whose declarations the pass needs and the worker left out: Go files built
    for every architecture (`GoFile.parsed` false) in a package with amd64-only code. The
    engine has the workers scan them again, thoroughly, before the passes."""
    return [
        r.file
        for files in packages(results).values()
        if has_amd64_only(files)
        for r in files
        if any(isinstance(fact, GoFile) and not fact.parsed for fact in r.facts)
    ]


def resolve(ctx: PassContext) -> list[Finding]:
    """Per package with amd64-only code: where its arm64 build fails, or (opt-in) its amd64
    assembly that arm64 replaces with Go."""
    out: list[Finding] = []
    for files in packages(ctx.results).values():
        out.extend(
            finding(ctx.rules, "go-asm-x86-for-arm64", r.file, language="go")
            for r in files
            for fact in r.facts
            if isinstance(fact, GoAsm) and fact.arm64 and fact.x86_code
        )
        if has_amd64_only(files):
            out.extend(package_findings(files, ctx.rules))
    return ctx.findings + out


def has_amd64_only(files: list[FileResult]) -> bool:
    """The package has assembly or Go files built for amd64 and not for arm64."""
    return any(
        isinstance(fact, GoAsm | GoFile) and fact.amd64 and not fact.arm64
        for r in files
        for fact in r.facts
    )


@dataclass(slots=True)
class Package:
    """One package's records, sorted by what builds them."""

    # per Go file: (file, built for arm64, built for amd64, its declarations)
    go: list[tuple[str, bool, bool, GoDecls]] = field(default_factory=list)
    asm: list[tuple[str, GoAsm]] = field(default_factory=list)
    known: dict[tuple[str, bool, str, bool], set[str]] = field(default_factory=dict)

    def visible(self, decls: GoDecls, file: str, arch: str, bodyless: bool = False) -> set[str]:
        """The names a file's code finds in its package in a build for `arch` (its own
        package's files; test files see the test files of their package too): those with
        an implementation, or also those declared without a body."""
        test = file.endswith("_test.go")
        key = (decls.package, test, arch, bodyless)
        if key in self.known:
            return self.known[key]
        names = self.known[key] = set()
        for other, arm64, amd64, d in self.go:
            if (
                (arm64 if arch == "arm64" else amd64)
                and d.package == decls.package
                and (test or not other.endswith("_test.go"))
            ):
                names.update(d.defined)
                if bodyless:
                    names.update(n for n, _, _ in d.bodyless)
        for _, a in self.asm:
            if a.arm64 if arch == "arm64" else a.amd64:
                names.update(a.symbols)
        return names


def gather(files: list[FileResult]) -> Package:
    pkg = Package()
    for r in files:
        built = next((f for f in r.facts if isinstance(f, GoFile)), None)
        for fact in r.facts:
            if isinstance(fact, GoAsm):
                pkg.asm.append((r.file, fact))
            elif isinstance(fact, GoDecls) and built is not None:
                pkg.go.append((r.file, built.arm64, built.amd64, fact))
    return pkg


def package_findings(files: list[FileResult], rules: RuleSet) -> list[Finding]:
    """The findings of one package from its files' records: each place its arm64 build
    fails; when there is none, the amd64 assembly arm64 does without."""
    pkg = gather(files)
    out: list[Finding] = []
    reported: set[str] = set()
    for file, arm64, _, decls in sorted(pkg.go, key=lambda g: g[0]):
        if not arm64:
            continue
        here = pkg.visible(decls, file, "arm64")
        there = pkg.visible(decls, file, "amd64")
        for name, line, col in decls.bodyless:
            if name in here or name not in there or name in reported:
                continue  # (not built for amd64 either: not this pass's business)
            reported.add(name)
            why = f"has no body and no arm64 implementation (amd64: {where(pkg, name)})"
            out.append(missing(rules, file, line, col, name, why))
        # a name declared without a body is one the compiler finds (its body is another matter)
        here = pkg.visible(decls, file, "arm64", bodyless=True)
        there = pkg.visible(decls, file, "amd64", bodyless=True)
        for name, line, col in decls.uses:
            if name in here or name not in there or name in reported:
                continue
            reported.add(name)
            why = f"is defined only in files built for amd64 ({where(pkg, name, True)})"
            out.append(missing(rules, file, line, col, name, why))
    if not out:
        out.extend(pure_go_paths(pkg, rules))
    return out


def where(pkg: Package, name: str, bodyless: bool = False) -> str:
    """The amd64 files that implement `name` (or also declare it without a body), for the
    message."""
    files = [
        f
        for f, _, amd64, d in pkg.go
        if amd64 and (name in d.defined or (bodyless and any(n == name for n, _, _ in d.bodyless)))
    ]
    files += [f for f, a in pkg.asm if a.amd64 and name in a.symbols]
    return ", ".join(posixpath.basename(f) for f in sorted(set(files))[:3])


def missing(rules: RuleSet, file: str, line: int, col: int, name: str, why: str) -> Finding:
    return finding(
        rules,
        "go-missing-arm64-symbol",
        file,
        line,
        col,
        language="go",
        name=name,
        why=why,
        length=len(name),
        snippet=name,
    )


def pure_go_paths(pkg: Package, rules: RuleSet) -> list[Finding]:
    """amd64 assembly of a package whose arm64 build has Go for it and no assembly of its
    own: arm64 takes the generic path (opt-in, info)."""
    if any(a.arm64 for _, a in pkg.asm):
        return []  # arm64 has assembly of its own, under whatever names
    out = []
    for asm_file, fact in pkg.asm:
        if fact.amd64 and not fact.arm64 and fact.symbols:
            shown = shortlist(fact.symbols, 6)
            out.append(finding(rules, "go-asm-no-arm64", asm_file, language="go", symbols=shown))
    return out


def has_go(ctx: PassContext) -> bool:
    """Go files in the tree (a package of Go assembly alone has nothing to join)."""
    return any(r.language == "go" for r in ctx.results)


PASS = Pass("go-packages", has_go, resolve)
