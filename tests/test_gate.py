# SPDX-License-Identifier: Apache-2.0
"""The CI gate: exit codes, baselines, suppressions, configuration, --changed-since, cache."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from porting_advisor.core.model import Options, Severity
from porting_advisor.core.source import Source
from porting_advisor.engine import scan as engine
from porting_advisor.engine import tasks
from porting_advisor.engine.pool import Pool
from porting_advisor.engine.walk import Task

X86 = "#include <immintrin.h>\nint f(void) { return _mm_popcnt_u32(3); }\n"


def tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "repo"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_exit_codes(run_cli, tmp_path):
    root = tree(tmp_path, {"a.c": X86, "b.c": "int b(void) { return 0; }\n"})
    assert run_cli(root, "--fail-on", "error", "--no-cache").code == 1
    assert run_cli(root, "--fail-on", "never", "--no-cache").code == 0
    assert run_cli(root / "b.c", "--fail-on", "info", "--no-cache").code == 0
    assert run_cli(root, "--fail-on", "bogus").code == 2


def test_baseline_round_trip(run_cli, tmp_path):
    root = tree(tmp_path, {"a.c": X86})
    base = tmp_path / "baseline.json"
    res = run_cli(root, "--write-baseline", base, "--fail-on", "error", "--no-cache")
    assert res.code == 0 and "wrote 2 finding(s)" in res.err
    assert json.loads(base.read_text())["format"] == "porting-advisor-baseline"
    res = run_cli(root, "--baseline", base, "--fail-on", "error", "--format", "json", "--no-cache")
    data = res.json()
    assert res.code == 0 and data["findings"] == []
    assert data["summary"]["baselined"] == 2 and data["summary"]["stale_baseline"] == 0
    # lines move above the findings: still known
    (root / "a.c").write_text("/* a new comment */\n\n" + X86)
    res = run_cli(root, "--baseline", base, "--fail-on", "error", "--format", "json", "--no-cache")
    assert res.code == 0 and res.json()["findings"] == []
    # a new finding is reported; removing one makes a stale entry
    (root / "a.c").write_text("#include <immintrin.h>\nint g(void) { return _mm_popcnt_u64(3); }\n")
    res = run_cli(root, "--baseline", base, "--fail-on", "error", "--format", "json", "--no-cache")
    data = res.json()
    assert res.code == 1
    assert [(f["line"], f["rule"]) for f in data["findings"]] == [(2, "c-x86-intrinsic")]
    assert data["summary"]["baselined"] == 1 and data["summary"]["stale_baseline"] == 1


def test_bad_baselines_are_exit_2(run_cli, tmp_path):
    root = tree(tmp_path, {"a.c": X86})
    for content in (
        None,
        "{not json",
        '{"format": "other"}',
        '{"format": "porting-advisor-baseline", "fingerprints": {"x": -1}}',
    ):
        path = tmp_path / "b.json"
        if content is None:
            path.unlink(missing_ok=True)
        else:
            path.write_text(content)
        res = run_cli(root, "--baseline", path)
        assert res.code == 2 and len(res.err.strip().splitlines()) == 1, res.err
        assert "baseline" in res.err


@pytest.mark.parametrize(
    "name, text",
    [
        (
            "a.c",
            "int f(void) { return _mm_popcnt_u32(3); } // porting-advisor: ignore[intrinsic]\n",
        ),
        (
            "a.cpp",
            "// porting-advisor: ignore[c-x86-intrinsic] reviewed\n"
            "int f() { return _mm_popcnt_u32(3); }\n",
        ),
        (
            "a.c",
            "/* porting-advisor: ignore[c-x86-intrinsic] */\nint f(void) "
            "{ return _mm_popcnt_u32(3); }\n",
        ),
        (
            "Makefile",
            "# porting-advisor: ignore[build-flag] x86 host tools only\nCFLAGS += -mavx2\n",
        ),
        (
            "CMakeLists.txt",
            "add_compile_options(-mavx2) # porting-advisor: ignore[build-x86-isa-flag]\n",
        ),
        (
            "Dockerfile",
            "# porting-advisor: ignore[container]\nFROM --platform=linux/amd64 alpine\n",
        ),
    ],
)
def test_suppressions_in_each_syntax(run_cli, tmp_path, name, text):
    root = tree(tmp_path, {name: text})
    data = run_cli(root, "--format", "json", "--no-cache").json()
    assert data["findings"] == [] and data["summary"]["suppressed"] == 1
    shown = run_cli(root, "--format", "json", "--show-suppressed", "--no-cache").json()
    assert len(shown["findings"]) == 1 and shown["findings"][0]["suppressed"] is True


@pytest.mark.parametrize(
    "text",
    [
        "! porting-advisor: ignore[intrinsic]\n      x = 1\n",  # Fortran
        "// porting-advisor: ignore[intrinsic]\nx := 1\n",  # Go, Java
        "# porting-advisor: ignore[intrinsic]\nx = 1\n",  # Python
    ],
)
def test_suppression_comment_syntaxes(rules, text):
    from porting_advisor.core.source import finding

    src = Source("f", "x", b"", text, Options(root=Path(".")), rules)
    f = finding(rules, "c-x86-intrinsic", "f", 2, 1, snippet="x")
    assert tasks.suppressions(src, [f])[0].suppressed
    plain = Source(
        "f",
        "x",
        b"",
        "x = 'porting-advisor: ignore[intrinsic]'\nx\n",
        Options(root=Path(".")),
        rules,
    )
    assert not tasks.suppressions(plain, [f])[0].suppressed


def test_configuration_and_precedence(run_cli, tmp_path):
    root = tree(
        tmp_path,
        {
            "a.c": X86,
            "vendor/v.c": X86,
            "sve.c": "#include <arm_sve.h>\nint n(void) { return (int)svcntw(); }\n",
        },
    )
    (root / ".porting-advisor.toml").write_text(
        'exclude = ["vendor/"]\ntarget = "graviton2"\nfail-on = "error"\n'
        'issue-types = "-intrinsic"\n'
    )
    res = run_cli(root, "--format", "json", "--no-cache")
    assert res.code == 0 and res.json()["target"] == "graviton2"
    assert res.json()["findings"] == []  # intrinsic is off by configuration
    res = run_cli(root, "--format", "json", "--issue-types", "intrinsic", "--no-cache")
    files = {f["file"] for f in res.json()["findings"]}
    assert files == {"a.c", "sve.c"} and res.code == 1  # fail-on from the file
    res = run_cli(
        root,
        "--format",
        "json",
        "--issue-types",
        "intrinsic",
        "--target",
        "graviton3",
        "--fail-on",
        "never",
        "--exclude",
        "a.c",
        "--no-cache",
    )
    assert {f["file"] for f in res.json()["findings"]} == {"vendor/v.c"} and res.code == 0
    (root / ".porting-advisor.toml").write_text('targte = "graviton4"\n')
    res = run_cli(root, "--no-cache")
    assert res.code == 2 and "targte" in res.err
    (root / ".porting-advisor.toml").unlink()
    (root / "pyproject.toml").write_text('[tool.porting-advisor]\ntarget = "graviton9"\n')
    assert run_cli(root, "--no-cache").code == 0  # the tree's pyproject.toml: a remark
    (root / "pyproject.toml").write_text('[tool.porting-advisor]\nissue-types = ["config-guess"]\n')
    assert run_cli(root, "--format", "json", "--no-cache").json()["findings"] == []


def git(cwd, *args):
    subprocess.run(
        ["git", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@t",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@t",
        },
    )


@pytest.mark.skipif(not shutil.which("git"), reason="git not installed")
def test_changed_since(run_cli, tmp_path):
    root = tree(tmp_path, {"src/old.c": X86, "src/keep.c": X86, "other/x.c": X86})
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "feature")
    (root / "src" / "old.c").write_text(X86 + "int h(void) { return _mm_popcnt_u32(4); }\n")
    git(root, "commit", "-q", "-am", "change")
    (root / "src" / "new.c").write_text(X86)  # untracked
    (root / "other" / "x.c").write_text(X86 + "\n")  # uncommitted
    data = run_cli(root, "--changed-since", "main", "--format", "json", "--no-cache").json()
    assert {f["file"] for f in data["findings"]} == {"src/old.c", "src/new.c", "other/x.c"}
    data = run_cli(root / "src", "--changed-since", "main", "--format", "json", "--no-cache").json()
    assert {f["file"] for f in data["findings"]} == {"old.c", "new.c"}
    res = run_cli(root, "--changed-since", "no-such-branch")
    assert res.code == 2 and "unknown git ref" in res.err
    res = run_cli(tmp_path / "repo" / "..", "--changed-since", "main")
    assert res.code == 2 and "not inside a git repository" in res.err


@pytest.mark.skipif(not shutil.which("git"), reason="git not installed")
def test_changed_since_in_a_shallow_clone(run_cli, tmp_path):
    origin = tree(tmp_path, {"a.c": X86})
    git(origin, "init", "-q", "-b", "main")
    git(origin, "add", ".")
    git(origin, "commit", "-q", "-m", "one")
    git(origin, "checkout", "-q", "-b", "side")
    (origin / "b.c").write_text(X86)
    git(origin, "add", ".")
    git(origin, "commit", "-q", "-m", "two")
    git(origin, "checkout", "-q", "main")
    (origin / "c.c").write_text(X86)
    git(origin, "add", ".")
    git(origin, "commit", "-q", "-m", "three")
    clone = tmp_path / "clone"
    git(
        tmp_path,
        "clone",
        "-q",
        "--depth",
        "1",
        "--no-single-branch",
        f"file://{origin}",
        str(clone),
    )
    res = run_cli(clone, "--changed-since", "origin/side")
    assert res.code == 2 and "shallow clone" in res.err


def test_cache_hits_and_invalidation(run_cli, tmp_path, monkeypatch):
    root = tree(tmp_path, {"a.c": X86, "b.c": "int b(void) { return 0; }\n"})
    cache = tmp_path / "cache"
    first = run_cli(root, "--cache-dir", cache, "--format", "json").json()
    assert (cache / "results-v1.sqlite3").exists()
    calls = []
    real = tasks.scan_task
    monkeypatch.setattr(tasks, "scan_task", lambda t, *a: calls.append(t.file) or real(t, *a))
    second = run_cli(root, "--cache-dir", cache, "--format", "json", "--jobs", "1").json()
    assert calls == [] and second["findings"] == first["findings"]
    (root / "b.c").write_text("int b(void) { return _mm_popcnt_u32(1); }\n")
    third = run_cli(root, "--cache-dir", cache, "--format", "json", "--jobs", "1").json()
    assert calls == ["b.c"] and len(third["findings"]) == 3
    os.utime(root / "a.c", ns=(1, 1))  # touched, same content: hash says hit
    calls.clear()
    run_cli(root, "--cache-dir", cache, "--format", "json", "--jobs", "1")
    assert calls == []
    calls.clear()  # another target: another scope
    run_cli(root, "--cache-dir", cache, "--target", "graviton2", "--jobs", "1")
    assert sorted(calls) == ["a.c", "b.c"]
    calls.clear()
    run_cli(root, "--no-cache", "--jobs", "1")
    assert sorted(calls) == ["a.c", "b.c"]
    monkeypatch.delenv("HOME", raising=False)  # no HOME: the cache switches itself off
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert run_cli(root, "--format", "json").code == 0
    (cache / "results-v1.sqlite3").write_bytes(b"garbage")  # corrupt: ignored, scan goes on
    assert run_cli(root, "--cache-dir", cache, "--format", "json").json()["findings"]


def test_cache_keeps_a_few_scopes_per_root(run_cli, tmp_path):
    import sqlite3

    root = tree(tmp_path, {"a.c": X86})
    cache = tmp_path / "cache"
    used = []
    for args in (
        ["--target", "graviton2"],
        ["--target", "graviton3"],
        ["--target", "graviton4"],
        ["--target", "graviton2"],
        ["--issue-types", "intrinsic"],
    ):
        run_cli(root, "--cache-dir", cache, *args)
        db = sqlite3.connect(cache / "results-v1.sqlite3")
        used.append(db.execute("SELECT scope FROM scopes ORDER BY used DESC").fetchone()[0])
        db.close()
        time.sleep(0.01)
    db = sqlite3.connect(cache / "results-v1.sqlite3")
    scopes = {r[0] for r in db.execute("SELECT scope FROM scopes")}
    stored = {r[0] for r in db.execute("SELECT DISTINCT scope FROM results")}
    db.close()
    # four scopes were used; the three most recent stay: graviton4, graviton2, intrinsic-only
    assert scopes == stored == {used[2], used[3], used[4]} and used[0] == used[3]


def test_integration_files_are_valid(run_cli):
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert {"path", "fail-on", "sarif", "baseline", "changed-since"} <= set(action["inputs"])
    steps = "\n".join(s.get("run", "") for s in action["runs"]["steps"])
    assert "porting-advisor" in steps and "--output" in steps
    uploads = [s for s in action["runs"]["steps"] if "upload-sarif" in s.get("uses", "")]
    assert uploads
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = hooks[0]
    assert hook["entry"] == "porting-advisor" and hook["language"] == "python"
    res = run_cli(
        *[
            a.replace(".", str(ROOT / "sample-projects" / "c-simd-engine")) if a == "." else a
            for a in hook["args"]
        ],
        "--no-cache",
    )
    assert res.code == 1 and "findings" in res.out


def test_cache_filled_by_the_pool_serves_a_serial_rescan(run_cli, tmp_path, monkeypatch):
    """Workers send back only a digest for files with nothing to say; those must still be
    cached as scanned-and-clean, and the files with findings as full results."""
    files = {f"plain{i}.c": f"int f{i}(void) {{ return {i}; }}\n" for i in range(40)}
    files.update({"a.c": X86, "m.py": "import os\n", "notes.txt": "x\n"})
    root = tree(tmp_path, files)
    cache = tmp_path / "cache"
    first = run_cli(root, "--cache-dir", cache, "--format", "json", "--jobs", "2").json()
    calls = []
    real = tasks.scan_task
    monkeypatch.setattr(tasks, "scan_task", lambda t, *a: calls.append(t.file) or real(t, *a))
    second = run_cli(root, "--cache-dir", cache, "--format", "json", "--jobs", "1").json()
    assert calls == []
    assert second["findings"] == first["findings"] and len(first["findings"]) == 2
    assert second["files_scanned"] == first["files_scanned"] == 42


def test_cache_rows_written_during_the_scan_are_kept(run_cli, tmp_path, monkeypatch):
    """Results are flushed to the database as their pickles pile up (here after each one)
    and committed with the rest at the end: a later scan finds every one of them."""
    from porting_advisor.engine.cache import Cache

    monkeypatch.setattr(Cache, "FLUSH_BYTES", 0)
    files = {f"k{i}.c": X86 for i in range(5)}
    files.update({"plain.c": "int p(void) { return 0; }\n"})
    root = tree(tmp_path, files)
    cache = tmp_path / "cache"
    first = run_cli(root, "--cache-dir", cache, "--format", "json", "--jobs", "1").json()
    assert len(first["findings"]) == 10
    calls = []
    real = tasks.scan_task
    monkeypatch.setattr(tasks, "scan_task", lambda t, *a: calls.append(t.file) or real(t, *a))
    (root / "plain.c").write_text("int p(void) { return 1; }\n")  # the walk comes back
    second = run_cli(root, "--cache-dir", cache, "--format", "json", "--jobs", "1").json()
    assert calls == ["plain.c"] and second["findings"] == first["findings"]


def test_cached_report_round_trip_in_chunks(rules, monkeypatch):
    """The last report is stored in chunks of findings (here 4): it comes back whole, every
    field of every finding, severities and fingerprints included."""
    import dataclasses

    from conftest import scan
    from porting_advisor.engine import rows

    monkeypatch.setattr(rows, "PACK_CHUNK", 4)
    report = scan(ROOT / "sample-projects", rules)
    report.contexts[("c-simd-engine/src/simd.c", 3)] = [(2, "int a;"), (3, "int b;")]
    assert len(report.findings) > 3 * 4
    back = rows.report_of(rows.report_blob(report))
    assert back == report  # every field; findings compare by place and rule...
    assert [dataclasses.astuple(f) for f in back.findings] == [  # ... so also field by field
        dataclasses.astuple(f) for f in report.findings
    ]
    assert [f.fingerprint() for f in back.findings] == [f.fingerprint() for f in report.findings]
    assert [type(f.severity) for f in back.findings] == [Severity] * len(report.findings)
    empty = rows.report_of(rows.report_blob(replace(report, findings=[])))
    assert empty.findings == []


def test_unchanged_tree_reuses_the_last_report(run_cli, tmp_path, monkeypatch):
    """A rescan of an unchanged tree neither walks nor scans; any change to a file, to a
    directory's entries or to a .gitignore brings the walk back, and only changed files are
    scanned again."""
    from porting_advisor.engine import walk

    root = tree(
        tmp_path,
        {
            "src/a.c": X86,
            "src/b.c": "int b(void) { return 0; }\n",
            "lib/c.c": "int c(void) { return 1; }\n",
        },
    )
    cache = tmp_path / "cache"
    args = (root, "--cache-dir", cache, "--format", "json", "--jobs", "1")
    first = run_cli(*args).json()
    walks, scans = [], []
    real_discover, real_scan = walk.discover, tasks.scan_task
    monkeypatch.setattr(walk, "discover", lambda *a, **k: walks.append(1) or real_discover(*a, **k))
    monkeypatch.setattr(tasks, "scan_task", lambda t, *a: scans.append(t.file) or real_scan(t, *a))

    def rescan() -> dict:
        walks.clear()
        scans.clear()
        return run_cli(*args).json()

    again = rescan()
    assert (walks, scans) == ([], []) and again["findings"] == first["findings"]
    assert again["files_scanned"] == 3
    (root / "src" / "b.c").write_text("int b(void) { return _mm_popcnt_u32(1); }\n")
    changed = rescan()
    assert walks == [1] and scans == ["src/b.c"]
    assert [f["file"] for f in changed["findings"]] == ["src/a.c", "src/a.c", "src/b.c"]
    assert rescan()["findings"] == changed["findings"] and (walks, scans) == ([], [])
    (root / "lib" / "new.c").write_text("int n(void) { return _mm_popcnt_u32(2); }\n")
    added = rescan()
    assert walks == [1] and scans == ["lib/new.c"] and len(added["findings"]) == 4
    (root / "lib" / "tmp.txt").write_text("x")  # a directory touched, nothing new
    (root / "lib" / "tmp.txt").unlink()
    assert rescan()["findings"] == added["findings"] and walks == [1] and scans == []
    rescan()
    assert (walks, scans) == ([], [])  # the renewed stamps hold again
    (root / ".gitignore").write_text("lib/\n")
    ignored = rescan()
    assert (
        walks == [1]
        and scans == []
        and {f["file"] for f in ignored["findings"]} == {"src/a.c", "src/b.c"}
    )
    (root / ".gitignore").write_text("build/\n")  # the rules changed: walked again
    assert len(rescan()["findings"]) == 4 and walks == [1]
    other = run_cli(
        root, "--cache-dir", cache, "--format", "json", "--jobs", "1", "--show-suppressed"
    ).json()  # other options: not the same report
    assert walks == [1, 1] and other["findings"] == added["findings"]


def test_a_report_with_unreadable_files_is_not_reused(run_cli, tmp_path, monkeypatch):
    from porting_advisor.core.model import FileResult

    root = tree(tmp_path, {"a.c": X86, "b.c": "int b(void) { return 0; }\n"})
    cache = tmp_path / "cache"
    real = tasks.scan_task
    monkeypatch.setattr(
        tasks,
        "scan_task",
        lambda t, *a: (
            FileResult(t.file, t.language, skipped="cannot read: Permission denied")
            if t.file == "b.c"
            else real(t, *a)
        ),
    )
    args = (root, "--cache-dir", cache, "--format", "json", "--jobs", "1")
    assert run_cli(*args).json()["files_skipped"] == 1
    monkeypatch.setattr(tasks, "scan_task", real)  # readable now, file untouched
    assert run_cli(*args).json()["files_skipped"] == 0


def test_pool_started_during_the_walk_gives_the_serial_report(run_cli, tmp_path, monkeypatch):
    """With --jobs 0 the pool starts once the walk has found 64 files and 16 MB of work (or
    1,024 files); files found before and after that point must all be scanned, once, in the
    report's order."""
    body = "/* padding */\n" * 19000  # ~270 KB a file, 21 MB in all
    files = {
        f"d{i % 7}/k{i:03d}.c": f"{body}int f{i}(void) {{ return _mm_popcnt_u32({i}); }}\n"
        for i in range(80)
    }
    files.update({f"d{i % 7}/plain{i}.c": "int g(void) { return 0; }\n" for i in range(30)})
    root = tree(tmp_path, files)
    started = []
    real = engine.Scanner.start_pool
    monkeypatch.setattr(
        engine.Scanner,
        "start_pool",
        lambda self, jobs: started.append(len(self.tasks)) or real(self, jobs),
    )
    serial = run_cli(root, "--no-cache", "--format", "json", "--jobs", "1").json()
    assert started == []
    pooled = run_cli(root, "--no-cache", "--format", "json").json()
    if (os.cpu_count() or 1) > 1:
        assert len(started) == 1 and 64 <= started[0] < 110  # while the walk was going on
    serial.pop("duration_seconds"), pooled.pop("duration_seconds")
    assert pooled == serial
    assert len(serial["findings"]) == 80 and serial["files_scanned"] == 110
    assert sorted({f["file"] for f in serial["findings"]}) == sorted(f for f in files if "/k" in f)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the test's crash is injected through fork")
