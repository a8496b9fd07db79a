# SPDX-License-Identifier: Apache-2.0
"""The readiness verdict of a scan (`summary.verdict`), decided from the findings' severities
and the rules' `blocks` flag (docs/verdict.md)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from porting_advisor.core.model import Finding, Severity
from porting_advisor.core.ruleset import RuleSet

# worst last: a portfolio sorts and compares verdicts by this order
VERDICTS = ("ready", "minor", "significant", "blocked")
MEANINGS = {
    "ready": "no error or warning findings (advice only)",
    "minor": "warnings, no errors",
    "significant": "errors, each with a known replacement",
    "blocked": "an error with no Arm64 build to switch to",
}


def decide(findings: Iterable[Finding], rules: RuleSet) -> str:
    """`ready`, `minor`, `significant` or `blocked` for the findings a report counts: not
    suppressed, not filtered (code the target does not compile)."""
    worst = Severity.INFO
    for f in findings:
        if f.suppressed or f.filtered:
            continue
        if f.severity == Severity.ERROR:
            rule = rules.rules.get(f.rule)
            if rule is not None and rule.blocks:
                return "blocked"
        worst = max(worst, f.severity)
    return {Severity.ERROR: "significant", Severity.WARNING: "minor"}.get(worst, "ready")


def decide_dicts(findings: list[dict[str, Any]], rules: RuleSet) -> str:
    """The verdict of JSON findings already filtered to the counted ones (a report written
    before the verdict existed)."""
    labels = {str(f.get("severity")) for f in findings}
    if "error" in labels:
        blocking = {r.id for r in rules.rules.values() if r.blocks}
        errors = (f for f in findings if f.get("severity") == "error")
        return "blocked" if any(f.get("rule") in blocking for f in errors) else "significant"
    return "minor" if "warning" in labels else "ready"
