# SPDX-License-Identifier: Apache-2.0
"""CMake: the file read as commands, not lines.

A command is `name(arguments)` with its parentheses balanced, however many lines it spans
(`if(A OR\\n B)`) or however many share a line (`if(X86) set(F -msse2) endif()`). Comments
(`# ...` and bracket comments `#[==[ ... ]==]`) are blanked; quoted strings and bracket
arguments are kept as they are, so a `#` or a parenthesis inside them is text.
"""

from __future__ import annotations

import re

BRACKET_OPEN = re.compile(r"\[(=*)\[")
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
SPECIAL = re.compile(r'[()"#\[]')
# from one command to the next thing that can start a command or a comment
NEXT = re.compile(r"[#A-Za-z_]")


def blank(text: str, start: int, end: int, out: list[str]) -> None:
    """Blank text[start:end] in `out`, keeping its newlines (and so every offset and line)."""
    for i in range(start, end):
        if out[i] != "\n":
            out[i] = " "


def commands(text: str) -> list[tuple[int, str, list[tuple[int, int]]]]:
    """(first line, command text with newlines as spaces, [(offset, physical line)]) per
    command, in the shape of `syntax.logical_lines`."""
    out = list(text)
    spans: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            i = skip_comment(text, i, out)
            continue
        m = NAME.match(text, i)
        if m is None:
            nxt = NEXT.search(text, i + 1)
            i = nxt.start() if nxt is not None else n
            continue
        j = m.end()
        while j < n and text[j] in " \t":
            j += 1
        if j >= n or text[j] != "(":
            i = m.end()
            continue
        end = arguments_end(text, j, out)
        spans.append((i, end))
        i = end
    masked = "".join(out)
    lines: list[tuple[int, str, list[tuple[int, int]]]] = []
    line = 1
    pos = 0
    for start, end in spans:
        line += masked.count("\n", pos, start)
        pos = start
        piece = masked[start:end]
        marks = [(0, line)]
        at = piece.find("\n")
        k = line
        while at >= 0:
            k += 1
            marks.append((at + 1, k))
            at = piece.find("\n", at + 1)
        lines.append((line, piece.replace("\n", " "), marks))
    return lines


def skip_comment(text: str, i: int, out: list[str]) -> int:
    """Blank the comment at text[i] ('#'); the offset after it."""
    m = BRACKET_OPEN.match(text, i + 1)
    if m is not None:
        close = text.find("]" + m.group(1) + "]", m.end())
        end = len(text) if close < 0 else close + len(m.group(1)) + 2
    else:
        end = text.find("\n", i)
        end = len(text) if end < 0 else end
    blank(text, i, end, out)
    return end


def arguments_end(text: str, i: int, out: list[str]) -> int:
    """The offset after the ')' that closes the '(' at text[i] (comments inside blanked)."""
    depth, n = 0, len(text)
    while i < n:
        m = SPECIAL.search(text, i)
        if m is None:
            return n
        i = m.start()
        c = text[i]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        elif c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif c == "#":
            i = skip_comment(text, i, out)
            continue
        elif c == "[" and (m := BRACKET_OPEN.match(text, i)) is not None:
            close = text.find("]" + m.group(1) + "]", m.end())
            i = n if close < 0 else close + len(m.group(1)) + 2
            continue
        i += 1
    return n
