# SPDX-License-Identifier: Apache-2.0
"""The CI gate in real pipelines (issue 21): loud failures, signals, the repository's own
configuration, reviewable baselines, bounded hostile input."""

from __future__ import annotations

from pathlib import Path

X86 = "#include <immintrin.h>\nint f(void) { return _mm_popcnt_u32(3); }\n"


def tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "repo"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_a_failing_gate_says_why_on_stderr_even_quiet(run_cli, tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    root = tree(tmp_path, {"a.c": X86})
    out = tmp_path / "pa.sarif"
    res = run_cli(root, "--fail-on", "error", "--output", out, "--no-cache", "-q")
    assert res.code == 1 and res.out == ""
    assert res.err == (
        f"porting-advisor: gate failed: 2 finding(s) at or above error (2 error); reports: {out}\n"
    )
    res = run_cli(root, "--fail-on", "error", "--output", out, "--no-cache", "--fail-on", "never")
    assert res.code == 0 and "gate" not in res.err


def test_github_step_summary(run_cli, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    root = tree(tmp_path, {"a.c": X86})
    res = run_cli(root, "--fail-on", "warning", "--output", tmp_path / "pa.json", "--no-cache")
    assert res.code == 1
    text = summary.read_text()
    assert text.startswith("earlier step\n## porting-advisor: Arm64 readiness\n")
    assert "| `a.c:2` | error | `c-x86-intrinsic` |" in text
    assert text.endswith(
        "**porting-advisor: gate failed: 2 finding(s) at or above warning "
        f"(2 error); reports: {tmp_path / 'pa.json'}**\n\n"
    )
    summary.write_text("")
    (root / "a.c").write_text("int f(void) { return 0; }\n")
    assert run_cli(root, "--fail-on", "warning", "--no-cache").code == 0
    assert summary.read_text().endswith("**porting-advisor: gate passed**\n\n")
