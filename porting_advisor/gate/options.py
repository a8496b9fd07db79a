# SPDX-License-Identifier: Apache-2.0
"""The scan command's options (click), in the order `--help` lists them; `cli.py` applies
them to the command."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from porting_advisor import __version__
from porting_advisor.gate.settings import TARGET_OSES, TARGETS
from porting_advisor.gate.verdict import FAIL_ON

OPTIONS: list[Callable[[Any], Any]] = [
    click.argument("path", required=False),
    click.option(
        "--output", "-o", multiple=True, help="Write a report; format from the extension."
    ),
    click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "json", "html", "sarif", "csv", "markdown", "dependencies-csv"]),
        help="Format for stdout (or one --output).",
    ),
    click.option("--link-base", default="", help="URL prefix that turns file:line into links."),
    click.option("--issue-types", default="", help="Categories: a,b replaces; +a/-b edits."),
    click.option("--target", type=click.Choice(TARGETS), default="graviton3", show_default=True),
    click.option("--target-os", type=click.Choice(TARGET_OSES), default="linux", show_default=True),
    click.option("--no-filter", is_flag=True, help="Also report code not compiled for the target."),
    click.option("--exclude", multiple=True, help="Skip paths matching this glob (repeatable)."),
    click.option("--no-gitignore", is_flag=True, help="Scan files .gitignore excludes."),
    click.option(
        "--jobs",
        "-j",
        type=click.IntRange(0, 256),
        default=0,
        help="Worker processes (0 = automatic, 1 = no pool).",
    ),
    click.option("--fail-on", type=click.Choice(list(FAIL_ON)), default="never", show_default=True),
    click.option(
        "--default-fail-on",
        type=click.Choice(list(FAIL_ON)),
        envvar="PORTING_ADVISOR_DEFAULT_FAIL_ON",
        help="--fail-on unless the command line or the configuration sets it (CI wrappers).",
    ),
    click.option(
        "--baseline", type=click.Path(dir_okay=False), help="Hide findings recorded here."
    ),
    click.option(
        "--write-baseline",
        type=click.Path(dir_okay=False),
        help="Record the current findings as the baseline.",
    ),
    click.option(
        "--changed-since",
        metavar="GIT_REF",
        help="Report only files changed since the merge base with GIT_REF.",
    ),
    click.option(
        "--config", "config", type=click.Path(dir_okay=False), help="Use this config file."
    ),
    click.option("--no-config", is_flag=True, help="Ignore the scanned tree's configuration."),
    click.option("--fail-on-skipped", is_flag=True, help="Exit 1 when any file was skipped."),
    click.option(
        "--max-file-size",
        type=click.IntRange(1),
        default=8 << 20,
        metavar="BYTES",
        help="Skip text files larger than this (default 8 MiB).",
    ),
    click.option("--show-suppressed", is_flag=True, help="List findings hidden by comments."),
    click.option("--cache-dir", type=click.Path(file_okay=False), help="Result cache folder."),
    click.option("--no-cache", is_flag=True, help="Do not read or write the result cache."),
    click.option("--list-rules", is_flag=True, help="Print the rule catalogue and exit."),
    click.option("--explain", metavar="RULE", help="Print one rule's documentation and exit."),
    click.option("--list-targets", is_flag=True, help="Print the target profiles and exit."),
    click.option("--rules-dir", hidden=True, help="Use another rules folder (tests)."),
    click.option("--online", is_flag=True, help="Ask package registries for Arm64 builds."),
    click.option("--index-url", metavar="URL", help="Python index for --online (default: pip's)."),
    click.option("--maven-repo", metavar="URL", help="Maven repository for --online."),
    click.option(
        "--allow-registry", multiple=True, metavar="HOST", help="Image registry --online may ask."
    ),
    click.option(
        "--compile-commands",
        type=click.Path(dir_okay=False),
        metavar="FILE",
        help="Scan the units of this compile_commands.json, with their -D/-U.",
    ),
    click.option("--no-progress", is_flag=True, help="No progress bar on stderr."),
    click.option("--quiet", "-q", is_flag=True, help="No warnings on stderr."),
    click.version_option(
        __version__, "--version", prog_name="porting-advisor", message="%(prog)s %(version)s"
    ),
]


def scan_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """`command` with every option of OPTIONS (the first one listed first)."""
    for option in reversed(OPTIONS):
        command = option(command)
    return command
