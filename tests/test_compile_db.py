# SPDX-License-Identifier: Apache-2.0
"""`--compile-commands FILE`: units and their -D/-U from a compile database, files no unit
compiles or includes filtered, the units' x86 flags reported, bad databases exit 2."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES

CASE = FIXTURES / "c" / "compile-db"


def findings(res):
    return sorted(
        (f["file"], f["line"], f["rule"], bool(f.get("filtered")))
        for f in res.json()["findings"]
        if f["category"] != "dependency"
    )


def write_db(tmp_path, entries):
    path = tmp_path / "compile_commands.json"
    path.write_text(json.dumps(entries))
    return path


def test_db_units_macros_and_unlisted_files(run_cli):
    res = run_cli(
        CASE,
        "--compile-commands",
        CASE / "build" / "compile_commands.json",
        "--no-cache",
        "--format",
        "json",
    )
    assert res.code == 0, res.err
    assert findings(res) == [
        ("include/kernel.h", 8, "c-x86-header", False),
        ("include/kernel.h", 11, "c-x86-intrinsic", False),
        ("include/kernel.h", 11, "c-x86-intrinsic", False),
        ("src/avx2_on.c", 8, "c-x86-header", False),
        ("src/avx2_on.c", 11, "c-x86-intrinsic", False),
        ("src/avx2_on.c", 13, "c-x86-intrinsic", False),
        ("src/avx2_on.c", 15, "c-x86-intrinsic", False),
        ("src/avx2_on.c", 15, "c-x86-intrinsic", False),
        ("src/flags.c", 0, "build-x86-isa-flag", False),
    ]
    flag = next(f for f in res.json()["findings"] if f["rule"] == "build-x86-isa-flag")
    assert flag["severity"] == "warning"
    assert flag["message"] == "x86-only flag `-msse4.2` (compile database entry 3)"
    (remark,) = [m for m in res.json()["remarks"] if m["rule"] == "compile-commands"]
    assert "3 of its 4 entries compile 3 file(s) of this tree" in remark["message"]


def test_unlisted_files_are_filtered_with_the_reason(run_cli):
    db = CASE / "build" / "compile_commands.json"
    res = run_cli(CASE, "--compile-commands", db, "--no-cache", "--no-filter", "--format", "json")
    reasons = {
        (f["file"], f.get("filtered_reason", ""))
        for f in res.json()["findings"]
        if f.get("filtered")
    }
    not_in_db = "not in the compile database: no unit compiles or includes it"
    assert ("bench/competitor.c", not_in_db) in reasons
    assert ("bench/competitor.h", not_in_db) in reasons
    assert not any(file.startswith(("src/", "include/")) and r == not_in_db for file, r in reasons)


def test_without_the_db_the_avx2_branch_is_not_reached(run_cli):
    res = run_cli(CASE, "--no-cache", "--format", "json")
    assert not [f for f in findings(res) if f[0].startswith(("src/", "include/"))]
    assert {f[0] for f in findings(res)} == {"bench/competitor.c", "bench/competitor.h"}


def test_command_and_arguments_and_absolute_paths(run_cli, tmp_path):
    """`command` (split like a shell) and `arguments` give the same unit; absolute paths."""
    src = str(CASE / "src")
    by_command = write_db(
        tmp_path,
        [{"directory": src, "file": f"{src}/avx2_on.c", "command": "cc '-DUSE_AVX2' -c avx2_on.c"}],
    )
    a = run_cli(CASE, "--compile-commands", by_command, "--no-cache", "--format", "json")
    by_args = tmp_path / "args.json"
    by_args.write_text(
        json.dumps(
            [
                {
                    "directory": src,
                    "file": "avx2_on.c",
                    "arguments": ["cc", "-D", "USE_AVX2", "-c", "avx2_on.c"],
                }
            ]
        )
    )
    b = run_cli(CASE, "--compile-commands", by_args, "--no-cache", "--format", "json")
    assert findings(a) == findings(b)
    assert ("src/avx2_on.c", 11, "c-x86-intrinsic", False) in findings(a)
    # avx2_off.c is no unit, and kernel.h is included by none: both filtered
    assert {f[0] for f in findings(a)} == {"src/avx2_on.c"}


def test_a_later_undef_wins(run_cli, tmp_path):
    src = str(CASE / "src")
    db = write_db(
        tmp_path,
        [
            {
                "directory": src,
                "file": "avx2_on.c",
                "arguments": ["cc", "-DUSE_AVX2", "-UUSE_AVX2", "-c", "avx2_on.c"],
            }
        ],
    )
    res = run_cli(CASE, "--compile-commands", db, "--no-cache", "--format", "json")
    assert not [f for f in findings(res) if f[0] == "src/avx2_on.c"]


def test_a_db_for_another_checkout_is_not_used(run_cli, tmp_path):
    db = write_db(tmp_path, [{"directory": "/elsewhere", "file": "a.c", "command": "cc a.c"}])
    res = run_cli(CASE, "--compile-commands", db, "--no-cache", "--format", "json")
    assert {f[0] for f in findings(res)} == {"bench/competitor.c", "bench/competitor.h"}
    (remark,) = [m for m in res.json()["remarks"] if m["rule"] == "compile-commands"]
    assert "none of its 1 entries compiles a file of this tree" in remark["message"]


def test_an_x86_database_says_so(run_cli, tmp_path):
    src = str(CASE / "src")
    db = write_db(
        tmp_path,
        [{"directory": src, "file": "flags.c", "command": "x86_64-linux-gnu-gcc -c flags.c"}],
    )
    res = run_cli(CASE, "--compile-commands", db, "--no-cache", "--format", "json")
    messages = [m["message"] for m in res.json()["remarks"] if m["rule"] == "compile-commands"]
    assert any("was made for x86" in m for m in messages)


def test_the_cache_key_includes_the_database(run_cli, tmp_path):
    src = str(CASE / "src")
    cache = tmp_path / "cache"
    on = [{"directory": src, "file": "avx2_on.c", "command": "cc -DUSE_AVX2 -c avx2_on.c"}]
    db = write_db(tmp_path, on)
    first = run_cli(CASE, "--compile-commands", db, "--cache-dir", cache, "--format", "json")
    assert ("src/avx2_on.c", 11, "c-x86-intrinsic", False) in findings(first)
    db.write_text(json.dumps([dict(on[0], command="cc -c avx2_on.c")]))
    second = run_cli(CASE, "--compile-commands", db, "--cache-dir", cache, "--format", "json")
    assert ("src/avx2_on.c", 11, "c-x86-intrinsic", False) not in findings(second)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        ("{not json", "not JSON"),
        ('{"directory": "/"}', "not a compile database"),
        ("[1]", "entry 1 is not an object"),
        ('[{"file": "a.c", "command": "cc"}]', "entry 1 needs the strings"),
        ('[{"directory": "/", "file": "a.c"}]', "entry 1 needs 'arguments'"),
        ('[{"directory": "/", "file": "a.c", "arguments": [1]}]', "entry 1 needs 'arguments'"),
        ('[{"directory": "/", "file": "a.c", "command": "cc \'a.c"}]', "does not split"),
        (b"\xff\xfe[", "not JSON"),
    ],
)
def test_bad_databases_exit_2_with_one_line(run_cli, tmp_path, content, message):
    path = tmp_path / "compile_commands.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    res = run_cli(CASE, "--compile-commands", path, "--no-cache")
    assert res.code == 2
    assert res.out == ""
    assert len(res.err.strip().splitlines()) == 1
    assert res.err.startswith("porting-advisor: error: ") and message in res.err


def test_a_huge_database_is_refused(run_cli, tmp_path, monkeypatch):
    from porting_advisor.core import compdb

    monkeypatch.setattr(compdb, "MAX_BYTES", 10)
    path = write_db(tmp_path, [{"directory": "/", "file": "a.c", "command": "cc a.c"}])
    res = run_cli(CASE, "--compile-commands", path, "--no-cache")
    assert res.code == 2
    assert "more than a compile database holds" in res.err
    assert len(res.err.strip().splitlines()) == 1
