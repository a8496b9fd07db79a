# SPDX-License-Identifier: Apache-2.0
"""The standalone binary: built by ./build.sh, run with an empty environment, same report.

Slow (a PyInstaller build into a temporary folder) and skipped unless PyInstaller is
installed: this test never installs anything. CI installs PyInstaller in a step of its own and
sets PA_REQUIRE_BINARY=1, which turns the skip into a failure. PA_SKIP_BINARY=1 skips it
anyway; PA_BINARY=path tests an existing binary instead of building one.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, mcp_calls, scan
from porting_advisor import __version__, report

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def binary(tmp_path_factory) -> Path:
    required = bool(os.environ.get("PA_REQUIRE_BINARY"))
    if os.environ.get("PA_BINARY"):
        return Path(os.environ["PA_BINARY"])
    if os.environ.get("PA_SKIP_BINARY") and not required:
        pytest.skip("PA_SKIP_BINARY is set")
    if importlib.util.find_spec("PyInstaller") is None:
        if required:
            pytest.fail("PA_REQUIRE_BINARY is set but PyInstaller is not installed")
        pytest.skip("PyInstaller is not installed (pip install 'pyinstaller>=6' to build)")
    out = tmp_path_factory.mktemp("binary")
    res = subprocess.run(
        ["bash", str(ROOT / "build.sh"), "--python", sys.executable, str(out)],
        capture_output=True,
        text=True,
        timeout=1200,
        cwd=out,
    )
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    built = re.search(r"^built (\S+) ", res.stdout, re.M)
    assert built, res.stdout[-2000:]
    assert Path(built.group(1)).parent == out
    return Path(built.group(1))


def run(binary: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(binary), *args], capture_output=True, text=True, env={}, timeout=300, cwd="/"
    )


def test_binary_report_equals_the_package(binary, rules):
    samples = ROOT / "sample-projects"
    res = run(binary, str(samples), "--format", "json", "--no-progress")
    assert res.returncode == 0, res.stderr
    got = json.loads(res.stdout)
    want = report.json.to_dict(scan(samples, rules), rules)
    for d in (got, want):
        d.pop("duration_seconds")
        d.pop("root")
    assert got == want
    pooled = json.loads(run(binary, str(samples), "--format", "json", "--jobs", "2").stdout)
    pooled.pop("duration_seconds"), pooled.pop("root")
    assert pooled == want


def test_binary_version_and_bad_input(binary, tmp_path):
    res = run(binary, "--version")
    assert res.returncode == 0 and res.stdout.strip() == f"porting-advisor {__version__}"
    for args in (
        [str(tmp_path / "missing")],
        [str(ROOT), "--format", "xml"],
        [str(ROOT), "--target", "graviton9"],
        [],
    ):
        res = run(binary, *args)
        assert res.returncode == 2 and res.stderr.startswith("porting-advisor: error:"), args
    out = tmp_path / "r.html"
    res = run(
        binary,
        str(ROOT / "sample-projects" / "cpp-service"),
        "--output",
        str(out),
        "--fail-on",
        "error",
    )
    assert res.returncode == 1 and "<html" in out.read_text()


def test_binary_serves_mcp(binary):
    """The binary built with the mcp extra answers the protocol on stdio (without a HOME: no
    result cache); built without the SDK it says how to get it."""
    command = [str(binary), "mcp", "--root", str(ROOT / "sample-projects")]
    if importlib.util.find_spec("mcp") is None:  # (the build Python is this one)
        res = subprocess.run(command, capture_output=True, text=True, env={}, timeout=300)
        assert res.returncode == 2 and "porting-advisor[mcp]" in res.stderr
        return
    answers, _ = mcp_calls(
        command,
        [("scan", {"path": ".", "page_size": 1}), ("suggest_replacement", {"name": "-mavx2"})],
        timeout=300,
        env={},
        cwd="/",
    )
    scanned = answers[1]["result"]["structuredContent"]
    golden = json.loads((ROOT / "tests" / "golden" / "sample-projects.json").read_text())
    assert (scanned["verdict"], scanned["total_findings"]) == ("blocked", len(golden["findings"]))
    flag = answers[2]["result"]["structuredContent"]
    assert flag["rule"] == "build-x86-isa-flag" and flag["target_flags"] == "-mcpu=neoverse-v1"
