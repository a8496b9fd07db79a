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


FP = FIXTURES / "c"
EXACT = "fp-contract-exact-tests"


def exact_tests(root, rules, **kw):
    return [f for f in scan(root, rules, **kw).findings if f.rule == EXACT]


def test_exact_float_tests_are_reported_once_per_project(rules):
    (only,) = exact_tests(FP / "fp-contract-exact", rules)
    assert (only.file, only.line, only.severity) == ("tests/poly_unittest.cpp", 11, Severity.INFO)
    assert only.message == (
        "tests compare floating-point results exactly (`EXPECT_EQ(poly_eval(c, 3, 1.0), "
        "0.6000000000000001)`, and in 1 other test file): on Arm64 GCC and Clang fuse a*b+c "
        "into one FMA unless the build sets `-ffp-contract=off`, so results can differ from "
        "x86 in the last bits"
    )
    assert "-ffp-contract=off" in only.suggestion and "EXPECT_NEAR" in only.suggestion
    assert exact_tests(FP / "fp-contract-exact", rules, issue_types="-type-portability") == []


def test_a_build_that_turns_contraction_off_is_named_with_no_filter(rules):
    assert exact_tests(FP / "fp-contract-off", rules) == []
    reasons = {
        case: [f.filtered_reason for f in exact_tests(FP / case, rules, no_filter=True)]
        for case in ("fp-contract-off", "fp-contract-off-make", "fp-contract-pragma")
    }
    assert reasons == {
        "fp-contract-off": ["the build sets `-ffp-contract=off` (CMakeLists.txt:4)"],
        "fp-contract-off-make": ["the build sets `-ffp-contract=off` (Makefile:2)"],
        "fp-contract-pragma": [
            'the build sets `#pragma GCC optimize("fp-contract=off")` (tests/test_dot.c:4)'
        ],
    }


@pytest.mark.parametrize(
    ("name", "text", "off"),
    [
        ("meson.build", "add_project_arguments('-ffp-contract=off', language: 'c')\n", True),
        ("BUILD", 'cc_test(name = "t", copts = ["-O2", "-ffp-contract=off"])\n', True),
        ("setup.py", "ext = Extension('m', extra_compile_args=['-ffp-contract=off'])\n", True),
        ("configure.ac", 'CFLAGS="$CFLAGS -ffp-model=strict"\n', True),
        ("configure.ac", "dnl CFLAGS=-ffp-contract=off\n", False),
        ("Makefile", "CFLAGS += -ffp-contract=fast  # not -ffp-contract=off\n", False),
        ("CMakeLists.txt", 'add_compile_options("-ffp-contract=offload")\n', False),
    ],
)
def test_build_files_that_turn_contraction_off(tmp_path, rules, name, text, off):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_sum.c").write_text(
        "#include <assert.h>\nint main(void) { double s = 0.1 + 0.2; assert(s == 0.3); }\n"
    )
    (tmp_path / name).write_text(text)
    assert len(exact_tests(tmp_path, rules)) == (0 if off else 1)


@pytest.mark.parametrize(
    ("code", "what"),
    [
        ("assert(x == 1e-3);", "== 1e-3"),
        ("CHECK(fabs(x)\n      == 1e-3);", "== 1e-3"),
        ("return 0.5f != x;", "0.5f !="),
        ("int status = 0; status += (0x1p-3 == x); return status;", "0x1p-3 =="),
        ("ASSERT_EQ(x, -0.0);", "ASSERT_EQ(x, -0.0)"),
        ("BOOST_CHECK_EQUAL(x, 2.5);", "BOOST_CHECK_EQUAL(x, 2.5)"),
        ("CPPUNIT_ASSERT_EQUAL(1.5, x);", "CPPUNIT_ASSERT_EQUAL(1.5, x)"),
        ("EXPECT_EQ(static_cast<double>(n), x);", "EXPECT_EQ(static_cast<double>(n), x)"),
        ("EXPECT_EQ(x, 3);", "EXPECT_EQ(x, 3)"),
        ("if (memcmp(a, b, n * sizeof(float))) return 1;", "memcmp(a, b, n * sizeof(float))"),
        # not exact floating-point comparisons
        ("assert(x == 0.0);", None),
        ("if (x == 1.5) return 1;", None),  # a condition, not a check
        ('parse("[1.1]", &x); assert(x == 1.1);', None),  # a parser's test
        ("EXPECT_DOUBLE_EQ(x, 1.5); EXPECT_NEAR(x, y, 1e-9);", None),
        ("EXPECT_EQ(n, 3); if (n == 3) return 1;", None),
        ('EXPECT_EQ(s, "1.5"); /* x == 1.5 */', None),
        ("assert(approx(1.5) == x);", None),
        ("EXPECT_NE(x, 0.5); assert(x != 1.5);", None),  # inequalities survive a last bit
        ("EXPECT_EQ(x, y);", None),  # two variables: computed or only stored?
        ("set_rate(a, 29.5);\nassert(get_rate(a) == 29.5);", None),  # stored, read back
        ("set_rate(a, 29.5);\nEXPECT_EQ(29.5, get_rate(a));", None),
        ("if (memcmp(a, b, n * sizeof(int))) return 1;", None),
    ],
)
def test_exact_comparisons_in_a_test_file(tmp_path, rules, code, what):
    body = f"int f(double x, double y, int n, const char *s, void *a, void *b) {{\n{code}\n}}\n"
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "x_test.cc").write_text(body)
    (tmp_path / "x.cc").write_text(body)  # not a test
    found = exact_tests(tmp_path, rules)
    assert [f.message.split("`")[1] for f in found] == ([what] if what else [])
    assert all(f.file == "tests/x_test.cc" for f in found)


