# SPDX-License-Identifier: Apache-2.0
"""The gate's verdict: the exit status, and the one-line result a failing gate always prints
(issue 21: with `--output` a failing job's log otherwise showed no reason)."""

from __future__ import annotations

import os
import sys
from collections import Counter
from typing import Any

from porting_advisor.core.model import Report, Severity

FAIL_ON = {"error": 3, "warning": 2, "info": 1, "never": 0}


def failing(report: Report, fail_on: str) -> Counter[str]:
    """The reported findings at or above `fail_on`, counted by severity (empty: the gate
    passes)."""
    threshold = FAIL_ON[fail_on]
    if not threshold:
        return Counter()
    return Counter(
        f.severity.label
        for f in report.findings
        if f.severity >= threshold and not f.suppressed and not f.filtered
    )


def skipped_failure(report: Report, fail_on_skipped: bool) -> int:
    """How many skipped files and archive members fail the gate (`--fail-on-skipped`)."""
    if not fail_on_skipped:
        return 0
    return len(report.skipped) + sum(m.rule == "skipped-member" for m in report.remarks)


def line(counts: Counter[str], fail_on: str, skipped: int, reports: list[str]) -> str:
    """`porting-advisor: gate failed: 3 findings at or above error (2 error, 1 warning); ...`"""
    parts = []
    if counts:
        levels = [s.label for s in reversed(Severity) if s.label in counts]
        by = ", ".join(f"{counts[label]} {label}" for label in levels)
        parts.append(f"{sum(counts.values())} finding(s) at or above {fail_on} ({by})")
    if skipped:
        parts.append(f"{skipped} file(s) skipped (--fail-on-skipped)")
    where = f"; reports: {', '.join(reports)}" if reports else ""
    return f"porting-advisor: gate failed: {'; '.join(parts)}{where}"


def in_actions() -> bool:
    """Running as a GitHub Actions step that has a summary page."""
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    return os.environ.get("GITHUB_ACTIONS") == "true" and bool(summary)


def step_summary(markdown: str, result: str) -> None:
    """Append the Markdown report and the gate's result to the job's summary page
    (`$GITHUB_STEP_SUMMARY`); when it cannot be written, nothing (the log has the line)."""
    try:
        with open(os.environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as out:
            out.write(f"{markdown}\n**{result}**\n\n")
    except OSError:
        pass


def decide(result: Report, rs: Any, p: dict[str, Any], reports: list[str]) -> int:
    """The exit status; a failing gate says why on stderr, whatever `--quiet` says, and in
    GitHub Actions on the job's summary page."""
    from porting_advisor.report import render

    counts = failing(result, p["fail_on"])
    skipped = skipped_failure(result, p["fail_on_skipped"])
    if p["write_baseline"] or not (counts or skipped):
        said, code = "porting-advisor: gate passed", 0
    else:
        said, code = line(counts, p["fail_on"], skipped, reports), 1
        sys.stderr.write(said + "\n")
    if in_actions():
        step_summary(render("markdown", result, rs, p["link_base"]), said)
    return code
