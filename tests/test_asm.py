# SPDX-License-Identifier: Apache-2.0
"""Assembly: the inline-asm template classifier and the assembly-file classifier."""

from __future__ import annotations

import pytest

from porting_advisor.core import archnames as siblings
from porting_advisor.core.archnames import TreeIndex
from porting_advisor.scanners import asm as asmsource
from porting_advisor.scanners.c import inline_asm as asminline


@pytest.mark.parametrize(
    "template, arch",
    [
        ("rdtsc", "x86"),
        ("pause", "x86"),
        ("lock; cmpxchgq %2, %1", "x86"),
        ("movl %%eax, %0", "x86"),
        ("bswap %0", "x86"),
        ("xgetbv", "x86"),
        ("yield", "arm"),
        ("dmb ish", "arm"),
        ("mrs %0, cntvct_el0", "arm"),
        ("crc32cw %w0, %w0, %w1", "arm"),
        ("ldaxr %w0, [%1]", "arm"),
        ("", ""),
        (".p2align 4", ""),
        ("nop", ""),
        ("my_symbol_v2", ""),
    ],
)
def test_inline_template_classification(template, arch):
    assert asminline.classify(template) == arch


def test_inline_descriptions(rules):
    assert asminline.describe("rdtsc") == "reads the time-stamp counter"
    assert asminline.describe("lock; xaddl %0, %1") == "lock-prefixed atomic"
    assert asminline.explain("rdtscp") == ("reads the time-stamp counter", "timestamp-counter")
    assert asminline.explain("movl %eax, %ebx")[1] == "other"
    rule = rules.rules["c-x86-inline-asm"]
    assert "cntvct_el0" in rule.suggestion_template("timestamp-counter")
    cases = {case for _, _, case in asminline.DESCRIPTIONS} | {"other"}
    assert cases == {case for case, _ in rule.finding_suggestions}
    assert asminline.extract('asm volatile goto ("jmp %l0" :::: x);', 3, "asm") == (
        "gnu",
        "jmp %l0",
    )
    assert asminline.extract("__asm { mov eax, 1 }", 5, "__asm")[0] == "msvc"
    assert asminline.extract("int asm = 3;", 7, "asm") is None


@pytest.mark.parametrize(
    "code, arch",
    [
        ("movq %rdi, %rax\n addq $1, %rax\n ret\n", "x86"),
        ("bits 64\nsection .text\n mov rax, rdi\n ret\n", "x86"),
        ("ldp x29, x30, [sp], #16\n add x0, x0, x1\n ret\n", "arm64"),
        ("ld1 {v0.16b}, [x0]\n eor v0.16b, v0.16b, v1.16b\n st1 {v0.16b}, [x1]\n", "arm64"),
        (".syntax unified\n.thumb\n mov r0, r1\n bx lr\n", "other"),
        (".machine power8\n li 3, 0\n blr\n", "other"),
        # ARM32 directives on consecutive lines each count (`.fpu` ends at its line's end)
        ("\t.fpu\n\t.syntax unified\n\tmovl %eax, %ebx\n\tmovl %ecx, %edx\n", "other"),
        ("/* nothing */\n", ""),
    ],
)
def test_assembly_file_classification(code, arch):
    assert asmsource.classify(asmsource.strip_comments(code))[0] == arch


def test_sibling_counterparts():
    index = TreeIndex.build(
        [
            "lib/crc_x86.S",
            "lib/crc_aarch64.S",
            "lib/memcpy_x86_64.S",
            "src/x86_64/start.S",
            "src/aarch64/start.S",
            "k/haswell/blend.c",
            "k/neon/blend.c",
            "solo/avx2/x.c",
            "crc32_sse42.c",
            "crc32_arm64.c",
        ]
    )
    assert siblings.arm_counterpart("lib/crc_x86.S", index) == "lib/crc_aarch64.S"
    assert siblings.arm_counterpart("lib/memcpy_x86_64.S", index) == ""
    assert siblings.arm_counterpart("src/x86_64/start.S", index) == "src/aarch64/"
    assert siblings.arm_counterpart("k/haswell/blend.c", index) == "k/neon/"
    assert siblings.arm_counterpart("solo/avx2/x.c", index) == ""
    assert siblings.arm_counterpart("crc32_sse42.c", index) == "crc32_arm64.c"
    assert siblings.x86_named("src/westmere.cpp") and not siblings.x86_named("src/x86emu.c")


def test_plain_name_with_arm_twin():
    index = TreeIndex.build(["lib/memcpy.S", "lib/memcpy_aarch64.S", "lib/other.S"])
    assert siblings.arm_counterpart("lib/memcpy.S", index) == "lib/memcpy_aarch64.S"
    assert siblings.arm_counterpart("lib/other.S", index) == ""


@pytest.mark.parametrize(
    "text, symbols",
    [
        (".globl crc32_fold\n.global _memcpy_fast\n", ("_memcpy_fast", "crc32_fold")),
        (
            "global aes_enc:function\nENTRY(sha1_block)\nPROC md5_block\n",
            ("aes_enc", "md5_block", "sha1_block"),
        ),
        # a macro around the name defines the name inside it
        ("global HIDDEN_DATA(sym(vp8_six_tap_x86))\n", ("vp8_six_tap_x86",)),
        # NASM pastes more to the name: which symbol is not known here
        ("global no_ %+ FUNCTION_NAME\nglobal current_function %+ %1:function\n", ()),
        # macros whose names start with an entry macro's: not entries
        ("%macro PROCESS_4x2x4 5\nPROCESS_16x2x4 1\nFUNCTION_NAME:\nENTRYPOINT x\n", ()),
    ],
)
def test_defined_symbols(text, symbols):
    assert asmsource.defined_symbols(text) == symbols


def test_no_multiline_pattern_starts_lines_with_a_newline_eating_space():
    """`^\\s*` in MULTILINE mode runs over every following blank line and back, at every line
    start: quadratic on the blanked-out regions of a `.S` file (BoringSSL's 190 KB
    `*-apple.S` files took 49 s each on Linux). Line starts must use `^[ \\t]*`."""
    import importlib
    import pkgutil
    import re

    import porting_advisor
    from porting_advisor.core import lazy_re

    offenders, seen = [], 0
    for info in pkgutil.walk_packages(porting_advisor.__path__, "porting_advisor."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                flags = value.flags
            elif isinstance(value, lazy_re.LazyPattern):
                flags = value.source_flags  # (not compiled by the test)
            else:
                continue
            seen += 1
            multiline = flags & re.M or value.pattern.startswith("(?m")
            if multiline and ("^\\s*" in value.pattern or "^\\s+" in value.pattern):
                offenders.append(f"{info.name}.{name}")
    assert seen > 300 and offenders == []


def test_inactive_regions_of_an_assembly_file_are_dropped(tmp_path, run_cli):
    body = "\n".join(f"\tmovl\t{i}(%esp),%eax\n\taddl\t%ebx,%eax\n" for i in range(3000))
    (tmp_path / "sha-x86-apple.S").write_text(
        f"#if defined(__APPLE__) && defined(__x86_64__)\n{body}\n#endif\n"
    )
    (tmp_path / "sha-x86-linux.S").write_text(f"#if defined(__linux__)\n{body}\n#endif\n")
    found = run_cli(tmp_path, "--format", "json").json()["findings"]
    assert [(f["file"], f["rule"]) for f in found] == [("sha-x86-linux.S", "asm-x86-source")]
