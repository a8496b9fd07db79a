# SPDX-License-Identifier: Apache-2.0
"""What every dependency reader shares: the manifest entry (`Dep`), the knowledge table
(rules/deps/arm64-packages.tsv) and its look-up, and the line of a name in a parsed file."""

from __future__ import annotations

import bisect
import csv
import fnmatch
import functools
import re
from dataclasses import dataclass

from porting_advisor.core import ruleset


@dataclass(frozen=True, slots=True)
class Dep:
    ecosystem: str
    name: str  # PEP 503 for PyPI, artifactId for Maven (group kept apart), module path
    version: str  # exact pinned version, or ""
    specifier: str  # as written
    line: int
    group: str = ""
    marker: str = ""  # PEP 508 environment marker, as written
    direct: str = ""  # a URL or local path the requirement names instead of an index version
    resolved: bool = False  # from a lock file: the version installed, not a request
    via: str = ""  # lock files: the package that pulled it in, where the lock file says


@dataclass(frozen=True, slots=True)
class Knowledge:
    min_version: str  # first Arm64-ready version ("" when none)
    status: str  # min, unsupported, manual-build, x86-only, source-build, portable
    note: str  # the alternative, or the system packages a source build needs
    x86_only_from: str = ""  # first release with x86-64 wheels only: older ones have none
    x86_only_after: tuple[str, ...] = ()  # releases after min_version with no Arm64 build
    arm64_before: tuple[str, ...] = ()  # releases before min_version with one (backports)


@functools.cache
def knowledge() -> dict[tuple[str, str], Knowledge]:
    path = ruleset.data_dir("rules") / "deps" / "arm64-packages.tsv"
    with path.open(newline="", encoding="utf-8") as fh:
        return {
            (r["ecosystem"], r["name"].lower()): Knowledge(
                r["min_version"],
                r["status"],
                r["note"],
                r["x86_only_from"],
                tuple(r["x86_only_after"].split()),
                tuple(r["arm64_before"].split()),
            )
            for r in csv.DictReader(fh, delimiter="\t")
        }


def line_of(text: str, needle: str, default: int = 1) -> int:
    """First line where `needle` appears as a quoted name or a key (parsers lose positions)."""
    quoted = rf"[\"']{re.escape(needle)}[\"'\[\s=<>~!;@]"
    for pattern in (quoted, rf"(?m)^[ \t]*{re.escape(needle)}\s*=", re.escape(needle)):
        m = re.search(pattern, text, re.I)
        if m:
            return text.count("\n", 0, m.start()) + 1
    return default


def lookup(dep: Dep) -> Knowledge | None:
    """The knowledge entry for a dependency: Maven by groupId:artifactId (globs allowed)."""
    table = knowledge()
    if dep.ecosystem != "maven":
        return table.get((dep.ecosystem, dep.name.lower()))
    coordinate = f"{dep.group or '*'}:{dep.name}".lower()
    hit = table.get(("maven", coordinate))
    if hit is not None:
        return hit
    for (_, name), entry in maven_globs():
        if fnmatch.fnmatchcase(coordinate, name) or (
            not dep.group and fnmatch.fnmatchcase(dep.name.lower(), name.split(":", 1)[1])
        ):
            return entry
    return None


@functools.cache
def maven_globs() -> tuple[tuple[tuple[str, str], Knowledge], ...]:
    return tuple((k, v) for k, v in knowledge().items() if k[0] == "maven")


class Cursor:
    """Lines of a lock file's entries, found in the order a parser visits them. Lock files
    are written in that order, so searching forward from the last hit finds each entry's own
    key (a name that recurs in a nested `dependencies` or a `requires` table is passed over)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def find(self, pattern: str) -> int:
        """The line of the next match of `pattern` (0 when none: the cursor stays)."""
        m = re.compile(pattern).search(self.text, self.pos)
        if m is None:
            return 0
        self.pos = m.end()
        return bisect.bisect_right(self.starts, m.start())
