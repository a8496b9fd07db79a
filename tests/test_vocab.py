# SPDX-License-Identifier: Apache-2.0
"""The vocabulary tables under rules/vocab/: every x86 CPU and feature name is caught by each
check that reads it, and a broken table is a rules error naming the file and the key."""

from __future__ import annotations

import shutil

import pytest

from conftest import ROOT, scan
from porting_advisor.core import vocab
from porting_advisor.core.ruleset import RuleError, load_table


def found(report, rule: str, file: str) -> dict[int, str]:
    """line -> message of each finding of `rule` in `file`."""
    return {f.line: f.message for f in report.findings if f.rule == rule and f.file == file}


def test_every_x86_cpu_is_caught_by_flag_pragma_and_attribute(tmp_path, rules):
    """One list of CPU names for the three checks: a name the Makefile check knows is never
    missed in a pragma or attribute (raptorlake and graniterapids were, issue 17)."""
    table = vocab.get().x86_cpus
    names = table.every()
    assert {"raptorlake", "graniterapids", "prescott", "haswell", "znver4"} <= set(names)
    (tmp_path / "Makefile").write_text(
        "".join(f"CFLAGS += -march={n}\n" for n in names), encoding="utf-8"
    )
    (tmp_path / "pragmas.c").write_text(
        "".join(f'#pragma GCC target("arch={n}")\n' for n in names), encoding="utf-8"
    )
    (tmp_path / "attributes.c").write_text(
        "".join(
            f'__attribute__((target("arch={n}"))) int f{i}(void);\n' for i, n in enumerate(names)
        ),
        encoding="utf-8",
    )
    report = scan(tmp_path, rules)
    lines = {n: i for i, n in enumerate(names, 1)}
    flags = found(report, "build-x86-isa-flag", "Makefile")
    pragmas = found(report, "c-x86-target-pragma", "pragmas.c")
    attributes = found(report, "c-x86-target-attribute", "attributes.c")
    for name, line in lines.items():
        assert flags.get(line) == f"x86-only flag `-march={name}`", name
        assert pragmas.get(line, "").endswith(f"selects x86 ISA arch={name}"), name
        assert attributes.get(line, "").endswith(f"names x86 ISA arch={name}"), name
    assert len(report.findings) == 3 * len(names)


def test_every_x86_feature_is_caught_as_flag_and_target(tmp_path, rules):
    """The -mNAME flag check and the target("NAME") check read the same feature table."""
    words = vocab.get().gcc_features.every()
    assert {"avx2", "sse4.2"}.isdisjoint(words) and {"avx", "sse", "rdseed", "gfni"} <= set(words)
    (tmp_path / "Makefile").write_text("".join(f"CFLAGS += -m{w}\n" for w in words))
    (tmp_path / "features.c").write_text(
        "".join(f'__attribute__((target("{w}"))) int f{i}(void);\n' for i, w in enumerate(words))
    )
    report = scan(tmp_path, rules)
    flags = found(report, "build-x86-isa-flag", "Makefile")
    attributes = found(report, "c-x86-target-attribute", "features.c")
    assert flags == {i: f"x86-only flag `-m{w}`" for i, w in enumerate(words, 1)}
    assert sorted(attributes) == list(range(1, len(words) + 1))


def test_no_x86_cpu_name_is_an_arm64_target_value():
    """The CPU table never catches the -march/-mcpu values of the Arm64 target profiles."""
    from porting_advisor.scanners.build.flags import X86_CPU

    values = {"native", "generic", "armv8-a", "armv8.2-a", "armv9-a", "neoverse-n1"}
    for profile in load_table("targets.yaml").values():
        for flag in (profile["flags"], profile["portable"]):
            values |= {w.split("=", 1)[1].split("+")[0] for w in str(flag).split() if "=" in w}
    assert {"neoverse-v1", "armv8.2-a"} <= values
    assert [v for v in sorted(values) if X86_CPU.match(v)] == []


def test_tables_are_loaded_once():
    assert vocab.get() is vocab.get()
    assert vocab.load(ROOT / "rules" / "vocab") == vocab.get()


@pytest.mark.parametrize(
    ("file", "edit", "message"),
    [
        (
            "x86-cpus.yaml",
            ("  - haswell\n", "  - haswell\n  - haswell\n"),
            "'names': 'haswell' is listed twice",
        ),
        (
            "x86-cpus.yaml",
            ("  - haswell\n", "  - Haswell\n"),
            "'names': 'Haswell' must be lower case",
        ),
        (
            "isa-words.yaml",
            ("    - ssse3\n", "    - [ssse3]\n"),
            "'gcc.names': ['ssse3'] is not a word",
        ),
        ("isa-words.yaml", ("    x86: []\n", ""), "'rust.baseline': missing x86"),
        (
            "windows.yaml",
            ("headers:", "header:"),
            "top level: unknown key(s) header; missing headers",
        ),
        (
            "arch-tokens.yaml",
            ("  - aarch64\n", "  - aarch|64\n"),
            "'arm': 'aarch|64' is not a word",
        ),
        ("c-extensions.yaml", ("  - .cu\n", "  - cu\n"), "'sources': 'cu' must start with '.'"),
        ("system-libs.yaml", ("unix:\n", "unix: libc\n"), "'unix': expected a list of words"),
    ],
)
def test_a_broken_table_names_its_file_and_key(tmp_path, file, edit, message):
    directory = tmp_path / "vocab"
    shutil.copytree(ROOT / "rules" / "vocab", directory)
    path = directory / file
    text = path.read_text(encoding="utf-8")
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    with pytest.raises(RuleError) as err:
        vocab.load(directory)
    assert str(err.value) == f"{path}: {message}"


def test_c_extensions_agree_with_the_language_table():
    """Every C/C++ source and header extension is a file the walker hands to the C scanner."""
    languages = load_table("languages.yaml")["extensions"]
    table = vocab.get().c_extensions
    assert {e: languages.get(e) for e in table.sources + table.headers} == {
        e: "c" if e in (".c", ".h") else "cpp" for e in table.sources + table.headers
    }
