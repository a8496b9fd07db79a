# SPDX-License-Identifier: Apache-2.0
"""What the default build builds: the reasons and severities the build model gives."""

from __future__ import annotations

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
