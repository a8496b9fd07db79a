# SPDX-License-Identifier: Apache-2.0
"""Each cross-file pass alone, on hand-made file results with typed facts."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import FIXTURES
from porting_advisor import passes
from porting_advisor.core.archnames import TreeIndex
from porting_advisor.core.facts import (
    Arch,
    ArmClassifier,
    BinaryFile,
    BuildReach,
    CiArm,
    ContractOff,
    CsDispatch,
    Defines,
    FloatCompare,
    GoAsm,
    GoDecls,
    GoFile,
    Include,
    JniClass,
    JniFunctions,
    NativeBuilds,
    Status,
)
from porting_advisor.core.model import FileResult, Finding, Options
from porting_advisor.core.source import finding
from porting_advisor.passes import (
    c_guards,
    ci_jobs,
    compile_db,
    dotnet_dispatch,
    fp_contract,
    go_packages,
    jni,
    reach,
)
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
        "macro-uses",
        "rust-modules",
        "dotnet-dispatch",
        "recipes",
        "compile-db",
        "ported",
        "reach",
        "ci-jobs",
        "jni",
        "fp-contract",
        "dependencies",
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
    assert not jni.PASS.applies(context(rules, results, []))


def test_jni_pass_filters_libraries_the_tree_bundles_for_linux_aarch64(rules):
    """A library the tree bundles for Linux/aarch64 (a JAR member, or a file in a resource
    folder) is filtered, with where; one it bundles only for x86 stays, and so do native
    methods when the tree has no aarch64 native at all."""
    zstd = finding(rules, "java-native-library", "Zstd.java", 9, 5, key="zstd-jni-1.5.2")
    codec = finding(rules, "java-native-library", "Codec.java", 7, 5, key="fastcodec")
    methods = finding(rules, "java-native-library", "Natives.java", 3, 5, key="native method")
    jar = "lib/zstd.jar!/linux/aarch64/libzstd-jni-1.5.2.so"
    results = [
        FileResult("lib/zstd.jar", "binary", True, facts=(NativeBuilds((jar,)),)),
        FileResult(
            "res/linux-x86_64/libfastcodec.so",
            "binary",
            True,
            facts=(BinaryFile(Arch.X86, "ELF shared library", "x86-64", "", "linux"),),
        ),
    ]
    got = jni.PASS.run(context(rules, results, [zstd, codec, methods]))
    assert [(f.file, f.filtered_reason) for f in got if f.filtered] == [
        ("Zstd.java", f"the tree bundles a Linux/aarch64 build of it ({jar})"),
        ("Natives.java", f"the tree bundles Linux/aarch64 builds of its native libraries ({jar})"),
    ]
    assert [f.file for f in got if not f.filtered] == ["Codec.java"]
    pom = FileResult("pom.xml", "manifest", True, facts=(ArmClassifier("linux-aarch_64"),))
    got = jni.PASS.run(context(rules, [pom], [codec]))
    assert got[0].filtered_reason == (
        "its build produces natives for Linux/aarch64: pom.xml (linux-aarch_64)"
    )


def test_fp_contract_pass_reports_the_first_exact_comparison_once(rules):
    late = FloatCompare(9, 5, "x == 1.5", "assert(x == 1.5);")
    early = FloatCompare(30, 5, "EXPECT_EQ(0.1, y)", "EXPECT_EQ(0.1, y);")
    results = [
        FileResult("tests/b_test.c", "c", True, (), (late,)),
        FileResult("tests/a_test.cc", "cpp", True, (), (early,)),
        FileResult("src/x.c", "c", True, (), ()),
    ]
    ctx = context(rules, results, [])
    assert fp_contract.PASS.applies(ctx)
    (only,) = fp_contract.PASS.run(ctx)
    assert (only.file, only.line, only.column, only.language) == ("tests/a_test.cc", 30, 5, "cpp")
    assert only.snippet == "EXPECT_EQ(0.1, y);" and not only.filtered
    assert "(`EXPECT_EQ(0.1, y)`, and in 1 other test file)" in only.message
    off = FileResult("Makefile", "make", True, (), (ContractOff(3, "-ffp-contract=off"),))
    assert fp_contract.PASS.run(context(rules, [*results, off], [])) == []
    ctx = context(rules, [*results, off], [])
    ctx.options = ctx.options._replace(no_filter=True)
    (listed,) = fp_contract.PASS.run(ctx)
    assert listed.filtered
    assert listed.filtered_reason == "the build sets `-ffp-contract=off` (Makefile:3)"
    assert not fp_contract.PASS.applies(context(rules, results[2:], []))


def test_ci_pass_filters_x64_only_runners_when_another_job_runs_on_arm(rules):
    runner = finding(rules, "ci-x64-only-runner", ".github/workflows/ci.yml", 9, 14)
    header = finding(rules, "c-x86-header", "a.c", 1, 1)
    workflow = FileResult(".github/workflows/ci.yml", "ci", True, (runner,))
    arm_job = FileResult(".gitlab-ci.yml", "ci", True, facts=(CiArm(),))
    ctx = context(rules, [workflow, arm_job], [runner, header])
    assert ci_jobs.PASS.applies(ctx)
    got = ci_jobs.PASS.run(ctx)
    assert [(f.rule, f.filtered, f.filtered_reason) for f in got] == [
        ("ci-x64-only-runner", True, "a CI job of the tree builds on Arm64"),
        ("c-x86-header", False, ""),
    ]
    assert not ci_jobs.PASS.applies(context(rules, [workflow], [header]))


def test_ci_pass_keeps_one_finding_per_tree(rules):
    """Each CI file proposes its first x64 building job; the tree's first file keeps it."""
    later = finding(rules, "ci-x64-only-runner", ".github/workflows/z.yml", 5, 14)
    first = finding(rules, "ci-x64-only-runner", ".github/workflows/a.yml", 7, 14)
    results = [
        FileResult(".github/workflows/a.yml", "ci", True, (first,)),
        FileResult(".github/workflows/z.yml", "ci", True, (later,)),
    ]
    got = ci_jobs.PASS.run(context(rules, results, [later, first]))
    assert [(f.file, f.filtered, f.filtered_reason) for f in got] == [
        (".github/workflows/z.yml", True, "reported once per tree, at its first building job"),
        (".github/workflows/a.yml", False, ""),
    ]


