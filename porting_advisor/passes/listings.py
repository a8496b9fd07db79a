# SPDX-License-Identifier: Apache-2.0
"""The build's source listings, and the whole-files pass: x86 assembly files and prebuilt x86
binaries with no Arm64 counterpart in the tree."""

from __future__ import annotations

import posixpath

from porting_advisor.core import lazy_re
from porting_advisor.core.archnames import TreeIndex, arm_counterpart, x86_named
from porting_advisor.core.facts import (
    Arch,
    AsmFile,
    AsmInclude,
    BinaryFile,
    BuildReach,
    CFunctions,
    DroppedOffX86,
    Listed,
    PyExtension,
)
from porting_advisor.core.model import FileResult, Finding
from porting_advisor.core.source import finding, shortlist
from porting_advisor.passes.context import Listings, Pass, PassContext
from porting_advisor.passes.reach import make_refs, referenced
from porting_advisor.scanners.binaries import other_os

PYTHON_BUILD = lazy_re.compile(r"(?:^|/)(?:setup|\w*_build|build_\w+)\.py$")


def source_listings(results: list[FileResult], index: TreeIndex) -> Listings:
    """Resolve the `Listed` facts of build files to tree paths (`resolve_listed`)."""
    exact: dict[str, list[tuple[bool, str]]] = {}
    prefixes: list[tuple[str, bool, str]] = []
    unused = unused_lists(results)
    for r in results:
        for fact in r.facts:
            if not isinstance(fact, Listed) or (r.file, fact.variable) in unused:
                continue
            site = (fact.x86_only, f"{r.file}:{fact.line}")
            base = posixpath.dirname(r.file)
            if fact.prefix:
                prefixes.append((posixpath.normpath(posixpath.join(base, fact.name)), *site))
                continue
            exact.setdefault(resolve_listed(base, fact.name, index), []).append(site)
    # Python extensions a build helper removes unless an x86-only compile probe succeeds:
    # their sources are built only for x86, wherever else they are named
    dropped = [
        (fact.module, f"{r.file}:{fact.line}")
        for r in results
        for fact in r.facts
        if isinstance(fact, DroppedOffX86)
    ]
    if dropped:
        for r in results:
            for fact in r.facts:
                if not isinstance(fact, PyExtension):
                    continue
                at = next((a for m, a in dropped if fact.module.endswith(m)), "")
                for name in fact.sources if at else ():
                    path = resolve_listed(posixpath.dirname(r.file), name, index)
                    exact[path] = [(True, at)]
    return exact, prefixes


def unused_lists(results: list[FileResult]) -> set[tuple[str, str]]:
    """(Make file, list variable) of the source lists no Make file of the tree refers to,
    in a file whose other lists are referred to (ISA-L's `lsrc32` in raid/Makefile.am, beside
    the `lsrc_x86_64` that make.inc uses): what they name is not built."""
    variables = {
        (r.file, fact.variable)
        for r in results
        for fact in r.facts
        if isinstance(fact, Listed) and fact.variable
    }
    if not variables:
        return set()
    read = [
        (r.file, fact)
        for r in results
        for fact in r.facts
        if isinstance(fact, BuildReach) and fact.kind == "make"
    ]
    refs, patterns = make_refs([fact for _, fact in read])
    unused = {(f, v) for f, v in variables if not referenced(v, refs, patterns)}
    # (a file none of whose lists is referred to keeps them all: its includer, which uses
    # them, is not read here; so does a file not read this way)
    consumed = {f for f, v in variables - unused} & {file for file, _ in read}
    return {(f, v) for f, v in unused if f in consumed}


def resolve_listed(base: str, name: str, index: TreeIndex) -> str:
    """The tree path of a file a build file in `base` names: from its directory, else from
    the nearest directory above it where the name exists (ISA-L's crc/Makefile.am, included
    by the top Makefile.am, names `crc/crc32_iscsi_01.asm` from the top)."""
    first = posixpath.normpath(posixpath.join(base, name))
    directory = base
    while directory and first not in index.files:
        directory = posixpath.dirname(directory)
        path = posixpath.normpath(posixpath.join(directory, name))
        if path in index.files:
            return path
    if first not in index.files and "/" not in name:
        # a bare name the script joins to a directory variable (argon2-cffi's
        # `lib_base / "opt.c"`): the one file of that name in the tree, if only one
        found = index.below(name)
        if len(found) == 1:
            return found[0]
    return first


def x86_listing(file: str, listings: Listings) -> str:
    """Where the build names `file` if it does so only in x86-only branches, else ''."""
    exact, prefixes = listings
    sites = exact.get(file, []) + [(x86, at) for p, x86, at in prefixes if file.startswith(p)]
    # What a Python build script names is what pip builds: a vendored library's own
    # Makefile (argon2-cffi's extras/libargon2/Makefile) is not run
    python = [s for s in sites if PYTHON_BUILD.search(s[1].rpartition(":")[0])]
    sites = python or sites
    return sites[0][1] if sites and all(x86 for x86, _ in sites) else ""


