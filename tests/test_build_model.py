# SPDX-License-Identifier: Apache-2.0
"""What the default build builds: the reasons and severities the build model gives."""

from __future__ import annotations

import shutil

import pytest

from conftest import FIXTURES, scan


def by_line(case: str, rules, **kw) -> dict[tuple[str, int], list]:
    report = scan(FIXTURES / "build" / case, rules, no_filter=True, **kw)
    out: dict[tuple[str, int], list] = {}
    for f in report.findings:
        if f.rule.startswith("build-"):
            out.setdefault((f.file, f.line), []).append(f)
    return out


def test_cmake_model_reasons_and_severity(rules):
    got = by_line("cmake-model", rules)
    off = got[("CMakeLists.txt", 12)][0]
    assert off.filtered
    assert off.filtered_reason == (
        "in `if(ENABLE_WIDE)`, which the default Arm64 configuration does not take "
        "(ENABLE_WIDE=OFF)"
    )
    excluded = got[("CMakeLists.txt", 53)][0]
    assert excluded.filtered and "EXCLUDE_FROM_ALL" in excluded.filtered_reason
    assert not got[("CMakeLists.txt", 20)][0].filtered  # the default SIMD_LEVEL's branch
    bench = got[("CMakeLists.txt", 70)][0]
    assert not bench.filtered and bench.severity.name == "WARNING"
    assert got[("CMakeLists.txt", 56)][0].severity.name == "ERROR"


def test_make_targets_outside_the_default_build(rules):
    got = by_line("make", rules)
    variant = got[("Makefile", 46)][0]
    assert variant.filtered
    assert variant.filtered_reason == (
        "for make target `all32`, which the default build (`all`, `install`) does not make"
    )
    assert not got[("Makefile", 54)][0].filtered  # lib: reached from all
    test = got[("Makefile", 63)][0]
    assert not test.filtered and test.severity.name == "WARNING"


def test_flag_variable_used_only_in_an_x86_branch(rules):
    got = by_line("autotools-vars", rules)
    simd = got[("configure.ac", 5)]
    assert simd and all(f.filtered for f in simd)
    assert simd[0].filtered_reason == (
        "`SIMD_CFLAGS` is used only where the Arm64 build does not go (line 10: an x86-only branch)"
    )
    assert not got[("configure.ac", 7)][0].filtered


def test_test_script_flags_are_warnings(rules):
    got = by_line("test-script", rules)
    assert [f.severity.name for f in got[("run_tests.sh", 5)]] == ["WARNING"]


def test_no_filter_shows_flags_in_x86_branches_and_probes(rules):
    got = by_line("cmake", rules)
    branch = got[("CMakeLists.txt", 22)][0]
    assert branch.filtered
    assert branch.filtered_reason == (
        'in an x86-only branch (line 20: CMAKE_SYSTEM_PROCESSOR STREQUAL "x86_64")'
    )
    probe = got[("CMakeLists.txt", 17)][0]
    assert probe.filtered and probe.filtered_reason.startswith("in a compiler probe")
    default = scan(FIXTURES / "build" / "cmake", rules)
    assert not {(f.file, f.line) for f in default.findings} & {
        ("CMakeLists.txt", 22),
        ("CMakeLists.txt", 17),
    }


def test_setup_py_segments_match_ast() -> None:
    """The build-script reader's source segments are `ast.get_source_segment`'s, computed
    without splitting the text at every call: multi-byte text, CRLF and CR line ends,
    continuation lines and a form feed."""
    import ast

    from porting_advisor.scanners.build.setup_py import Regions

    text = 'x = "é" + \\\n  f(\r\n1)\ry = ["-mavx2"] if m == "x86_64" else []\n\x0cz = (1,\n 2)'
    regions = Regions(text)
    nodes = list(ast.walk(ast.parse(text)))
    assert len(nodes) > 20
    for node in nodes:
        assert regions.segment(node) == (ast.get_source_segment(text, node) or "")


def c_findings(case: str, rules, root=None) -> dict[str, list]:
    report = scan(root or FIXTURES / "build" / case, rules, no_filter=True)
    out: dict[str, list] = {}
    for f in report.findings:
        if f.language in ("c", "asm"):
            out.setdefault(f.file, []).append(f)
    return out


