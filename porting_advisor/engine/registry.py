# SPDX-License-Identifier: Apache-2.0
"""Which scanners read which language: the one table. The languages it names are the ones
this version analyses (rules/languages.yaml lists the same; a test checks)."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from porting_advisor.core import lazy_re
from porting_advisor.core.source import ScanFn

# language -> the scanners that read its files, in the order they run (by family: see
# `scanner`). Every other language the walk names is counted, not analysed.
LANGUAGES: dict[str, tuple[str, ...]] = {
    "c": ("c",),
    "cpp": ("c",),
    "asm": ("asm",),
    "autotools": ("autotools", "build"),
    "make": ("build",),
    "cmake": ("build",),
    "meson": ("build",),
    "bazel": ("build",),
    "shell": ("build", "containers", "dotnet"),
    "docker": ("containers", "deploy", "dotnet"),
    "compose": ("containers", "deploy"),
    "ci": ("containers", "deploy", "dotnet"),
    "fortran": ("fortran",),
    "go": ("go",),
    "python": ("python",),
    "java": ("java",),
    "iac": ("deploy",),
    "yaml": ("deploy",),
    "json": ("deploy",),
    "node": ("node",),
    "javascript": ("node-arch",),
    "typescript": ("node-arch",),
    "rust": ("rust",),
    "csharp": ("dotnet",),
    "dotnet": ("dotnet",),
    "manifest": ("manifests", "java-build"),
    "build-config": ("build-config",),
}
# setup.py is Python, a build script (compiler flags) and a dependency manifest
SETUP_PY = ("build", "manifests", "python")
# other Python scripts that build extensions (cffi's `_ffi_build.py`): Python and build script
BUILD_SCRIPT = ("build", "python")
BUILD_SCRIPT_NAME = lazy_re.compile(r"(?:^|/)(?:\w*_build|build_\w+)\.py$")
# a conda recipe is YAML and a build file (its selectors pick scripts and packages per arch)
CONDA_RECIPE = ("deploy", "build")
# Prebuilt binaries and archives have a reader of their own (engine.tasks.scan_binary_task:
# headers and zip directories only, exempt from the text size cap), not a text scanner.
BINARY = "binary"

ANALYSED = frozenset(LANGUAGES) | {BINARY}


def analysed(language: str) -> bool:
    """Does this version read files of `language` (and so count them as work)?"""
    return language in ANALYSED


def scanners_for(language: str, setup_py: bool = False, file: str = "") -> tuple[ScanFn, ...]:
    """The scanners of a text file of `language` (none for a language only counted)."""
    families = LANGUAGES.get(language, ())
    if language == "python" and setup_py:
        families = SETUP_PY
    elif language == "python" and file and (BUILD_SCRIPT_NAME.search(file) or "/" not in file):
        # (a Python file beside setup.py may be its helper: pycryptodome's compiler_opt.py)
        families = BUILD_SCRIPT
    elif language == "yaml" and (file == "meta.yaml" or file.endswith("/meta.yaml")):
        families = CONDA_RECIPE
    return scanners_of(families)


def preload(languages: Iterable[str]) -> None:
    """Import the scanners of these languages, with the tables they load on first use. The
    parent calls it before forking its workers, which then inherit modules, compiled
    patterns and tables instead of each loading them again (about 0.15 s a process)."""
    for language in set(languages):
        families = [LANGUAGES.get(language, ())]
        if language == "python":
            families += [SETUP_PY, BUILD_SCRIPT]
        elif language == "yaml":
            families.append(CONDA_RECIPE)
        for names in families:
            scanners_of(names)
        if language in ("c", "cpp"):
            from porting_advisor.scanners.c import intrinsics

            intrinsics.names_set()
        elif language in ("ci", "compose"):
            from porting_advisor.scanners import cijobs  # noqa: F401 (and PyYAML)
        elif language == "csharp":
            from porting_advisor.scanners import csharp_dispatch  # noqa: F401


@functools.cache
def scanners_of(families: tuple[str, ...]) -> tuple[ScanFn, ...]:
    """(remembered per list of families: keyed by file, the cache grew with every file)"""
    return tuple(scanner(name) for name in families)


def scanner(family: str) -> ScanFn:
    """A scanner family's function. Its module is imported here, on first use (a Go tree
    never loads the C scanner), with a plain import statement: PyInstaller finds it."""
    match family:
        case "c":
            from porting_advisor.scanners.c import scan as cfamily

            return cfamily.scan
        case "asm":
            from porting_advisor.scanners import asm

            return asm.scan
        case "autotools":
            from porting_advisor.scanners import autotools

            return autotools.scan
        case "build":
            from porting_advisor.scanners import build

            return build.scan
        case "build-config":
            from porting_advisor.scanners.build import macros

            return macros.scan
        case "containers":
            from porting_advisor.scanners import containers

            return containers.scan
        case "deploy":
            from porting_advisor.scanners import deploy

            return deploy.scan
        case "fortran":
            from porting_advisor.scanners import fortran

            return fortran.scan
        case "go":
            from porting_advisor.scanners.go import scan as golang

            return golang.scan
        case "python":
            from porting_advisor.scanners import java_python

            return java_python.scan_python
        case "java":
            from porting_advisor.scanners import java_python

            return java_python.scan_java
        case "node":
            from porting_advisor.scanners import node

            return node.scan_node
        case "node-arch":
            from porting_advisor.scanners import node

            return node.scan_arch_checks
        case "rust":
            from porting_advisor.scanners import rust

            return rust.scan_rust
        case "dotnet":
            from porting_advisor.scanners import dotnet

            return dotnet.scan_dotnet
        case "java-build":
            from porting_advisor.scanners import java_python

            return java_python.scan_java_build
        case "manifests":
            from porting_advisor.scanners.deps import manifests

            return manifests.scan
    raise KeyError(f"no scanner family {family!r}")
