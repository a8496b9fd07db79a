# SPDX-License-Identifier: Apache-2.0
"""Baselines: record today's findings, then report only new ones.

Each entry names what was accepted (rule, file, snippet) beside its fingerprint, so that a
reviewer can read the file; a finding whose file was renamed (`git mv`) still matches its
entry by rule and content (issue 21). Baselines of the first format, bare fingerprints, are
still read."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from porting_advisor import __version__
from porting_advisor.core.model import Finding, Report, on_disk

FORMAT = "porting-advisor-baseline"
VERSION = 2


class BaselineError(Exception):
    """Missing, unreadable or corrupt baseline file (exit 2)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One accepted finding (or several alike: `count`)."""

    fingerprint: str
    rule: str = ""  # "" in a first-format baseline (bare fingerprints)
    file: str = ""
    text: str = ""  # the snippet, or the message of a finding without one
    count: int = 1

    @property
    def content(self) -> tuple[str, str]:
        return self.rule, "".join(self.text.split())


def content(f: Finding) -> tuple[str, str]:
    """What a finding is, wherever it is: rule and whitespace-free snippet (or message)."""
    return f.rule, "".join((f.snippet or f.message).split())


def write(path: Path, findings: list[Finding]) -> int:
    """Record the reported findings, one entry per fingerprint; returns how many findings."""
    entries: dict[str, dict[str, object]] = {}
    for f in findings:
        if f.suppressed or f.filtered:
            continue
        fp = f.fingerprint()
        entry = entries.get(fp)
        if entry is None:
            said = {"snippet": f.snippet} if f.snippet else {"message": f.message}
            entries[fp] = {"rule": f.rule, "file": f.file, **said, "fingerprint": fp, "count": 1}
        else:
            entry["count"] = int(str(entry["count"])) + 1
    rows = sorted(entries.values(), key=lambda e: (e["file"], e["rule"], e["fingerprint"]))
    data = {"format": FORMAT, "version": VERSION, "tool": __version__, "findings": rows}
    text = json.dumps(data, indent=1, ensure_ascii=False)
    try:
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise BaselineError(f"cannot write baseline '{path}': {exc.strerror}") from None
    return sum(int(str(e["count"])) for e in rows)


def load(path: Path) -> list[Entry]:
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
    if "findings" in data:
        return entries(data["findings"], path)
    prints = data.get("fingerprints")
    if not isinstance(prints, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and v > 0 for k, v in prints.items()
    ):
        raise BaselineError(f"baseline '{path}' is corrupt (fingerprints)")
    return [Entry(fp, count=n) for fp, n in prints.items()]


def entries(rows: object, path: Path) -> list[Entry]:
    """The entries of a second-format baseline, checked."""
    out = []
    for row in rows if isinstance(rows, list) else [None]:
        if not isinstance(row, dict):
            raise BaselineError(f"baseline '{path}' is corrupt (findings)")
        fields = (row.get(k) for k in ("fingerprint", "rule", "file"))
        fp, rule, file = fields
        count = row.get("count", 1)
        text = row.get("snippet", row.get("message", ""))
        if not all(isinstance(v, str) for v in (fp, rule, file, text)) or not (
            isinstance(count, int) and count > 0
        ):
            raise BaselineError(f"baseline '{path}' is corrupt (entry {fp!r})")
        out.append(Entry(str(fp), str(rule), str(file), str(text), count))
    return out


def apply(report: Report, known: list[Entry], base: Path) -> Report:
    """Hide findings the baseline knows, each entry as often as it was recorded: by
    fingerprint, then, for entries whose file no longer exists under `base`, by rule and
    content (the file was renamed or moved)."""
    left = Counter[str]()
    for e in known:
        left[e.fingerprint] += e.count
    kept = []
    hidden = 0
    for f in report.findings:
        fp = f.fingerprint()
        if not f.suppressed and not f.filtered and left[fp] > 0:
            left[fp] -= 1
            hidden += 1
            continue
        kept.append(f)
    moved = Counter[tuple[str, str]]()
    for e in known:
        if e.rule and left[e.fingerprint] > 0 and not (base / on_disk(e.file)).exists():
            n = min(left[e.fingerprint], e.count)
            moved[e.content] += n
            left[e.fingerprint] -= n
    if moved:
        still = []
        for f in kept:
            key = content(f)
            if not f.suppressed and not f.filtered and moved[key] > 0:
                moved[key] -= 1
                hidden += 1
                continue
            still.append(f)
        kept = still
    return replace(
        report,
        findings=kept,
        baselined=hidden,
        stale_baseline=sum(v for v in left.values() if v > 0) + sum(moved.values()),
    )
