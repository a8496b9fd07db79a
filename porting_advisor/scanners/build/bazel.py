# SPDX-License-Identifier: Apache-2.0
"""Bazel: `select()` entries keyed by an x86 platform."""

from __future__ import annotations

from porting_advisor.core import lazy_re
from porting_advisor.scanners.build.conditions import classify_words
from porting_advisor.scanners.build.tracker import Tracker

SELECT_KEY = lazy_re.compile(r"\"([^\"]*(?://|:)[^\"]*)\"\s*:")


def track_select(tracker: Tracker, text: str) -> None:
    """Bazel select({...}): entries keyed by an x86 platform are x86-only."""
    m = SELECT_KEY.search(text)
    if m:
        tracker.in_select_x86 = 1 if classify_words(m.group(1)) == "x86" else 0
    elif "}" in text:
        tracker.in_select_x86 = 0
