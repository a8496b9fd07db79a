# SPDX-License-Identifier: Apache-2.0
"""Every rule documents itself completely: no unfilled `{name}` in `--explain`, in the SARIF
rule help GitHub shows, or in the generated rule reference. Per-finding wording
(`finding_suggestion`) is filled at scan time, each of its cases by the scanner that uses it."""

from __future__ import annotations

import importlib.util
import json
import re

import pytest

from conftest import ROOT, scan
from porting_advisor.core import ruleset
from porting_advisor.report import render

PLACEHOLDER = re.compile(r"(?<!\$)\{[a-z_][a-z0-9_]*\}")


def unfilled(text: str) -> list[str]:
    return PLACEHOLDER.findall(text)


def test_explain_shows_no_placeholder_for_any_rule(run_cli, rules):
    for rule_id in rules.rules:
        res = run_cli("--explain", rule_id)
        assert res.code == 0, rule_id
        assert unfilled(res.out) == [], f"{rule_id}: {res.out}"


def test_sarif_rule_help_shows_no_placeholder(tmp_path, rules):
    report = scan(tmp_path, rules)
    driver = json.loads(render("sarif", report, rules))["runs"][0]["tool"]["driver"]
    assert len(driver["rules"]) == len(rules.rules)
    for entry in driver["rules"]:
        texts = [
            entry["name"],
            entry["fullDescription"]["text"],
            entry["help"]["text"],
            entry["help"]["markdown"],
        ]
        assert [unfilled(t) for t in texts] == [[]] * 4, entry["id"]


def test_generated_rule_reference_shows_no_placeholder(rules):
    spec = importlib.util.spec_from_file_location(
        "gen_rule_docs", ROOT / "scripts" / "gen_rule_docs.py"
    )
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    reference = gen.render()
    for rule in rules.rules.values():
        assert f"Suggestion: {rule.suggestion}" in reference, rule.id
    prose = re.sub(r"(?ms)^```$.*?^```$", "", reference)  # (examples are code)
    assert unfilled(prose) == []


def test_a_placeholder_in_a_rules_own_text_is_a_rules_error(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "categories.yaml").write_text((ROOT / "rules" / "categories.yaml").read_text())
    stanza = (
        "rules:\n  - id: x-rule\n    category: intrinsic\n    title: t\n    description: d\n"
        "    message: m `{name}`\n"
    )
    (rules / "x.rules.yaml").write_text(stanza + "    suggestion: Use {advice}.\n")
    with pytest.raises(ruleset.RuleError, match=r"x.rules.yaml: rule 'x-rule': suggestion "):
        ruleset.load(rules)
    (rules / "x.rules.yaml").write_text(
        stanza + "    suggestion: s\n    finding_suggestion:\n      Bad Case: t\n"
    )
    with pytest.raises(ruleset.RuleError, match="finding_suggestion case 'Bad Case'"):
        ruleset.load(rules)
    (rules / "x.rules.yaml").write_text(
        stanza + "    suggestion: s\n    finding_suggestion:\n      one: Use `{name}`.\n"
    )
    rule = ruleset.load(rules).rules["x-rule"]
    assert rule.suggestion_template("one") == "Use `{name}`."
    with pytest.raises(KeyError):
        rule.suggestion_template("two")


def suggestions(report, rule: str) -> list[str]:
    return [f.suggestion for f in report.findings if f.rule == rule]


def test_finding_suggestion_cases_fill_in_the_specifics(tmp_path, rules):
    """The cases no fixture reaches, each with the exact text it gave when it was code."""
    (tmp_path / "Dockerfile").write_text(
        "FROM debian:bookworm\nRUN apt-get install -y libssl-dev:amd64 ./tool_1.0_amd64.deb\n"
    )
    (tmp_path / "package.json").write_text('{"dependencies": {"node-sass": "4.14.1"}}\n')
    (tmp_path / "bits.c").write_text(
        'int lowest(unsigned x) { int r; __asm__("bsfl %1, %0" : "=r"(r) : "r"(x)); return r; }\n'
    )
    (tmp_path / "Makefile").write_text("CFLAGS += -mavx2\n")
    report = scan(tmp_path, rules, target="graviton4")
    assert suggestions(report, "container-x86-package") == [
        "Use the package without the :amd64/:i386 suffix.",
        "Install the aarch64 (.aarch64.rpm / _arm64.deb) build, chosen by architecture.",
    ]
    assert suggestions(report, "node-native-addon") == ["Upgrade `node-sass` to 6.0.1 or later."]
    assert suggestions(report, "c-x86-inline-asm") == [
        "Use `__builtin_ctz`/`__builtin_clz`/`__builtin_popcount` builtins."
    ]
    assert suggestions(report, "build-x86-isa-flag") == [
        "Remove `-mavx2` from Arm64 builds (put it behind an x86 architecture check); for "
        "graviton4 use `-mcpu=neoverse-v2` (GCC 13+) or `-march=armv8.2-a` for binaries that "
        "must run on every Graviton"
    ]
