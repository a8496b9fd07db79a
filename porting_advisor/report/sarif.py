# SPDX-License-Identifier: Apache-2.0
"""The SARIF 2.1.0 report for code-scanning tools: the whole rule catalogue, then one result
per finding, streamed."""

from __future__ import annotations

import json
from typing import Any, TextIO

from porting_advisor.core.model import Finding, Report, Severity
from porting_advisor.core.ruleset import RuleSet
from porting_advisor.report import verdict
from porting_advisor.report.json import write_items

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

    def __init__(self, index: dict[str, int], prefix: str = "") -> None:
        from collections import Counter
        from json.encoder import encode_basestring

        self.encode = encode_basestring
        self.index = index
        self.prefix = prefix  # the scanned root's path below SRCROOT
        self.seen: Counter[str] = Counter()  # fingerprints so far: the occurrence number
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
                f'{{"artifactLocation": {{"uri": {self.encode(self.prefix + f.file)}, '
                '"uriBaseId": "SRCROOT"}'
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
        # fingerprints are a multiset (two flags on one line); code scanning would merge the
        # alerts that share one, so each result's gets its occurrence number
        fp = f.fingerprint()
        self.seen[fp] += 1
        return (
            f'{head}{uri}{region}}}}}], "partialFingerprints": '
            f'{{"portingAdvisor/v1": "{fp}:{self.seen[fp]}"}}{tail}}}'
        )


SRCROOT = "the git work tree's root, or the scanned folder outside one"
RESULTS = "\x00results\x00"  # where the streamed results go in the SARIF document


def write(report: Report, rules: RuleSet, link_base: str, out: TextIO) -> None:
    """The SARIF document, a chunk of results at a time."""
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
                "originalUriBaseIds": {
                    "SRCROOT": {
                        **({"uri": report.uri_base} if report.uri_base else {}),
                        "description": {"text": SRCROOT},
                    }
                },
                "results": RESULTS if report.findings else [],
                "properties": {
                    "target": report.target,
                    "targetOs": report.target_os,
                    "rulesUsed": used,
                    "verdict": verdict.decide(report.findings, rules),
                },
            }
        ],
    }
    # everything but the results is small: indented by json; the results, one a line
    before, _, after = json.dumps(doc, indent=2, ensure_ascii=False).partition(json.dumps(RESULTS))
    out.write(before)
    if report.findings:
        write_items(out, report.findings, SarifWriter(index, report.uri_prefix).result, " " * 8)
        out.write("\n      ]")
    out.write(after + "\n")
