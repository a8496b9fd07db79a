# SPDX-License-Identifier: Apache-2.0
"""Rule fixtures: every `ruleid:` fires, no `ok:` fires, nothing unannotated fires."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES, ROOT, annotations, case_options, fixture_cases, scan
from porting_advisor.core.model import Severity


@pytest.mark.parametrize("case", fixture_cases(), ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_fixture_case(case, rules):
    expected, forbidden, _ = annotations(case)
    report = scan(case, rules, **case_options(case))
    got = {(f.file, f.line, f.rule) for f in report.findings}
    assert not (got & forbidden), f"findings on ok: lines: {sorted(got & forbidden)}"
    assert sorted(expected - got) == [], "expected findings missing"
    assert sorted(got - expected) == [], "unannotated findings"


# Rules whose verdict comes from a registry served over HTTP (their registry and credentials
# come from the user's environment, never from a fixture's options): their positive and
# negative cases are in tests/test_online_npm.py and tests/test_online_images.py.
SERVED = frozenset({"npm-no-arm64-build", "docker-base-no-arm64"})


def test_every_rule_has_positive_and_negative_fixtures(rules):
    seen = set()
    for case in fixture_cases():
        seen.update(annotations(case)[2])
    for rule in rules.rules.keys() - SERVED:
        assert ("ruleid", rule) in seen, f"{rule} has no positive (ruleid:) fixture"
        assert ("ok", rule) in seen, f"{rule} has no negative (ok:) fixture"


def test_annotations_name_real_rules(rules):
    for case in fixture_cases():
        for _, rid in annotations(case)[2]:
            assert rid in rules.rules, f"{case}: annotation names unknown rule {rid}"


def test_no_filter_marks_guarded_code(rules):
    case = FIXTURES / "c" / "intrinsics"
    report = scan(case, rules, no_filter=True)
    filtered = [(f.file, f.line, f.rule) for f in report.findings if f.filtered]
    assert ("simd_ok.c", 21, "c-x86-intrinsic") in filtered
    assert ("simd_ok.c", 10, "c-x86-header") in filtered
    assert {f.file for f in report.findings if f.filtered} == {"simd_ok.c", "macro_kernels_ok.c"}


def test_no_filter_says_why_each_finding_was_left_out(rules, run_cli):
    """Every filtered finding carries its reason in the JSON report: the tree's own macros,
    and a file named for x86 with an Arm64 sibling."""
    res = run_cli(
        str(ROOT / "sample-projects" / "c-simd-engine"), "--no-filter", "--format", "json"
    )
    found = json.loads(res.out)["findings"]
    reasons = {
        (f["file"], f["line"], f["rule"]): f["filtered_reason"] for f in found if f.get("filtered")
    }
    assert reasons[("src/kernels/avx2/blend.c", 5, "c-x86-intrinsic")] == (
        "named for x86, with an Arm64 counterpart beside it"
    )
    assert set(reasons.values()) == {
        "named for x86, with an Arm64 counterpart beside it",
        "its #if is false for the target with the tree's own macros",
    }
    assert all("filtered_reason" not in f for f in found if not f.get("filtered"))
    guarded = scan(FIXTURES / "c" / "intrinsics", rules, no_filter=True)
    assert {
        f.filtered_reason for f in guarded.findings if (f.file, f.line) == ("simd_ok.c", 21)
    } == {"in a preprocessor branch not compiled for the target"}


def test_filtered_switches_and_dispatch_branches_say_why(rules):
    """A switch nothing defines names the macro; a dispatch branch names its test; a probe a
    build helper runs only for x86 is the tree's own macro; a loader function its parameter."""
    report = scan(FIXTURES / "c" / "switches", rules, no_filter=True)
    reasons = {(f.line, f.filtered_reason) for f in report.findings if f.filtered}
    assert reasons == {
        (10, "its #if is false for the target: nothing in the tree or its build defines "
             "ENABLE_FAST_PATH"),
        (14, "its #if is false for the target: nothing in the tree or its build defines "
             "PROFILE_CYCLES"),
    }  # fmt: skip
    guarded = {f.line: f.severity for f in report.findings if not f.filtered}
    assert sorted(guarded) == [23, 27, 31, 35, 39, 43]
    assert set(guarded.values()) == {Severity.WARNING}
    report = scan(FIXTURES / "c" / "dispatch-code", rules, no_filter=True)
    reasons = {(f.line, f.filtered_reason) for f in report.findings if f.rule == "c-x86-intrinsic"}
    assert reasons == {
        (26, "in the x86 branch of a per-architecture #if chain (line 23: `SEL_TARGET <= "
             "SEL_AVX3`)"),
        (30, "reached only through the x86 half of `SEL_TARGET <= SEL_AVX2 || SEL_TARGET == "
             "SEL_SVE_256`: its other half is an earlier branch's test (line 27)"),
        (41, ""),
        (51, ""),
    }  # fmt: skip
    report = scan(FIXTURES / "sources" / "python", rules, no_filter=True)
    assert [f.filtered_reason for f in report.findings if f.file == "loader.py" and f.filtered] == [
        "a loader function: the library is `load_lib`'s parameter, named by its callers",
        'the library is computed at run time (`dst = make_test_name(suffix + ".so")`): the '
        "file names none",
    ]


def test_macro_bodies_no_code_expands_are_filtered_with_the_macro(rules):
    """A finding in a #define's body matters where code expands the macro: in this file, in
    another one, or through a wrapper; an #ifdef elsewhere counts as a use; a comment or a
    string does not; a public header's macros are its users' to expand."""
    report = scan(FIXTURES / "c" / "macro-bodies", rules, no_filter=True)
    reasons = {
        (f.file, f.line): f.filtered_reason for f in report.findings if f.rule != "c-x86-header"
    }
    unexpanded = "in the body of macro `{}`, which no code of the tree expands"
    assert reasons == {
        ("src/marks.h", 3): "in a preprocessor branch not compiled for the target",
        ("src/marks.h", 6): unexpanded.format("MARK_SSC"),
        ("src/marks.h", 8): unexpanded.format("MARK_FENCE"),
        ("src/marks.h", 16): "",
        ("src/marks.h", 20): unexpanded.format("QUIET_PAUSE"),
        ("src/marks.h", 24): "",
        ("include/mylib.h", 3): "",  # a public header: its users expand it
    }
