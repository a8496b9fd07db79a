# SPDX-License-Identifier: Apache-2.0
"""Turn command-line values and the project configuration into Options (flags win)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from porting_advisor.core import ruleset
from porting_advisor.core.compdb import CompileDb
from porting_advisor.core.model import Options, Remark, Report, base_dir
from porting_advisor.engine import cache, walk
from porting_advisor.gate import config
from porting_advisor.gate.verdict import FAIL_ON

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
    if out.get("default_fail_on") and not explicit(ctx, "fail_on") and "fail-on" not in conf:
        # a wrapper's default (the Action, the pre-commit hook) yields to the repository's
        # configuration, which yields to what the user passed (issue 21)
        out["fail_on"] = out["default_fail_on"]
    checks = (("target", TARGETS), ("target_os", TARGET_OSES), ("fail_on", tuple(FAIL_ON)))
    for name, allowed in checks:
        if out[name] not in allowed:
            raise UsageError(
                f"configuration: {name.replace('_', '-')} must be one of "
                f"{', '.join(allowed)}, not '{out[name]}'"
            )
    return out


def applied(
    ctx: click.Context, params: dict[str, Any], conf: dict[str, Any], rules: ruleset.RuleSet
) -> tuple[dict[str, Any], frozenset[str]]:
    """The parameters with the configuration merged in, and the enabled categories."""
    p = merged(ctx, params, conf)
    try:
        return p, ruleset.parse_issue_types(p["issue_types"] or "", rules)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def build(
    ctx: click.Context, params: dict[str, Any], rules: ruleset.RuleSet
) -> tuple[Options, dict[str, Any]]:
    """Options for the scan, and the merged parameters (fail_on, baseline ...)."""
    root = Path(params["path"])
    try:
        given = Path(params["config"]) if params.get("config") else None
        conf = config.load(root, given, bool(params.get("no_config")))
    except config.ConfigError as exc:
        raise UsageError(str(exc)) from None
    try:
        p, categories = applied(ctx, params, conf.merged, rules)
    except UsageError as exc:
        if given is not None or conf.file != "pyproject.toml":
            raise
        # the tree's own pyproject.toml never stops the scan: a remark, and the defaults
        conf = config.Config(error=f"pyproject.toml: {exc}")
        p, categories = applied(ctx, params, {}, rules)
    p["config"] = conf
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
    compile_db = None
    if params.get("compile_commands"):
        from porting_advisor.core import compdb

        try:
            compile_db = compdb.load(Path(params["compile_commands"]), root)
        except compdb.CompileDbError as exc:
            raise UsageError(str(exc)) from None
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
        max_file_size=int(p["max_file_size"]),
        # from the command line only: a scanned tree's configuration never turns it on
        online=bool(params.get("online")),
        index_url=params.get("index_url") or "",
        maven_repo=params.get("maven_repo") or "",
        allow_registry=tuple(params.get("allow_registry") or ()),
        # from the command line only, like --online: the database is the user's build
        compile_db=compile_db,
    )
    p["compile_db"] = compile_db
    return options, p


def compile_db_remarks(db: CompileDb) -> list[Remark]:
    """What the report says about the compile database it used (or could not use)."""
    if not db.units:
        return [
            Remark(
                "compile-commands",
                f"{db.path}: none of its {db.entries} entries compiles a file of this tree "
                "(made for another checkout?): not used",
            )
        ]
    files = len({u.file for u in db.units})
    out = [
        Remark(
            "compile-commands",
            f"{db.path}: {len(db.units)} of its {db.entries} entries compile {files} file(s) "
            "of this tree, evaluated with their -D/-U; C/C++ files no unit compiles or "
            "includes are filtered",
        )
    ]
    if db.arch == "x86":
        out.append(
            Remark(
                "compile-commands",
                f"{db.path} was made for x86 (its compiler or --target says so): its -D are "
                "x86's; make one for an aarch64 configuration (docs/compile-commands.md)",
            )
        )
    return out


def annotate(report: Report, p: dict[str, Any], root: Path) -> None:
    """Record the configuration applied in the report, with remarks for a pyproject.toml that
    could not be used and for a configuration that leaves nothing to scan."""
    conf: config.Config = p["config"]
    if conf.file:
        report.config = {"file": conf.file, "values": conf.values}
    if conf.error:
        report.remarks.append(
            Remark("config-error", f"{conf.error}; defaults used", "pyproject.toml")
        )
    if (
        conf.merged.get("exclude")
        and tuple(p["exclude"]) == tuple(conf.merged["exclude"])
        and not report.files_by_language
        and walk.discover(root, (), bool(not p["no_gitignore"]))[0]
    ):
        report.remarks.append(
            Remark(
                "config-excludes-everything",
                "its exclude list leaves no file to scan",
                conf.file,
            )
        )
    if p.get("compile_db") is not None:
        report.remarks.extend(compile_db_remarks(p["compile_db"]))
    report.remarks.sort(key=lambda m: (m.file, m.rule, m.message))
    # SARIF paths from the repository's root, so that code-scanning alerts open the right
    # file when a subdirectory was scanned (issue 21)
    from porting_advisor.gate import gitdiff

    base = base_dir(root).resolve()
    top = gitdiff.work_tree(base) or base
    below = base.relative_to(top).as_posix()
    report.uri_base = top.as_uri().rstrip("/") + "/"
    report.uri_prefix = "" if below == "." else below + "/"
