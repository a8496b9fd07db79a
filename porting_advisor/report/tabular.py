# SPDX-License-Identifier: Apache-2.0
"""The table-shaped reports: findings as CSV, dependencies as CSV, and a Markdown summary for
a pull-request comment."""

from __future__ import annotations

import csv
from typing import TextIO

from porting_advisor.core.model import Report, on_disk
from porting_advisor.core.ruleset import RuleSet
from porting_advisor.report.json import summary
from porting_advisor.report.verdict import MEANINGS

CSV_FIELDS = (
    "file",
    "line",
    "column",
    "end_line",
    "end_column",
    "severity",
    "category",
    "rule",
    "message",
    "suggestion",
    "snippet",
    "language",
    "fingerprint",
    "filtered",
    "suppressed",
)


# A spreadsheet runs a cell that starts so as a formula (a snippet `=HYPERLINK(...)` from a
# scanned tree, issue 21): such cells get a leading apostrophe, as OWASP advises.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> object:
    """A CSV cell that a spreadsheet shows as text, never evaluates."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_csv(report: Report, rules: RuleSet, link_base: str, out: TextIO) -> None:
    """One row per finding with the contract's fields (csv quoting handles commas/newlines)."""
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_FIELDS)
    for f in report.findings:
        row = [
            f.file,
            f.line,
            f.column,
            f.end_line or "",
            f.end_column or "",
            f.severity.label,
            f.category,
            f.rule,
            f.message,
            f.suggestion,
            f.snippet,
            f.language,
            f.fingerprint(),
            "true" if f.filtered else "",
            "true" if f.suppressed else "",
        ]
        w.writerow([cell(v) for v in row])


def write_deps_csv(report: Report, rules: RuleSet, link_base: str, out: TextIO) -> None:
    """One row per dependency found in the manifests."""
    w = csv.writer(out, lineterminator="\n")
    cols = ("ecosystem", "name", "version", "specifier", "file", "line", "arm64")
    w.writerow(cols)
    for d in report.dependencies:
        w.writerow([cell(d.get(c, "")) for c in cols])


def md_escape(text: str) -> str:
    """`text` fit for one Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


MARKDOWN_LIMIT = 50  # findings listed in the pull-request comment


def write_markdown(report: Report, rules: RuleSet, link_base: str, out: TextIO) -> None:
    """A compact summary fit for a pull-request comment; `link_base` turns file:line into
    links."""
    s = summary(report, rules)
    total = sum(s["by_category"].values())
    sev = ", ".join(f"**{n}** {k}" for k, n in s["by_severity"].items()) or "none"
    lines = [
        "## porting-advisor: Arm64 readiness",
        "",
        f"{total} finding(s) ({sev}) in {report.files_scanned} files scanned; target "
        f"{report.target} ({report.target_os}); porting-advisor {report.version}.",
        "",
        f"Verdict: **{s['verdict']}** ({MEANINGS[s['verdict']]}).",
        "",
    ]
    if report.baselined or report.suppressed:
        lines += [
            f"{report.baselined} known (baseline), {report.suppressed} suppressed, "
            f"{report.stale_baseline} stale baseline entries.",
            "",
        ]
    if s["by_category"]:
        lines += ["| Category | Findings |", "|---|---:|"]
        lines += [
            f"| {cat} | {n} |" for cat, n in sorted(s["by_category"].items(), key=lambda kv: -kv[1])
        ]
        lines.append("")
    shown = report.findings[:MARKDOWN_LIMIT]
    if shown:
        lines += ["| Where | Severity | Rule | Finding |", "|---|---|---|---|"]
        for f in shown:
            where = f"{f.file}:{f.line}" if f.line else f.file
            if link_base:
                anchor = f"#L{f.line}" if f.line else ""
                where = f"[{where}]({link_base.rstrip('/')}/{on_disk(f.file)}{anchor})"
            else:
                where = f"`{where}`"
            lines.append(
                f"| {md_escape(where)} | {f.severity.label} | `{f.rule}` | {md_escape(f.message)} |"
            )
        if len(report.findings) > len(shown):
            lines += [
                "",
                f"... and {len(report.findings) - len(shown)} more: see the full "
                "report (`--output report.html`).",
            ]
    out.write("\n".join(lines) + "\n")
