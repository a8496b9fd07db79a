# SPDX-License-Identifier: Apache-2.0
"""Build files: x86-only flags and libraries, x86-only architecture tests, x86 paths.

Make, CMake, autotools (configure.ac, *.m4), Meson, Bazel, setup.py and shell scripts are read
as logical lines (continuations joined, comments removed) while a small tracker follows their
conditionals. A flag or library inside an x86-only branch, or inside a compiler probe, is
already handled and is not reported.
"""

from __future__ import annotations

from porting_advisor.core import lazy_re
from porting_advisor.core.facts import Defines, Status
from porting_advisor.core.source import Source
from porting_advisor.scanners import fp_contract
from porting_advisor.scanners.build import cmake, conda, macros, reach, setup_py
from porting_advisor.scanners.build.bazel import track_select
from porting_advisor.scanners.build.conditions import probe_in, x86_switch
from porting_advisor.scanners.build.flags import (
    ARM_PATH,
    PATHS,
    VOCAB,
    check_flags,
    check_libraries,
    check_line,
    library_word,
    link_context,
)
from porting_advisor.scanners.build.listings import (
    LIST_NAME,
    SOURCE_NAME,
    bracket_balance,
    list_sources,
    paren_balance,
)
from porting_advisor.scanners.build.make import MakeModel
from porting_advisor.scanners.build.meson import track_assignment
from porting_advisor.scanners.build.syntax import SYNTAX, logical_lines, shell_steps, syntax_of
from porting_advisor.scanners.build.tracker import Tracker
from porting_advisor.scanners.build.variables import Uses

__all__ = ["ARM_PATH", "PATHS", "check_flags", "check_libraries", "scan"]
MAKE_RULE = lazy_re.compile(r"([\w.%/$(){}-]+(?:[ \t]+[\w.%/$(){}-]+)*)[ \t]*::?(?!=)")
CMAKE_BLOCK = lazy_re.compile(
    r"(?i)^\s*(?:(?:macro|function)\s*\(\s*([\w.-]+)|end(?:macro|function)\b)"
)
# A build file for Windows (libsodium's dist-build/msys2-win64.sh, a win32/Makefile,
# a MinGW toolchain file): when the target is Linux it builds nothing for it.
X86_BRANCH = "an x86-only branch"
# a Make or CMake target that builds tests or benchmarks (`bench_crc`, `test32`, `fuzzer`)
TEST_TARGET = lazy_re.compile(
    r"(?i)(?:^|[_.-])(?:tests?|bench\w*|benchmarks?|fuzz\w*|check)(?:[_.\d-]|$)"
)
# the Makefiles read for their checks; other Make files (Makefile.unx, make.inc, *.mak) are
# read for reachability only
STANDARD_MAKE = lazy_re.compile(r"(?:^|/)(?:Makefile|makefile|GNUmakefile|[^/]*\.(?:mk|am))$")
WINDOWS_BUILD = lazy_re.compile(  # (rules/vocab/windows.yaml)
    r"(?i)(?:^|[/_.-])" + VOCAB.windows.build_paths.alternation("") + r"(?:[/_.-]|$)"
)