def test_files_no_target_builds_are_filtered_with_the_build_files(rules):
    got = c_findings("reach", rules)
    unbuilt = "not built by any target of CMakeLists.txt: no build file they run names it"
    for file in ("examples/example.c", "examples/orphan.h", "bench/bench_hash.c"):
        assert {f.filtered_reason for f in got[file]} == {unbuilt}, file
    # included only by an unbuilt example: unbuilt too
    assert {f.filtered_reason for f in got["examples/example_util.h"]} == {
        unbuilt + " and only unbuilt files include it"
    }
    # listed by a target, included by a built file, added by add_subdirectory, public
    for file in ("src/hash.c", "src/private.h", "tools/crc_tool.c", "include/reach/simd.h"):
        assert not any(f.filtered for f in got[file]), file


def test_make_reach_follows_the_default_goal_and_the_lists_used(rules):
    got = c_findings("reach-make", rules)
    unbuilt = "not built by any target of Makefile: no build file they run names it"
    # `ifeq ($(DISPATCH),1)` with DISPATCH set by nothing, and a target nothing reaches
    assert {f.filtered_reason for f in got["dispatch.c"]} == {unbuilt}
    assert {f.filtered_reason for f in got["examples/demo.c"]} == {unbuilt}  # its own Makefile
    assert not any(f.filtered for f in got["fast.c"])
    # old_sse.asm is also in `legacy_asm`, which nothing refers to: only the x86 list counts
    assert [f.filtered_reason for f in got["asm/old_sse.asm"]] == [
        "assembled only for x86: Makefile:3"
    ]
    assert not got["asm/always.asm"][0].filtered


def test_a_python_build_does_not_run_a_vendored_makefile(rules):
    got = c_findings("reach-python", rules)
    assert {f.filtered_reason for f in got["vendor/lib/bench.c"]} == {
        "not built by any target of setup.py: no build file they run names it"
    }
    assert not any(f.filtered for f in got["src/fastmod.c"])


def test_when_in_doubt_everything_counts_as_built(rules, tmp_path):
    tree = tmp_path / "tree"
    shutil.copytree(FIXTURES / "build" / "reach-python", tree)
    # a build script that lists directories: what it builds is not known statically
    setup = tree / "setup.py"
    setup.write_text(
        setup.read_text() + "import os\nEXTRA = [d for d, _, _ in os.walk('vendor')]\n"
    )
    assert not any(f.filtered for f in c_findings("", rules, tree)["vendor/lib/bench.c"])
    # a build file this model does not read, which the build runs
    shutil.copytree(FIXTURES / "build" / "reach-make", tmp_path / "make")
    (tmp_path / "make" / "build.ninja").write_text("build demo: cc examples/demo.c\n")
    makefile = tmp_path / "make" / "Makefile"
    makefile.write_text(
        makefile.read_text() + "ninja: build.ninja\n\tninja -f build.ninja\nall: ninja\n"
    )
    assert not any(f.filtered for f in c_findings("", rules, tmp_path / "make")["examples/demo.c"])
    # no build entry at the top of the tree
    (tmp_path / "make" / "Makefile").rename(tmp_path / "make" / "examples" / "Makefile.top")
    assert not any(f.filtered for f in c_findings("", rules, tmp_path / "make")["dispatch.c"])


@pytest.mark.parametrize(
    ("line", "start"),
    [
        ("Target_Link_Libraries(app MKL::MKL)", 0),
        ("  pkg_check_modules(BLAS REQUIRED blas)", 2),
        ("LIBS += -lmkl_rt", 0),
        ("app_LDADD = $(top_builddir)/libipp.la", 4),
        ("dep = Dependency('mkl')", 6),
        ("deps = ['--libs', 'x']", 9),
        ("echo linking done", -1),  # `link` alone, no link request
        ("CFLAGS += -O2", -1),
    ],
)
def test_link_context_in_any_case(line, start):
    """The cheap lower-case test before LINK_CONTEXT keeps every link request it finds."""
    from porting_advisor.scanners.build.flags import link_context

    m = link_context(line)
    assert (m.start() if m else -1) == start
