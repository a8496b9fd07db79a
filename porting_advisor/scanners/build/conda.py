# SPDX-License-Identifier: Apache-2.0
"""conda recipes (`meta.yaml`): what the selectors give an Arm64 build.

A line ending in a selector (`# [x86_64]`, `# [not x86_64]`, `# [linux and aarch64]`) is part
of the recipe only where the selector holds. Scripts the recipe runs are listed for the
passes: one selected only for x86 is run only there (its flags are handled); one that an
Arm64 build runs must exist in the tree (the listings pass reports it when it does not).
Packages that have no Arm64 build are reported unless only x86 selects them.
"""

from __future__ import annotations

from porting_advisor.core import lazy_re
from porting_advisor.core.facts import Listed
from porting_advisor.core.source import Source
from porting_advisor.scanners.build.flags import check_libraries

SELECTOR = lazy_re.compile(r"#\s*\[([^\]]+)\]\s*$")
# conda's selector names for x86 platforms, and for Arm ones
X86_SELECTOR = lazy_re.compile(r"\b(?:x86_64|x86|linux64|linux32|win64|win32|osx64|win)\b")
ARM_SELECTOR = lazy_re.compile(r"\b(?:aarch64|arm64|armv7l|linux-aarch64|osx-arm64)\b")
SCRIPT = lazy_re.compile(
    r"^\s*(?:-\s*)?(?:script|build)?\s*:?\s*(?:bash\s+|sh\s+|\./)?([\w./-]+\.(?:sh|bat))\b"
)
REQUIREMENT = lazy_re.compile(r"^\s*-\s*([\w.-]+)")


def applies_on_arm(selector: str) -> bool:
    """Does a selector hold for linux-aarch64? `x86_64` no, `not x86_64` yes, `win` no; what
    is not understood counts as holding."""
    s = selector.strip()
    if s.startswith("not ") and X86_SELECTOR.search(s[4:]) and " and " not in s and " or " not in s:
        return True
    if ARM_SELECTOR.search(s) and "not" not in s:
        return True
    return not (X86_SELECTOR.search(s) and "not" not in s and " or " not in s)


def scan(src: Source) -> None:
    """Check one conda recipe."""
    in_requirements = False
    for no, raw in enumerate(src.text.split("\n"), 1):
        m = SELECTOR.search(raw)
        arm = applies_on_arm(m.group(1)) if m is not None else True
        code = raw[: m.start()] if m is not None else raw.split("#", 1)[0]
        if code and not code[0].isspace():
            in_requirements = code.startswith("requirements")
        if (s := SCRIPT.match(code)) is not None:
            src.facts.append(Listed(s.group(1), no, not arm, prefix=False))
        elif in_requirements and arm and (r := REQUIREMENT.match(code)) is not None:
            check_libraries(src, r.group(1), [(0, no)], True, "")
