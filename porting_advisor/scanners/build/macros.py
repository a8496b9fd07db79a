# SPDX-License-Identifier: Apache-2.0
"""The macro names build inputs mention, for the C guards pass's "switches nothing defines".

Every build file (Make, CMake, Meson, autotools, Bazel, setup.py and its helpers, shell
scripts), config header template (`config.h.in`: `#cmakedefine`, `#undef`, `#mesondefine`),
build of another system (MSBuild, SCons, GN, GYP) and CI configuration records the macro-like
names it mentions, wherever they stand: a `-D` flag, `add_definitions`, `conf.set`,
`AC_DEFINE`, a cache option of the same name, even a comment. A name one of them mentions may
be defined by some build, and stays unknown.
"""

from __future__ import annotations

from porting_advisor.core import lazy_re
from porting_advisor.core.facts import MacroWords
from porting_advisor.core.source import Source

# (the candidates of the pass: capitals and digits with an underscore; `-DNAME` / `/DNAME`
# glue the flag to the name, so the name is found after it too)
WORD = lazy_re.compile(r"(?<![A-Za-z0-9_])(?:[-/]D\s*)?([A-Z][A-Z0-9]*_[A-Z0-9_]*)")
FLAG = lazy_re.compile(r"(?<![A-Za-z0-9_])[-/]D\s*([A-Z][A-Z0-9]*_[A-Z0-9_]*)")
# Build files whose commands the scanners read: a tree with one has a build the pass knows.
BUILDS = frozenset({"make", "cmake", "meson", "autotools"})


def record(src: Source, kind: str) -> None:
    """Every macro-like name of a build file or build input (`kind` its syntax, if known)."""
    if names := set(WORD.findall(src.text)):
        builds = kind in BUILDS or src.file.rpartition("/")[2] == "setup.py"
        src.facts.append(MacroWords(tuple(sorted(names)), builds))


def record_flags(src: Source) -> None:
    """Only the `-D` names: a CI job or a container build that compiles with them."""
    if "D" in src.text and (names := set(FLAG.findall(src.text))):
        src.facts.append(MacroWords(tuple(sorted(names)), False))


def scan(src: Source) -> None:
    """A build input read only for its macro names (config templates, other build systems)."""
    record(src, "")
