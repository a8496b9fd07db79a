# SPDX-License-Identifier: Apache-2.0
"""The subcommands, dispatched by `cli.main` when they are the first argument: `merge` (a
portfolio over many JSON reports)."""

from __future__ import annotations

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


COMMANDS = {"merge": merge}
