# SPDX-License-Identifier: Apache-2.0
"""The report formats: one registry from format name to writer, and the format a file name
asks for. Writers write to the stream they are given and never open files."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TextIO

from porting_advisor.core.model import Report
from porting_advisor.core.ruleset import RuleSet
from porting_advisor.report import html, json, sarif, tabular, text

Writer = Callable[[Report, RuleSet, str, TextIO], None]  # (report, rules, link_base, out)

FORMATS: dict[str, Writer] = {
    "text": text.write,
    "json": json.write,
    "html": html.write,
    "sarif": sarif.write,
    "csv": tabular.write_csv,
    "markdown": tabular.write_markdown,
    "dependencies-csv": tabular.write_deps_csv,
}

SUFFIXES = {
    ".txt": "text",
    ".json": "json",
    ".html": "html",
    ".htm": "html",
    ".sarif": "sarif",
    ".csv": "csv",
    ".md": "markdown",
    ".deps.csv": "dependencies-csv",
}


def format_for(path: str) -> str | None:
    """The format a report file's name asks for (the longest matching suffix), if any."""
    lower = path.lower()
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if lower.endswith(suffix):
            return SUFFIXES[suffix]
    return None


def write(fmt: str, report: Report, rules: RuleSet, link_base: str, out: TextIO) -> None:
    """Write the report in `fmt` to `out`."""
    FORMATS[fmt](report, rules, link_base, out)


def render(fmt: str, report: Report, rules: RuleSet, link_base: str = "") -> str:
    """The report in `fmt` as one string (text without colour)."""
    out = io.StringIO()
    write(fmt, report, rules, link_base, out)
    return out.getvalue()
