# SPDX-License-Identifier: Apache-2.0
"""Memory ordering (issue 23): what each finding says, and what turns the checks off."""

from __future__ import annotations

import shutil

import pytest

from conftest import FIXTURES, ROOT, scan
from porting_advisor.core import vocab
from porting_advisor.core.model import Severity
from porting_advisor.core.ruleset import RuleError

CASE = FIXTURES / "c" / "memory-ordering"


def by_place(report):
    return {(f.file, f.line, f.rule): f for f in report.findings}


def test_findings_name_the_flag_the_data_and_the_other_function(rules):
    found = by_place(scan(CASE, rules))
    ring = found[("ring_bad.c", 27, "c-unordered-publish")]
    assert ring.message == (
        "`head` publishes `r->slots` to `ring_pop()` without ordering: on Arm64 the reader "
        "can see `head` before the data"
    )
    assert "atomic_store_explicit(&r->head, ..., memory_order_release)" in ring.suggestion
    assert "`ring_pop()`" in ring.suggestion
    fence = found[("ring_bad.c", 9, "c-compiler-only-barrier")]
    assert fence.severity is Severity.WARNING and fence.category == "memory-ordering"
    assert "dmb ishst" in fence.suggestion and "`smp_wmb`" in fence.suggestion
    assert "dmb ishld" in found[("ring_bad.c", 11, "c-compiler-only-barrier")].suggestion
    store = found[("relaxed_bad.c", 19, "c-relaxed-publish")]
    assert store.message.startswith("relaxed store of `published` publishes `nodes[i].value`")
    assert "memory_order_release" in store.suggestion
    load = found[("relaxed_bad.c", 37, "c-relaxed-publish")]
    assert load.message.startswith("relaxed load of `count` publishes `table`")
    assert "memory_order_acquire" in load.suggestion
    chained = found[("barriers_unguarded_bad.c", 15, "c-compiler-only-barrier")]
    assert "its definition is `barrier()`, a compiler barrier" in chained.message
    ld = found[("long_double_loop.c", 12, "c-long-double-loop")]
    assert ld.severity is Severity.INFO and ld.category == "type-portability"


def test_the_x86_branch_is_listed_as_filtered_only_with_no_filter(rules):
    plain = by_place(scan(CASE, rules))
    assert ("barriers_per_arch_ok.c", 6, "c-compiler-only-barrier") not in plain
    listed = by_place(scan(CASE, rules, no_filter=True))
    assert listed[("barriers_per_arch_ok.c", 6, "c-compiler-only-barrier")].filtered


def test_the_category_can_be_switched_off(rules):
    report = scan(CASE, rules, issue_types="-memory-ordering")
    assert {f.rule for f in report.findings} == {"c-long-double-loop"}


@pytest.fixture
def vocab_copy(tmp_path):
    folder = tmp_path / "vocab"
    shutil.copytree(ROOT / "rules" / "vocab", folder)
    return folder


def test_a_fence_listed_under_two_kinds_is_a_rules_error(vocab_copy):
    path = vocab_copy / "memory-barriers.yaml"
    path.write_text(path.read_text().replace("    - rmb\n", "    - rmb\n    - smp_mb\n"))
    with pytest.raises(
        RuleError, match=r"memory-barriers.yaml: 'fences': 'smp_mb' is listed twice"
    ):
        vocab.load(vocab_copy)


def test_every_fence_name_is_caught_when_defined_as_a_compiler_barrier(tmp_path, rules):
    names = sorted(vocab.get().barriers.fences)
    (tmp_path / "fences.c").write_text(
        "".join(f'#define {n}() __asm__ __volatile__("" ::: "memory")\n' for n in names)
    )
    report = scan(tmp_path, rules)
    got = {f.line for f in report.findings if f.rule == "c-compiler-only-barrier"}
    assert got == set(range(1, len(names) + 1))
