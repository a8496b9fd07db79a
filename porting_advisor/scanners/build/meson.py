# SPDX-License-Identifier: Apache-2.0
"""Meson: variables that hold an x86-only test of the architecture."""

from __future__ import annotations

from porting_advisor.core import lazy_re
from porting_advisor.scanners.build.conditions import ARCH_SUBJECT
from porting_advisor.scanners.build.listings import paren_balance
from porting_advisor.scanners.build.tracker import Tracker

MESON_ASSIGN = lazy_re.compile(r"^\s*(\w+)\s*=(?!=)\s*(.*)$")
# A C, C++ or assembly source named in a build file (`x86/crc.S`, `${DIR}/x86/crc.S`,
# 'a/b.s', crc_sse42.c), or the start of one built by concatenation (Meson's
# 'svml/avx512/svml_z0_' + name + '.s').


def track_assignment(
    tracker: Tracker, open_: tuple[str, list[str]] | None, text: str
) -> tuple[str, list[str]] | None:
    """Follow a Meson assignment over its lines (an expression in parentheses may span
    several); once complete, a variable set to an x86-only test of the architecture joins
    the tracker's x86 variables. Returns the assignment still open, if any."""
    if open_ is None:
        m = MESON_ASSIGN.match(text)
        if m is None:
            return None
        open_ = (m.group(1), [m.group(2)])
    else:
        open_[1].append(text)
    rhs = " ".join(open_[1])
    if paren_balance(rhs) > 0:
        return open_
    if ARCH_SUBJECT.search(rhs) and tracker.classify(rhs) == "x86":
        tracker.x86_vars.add(open_[0])
    else:
        tracker.x86_vars.discard(open_[0])
    return None


# the variable a line adds to: Make's `NAME +=`, CMake's `set(NAME` / `list(APPEND NAME`
