# SPDX-License-Identifier: Apache-2.0
"""scripts/bench.py's --reference mode: argument checks and the command template (no timing)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parent.parent / "scripts" / "bench.py"


def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = load_bench()


def test_template_fills_tree_and_out_in_every_word() -> None:
    cmd = bench.fill_template(
        "python tool.py {tree} --output={out} --label 'a b'",
        Path("/src/my tree"),
        Path("/tmp/r.json"),
    )
    assert cmd == ["python", "tool.py", "/src/my tree", "--output=/tmp/r.json", "--label", "a b"]


def test_template_leaves_other_braces_alone() -> None:
    cmd = bench.fill_template("sh -c 'echo {} > $1' x {out} {tree}", Path("t"), Path("o"))
    assert cmd == ["sh", "-c", "echo {} > $1", "x", "o", "t"]


def test_template_without_tree_is_refused() -> None:
    with pytest.raises(ValueError, match=r"no \{tree\}"):
        bench.fill_template("true {out}", Path("t"), Path("o"))


def test_reference_mode_takes_several_trees_and_a_repeat() -> None:
    args = bench.parse_args(["--reference", "true {tree}", "--tree", "a", "--tree", "b"])
    assert args.reference == "true {tree}"
    assert args.tree == [Path("a"), Path("b")]
    assert args.repeat is None  # main() applies the mode's default (5 here, 3 otherwise)
    args = bench.parse_args(["--reference", "true {tree}", "--tree", "a", "--repeat", "3"])
    assert args.repeat == 3


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--reference", "true {tree}"], "--reference needs at least one --tree"),
        (["--reference", "true", "--tree", "a"], "has no {tree}"),
        (["--tree", "a", "--tree", "b"], "more than one --tree only with --reference"),
    ],
)
def test_bad_arguments_exit_with_usage_error(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as e:
        bench.parse_args(argv)
    assert e.value.code == 2
    assert message in capsys.readouterr().err


def test_other_modes_still_parse() -> None:
    args = bench.parse_args(["--files", "100", "--simd"])
    assert (args.files, args.simd, args.tree, args.reference) == (100, True, None, None)
    assert bench.parse_args(["--tree", "x"]).tree == [Path("x")]


def test_ours_is_a_cold_json_scan_with_default_jobs() -> None:
    cmd = bench.ours_cmd(Path("/t"), Path("/o.json"))
    assert cmd[1:4] == ["-m", "porting_advisor", "/t"]
    assert "--no-cache" in cmd and "--jobs" not in cmd
    assert cmd[cmd.index("--output") + 1] == "/o.json"
