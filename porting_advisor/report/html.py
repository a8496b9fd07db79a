# SPDX-License-Identifier: Apache-2.0
"""The HTML report: one self-contained page from templates/report.html.j2, with charts, the
effort estimate and each finding's source context."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, TextIO

from porting_advisor.core.model import Finding, Report
from porting_advisor.core.ruleset import RuleSet, data_dir
from porting_advisor.report.json import finding_dict, to_dict
from porting_advisor.report.text import rollup, summary_line, top_directories
from porting_advisor.report.verdict import MEANINGS


def code_spans(text: str) -> Any:
    """Escape `text`, then show `backticked` parts as <code>."""
    import markupsafe

    escaped = str(markupsafe.escape(text))
    return markupsafe.Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped))


def effort(findings: list[Finding]) -> dict[str, Any]:
    """The effort estimate: hours per category from rules/effort.yaml, with its assumptions."""
    from porting_advisor.core.ruleset import load_table

    table = load_table("effort.yaml")
    weights: dict[str, float] = table["per_finding"]
    counts = Counter(f.category for f in findings if not f.suppressed and not f.filtered)
    rows = [
        (cat, n, float(weights.get(cat, 0.5)), n * float(weights.get(cat, 0.5)))
        for cat, n in sorted(counts.items())
    ]
    distinct = len({f.key for f in findings if f.category == "intrinsic" and f.key})
    extra = distinct * float(table["per_distinct_intrinsic"])
    hours = sum(r[3] for r in rows) + extra
    return {
        "rows": rows,
        "distinct": distinct,
        "per_distinct": table["per_distinct_intrinsic"],
        "extra": extra,
        "hours": hours,
        "days": hours / float(table["hours_per_day"]),
        "hours_per_day": table["hours_per_day"],
    }


def bars(counts: dict[str, int]) -> list[tuple[str, int, float]]:
    """(name, count, percent of the largest) for a bar chart, largest first."""
    top = max(counts.values(), default=0) or 1
    return [(k, v, 100.0 * v / top) for k, v in sorted(counts.items(), key=lambda kv: -kv[1])]


def write(report: Report, rules: RuleSet, link_base: str, out: TextIO) -> None:
    """The HTML page; `link_base` turns file:line into links."""
    import jinja2  # lazy: start-up time matters for --version and small scans

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(data_dir("templates"))),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["code"] = code_spans
    template = env.get_template("report.html.j2")
    listed = html_findings(report)
    data = to_dict(report, rules, findings=False)
    data["findings"] = [finding_dict(f) for f in listed]
    contexts = [report.contexts.get((f.file, f.line), []) for f in listed]
    used = sorted({f.rule for f in report.findings})
    page = template.render(
        report=data,
        summary_line=summary_line(report, rules),
        verdict_meaning=MEANINGS[data["summary"]["verdict"]],
        rollup=rollup(report.findings)[:50],
        rules=rules.rules,
        used_rules=[rules.rules[r] for r in used if r in rules.rules],
        contexts=contexts,
        link_base=link_base.rstrip("/"),
        category_bars=bars(data["summary"]["by_category"]),
        severity_bars=bars(data["summary"]["by_severity"]),
        top_dirs=top_directories(report.findings),
        effort=effort(report.findings),
        unanalysed=set(report.unanalysed_languages),
        listed=len(listed),
        total=len(report.findings),
    )
    out.write(page)


HTML_FINDINGS = 10_000  # findings listed one by one in the HTML report (each with its source)


def html_findings(report: Report) -> list[Finding]:
    """The findings the HTML report lists: all of them, or, past HTML_FINDINGS, the most
    severe ones (in file order). A page of 100,000 findings with their context would be
    100 MB that no browser opens comfortably."""
    if len(report.findings) <= HTML_FINDINGS:
        return report.findings
    keep = sorted(range(len(report.findings)), key=lambda i: -report.findings[i].severity)[
        :HTML_FINDINGS
    ]
    return [report.findings[i] for i in sorted(keep)]
