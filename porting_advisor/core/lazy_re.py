# SPDX-License-Identifier: Apache-2.0
"""Module-level regular expressions, compiled when first used.

Compiling is most of what loading the scanners costs, and it happens in the parent before
the workers fork, while the other core waits; a tree uses about half of the patterns of the
modules it loads. A pattern made with `compile` here costs nothing until one of its methods
is first looked up; then it is compiled once in that process and its methods are bound on
the object, so later calls cost what a compiled pattern's do. `pattern` is known at once
(modules build patterns from others' sources). A match's `re` is the compiled pattern, not
this object: tell patterns apart by their `pattern`, never with `is`.
"""

from __future__ import annotations

import re
from typing import Any, cast

# what a compiled pattern offers, bound on the object once it is compiled
METHODS = (
    "search",
    "match",
    "fullmatch",
    "findall",
    "finditer",
    "sub",
    "subn",
    "split",
    "scanner",
    "flags",
    "groups",
    "groupindex",
)


class LazyPattern:
    """A `re.Pattern` in waiting (see the module docstring)."""

    def __init__(self, pattern: str, flags: int) -> None:
        self.pattern = pattern
        self.source_flags = flags

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # (what copy and pickle probe for: not the pattern's)
            raise AttributeError(name)
        compiled = re.compile(self.pattern, self.source_flags)
        for method in METHODS:
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy_re.compile({self.pattern!r}, {self.source_flags})"


def compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)`, done when the pattern is first used."""
    return cast("re.Pattern[str]", LazyPattern(pattern, flags))
