# SPDX-License-Identifier: Apache-2.0
"""The per-file context a scanner reads from and adds findings to."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from porting_advisor.core.model import Finding, Options, Remark, Severity, fingerprint
from porting_advisor.core.ruleset import Rule, RuleSet

if TYPE_CHECKING:
    import tree_sitter

    from porting_advisor.core.facts import Fact


class SafeDict(dict[str, object]):
    """format_map helper: a placeholder a scanner did not fill stays visible, never raises."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(slots=True)
class Source:
    """One file being scanned: its bytes, its text and what the scanners found in it."""

    file: str
    language: str
    data: bytes
    text: str
    options: Options
    rules: RuleSet
    findings: list[Finding] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    remarks: list[Remark] = field(default_factory=list)
    line_starts: list[int] | None = None  # character offsets of each line start
    # record everything a pass may ask for, not only what it is likely to need (the symbols
    # of a Go file built for every architecture): set on a second scan the passes asked for
    thorough: bool = False

    def lines(self) -> list[str]:
        return self.text.split("\n")

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset in `text`."""
        if self.line_starts is None:
            # each line's length plus its newline, summed from 0: all in C (map, accumulate)
            starts = list(
                itertools.accumulate(map((1).__add__, map(len, self.text.split("\n"))), initial=0)
            )
            starts.pop()
            self.line_starts = starts
        line = bisect.bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def byte_offset(self, offset: int) -> int:
        """The offset in the UTF-8 encoding of `text` (what tree-sitter counts) of a character
        offset."""
        if len(self.data) == len(self.text):
            return offset
        return len(self.text[:offset].encode("utf-8"))

    def line_text(self, line: int) -> str:
        if line <= 0:
            return ""
        if self.line_starts is None:
            self.position(0)
        assert self.line_starts is not None
        if line > len(self.line_starts):
            return ""
        start = self.line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start : end if end >= 0 else len(self.text)].rstrip("\r")

    def add(
        self,
        rule_id: str,
        line: int = 0,
        column: int = 0,
        *,
        length: int = 0,
        severity: Severity | None = None,
        snippet: str | None = None,
        key: str = "",
        guard: tuple[str, ...] = (),
        filtered: bool = False,
        note: str = "",
        language: str = "",
        x86_guard: tuple[str, ...] | None = None,
        case: str = "",
        filtered_reason: str = "",
        **params: object,
    ) -> None:
        """Record a finding of `rule_id`; `params` fill the rule's message and suggestion
        (`case` picks one of the rule's finding_suggestion templates)."""
        if snippet is None:
            snippet = self.line_text(line).strip() if line else ""
        self.findings.append(
            make_finding(
                self.rules,
                rule_id,
                self.file,
                line,
                column,
                length,
                severity,
                snippet,
                key,
                guard,
                filtered,
                note,
                language or self.language,
                x86_guard,
                case,
                filtered_reason,
                params,
            )
        )


def finding(
    rules: RuleSet,
    rule_id: str,
    file: str,
    line: int = 0,
    column: int = 0,
    *,
    length: int = 0,
    severity: Severity | None = None,
    snippet: str = "",
    key: str = "",
    guard: tuple[str, ...] = (),
    filtered: bool = False,
    note: str = "",
    language: str = "",
    x86_guard: tuple[str, ...] | None = None,
    case: str = "",
    filtered_reason: str = "",
    **params: object,
) -> Finding:
    """A finding of `rule_id`; `params` fill the rule's message and suggestion templates."""
    return make_finding(
        rules,
        rule_id,
        file,
        line,
        column,
        length,
        severity,
        snippet,
        key,
        guard,
        filtered,
        note,
        language,
        x86_guard,
        case,
        filtered_reason,
        params,
    )


def make_finding(
    rules: RuleSet,
    rule_id: str,
    file: str,
    line: int,
    column: int,
    length: int,
    severity: Severity | None,
    snippet: str,
    key: str,
    guard: tuple[str, ...],
    filtered: bool,
    note: str,
    language: str,
    x86_guard: tuple[str, ...] | None,
    case: str,
    filtered_reason: str,
    params: dict[str, object],
) -> Finding:
    """`finding` with every argument positional and the parameters as one dict: a hot path
    on SIMD-heavy code, where keyword packing twice per finding cost a fifth of its time."""
    rule = rules.rules[rule_id]
    message, suggestion = texts(rule, rule.suggestion_template(case), note, params)
    snippet = snippet[:400]
    spans = bool(length and line)
    # positional, in the order of Finding's fields
    return Finding(
        file,
        line,
        column,
        rule_id,
        rule.category,
        severity or rule.severity,
        message,
        suggestion,
        snippet,
        language,
        line if spans else 0,
        column + length if spans else 0,
        filtered,
        False,
        key,
        guard,
        x86_guard,
        fingerprint(rule_id, file, snippet, message) if snippet else "",
        filtered_reason if filtered else "",
    )


# (templates, note, params) -> (message, suggestion): the same construct recurs many times in
# a file and across a tree; one formatted pair serves them all (and pickles once per batch).
TEXTS: dict[tuple[object, ...], tuple[str, str]] = {}


def texts(rule: Rule, suggestion: str, note: str, params: dict[str, object]) -> tuple[str, str]:
    try:
        key: tuple[object, ...] = (rule.message, suggestion, note, *params.items())
        hit = TEXTS.get(key)
    except TypeError:  # an unhashable parameter: format without the memo
        key, hit = (), None
    if hit is not None:
        return hit
    values = SafeDict(params)
    message = rule.message.format_map(values)
    if note:
        message = f"{message} ({note})"
    pair = (message, suggestion.format_map(values))
    if key:
        if len(TEXTS) > 20000:
            TEXTS.clear()
        TEXTS[key] = pair
    return pair


ScanFn = Callable[[Source], None]


def shortlist(items: Sequence[str], most: int) -> str:
    """The first `most` items, comma-separated, then "and N more" for the rest (messages)."""
    rest = len(items) - most
    return ", ".join(items[:most]) + (f" and {rest} more" if rest > 0 else "")


def node_text(node: tree_sitter.Node) -> str:
    """A tree-sitter node's source text."""
    return (node.text or b"").decode("utf-8", "replace")
