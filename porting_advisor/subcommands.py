# SPDX-License-Identifier: Apache-2.0
"""The subcommands, dispatched by `cli.main` when they are the first argument: `merge` (a
portfolio over many JSON reports) and `mcp` (a Model Context Protocol server over stdio)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from porting_advisor.gate.settings import UsageError

PORTFOLIO_SUFFIXES = {".html": "html", ".htm": "html", ".json": "json", ".md": "markdown"}


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("reports", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--output",
    "-o",
    multiple=True,
    required=True,
    help="Write the portfolio; .html, .json or .md (repeatable).",
)
@click.option("--rules-dir", hidden=True, help="Use another rules folder (tests).")
def merge(**params: Any) -> int:
    """One view over many JSON reports: per repository the verdict, effort and top blockers;
    across them the most common blockers. Reports are read one at a time."""
    from porting_advisor.core import ruleset
    from porting_advisor.report import portfolio

    targets = []
    for out in params["output"]:
        fmt = PORTFOLIO_SUFFIXES.get(Path(out).suffix.lower())
        if fmt is None:
            raise UsageError(f"cannot tell the portfolio format of '{out}' (.html .json .md)")
        targets.append((out, fmt))
    rules = ruleset.load(Path(params["rules_dir"]) if params["rules_dir"] else None)
    try:
        result = portfolio.merge([Path(r) for r in params["reports"]], rules)
    except portfolio.ReportError as exc:
        raise UsageError(str(exc)) from None
    for out, fmt in targets:
        try:
            with open(out, "w", encoding="utf-8") as fh:
                portfolio.WRITERS[fmt](result, fh)
        except OSError as exc:
            raise UsageError(f"cannot write '{out}': {exc.strerror}") from None
    click.echo(f"porting-advisor: merged {len(result.repos)} report(s)", err=True)
    return 0


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--root",
    "roots",
    multiple=True,
    required=True,
    type=click.Path(exists=True, file_okay=False),
    help="A directory the server may scan (repeatable); paths outside are refused.",
)
@click.option("--online", is_flag=True, help="Also ask the Python package index for Arm64 wheels.")
@click.option("--index-url", metavar="URL", help="Python index for --online (default: pip's).")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(0, 256),
    default=0,
    help="Worker processes per scan (0 = automatic).",
)
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Result cache folder.")
@click.option("--no-cache", is_flag=True, help="Do not read or write the result cache.")
@click.option("--rules-dir", hidden=True, help="Use another rules folder (tests).")
def mcp(**params: Any) -> int:
    """A Model Context Protocol server on stdin/stdout for coding agents: tools scan,
    explain_rule, list_rules, check_dependency and suggest_replacement (docs/agents.md).
    Read-only; it scans only under the --root folders. Needs `porting-advisor[mcp]`."""
    from porting_advisor.core import ruleset
    from porting_advisor.engine import cache
    from porting_advisor.serve import tools

    try:
        roots = tools.resolve_roots(params["roots"])
    except tools.ToolFailure as exc:
        raise UsageError(str(exc)) from None
    cache_dir = (
        None
        if params["no_cache"]
        else (Path(params["cache_dir"]) if params["cache_dir"] else cache.default_dir())
    )
    config = tools.Config(
        roots=roots,
        rules=ruleset.load(Path(params["rules_dir"]) if params["rules_dir"] else None),
        online=params["online"],
        index_url=params["index_url"] or "",
        cache_dir=cache_dir,
        jobs=params["jobs"],
    )
    try:
        from porting_advisor.serve import stdio
    except ImportError as exc:
        raise UsageError(
            f"the mcp subcommand needs the MCP SDK ({exc}): pip install 'porting-advisor[mcp]'"
        ) from None
    if sys.stdin.isatty():  # started by hand: the protocol is for an agent's client
        click.echo(
            "porting-advisor mcp: an MCP server on stdin/stdout, for an agent's client to start "
            "(docs/agents.md); Ctrl-D ends it",
            err=True,
        )
    stdio.run(config)
    return 0


COMMANDS = {"merge": merge, "mcp": mcp}
