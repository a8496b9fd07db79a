# SPDX-License-Identifier: Apache-2.0
"""The portfolio view (`porting-advisor merge`): many repositories' JSON reports, read one at a
time, reduced to a row per repository and the blockers they share, written as JSON, Markdown
or HTML."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from porting_advisor.core import lazy_re
from porting_advisor.core.ruleset import RuleSet, data_dir
from porting_advisor.report.verdict import MEANINGS, VERDICTS

SUBJECT = lazy_re.compile(r"`([^`]+)`")
IDENTIFIER = lazy_re.compile(r"^[A-Za-z_][\w.!]*$")
TOP = 5  # blockers listed per repository


class ReportError(Exception):
    """A file given to merge is not a porting-advisor JSON report (exit 2)."""


@dataclass(slots=True)
class Repo:
    """What the portfolio keeps of one report."""

    name: str  # the report's root as given to the scan
    report: str  # the report file
    target: str
    verdict: str
    hours: float  # effort estimate, as the HTML report computes it
    by_category: dict[str, int]
    blockers: list[tuple[str, str, int]]  # (rule, subject, occurrences), most frequent first


@dataclass(slots=True)
class Portfolio:
    """Aggregates over every report read so far; nothing else is kept."""

    repos: list[Repo] = field(default_factory=list)
    # (rule, subject) -> number of repositories where it blocks or is an error
    common: Counter[tuple[str, str]] = field(default_factory=Counter)
    verdicts: Counter[str] = field(default_factory=Counter)


def subject(f: dict[str, Any]) -> str:
    """What a finding is about: the first `quoted` name of its message (a package, an
    intrinsic, a flag), else its file."""
    m = SUBJECT.search(str(f.get("message", "")))
    return m.group(1) if m else str(f.get("file", ""))


def effort_hours(counts: Counter[str], distinct_intrinsics: int) -> float:
    """Hours from rules/effort.yaml: per finding by category, plus per distinct intrinsic."""
    from porting_advisor.core.ruleset import load_table

    table = load_table("effort.yaml")
    weights: dict[str, float] = table["per_finding"]
    hours = sum(n * float(weights.get(cat, 0.5)) for cat, n in counts.items())
    return hours + distinct_intrinsics * float(table["per_distinct_intrinsic"])


def read(path: Path, rules: RuleSet) -> tuple[Repo, set[tuple[str, str]]]:
    """One report reduced to its row and the (rule, subject) of its errors; the report itself
    is dropped on return."""
    from porting_advisor.report.verdict import decide_dicts

    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ReportError(f"cannot read report '{path}': {exc}") from None
    if not isinstance(data, dict) or data.get("schema_version") != 1:
        raise ReportError(f"'{path}' is not a porting-advisor JSON report (schema_version 1)")
    counted = [
        f
        for f in data.get("findings", [])
        if isinstance(f, dict) and not f.get("filtered") and not f.get("suppressed")
    ]
    summary = data.get("summary") or {}
    verdict = summary.get("verdict") or decide_dicts(counted, rules)
    # distinct intrinsics by name, as the HTML report counts them (headers are not one)
    intrinsics = {subject(f) for f in counted if f.get("category") == "intrinsic"}
    intrinsics = {s for s in intrinsics if IDENTIFIER.match(s)}
    blocking: Counter[tuple[str, str]] = Counter()
    for f in counted:
        if f.get("severity") == "error":
            blocking[(str(f.get("rule")), subject(f))] += 1
    rule_blocks = {r.id for r in rules.rules.values() if r.blocks}
    top = sorted(blocking.items(), key=lambda kv: (kv[0][0] not in rule_blocks, -kv[1], kv[0]))
    repo = Repo(
        name=str(data.get("root", path.stem)),
        report=str(path),
        target=str(data.get("target", "")),
        verdict=verdict if verdict in VERDICTS else "significant",
        hours=effort_hours(Counter(str(f.get("category")) for f in counted), len(intrinsics)),
        by_category=dict(summary.get("by_category") or {}),
        blockers=[(rule, subj, n) for (rule, subj), n in top[:TOP]],
    )
    return repo, set(blocking)


def merge(paths: list[Path], rules: RuleSet) -> Portfolio:
    """Read the reports one at a time and keep their rows and the shared blockers."""
    out = Portfolio()
    for path in paths:
        repo, errors = read(path, rules)
        out.repos.append(repo)
        out.verdicts[repo.verdict] += 1
        out.common.update(errors)  # once per repository, however often it occurs there
    out.repos.sort(key=lambda r: (-VERDICTS.index(r.verdict), -r.hours, r.name))
    return out


def common_blockers(p: Portfolio, limit: int = 20) -> list[tuple[str, str, int]]:
    """(rule, subject, repositories) shared by two or more repositories, most shared first."""
    rows = [(r, s, n) for (r, s), n in p.common.items() if n > 1]
    return sorted(rows, key=lambda row: (-row[2], row[0], row[1]))[:limit]


def to_dict(p: Portfolio) -> dict[str, Any]:
    """The portfolio as JSON."""
    return {
        "portfolio_version": 1,
        "repositories": len(p.repos),
        "by_verdict": {v: p.verdicts[v] for v in reversed(VERDICTS) if p.verdicts[v]},
        "total_hours": round(sum(r.hours for r in p.repos), 2),
        "common_blockers": [
            {"rule": r, "subject": s, "repositories": n} for r, s, n in common_blockers(p)
        ],
        "repos": [
            {
                "name": r.name,
                "report": r.report,
                "target": r.target,
                "verdict": r.verdict,
                "effort_hours": round(r.hours, 2),
                "by_category": r.by_category,
                "top_blockers": [
                    {"rule": rule, "subject": s, "count": n} for rule, s, n in r.blockers
                ],
            }
            for r in p.repos
        ],
    }


def write_json(p: Portfolio, out: TextIO) -> None:
    json.dump(to_dict(p), out, indent=2, ensure_ascii=False)
    out.write("\n")


def md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def write_markdown(p: Portfolio, out: TextIO) -> None:
    """A summary table per repository and the shared blockers."""
    d = to_dict(p)
    verdicts = ", ".join(f"{n} {v}" for v, n in d["by_verdict"].items()) or "none"
    lines = [
        "## porting-advisor: Arm64 readiness portfolio",
        "",
        f"{d['repositories']} repositories ({verdicts}); about {d['total_hours']:.0f} hours of "
        "porting work (rules/effort.yaml).",
        "",
    ]
    if d["common_blockers"]:
        lines += ["### Most common blockers", "", "| Rule | Subject | Repositories |"]
        lines += ["|---|---|---:|"]
        lines += [
            f"| `{b['rule']}` | {md(b['subject'])} | {b['repositories']} |"
            for b in d["common_blockers"]
        ]
        lines.append("")
    lines += ["### Repositories", "", "| Repository | Verdict | Effort (h) | Top blockers |"]
    lines.append("|---|---|---:|---|")
    for r in d["repos"]:
        top = "; ".join(
            f"`{b['rule']}` {md(b['subject'])} x{b['count']}" for b in r["top_blockers"]
        )
        lines.append(f"| {md(r['name'])} | {r['verdict']} | {r['effort_hours']:.1f} | {top} |")
    out.write("\n".join(lines) + "\n")


def write_html(p: Portfolio, out: TextIO) -> None:
    """One self-contained page from templates/portfolio.html.j2."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(data_dir("templates"))),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    d = to_dict(p)
    categories = sorted({c for r in d["repos"] for c in r["by_category"]})
    out.write(
        env.get_template("portfolio.html.j2").render(
            p=d, categories=categories, meanings=MEANINGS, verdicts=list(reversed(VERDICTS))
        )
    )


WRITERS = {"json": write_json, "markdown": write_markdown, "html": write_html}
