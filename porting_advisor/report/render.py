# SPDX-License-Identifier: Apache-2.0
"""Render a Report as text, JSON, HTML, SARIF, CSV or Markdown. Renderers never open files."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from typing import Any, TextIO

from porting_advisor.core.model import Finding, Report, Severity, on_disk
from porting_advisor.core.ruleset import RuleSet, data_dir

SUFFIXES = {
    ".txt": "text",
    ".json": "json",
    ".html": "html",
    ".htm": "html",
    ".sarif": "sarif",
    ".csv": "csv",
    ".md": "markdown",
    ".deps.csv": "dependencies-csv",
}
FORMATS = ("text", "json", "html", "sarif", "csv", "markdown", "dependencies-csv")


def format_for(path: str) -> str | None:
    lower = path.lower()
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if lower.endswith(suffix):
            return SUFFIXES[suffix]
    return None


def summary(report: Report) -> dict[str, Any]:
    cats = Counter(f.category for f in report.findings if not f.suppressed)
    sevs = Counter(LABELS[f.severity] for f in report.findings if not f.suppressed)
    return {
        "by_category": dict(sorted(cats.items())),
        "by_severity": {
            s.label: sevs[s.label] for s in sorted(Severity, reverse=True) if sevs[s.label]
        },
        "suppressed": report.suppressed,
        "baselined": report.baselined,
        "stale_baseline": report.stale_baseline,
    }


LABELS = {s: s.label for s in Severity}


def finding_dict(f: Finding) -> dict[str, Any]:
    d: dict[str, Any] = {
        "rule": f.rule,
        "category": f.category,
        "severity": LABELS[f.severity],
        "file": f.file,
        "line": f.line,
        "column": f.column,
    }
    if f.end_line:
        d["end_line"] = f.end_line
        d["end_column"] = f.end_column
    d["message"] = f.message
    d["suggestion"] = f.suggestion
    if f.snippet:
        d["snippet"] = f.snippet
    d["language"] = f.language
    d["fingerprint"] = f.fingerprint()
    if f.filtered:
        d["filtered"] = True
    if f.suppressed:
        d["suppressed"] = True
    return d


def to_dict(
    report: Report, finding: Callable[[Finding], Any] = finding_dict, findings: bool = True
) -> dict[str, Any]:
    """The report as the contract's JSON object; with `findings` False the findings stay
    Finding objects (for a writer that encodes them itself)."""
    return {
        "schema_version": 1,
        "tool": {"name": "porting-advisor", "version": report.version},
        "root": report.root,
        "target": report.target,
        "target_os": report.target_os,
        "files_scanned": report.files_scanned,
        "files_skipped": report.files_skipped,
        "files_by_language": report.files_by_language,
        "duration_seconds": report.duration,
        "findings": [finding(f) for f in report.findings] if findings else report.findings,
        "skipped": [{"file": f, "reason": r} for f, r in report.skipped],
        "remarks": [
            {"rule": m.rule, "message": m.message, **({"file": m.file} if m.file else {})}
            for m in report.remarks
        ],
        "dependencies": report.dependencies,
        "summary": summary(report),
    }


CHUNK = 2000  # list items joined per write: a large report is never one string in memory


def dump(
    data: dict[str, Any], out: TextIO, encoders: Mapping[str, Callable[[Any], str]] | None = None
) -> None:
    """Write indented JSON with one list item per line to `out`: readable, diffable, and fast
    (json's C encoder only runs without `indent`). The items of a list named in `encoders`
    are written by its function (findings, by `JsonWriter`); lists go out in chunks."""
    encode = json.JSONEncoder(ensure_ascii=False).encode  # one encoder, not one per item
    sep = "{\n"
    for key, value in data.items():
        out.write(f"{sep}  {json.dumps(key)}: ")
        sep = ",\n"
        if isinstance(value, list) and value:
            write_items(out, value, (encoders or {}).get(key, encode), "    ")
            out.write("\n  ]")
        else:
            out.write(encode(value))
    out.write("\n}\n")


def write_items(out: TextIO, items: list[Any], encode: Callable[[Any], str], indent: str) -> None:
    """'[' and the encoded items, one a line: a JSON array's opening and contents."""
    joint = ",\n" + indent
    out.write("[\n" + indent)
    for at in range(0, len(items), CHUNK):
        if at:
            out.write(joint)
        out.write(joint.join(map(encode, items[at : at + CHUNK])))


class JsonWriter:
    """Writes findings as the JSON text `json` would write for `finding_dict(f)`, three times
    faster: the keys are fixed, and the strings, most of them shared by many findings, are
    quoted once through a memo (json's own C quoting, no ASCII escaping)."""

    def __init__(self) -> None:
        from json.encoder import encode_basestring

        self.encode = encode_basestring
        self.quoted: dict[str, str] = {}
        self.heads: dict[tuple[str, str, Severity], str] = {}
        self.texts: dict[tuple[str, str], str] = {}

    def quote(self, s: str) -> str:
        q = self.quoted.get(s)
        if q is None:
            q = self.quoted[s] = self.encode(s)
        return q

    def finding(self, f: Finding) -> str:
        head = self.heads.get((f.rule, f.category, f.severity))
        if head is None:
            head = self.heads[(f.rule, f.category, f.severity)] = (
                f'{{"rule": {self.encode(f.rule)}, "category": {self.encode(f.category)}, '
                f'"severity": "{LABELS[f.severity]}", "file": '
            )
        texts = self.texts.get((f.message, f.suggestion))
        if texts is None:  # shared by every finding of the same construct
            texts = self.texts[(f.message, f.suggestion)] = (
                f'"message": {self.encode(f.message)}, "suggestion": {self.encode(f.suggestion)}'
            )
        quoted = self.quoted
        file = quoted.get(f.file) or self.quote(f.file)
        end = f', "end_line": {f.end_line}, "end_column": {f.end_column}' if f.end_line else ""
        snippet = (
            f', "snippet": {quoted.get(f.snippet) or self.quote(f.snippet)}' if f.snippet else ""
        )
        flags = (', "filtered": true' if f.filtered else "") + (
            ', "suppressed": true' if f.suppressed else ""
        )
        return (
            f'{head}{file}, "line": {f.line}, "column": {f.column}{end}, {texts}{snippet}, '
            f'"language": {quoted.get(f.language) or self.quote(f.language)}, '
            f'"fingerprint": "{f.fingerprint()}"{flags}}}'
        )


def write_json(report: Report, rules: RuleSet, link_base: str, out: TextIO) -> None:
    dump(to_dict(report, findings=False), out, {"findings": JsonWriter().finding})


def render_json(report: Report, rules: RuleSet, link_base: str = "") -> str:
    return rendered(write_json, report, rules, link_base)


def rendered(writer: Writer, report: Report, rules: RuleSet, link_base: str) -> str:
    out = io.StringIO()
    writer(report, rules, link_base, out)
    return out.getvalue()


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


def summary_line(report: Report) -> str:
    s = summary(report)
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


COLOURS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
BOLD, DIM, RESET = "\033[1m", "\033[2m", "\033[0m"


def use_colour() -> bool:
    """Colour on a terminal, never when piped or with NO_COLOR set (no-color.org)."""
    import os
    import sys

    return (
        sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    )


def render_text(
    report: Report, rules: RuleSet, link_base: str = "", colour: bool | None = None
) -> str:
    paint = use_colour() if colour is None else colour

    def c(code: str, text: str) -> str:
        return f"{code}{text}{RESET}" if paint else text

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
    out.write(f"\n{summary_line(report)}\n")
    return out.getvalue().lstrip("\n")


def code_spans(text: str) -> Any:
    """Escape `text`, then show `backticked` parts as <code>."""
    import markupsafe

    escaped = str(markupsafe.escape(text))
    return markupsafe.Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped))


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
    top = max(counts.values(), default=0) or 1
    return [(k, v, 100.0 * v / top) for k, v in sorted(counts.items(), key=lambda kv: -kv[1])]


