#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Write rules/deps/arm64-packages.tsv from shared/data/arm64-min-versions.tsv.

The source is a list of public porting facts (first version of a package with Arm64 builds,
or none). Names are normalised per ecosystem (PEP 503 for PyPI) so look-ups match manifests;
each row keeps its note. Columns: ecosystem, name, min_version, status, note.
"""
from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "data" / "arm64-min-versions.tsv"


def normalise(ecosystem: str, name: str) -> str:
    if ecosystem == "pypi":
        return re.sub(r"[-_.]+", "-", name).lower()
    return name.strip()


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE
    rows = []
    with source.open(newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            eco = row["ecosystem"].strip()
            note = (row.get("note") or "").strip()
            rows.append((eco, normalise(eco, row["name"]), row["min_version"].strip(),
                         row["status"].strip(), note or "public porting list"))
    rows.sort()
    out = ROOT / "rules" / "deps" / "arm64-packages.tsv"
    with out.open("w", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(("ecosystem", "name", "min_version", "status", "note"))
        w.writerows(rows)
    print(f"wrote {len(rows)} rows to {out}")


if __name__ == "__main__":
    main()