def test_go_pass_joins_the_package_records(rules):
    """amd64 assembly defines `addVV`, which a file built for arm64 declares without a body:
    the arm64 build fails at that declaration. A file built everywhere and left unparsed is
    what the engine must rescan first."""
    results = [
        FileResult(
            "big/arith_amd64.s", "asm", True, facts=(GoAsm(False, True, False, ("addVV",), True),)
        ),
        FileResult(
            "big/arith_decl.go",
            "go",
            True,
            facts=(GoFile(True, True, True), GoDecls("big", ("mulWW",), (("addVV", 7, 6),), ())),
        ),
        FileResult("big/nat.go", "go", True, facts=(GoFile(True, True, False),)),
        FileResult("other/x.go", "go", True, facts=(GoFile(True, True, False),)),
    ]
    ctx = context(rules, results, [])
    assert go_packages.unparsed(results) == ["big/nat.go"]
    assert go_packages.PASS.applies(ctx)
    got = [(f.file, f.line, f.rule, f.message) for f in go_packages.PASS.run(ctx)]
    assert got == [
        (
            "big/arith_decl.go",
            7,
            "go-missing-arm64-symbol",
            "`addVV` has no body and no arm64 implementation (amd64: arith_amd64.s)",
        )
    ]


def test_go_pass_amd64_assembly_with_a_go_fallback_is_info(rules):
    """The arm64 build finds `sum` in Go (a file built for every architecture but amd64):
    the amd64 assembly is the opt-in info finding, and a name the arm64 file uses that only
    amd64 defines is the error, at its use."""
    fallback = GoDecls("h", ("sum",), (), ())
    results = [
        FileResult(
            "h/sum_amd64.s", "asm", True, facts=(GoAsm(False, True, False, ("sum",), True),)
        ),
        FileResult(
            "h/sum_amd64.go",
            "go",
            True,
            facts=(GoFile(False, True, True), GoDecls("h", ("useAVX2",), (("sum", 3, 6),), ())),
        ),
        FileResult("h/sum_generic.go", "go", True, facts=(GoFile(True, False, True), fallback)),
        FileResult(
            "h/h.go",
            "go",
            True,
            facts=(GoFile(True, True, True), GoDecls("h", ("Sum",), (), (("sum", 4, 30),))),
        ),
    ]
    got = [(f.file, f.rule, f.category) for f in go_packages.PASS.run(context(rules, results, []))]
    assert got == [("h/sum_amd64.s", "go-asm-no-arm64", "missing-arm64-path")]
    uses = GoDecls("h", ("Sum",), (), (("sum", 4, 30), ("useAVX2", 5, 9)))
    results[-1] = FileResult("h/h.go", "go", True, facts=(GoFile(True, True, True), uses))
    got = [(f.file, f.line, f.rule) for f in go_packages.PASS.run(context(rules, results, []))]
    assert got == [("h/h.go", 5, "go-missing-arm64-symbol")]


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
    guarded = (9, False, (), f"{fast.message} (guarded by USE_FAST)")
    assert got == [guarded]  # what a pass filters is dropped, unless --no-filter
    ctx.options = ctx.options._replace(no_filter=True)
    got = [(f.line, f.filtered, f.guard, f.message) for f in c_guards.PASS.run(ctx)]
    assert got == [(5, True, (), avx2.message), guarded]


