# SPDX-License-Identifier: Apache-2.0
"""File results and reports as plain data (tuples, str, int, bytes) for the result cache.

A shared or CI-restored cache directory is input from outside: its rows must never run code,
so they are `marshal` dumps of plain values (no pickle), built and read back field by field
here (facts: with a tag per kind, `core.facts.fact_row`). A row that does not decode to the
expected shape is corrupt: the caller treats it as a miss and scans the file again.
"""

from __future__ import annotations

import dataclasses
import marshal
import operator
import zlib
from collections.abc import Sequence
from typing import Any

from porting_advisor.core.model import FileResult, Finding, Remark, Report, Severity

# The first bytes of every blob: anything else (an old pickle, a crafted payload) is corrupt.
MAGIC = b"PAR1"


class CorruptRow(ValueError):
    """A cache row that does not decode to what this version writes."""


def dumps(value: Any) -> bytes:
    """A blob of plain values (marshal refuses anything else)."""
    return MAGIC + marshal.dumps(value)


def loads(blob: bytes) -> Any:
    """The plain value of a blob made by `dumps`; CorruptRow for anything else."""
    if not blob.startswith(MAGIC):
        raise CorruptRow("not a porting-advisor row")
    try:
        return marshal.loads(memoryview(blob)[len(MAGIC) :])
    except (EOFError, ValueError, TypeError) as exc:
        raise CorruptRow(str(exc)) from exc


# ---- findings: column by column (one tuple per field), rebuilt by `map` in C -------------

FIELDS = [f.name for f in dataclasses.fields(Finding)]
GETTERS = [operator.attrgetter(name) for name in FIELDS]
SEVERITY_AT = FIELDS.index("severity")
SEVERITIES = {int(s): s for s in Severity}


def finding_columns(found: Sequence[Finding]) -> tuple[Any, ...]:
    """One tuple per Finding field (severities as bytes)."""
    columns: list[tuple[object, ...] | bytes] = [tuple(map(get, found)) for get in GETTERS]
    columns[SEVERITY_AT] = bytes(map(GETTERS[SEVERITY_AT], found))
    return tuple(columns)


def findings_of(columns: Any) -> list[Finding]:
    """The findings of `finding_columns`; CorruptRow when the columns do not fit."""
    if type(columns) is not tuple or len(columns) != len(FIELDS):
        raise CorruptRow("finding columns")
    if len({len(c) for c in columns}) != 1:
        raise CorruptRow("finding columns of different lengths")
    args = list(columns)
    args[SEVERITY_AT] = map(SEVERITIES.__getitem__, columns[SEVERITY_AT])
    return list(map(Finding, *args))


# ---- file results ---------------------------------------------------------------------


def result_blob(r: FileResult) -> bytes:
    """A file's result as a cache row."""
    from porting_advisor.core.facts import fact_row  # (a cached report needs no facts)

    return dumps(
        (
            r.file,
            r.language,
            r.scanned,
            finding_columns(r.findings) if r.findings else (),
            tuple(map(fact_row, r.facts)),
            r.skipped,
            tuple((m.rule, m.message, m.file) for m in r.remarks),
            r.digest,
        )
    )


def result_of(blob: bytes) -> FileResult:
    """The result a `result_blob` row holds; CorruptRow for anything else."""
    from porting_advisor.core.facts import fact_of

    try:
        file, language, scanned, found, facts, skipped, remarks, digest = loads(blob)
        return FileResult(
            file,
            language,
            scanned,
            tuple(findings_of(found)) if found else (),
            tuple(map(fact_of, facts)),
            skipped,
            tuple(Remark(*m) for m in remarks),
            digest,
        )
    except (KeyError, IndexError, TypeError, ValueError) as exc:  # (CorruptRow included)
        raise CorruptRow(f"file result: {exc}") from exc


# ---- the last report ------------------------------------------------------------------

# A report's findings go in chunks, each compressed on its own: the columns and their bytes
# exist for one chunk at a time (packed whole, a report of many findings needs a copy of them
# all in memory; docs/performance.md has the figures).
PACK_CHUNK = 20_000


def report_blob(report: Report) -> bytes:
    """A finished report as a cache row."""
    found = report.findings
    chunks = tuple(
        zlib.compress(marshal.dumps(finding_columns(found[at : at + PACK_CHUNK])), 1)
        for at in range(0, len(found), PACK_CHUNK)
    )
    head = (
        report.root,
        report.target,
        report.target_os,
        report.version,
        report.files_scanned,
        report.files_skipped,
        report.files_by_language,
        report.duration,
        tuple(report.skipped),
        tuple((m.rule, m.message, m.file) for m in report.remarks),
        tuple(report.dependencies),
        report.suppressed,
        report.baselined,
        report.stale_baseline,
        tuple(report.unanalysed_languages),
        tuple((file, line, tuple(rows)) for (file, line), rows in report.contexts.items()),
    )
    return dumps((head, chunks))


def report_of(blob: bytes) -> Report:
    """The report a `report_blob` row holds; CorruptRow for anything else."""
    try:
        head, chunks = loads(blob)
        (
            root,
            target,
            target_os,
            version,
            files_scanned,
            files_skipped,
            by_language,
            duration,
            skipped,
            remarks,
            dependencies,
            suppressed,
            baselined,
            stale_baseline,
            unanalysed,
            contexts,
        ) = head
        findings: list[Finding] = []
        for chunk in chunks:
            findings.extend(findings_of(marshal.loads(zlib.decompress(chunk))))
        if not isinstance(by_language, dict) or not all(isinstance(d, dict) for d in dependencies):
            raise CorruptRow("report tables")
        return Report(
            root=root,
            target=target,
            target_os=target_os,
            version=version,
            files_scanned=files_scanned,
            files_skipped=files_skipped,
            files_by_language=by_language,
            duration=duration,
            findings=findings,
            skipped=[(file, reason) for file, reason in skipped],
            remarks=[Remark(*m) for m in remarks],
            dependencies=list(dependencies),
            suppressed=suppressed,
            baselined=baselined,
            stale_baseline=stale_baseline,
            unanalysed_languages=list(unanalysed),
            contexts={(file, line): list(rows) for file, line, rows in contexts},
        )
    except (KeyError, IndexError, TypeError, ValueError, EOFError, zlib.error) as exc:
        raise CorruptRow(f"report: {exc}") from exc
