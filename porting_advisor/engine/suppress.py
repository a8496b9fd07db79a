# SPDX-License-Identifier: Apache-2.0
"""Inline suppressions: `porting-advisor: ignore[RULE-OR-CATEGORY, ...]` in a comment.

A marker after code applies to its own line only; a marker alone on its line applies to the
next line. Only markers inside a comment of the file's own syntax count: never one inside a
string literal (issue 21: a trailing marker also hid the next line, and one in a C string
suppressed findings)."""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

from porting_advisor.core import lazy_re
from porting_advisor.core.model import Finding, Remark
from porting_advisor.core.source import Source

MARKER = lazy_re.compile(r"porting-advisor:\s*ignore\[([^\]]*)\]")
C_LIKE = ("//", "/*")
HASH = ("#",)
# comment starts per language; languages not named here accept any of GENERIC
COMMENTS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("c", "cpp", "go", "java", "rust", "csharp", "node", "javascript"), C_LIKE),
    **dict.fromkeys(
        ("python", "shell", "make", "cmake", "meson", "bazel", "docker", "compose", "ci", "yaml"),
        HASH,
    ),
    "autotools": ("#", "dnl"),
    "fortran": ("!",),
    "asm": (";", "#", "//", "/*", "@"),
}
GENERIC = ("//", "/*", "#", "!", "--", ";", "<!--")
# quote characters that open a string literal; Rust's `'a` lifetimes are not strings
QUOTES = {"rust": '"', "make": "", "autotools": ""}


class Marker(NamedTuple):
    line: int  # 1-based: the line the marker applies to
    names: frozenset[str]
    at: int  # 1-based: the line the marker is written on


def comment_start(text: str, starts: tuple[str, ...], quotes: str) -> int:
    """Where the line's comment begins, outside string literals; -1 when it has none."""
    quote = ""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in quotes:
            quote = c
        elif any(text.startswith(s, i) for s in starts):
            return i
        i += 1
    return -1


def in_block_comment(src: Source, line: int) -> bool:
    """Does an unclosed `/*` precede this line (a ` * ...` continuation line)?"""
    start = src.line_starts[line - 1] if src.line_starts else 0
    return src.text.rfind("/*", 0, start) > src.text.rfind("*/", 0, start)


def markers(src: Source) -> list[Marker]:
    """The file's suppression markers, each with the line it applies to."""
    starts = COMMENTS.get(src.language, GENERIC)
    quotes = QUOTES.get(src.language, "\"'")
    found = []
    at = src.text.find("porting-advisor:")
    while at >= 0:
        line, _ = src.position(at)
        text = src.line_text(line)
        for m in MARKER.finditer(text):
            head = text[: m.start()]
            where = comment_start(head, starts, quotes)
            if where < 0 and src.language == "fortran" and text[:1] in ("c", "C", "*"):
                where = 0  # fixed form: a comment line by its first column
            if where < 0 and "/*" in starts and head.strip() in ("", "*"):
                where = 0 if in_block_comment(src, line) else -1
            if where < 0:
                continue  # in code or a string: not a marker
            names = frozenset(n.strip() for n in m.group(1).split(",") if n.strip())
            alone = not head[:where].strip()
            found.append(Marker(line + 1 if alone else line, names, line))
        next_line = src.text.find("\n", at)
        at = src.text.find("porting-advisor:", next_line) if next_line >= 0 else -1
    return found


def apply(src: Source, findings: list[Finding]) -> list[Finding]:
    """Mark the findings a marker names; remark unknown names (a warning) and markers that
    suppressed nothing (listed with --show-suppressed)."""
    if "porting-advisor:" not in src.text:
        return findings
    found = markers(src)
    if not found:
        return findings
    known = src.rules.rules.keys() | src.rules.categories.keys()
    by_line: dict[int, list[Marker]] = {}
    for mk in found:
        by_line.setdefault(mk.line, []).append(mk)
        for name in sorted(mk.names - known):
            src.remarks.append(
                Remark(
                    "unknown-suppression",
                    f"line {mk.at}: ignore[{name}] names no rule or category",
                    src.file,
                )
            )
    used: set[Marker] = set()
    out = []
    for f in findings:
        hit = next(
            (mk for mk in by_line.get(f.line, ()) if f.rule in mk.names or f.category in mk.names),
            None,
        )
        if hit is not None:
            used.add(hit)
            f = replace(f, suppressed=True)
        out.append(f)
    for mk in found:
        if mk not in used:
            names = ", ".join(sorted(mk.names))
            src.remarks.append(
                Remark(
                    "unused-suppression",
                    f"line {mk.at}: ignore[{names}] suppressed nothing",
                    src.file,
                )
            )
    return out