def test_unparsed_go_files_are_rescanned_by_the_workers_once(run_cli, tmp_path, monkeypatch):
    """A Go file built everywhere is not parsed by the first scan; when its package has
    amd64-only code, the engine has it scanned again thoroughly (not read by the pass), and
    the cache keeps that result: the next scan needs no second look."""
    from porting_advisor.engine import tasks

    files = {
        "pkg/sum.go": "package pkg\n\nfunc Sum(p []byte) uint32 { return sum(p) }\n",
        "pkg/sum_amd64.go": "package pkg\n\nfunc sum(p []byte) uint32\n",
        "other/x.go": "package other\n\nfunc X() int { return y() }\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    calls: list[tuple[str, bool]] = []
    real = tasks.scan_task

    def scan_task(task, thorough=False):
        calls.append((task.file, thorough))
        return real(task, thorough)

    monkeypatch.setattr(tasks, "scan_task", scan_task)
    args = (tmp_path, "--cache-dir", tmp_path / "cache", "--format", "json", "--jobs", "1")
    first = run_cli(*args).json()
    assert [(f["file"], f["line"], f["rule"]) for f in first["findings"]] == [
        ("pkg/sum.go", 3, "go-missing-arm64-symbol")
    ]
    assert sorted(c for c in calls if c[1]) == [("pkg/sum.go", True)]
    calls.clear()
    (tmp_path / "other/x.go").write_text(files["other/x.go"] + "\n")
    second = run_cli(*args).json()
    assert calls == [("other/x.go", False)] and second["findings"] == first["findings"]


def test_dotnet_dispatch_joins_partial_classes_and_callers(rules):
    """A helper called only under x86 checks (through another helper) is filtered, one also
    called unchecked is not; an x86-only path is filtered when its class has an Arm64 path
    in another file, not when only another class does."""
    x86 = CsDispatch(
        (),
        (
            (10, "N.Simd", "Shuffle"),
            (20, "N.Simd", "Inner"),
            (30, "N.Simd", "Loose"),
            (40, "N.Other", "Sad"),
        ),
        (
            ("Simd.Outer", ""),
            ("Simd.Inner", "Simd.Outer"),
            ("Simd.Loose", ""),
            ("*.Loose", "Program.Main"),
            ("Other.Sad", ""),
        ),
    )
    arm = CsDispatch(("N.Simd",), (), ())
    results = [
        FileResult("Simd.X86.cs", "csharp", True, facts=(x86,)),
        FileResult("Simd.Arm.cs", "csharp", True, facts=(arm,)),
    ]
    found = [
        finding(rules, "dotnet-missing-arm64-path", "Simd.X86.cs", 10, 1),
        finding(rules, "dotnet-x86-intrinsics", "Simd.X86.cs", 20, 1),
        finding(rules, "dotnet-x86-intrinsics", "Simd.X86.cs", 30, 1),
        finding(rules, "dotnet-missing-arm64-path", "Simd.X86.cs", 40, 1),
    ]
    out = dotnet_dispatch.resolve_dotnet(context(rules, results, found))
    assert [(f.line, f.filtered_reason) for f in out] == [
        (10, "its class has an Arm64 or portable path (Simd.Arm.cs)"),
        (20, "called only under an x86 IsSupported check"),
        (30, ""),
        (40, ""),
    ]
    assert dotnet_dispatch.x86_callees([("C.a", "C.b"), ("C.b", "C.a")]) == frozenset()


def test_reach_pass_follows_the_build_from_the_top(rules):
    """The top Makefile includes sub/rules.mk, which lists sub/a.c and refers to a list of
    sub/b.c; sub/c.c is only in a list nothing refers to, and d.h only c.c includes."""
    top = FileResult(
        "Makefile",
        "make",
        True,
        facts=(BuildReach("make", True, ("all", "sub/rules.mk"), (), (), ""),),
    )
    sub = FileResult(
        "sub/rules.mk",
        "make",
        True,
        facts=(
            BuildReach(
                "make", False, ("a.c",), (("SRCS", ("b.c",)), ("OLD", ("c.c",))), ("SRCS",), ""
            ),
        ),
    )
    c = FileResult("sub/c.c", "c", True, facts=(Include("d.h", Status.ACTIVE, ()),))
    found = [
        replace(finding(rules, "c-x86-intrinsic", f"sub/{n}", 3, 1), language="c")
        for n in ("a.c", "b.c", "c.c", "d.h")
    ]
    ctx = context(rules, [top, sub, c], found)
    assert reach.PASS.applies(ctx)
    assert [f.file for f in reach.PASS.run(ctx)] == ["sub/a.c", "sub/b.c"]  # dropped
    ctx.options = ctx.options._replace(no_filter=True)
    got = {f.file: f.filtered_reason for f in reach.PASS.run(ctx)}
    unbuilt = "not built by any target of Makefile: no build file they run names it"
    assert got == {
        "sub/a.c": "",
        "sub/b.c": "",
        "sub/c.c": unbuilt,
        "sub/d.h": unbuilt + " and only unbuilt files include it",
    }
    # a build file in doubt: everything counts as built
    (reach_fact,) = top.facts
    assert isinstance(reach_fact, BuildReach)
    doubtful = replace(top, facts=(reach_fact._replace(doubt="it lists directories"),))
    ctx = context(rules, [doubtful, sub, c], found)
    assert not any(f.filtered for f in reach.PASS.run(ctx))


def test_reach_pass_builds_a_second_product_but_not_examples(rules):
    """A build of its own that the top build does not reach is another product (Python
    bindings beside the library): built too. One under examples/ or third_party/ is not."""

    def build(path: str, source: str) -> FileResult:
        return FileResult(
            path, "make", True, facts=(BuildReach("make", True, (source,), (), (), ""),)
        )

    results = [
        build("Makefile", "lib.c"),
        build("bindings/python/Makefile", "wrap.c"),
        build("examples/demo/Makefile", "demo.c"),
        build("third_party/zlib/Makefile", "inflate.c"),
    ]
    files = [
        "lib.c",
        "bindings/python/wrap.c",
        "examples/demo/demo.c",
        "third_party/zlib/inflate.c",
    ]
    found = [replace(finding(rules, "c-x86-intrinsic", f, 3, 1), language="c") for f in files]
    ctx = context(rules, results, found)
    ctx.options = ctx.options._replace(no_filter=True)
    got = {f.file: bool(f.filtered) for f in reach.PASS.run(ctx)}
    assert got == {
        "lib.c": False,
        "bindings/python/wrap.c": False,
        "examples/demo/demo.c": True,
        "third_party/zlib/inflate.c": True,
    }


def test_compile_db_pass_follows_includes_from_the_units(rules):
    from porting_advisor.core.compdb import CompileDb, Unit
    from porting_advisor.core.facts import Include, Includes

    def hit(file):
        return finding(rules, "c-x86-intrinsic", file, 3, 1, name="_mm_add_epi32", isa="SSE2")

    results = [
        FileResult(
            "src/a.c", "c", True, (), (Includes(("a.h",)), Include("dir/b.h", Status.ACTIVE, ()))
        ),
        FileResult("src/a.h", "c", True, (hit("src/a.h"),)),
        FileResult(
            "inc/dir/b.h", "c", True, (hit("inc/dir/b.h"),), (Include("c.h", Status.INACTIVE, ()),)
        ),
        FileResult("inc/dir/c.h", "c", True, (hit("inc/dir/c.h"),)),
        FileResult("bench/d.c", "c", True, (hit("bench/d.c"),)),
    ]
    db = CompileDb(
        "cc.json", "0" * 40, 2, (Unit("src/a.c", 1, 0, ("inc",), (), ("-mavx2",)),), (((), ()),), ""
    )
    ctx = context(rules, results, [f for r in results for f in r.findings])
    ctx.options = ctx.options._replace(compile_db=db)
    assert compile_db.PASS.applies(ctx)
    out = compile_db.PASS.run(ctx)
    assert sorted((f.file, f.rule, f.filtered) for f in out) == [
        ("bench/d.c", "c-x86-intrinsic", True),
        ("inc/dir/b.h", "c-x86-intrinsic", False),
        ("inc/dir/c.h", "c-x86-intrinsic", True),  # included only from code not compiled
        ("src/a.c", "build-x86-isa-flag", False),
        ("src/a.h", "c-x86-intrinsic", False),
    ]


def test_c_functions_are_read_only_for_trees_with_x86_listed_assembly(
    run_cli, tmp_path, monkeypatch
):
    """The functions C files define and declare are read after the scan, and only when the
    build names x86 assembly that defines symbols: a tree without any never pays for it."""
    from porting_advisor.engine import tasks

    asked: list[str] = []
    real = tasks.scan_symbols

    def scan_symbols(task, names=()):
        asked.append(task.file)
        return real(task, names)

    monkeypatch.setattr(tasks, "scan_symbols", scan_symbols)
    case = FIXTURES / "core" / "asm-missing-impl"
    shutil.copytree(case, tmp_path / "with")
    found = run_cli(tmp_path / "with", "--no-cache", "--format", "json", "--jobs", "1").json()
    assert [(f["file"], f["rule"]) for f in found["findings"]] == [
        ("crc_fold_x86.S", "asm-x86-source")
    ]
    assert sorted(asked) == ["crc.c", "crc.h"]
    asked.clear()
    (tmp_path / "without").mkdir()
    shutil.copy(case / "crc.c", tmp_path / "without")
    shutil.copy(case / "crc.h", tmp_path / "without")
    run_cli(tmp_path / "without", "--no-cache", "--format", "json", "--jobs", "1")
    assert asked == []


@pytest.mark.parametrize(
    ("files", "args"),
    [
        # `##` may make the name: MARK(START) expands IACA_START
        (
            {
                "src/use.c": '#include "m.h"\n#define MARK(x) IACA_##x\n'
                "void f(void) { MARK(START); }\n"
            },
            (),
        ),
        # a chain of pastes: the last piece may end the name (IACA_ ## x ## START)
        (
            {
                "src/use.c": '#include "m.h"\n#define MARK(x) x ## _ ## START\n'
                "void f(void) { MARK(IACA); }\n"
            },
            (),
        ),
        # an #included fragment (.inc) is not read: it may expand the macro
        (
            {
                "src/use.c": '#include "m.h"\n#include "kern.inc"\n',
                "src/kern.inc": "void f(void) { IACA_START; }\n",
            },
            (),
        ),
        # a C file the scan skipped may expand it
        ({"src/big.c": '#include "m.h"\n' + "int x;\n" * 3000}, ("--max-file-size", "10000")),
        # Objective-C expands C macros too
        ({"src/a.m": '#include "m.h"\nvoid f(void) { IACA_START; }\n'}, ()),
    ],
)
def test_macro_bodies_are_kept_when_code_may_expand_them_unseen(run_cli, tmp_path, files, args):
    """Findings in a macro body are filtered only when every file that could expand it was
    read and none does: pasted names, fragments, skipped files and Objective-C count."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "m.h").write_text("#define IACA_START _mm_pause()\n")
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    out = run_cli(tmp_path, "--no-cache", "--format", "json", *args).json()
    assert ("src/m.h", 1, "c-x86-intrinsic") in {
        (f["file"], f["line"], f["rule"]) for f in out["findings"]
    }
    (tmp_path / "alone" / "src").mkdir(parents=True)
    (tmp_path / "alone" / "src" / "m.h").write_text("#define IACA_START _mm_pause()\n")
    (tmp_path / "alone" / "src" / "x.c").write_text('#include "m.h"\nint y;\n')
    alone = run_cli(tmp_path / "alone", "--no-cache", "--format", "json").json()
    assert alone["findings"] == []  # (no file expands it, all were read)
