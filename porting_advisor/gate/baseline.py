# SPDX-License-Identifier: Apache-2.0
"""Baselines: record today's findings by fingerprint, then report only new ones."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

from porting_advisor import __version__
from porting_advisor.core.model import Finding, Report

FORMAT = "porting-advisor-baseline"


class BaselineError(Exception):
    """Missing, unreadable or corrupt baseline file (exit 2)."""


def write(path: Path, findings: list[Finding]) -> int:
    """Record the reported findings (a multiset of fingerprints); returns how many."""
    counts = Counter(f.fingerprint() for f in findings if not f.suppressed and not f.filtered)
    data = {
        "format": FORMAT,
        "version": 1,
        "tool": __version__,
        "fingerprints": dict(sorted(counts.items())),
    }
    try:
        path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    except OSError as exc:
        raise BaselineError(f"cannot write baseline '{path}': {exc.strerror}") from None
    return sum(counts.values())


def load(path: Path) -> Counter[str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"baseline '{path}' does not exist") from None
    except OSError as exc:
        raise BaselineError(f"cannot read baseline '{path}': {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BaselineError(f"baseline '{path}' is not valid JSON") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BaselineError(f"baseline '{path}' is not a porting-advisor baseline")
    prints = data.get("fingerprints")
    if not isinstance(prints, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and v > 0 for k, v in prints.items()
    ):
        raise BaselineError(f"baseline '{path}' is corrupt (fingerprints)")
    return Counter(prints)


def apply(report: Report, known: Counter[str]) -> Report:
    """Hide findings the baseline knows (each fingerprint as often as recorded)."""
    left = Counter(known)
    kept = []
    hidden = 0
    for f in report.findings:
        fp = f.fingerprint()
        if not f.suppressed and not f.filtered and left[fp] > 0:
            left[fp] -= 1
            hidden += 1
            continue
        kept.append(f)
    return replace(
        report,
        findings=kept,
        baselined=hidden,
        stale_baseline=sum(v for v in left.values() if v > 0),
    )
