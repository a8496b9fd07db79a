# SPDX-License-Identifier: Apache-2.0
"""Each cross-file pass alone, on hand-made file results with typed facts."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from porting_advisor import passes
from porting_advisor.core.archnames import TreeIndex
from porting_advisor.core.facts import (
    CiArm,
    Defines,
    GoAsm,
    GoFile,
    GoSymbols,
    JniClass,
    JniFunctions,
    Status,
)
from porting_advisor.core.model import FileResult, Finding, Options
from porting_advisor.core.source import finding
from porting_advisor.passes import c_guards, ci_jobs, go_packages, jni
from porting_advisor.passes.context import PassContext


def context(rules, results: list[FileResult], findings: list[Finding]) -> PassContext:
    files = [r.file for r in results] + [f.file for f in findings]
    options = Options(root=Path("."), categories=rules.default_categories())
    return PassContext(results, findings, TreeIndex.build(files), ({}, []), options, rules)


def test_the_passes_run_in_one_explicit_order():
    assert [p.name for p in passes.PASSES] == [
        "whole-files",
        "go-packages",
        "c-guards",
        "rust-modules",
        "recipes",
        "ported",
        "ci-jobs",
        "jni",
    ]


def test_jni_pass_drops_native_methods_the_tree_implements(rules):
    key = "native method"
    native = finding(rules, "java-native-library", "org/x/Codec.java", 4, 5, key=key)
    other = finding(rules, "java-native-library", "org/x/Other.java", 3, 5, key=key)
    results = [
        FileResult(native.file, "java", True, (native,), (JniClass("Java_org_x_Codec_"),)),
        FileResult(other.file, "java", True, (other,), (JniClass("Java_org_x_Other_"),)),
        FileResult("jni/codec.c", "c", True, (), (JniFunctions(("Java_org_x_Codec_encode",)),)),
    ]
    ctx = context(rules, results, [native, other])
    assert jni.PASS.applies(ctx)
    assert jni.PASS.run(ctx) == [other]
    assert not jni.PASS.applies(context(rules, results[:2], [native, other]))


def test_ci_pass_drops_x64_only_runners_when_another_job_runs_on_arm(rules):
    runner = finding(rules, "ci-x64-only-runner", ".github/workflows/ci.yml", 9, 14)
    header = finding(rules, "c-x86-header", "a.c", 1, 1)
    workflow = FileResult(".github/workflows/ci.yml", "ci", True, (runner,))
    arm_job = FileResult(".gitlab-ci.yml", "ci", True, facts=(CiArm(),))
    ctx = context(rules, [workflow, arm_job], [runner, header])
    assert ci_jobs.PASS.applies(ctx) and ci_jobs.PASS.run(ctx) == [header]
    assert not ci_jobs.PASS.applies(context(rules, [workflow], [runner, header]))


def test_go_pass_joins_the_package_records(rules):
    """amd64 assembly defines `addVV`; no arm64 file does: one finding on the assembly file.
    A file built everywhere and left unparsed is what the engine must rescan first."""
    results = [
        FileResult("big/arith_amd64.s", "asm", True, facts=(GoAsm(False, True, ("addVV",)),)),
        FileResult(
            "big/arith.go",
            "go",
            True,
            facts=(GoFile(True, True, True), GoSymbols(("mulWW",), ("addVV",))),
        ),
        FileResult("big/nat.go", "go", True, facts=(GoFile(True, True, False),)),
        FileResult("other/x.go", "go", True, facts=(GoFile(True, True, False),)),
    ]
    ctx = context(rules, results, [])
    assert go_packages.unparsed(results) == ["big/nat.go"]
    assert go_packages.PASS.applies(ctx)
    got = [(f.file, f.rule, f.message) for f in go_packages.PASS.run(ctx)]
    assert len(got) == 1 and got[0][:2] == ("big/arith_amd64.s", "go-asm-no-arm64")
    assert "addVV" in got[0][2]


def test_c_guards_pass_settles_a_macro_the_tree_defines_only_for_x86(rules):
    """`HAVE_AVX2` is #defined only under `defined(__x86_64__)` (not compiled for the
    target): code under `#ifdef HAVE_AVX2` elsewhere is filtered, and code under a macro
    the tree never defines stays reported, guarded by it."""
    config = FileResult(
        "config.h",
        "c",
        True,
        facts=(Defines((("HAVE_AVX2", "1", Status.INACTIVE, ("defined(__x86_64__)",)),)),),
    )
    avx2 = finding(rules, "c-x86-intrinsic", "a.c", 5, 5, guard=("defined(HAVE_AVX2)",))
    fast = finding(rules, "c-x86-intrinsic", "a.c", 9, 5, guard=("defined(USE_FAST)",))
    avx2, fast = replace(avx2, language="c"), replace(fast, language="c")
    code = FileResult("a.c", "c", True, (avx2, fast))
    ctx = context(rules, [config, code], [avx2, fast])
    assert c_guards.PASS.applies(ctx)
    got = [(f.line, f.filtered, f.guard, f.message) for f in c_guards.PASS.run(ctx)]
    assert got == [
        (5, True, (), avx2.message),
        (9, False, (), f"{fast.message} (guarded by USE_FAST)"),
    ]


def test_unparsed_go_files_are_rescanned_by_the_workers_once(run_cli, tmp_path, monkeypatch):
    """A Go file built everywhere is not parsed by the first scan; when its package has
    amd64-only code, the engine has it scanned again thoroughly (not read by the pass), and
    the cache keeps that result: the next scan needs no second look."""
    from porting_advisor.engine import scan as engine

    files = {
        "pkg/sum.go": "package pkg\n\nfunc Sum(p []byte) uint32 { return sum(p) }\n",
        "pkg/sum_amd64.go": "package pkg\n\nfunc sum(p []byte) uint32\n",
        "other/x.go": "package other\n\nfunc X() int { return y() }\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    calls: list[tuple[str, bool]] = []
    real = engine.scan_task

    def scan_task(task, thorough=False):
        calls.append((task.file, thorough))
        return real(task, thorough)

    monkeypatch.setattr(engine, "scan_task", scan_task)
    args = (tmp_path, "--cache-dir", tmp_path / "cache", "--format", "json", "--jobs", "1")
    first = run_cli(*args).json()
    assert [(f["file"], f["line"], f["rule"]) for f in first["findings"]] == [
        ("pkg/sum_amd64.go", 3, "go-missing-arm64-symbol")
    ]
    assert sorted(c for c in calls if c[1]) == [("pkg/sum.go", True)]
    calls.clear()
    (tmp_path / "other/x.go").write_text(files["other/x.go"] + "\n")
    second = run_cli(*args).json()
    assert calls == [("other/x.go", False)] and second["findings"] == first["findings"]
