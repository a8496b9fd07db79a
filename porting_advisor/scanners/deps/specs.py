# SPDX-License-Identifier: Apache-2.0
"""What a PEP 508 requirement admits: its markers on Linux/Arm64, its versions against the
first Arm64-ready release (issue 20: a range is a finding only when it admits no good version)."""

from __future__ import annotations

import functools

from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from porting_advisor.core import ruleset


@functools.cache
def pythons() -> tuple[str, ...]:
    """The CPython versions a verdict is for when a project declares none (rules/runtimes.yaml)."""
    return tuple(str(v) for v in ruleset.load_table("runtimes.yaml")["python"]["supported"])


def environment(machine: str, python: str) -> dict[str, str]:
    """A marker environment: CPython `python` on Linux on `machine`."""
    return {
        "implementation_name": "cpython",
        "implementation_version": f"{python}.0",
        "os_name": "posix",
        "platform_machine": machine,
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": "Linux",
        "platform_version": "",
        "python_full_version": f"{python}.0",
        "python_version": python,
        "sys_platform": "linux",
        "extra": "",
    }


def marker_scope(marker: str) -> str:
    """Where a requirement with this marker is installed: "" (Linux/Arm64 too, or unknown),
    "x86-only" (Linux x86-64 but not Arm64: by design) or "not-installed" (neither)."""
    if not marker or "extra" in marker:
        return ""  # an extra's dependencies count whenever the extra is asked for
    try:
        parsed = Marker(marker)

        def anywhere(machine: str) -> bool:
            return any(parsed.evaluate(environment(machine, py)) for py in pythons())

        if anywhere("aarch64"):
            return ""
        return "x86-only" if anywhere("x86_64") else "not-installed"
    except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName):
        return ""


def bumps(version: Version) -> list[Version]:
    """Versions just above `version` at each position of its release (1.2.3: 1.2.4, 1.3, 2)."""
    release = version.release
    return [
        Version(".".join(map(str, [*release[:i], release[i] + 1])))
        for i in range(len(release) - 1, -1, -1)
    ]


def admits_from(specifier: str, minimum: str) -> bool:
    """Does `specifier` allow some version at or above `minimum`? True when unreadable.

    No version list is at hand offline, so the candidates are `minimum`, each bound written in
    the specifier and the versions just above them: a set of intervals allows a version at or
    above `minimum` exactly when it allows one of those."""
    try:
        spec = SpecifierSet(specifier)
        low = Version(minimum)
    except (InvalidSpecifier, InvalidVersion):
        return True
    candidates = [low, *bumps(low), Version("99999")]
    for s in spec:
        try:
            v = Version(s.version.removesuffix(".*"))
        except InvalidVersion:
            return True  # `===` with a free-form version: no verdict
        candidates += [v, *bumps(v)]
    return any(c >= low and spec.contains(c, prereleases=True) for c in candidates)
