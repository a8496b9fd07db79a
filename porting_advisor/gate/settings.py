# SPDX-License-Identifier: Apache-2.0
"""Turn command-line values and the project configuration into Options (flags win)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from porting_advisor.core import ruleset
from porting_advisor.core.model import Options
from porting_advisor.engine import cache
from porting_advisor.gate import config

TARGETS = (
    "graviton2",
    "graviton3",
    "graviton4",
    "graviton5",
    "axion",
    "cobalt100",
    "ampere-altra",
    "ampereone",
)
TARGET_OSES = ("linux", "windows", "all")
FAIL_ON = {"error": 3, "warning": 2, "info": 1, "never": 0}


class UsageError(Exception):
    """Bad usage or bad input: one line on stderr, exit 2."""


def explicit(ctx: click.Context, name: str) -> bool:
    source = ctx.get_parameter_source(name)
    return source is not None and source.name not in ("DEFAULT", "DEFAULT_MAP")


def merged(ctx: click.Context, params: dict[str, Any], conf: dict[str, Any]) -> dict[str, Any]:
    """Command-line values, with the configuration filling what the command line left out."""
    out = dict(params)
    for key, value in conf.items():
        name = key.replace("-", "_")
        if name == "exclude":
            if not explicit(ctx, "exclude"):
                out["exclude"] = tuple(value)
        elif name == "baseline":
            if not explicit(ctx, "baseline"):
                out["baseline"] = value
        elif not explicit(ctx, name):
            out[name] = value
    checks = (("target", TARGETS), ("target_os", TARGET_OSES), ("fail_on", tuple(FAIL_ON)))
    for name, allowed in checks:
        if out[name] not in allowed:
            raise UsageError(
                f"configuration: {name.replace('_', '-')} must be one of "
                f"{', '.join(allowed)}, not '{out[name]}'"
            )
    return out


def build(
    ctx: click.Context, params: dict[str, Any], rules: ruleset.RuleSet
) -> tuple[Options, dict[str, Any]]:
    """Options for the scan, and the merged parameters (fail_on, baseline ...)."""
    root = Path(params["path"])
    try:
        conf = config.load(root)
    except config.ConfigError as exc:
        raise UsageError(str(exc)) from None
    p = merged(ctx, params, conf)
    try:
        categories = ruleset.parse_issue_types(p["issue_types"] or "", rules)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    only = None
    if p["changed_since"]:
        from porting_advisor.gate import gitdiff  # (subprocess: only for --changed-since)

        try:
            only = gitdiff.changed_files(root, p["changed_since"])
        except gitdiff.GitError as exc:
            raise UsageError(str(exc)) from None
    cache_dir = (
        None if p["no_cache"] else (Path(p["cache_dir"]) if p["cache_dir"] else cache.default_dir())
    )
    progress = not p["no_progress"] and sys.stderr.isatty() and not os.environ.get("CI")
    options = Options(
        root=root,
        jobs=int(p["jobs"]),
        target=p["target"],
        target_os=p["target_os"],
        categories=categories,
        excludes=tuple(p["exclude"]),
        gitignore=not p["no_gitignore"],
        no_filter=p["no_filter"],
        show_suppressed=p["show_suppressed"],
        progress=progress,
        quiet=p["quiet"],
        only_files=only,
        cache_dir=cache_dir,
        # from the command line only: a scanned tree's configuration never turns it on
        online=bool(params.get("online")),
        index_url=params.get("index_url") or "",
        maven_repo=params.get("maven_repo") or "",
    )
    return options, p
