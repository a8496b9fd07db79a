# SPDX-License-Identifier: Apache-2.0
"""Golden reports of sample-projects/: any change in findings shows up as a diff.

Rewrite them with `PA_REGEN=1 pytest tests/test_golden.py` and review the diff.
"""

from __future__ import annotations

import json
import os

from conftest import HERE, ROOT, scan
from porting_advisor import report

GOLDEN = HERE / "golden"


def normalise(data: dict) -> dict:
    data = dict(data)
    data.pop("duration_seconds")
    data["root"] = "sample-projects"
    return data


def check(name: str, got: str) -> None:
    path = GOLDEN / name
    if os.environ.get("PA_REGEN"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(got)
    assert got == path.read_text(), f"{name} changed: review, then PA_REGEN=1 to accept"


def sample_report(rules):
    result = scan(ROOT / "sample-projects", rules)
    result.root = "sample-projects"
    result.duration = 0.0
    return result


def test_sample_projects_json_golden(rules):
    got = normalise(report.json.to_dict(scan(ROOT / "sample-projects", rules), rules))
    check("sample-projects.json", json.dumps(got, indent=2, ensure_ascii=False) + "\n")


def test_sample_projects_other_formats_golden(rules):
    result = sample_report(rules)
    check("sample-projects.sarif", report.render("sarif", result, rules))
    check("sample-projects.md", report.render("markdown", result, rules))
    check("sample-projects.csv", report.render("csv", result, rules))
    check("sample-projects.txt", report.text.render(result, rules, colour=False))


def test_rule_reference_documents_every_rule(rules):
    """docs/rules.md is what scripts/gen_rule_docs.py writes now, and the README links to it."""
    import runpy

    render = runpy.run_path(str(ROOT / "scripts" / "gen_rule_docs.py"))["render"]
    doc = (ROOT / "docs" / "rules.md").read_text()
    for rule in rules.rules.values():
        assert f"### `{rule.id}`" in doc, f"docs/rules.md lacks {rule.id}: run gen_rule_docs.py"
        assert rule.description in doc, f"docs/rules.md out of date for {rule.id}"
    assert doc == render(), "docs/rules.md is stale: run scripts/gen_rule_docs.py"
    assert "](docs/rules.md)" in (ROOT / "README.md").read_text(), "README must link docs/rules.md"


def test_parsed_yaml_table_is_fresh_and_only_a_shortcut(tmp_path):
    """rules/generated/parsed-yaml.json matches every YAML file under rules/ (run
    scripts/gen_parsed_yaml.py after an edit), and a file that changed since is parsed again."""
    import hashlib
    import shutil

    from porting_advisor.core import ruleset

    table = json.loads((ROOT / "rules" / "generated" / "parsed-yaml.json").read_text())
    rules = ROOT / "rules"
    for path in sorted([*rules.glob("*.yaml"), *rules.glob("vocab/*.yaml")]):
        name = path.relative_to(rules).as_posix()
        assert name in table, f"{name}: run scripts/gen_parsed_yaml.py"
        assert table[name][0] == hashlib.sha1(path.read_bytes()).hexdigest(), (
            f"{name} changed: run scripts/gen_parsed_yaml.py"
        )
    copy = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", copy)
    cats = copy / "categories.yaml"
    cats.write_text(
        cats.read_text().replace(
            "categories:",
            "categories:\n  extra-test-category:"
            "\n    severity: info\n    default: false\n    description: edited\n",
            1,
        )
    )
    assert "extra-test-category" in ruleset.read_yaml(cats)["categories"]
    assert ruleset.read_yaml(copy / "macros.yaml") == ruleset.read_yaml(
        ROOT / "rules" / "macros.yaml"
    )
    cpus = copy / "vocab" / "x86-cpus.yaml"
    cpus.write_text(cpus.read_text().replace("  - haswell\n", "  - haswell\n  - edited\n"))
    assert "edited" in ruleset.read_yaml(cpus)["names"]
    assert ruleset.parsed_entry(ROOT / "rules" / "vocab" / "x86-cpus.yaml") is not None
