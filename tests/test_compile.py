# SPDX-License-Identifier: Apache-2.0
"""Fixture truth from real compilers: what we call broken fails on Arm64, what we call fine
builds there, and the x86 path still builds natively.

A fixture states its truth in its first lines: `// aarch64: fails|builds`, `// x86: builds`,
and optional `// flags: ...` for both compilers. The Arm64 compiler is Debian's
gcc-aarch64-linux-gnu (`.ci/run` installs it); without it these tests are skipped.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES, annotations

ARM_CC = shutil.which("aarch64-linux-gnu-gcc")
X86_CC = (
    shutil.which("gcc")
    if shutil.which("gcc")
    and (
        subprocess.run(["gcc", "-dumpmachine"], capture_output=True, text=True).stdout.startswith(
            "x86_64"
        )
    )
    else None
)
ARM_FLAGS = ["-mcpu=neoverse-v1"]  # graviton3, the default target
X86_FLAGS = ["-march=haswell"]
COMMON = ["-O1", "-c", "-o", "/dev/null", "-Werror=implicit-function-declaration"]
X86_HEADER = re.compile(r"^\s*#\s*include\s*<(?:\w*intrin|cpuid)\.h>", re.M)
# Rules whose every positive line must be an error for the Arm64 compiler on its own.
PER_LINE_RULES = {"c-x86-intrinsic", "c-x86-builtin", "c-x86-cpu-detection"}


def truth(path: Path) -> dict[str, str]:
    head = path.read_text().split("\n")[:4]
    return {
        m.group(1): m.group(2).strip()
        for line in head
        if (m := re.match(r"//\s*(aarch64|x86|flags):\s*(.*)", line))
    }


def c_fixtures() -> list[Path]:
    return sorted(
        p for p in FIXTURES.rglob("*") if p.suffix in (".c", ".cpp") and "aarch64" in truth(p)
    )


def compile(cc: str, flags: list[str], path: Path, extra: str) -> subprocess.CompletedProcess:
    lang = ["-x", "c++"] if path.suffix == ".cpp" else ["-x", "c", "-std=gnu11"]
    return subprocess.run(
        [cc, *flags, *COMMON, *extra.split(), *lang, str(path)],
        capture_output=True,
        text=True,
        cwd=path.parent,
        timeout=60,
    )


@pytest.mark.skipif(not ARM_CC, reason="aarch64-linux-gnu-gcc not installed")
@pytest.mark.parametrize("path", c_fixtures(), ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_arm64_truth(path, tmp_path):
    t = truth(path)
    result = compile(ARM_CC, ARM_FLAGS, path, t.get("flags", ""))
    if t["aarch64"] == "builds":
        assert result.returncode == 0, result.stderr[-2000:]
        return
    assert result.returncode != 0, "expected the Arm64 build to fail"
    # Each intrinsic line fails on its own: drop the x86 headers (keeping line numbers) and
    # check that the compiler complains about every annotated line.
    case = next(p for p in path.parents if p.parent.parent == FIXTURES)
    expected, _, _ = annotations(case)
    rel = path.relative_to(case).as_posix()
    source = path.read_text().split("\n")
    lines = {
        line
        for f, line, rule in expected
        if f == rel and rule in PER_LINE_RULES and not source[line - 1].lstrip().startswith("#")
    }
    if not lines:
        return
    stripped = tmp_path / path.name
    stripped.write_text(X86_HEADER.sub("", path.read_text()))
    result = compile(ARM_CC, ARM_FLAGS, stripped, t.get("flags", ""))
    complained = {
        int(n) for n in re.findall(rf"{re.escape(path.name)}:(\d+):\d+: error", result.stderr)
    }
    assert sorted(lines - complained) == [], result.stderr[-3000:]


@pytest.mark.skipif(not X86_CC, reason="no native x86-64 gcc")
@pytest.mark.parametrize(
    "path",
    [p for p in c_fixtures() if "x86" in truth(p)],
    ids=lambda p: p.relative_to(FIXTURES).as_posix(),
)
def test_x86_path_builds(path):
    result = compile(X86_CC, X86_FLAGS, path, truth(path).get("flags", ""))
    assert result.returncode == 0, result.stderr[-2000:]
