# SPDX-License-Identifier: Apache-2.0
"""Cross-file passes over the workers' per-file facts, run in the parent after the scan."""

from __future__ import annotations

import bisect
import posixpath
import re
from dataclasses import replace

from porting_advisor.core.archnames import (
    TreeIndex,
    arch_of_name,
    arm_counterpart,
    neutral_stem,
    x86_named,
)
from porting_advisor.core.facts import (
    Arch,
    AsmFile,
    AsmInclude,
    BinaryFile,
    CiArm,
    JniClass,
    JniFunctions,
    Listed,
)
from porting_advisor.core.model import FileResult, Finding, on_disk
from porting_advisor.core.ruleset import RuleSet
from porting_advisor.core.source import finding


def content(result: FileResult) -> AsmFile | BinaryFile | None:
    """What an assembly file's code or a binary is built for, when known."""
    return next((f for f in result.facts if isinstance(f, AsmFile | BinaryFile)), None)


def whole_files(
    results: list[FileResult], index: TreeIndex, rules: RuleSet, listings: Listings
) -> list[Finding]:
    """One finding per x86 assembly file or prebuilt x86 binary with no Arm64 counterpart."""
    arm_files: dict[str, list[str]] = {}  # directory -> files whose content is Arm64
    results = [r for r in results if r.language in ("asm", "binary")]
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
    for r in results:
        fact = content(r)
        if fact is None or fact.arch != Arch.X86:
            continue
        if isinstance(fact, BinaryFile):
            if not arm_counterpart(r.file, index, arm_files):
                out.append(
                    finding(
                        rules,
                        "binary-x86-only",
                        r.file,
                        language="binary",
                        kind=fact.kind,
                        arch=fact.arches,
                        detail=fact.detail,
                    )
                )
            continue
        if arm_counterpart(r.file, index, arm_files):
            continue
        # not assembled for Arm64: named by the build only for x86, or part of another file
        note = ""
        if site := x86_listing(r.file, listings):
            note = f"assembled only for x86: {site}"
        elif part_of := sorted(
            f for f in includers.get(posixpath.basename(r.file), ()) if f != r.file
        ):
            note = f"included by {part_of[0]}" + (
                f" and {len(part_of) - 1} more" if len(part_of) > 1 else ""
            )
        symbols = fact.symbols
        shown = ", ".join(symbols[:8]) + (
            f" and {len(symbols) - 8} more" if len(symbols) > 8 else ""
        )
        out.append(
            finding(
                rules,
                "asm-x86-source",
                r.file,
                language="asm",
                guard=fact.guard,  # settled by the C guards pass
                syntax=fact.syntax or "x86",
                symbols=f"; defines {shown}" if symbols else "",
                filtered=bool(note),
                note=note,
            )
        )
    return out


# How build files name sources: exact paths, and file-name prefixes (a Meson string
# concatenated with the rest of the name), each with where it was named and whether only in
# x86-only branches.
Listings = tuple[dict[str, list[tuple[bool, str]]], list[tuple[str, bool, str]]]


def source_listings(results: list[FileResult], index: TreeIndex) -> Listings:
    """Resolve the `listed` facts of build files to tree paths (`resolve_listed`)."""
    exact: dict[str, list[tuple[bool, str]]] = {}
    prefixes: list[tuple[str, bool, str]] = []
    for r in results:
        for fact in r.facts:
            if not isinstance(fact, Listed):
                continue
            site = (fact.x86_only, f"{r.file}:{fact.line}")
            base = posixpath.dirname(r.file)
            if fact.prefix:
                prefixes.append((posixpath.normpath(posixpath.join(base, fact.name)), *site))
                continue
            exact.setdefault(resolve_listed(base, fact.name, index), []).append(site)
    return exact, prefixes


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
    return first


def x86_listing(file: str, listings: Listings) -> str:
    """Where the build names `file` if it does so only in x86-only branches, else ''."""
    exact, prefixes = listings
    sites = exact.get(file, []) + [(x86, at) for p, x86, at in prefixes if file.startswith(p)]
    return sites[0][1] if sites and all(x86 for x86, _ in sites) else ""


def ported_paths(
    findings: list[Finding], index: TreeIndex, listings: Listings | None = None
) -> list[Finding]:
    """Findings in files the target's build does not compile (`not_built`) are marked
    filtered."""
    sources = {f.file for f in findings if f.language in ("c", "cpp")}
    ported = {
        file
        for file in {f.file for f in findings}
        if not_built(file, file in sources, index, listings)
    }
    if not ported:
        return findings
    return [
        replace(f, filtered=True) if f.file in ported and not f.filtered else f for f in findings
    ]


