# SPDX-License-Identifier: Apache-2.0
"""`porting-advisor merge`: one portfolio over the JSON reports of sample-projects/*, and the
subcommand dispatch that leaves `porting-advisor PATH` alone."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    from porting_advisor import cli

    out = tmp_path_factory.mktemp("reports")
    paths = []
    for d in sorted((ROOT / "sample-projects").iterdir()):
        if d.is_dir():
            path = out / f"{d.name}.json"
            assert cli.main([str(d), "--no-cache", "-q", "--output", str(path)]) == 0
            paths.append(path)
    return paths


def test_merge_writes_json_markdown_and_html(reports, run_cli, tmp_path):
    outs = [tmp_path / "p.json", tmp_path / "p.md", tmp_path / "p.html"]
    res = run_cli("merge", *reports, *(a for o in outs for a in ("--output", o)))
    assert res.code == 0, res.err
    data = json.loads(outs[0].read_text())
    assert data["repositories"] == 7
    assert data["by_verdict"] == {"blocked": 5, "significant": 2}
    names = [r["name"].rsplit("/", 1)[-1] for r in data["repos"]]
    assert names[:5] == [
        "fortran-legacy",
        "cpp-service",
        "c-simd-engine",
        "python-native-deps",
        "java-jni",
    ]  # blocked first, then by effort
    java = next(r for r in data["repos"] if r["name"].endswith("java-jni"))
    assert java["verdict"] == "blocked"
    assert java["top_blockers"][-1] == {
        "rule": "dependency-no-arm64",
        "subject": "leveldbjni-all",
        "count": 1,
    }
    assert {"rule": "build-x86-isa-flag", "subject": "-mavx2", "repositories": 3} in data[
        "common_blockers"
    ]
    assert all(b["repositories"] >= 2 for b in data["common_blockers"])
    assert "| `build-x86-isa-flag` | -mavx2 | 3 |" in outs[1].read_text()
    assert 'data-verdict="blocked"' in outs[2].read_text()


def test_merge_effort_matches_the_html_reports_table(reports, run_cli, tmp_path):
    out = tmp_path / "p.json"
    assert run_cli("merge", reports[0], "--output", out).code == 0
    repo = json.loads(out.read_text())["repos"][0]
    html = run_cli(ROOT / "sample-projects" / "c-simd-engine", "--format", "html").out
    assert f"<b>{repo['effort_hours']:.0f} h</b>estimated effort" in html


def test_merge_bad_input_is_usage_error(run_cli, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"hello": 1}')
    res = run_cli("merge", bad, "--output", tmp_path / "p.json")
    assert res.code == 2 and "not a porting-advisor JSON report" in res.err
    res = run_cli("merge", bad, "--output", tmp_path / "p.txt")
    assert res.code == 2 and "portfolio format" in res.err


def test_a_directory_named_merge_is_scanned_as_dot_slash_merge(run_cli, tmp_path, monkeypatch):
    (tmp_path / "merge").mkdir()
    (tmp_path / "merge" / "a.c").write_text("#include <immintrin.h>\n")
    monkeypatch.chdir(tmp_path)
    data = run_cli("./merge", "--format", "json", "--no-cache").json()
    assert [f["rule"] for f in data["findings"]] == ["c-x86-header"]
    assert "./merge" in run_cli("--help").out
