# SPDX-License-Identifier: Apache-2.0
"""Version ordering per ecosystem: PEP 440 (packaging), Maven, Go semver."""

from __future__ import annotations

import re
from functools import total_ordering

from packaging.version import InvalidVersion, Version

QUALIFIERS = {
    "alpha": 0,
    "a": 0,
    "beta": 1,
    "b": 1,
    "milestone": 2,
    "m": 2,
    "rc": 3,
    "cr": 3,
    "snapshot": 4,
    "": 5,
    "ga": 5,
    "final": 5,
    "release": 5,
    "sp": 6,
}


@total_ordering
class MavenVersion:
    """Maven's ComparableVersion, simplified: numbers numerically; alpha < beta < milestone <
    rc < snapshot < release (`Final`, `GA`) < sp; a missing part counts as the release."""

    RELEASE = (1, 0, "")

    def __init__(self, text: str) -> None:
        self.text = text
        items: list[tuple[int, int, str]] = []
        for segment in text.strip().lower().split("-"):  # `1.0-rc1`: trailing zeros go per part
            seg: list[tuple[int, int, str]] = []
            for p in filter(None, re.split(r"\.|(?<=\d)(?=[a-z])|(?<=[a-z])(?=\d)", segment)):
                if p.isdigit():
                    seg.append((2, int(p), ""))
                elif p in QUALIFIERS:
                    rank = QUALIFIERS[p]
                    seg.append(
                        (0, rank, "") if rank < 5 else self.RELEASE if rank == 5 else (1, 1, "")
                    )
                else:
                    seg.append((1, 2, p))
            while seg and seg[-1] in (self.RELEASE, (2, 0, "")):
                seg.pop()
            items.extend(seg)
        self.items = items

    def padded(self, n: int) -> list[tuple[int, int, str]]:
        return self.items + [self.RELEASE] * (n - len(self.items))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MavenVersion) and self.items == other.items

    def __lt__(self, other: MavenVersion) -> bool:
        n = max(len(self.items), len(other.items))
        return self.padded(n) < other.padded(n)


def go_key(text: str) -> tuple[tuple[int, int, int], int, str]:
    """Go module version: (major, minor, patch), release-or-not, pre-release text.
    A pseudo-version v1.2.4-0.2020...-abcdef sorts just below v1.2.4."""
    t = text.strip().lstrip("v").split("+", 1)[0]
    core, _, pre = t.partition("-")
    nums = [int(x) if x.isdigit() else 0 for x in core.split(".")[:3]] + [0, 0, 0]
    return (nums[0], nums[1], nums[2]), 0 if pre else 1, pre


def older(ecosystem: str, version: str, minimum: str) -> bool | None:
    """Is `version` older than `minimum`? None when either cannot be read."""
    try:
        if ecosystem == "pypi":
            return Version(version) < Version(minimum)
        if ecosystem == "go":
            return go_key(version) < go_key(minimum)
        if ecosystem == "maven":
            return MavenVersion(version) < MavenVersion(minimum)
        return Version(version) < Version(minimum)
    except (InvalidVersion, ValueError, TypeError):
        return None