def test_a_crashed_worker_costs_only_its_files(run_cli, tmp_path, monkeypatch):
    """A worker that dies (a native parser crash) must not stop the scan: the files of its
    batch are reported as skipped, every other file is scanned by the remaining worker, and
    the exit status is the scan's own."""
    files = {
        f"k{i:02d}.c": f"int f{i}(void) {{ return _mm_popcnt_u32({i}); }}\n" for i in range(40)
    }
    root = tree(tmp_path, files)
    real = tasks.scan_task
    monkeypatch.setattr(
        tasks, "scan_task", lambda t, *a: os._exit(3) if t.file == "k07.c" else real(t, *a)
    )
    res = run_cli(root, "--no-cache", "--format", "json", "--jobs", "2")
    assert res.code == 0 and "Traceback" not in res.err
    data = res.json()
    skipped = {s["file"]: s["reason"] for s in data["skipped"]}
    assert skipped.get("k07.c") == "the scanning process crashed"
    # only the batch it was scanning (the tail goes out in batches of five here)
    assert 1 <= len(skipped) <= 5
    found = {f["file"] for f in data["findings"]}
    assert found == set(files) - set(skipped)
    assert "warning: skipped k07.c: the scanning process crashed" in res.err


def test_windows_sources_follow_the_target_os(rules):
    """A file that includes <windows.h> unconditionally is not in a Linux build: nothing in it
    is reported for --target-os linux; for windows and all it is checked as Windows code: its
    x86 intrinsic is reported, not <intrin.h> (Arm64 Windows has it) nor a plain char
    compared with -1 (signed on Arm64 Windows)."""
    from conftest import FIXTURES, scan

    case = FIXTURES / "c" / "preproc" / "unbuildable"
    for target_os, expected in (
        ("linux", []),
        ("windows", [(13, "c-x86-intrinsic")]),
        ("all", [(13, "c-x86-intrinsic")]),
    ):
        rep = scan(case, rules, target_os=target_os)
        assert (
            sorted((f.line, f.rule) for f in rep.findings if f.file == "console_win.c") == expected
        ), target_os


