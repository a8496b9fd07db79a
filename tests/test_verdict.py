# SPDX-License-Identifier: Apache-2.0
"""The readiness verdict (`summary.verdict`): one tree per verdict, and the rule data that
decides `blocked`."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import ROOT
from porting_advisor.core import ruleset


def tree(tmp_path, files: dict[str, str]):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


CASES = {
    "ready": {"README.md": "nothing to port\n", "main.c": "int main(void) { return 0; }\n"},
    # a Dockerfile pinned to amd64: a warning
    "minor": {"Dockerfile": "FROM --platform=linux/amd64 debian:12\n"},
    # an x86 intrinsic: an error with a NEON replacement
    "significant": {
        "crc.c": "#include <nmmintrin.h>\nunsigned f(unsigned c, unsigned v) "
        "{ return _mm_crc32_u32(c, v); }\n"
    },
    # an #error reached on Arm64: the build stops with no alternative
    "blocked": {
        "arch.h": "#if defined(__x86_64__)\n#define OK 1\n#else\n#error unsupported CPU\n#endif\n"
    },
}


@pytest.mark.parametrize("expected", list(CASES))
def test_each_verdict_in_json_text_markdown_and_sarif(expected, tmp_path, run_cli):
    root = tree(tmp_path / "t", CASES[expected])
    data = run_cli(root, "--format", "json", "--no-cache").json()
    assert data["summary"]["verdict"] == expected, data["findings"]
    assert f"Verdict: {expected} (" in run_cli(root, "--no-cache").out
    md = run_cli(root, "--format", "markdown", "--no-cache").out
    assert f"Verdict: **{expected}**" in md
    sarif = run_cli(root, "--format", "sarif", "--no-cache").json()
    assert sarif["runs"][0]["properties"]["verdict"] == expected
    html = run_cli(root, "--format", "html", "--no-cache").out
    assert f'<b class="verdict-{expected}">{expected}</b>' in html


def test_suppressed_findings_do_not_count(tmp_path, run_cli):
    root = tree(
        tmp_path / "t",
        {"Dockerfile": "# porting-advisor: ignore[container]\nFROM --platform=linux/amd64 x\n"},
    )
    data = run_cli(root, "--format", "json", "--no-cache").json()
    assert data["summary"]["suppressed"] == 1 and data["summary"]["verdict"] == "ready"


def test_sample_projects_verdicts(run_cli):
    got = {
        d.name: run_cli(d, "--format", "json", "--no-cache", "-q").json()["summary"]["verdict"]
        for d in sorted((ROOT / "sample-projects").iterdir())
        if d.is_dir()
    }
    # c-simd-engine reaches an #error, cpp-service ships an x86-only .so; polyglot-deploy's
    # errors (intrinsics, an npm addon rule that also covers upgradable pins) are replaceable
    assert got == {
        "c-simd-engine": "blocked",
        "cpp-service": "blocked",
        "fortran-legacy": "blocked",
        "go-asm": "significant",
        "java-jni": "blocked",
        "polyglot-deploy": "significant",
        "python-native-deps": "blocked",
    }


def test_blocks_is_rule_data(rules, tmp_path):
    """`blocked` comes from `blocks: true` in the rule files, only on error rules."""
    assert {r.id for r in rules.rules.values() if r.blocks} == {
        "archive-x86-native",
        "binary-x86-only",
        "c-reached-error",
        "dependency-no-arm64",
        "fortran-reached-error",
    }
    copy = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", copy)
    pack = copy / "containers.rules.yaml"
    text = pack.read_text()
    first = text.index("    category:")
    pack.write_text(text[:first] + "    blocks: true\n" + text[first:])
    with pytest.raises(ruleset.RuleError, match="blocks must be true or false, on an error"):
        ruleset.load(copy)


def test_schema_lists_the_verdicts():
    schema = json.loads((ROOT / "schemas" / "report-v1.schema.json").read_text())
    summary = schema["properties"]["summary"]
    assert summary["properties"]["verdict"]["enum"] == ["ready", "minor", "significant", "blocked"]
    assert "verdict" not in summary["required"]