def render_html(report: Report, rules: RuleSet, link_base: str = "") -> str:
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
    data = to_dict(report, findings=False)
    data["findings"] = [finding_dict(f) for f in listed]
    contexts = [report.contexts.get((f.file, f.line), []) for f in listed]
    used = sorted({f.rule for f in report.findings})
    return template.render(
        report=data,
        summary_line=summary_line(report),
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


SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def rule_markdown(rule: Any) -> str:
    """The rule's documentation (the text `--explain` prints) for SARIF viewers."""
    example = f"\n\nExample:\n\n```\n{rule.example}\n```" if rule.example else ""
    return (
        f"**{rule.title}** ({rule.category}, {rule.severity.label})\n\n{rule.description}"
        f"{example}\n\n**Suggestion:** {rule.suggestion}"
    )


class SarifWriter:
    """Writes one SARIF result as the JSON text `json.dumps` would write for its dict, with
    the strings most results share (rule, level, message) quoted once, as `JsonWriter`."""

    def __init__(self, index: dict[str, int]) -> None:
        from json.encoder import encode_basestring

        self.encode = encode_basestring
        self.index = index
        self.heads: dict[tuple[str, Severity, str, str], str] = {}
        self.uris: dict[str, str] = {}

    def result(self, f: Finding) -> str:
        head = self.heads.get((f.rule, f.severity, f.message, f.suggestion))
        if head is None:
            text = f"{f.message} {f.suggestion}".strip()
            head = self.heads[(f.rule, f.severity, f.message, f.suggestion)] = (
                f'{{"ruleId": {self.encode(f.rule)}, "ruleIndex": {self.index[f.rule]}, '
                f'"level": "{SARIF_LEVEL[f.severity]}", "message": {{"text": '
                f'{self.encode(text)}}}, "locations": [{{"physicalLocation": '
            )
        uri = self.uris.get(f.file)
        if uri is None:
            uri = self.uris[f.file] = (
                f'{{"artifactLocation": {{"uri": {self.encode(f.file)}, "uriBaseId": "SRCROOT"}}'
            )
        region = ""
        if f.line > 0:
            region = f', "region": {{"startLine": {f.line}, "startColumn": {max(1, f.column)}'
            if f.end_line:
                region += f', "endLine": {f.end_line}, "endColumn": {f.end_column}'
            if f.snippet:
                region += f', "snippet": {{"text": {self.encode(f.snippet)}}}'
            region += "}"
        tail = ', "suppressions": [{"kind": "inSource"}]' if f.suppressed else ""
        return (
            f'{head}{uri}{region}}}}}], "partialFingerprints": '
            f'{{"portingAdvisor/v1": "{f.fingerprint()}"}}{tail}}}'
        )


RESULTS = "\x00results\x00"  # where the streamed results go in the SARIF document


def write_sarif(report: Report, rules: RuleSet, link_base: str, out: TextIO) -> None:
    used = sorted({f.rule for f in report.findings})
    catalogue = sorted(rules.rules.values(), key=lambda r: r.id)
    index = {r.id: i for i, r in enumerate(catalogue)}
    driver_rules = [
        {
            "id": r.id,
            "name": r.title,
            "shortDescription": {"text": r.title},
            "fullDescription": {"text": r.description},
            "help": {
                "text": f"{r.description}\n\nSuggestion: {r.suggestion}",
                "markdown": rule_markdown(r),
            },
            **({"helpUri": r.url} if r.url else {}),
            "defaultConfiguration": {"level": SARIF_LEVEL[r.severity]},
            "properties": {"category": r.category, "tags": ["arm64", "portability", r.category]},
        }
        for r in catalogue
    ]
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "porting-advisor",
                        "version": report.version,
                        "informationUri": "https://github.com/porting-advisor",
                        "rules": driver_rules,
                    }
                },
                "originalUriBaseIds": {"SRCROOT": {"description": {"text": "the scanned root"}}},
                "results": RESULTS if report.findings else [],
                "properties": {
                    "target": report.target,
                    "targetOs": report.target_os,
                    "rulesUsed": used,
                },
            }
        ],
    }
    # everything but the results is small: indented by json; the results, one a line
    before, _, after = json.dumps(doc, indent=2, ensure_ascii=False).partition(json.dumps(RESULTS))
    out.write(before)
    if report.findings:
        write_items(out, report.findings, SarifWriter(index).result, " " * 8)
        out.write("\n      ]")
    out.write(after + "\n")


