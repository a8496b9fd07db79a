# SPDX-License-Identifier: Apache-2.0
"""The comment, continuation and conditional syntax of each kind of build file, and its
logical lines."""

from __future__ import annotations

import posixpath
import re
from typing import NamedTuple

from porting_advisor.core import lazy_re
from porting_advisor.core.memo import last_call
from porting_advisor.core.source import Source


class Syntax(NamedTuple):
    comment: re.Pattern[str]
    continuation: bool
    open: re.Pattern[str] | None
    elif_: re.Pattern[str] | None
    else_: re.Pattern[str] | None
    close: re.Pattern[str] | None


def rx(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags)


HASH = rx(r"(?<!\\)#.*$")
SYNTAX = {
    # (and automake's `if COND` / `if !COND` in a Makefile.am, at the start of the line)
    "make": Syntax(
        HASH,
        True,
        rx(
            r"^(?:\s*(?:ifeq|ifneq|ifdef|ifndef)\b"
            r"|if[ \t]+(?=!?\w+[ \t]*$))(.*)"
        ),
        rx(r"^\s*else\s+(?:ifeq|ifneq|ifdef|ifndef)\b(.*)"),
        rx(r"^\s*else\b"),
        rx(r"^\s*endif\b"),
    ),
    "cmake": Syntax(
        HASH,
        False,
        rx(r"^\s*if\s*\((.*)", re.I),
        rx(r"^\s*elseif\s*\((.*)", re.I),
        rx(r"^\s*else\s*\(", re.I),
        rx(r"^\s*endif\s*\(", re.I),
    ),
    "meson": Syntax(
        HASH,
        False,
        rx(r"^\s*if\b(.*)"),
        rx(r"^\s*elif\b(.*)"),
        rx(r"^\s*else\b"),
        rx(r"^\s*endif\b"),
    ),
    "shell": Syntax(
        HASH, True, rx(r"^\s*if\b(.*)"), rx(r"^\s*elif\b(.*)"), rx(r"^\s*else\b"), rx(r"^\s*fi\b")
    ),
    "autotools": Syntax(
        rx(r"(?:(?<!\\)#|\bdnl\b).*$"),
        True,
        rx(r"^\s*(?:if|AS_IF\s*\()(.*)"),
        rx(r"^\s*elif\b(.*)"),
        rx(r"^\s*else\b"),
        rx(r"^\s*fi\b"),
    ),
    "bazel": Syntax(HASH, False, None, None, None, None),
    "python": Syntax(
        HASH, True, rx(r"^(\s*)if\b(.*):"), rx(r"^(\s*)elif\b(.*):"), rx(r"^(\s*)else\s*:"), None
    ),
}
CASE_OPEN = lazy_re.compile(r"^\s*(?:case\b(.*)\bin\b|AS_CASE\s*\((.*))")
CASE_ARM = lazy_re.compile(r"^\s*\(?\s*([^()#]+?)\s*\)\s*(.*)$")
CASE_END = lazy_re.compile(r"^\s*esac\b")


# Python scripts that build extensions: setup.py, cffi's `_ffi_build.py`, `build_ext.py`
PYTHON_BUILD = lazy_re.compile(r"setup\.py$|\w*_build\.py$|build_\w+\.py$")


def syntax_of(src: Source) -> str:
    name = posixpath.basename(src.file)
    if src.language == "python":
        return "python" if PYTHON_BUILD.match(name) else ""
    if src.language == "autotools":
        return "" if name in ("config.guess", "config.sub", "configure") else "autotools"
    return src.language if src.language in SYNTAX else ""


# (the reachability record, the Make model and the checks of one build file each ask)
@last_call
def logical_lines(text: str, syntax: Syntax) -> list[tuple[int, str, list[tuple[int, int]]]]:
    """(first line, text without comments, [(offset in text, physical line)]) per line."""
    out = []
    pending: list[tuple[int, str]] = []
    for no, raw in enumerate(text.split("\n"), 1):
        line = syntax.comment.sub("", raw) if "#" in raw or "dnl" in raw else raw
        cont = syntax.continuation and line.rstrip().endswith("\\")
        pending.append((no, line.rstrip()[:-1] if cont else line))
        if cont:
            continue
        joined, marks, pos = [], [], 0
        for n, part in pending:
            marks.append((pos, n))
            joined.append(part)
            pos += len(part) + 1
        out.append((pending[0][0], " ".join(joined), marks))
        pending = []
    return out


def line_of(marks: list[tuple[int, int]], offset: int) -> int:
    line = marks[0][1]
    for start, n in marks:
        if start <= offset:
            line = n
    return line


# Where a shell line holds more than one step of a conditional: before `then`/`else`/`fi`...
# after a `;`, and after `then`/`else`/`do` when a command follows on the same line
# (`if [ "$ARCH" = x86_64 ]; then CFLAGS=-msse4.2; fi`)
SHELL_SPLIT = lazy_re.compile(
    r";\s*(?=(?:then|else|elif|fi|do|done)\b)|\b(?:then|else|do)\s+(?=[^\s;])"
)


def shell_steps(
    lines: list[tuple[int, str, list[tuple[int, int]]]],
) -> list[tuple[int, str, list[tuple[int, int]]]]:
    """Logical lines split where a one-line conditional has several steps."""
    out = []
    for first, text, marks in lines:
        if "if" not in text or not SHELL_SPLIT.search(text):
            out.append((first, text, marks))
            continue
        cuts = [0, *(m.end() for m in SHELL_SPLIT.finditer(text)), len(text)]
        for a, b in zip(cuts, cuts[1:], strict=False):
            if not text[a:b].strip(" ;"):
                continue
            shifted = [(max(0, pos - a), n) for pos, n in marks if pos < b]
            # (the physical line the piece starts on, then the later ones)
            start = [(p, n) for p, n in shifted if p == 0][-1:]
            rest = [(p, n) for p, n in shifted if p > 0]
            piece_marks = start + rest
            out.append((piece_marks[0][1], text[a:b], piece_marks))
    return out
