# SPDX-License-Identifier: Apache-2.0
"""Report formats: SARIF against the official schema, CSV/Markdown shape, fingerprints."""

from __future__ import annotations

import collections
import csv
import io
import json
from html.parser import HTMLParser

import pytest

from conftest import ROOT, scan
from porting_advisor import report

SAMPLE = ROOT / "sample-projects" / "c-simd-engine"
SCHEMA = ROOT.parent / "shared" / "data" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def sample_report(rules):
    return scan(SAMPLE, rules)


def test_sarif_is_valid_and_complete(sample_report, rules):
    jsonschema = pytest.importorskip("jsonschema")
    doc = json.loads(report.render("sarif", sample_report, rules))
    if SCHEMA.exists():
        jsonschema.validate(doc, json.loads(SCHEMA.read_text()))
    run = doc["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert ids == sorted(rules.rules)
    results = run["results"]
    assert len(results) == len(sample_report.findings)
    whole_file = [r for r in results if r["ruleId"] == "asm-x86-source"][0]
    assert "region" not in whole_file["locations"][0]["physicalLocation"]
    crc = [r for r in results if r["ruleId"] == "c-x86-intrinsic"][0]
    loc = crc["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "src/fastpath.c", "uriBaseId": "SRCROOT"}
    assert loc["region"]["startLine"] == 8 and crc["level"] == "warning"
    assert ids[crc["ruleIndex"]] == "c-x86-intrinsic"
    assert crc["partialFingerprints"]["portingAdvisor/v1"]


def test_csv_and_markdown(sample_report, rules):
    rows = list(csv.DictReader(io.StringIO(report.render("csv", sample_report, rules))))
    assert len(rows) == len(sample_report.findings)
    assert (rows[0]["file"], rows[0]["line"], rows[0]["rule"]) == (
        "Makefile",
        "1",
        "build-x86-isa-flag",
    )
    whole = [r for r in rows if r["rule"] == "asm-x86-source"]
    assert whole[0]["file"] == "asm/memcpy_x86_64.S" and whole[0]["line"] == "0"
    md = report.render("markdown", sample_report, rules, "https://example.test/repo/blob/main")
    assert "[src/hash.c:12](https://example.test/repo/blob/main/src/hash.c#L12)" in md
    assert md.count("\n| [") == len(sample_report.findings)
    assert "| intrinsic | 10 |" in md and "more: see the full report" not in md
    sample_report.findings = sample_report.findings * 3  # 63 > 50: the rest is cut
    md = report.render("markdown", sample_report, rules)
    assert md.count("\n| `") == 50 and "... and 13 more" in md


def test_fingerprint_survives_line_shifts(tmp_path, rules):
    code = "int f(void) { return _mm_popcnt_u32(3); }\n"
    (tmp_path / "a.c").write_text(code)
    first = scan(tmp_path, rules).findings[0]
    (tmp_path / "a.c").write_text("\n\n/* moved */\n" + code.replace("(3)", "( 3 )"))
    moved = scan(tmp_path, rules).findings[0]
    assert first.line != moved.line
    assert len(first.fingerprint()) == 20
    assert first.fingerprint() == moved.fingerprint()  # whitespace and line are ignored
    (tmp_path / "a.c").write_text(code.replace("_mm_popcnt_u32", "_mm_popcnt_u64"))
    assert scan(tmp_path, rules).findings[0].fingerprint() != first.fingerprint()


class Rows(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows = 0
        self.external = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and a.get("class") == "finding":
            self.rows += 1
        if tag in ("script", "link", "img") and (a.get("src") or a.get("href")):
            self.external.append(a)


def test_html_structure(sample_report, rules):
    html = report.render("html", sample_report, rules)
    parser = Rows()
    parser.feed(html)
    assert parser.rows == len(sample_report.findings)
    assert parser.external == []
    assert "Not analysed" in html or "make" in html


def test_html_lists_the_most_severe_findings_of_a_huge_report(sample_report, rules, monkeypatch):
    """Past HTML_FINDINGS, the page lists the most severe findings in file order and says so;
    the summary still counts them all."""
    from porting_advisor.core.model import Severity

    monkeypatch.setattr(report.html, "HTML_FINDINGS", 5)
    errors = [f for f in sample_report.findings if f.severity == Severity.ERROR]
    assert len(errors) > 5 and len(sample_report.findings) > len(errors)
    listed = report.html.html_findings(sample_report)
    assert listed == errors[:5]
    html = report.render("html", sample_report, rules)
    parser = Rows()
    parser.feed(html)
    assert parser.rows == 5
    total = len(sample_report.findings)
    assert f"The 5 most severe of {total} findings are listed here" in html
    monkeypatch.setattr(report.html, "HTML_FINDINGS", total)
    assert "most severe of" not in report.render("html", sample_report, rules)


def test_json_reports_match_the_schema(rules, run_cli):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "schemas" / "report-v1.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    for tree, args in (
        (ROOT / "sample-projects", ()),
        (ROOT / "tests" / "fixtures", ()),
        (ROOT / "tests" / "fixtures" / "c", ("--no-filter", "--show-suppressed")),
    ):
        data = run_cli(tree, "--format", "json", "--no-cache", *args).json()
        jsonschema.validate(data, schema)
    bad = run_cli(ROOT / "sample-projects", "--format", "json", "--no-cache").json()
    bad["findings"][0]["line"] = -1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_text_colour_only_when_asked(sample_report, rules):
    plain = report.text.render(sample_report, rules, colour=False)
    coloured = report.text.render(sample_report, rules, colour=True)
    assert "\033[" not in plain and "\033[31m" in coloured
    assert "Top directories: " in plain


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_text_is_coloured_only_on_a_terminal_stream(sample_report, rules, monkeypatch):
    """Colour follows the stream written to, not stdout: `--output r.txt` from a terminal
    gets plain text."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    tty, file = Terminal(), io.StringIO()
    report.write("text", sample_report, rules, "", tty)
    report.write("text", sample_report, rules, "", file)
    assert "\033[31m" in tty.getvalue() and "\033[" not in file.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\033[" not in report.render("text", sample_report, rules)
    tty = Terminal()
    report.write("text", sample_report, rules, "", tty)
    assert tty.getvalue() == file.getvalue()


def test_every_format_is_offered_and_chosen_by_a_suffix():
    from porting_advisor import cli

    choices = next(p for p in cli.command.params if p.name == "fmt").type.choices
    assert list(choices) == list(report.FORMATS)
    assert set(report.SUFFIXES.values()) == set(report.FORMATS)
    assert report.format_for("out/R.DEPS.CSV") == "dependencies-csv"
    assert report.format_for("r.csv") == "csv" and report.format_for("r.xml") is None


def test_json_findings_are_what_json_itself_writes(sample_report, rules):
    """The hand-assembled finding lines decode to `finding_dict` and equal json's own text,
    also for strings that need escaping and for the optional keys."""
    from dataclasses import replace

    base = sample_report.findings[0]
    tricky = [
        replace(
            base,
            file='dir/naïve "q".c',
            message="tab\there \\ back",
            snippet="a\0b\nc",
            suggestion="→ use vaddq_f32",
            filtered=True,
        ),
        replace(base, line=0, column=0, end_line=0, end_column=0, snippet="", suppressed=True),
        replace(base, message="\u2028 line separator and 😀"),
    ]
    rep = replace(sample_report, findings=[*tricky, *sample_report.findings])
    text = report.render("json", rep, rules)
    data = json.loads(text)
    assert data["findings"] == [report.json.finding_dict(f) for f in rep.findings]
    encode = json.JSONEncoder(ensure_ascii=False).encode
    lines = text.split("\n")  # (splitlines would also break at U+2028)
    start = lines.index('  "findings": [') + 1
    for i, f in enumerate(rep.findings):
        assert lines[start + i].strip().rstrip(",") == encode(report.json.finding_dict(f))


def sarif_results(findings, index):
    """The contract's SARIF results, each partial fingerprint numbered by its occurrence."""
    seen = collections.Counter()
    out = []
    for f in findings:
        seen[f.fingerprint()] += 1
        out.append(sarif_result(f, index, seen[f.fingerprint()]))
    return out


def sarif_result(f, index, occurrence=1):
    """The contract's SARIF result for one finding, built as a dict (what json itself writes)."""
    loc = {"artifactLocation": {"uri": f.file, "uriBaseId": "SRCROOT"}}
    if f.line > 0:
        region = {"startLine": f.line, "startColumn": max(1, f.column)}
        if f.end_line:
            region.update(endLine=f.end_line, endColumn=f.end_column)
        if f.snippet:
            region["snippet"] = {"text": f.snippet}
        loc["region"] = region
    res = {
        "ruleId": f.rule,
        "ruleIndex": index[f.rule],
        "level": {"error": "error", "warning": "warning", "info": "note"}[f.severity.label],
        "message": {"text": f"{f.message} {f.suggestion}".strip()},
        "locations": [{"physicalLocation": loc}],
        "partialFingerprints": {"portingAdvisor/v1": f"{f.fingerprint()}:{occurrence}"},
    }
    if f.suppressed:
        res["suppressions"] = [{"kind": "inSource"}]
    return res


def test_sarif_results_are_what_json_itself_writes(sample_report, rules):
    """Each streamed SARIF result line is json's own text for the result's dict, with escapes,
    a whole-file finding, an end position and a suppression."""
    from dataclasses import replace

    base = [f for f in sample_report.findings if f.line][0]
    tricky = [
        replace(
            base,
            file='dir/naïve "q".c',
            message="tab\there \\ back",
            snippet="a\0b\nc",
            suggestion="→ use vaddq_f32",
        ),
        replace(base, line=0, column=0, end_line=0, end_column=0, snippet="", suppressed=True),
        replace(base, end_line=base.line + 1, end_column=4, column=0),
        replace(base, message="\u2028 line separator and 😀", suggestion=""),
    ]
    rep = replace(sample_report, findings=[*tricky, *sample_report.findings])
    text = report.render("sarif", rep, rules)
    index = {r: i for i, r in enumerate(sorted(rules.rules))}
    results = json.loads(text)["runs"][0]["results"]
    want = sarif_results(rep.findings, index)
    assert results == want
    lines = text.split("\n")
    start = lines.index('      "results": [') + 1
    encode = json.JSONEncoder(ensure_ascii=False).encode
    for i, _ in enumerate(rep.findings):
        assert lines[start + i] == " " * 8 + encode(want[i]) + (
            "," if i < len(rep.findings) - 1 else ""
        )


def test_large_reports_are_written_in_chunks(sample_report, rules, monkeypatch):
    """JSON and SARIF go out a chunk of findings at a time; every finding is there, in order,
    across chunk boundaries (here 7 findings a chunk)."""
    from dataclasses import replace

    monkeypatch.setattr(report.json, "CHUNK", 7)
    many = [replace(f, line=f.line + 1000 * k) for k in range(3) for f in sample_report.findings]
    rep = replace(sample_report, findings=many)
    out = io.StringIO()
    report.write("json", rep, rules, "", out)
    assert [(f["file"], f["line"]) for f in json.loads(out.getvalue())["findings"]] == [
        (f.file, f.line) for f in many
    ]
    out = io.StringIO()
    report.write("sarif", rep, rules, "", out)
    results = json.loads(out.getvalue())["runs"][0]["results"]
    assert len(results) == len(many) == 3 * len(sample_report.findings) > 7 * 3
    assert [r["partialFingerprints"] for r in results] == [
        r["partialFingerprints"] for r in sarif_results(many, dict.fromkeys(rules.rules, 0))
    ]
    assert len({r["partialFingerprints"]["portingAdvisor/v1"] for r in results}) == len(many)
    empty = replace(sample_report, findings=[])
    assert json.loads(report.render("sarif", empty, rules))["runs"][0]["results"] == []
    assert json.loads(report.render("json", empty, rules))["findings"] == []
