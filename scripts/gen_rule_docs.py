#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Rewrite the rule reference in README.md (between the RULES markers) from rules/*.yaml."""

from __future__ import annotations

import re
from pathlib import Path

from porting_advisor.core import ruleset

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- RULES:START (scripts/gen_rule_docs.py) -->", "<!-- RULES:END -->"


def render() -> str:
    rules = ruleset.load(ROOT / "rules")
    out = [START, ""]
    for rule in sorted(rules.rules.values(), key=lambda r: (r.category, r.id)):
        default = "" if rules.categories[rule.category].default_on else " (off by default)"
        out.append(f"#### `{rule.id}` — {rule.title}")
        out.append("")
        out.append(
            f"Category `{rule.category}`{default}, severity `{rule.severity.label}`"
            + (f", only for `--target-os {'/'.join(rule.os)}`" if rule.os else "")
            + "."
        )
        out.append(rule.description)
        out.append("")
        if rule.example:
            out.append("```")
            out.append(rule.example)
            out.append("```")
            out.append("")
        out.append(f"Suggestion: {rule.suggestion}")
        out.append("")
    out.append(END)
    return "\n".join(out)


def main() -> None:
    readme = ROOT / "README.md"
    text = readme.read_text()
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    readme.write_text(pattern.sub(lambda _: render(), text))


if __name__ == "__main__":
    main()
