# SPDX-License-Identifier: Apache-2.0
"""The Go packages pass: amd64 assembly with no arm64 implementation, and functions that
arm64 code calls but only amd64 files declare (per package: a directory)."""

from __future__ import annotations

import posixpath
from collections import defaultdict

from porting_advisor.core.facts import GoAsm, GoFile, GoFuncs, GoSymbols
from porting_advisor.core.model import FileResult, Finding
from porting_advisor.core.ruleset import RuleSet
from porting_advisor.core.source import finding
from porting_advisor.passes.context import Pass, PassContext


def packages(results: list[FileResult]) -> dict[str, list[FileResult]]:
    """The Go files and Go assembly files of each package (directory)."""
    by_dir: dict[str, list[FileResult]] = defaultdict(list)
    for r in results:
        if any(isinstance(fact, GoFile | GoAsm) for fact in r.facts):
            by_dir[posixpath.dirname(r.file)].append(r)
    return by_dir


def unparsed(results: list[FileResult]) -> list[str]:
    """The files whose symbols the pass needs and the worker left out: Go files built for
    every architecture (`GoFile.parsed` false) in a package with amd64-only code. The engine
    has the workers scan them again, thoroughly, before the passes."""
    return [
        r.file
        for files in packages(results).values()
        if has_amd64_only(files)
        for r in files
        if any(isinstance(fact, GoFile) and not fact.parsed for fact in r.facts)
    ]


def resolve(ctx: PassContext) -> list[Finding]:
    """Per package (directory): amd64-only assembly and symbols arm64 code cannot find."""
    out: list[Finding] = []
    for files in packages(ctx.results).values():
        out.extend(package_findings(files, ctx.rules))
    return ctx.findings + out


def has_amd64_only(files: list[FileResult]) -> bool:
    """The package has amd64 assembly without arm64, or Go files built only for amd64."""
    return any(
        isinstance(fact, GoFuncs) or (isinstance(fact, GoAsm) and fact.amd64 and not fact.arm64)
        for r in files
        for fact in r.facts
    )


def package_findings(files: list[FileResult], rules: RuleSet) -> list[Finding]:
    """The findings of one package from its files' records."""
    arm64_defined: set[str] = set()  # functions with an arm64 implementation
    arm64_calls: set[str] = set()
    amd64_only: dict[str, tuple[str, int]] = {}  # name -> (file, line) of a declaration
    asm: list[tuple[str, GoAsm]] = []
    for r in files:
        for fact in r.facts:
            match fact:
                case GoAsm(arm, _, names):
                    asm.append((r.file, fact))
                    if arm:
                        arm64_defined.update(names)
                case GoSymbols(defined, calls):
                    arm64_defined.update(defined)
                    arm64_calls.update(calls)
                case GoFuncs(declared):
                    for n, line in declared:
                        amd64_only.setdefault(n, (r.file, line))
    out = []
    for asm_file, fact in asm:
        if fact.arm64 or not fact.amd64 or not fact.symbols:
            continue
        missing = [s for s in fact.symbols if s not in arm64_defined]
        if missing:
            shown = ", ".join(missing[:6]) + (
                f" and {len(missing) - 6} more" if len(missing) > 6 else ""
            )
            arch = "386" if asm_file.endswith("_386.s") else "amd64"
            out.append(
                finding(rules, "go-asm-no-arm64", asm_file, language="go", arch=arch, symbols=shown)
            )
    for name, (decl_file, decl_line) in sorted(amd64_only.items()):
        if name in arm64_calls and name not in arm64_defined:
            out.append(
                finding(
                    rules,
                    "go-missing-arm64-symbol",
                    decl_file,
                    decl_line,
                    6,
                    language="go",
                    name=name,
                    length=len(name),
                    snippet=f"func {name}(...)",
                )
            )
    return out


def has_go(ctx: PassContext) -> bool:
    """Go files in the tree (a package of Go assembly alone has nothing to join)."""
    return any(r.language == "go" for r in ctx.results)


PASS = Pass("go-packages", has_go, resolve)
