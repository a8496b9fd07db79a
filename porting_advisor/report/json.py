# SPDX-License-Identifier: Apache-2.0
"""The JSON report (the contract's object), its summary, and the streamed JSON writing that
the SARIF report shares."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any, TextIO

from porting_advisor.core.model import Finding, Report, Severity
from porting_advisor.core.ruleset import RuleSet
from porting_advisor.report import verdict

LABELS = {s: s.label for s in Severity}


def summary(report: Report, rules: RuleSet) -> dict[str, Any]:
    """Counts by category and severity of the findings not suppressed, the gate's counts and
    the readiness verdict."""
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
        "verdict": verdict.decide(report.findings, rules),
    }


def finding_dict(f: Finding) -> dict[str, Any]:
    """One finding as the contract's JSON object (optional keys only when set)."""
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
        if f.filtered_reason:
            d["filtered_reason"] = f.filtered_reason
    if f.suppressed:
        d["suppressed"] = True
    return d


def to_dict(
    report: Report,
    rules: RuleSet,
    finding: Callable[[Finding], Any] = finding_dict,
    findings: bool = True,
) -> dict[str, Any]:
    """The report as the contract's JSON object; with `findings` False the findings stay
    Finding objects (for a writer that encodes them itself)."""
    return {
        "schema_version": 1,
        "tool": {"name": "porting-advisor", "version": report.version},
        "root": report.root,
        "target": report.target,
        "target_os": report.target_os,
        **({"config": report.config} if report.config else {}),
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
        "summary": summary(report, rules),
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
        reason = (
            f', "filtered_reason": {self.encode(f.filtered_reason)}' if f.filtered_reason else ""
        )
        flags = (', "filtered": true' + reason if f.filtered else "") + (
            ', "suppressed": true' if f.suppressed else ""
        )
        return (
            f'{head}{file}, "line": {f.line}, "column": {f.column}{end}, {texts}{snippet}, '
            f'"language": {quoted.get(f.language) or self.quote(f.language)}, '
            f'"fingerprint": "{f.fingerprint()}"{flags}}}'
        )


def write(report: Report, rules: RuleSet, link_base: str, out: TextIO) -> None:
    """The JSON report, a chunk of findings at a time."""
    dump(to_dict(report, rules, findings=False), out, {"findings": JsonWriter().finding})