def render_sarif(report: Report, rules: RuleSet, link_base: str = "") -> str:
    return rendered(write_sarif, report, rules, link_base)


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


def render_csv(report: Report, rules: RuleSet, link_base: str = "") -> str:
    """One row per finding with the contract's fields (csv quoting handles commas/newlines)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_FIELDS)
    for f in report.findings:
        w.writerow(
            [
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
        )
    return out.getvalue()


def render_deps_csv(report: Report, rules: RuleSet, link_base: str = "") -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    cols = ("ecosystem", "name", "version", "specifier", "file", "line", "arm64")
    w.writerow(cols)
    for d in report.dependencies:
        w.writerow([d.get(c, "") for c in cols])
    return out.getvalue()


def md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


MARKDOWN_LIMIT = 50


def render_markdown(report: Report, rules: RuleSet, link_base: str = "") -> str:
    """A compact summary fit for a pull-request comment."""
    s = summary(report)
    total = sum(s["by_category"].values())
    sev = ", ".join(f"**{n}** {k}" for k, n in s["by_severity"].items()) or "none"
    lines = [
        "## porting-advisor: Arm64 readiness",
        "",
        f"{total} finding(s) ({sev}) in {report.files_scanned} files scanned; target "
        f"{report.target} ({report.target_os}); porting-advisor {report.version}.",
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
    return "\n".join(lines) + "\n"


Writer = Callable[[Report, RuleSet, str, TextIO], None]
RENDERERS: dict[str, Callable[[Report, RuleSet, str], str]] = {
    "text": render_text,
    "json": render_json,
    "html": render_html,
    "sarif": render_sarif,
    "csv": render_csv,
    "markdown": render_markdown,
    "dependencies-csv": render_deps_csv,
}
# Formats written piece by piece: a report of 100,000 findings is never a whole string
STREAMED: dict[str, Writer] = {"json": write_json, "sarif": write_sarif}


def write(fmt: str, report: Report, rules: RuleSet, link_base: str, out: TextIO) -> None:
    """Write the report in `fmt` to `out`."""
    if fmt in STREAMED:
        STREAMED[fmt](report, rules, link_base, out)
    else:
        out.write(RENDERERS[fmt](report, rules, link_base))
