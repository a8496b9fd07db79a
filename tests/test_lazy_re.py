"""Module-level patterns are compiled when first used (core.lazy_re): each one must still be
a valid expression, and behave as the compiled pattern does."""

from __future__ import annotations

import copy
import importlib
import pickle
import pkgutil
import re

import porting_advisor
from porting_advisor.core import lazy_re


def every_module() -> list[str]:
    return [
        m.name
        for m in pkgutil.walk_packages(porting_advisor.__path__, "porting_advisor.")
        if not m.name.startswith("porting_advisor.__main__")
    ]


def test_every_lazy_pattern_compiles():
    """An invalid pattern would fail only when a scan first used it: compile them all."""
    seen = 0
    for name in every_module():
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, lazy_re.LazyPattern):
                value.search("")  # compiles it: an invalid pattern raises re.error
                seen += 1
    assert seen > 300  # (the scanners' patterns: a change that made them eager shows here)


def test_a_lazy_pattern_behaves_as_the_compiled_one():
    lazy = lazy_re.compile(r"(?P<word>[a-z]+)(\d)", re.I)
    eager = re.compile(r"(?P<word>[a-z]+)(\d)", re.I)
    text = "ab1 CD2 ef"
    assert lazy.pattern == eager.pattern
    assert isinstance(lazy, lazy_re.LazyPattern) and "search" not in vars(lazy)  # not yet
    assert lazy.findall(text) == eager.findall(text) == [("ab", "1"), ("CD", "2")]
    assert "search" in vars(lazy)  # compiled once, its methods bound
    assert lazy.search(text).span() == eager.search(text).span()  # type: ignore[union-attr]
    assert [m.group("word") for m in lazy.finditer(text)] == ["ab", "CD"]
    assert lazy.sub("-", text) == eager.sub("-", text)
    assert lazy.split(text) == eager.split(text)
    assert (lazy.flags, lazy.groups, lazy.groupindex) == (
        eager.flags,
        eager.groups,
        eager.groupindex,
    )
    assert lazy.fullmatch("x9") is not None and lazy.match("9x") is None


def test_a_lazy_pattern_copies_and_pickles_before_and_after_use():
    for used in (False, True):
        lazy = lazy_re.compile(r"a+b")
        if used:
            lazy.search("aab")
        for other in (copy.deepcopy(lazy), pickle.loads(pickle.dumps(lazy))):
            assert other.search("xaab").group() == "aab"  # type: ignore[union-attr]