def content(result: FileResult) -> AsmFile | BinaryFile | None:
    """What an assembly file's code or a binary is built for, when known."""
    return next((f for f in result.facts if isinstance(f, AsmFile | BinaryFile)), None)


def whole_files(ctx: PassContext) -> list[Finding]:
    """One finding per x86 assembly file or prebuilt x86 binary with no Arm64 counterpart."""
    index, rules, listings = ctx.index, ctx.rules, ctx.listings
    arm_files: dict[str, list[str]] = {}  # directory -> files whose content is Arm64
    results = [r for r in ctx.results if r.language in ("asm", "binary")]
    # basename -> the assembly files that include a file of that name
    includers: dict[str, list[str]] = {}
    for r in results:
        for f in r.facts:
            if isinstance(f, AsmInclude):
                includers.setdefault(posixpath.basename(f.name), []).append(r.file)
    for r in results:
        if (fact := content(r)) is not None and fact.arch == Arch.ARM64:
            directory, name = posixpath.split(r.file)
            arm_files.setdefault(directory, []).append(name)
    out = []
    symbols: tuple[set[str], set[str]] | None = None  # (implemented for Arm64, called there)
    for r in results:
        fact = content(r)
        if fact is None or fact.arch != Arch.X86:
            continue
        if isinstance(fact, BinaryFile):
            if not arm_counterpart(r.file, index, arm_files):
                elsewhere = other_os(fact.os, ctx.options.target_os)
                out.append(
                    finding(
                        rules,
                        "binary-x86-only",
                        r.file,
                        language="binary",
                        kind=fact.kind,
                        arch=fact.arches,
                        detail=fact.detail,
                        filtered=bool(elsewhere),
                        filtered_reason=elsewhere,
                    )
                )
            continue
        if arm_counterpart(r.file, index, arm_files):
            continue
        # not assembled for Arm64: named by the build only for x86, or part of another file
        note, missing = "", []
        if site := x86_listing(r.file, listings):
            note = f"assembled only for x86: {site}"
            if symbols is None:
                symbols = arm64_symbols(ctx)
            missing = unimplemented(fact.symbols, *symbols)
        elif part_of := sorted(
            f for f in includers.get(posixpath.basename(r.file), ()) if f != r.file
        ):
            note = f"included by {shortlist(part_of, 1)}"
        if missing:
            # the build leaves it out on Arm64, and nothing else implements what the code
            # outside x86 calls (issue 18: no Arm64 crc_fold at all)
            note = f"{note}, and nothing defines {shortlist(missing, 4)} for Arm64"
        shown = shortlist(fact.symbols, 8)
        out.append(
            finding(
                rules,
                "asm-x86-source",
                r.file,
                language="asm",
                guard=fact.guard,  # settled by the C guards pass
                syntax=fact.syntax or "x86",
                symbols=f"; defines {shown}" if fact.symbols else "",
                filtered=bool(note) and not missing,
                filtered_reason=note,
                note=note,
            )
        )
    return ctx.findings + out


# A symbol a C program can call: not a macro's half-built name (`_NAME`, `no_`)
C_SYMBOL = lazy_re.compile(r"^(?!_[A-Z])_?[A-Za-z]\w*[a-z0-9]$")


def arm64_symbols(ctx: PassContext) -> tuple[set[str], set[str]]:
    """The functions the tree implements for Arm64 (defined by C/C++ not named or listed
    only for x86, or global in aarch64 assembly), and those such code declares (its calls)."""
    implemented: set[str] = set()
    called: set[str] = set()
    for r in ctx.results:
        for f in r.facts:
            if isinstance(f, AsmFile) and f.arch == Arch.ARM64:
                implemented.update(s.removeprefix("_") for s in f.symbols)
            elif (
                isinstance(f, CFunctions)
                and not x86_named(r.file)
                and not x86_listing(r.file, ctx.listings)
            ):
                implemented.update(f.defined)
                called.update(f.declared)
    return implemented, called


def unimplemented(symbols: tuple[str, ...], implemented: set[str], called: set[str]) -> list[str]:
    """The symbols of an x86-only assembly file that code outside x86 declares and nothing
    implements for Arm64 (the others have a C fallback or an aarch64 twin, or only x86 code
    calls them)."""
    out = []
    for s in symbols:
        name = s.removeprefix("_") if s.removeprefix("_") in called else s
        if C_SYMBOL.match(s) and name in called and name not in implemented:
            out.append(name)
    return out


def has_files(ctx: PassContext) -> bool:
    """Assembly files or binaries in the tree."""
    return any(r.language in ("asm", "binary") for r in ctx.results)


PASS = Pass("whole-files", has_files, whole_files)
