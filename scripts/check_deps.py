#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Check the PyPI rows of the knowledge data against the index the user's pip is configured
with, and write what the index shows to rules/deps/pypi-checked.tsv (scripts/gen_deps.py
merges it into rules/deps/arm64-packages.tsv).

For each package, over its final releases (wheels for any CPython 3, glibc up to Amazon Linux
2023's): the first release with Linux x86-64 wheels but none for aarch64, the first release
with an aarch64 wheel after it, the x86-only releases after that, whether the newest release
has an sdist, and the wheel that proves the minimum. One project page per package, one at a
time.

    python scripts/check_deps.py [NAME...]      # default: every PyPI row of the table
"""

from __future__ import annotations

import csv
import datetime
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from porting_advisor.online import indexes, simple  # noqa: E402

TABLE = ROOT / "rules" / "deps" / "arm64-packages.tsv"
OUT = ROOT / "rules" / "deps" / "pypi-checked.tsv"
COLUMNS = (
    "name",
    "min_version",
    "x86_only_from",
    "x86_only_after",
    "sdist",
    "latest",
    "evidence",
    "checked",
)


def linux_wheel(files: list[simple.Dist], machine: str) -> str:
    """The name of a Linux `machine` wheel among `files` (pure wheels count), or ""."""
    for f in files:
        if simple.has_build([f], machine, None, simple.DEFAULT_GLIBC):
            return f.filename
    return ""


def check(name: str, url: str) -> dict[str, str] | None:
    """What the index shows. A "gap" is a release with Linux x86-64 wheels but none for
    aarch64: the first gap, the first aarch64 release after it (the minimum), the gaps after
    the minimum (torch 1.9.1), and the wheel that proves the minimum."""
    try:
        files = simple.project_page(url, name, None) or []
    except simple.IndexError_ as exc:
        print(f"  {name}: {exc}", file=sys.stderr)
        return None
    pages = {v: fs for v, fs in simple.by_version(files).items() if not v.is_prerelease}
    if not pages:
        return None
    gaps = [
        v for v, fs in pages.items() if linux_wheel(fs, "x86_64") and not linux_wheel(fs, "aarch64")
    ]
    ready = next(
        (v for v in pages if gaps and v > gaps[0] and linux_wheel(pages[v], "aarch64")), None
    )
    latest = max(pages)
    return {
        "name": name,
        "min_version": str(ready) if ready else "",
        "x86_only_from": str(gaps[0]) if gaps else "",
        "x86_only_after": " ".join(str(v) for v in gaps if ready and v > ready),
        "sdist": "yes" if any(not f.wheel_tags for f in pages[latest]) else "no",
        "latest": str(latest),
        "evidence": linux_wheel(pages[ready], "aarch64") if ready else "",
        "checked": datetime.date.today().isoformat(),
    }


def main() -> None:
    names = sys.argv[1:]
    if not names:
        with TABLE.open(newline="") as fh:
            names = [
                r["name"] for r in csv.DictReader(fh, delimiter="\t") if r["ecosystem"] == "pypi"
            ]
    # the primary index only: extra indexes are often partial mirrors (first releases missing)
    url = indexes.pypi_indexes()[0]
    print(f"asking {indexes.redact(url)}", file=sys.stderr)
    rows: dict[str, dict[str, str]] = {}
    if OUT.exists():
        with OUT.open(newline="") as fh:
            rows = {r["name"]: r for r in csv.DictReader(fh, delimiter="\t")}
    for name in names:
        row = check(name, url)
        if row is None:
            print(f"  {name}: no release on the index", file=sys.stderr)
            continue
        rows[name] = row
        time.sleep(0.2)  # politely: one page at a time
    with OUT.open("w", newline="") as fh:
        w = csv.DictWriter(fh, COLUMNS, delimiter="\t", lineterminator="\n")
        w.writeheader()
        w.writerows(rows[n] for n in sorted(rows))
    print(f"wrote {len(rows)} rows to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
