# SPDX-License-Identifier: Apache-2.0
"""The command line as users and CI use it: reports, formats, exit codes, bad usage."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import FIXTURES, ROOT

SAMPLE = ROOT / "sample-projects" / "c-simd-engine"
ASM = FIXTURES / "core" / "asm"


def one_line_error(res) -> None:
    assert res.code == 2
    lines = res.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("porting-advisor: error: "), res.err
    assert "Traceback" not in res.err


def test_text_report_groups_by_file_and_summarises(run_cli):
    res = run_cli(SAMPLE, "--no-progress")
    assert res.code == 0
    lines = res.out.splitlines()
    assert "src/hash.c" in lines
    assert any(
        line.strip().startswith("12:25  error   intrinsic/c-x86-intrinsic") for line in lines
    )
    summary = lines[-1]
    assert summary.startswith("16 files scanned, 0 skipped; 21 findings (error 14, warning 7)")
    assert "by category: asm-source 1, build-flag 2, config-guess 1, inline-asm 2" in summary
    assert "Not analysed" not in res.out
    res = run_cli(ROOT / "sample-projects" / "cpp-service" / "src", "--no-progress")
    assert "src" not in res.out and "simd.cpp" in res.out


def test_json_report_follows_the_contract(run_cli, tmp_path):
    out = tmp_path / "r.json"
    res = run_cli(SAMPLE, "--output", out)
    assert res.code == 0 and res.out == ""
    data = json.loads(out.read_text())
    assert list(data) == [
        "schema_version",
        "tool",
        "root",
        "target",
        "target_os",
        "files_scanned",
        "files_skipped",
        "files_by_language",
        "duration_seconds",
        "findings",
        "skipped",
        "remarks",
        "dependencies",
        "summary",
    ]
    assert data["tool"]["name"] == "porting-advisor"
    assert data["target"] == "graviton3" and data["target_os"] == "linux"
    assert data["files_by_language"] == {"asm": 3, "autotools": 1, "c": 11, "make": 1}
    first = data["findings"][0]
    assert (first["file"], first["line"], first["column"]) == ("Makefile", 1, 15)
    assert first["rule"] == "build-x86-isa-flag" and first["category"] == "build-flag"
    assert first["language"] == "make" and "-mcpu=neoverse-v1" in first["suggestion"]
    whole = [f for f in data["findings"] if f["file"] == "asm/memcpy_x86_64.S"][0]
    assert (whole["line"], whole["column"], whole["rule"]) == (0, 0, "asm-x86-source")
    assert "end_line" not in whole and "snippet" not in whole
    hash_hits = [f for f in data["findings"] if f["file"] == "src/hash.c"]
    assert [(f["line"], f["column"], f["rule"]) for f in hash_hits] == [
        (5, 1, "c-x86-header"),
        (12, 25, "c-x86-intrinsic"),
        (17, 15, "c-x86-intrinsic"),
    ]
    crc = hash_hits[1]
    assert crc["end_line"] == 12 and crc["end_column"] == 25 + len("_mm_crc32_u64")
    assert "__crc32cd" in crc["suggestion"] and crc["language"] == "c"
    assert crc["snippet"] == "crc = (uint32_t)_mm_crc32_u64(crc, v);"
    assert all("filtered" not in f and "suppressed" not in f for f in data["findings"])
    assert data["summary"]["by_severity"] == {"error": 14, "warning": 7}
    keys = [(f["file"], f["line"], f["column"], f["rule"]) for f in data["findings"]]
    assert keys == sorted(keys)


def test_format_json_to_stdout_and_several_outputs(run_cli, tmp_path):
    res = run_cli(ASM, "--format", "json")
    assert json.loads(res.out)["summary"]["by_category"] == {"asm-source": 4}
    outs = [tmp_path / n for n in ("a.html", "a.json", "a.sarif", "a.csv", "a.md", "a.txt")]
    res = run_cli(SAMPLE, *[x for o in outs for x in ("--output", o)])
    assert res.code == 0
    assert all(o.stat().st_size > 0 for o in outs)
    assert json.loads(outs[2].read_text())["version"] == "2.1.0"
    assert outs[3].read_text().splitlines()[0].startswith("file,line,column,end_line")
    assert outs[4].read_text().startswith("## porting-advisor: Arm64 readiness")


def test_html_is_self_contained_and_escaped(run_cli, tmp_path):
    src = tmp_path / "tree"
    src.mkdir()
    (src / "x.c").write_text(
        "#include <immintrin.h>\nint f(void){ return _mm_popcnt_u32(1); "
        "/* <script>alert(1)</script> */ }\n"
    )
    out = tmp_path / "r.html"
    assert run_cli(src, "--output", out).code == 0
    html = out.read_text()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "http://" not in html and "https://" not in html.replace(
        "https://json.schemastore.org", ""
    )
    assert html.count('class="finding"') == 2


def test_single_file_path(run_cli):
    res = run_cli(FIXTURES / "c" / "inline-asm" / "asm_bad.c", "--format", "json")
    data = res.json()
    assert {f["file"] for f in data["findings"]} == {"asm_bad.c"}
    assert data["files_scanned"] == 1


def test_fail_on_levels(run_cli):
    assert run_cli(SAMPLE, "--fail-on", "error").code == 1
    assert run_cli(SAMPLE, "--fail-on", "never").code == 0
    types = FIXTURES / "c" / "types" / "types_ok.c"
    assert run_cli(types, "--fail-on", "info").code == 0
    assert run_cli(FIXTURES / "c" / "types" / "types_bad.c", "--fail-on", "error").code == 0
    assert run_cli(FIXTURES / "c" / "types" / "types_bad.c", "--fail-on", "warning").code == 1


def test_issue_types(run_cli):
    res = run_cli(SAMPLE, "--format", "json", "--issue-types", "-intrinsic,-inline-asm")
    cats = res.json()["summary"]["by_category"]
    assert "intrinsic" not in cats and "inline-asm" not in cats and cats["asm-source"] == 1
    res = run_cli(SAMPLE, "--format", "json", "--issue-types", "config-guess")
    assert res.json()["summary"]["by_category"] == {"config-guess": 1}
    res = run_cli(
        FIXTURES / "c" / "optin",
        "--format",
        "json",
        "--issue-types",
        "+CompilerSpecific,+NoEquivalent",
    )
    assert {f["rule"] for f in res.json()["findings"]} == {
        "c-compiler-guard",
        "c-missing-arm64-path",
    }


def test_bad_usage_is_one_line_and_exit_2(run_cli, tmp_path):
    one_line_error(run_cli(tmp_path / "missing"))
    one_line_error(run_cli())
    one_line_error(run_cli(SAMPLE, "--format", "xml"))
    one_line_error(run_cli(SAMPLE, "--issue-types", "+nonsense"))
    one_line_error(run_cli(SAMPLE, "--target", "graviton9"))
    one_line_error(run_cli(SAMPLE, "--target-os", "beos"))
    one_line_error(run_cli(SAMPLE, "--output", tmp_path / "no" / "such" / "dir" / "r.json"))
    one_line_error(run_cli(SAMPLE, "--output", tmp_path / "report.unknown"))
    one_line_error(run_cli(SAMPLE, "--output", tmp_path))
    one_line_error(run_cli(SAMPLE, "--no-such-option"))
    one_line_error(run_cli("--explain", "no-such-rule"))


def test_bad_rules_directory_is_exit_2(run_cli, tmp_path):
    rules = tmp_path / "rules"
    (rules / "generated").mkdir(parents=True)
    (rules / "categories.yaml").write_text((ROOT / "rules" / "categories.yaml").read_text())
    (rules / "x.rules.yaml").write_text(
        "rules:\n  - id: Bad_Id\n    category: intrinsic\n"
        "    title: t\n    description: d\n    message: m\n"
        "    suggestion: s\n"
    )
    res = run_cli(SAMPLE, "--rules-dir", rules)
    one_line_error(res)
    assert "x.rules.yaml" in res.err and "Bad_Id" in res.err
    (rules / "x.rules.yaml").write_text("rules: [: oops")
    one_line_error(run_cli(SAMPLE, "--rules-dir", rules))


def test_version_list_rules_explain_targets(run_cli, rules):
    res = run_cli("--version")
    assert res.code == 0 and res.out.strip().startswith("porting-advisor ")
    from porting_advisor import __version__

    assert res.out.strip() == f"porting-advisor {__version__}"
    res = run_cli("--list-rules")
    assert res.code == 0 and len(res.out.splitlines()) == len(rules.rules)
    assert any(line.startswith("c-x86-intrinsic ") for line in res.out.splitlines())
    res = run_cli("--explain", "c-reached-error")
    assert res.code == 0 and "category: preprocessor-error" in res.out
    assert "Suggestion:" in res.out and "Example:" in res.out
    res = run_cli("--list-targets")
    assert "graviton4" in res.out and "armv9-a+i8mm+bf16" in res.out


def test_jobs_do_not_change_the_report(run_cli, tmp_path):
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"j{jobs}.json"
        assert run_cli(ROOT / "sample-projects", "--jobs", jobs, "--output", out).code == 0
        data = json.loads(out.read_text())
        data.pop("duration_seconds")
        outs.append(data)
    assert outs[0] == outs[1]
    tree = FIXTURES
    a = run_cli(tree, "--jobs", "1", "--format", "json").json()
    b = run_cli(tree, "--jobs", "2", "--format", "json").json()
    a.pop("duration_seconds"), b.pop("duration_seconds")
    assert a == b and len(a["findings"]) > 50


@pytest.mark.parametrize("files", [1100, 120])
def test_a_pool_gives_the_serial_report(run_cli, tmp_path, files):
    """From 256 files the pool starts while the walk goes on (1100), else when it ends (120):
    either way the files of rare languages go out first in one batch and the others largest
    first, and the report is still the serial one, in walk order."""
    code = "#include <immintrin.h>\nint f{i}(void) {{ return _mm_popcnt_u32({i}); }}\n"
    tree = tmp_path / "tree"
    for i in range(files):
        d = tree / f"d{i % 7}"
        d.mkdir(parents=True, exist_ok=True)
        padding = "/* pad */\n" * (i % 97 if files > 256 else 400 + i)  # sizes out of order
        text = padding + (code.format(i=i) if i % 5 == 0 else "int x;\n")
        (d / f"f{i}.c").write_text(text)
    # a language with a few files only: not preloaded, one worker loads its scanners
    (tree / "d0" / "build.sh").write_text('#!/bin/sh\nCFLAGS="-O2 -mavx2"\ncc $CFLAGS a.c\n')
    (tree / "d3" / "Dockerfile").write_text("FROM --platform=linux/amd64 debian:12\n")
    cache = ["--cache-dir", str(tmp_path / "cache")]
    a = run_cli(tree, "--no-cache", "--jobs", "1", "--format", "json").json()
    b = run_cli(tree, *cache, "--format", "json").json()
    # each file's result is cached under its own stamp: a rescan after one change reuses
    # the others, and gives the same report
    (tree / "d1" / "f1.c").write_text("int changed;\n")
    c = run_cli(tree, *cache, "--format", "json").json()
    for r in (a, b, c):
        r.pop("duration_seconds")
    assert a == b and c == a
    assert sum(f["file"].endswith(".c") for f in a["findings"]) == 2 * (files // 5)
    assert {"d0/build.sh", "d3/Dockerfile"} <= {f["file"] for f in a["findings"]}


def test_target_changes_sve_findings(run_cli):
    sve = FIXTURES / "c" / "sve" / "sve_bad.c"
    g2 = run_cli(sve, "--target", "graviton2", "--format", "json").json()
    g3 = run_cli(sve, "--target", "graviton3", "--format", "json").json()
    assert len(g2["findings"]) == 8 and g3["findings"] == []


def test_module_entry_point_and_no_progress_without_tty():
    res = subprocess.run(
        [sys.executable, "-m", "porting_advisor", str(ASM), "--format", "json"],
        capture_output=True,
        text=True,
        env={**os.environ, "CI": ""},
    )
    assert res.returncode == 0
    assert json.loads(res.stdout)["files_scanned"] == 17
    assert "[" not in res.stderr  # no progress bar: stderr is not a terminal


def test_progress_counts_files_while_walking_then_shows_a_bar(capsys, monkeypatch):
    from porting_advisor.engine import pipeline

    clock = iter([100.0, 100.05, 100.2, 100.4, 100.45, 100.6, 100.9])
    monkeypatch.setattr(pipeline.time, "monotonic", lambda: next(clock))
    assert pipeline.Progress.walking(False) is None
    found = pipeline.Progress.walking(True)  # reads the clock once
    found(1024)  # 0.05 s later: too soon to redraw
    found(2048)
    bar = pipeline.Progress(4000, True)
    bar(1000)
    bar(1500)  # too soon again
    bar(4000)  # the end always draws, then clears
    err = capsys.readouterr().err
    assert "1024 files found" not in err and "\r2048 files found..." in err
    assert "1000/4000 files" in err and "1500/4000" not in err and "4000/4000 files" in err
    assert err.endswith("\r")


def test_an_internal_error_is_one_line_and_exit_2(run_cli, tmp_path, monkeypatch):
    """A bug in a cross-file pass must not end in a traceback: one line naming it, exit 2;
    PORTING_ADVISOR_DEBUG=1 lets the exception through for whoever debugs it."""
    from porting_advisor import passes

    (tmp_path / "a.c").write_text("int f(void) { return 0; }\n")

    def boom(*args: object) -> None:
        raise RuntimeError("facts out of step")

    monkeypatch.setattr(passes, "run", boom)
    res = run_cli(tmp_path, "--no-cache", "--format", "json")
    assert res.code == 2 and "Traceback" not in res.err
    assert res.err.strip() == (
        "porting-advisor: internal error: RuntimeError: facts out of "
        "step (a bug in porting-advisor; PORTING_ADVISOR_DEBUG=1 shows "
        "where)"
    )
    monkeypatch.setenv("PORTING_ADVISOR_DEBUG", "1")
    with pytest.raises(RuntimeError):
        run_cli(tmp_path, "--no-cache", "--format", "json")
