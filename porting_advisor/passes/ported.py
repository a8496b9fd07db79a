# SPDX-License-Identifier: Apache-2.0
"""The ported-code pass: findings in files an Arm64 build does not compile are filtered."""

from __future__ import annotations

import posixpath

from porting_advisor.core import lazy_re, vocab
from porting_advisor.core.archnames import (
    TreeIndex,
    arch_of_name,
    arm_counterpart,
    neutral_stem,
    x86_named,
)
from porting_advisor.core.facts import Include, Includes, Status
from porting_advisor.core.model import Finding, on_disk
from porting_advisor.passes.context import Listings, Pass, PassContext, always
from porting_advisor.passes.listings import x86_listing
from porting_advisor.passes.recipes import SCRIPTS


def ported_paths(ctx: PassContext) -> list[Finding]:
    """Findings in files the target's build does not compile (`not_built`) are marked
    filtered, with the reason."""
    findings, index, listings = ctx.findings, ctx.index, ctx.listings
    sources = {f.file for f in findings if f.language in ("c", "cpp")}
    linux = ctx.options.target_os == "linux"
    included = actively_included(ctx) if linux else set()
    why = {
        file: not_built(file, file in sources, index, listings)
        or (
            msvc_only(file)
            if linux
            and file.endswith(HEADERS)
            and file in sources
            and posixpath.basename(file) not in included
            else ""
        )
        for file in {f.file for f in findings}
    }
    if not any(why.values()):
        return findings
    return [
        g
        for f in findings
        if (g := ctx.filter_out(f, why[f.file]) if why[f.file] and not f.filtered else f)
    ]


def not_built(file: str, source: bool, index: TreeIndex, listings: Listings | None) -> str:
    """Why `file` (a C/C++ `source` or not) is left out of an Arm64 build, or "" when it is
    not. Ported code: named for x86 with an Arm64 sibling (`x86/` next to `arm/`,
    `crc_sse42.c` next to `crc_neon.c`); for sources also an x86-only variant of a
    per-architecture directory (`x86_variant_only`) or of a neutral source (`generic_twin`);
    sources and assembly in a directory named for another architecture; sources the build
    names only for x86 (`if(CMAKE_SYSTEM_PROCESSOR MATCHES x86_64)` / `list(APPEND SRCS
    crc_fast.c)`)."""
    path = on_disk(file)
    if path.startswith(".pc/") or "/.pc/" in path:
        return "a copy quilt keeps of a file before a Debian patch applies (not built)"
    if x86_named(path):
        if arm_counterpart(path, index):
            return "named for x86, with an Arm64 counterpart beside it"
        if source and x86_variant_only(path, index):
            return "an x86-only variant among per-architecture files"
        if source and (twin := generic_twin(path, index)):
            return f"an x86 variant of {twin}, which is the Arm64 path"
    if (source or file.endswith(ASM_FILES)) and other_arch_path(file):
        return "in a directory named for another architecture"
    if source and listings is not None and (site := x86_listing(file, listings)):
        return f"built only for x86: {site}"
    if file.endswith(SCRIPTS) and listings is not None and (site := x86_listing(file, listings)):
        return f"run only for x86: {site}"
    return ""


# a C/C++ header named for MSVC (`p256_64_msvc.h`, `msvc/compat.h`): its x86 code is for
# Microsoft's compiler, which builds nothing for a Linux target (its includer picks it under
# `_MSC_VER`, often in a file the include graph does not read: BoringSSL's `p256.c.inc`)
MSVC_NAMED = lazy_re.compile(r"(?i)(?:^|[/_.-])msvc(?:[/_.-]|$)")


def actively_included(ctx: PassContext) -> set[str]:
    """Names of the headers some scanned file includes in code the target may compile (an
    MSVC-named header included there is built: a GCC emulation of MSVC's intrinsics)."""
    out: set[str] = set()
    for r in ctx.results:
        for f in r.facts:
            if isinstance(f, Include) and f.status != Status.INACTIVE:
                out.add(posixpath.basename(f.header))
            elif isinstance(f, Includes):
                out.update(posixpath.basename(h) for h in f.headers)
    return out


def msvc_only(file: str) -> str:
    """Why a C/C++ header named for MSVC is not compiled for a Linux target ('' if it is
    not named so)."""
    if MSVC_NAMED.search(on_disk(file)):
        return "named for MSVC, whose builds are Windows only (the target OS is Linux)"
    return ""


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
# Names for other architectures that say so without doubt (rules/vocab/arch-tokens.yaml)
OTHER_ARCH_DIRS = vocab.get().arch.other_dirs


def other_arch_path(path: str) -> bool:
    """Is the file in a directory named for another architecture (libjpeg-turbo's
    `simd/mips64/`, whose Loongson MMI asm mimics MMX names)? It is built only there."""
    return any(part.lower() in OTHER_ARCH_DIRS for part in path.split("/")[:-1])


C_SOURCES = vocab.get().c_extensions.sources + vocab.get().c_extensions.objc
HEADERS = vocab.get().c_extensions.headers


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


PASS = Pass("ported", always, ported_paths)