@pytest.mark.parametrize(
    ("code", "spins"),
    [
        ("while (!ready) ;", True),
        ("while (r->tail == r->head) cpu_relax();", True),
        ("while (!done) { /* wait */ _mm_pause(); sched_yield(); }", True),
        ('while (!flag) __asm__ __volatile__("pause");', True),
        ("while (q.load(std::memory_order_relaxed) == 0) {}", True),
        (
            "while (!atomic_load_explicit(&f, memory_order_relaxed)) std::this_thread::yield();",
            True,
        ),
        ("while (sizeof(x) > n && !go) {}", True),
        ('while (!ready) __asm__ __volatile__("rep; nop");', True),
        ("if (x) { log(); }\n  while (!ready) ;", True),  # a block before it, not a do
        ("/* while ( */ int z; while (!ready) ;", True),  # a comment cannot swallow it
        # the walk counts any other call in the condition as a fence: no flag is waited on
        ("while (up())\n  ;", False),
        ("while (!READ_ONCE(flag)) cpu_relax();", False),
        ("while (it.next()) {}", False),
        ("while (!atomic_thread_fence(x)) ;", False),
        # a body that does work, a constant condition, the end of a do-while
        ("while (has_value) { ASSUME(d == depth); step(); }", False),
        ("while (true) {}", False),
        ("while (1) ;", False),
        ("do { step(); } while (more);", False),
        ("do { c = '}'; if (c) { step(); } } while (more);", False),  # braces in literals
        ("do\n    COPY8(op, ip)\n  while (op < oend);", False),  # a statement macro's do
        ("if (x) while (!ready) ;", True),  # a `)` before it that is not a macro's
        ("redo(x) while (!ready) ;", True),
        ('puts("} while (!ready) ;");', False),  # a loop in a string is no code
    ],
)
def test_spin_prefilter(code, spins):
    """The text test before the parse keeps the loops the walk calls spins on a flag and
    drops the ones it cannot (whose parse cost 0.5 s on a 1.2 MB amalgamated header)."""
    from porting_advisor.scanners.c import publish

    assert publish.candidate("void f(void) { " + code + " }") is spins


def test_fence_names_are_found_by_their_endings():
    from porting_advisor.scanners.c import memory_order

    names = vocab.get().barriers.fences
    assert all(n.endswith(memory_order.FENCE_ENDINGS) for n in names)
    text = "x = number; smp_wmb(); /* rmb */ my_smp_mb(); MemBarrier();\nmb"
    found = [name for _, name in memory_order.fence_names(text)]
    assert found == ["smp_wmb", "rmb", "MemBarrier", "mb"]


SCAN_BACK = """#include <stddef.h>
struct str { const char *data; size_t size; };
static int ready;
void skip(struct str s, const char *end) {
  const char *ptr = end;
  while (ptr > s.data && *--ptr != '/') {}
}
"""


@pytest.mark.parametrize(
    ("code", "local"),
    [
        # reads only a local, a local struct's field and through a pointer: no flag
        (SCAN_BACK, True),
        # a file-scope name in the condition: the whole file decides
        (SCAN_BACK.replace("ptr > s.data", "!ready && ptr > s.data"), False),
        # a field through a pointer parameter could be a shared flag
        ("struct q { int head; };\nvoid w(struct q *p) { while (p->head == 0) ; }\n", False),
        # a call in the condition (an atomic load, maybe): the whole file decides
        ("void w(int *p) { while (!__atomic_load_n(p, 0)) ; }\n", False),
        # braces an #if opens two ways do not balance: the whole file decides
        (
            "#if A\nvoid f(void) {\n#else\nvoid f(int x) {\n#endif\n  int i = 0; while (i) ;\n}\n",
            False,
        ),
    ],
)
def test_loops_waiting_on_locals_need_no_whole_parse(code, local):
    """A loop the text test keeps but whose condition, in its own function's walk, reads
    only locals is decided from a parse of that function's block alone."""
    from porting_advisor.scanners.c import local_waits, preproc, publish

    padded = code + "int pad;\n" * 200  # (a block over half the file is parsed whole)
    loops = list(publish.candidate_loops(padded))
    assert loops
    directives = preproc.directives(padded, preproc.comment_spans(padded))
    assert local_waits.only_local(padded, loops, False, directives, frozenset()) is local


def test_a_flag_beside_a_local_wait_is_still_reported(tmp_path, rules):
    """The shortcut leaves the file to the whole parse as soon as one loop may wait on a
    flag: the publishing store is reported as before."""
    shutil.copy(CASE / "ring_bad.c", tmp_path / "ring_bad.c")
    with open(tmp_path / "ring_bad.c", "a") as fh:
        fh.write(SCAN_BACK.split("\n", 1)[1].replace("ready", "unused_ready"))
    found = by_place(scan(tmp_path, rules))
    assert ("ring_bad.c", 27, "c-unordered-publish") in found
