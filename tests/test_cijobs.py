# SPDX-License-Identifier: Apache-2.0
"""CI configurations read as jobs: runner labels, matrix expressions, building jobs."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES
from porting_advisor.scanners import cijobs


@pytest.mark.parametrize(
    ("label", "arch"),
    [
        ("ubuntu-24.04-arm", "arm64"),
        ("ubuntu-22.04-arm", "arm64"),
        ("macos-14", "arm64"),
        ("macos-16", "arm64"),  # later macOS versions need no table edit
        ("macos-latest", "arm64"),
        ("macos-13-xlarge", "arm64"),
        ("windows-11-arm", "arm64"),
        ("ARM64", "arm64"),
        ("macos-13", "x64"),
        ("macos-15-intel", "x64"),
        ("macos-14-large", "x64"),
        ("ubuntu-latest", "x64"),
        ("windows-2022", "x64"),
        ("X64", "x64"),
        ("self-hosted", "unknown"),
        ("my-runner", "unknown"),
    ],
)
def test_label_arch(label, arch):
    assert cijobs.label_arch(label) == arch


WORKFLOW = """\
on: [push]
jobs:
  stale:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/stale@v9
  test:
    strategy:
      matrix:
        os: [ubuntu-latest, windows-latest]
        include:
          - os: macos-14
    runs-on: ${{ matrix.os }}
    steps:
      - uses: actions/checkout@v4
      - run: make test
  dynamic:
    runs-on: ${{ fromJSON(needs.setup.outputs.runner) }}
    steps:
      - run: make
  fallback:
    runs-on: ${{ matrix.runner || 'ubuntu-22.04' }}
    steps:
      - run: python setup.py sdist && twine check dist/*
"""


def test_github_jobs():
    jobs = cijobs.github_jobs(cijobs.compose(WORKFLOW))
    got = [(j.name, j.line, j.column, j.runner, j.arch, j.builds) for j in jobs]
    assert got == [
        ("stale", 4, 14, "ubuntu-latest", "x64", False),
        ("test", 13, 14, "ubuntu-latest; windows-latest; macos-14", "arm64", True),
        ("dynamic", 18, 14, "${{ fromJSON(needs.setup.outputs.runner) }}", "unknown", True),
        ("fallback", 22, 14, "ubuntu-22.04", "x64", False),
    ]


def test_prose_lines_are_not_commands():
    text = "jobs:\n  a:\n    name: Build x86_64-linux-gnu\n    steps:\n      - run: make\n"
    assert cijobs.text_lines(cijobs.compose(text)) == {3}


@pytest.mark.parametrize(
    ("line", "quiet"),
    [
        ("pip install ruff mypy", True),
        ("python -m pip install -e .", False),
        ("pip install .", False),
        ("python -m build --sdist", True),
        ("python -m build", False),
        ("sudo apt-get install -y foo", False),
        ("FOO=1 git status", True),
        ("make", False),
    ],
)
def test_quiet_line(line, quiet):
    assert cijobs.quiet_line(line) is quiet


def reasons(run_cli, case: str) -> dict[tuple[str, int], str]:
    res = run_cli(str(FIXTURES / "containers" / case), "--no-filter", "--format", "json")
    found = json.loads(res.out)["findings"]
    return {(f["file"], f["line"]): f["filtered_reason"] for f in found if f.get("filtered")}


def test_filtered_container_findings_say_why(run_cli):
    """Each filter of the containers scanner and the CI pass gives its reason in the JSON."""
    assert reasons(run_cli, "ci-x86-32-job") == {
        (".github/workflows/ci.yml", 10): (
            "x86-32 support on an x64 CI runner: that job's host, not an Arm64 build"
        ),
        (".github/workflows/ci.yml", 15): "builds for x86-32 on purpose (-m32)",
    }
    assert reasons(run_cli, "compose-built") == {
        ("docker-compose.yml", 6): "an image this compose file builds (`build:`)"
    }
    assert reasons(run_cli, "cross-image") == {
        ("Dockerfile", 3): "in an image that cross-builds for Arm64 on an x86 host",
        ("Dockerfile", 5): "in an image that cross-builds for Arm64 on an x86 host",
    }
    assert reasons(run_cli, "ci-matrix-x64") == {
        (".github/workflows/c-nightly.yml", 6): "reported once per tree, at its first building job"
    }
    assert reasons(run_cli, "arm-elsewhere") == {
        (".github/workflows/lint.yml", 6): "a CI job of the tree builds on Arm64"
    }