def scan(src: Source) -> None:
    """Check one build file or script."""
    if src.language == "yaml":
        conda.scan(src)
        return
    kind = syntax_of(src)
    macros.record(src, kind)
    if not kind and src.language == "python":
        setup_py.x86_parts(src)  # a build helper: the extension modules it drops, no checks
        return
    if not kind:
        return
    windows = src.options.target_os == "linux" and WINDOWS_BUILD.search(src.file) is not None
    reach.record(src, kind, windows)  # what it names, for the reachability pass
    if windows or (kind == "make" and not STANDARD_MAKE.search(src.file)):
        return  # (Makefile.unx, make.inc: read for reachability only)
    fp_contract.scan_build(src)  # (before the early returns: it looks for other words)
    # (a Python script's x86-only parts are blanked, and its facts recorded, first)
    text = setup_py.x86_parts(src) if kind == "python" else src.text
    libraries = library_word(text)  # (else no line has one)
    if not (
        ("-m" in text or "/arch:" in text or "-x" in text or "-ax" in text)
        or "x86" in text
        or "amd64" in text
        or "86" in text
        or "uname" in text
        or "try_run" in text
        or "RUN" in text
        or "machine" in text
        or libraries
    ):
        return
    tracker = Tracker(src, kind)
    tracker.libraries = libraries
    syntax = SYNTAX[kind]
    assignment: tuple[str, list[str]] | None = None  # a Meson assignment still open
    listings = kind in ("make", "cmake", "meson", "python") and SOURCE_NAME.search(text) is not None
    current, depth = "", 0
    uses = Uses(kind)
    lines = cmake.commands(text) if kind == "cmake" else logical_lines(text, syntax)
    if kind in ("shell", "autotools"):
        lines = shell_steps(lines)
    make = MakeModel(lines) if kind == "make" else None
    model = cmake.Model(src.options.target_os) if kind == "cmake" else None
    for first, line_text, marks in lines:
        if kind == "meson" and (assignment is not None or "=" in line_text):
            assignment = track_assignment(tracker, assignment, line_text)
        if listings:
            # the list a line adds to, over the lines of a CMake `set(NAME` or a Meson `[`
            m = LIST_NAME.match(line_text) if depth <= 0 else None
            if m is not None:
                current = m.group(1) or m.group(2)
                depth = (1 if m.group(2) else 0) + bracket_balance(line_text[m.end() :])
            list_sources(src, tracker, first, line_text, current)
            if m is None:
                depth += bracket_balance(line_text)
            if depth <= 0:
                current, depth = "", 0
        if kind == "make" and not line_text.startswith("\t") and line_text.strip():
            # a rule line starts a recipe: `bmix64build: ...` is a target only x86 runs
            rule = MAKE_RULE.match(line_text)
            tracker.x86_recipe = rule is not None and x86_switch(rule.group(1))
            tracker.unbuilt = make.reason(line_text) if make is not None else ""
            tracker.test_only = rule is not None and all(
                TEST_TARGET.search(t) for t in rule.group(1).split()
            )
        if model is not None:
            tracker.unbuilt = model.step(line_text)
            tracker.test_only = model.target is not None and bool(TEST_TARGET.search(model.target))
        if kind == "cmake" and (block := CMAKE_BLOCK.match(line_text)):
            # so is the body of a macro or function named for x86 (zlib-ng's
            # `macro(check_avx512_intrinsics)`, called only when it builds for x86)
            tracker.x86_recipe = block.group(1) is not None and x86_switch(block.group(1))
        control = tracker.step(first, line_text)
        if kind == "bazel":
            track_select(tracker, line_text)
        probe_before = tracker.probe_depth > 0
        probe = probe_in(line_text)
        if probe:  # a probe call may span lines: follow its parentheses
            tracker.probe_depth = max(0, paren_balance(line_text[probe.start() :]))
        elif tracker.probe_depth:
            tracker.probe_depth = max(0, tracker.probe_depth + paren_balance(line_text))
        in_probe = probe_before or probe is not None
        link_before = tracker.link_depth > 0
        link = link_context(line_text)
        if link:
            tracker.link_depth = max(0, paren_balance(line_text[link.start() :]))
        elif tracker.link_depth:
            tracker.link_depth = max(0, tracker.link_depth + paren_balance(line_text))
        in_link = link_before or link is not None
        if not control:
            tracker.note_content(line_text)
        before = len(src.findings)
        if not control or syntax.open:
            check_line(src, tracker, line_text, marks, in_probe, in_link)
        uses.line(
            src, first, line_text, before, X86_BRANCH if tracker.x86_only() else tracker.unbuilt
        )
    tracker.finish()
    uses.settle(src)
    if model is not None and model.probes:
        # a config header's HAVE_* from a header probe: defined on Arm64 only when the probe
        # finds the header there (`check_include_files(intrin.h HAVE_INTRIN_H)` does not, nor
        # does a probe only MSVC builds run); a definition under "0" is one never compiled
        src.facts.append(
            Defines(
                tuple(
                    (name, "1", Status.ACTIVE, () if found else ("0",))
                    for name, found in sorted(model.probes.items())
                )
            )
        )
