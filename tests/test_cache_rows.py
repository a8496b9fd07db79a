# SPDX-License-Identifier: Apache-2.0
"""The result cache's rows: plain data, every fact kind round-trips, a pickle never loads."""

from __future__ import annotations

import os
import pickle
import sqlite3
import typing

from porting_advisor.core.facts import (
    Arch,
    ArmClassifier,
    Asked,
    AsmFile,
    AsmInclude,
    BaseImage,
    BinaryFile,
    BuildReach,
    CFunctions,
    CiArm,
    ContractOff,
    CsDispatch,
    CShim,
    Defines,
    Dependency,
    DroppedOffX86,
    Fact,
    FloatCompare,
    GoAsm,
    GoDecls,
    GoFile,
    Include,
    Includes,
    JniClass,
    JniFunctions,
    Listed,
    MacroWords,
    Mentions,
    NativeBuilds,
    NpmNative,
    PyExtension,
    RustMod,
    Status,
    Undef,
    UnexpandedMacro,
    X86Branches,
)
from porting_advisor.core.model import FileResult, Finding, Remark, Severity
from porting_advisor.engine import rows, tasks

X86 = "#include <immintrin.h>\nint f(void) { return _mm_popcnt_u32(3); }\n"

ONE_OF_EACH: list[Fact] = [
    Defines(
        (
            ("HAVE_AVX2()", "x\x1fx + 1", Status.GUARDED, ("defined(__x86_64__)", "!(A)")),
            ("HAVE_SSE", "1", Status.INCLUDE_GUARD, ()),
        )
    ),
    Undef("USE_SSE"),
    Asked(("CONFIG_32", "CONFIG_64")),
    Include("simd/avx2.h", Status.INACTIVE, ()),
    Includes(("a.h", "b/c.h")),
    CShim("_mm_add_epi32"),
    JniFunctions(("Java_org_x_Y_f",)),
    JniClass("Java_org_x_Y_"),
    CFunctions(("crc_fold",), ("crc_fold", "crc_init")),
    UnexpandedMacro("IACA_SSC_MARK", 646, 647, ("IACA_START",)),
    Mentions(("IACA_END",), ("IACA_START",)),
    Listed("crc_fast", 12, True, True),
    Listed("raid/xor_gen_sse.asm", 67, False, False, "lsrc32"),
    BuildReach("make", True, ("crc/crc.c", "*/x.o"), (("lsrc32", ("a.asm",)),), ("lsrc_*",), ""),
    AsmInclude("reg_sizes.asm"),
    AsmFile(Arch.X86, "Intel", ("crc32_iscsi",), ("HAVE_AS_AVX",)),
    BinaryFile(Arch.ARM64, "ELF shared library", "arm64", "not stripped", "linux"),
    GoAsm(False, True, False, ("addVV",), True),
    NativeBuilds(("a.jar!/linux/aarch64/libx.so",)),
    ArmClassifier("linux-aarch_64"),
    GoFile(True, True, False),
    GoDecls("big", ("f", "g"), (("addVV", 7, 6),), (("h", 9, 2),)),
    CiArm(),
    Dependency("npm", "sharp", "", "^0.20", "package.json", 4, "needs >= 0.29"),
    RustMod("sse2", True),
    CsDispatch(("N.C",), ((12, "N.C", "Sum"),), (("SumSse2", ""), ("Sum", "Main"))),
    FloatCompare(14, 5, "EXPECT_EQ(0.1, y)", "EXPECT_EQ(0.1, y);"),
    ContractOff(3, "-ffp-contract=off"),
    NpmNative(("bcrypt", "esbuild")),
    BaseImage(3, "node:18"),
    PyExtension("Crypto.Cipher._raw_aesni", ("src/AESNI.c",), 352),
    DroppedOffX86(".Cipher._raw_aesni", 388),
    MacroWords(("ENABLE_FAST_PATH", "HAVE_CPUID_H"), True),
    X86Branches(((12, 14, "in the x86 branch of a per-architecture #if chain"),)),
]


def test_every_fact_kind_round_trips_with_its_types():
    assert {type(f) for f in ONE_OF_EACH} == set(typing.get_args(Fact))
    finding = Finding(
        "a.c", 2, 21, "c-x86-intrinsic", "intrinsic", Severity.ERROR, "m", "s", "snip", "c",
        2, 35, False, True, "_mm_popcnt_u32", ("A",), None, "fp",
    )  # fmt: skip
    result = FileResult(
        "a.c", "c", True, (finding,), tuple(ONE_OF_EACH), "", (Remark("r", "m", "a.c"),), "d1"
    )
    back = rows.result_of(rows.result_blob(result))
    assert back == result and back.facts == result.facts
    assert [type(v) for f in back.facts for v in f.__reduce__()[1]] == [
        type(v) for f in result.facts for v in f.__reduce__()[1]
    ]  # enums stay enums, bools bools
    assert typing.cast(Finding, back.findings[0]).__reduce__() == finding.__reduce__()


def test_rows_are_not_pickles_and_a_pickle_row_is_corrupt(tmp_path):
    class Boom:
        def __reduce__(self):
            return (os.mkdir, (str(tmp_path / "pwned"),))

    for decode in (rows.result_of, rows.report_of):
        try:
            decode(pickle.dumps(Boom()))
        except rows.CorruptRow:
            pass
        else:
            raise AssertionError("a pickle decoded")
    assert not (tmp_path / "pwned").exists()


def test_a_poisoned_cache_runs_nothing_and_is_rescanned(run_cli, tmp_path, monkeypatch):
    """Every blob of the cache replaced by a pickle that would create a directory when
    loaded: nothing is loaded, the poisoned file is scanned again, and the report is the
    one a scan without the cache gives."""
    root = tmp_path / "src"
    root.mkdir()
    (root / "a.c").write_text(X86)
    (root / "b.c").write_text("int b(void) { return 0; }\n")
    (root / "Makefile").write_text("CFLAGS += -mavx2\n")
    cache = tmp_path / "cache"
    marker = tmp_path / "pwned"

    class Boom:
        def __reduce__(self):
            return (os.mkdir, (str(marker),))

    cold = run_cli(root, "--no-cache", "--format", "json", "--jobs", "1").json()
    run_cli(root, "--cache-dir", cache, "--format", "json", "--jobs", "1")
    db = sqlite3.connect(cache / "results-v1.sqlite3")
    payload = pickle.dumps(Boom())
    with db:
        db.execute("UPDATE results SET result = ? WHERE path = 'a.c'", (payload,))
        db.execute("UPDATE last_reports SET stamps = ?, report = ?", (payload, payload))
    db.close()
    calls: list[str] = []
    real = tasks.scan_task
    monkeypatch.setattr(tasks, "scan_task", lambda t, *a: calls.append(t.file) or real(t, *a))
    again = run_cli(root, "--cache-dir", cache, "--format", "json", "--jobs", "1").json()
    assert not marker.exists()
    assert calls == ["a.c"]  # the other files' rows were sound
    for report in (cold, again):
        report.pop("duration_seconds")
    assert again == cold and len(cold["findings"]) == 3
