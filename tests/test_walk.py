# SPDX-License-Identifier: Apache-2.0
"""The walker and the engine's handling of hostile trees: nothing stops or crashes the scan."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import scan
from porting_advisor.core.model import Options
from porting_advisor.engine import scan as engine
from porting_advisor.engine import walk

X86_C = "#include <immintrin.h>\nint f(void) { return _mm_popcnt_u32(3); }\n"


def files(tasks):
    return [(t.file, t.language) for t in tasks]


def test_languages_by_name_extension_and_shebang(tmp_path):
    (tmp_path / "a.c").write_text("")
    (tmp_path / "b.hpp").write_text("")
    (tmp_path / "k.S").write_text("")
    (tmp_path / "Makefile").write_text("")
    (tmp_path / "lib.rs").write_text("")
    (tmp_path / "tool").write_text("#!/usr/bin/env python3\nprint(1)\n")
    (tmp_path / "run").write_text("#!/bin/bash\necho\n")
    (tmp_path / "prebuilt").write_bytes(b"\x7fELF\x02\x01\x01" + b"\0" * 64)
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "config.guess").write_text("#!/bin/sh\n")
    tasks, skipped = walk.discover(tmp_path)
    assert files(tasks) == [
        ("Makefile", "make"),
        ("a.c", "c"),
        ("b.hpp", "cpp"),
        ("config.guess", "autotools"),
        ("k.S", "asm"),
        ("lib.rs", "rust"),
        ("prebuilt", "binary"),
        ("run", "shell"),
        ("tool", "python"),
    ]
    assert skipped == []


@pytest.mark.parametrize(
    ("line", "language"),
    [
        ("#!/usr/bin/env -S python3 -u", "python"),
        ("#!/usr/bin/env -S python3", "python"),
        ("#!/usr/bin/env -Spython3 -u", "python"),
        ("#!/usr/bin/python3.11 -u", "python"),
        ("#! /usr/bin/env -i PATH=/opt/bin python3", "python"),
        ("#!/usr/bin/env -u PYTHONPATH python3", "python"),
        ("#!/bin/sh", "shell"),
        ("#!/usr/bin/env bash -e", "shell"),
        ("#!/usr/bin/env -S", ""),
        ("#!", ""),
    ],
)
def test_shebang_names_the_interpreter_not_its_options(line, language):
    assert walk.language_of("tool", f"{line}\nprint(1)\n".encode()) == language


def test_gitignore_exclude_and_vcs(tmp_path):
    (tmp_path / ".gitignore").write_text("build/\n*.gen.c\n")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "x.c").write_text(X86_C)
    (tmp_path / "a.gen.c").write_text(X86_C)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".gitignore").write_text("local.c\n")
    (tmp_path / "sub" / "local.c").write_text(X86_C)
    (tmp_path / "sub" / "kept.c").write_text(X86_C)
    (tmp_path / "third_party").mkdir()
    (tmp_path / "third_party" / "v.c").write_text(X86_C)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "hook.c").write_text(X86_C)
    tasks, _ = walk.discover(tmp_path)
    assert [t.file for t in tasks] == ["sub/kept.c", "third_party/v.c"]
    tasks, _ = walk.discover(tmp_path, gitignore=False)
    assert [t.file for t in tasks] == [
        "a.gen.c",
        "build/x.c",
        "sub/kept.c",
        "sub/local.c",
        "third_party/v.c",
    ]
    tasks, _ = walk.discover(tmp_path, excludes=("third_party/", "*kept*"))
    assert tasks == []


def test_symlinks_never_leave_the_tree_or_loop(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.c").write_text(X86_C)
    root = tmp_path / "root"
    root.mkdir()
    (root / "real.c").write_text(X86_C)
    os.symlink(outside, root / "out_dir")
    os.symlink(outside / "secret.c", root / "out_file.c")
    os.symlink(root, root / "loop")
    os.symlink(root / "a_loop", root / "b_loop")
    os.symlink(root / "b_loop", root / "a_loop")
    os.symlink(root / "real.c", root / "alias.c")
    tasks, skipped = walk.discover(root)
    assert [t.file for t in tasks] == ["real.c"]
    reasons = dict(skipped)
    assert reasons["a_loop"] == "broken symlink or symlink loop"
    assert reasons["out_dir"] == "symlink points outside the scanned tree"
    assert reasons["out_file.c"] == "symlink points outside the scanned tree"
    assert "loop" not in reasons and "alias.c" not in reasons


def test_hostile_files_are_skipped_and_the_rest_reported(tmp_path, rules, run_cli):
    (tmp_path / "good.c").write_text(X86_C)
    (tmp_path / "empty.c").write_text("")
    (tmp_path / "binary.c").write_bytes(b"\x7fELF\0\0\0" + bytes(range(256)))
    (tmp_path / "latin1.c").write_bytes(
        "/* caf\xe9 */\nint g(void){ return _mm_popcnt_u32(1); }\n".encode("latin-1")
    )
    with open(tmp_path / "huge.c", "wb") as fh:  # sparse: 50 MB without writing them
        fh.truncate(50 * 1024 * 1024)
    (tmp_path / "dir.c").mkdir()  # a directory with a source name
    report = scan(tmp_path, rules)
    assert {(f.file, f.line) for f in report.findings} == {
        ("good.c", 1),
        ("good.c", 2),
        ("latin1.c", 2),
    }
    skipped = dict(report.skipped)
    assert skipped == {
        "binary.c": "binary content in a text file",
        "huge.c": "larger than 8 MB (--max-file-size)",
    }
    assert report.files_skipped == 2
    assert any(m.rule == "invalid-utf8" and m.file == "latin1.c" for m in report.remarks)
    res = run_cli(tmp_path, "--format", "json")
    assert res.code == 0
    assert "warning: skipped huge.c: larger than 8 MB (--max-file-size)" in res.err
    assert "latin1.c: not valid UTF-8" in res.err
    assert run_cli(tmp_path, "--format", "json", "--quiet").err == ""


def test_file_vanishing_or_unreadable_during_scan(tmp_path, rules):
    (tmp_path / "a.c").write_text(X86_C)
    tasks, _ = walk.discover(tmp_path)
    tasks.append(walk.Task("gone.c", str(tmp_path / "gone.c"), "c", 10))
    tasks.append(walk.Task("adir.c", str(tmp_path), "c", 10))
    opts = Options(root=tmp_path, categories=rules.default_categories(), jobs=1)
    results = engine.run(tasks, opts, rules).results
    by_file = {r.file: r for r in results}
    assert by_file["a.c"].scanned and len(by_file["a.c"].findings) == 2
    assert by_file["gone.c"].skipped == "cannot read: No such file or directory"
    assert by_file["adir.c"].skipped.startswith("cannot read: Is a directory")


def test_unreadable_directory_is_reported(tmp_path, rules):
    if os.geteuid() == 0:
        # root reads everything; simulate with a path that cannot be listed
        walker = walk.Walker(tmp_path, (), True)
        list(walker._walk(str(tmp_path / "nope"), "nope", []))
        assert walker.skipped == [("nope", "cannot list directory: No such file or directory")]
        return
    d = tmp_path / "locked"
    d.mkdir()
    (d / "x.c").write_text(X86_C)
    d.chmod(0)
    try:
        report = scan(tmp_path, rules)
        assert ("locked", "cannot list directory: Permission denied") in report.skipped
    finally:
        d.chmod(0o755)


def test_suppressions(tmp_path, rules):
    (tmp_path / "s.c").write_text(
        "#include <immintrin.h> // porting-advisor: ignore[c-x86-header] reviewed\n"
        "// porting-advisor: ignore[intrinsic]\n"
        "int a(void) { return _mm_popcnt_u32(1); }\n"
        "int b(void) { return _mm_popcnt_u32(2); }\n"
        'const char *s = "porting-advisor: ignore[intrinsic]"; int c(void) '
        "{ return _mm_popcnt_u32(3); }\n"
    )
    report = scan(tmp_path, rules)
    assert [(f.line, f.rule) for f in report.findings] == [
        (4, "c-x86-intrinsic"),
        (5, "c-x86-intrinsic"),
    ]
    assert report.suppressed == 2
    report = scan(tmp_path, rules, show_suppressed=True)
    assert [(f.line, f.suppressed) for f in report.findings] == [
        (1, True),
        (3, True),
        (4, False),
        (5, False),
    ]


def test_path_is_posix_relative(tmp_path, rules):
    d = tmp_path / "a" / "b"
    d.mkdir(parents=True)
    (d / "x.c").write_text(X86_C)
    report = scan(tmp_path, rules)
    assert {f.file for f in report.findings} == {"a/b/x.c"}
    assert not Path(report.findings[0].file).is_absolute()


def test_ignore_fast_paths_agree_with_pathspec():
    """The set/suffix/combined-regex matcher answers exactly like pathspec's own loop, with
    and without negations."""
    import random

    import pathspec

    patterns = [
        "*.pyc",
        "*.o",
        "build/",
        "*.egg-info/",
        "core",
        ".DS_Store",
        "dist",
        "/site.cfg",
        "doc/*.txt",
        "**/tmp",
        "a[bc].o",
        "*.so.*",
        "\\#x",
        "trail ",
        "*~",
        ".*.swp",
        "numpy/core/include/numpy/__multiarray_api.h",
        "*",
        # negations: the fast test says which paths no other pattern ignores
        "!x.pyc",
        "!doc/",
        "!build/f.c",
        "!*.o",
    ]
    names = [
        "build",
        "a",
        "core",
        "x.pyc",
        "lib.so.1",
        "ab.o",
        "ac.o",
        "doc",
        "dist",
        "tmp",
        "foo.egg-info",
        ".DS_Store",
        "src",
        "f.c",
        "README.txt",
        "#x",
        "trail",
        "x~",
        ".f.swp",
        "site.cfg",
        "numpy",
        "include",
        "__multiarray_api.h",
    ]
    rng = random.Random(3)
    fast_seen = False
    for _ in range(120):
        lines = rng.sample(patterns, rng.randint(1, len(patterns) - 1))
        ignore, reference = walk.Ignore(lines), pathspec.GitIgnoreSpec.from_lines(lines)
        fast_seen |= ignore.fast
        for _path in range(400):
            path = "/".join(rng.choice(names) for _ in range(rng.randint(1, 4)))
            path += "/" if rng.random() < 0.3 else ""
            assert ignore.match_file(path) == bool(reference.match_file(path)), (path, lines)
    assert fast_seen


def test_translated_patterns_agree_with_pathspec():
    """engine.gitignore's expressions (and its ruling between patterns that disagree) match
    the same paths as pathspec's GitIgnoreSpec, on generated patterns of every shape it
    translates: `*`, `?`, `**`, bracket sets, several stars in a name and several `**` in a
    pattern (taken at their first occurrence), anchored or not, for directories or not,
    negated or not."""
    import random

    import pathspec

    rng = random.Random(7)
    names = ["a", "b", "ab", "ba", "a.c", "x_y", ".h", "c-d"]
    pieces = ["*", "?", "[ab]", "[!a]", "[a-c]", "[.]", "*a*", "a*b*", *names]

    def segment() -> str:
        r = rng.random()
        if r < 0.25:
            return "**" if r < 0.15 else "*"
        return "".join(rng.choice(pieces) for _ in range(rng.randint(1, 3)))

    def pattern() -> str:
        text = "/".join(segment() for _ in range(rng.randint(1, 5)))
        text = ("/" if rng.random() < 0.3 else "") + text + ("/" if rng.random() < 0.3 else "")
        return ("!" if rng.random() < 0.25 else "") + text

    translated = 0
    for _ in range(400):
        lines = [pattern() for _ in range(rng.randint(1, 5))]
        ignore, reference = walk.Ignore(lines), pathspec.GitIgnoreSpec.from_lines(lines)
        translated += ignore.fast
        for _path in range(25):
            path = "/".join(rng.choice([*names, "abc", "b.c"]) for _ in range(rng.randint(1, 7)))
            path += "/" if rng.random() < 0.4 else ""
            assert ignore.match_file(path) == bool(reference.match_file(path)), (path, lines)
    assert translated == 400  # (none left to pathspec: no escapes in these)


@pytest.mark.parametrize(
    ("lines", "path", "ignored"),
    [
        # a run between two `**` is taken at its first occurrence, not after skipping one
        (["/*b/**/*/**/*/a"], "ab/ab/a/a/c/b/ba/ba", True),
        # a negated set matches `/` (as in pathspec): the name's stars are then not
        # committed early, or the last pattern to match the path itself would change
        (["/*[!a]**", "!$y/"], "$y/$y", True),
    ],
)
def test_translated_patterns_found_by_fuzzing(lines, path, ignored):
    import pathspec

    assert walk.Ignore(lines).match_file(path) is ignored
    assert bool(pathspec.GitIgnoreSpec.from_lines(lines).match_file(path)) is ignored


@pytest.mark.parametrize(
    ("pattern", "path"),
    [
        ("*a" * 8 + "b", "a" * 120),
        ("**/" + "a/**/" * 8 + "b", "a/" * 60 + "c"),
        ("**/a/**/b", "a/" * 2000 + "c"),
    ],
)
def test_patterns_that_backtrack_fail_fast(pattern, path):
    """Many stars in a name, or `**` between many directories: each piece is taken at its
    first occurrence, so a failing match is linear (pathspec takes seconds on these; this
    test would too, were they translated as pathspec does)."""
    assert walk.Ignore([pattern]).match_file(path) is False


@pytest.mark.parametrize("odd", ["odd\\", "!", "[z-a].c", "![z-a]", "a\\ b[z-a]"])
def test_an_invalid_gitignore_line_ignores_nothing_and_the_scan_goes_on(tmp_path, run_cli, odd):
    """A pattern git cannot read or that matches nothing (a trailing backslash, a lone `!`, a
    descending range, which pathspec and sre refuse) ignores nothing, as in git; the file's
    other lines still apply."""
    (tmp_path / ".gitignore").write_text(odd + "\n*.o.c\n")
    (tmp_path / "kept.c").write_text(X86_C)
    (tmp_path / "gen.o.c").write_text(X86_C)
    result = run_cli(tmp_path, "--no-cache", "--format", "json")
    assert result.code == 0
    assert {f["file"] for f in result.json()["findings"]} == {"kept.c"}


def test_quilt_copies_are_read_only_with_no_filter(tmp_path, run_cli):
    """A Debian source tree's `.pc/` holds the files as they were before each patch: all
    that is found there is filtered as not built, so a default scan does not read it;
    --no-filter does, and lists those findings with the reason. A `.pc` directory without
    quilt's bookkeeping is read (its findings are filtered by name, as before)."""
    code = "#include <immintrin.h>\nint f(void) { return _mm_popcnt_u32(3); }\n"
    for d in ("src", ".pc/01-fix.patch/src", "lib/.pc"):
        (tmp_path / d).mkdir(parents=True)
        (tmp_path / d / "a.c").write_text(code)
    (tmp_path / ".pc" / "applied-patches").write_text("01-fix.patch\n")
    (tmp_path / ".pc" / ".version").write_text("2\n")
    default = run_cli(tmp_path, "--no-cache", "--format", "json").json()
    assert sorted({f["file"] for f in default["findings"]}) == ["src/a.c"]
    assert default["files_scanned"] == 2  # src/a.c and lib/.pc/a.c
    every = run_cli(tmp_path, "--no-cache", "--format", "json", "--no-filter").json()
    quilt = {f["filtered_reason"] for f in every["findings"] if f["file"].startswith(".pc/")}
    assert quilt == {"a copy quilt keeps of a file before a Debian patch applies (not built)"}
