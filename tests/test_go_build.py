# SPDX-License-Identifier: Apache-2.0
"""Go fixture truth from the Go toolchain: what we call broken fails to build for arm64 where
we say, what we call fine builds (and vets) for arm64, and amd64 builds in every case.

A Go fixture case states its truth in fixture.toml, `[go]`: `arm64 = "fails"|"builds"`,
`amd64 = "builds"`, and `use`, a statement that calls the package from a program (the linker
only resolves functions a program reaches). Each case is built in a temporary copy as module
`fixture`, with CGO_ENABLED=0; without `go` these tests are skipped.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from conftest import FIXTURES, annotations

GO = shutil.which("go")


def truth(case: Path) -> dict[str, str]:
    path = case / "fixture.toml"
    if not path.exists():
        return {}
    return dict(tomllib.loads(path.read_text()).get("go", {}))


def go_cases() -> list[Path]:
    return sorted(p for p in (FIXTURES / "go").iterdir() if p.is_dir() and truth(p))


def build(case: Path, arch: str, work: Path) -> tuple[subprocess.CompletedProcess[str], ...]:
    """`go build` of a program that calls the package, and `go vet` of the package (its
    tests included), for linux/`arch`."""
    module = work / "m"
    shutil.copytree(case, module, ignore=shutil.ignore_patterns("fixture.*"))
    (module / "go.mod").write_text("module fixture\n\ngo 1.17\n")
    (module / "truthmain").mkdir()
    (module / "truthmain" / "main.go").write_text(
        f'package main\n\nimport p "fixture"\n\nfunc main() {{ {truth(case)["use"]} }}\n'
    )
    env = {
        **os.environ,
        "GOOS": "linux",
        "GOARCH": arch,
        "CGO_ENABLED": "0",
        "GOFLAGS": "-mod=mod",
        "GOPROXY": "off",
        "GOWORK": "off",
    }
    run = [
        subprocess.run(
            cmd, cwd=module, env=env, capture_output=True, text=True, timeout=300, check=False
        )
        for cmd in ([GO, "build", "-o", os.devnull, "./truthmain"], [GO, "vet", "."])
    ]
    return tuple(run)


@pytest.mark.skipif(not GO, reason="go not installed")
@pytest.mark.parametrize("case", go_cases(), ids=lambda p: p.name)
def test_arm64_truth(case, tmp_path):
    built, vetted = build(case, "arm64", tmp_path)
    if truth(case)["arm64"] == "builds":
        assert built.returncode == 0, built.stderr[-2000:]
        assert vetted.returncode == 0, vetted.stderr[-2000:]
        return
    assert built.returncode != 0, "expected the arm64 build to fail"
    # The compiler stops at each line we report (the linker names no line); the assembler
    # at the assembly files we report whole.
    expected, _, _ = annotations(case)
    wanted = {
        (f, n)
        for f, n, rule in expected
        if rule in ("go-missing-arm64-symbol", "go-asm-x86-for-arm64")
    }
    complained = {
        (m.group(1), int(m.group(2)))
        for m in re.finditer(r"(?m)^\.?/?([\w./-]+\.go):(\d+):\d+: ", built.stderr)
    } | {(m.group(1), 0) for m in re.finditer(r"(?m)^\.?/?([\w./-]+\.s):\d+: ", built.stderr)}
    assert wanted, "a failing case reports where"
    assert sorted(wanted - complained) == [], built.stderr[-3000:]


@pytest.mark.skipif(not GO, reason="go not installed")
@pytest.mark.parametrize("case", go_cases(), ids=lambda p: p.name)
def test_amd64_builds(case, tmp_path):
    assert truth(case)["amd64"] == "builds"
    built, vetted = build(case, "amd64", tmp_path)
    assert built.returncode == 0, built.stderr[-2000:]
    assert vetted.returncode == 0, vetted.stderr[-2000:]
