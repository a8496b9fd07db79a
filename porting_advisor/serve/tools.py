# SPDX-License-Identifier: Apache-2.0
"""The MCP server's scan and rule tools as plain functions (no SDK here): the roots a scan is
confined to, one scan at a time, pages of findings, the rule catalogue."""

from __future__ import annotations

import gc
import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from porting_advisor.core import ruleset
from porting_advisor.core.model import Options
from porting_advisor.gate import config
from porting_advisor.gate.settings import TARGET_OSES, TARGETS

MAX_PAGE_SIZE = 500
SKIPPED_SHOWN = 20  # skipped files listed in a scan result; the count is always given


class ToolFailure(Exception):
    """A call the server refuses or cannot answer; the message is what the client reads."""


@dataclass(frozen=True, slots=True)
class Config:
    """How the server was started: `porting-advisor mcp --root ...`."""

    roots: tuple[Path, ...]  # resolved (no symlinks, no `..`)
    rules: ruleset.RuleSet
    online: bool = False  # --online: scans and check_dependency ask package indexes
    index_url: str = ""
    cache_dir: Path | None = None  # the result cache; None = off
    jobs: int = 0  # as the scan's --jobs (0 = automatic)


# The engine keeps per-process state (the serial path's options, phase timings): two scans
# at once in the server's worker threads would mix them up.
SCAN_LOCK = threading.Lock()


def resolve_roots(dirs: tuple[str, ...]) -> tuple[Path, ...]:
    """The `--root` folders, resolved; each must be an existing directory."""
    out = []
    for d in dirs:
        path = Path(d).resolve()
        if not path.is_dir():
            raise ToolFailure(f"--root '{d}' is not a directory")
        out.append(path)
    return tuple(out)


def confine(path: str, roots: tuple[Path, ...]) -> Path:
    """`path` resolved (symlinks and `..` followed), when it lies under one of `roots`; a
    relative path starts at the first root. Anything else is refused before it is read."""
    if not path.strip():
        raise ToolFailure("path is empty")
    given = Path(path)
    real = (given if given.is_absolute() else roots[0] / given).resolve()
    if not any(real == root or real.is_relative_to(root) for root in roots):
        listed = ", ".join(str(r) for r in roots)
        raise ToolFailure(
            f"refused: '{path}' is outside the roots this server scans ({listed}); "
            "symlinks and '..' are resolved before the check"
        )
    if not (real.is_dir() or real.is_file()):
        raise ToolFailure(f"'{path}' does not exist or is neither a directory nor a file")
    return real


def scan_options(cfg: Config, root: Path, target: str, categories: list[str]) -> Options:
    """The scan's options: the call's arguments, else the scanned root's configuration
    (target, target-os, issue-types, exclude), else the defaults. Its baseline, fail-on and
    jobs settings are not used: a baseline file may lie outside the roots."""
    try:
        conf = config.load(root).merged  # (a broken pyproject.toml: the defaults)
    except config.ConfigError as exc:
        raise ToolFailure(str(exc)) from None
    chosen = target or str(conf.get("target", "graviton3"))
    if chosen not in TARGETS:
        raise ToolFailure(f"unknown target '{chosen}' (one of {', '.join(TARGETS)})")
    target_os = str(conf.get("target-os", "linux"))
    if target_os not in TARGET_OSES:
        raise ToolFailure(f"configuration: target-os must be one of {', '.join(TARGET_OSES)}")
    spec = ",".join(categories) if categories else str(conf.get("issue-types", ""))
    try:
        enabled = ruleset.parse_issue_types(spec, cfg.rules)
    except ValueError as exc:
        raise ToolFailure(str(exc)) from None
    return Options(
        root=root,
        jobs=cfg.jobs,
        target=chosen,
        target_os=target_os,
        categories=enabled,
        excludes=tuple(conf.get("exclude", ())),
        quiet=True,
        cache_dir=cfg.cache_dir,
        online=cfg.online,
        index_url=cfg.index_url,
    )


def scan(
    cfg: Config,
    path: str,
    target: str = "",
    categories: list[str] | None = None,
    page: int = 1,
    page_size: int = 50,
) -> dict[str, Any]:
    """Scan `path` (under a root); the summary with the verdict, and one page of findings."""
    from porting_advisor.engine import pipeline
    from porting_advisor.report import json, verdict

    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ToolFailure(f"page must be >= 1 and page_size between 1 and {MAX_PAGE_SIZE}")
    root = confine(path, cfg.roots)
    options = scan_options(cfg, root, target, categories or [])
    with SCAN_LOCK:
        try:
            report = pipeline.run(options, cfg.rules)
        finally:
            forget_scan_state()
    summary = json.summary(report, cfg.rules)
    total = len(report.findings)
    start = (page - 1) * page_size
    return {
        "path": str(root),
        "target": report.target,
        "target_os": report.target_os,
        "files_scanned": report.files_scanned,
        "files_skipped": report.files_skipped,
        "skipped": [{"file": f, "reason": r} for f, r in report.skipped[:SKIPPED_SHOWN]],
        "verdict": summary["verdict"],
        "verdict_meaning": verdict.MEANINGS[summary["verdict"]],
        "summary": summary,
        "total_findings": total,
        "page": page,
        "page_size": page_size,
        "pages": math.ceil(total / page_size),
        "findings": [json.finding_dict(f) for f in report.findings[start : start + page_size]],
    }


def forget_scan_state() -> None:
    """Drop what a scan leaves in module state, so that a long-running server neither carries
    it into the next scan nor grows with every scan."""
    from porting_advisor.engine import pipeline
    from porting_advisor.engine import scan as engine
    from porting_advisor.scanners.c import preproc

    pipeline.PHASES = pipeline.Phases()  # its list of timings grows with every scan
    engine.STATE.clear()  # the serial path's options and rules
    # condition memos of the serial path, per target profile (correct across scans, but they
    # grow with every new tree)
    preproc.LITERAL_CACHE.clear()
    # a worker pool's start freezes the objects alive then; collect them again from now on
    gc.unfreeze()


def explain_rule(cfg: Config, rule_id: str) -> dict[str, Any]:
    """One rule's documentation, as `--explain` prints it."""
    rule = cfg.rules.rules.get(rule_id.strip())
    if rule is None:
        raise ToolFailure(f"unknown rule '{rule_id}' (list_rules gives every rule id)")
    out: dict[str, Any] = {
        "id": rule.id,
        "title": rule.title,
        "category": rule.category,
        "severity": rule.severity.label,
        "description": rule.description,
        "suggestion": rule.suggestion,
        "blocks": rule.blocks,
    }
    if rule.example:
        out["example"] = rule.example
    if rule.os:
        out["os"] = list(rule.os)
    return out


def list_rules(cfg: Config, category: str = "") -> dict[str, Any]:
    """The rule catalogue (optionally one category), and the categories with their defaults."""
    if category and category not in cfg.rules.categories:
        names = ", ".join(sorted(cfg.rules.categories))
        raise ToolFailure(f"unknown category '{category}' (one of {names})")
    rules = sorted(cfg.rules.rules.values(), key=lambda r: (r.category, r.id))
    return {
        "rules": [
            {"id": r.id, "category": r.category, "severity": r.severity.label, "title": r.title}
            for r in rules
            if not category or r.category == category
        ],
        "categories": {
            name: {
                "severity": c.severity.label,
                "default": c.default_on,
                "description": c.description,
            }
            for name, c in sorted(cfg.rules.categories.items())
        },
    }
