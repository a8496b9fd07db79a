# SPDX-License-Identifier: Apache-2.0
"""`--list-rules`, `--explain RULE` and `--list-targets`: the rule and target catalogues,
printed."""

from __future__ import annotations

from pathlib import Path

import click

from porting_advisor.gate.settings import TARGETS, UsageError


def print_rules(rules_dir: str | None, explain: str | None) -> None:
    from porting_advisor.core import ruleset

    rs = ruleset.load(Path(rules_dir) if rules_dir else None)
    if explain:
        rule = rs.rules.get(explain)
        if rule is None:
            raise UsageError(f"unknown rule '{explain}' (see --list-rules)")
        click.echo(
            f"{rule.id}: {rule.title}\ncategory: {rule.category}\nseverity: "
            f"{rule.severity.label}\n\n{rule.description}\n\nSuggestion: {rule.suggestion}"
        )
        if rule.example:
            click.echo(f"\nExample:\n{rule.example}")
        return
    for rule in sorted(rs.rules.values(), key=lambda r: (r.category, r.id)):
        click.echo(f"{rule.id:<34} {rule.category:<19} {rule.severity.label:<8} {rule.title}")


def print_targets() -> None:
    from porting_advisor.core import ruleset

    profiles = ruleset.load_json("target-profiles.json")["linux"]
    flags = ruleset.load_table("targets.yaml")
    for name in TARGETS:
        note, facts = profiles[name]["note"], profiles[name]["features"]
        sve = f"{facts['sve']} {facts['vector_bits']}-bit" if facts["sve"] != "none" else "no SVE"
        click.echo(
            f"{name:<12} {facts['cloud']}: {facts['core']}, {facts['arch']}, {sve}, LSE "
            f"{'yes' if facts['lse'] else 'no'}; {flags[name]['flags']} (GCC "
            f"{flags[name]['gcc']}+){'  (' + note + ')' if note else ''}"
        )
