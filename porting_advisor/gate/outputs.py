# SPDX-License-Identifier: Apache-2.0
"""Where a scan's results go: the report files (written whole or not at all), standard
output, and the warnings on stderr."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any

import click

from porting_advisor.core.model import Report
from porting_advisor.gate.settings import UsageError


def targets(paths: tuple[str, ...], fmt: str | None) -> list[tuple[str, str]]:
    """(path, format) of each report; "-" is standard output, as is no `--output` at all."""
    from porting_advisor.report import format_for

    if fmt and len(paths) > 1:
        raise UsageError(
            "--format applies to standard output or to a single --output; with several "
            "--output files each one's extension decides its format"
        )
    if list(paths).count("-") > 1:
        raise UsageError("--output - (standard output) can be given once")
    result = []
    for p in paths or ("-",):
        chosen = (fmt or "text") if p == "-" else fmt or format_for(p)
        if chosen is None:
            raise UsageError(
                f"cannot tell the report format of '{p}' (use .html .json .sarif "
                ".csv .md .txt or --format)"
            )
        parent = Path(p).resolve().parent
        if p != "-" and (
            not parent.is_dir()
            or not os.access(parent, os.W_OK)
            or Path(p).is_dir()
            or (Path(p).exists() and not os.access(p, os.W_OK))
        ):
            raise UsageError(f"cannot write '{p}'")
        result.append((p, chosen))
    return result


def write_report(path: str, fmt: str, result: Report, rs: Any, link_base: str) -> None:
    """Write a report file whole or not at all: into a temporary file beside it, renamed
    over it at the end (an interrupted run leaves no truncated report). A device or a pipe
    (`/dev/null`, a FIFO) is written to directly: there is no file to replace, and renaming
    over it would replace the device itself. Through a symlink, the file it names is
    replaced and the link kept."""
    import stat
    import tempfile

    from porting_advisor import report

    target = Path(path)
    try:
        mode = os.stat(target).st_mode
    except OSError:
        mode = 0
    if mode and not stat.S_ISREG(mode):
        try:
            with open(target, "w", encoding="utf-8") as out:
                report.write(fmt, result, rs, link_base, out)
        except OSError as exc:
            raise UsageError(f"cannot write '{path}': {exc.strerror}") from None
        return
    real = target.resolve()
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{real.name}.", dir=real.parent)
    except OSError as exc:
        raise UsageError(f"cannot write '{path}': {exc.strerror}") from None
    try:
        mask = os.umask(0)
        os.umask(mask)
        os.fchmod(fd, 0o666 & ~mask)  # as open() would have made it, not mkstemp's 0600
        with open(fd, "w", encoding="utf-8") as out:
            report.write(fmt, result, rs, link_base, out)
        os.replace(temp, real)
    except OSError as exc:
        raise UsageError(f"cannot write '{path}': {exc.strerror}") from None
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def write_stdout(fmt: str, result: Report, rs: Any, link_base: str) -> None:
    """The report on standard output. A reader that leaves early (`| head`) is no error: the
    findings still decide the exit status."""
    from porting_advisor import report

    try:
        report.write(fmt, result, rs, link_base, sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:
        # what is still buffered would fail again at exit: send it nowhere
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


# remarks also said on stderr as warnings
WARNED_REMARKS = frozenset(
    {
        "invalid-utf8",
        "unknown-suppression",
        "unmatched-exclude",
        "config-error",
        "config-excludes-everything",
        "skipped-member",
    }
)


def warn(result: Report, quiet: bool) -> None:
    """Skipped files and the remarks in WARNED_REMARKS, on stderr (unless `quiet`)."""
    if quiet:
        return
    for file, reason in result.skipped:
        click.echo(f"porting-advisor: warning: skipped {file}: {reason}", err=True)
    for m in result.remarks:
        if m.rule in WARNED_REMARKS:
            where = f"{m.file}: " if m.file else ""
            click.echo(f"porting-advisor: warning: {where}{m.message}", err=True)
