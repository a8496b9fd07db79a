# SPDX-License-Identifier: Apache-2.0
"""The text report for a terminal: findings by file, the most frequent constructs, a summary
line; coloured only on a terminal."""

from __future__ import annotations

import io
import os
from collections import Counter, defaultdict
from typing import TextIO

from porting_advisor.core.model import Finding, Report, Severity, on_disk
from porting_advisor.core.ruleset import RuleSet
from porting_advisor.report.json import summary
from porting_advisor.report.verdict import MEANINGS


def rollup(findings: list[Finding]) -> list[tuple[str, str, int, int, str]]:
    """(key, rule, occurrences, files, suggestion) per construct, most frequent first."""
    groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        if f.key:
            groups[(f.key, f.rule)].append(f)
    rows = [
        (k, r, len(fs), len({f.file for f in fs}), fs[0].suggestion)
        for (k, r), fs in groups.items()
    ]
    rows.sort(key=lambda row: (-row[2], row[0]))
    return rows


def summary_line(report: Report, rules: RuleSet) -> str:
    """Files, findings by severity and category, and the duration, in one line."""
    s = summary(report, rules)
    total = sum(s["by_category"].values())
    sev = ", ".join(f"{k} {v}" for k, v in s["by_severity"].items()) or "none"
    cat = ", ".join(f"{k} {v}" for k, v in s["by_category"].items()) or "none"
    extra = f", {report.suppressed} suppressed" if report.suppressed else ""
    if report.baselined:
        extra += f", {report.baselined} baselined"
    return (
        f"{report.files_scanned} files scanned, {report.files_skipped} skipped; "
        f"{total} findings ({sev}{extra}); by category: {cat}; {report.duration:.2f}s"
    )


def top_directories(
    findings: list[Finding], depth: int = 2, limit: int = 10
) -> list[tuple[str, int, int]]:
    """(directory, findings, errors) for the directories with the most findings."""
    counts: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for f in findings:
        parts = on_disk(f.file).split("/")[:-1]
        d = "/".join(parts[:depth]) or "."
        counts[d] += 1
        errors[d] += f.severity == Severity.ERROR
    return [(d, n, errors[d]) for d, n in counts.most_common(limit)]


COLOURS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
BOLD, DIM, RESET = "\033[1m", "\033[2m", "\033[0m"


def use_colour(out: TextIO) -> bool:
    """Colour on a terminal, never in a file or pipe or with NO_COLOR set (no-color.org)."""
    return out.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def render(report: Report, rules: RuleSet, colour: bool) -> str:
    """The text report, with ANSI colours if `colour`."""

    def c(code: str, text: str) -> str:
        return f"{code}{text}{RESET}" if colour else text

    out = io.StringIO()
    current = None
    for f in report.findings:
        if f.file != current:
            current = f.file
            out.write(f"\n{c(BOLD, f.file)}\n")
        where = f"{f.line}:{f.column}" if f.line else "-"
        flags = "".join(
            (" [filtered]" if f.filtered else "", " [suppressed]" if f.suppressed else "")
        )
        out.write(
            f"  {where:>9}  {c(COLOURS[f.severity], f'{f.severity.label:<7}')} "
            f"{f.category}/{f.rule}{flags}: {f.message}\n"
        )
        if f.suggestion:
            out.write(c(DIM, f"             -> {f.suggestion}") + "\n")
    rows = rollup(report.findings)
    if rows:
        out.write("\nMost frequent constructs:\n")
        for key, _rule, n, files, sugg in rows[:15]:
            out.write(f"  {key} x{n} in {files} file(s) -> {sugg}\n")
    dirs = top_directories(report.findings, limit=5)
    if len(dirs) > 1:
        out.write("\nTop directories: " + ", ".join(f"{d} ({n})" for d, n, _ in dirs) + "\n")
    if report.unanalysed_languages:
        langs = ", ".join(
            f"{lang} ({report.files_by_language[lang]})" for lang in report.unanalysed_languages
        )
        out.write(f"\nNot analysed by this version: {langs}\n")
    if report.skipped:
        out.write("\nSkipped:\n")
        for file, reason in report.skipped:
            out.write(f"  {file}: {reason}\n")
    decided = summary(report, rules)["verdict"]
    out.write(f"\nVerdict: {c(BOLD, decided)} ({MEANINGS[decided]})\n")
    out.write(f"{summary_line(report, rules)}\n")
    return out.getvalue().lstrip("\n")


def write(report: Report, rules: RuleSet, link_base: str, out: TextIO) -> None:
    """The text report, coloured when `out` is a terminal."""
    out.write(render(report, rules, use_colour(out)))
