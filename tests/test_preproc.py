# SPDX-License-Identifier: Apache-2.0
"""#if evaluation: expressions, regions, and the derived-macro resolution across files."""

from __future__ import annotations

import pytest

from porting_advisor.scanners.c import ppexpr, preproc

G3 = preproc.target_macros("graviton3", "linux", "c")
G2 = preproc.target_macros("graviton2", "linux", "c")
WIN = preproc.target_macros("graviton3", "windows", "c")


def value(expr: str, macros=G3):
    return ppexpr.evaluate(expr, macros[0].lookup)[0]


@pytest.mark.parametrize(
    "expr, expected",
    [
        ("defined(__aarch64__)", 1),
        ("defined __aarch64__", 1),
        ("defined(__x86_64__) || defined(_M_X64)", 0),
        ("!defined(__x86_64__)", 1),
        ("__GNUC__ >= 4 && __GNUC_MINOR__ >= 0", 1),
        ("__ARM_ARCH >= 8", 1),
        ("defined(__ARM_FEATURE_SVE)", 1),
        ("_MSC_VER >= 1400", 0),
        ("!(defined(_MSC_VER) && _MSC_VER >= 1400)", 1),
        ("__SSE2__", 0),
        ("0x10 == 16 && (3 << 2) == 12 && 7 % 4 == 3", 1),
        ("1 ? 2 : 3", 2),
        ("-1 < 0", 1),
        ("'A' == 65", 1),
        ("__has_include(<immintrin.h>)", 0),
        ("__has_include(<arm_neon.h>)", 1),
        ("__has_builtin(__builtin_ia32_pause)", 0),
        ("__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__", 1),
        ("LDBL_MANT_DIG == 64", None),
        ("USE_FAST_PATH", None),
        ("USE_FAST_PATH && defined(__x86_64__)", 0),
        ("USE_FAST_PATH || defined(__aarch64__)", 1),
        ("FOO(1, 2) > 3", None),
        ("((", None),
    ],
)
def test_expressions_on_graviton3(expr, expected):
    assert value(expr) == expected


def test_targets_differ():
    assert value("defined(__ARM_FEATURE_SVE)", G2) == 0
    assert (
        value("defined(__ARM_FEATURE_SVE2)", preproc.target_macros("graviton4", "linux", "c")) == 1
    )
    assert value("defined(_M_ARM64) && defined(_MSC_VER)", WIN) == 1
    assert value("defined(__GNUC__)", WIN) == 0
    assert value("defined(__cplusplus)", preproc.target_macros("graviton3", "linux", "cpp")) == 1
    assert (
        value("defined(__cplusplus)", preproc.target_macros("graviton3", "linux", "header")) is None
    )


def test_macro_expansion_with_pasting():
    table = {
        "IMPL": ("def", "arm64"),
        "ID_arm64": ("def", "1"),
        "ID_x86": ("def", "2"),
        "CAT": ("func", "a,b\x1fa ## b"),
        "ID_FOR": ("func", "x\x1fCAT(ID_, x)"),
        "IS": ("func", "x\x1fID_FOR(IMPL) == ID_FOR(x)"),
    }

    def lookup(name):
        return table.get(name, ("unknown", ""))

    assert ppexpr.evaluate("IS(arm64)", lookup)[0] == 1
    assert ppexpr.evaluate("IS(x86)", lookup)[0] == 0


SOURCE = """\
#ifndef GUARD_H
#define GUARD_H
int a;
#if defined(__x86_64__)
int b;
#elif defined(__aarch64__)
int c;
#else
int d;
#endif
#ifdef USE_X
int e;
#endif
  #  if 0 // comment after directive
int f;
#  endif
/*
#if 0
*/
int g;
#if defined(__x86_64__) \\
    || defined(__i386__)
int h;
#endif
#endif
"""


def test_layout_regions():
    lay = preproc.layout(SOURCE, G3)
    status = {line: lay.at(line).status for line in (3, 5, 7, 9, 12, 15, 20, 23)}
    assert status == {
        3: preproc.ACTIVE,
        5: preproc.INACTIVE,
        7: preproc.ACTIVE,
        9: preproc.INACTIVE,
        12: preproc.GUARDED,
        15: preproc.INACTIVE,
        20: preproc.ACTIVE,
        23: preproc.INACTIVE,
    }
    assert lay.at(12).guard == ("defined(USE_X)",)
    assert lay.at(5).x86


def resolver(files: dict[str, str], mode="c"):
    table: dict = {}
    for text in files.values():
        lay = preproc.layout(text, preproc.target_macros("graviton3", "linux", mode))
        for name, val, status, path in lay.defines:
            table.setdefault(name, []).append((val, path, status))
    return preproc.Resolver(preproc.target_macros("graviton3", "linux", mode), table)


def test_derived_macros_across_files():
    r = resolver(
        {
            "config.h": "#if defined(__x86_64__)\n#define LIB_X64 1\n#endif\n"
            "#if defined(__ARM_NEON)\n#define LIB_NEON 1\n#endif\n"
            "#ifndef LIB_VEC\n#if LIB_X64\n#define LIB_VEC 2\n#else\n"
            "#define LIB_VEC 4\n#endif\n#endif\n"
        }
    )
    assert r.resolve(("defined(LIB_X64)",))[0] == preproc.INACTIVE
    assert r.resolve(("defined(LIB_NEON)",))[0] == preproc.ACTIVE
    assert r.resolve(("LIB_VEC == 4",))[0] == preproc.ACTIVE
    assert r.resolve(("!defined(LIB_VEC)",))[0] == preproc.INACTIVE  # once config.h is read
    assert r.resolve(("HAVE_SSE42",))[0] == preproc.INACTIVE  # named after x86
    assert r.resolve(("defined(RAPIDJSON_AVX2)",))[0] == preproc.INACTIVE
    status, names = r.resolve(("defined(USE_FAST_PATH)",))
    assert status == preproc.GUARDED and names == {"USE_FAST_PATH"}
    assert r.resolve(("defined(__MY_RESERVED)",))[0] == preproc.INACTIVE
    assert r.resolve(("defined(ZSTD_NO_SSE)",))[0] == preproc.INACTIVE  # opt-out, never set


def test_directives_in_comments_and_strings_are_ignored():
    text = 'const char *s = "\\n#error no";\n/* #error no */\n// #error no\n#error yes\n'
    lay = preproc.layout(text, G3)
    assert [(d.line, d.name) for d in lay.directives] == [(4, "error")]


def test_conditional_include_sees_past_the_include_guard():
    from porting_advisor.scanners.c.scan import DIRECTIVE_LINE, conditional_include

    def check(text: str) -> bool:
        return conditional_include("\n".join(DIRECTIVE_LINE.findall(text)))

    assert not check('#ifndef A_H\n#define A_H\n#include "x.h"\n#endif\n')
    assert check('#ifndef A_H\n#define A_H\n#ifdef USE_X\n#include "x.h"\n#endif\n#endif\n')
    assert check('#if defined(X)\n#include "x.h"\n#endif\n')
    assert not check('#ifdef X\nint a;\n#endif\n#include "y.h"\n#include <z.h>\n')
    assert not check("#if X\n#include <stdio.h>\n#endif\n")
