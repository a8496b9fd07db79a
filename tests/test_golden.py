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


def test_sample_projects_json_golden(rules):
    got = normalise(report.to_dict(scan(ROOT / "sample-projects", rules)))
    path = GOLDEN / "sample-projects.json"
    if os.environ.get("PA_REGEN"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n")
    assert got == json.loads(path.read_text())


def test_readme_documents_every_rule(rules):
    readme = (ROOT / "README.md").read_text()
    for rule in rules.rules.values():
        assert f"#### `{rule.id}`" in readme, f"README lacks {rule.id}: run gen_rule_docs.py"
        assert rule.description in readme, f"README out of date for {rule.id}"