def test_pool_works_with_spawned_workers(tmp_path, rules):
    """macOS and Windows start workers with spawn: the pool's arguments must cross by pickle
    and the workers must give the same outcomes as the serial path."""
    import multiprocessing

    # (b.c has nothing to say: a static function is no symbol for the whole-files pass)
    root = tree(tmp_path, {"a.c": X86, "b.c": "static int g(void) { return 0; }\n"})
    options = Options(root=root, categories=rules.default_categories())
    items = [(name, str(root / name), "c", (root / name).stat().st_size) for name in ("a.c", "b.c")]
    pool = Pool(2, multiprocessing.get_context("spawn"), options, rules)
    try:
        first, second = pool.submit(items[:1]), pool.submit(items[1:])
        got = pool.result(first) + pool.result(second)
    finally:
        pool.close()
    tasks.init_worker(options, rules)
    assert got == [tasks.outcome(tasks.scan_task(Task(*item))) for item in items]
    assert [f.rule for f in got[0].findings] == ["c-x86-header", "c-x86-intrinsic"]
    assert got[1] is None or got[1] == ""


def test_conflicting_definitions_leave_a_macro_unknown(rules):
    """Two files define KERN_AVX2 for the target with different values (1 in a dispatcher,
    0 in the header that resets it): the x86 header under `#if KERN_AVX2` is a warning
    guarded by it, not an error."""
    from conftest import FIXTURES, scan

    rep = scan(FIXTURES / "c" / "preproc" / "conflict", rules)
    got = [(f.line, f.rule, f.severity.name) for f in rep.findings]
    assert got == [(8, "c-x86-header", "WARNING"), (10, "c-x86-intrinsic", "WARNING")]
    assert all(f.message.endswith("(guarded by KERN_AVX2)") for f in rep.findings)


def test_pool_never_deadlocks_on_large_batches_and_results(tmp_path):
    """A batch bigger than a pipe holds (long paths) queued behind a worker busy sending a
    result bigger than a pipe holds (many findings) blocked both sides before; the parent
    now sends such a batch only to an idle worker. (A liveness check: the scan must end.)"""
    import subprocess
    import sys

    deep = tmp_path / ("d" * 200) / ("e" * 200) / ("f" * 200)
    deep.mkdir(parents=True)
    body = "#include <immintrin.h>\n" + "".join(
        f"int f{i}(void) {{ return _mm_popcnt_u32({i}); }}\n" for i in range(60)
    )
    for i in range(300):
        (deep / f"{'k' * 40}{i:04d}.c").write_text(body)
    out = tmp_path / "r.json"
    res = subprocess.run(
        [sys.executable, "-m", "porting_advisor", str(tmp_path), "--no-cache", "-q",
         "--jobs", "2", "--output", str(out)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert len(json.loads(out.read_text())["findings"]) == 300 * 61
