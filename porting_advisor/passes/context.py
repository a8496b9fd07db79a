# SPDX-License-Identifier: Apache-2.0
"""What a cross-file pass is and what it reads: the `Pass` record and the `PassContext`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import NamedTuple

from porting_advisor.core.archnames import TreeIndex
from porting_advisor.core.model import FileResult, Finding, Options
from porting_advisor.core.ruleset import RuleSet

# How build files name sources: exact tree paths, and file-name prefixes (a Meson string
# concatenated with the rest of the name), each with whether it is named only in x86-only
# branches and where ("CMakeLists.txt:12"). Built by `listings.source_listings`.
Listings = tuple[dict[str, list[tuple[bool, str]]], list[tuple[str, bool, str]]]


@dataclass(slots=True)
class PassContext:
    """The scan as the passes see it. Passes read it and do no file I/O: what they need,
    the workers recorded as facts."""

    results: list[FileResult]  # the files with something to say, in walk order
    findings: list[Finding]  # every finding so far: each pass's `run` returns the next list
    index: TreeIndex  # every file and directory of the tree
    listings: Listings  # the sources build files name
    options: Options
    rules: RuleSet

    def filter_out(self, f: Finding, reason: str) -> Finding | None:
        """`f` marked filtered with `reason`, for --no-filter to list; None without it (the
        finding would be dropped: a tree of x86 kernels marks thousands)."""
        if not self.options.no_filter:
            return None
        return replace(f, filtered=True, filtered_reason=reason)


class Pass(NamedTuple):
    """One cross-file pass: `run` gives the new list of findings (with findings added,
    dropped or marked filtered); it is called only when `applies`."""

    name: str
    applies: Callable[[PassContext], bool]
    run: Callable[[PassContext], list[Finding]]


def always(ctx: PassContext) -> bool:
    """For passes that look at every finding."""
    return True