def not_built(file: str, source: bool, index: TreeIndex, listings: Listings | None) -> bool:
    """Is `file` (a C/C++ `source` or not) left out of an Arm64 build? Ported code: named for
    x86 with an Arm64 sibling (`x86/` next to `arm/`, `crc_sse42.c` next to `crc_neon.c`);
    for sources also an x86-only variant of a per-architecture directory
    (`x86_variant_only`) or of a neutral source (`generic_twin`); sources and assembly in a
    directory named for another architecture; sources the build names only for x86
    (`if(CMAKE_SYSTEM_PROCESSOR MATCHES x86_64)` / `list(APPEND SRCS crc_fast.c)`)."""
    path = on_disk(file)
    if x86_named(path) and (
        arm_counterpart(path, index)
        or (source and (x86_variant_only(path, index) or generic_twin(path, index)))
    ):
        return True
    if (source or file.endswith(ASM_FILES)) and other_arch_path(file):
        return True
    return source and listings is not None and bool(x86_listing(file, listings))


def generic_twin(path: str, index: TreeIndex) -> str:
    """The architecture-neutral file that a file named for an x86 ISA is a variant of, or ''.
    OpenCV's per-ISA dispatch sources (`imgwarp.sse4_1.cpp`, `fast.avx2.cpp`) sit beside the
    file they speed up (`imgwarp.cpp`, whose universal intrinsics serve NEON), and its CMake
    builds them only for x86: the neutral file is the Arm64 path."""
    directory, name = posixpath.split(path)
    if arch_of_name(name) != "x86":
        return ""
    stem, header = neutral_stem(name), name.endswith(HEADERS)
    for other in index.by_dir.get(directory, ()):
        # (a source's twin is a source: `crc32.h` declares what `crc32_sse42.c` defines)
        if (
            other != name
            and other.endswith(C_SOURCES + HEADERS)
            and other.endswith(HEADERS) == header
            and not arch_of_name(other)
            and neutral_stem(other) == stem
        ):
            return other
    return ""


ASM_FILES = (".s", ".S", ".asm", ".nasm", ".sx")
# Names for other architectures that say so without doubt (not `vx`, `lsx` or `wasm`, which
# are also library names: TIM-VX, ...)
OTHER_ARCH_DIRS = re.compile(
    r"(?i)^(?:ppc(?:64(?:le)?)?|powerpc(?:64(?:le)?)?|power(?:7|8|9|10)|"
    r"vsx\d?|altivec|s390x?|zarch|mips(?:32|64)?(?:el)?|"
    r"riscv(?:32|64)?|loongarch(?:64)?|loongson|sparc(?:64|v9)?)$"
)


def other_arch_path(path: str) -> bool:
    """Is the file in a directory named for another architecture (libjpeg-turbo's
    `simd/mips64/`, whose Loongson MMI asm mimics MMX names)? It is built only there."""
    return any(OTHER_ARCH_DIRS.match(part) for part in path.split("/")[:-1])


C_SOURCES = (".c", ".cc", ".cpp", ".cxx", ".c++", ".m", ".mm")
HEADERS = (".h", ".hh", ".hpp", ".hxx", ".h++", ".inl", ".ipp")


def x86_variant_only(path: str, index: TreeIndex) -> bool:
    """A file named for an x86 feature in a directory of per-architecture files for Arm and
    at least one other architecture, with a twin for none of them (numpy's
    `distutils/checks/extra_avx512f_reduce.c` beside `cpu_neon.c`, `cpu_vsx.c`, `cpu_vx.c`):
    the build picks that directory's files by architecture, and POWER or s390x builds without
    this one, so the feature has a fallback; it is not an Arm64 problem. (With only x86 and
    Arm files in the directory nothing says so: a file with no Arm twin there is reported.
    C/C++ only: an assembly routine with no twin is a symbol every architecture that links
    it must get from somewhere, and stays reported.)"""
    directory, name = posixpath.split(path)
    if arch_of_name(name.split(".", 1)[0]) != "x86":
        return False
    others = [
        n for n in index.by_dir.get(directory, ()) if arch_of_name(n.split(".", 1)[0]) == "other"
    ]
    if not others or not index.arm_named(directory):
        return False
    stem = neutral_stem(name)
    return all(neutral_stem(n) != stem for n in others)


def jni_in_tree(results: list[FileResult], findings: list[Finding]) -> list[Finding]:
    """A Java class's native methods need no Arm64 library from elsewhere when the tree
    implements their JNI functions itself (`Java_org_libjpegturbo_turbojpeg_TJ_...` in its
    C): building the tree for Arm64 builds them."""
    symbols = sorted(
        s for r in results for f in r.facts if isinstance(f, JniFunctions) for s in f.names
    )
    if not symbols:
        return findings
    built = set()
    for r in results:
        for fact in r.facts:
            if not isinstance(fact, JniClass):
                continue
            at = bisect.bisect_left(symbols, fact.prefix)
            if at < len(symbols) and symbols[at].startswith(fact.prefix):
                built.add(r.file)
    return [
        f
        for f in findings
        if not (f.file in built and f.rule == "java-native-library" and f.key == "native method")
    ]


def ci_arm_elsewhere(results: list[FileResult], findings: list[Finding]) -> list[Finding]:
    """`ci-x64-only-runner` only when no CI configuration in the tree runs on Arm64."""
    if not any(isinstance(fact, CiArm) for r in results for fact in r.facts):
        return findings
    return [f for f in findings if f.rule != "ci-x64-only-runner"]
