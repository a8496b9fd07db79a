#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generate rules/generated/parsed-yaml.json: every hand-written YAML file under rules/ and
rules/vocab/, parsed, with the SHA-1 of the text it came from.

At run time `ruleset.read_yaml` uses an entry whose SHA-1 still matches the file's bytes and
parses the YAML otherwise: importing PyYAML and parsing the rules cost about 25 ms of every
run's start-up. Run this after editing a file under rules/ (a test fails when one is stale).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "rules" / "generated" / "parsed-yaml.json"


def build(rules: Path) -> dict[str, list[str]]:
    import yaml

    out = {}
    for path in sorted([*rules.glob("*.yaml"), *rules.glob("vocab/*.yaml")]):
        raw = path.read_bytes()
        data = yaml.safe_load(raw.decode("utf-8"))
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        if json.loads(text) != data:
            continue  # not plain JSON data (a date, a non-string key): left to PyYAML
        out[path.relative_to(rules).as_posix()] = [hashlib.sha1(raw).hexdigest(), text]
    return out


def main() -> None:
    table = build(ROOT / "rules")
    OUT.write_text(
        json.dumps(table, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(f"{OUT.relative_to(ROOT)}: {len(table)} files", file=sys.stderr)


if __name__ == "__main__":
    main()
