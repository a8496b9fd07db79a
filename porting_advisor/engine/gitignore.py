# SPDX-License-Identifier: Apache-2.0
"""The lines of a .gitignore (or of --exclude) as regular expressions, for the walk.

pathspec is the reference for what a pattern means, but importing it and compiling one
expression per line cost more than the rest of the walk wherever it met a .gitignore (most
trees), before the first file could be scanned (docs/performance.md). The shapes found in
practice (names, `*.ext`, paths with `*`, `?` and `**`, plain bracket sets, anchored or not,
for directories or not) are translated here to expressions that match the same paths as
pathspec's GitIgnoreSpec (tests/test_walk.py compares them path by path); a line with
anything else (a backslash escape, an unusual bracket expression) leaves the whole file to
pathspec.

Paths are relative to the .gitignore's directory, POSIX, a directory with a trailing `/`;
each expression is applied with `re.match` (anchored at the start, open at the end). Its
group `d` matches when the pattern matched a directory above the path rather than the path
itself, which decides between patterns that disagree (`decide`).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from porting_advisor.core import lazy_re


class Line(NamedTuple):
    """One pattern of the file."""

    text: str  # as written, trailing whitespace removed, without the "!" of a negation
    regex: str  # the paths it applies to, with the group `d`
    negated: bool  # `!pattern`: takes back what an earlier pattern ignores

    @property
    def plain(self) -> str:
        """`regex` without its group, to be combined with others."""
        return self.regex.replace(MARK, "/")


MARK = "(?P<d>/)"  # (a directory above the path matched: see `decide`)


def parse(lines: list[str]) -> list[Line] | None:
    """The patterns of `lines`, in order; None when one needs pathspec. Blank lines, comments
    and invalid patterns are left out, as git leaves them."""
    out = []
    for raw in lines:
        text = raw.rstrip()
        if not text or text.startswith("#") or text == "/":
            continue
        if "\\" in raw:
            return None  # escapes (`\#`, `\!`, a trailing `\ `): pathspec's
        negated = text.startswith("!")
        text = text[1:] if negated else text
        if not text:
            continue  # a lone `!`
        regex = translate(text)
        if regex is None:
            return None
        out.append(Line(text, regex, negated))
    return out


def decide(patterns: list[tuple[re.Pattern[str], bool]], path: str) -> bool:
    """Is `path` ignored, given each pattern's expression and whether it ignores (False: a
    negation)? As pathspec's GitIgnoreSpec decides: the last pattern that matches the path
    itself, else the last that matches a directory above it."""
    above: bool | None = None
    for rx, ignores in reversed(patterns):
        m = rx.match(path)
        if m is None:
            continue
        if "d" not in rx.groupindex or m.group("d") is None:
            return ignores
        if above is None:
            above = ignores
    return bool(above)


def translate(pattern: str) -> str | None:
    """The expression for one pattern (no `!`); None when pathspec must decide."""
    parts = pattern.split("/")
    directory = parts[-1] == ""  # `name/`: a directory and what is under it
    if parts[0] == "":
        del parts[0]  # `/name`: anchored to the .gitignore's directory
    elif (len(parts) == 1 or (len(parts) == 2 and directory)) and parts[0] != "**":
        parts.insert(0, "**")  # a bare name: at any depth
    if directory:
        parts[-1] = "**"
    if "" in parts:
        return None  # `a//b`
    merged = [p for i, p in enumerate(parts) if not (p == "**" and i and parts[i - 1] == "**")]
    if merged == ["**"]:
        return ".*" + MARK if directory else "."  # whatever is in a directory; everything
    if merged in (["**", "*"], ["**", "*", "**"]):
        return "." if len(merged) == 2 else ".*" + (MARK if directory else "/")
    # The segments between `**`s, each run as one expression; a run that another `**`
    # follows is taken at its first occurrence (an atomic group: several `**` against a deep
    # path would otherwise retry every split of it), the last run as late as it can be, as
    # pathspec's greedy expression takes it (that decides whether `d` matched).
    runs: list[list[str]] = [[]]
    for part in merged[1:] if merged[0] == "**" else merged:
        if part == "**":
            runs.append([])
            continue
        glob = "[^/]+" if part == "*" else segment(part)
        if glob is None:
            return None
        runs[-1].append(glob)
    trailing = not runs[-1]  # `a/**`, `a/`: what is under it
    if trailing:
        runs.pop()
    leading = merged[0] == "**"
    out = []
    for k, run in enumerate(runs):
        body = "/".join(run)
        final = k == len(runs) - 1 and not trailing
        if final or "[^" in body.replace("[^/]", ""):  # (a negated set: see `segment`)
            out.append(("(?:.+/)?" if leading else "") + body if k == 0 else f"(?:/.+)?/{body}")
        elif k == 0:
            out.append(f"(?>(?:.+?/)??{body}(?=/))" if leading else body)
        else:
            out.append(f"(?>(?:/.+?)??/{body}(?=/))")
        if final:
            out.append(f"(?:{MARK}|$)")  # the file, or the directory and what is under it
    if trailing:
        out.append(MARK if directory else "/")
    return "".join(out)


def segment(glob: str) -> str | None:
    """One path segment's glob as an expression; None for a bracket expression other than a
    plain set or ascending range of letters, digits, `.`, `_` and `-`.

    The pieces between stars have a fixed length, so each one but the last can be taken at
    its first occurrence: an atomic group commits to it, and a failing match costs a pass
    per piece instead of one per way of splitting the name (`*a*a*a*a*a*a*a*ab` against a
    long name of `a`s: seconds before)."""
    pieces = []
    for piece in re.sub(r"\*+", "*", glob).split("*"):
        expression = fixed(piece)
        if expression is None:
            return None
        pieces.append(expression)
    if len(pieces) <= 2 or "[!" in glob or "[^" in glob:
        # (a negated set also matches `/`, as in pathspec: then a piece is not bound to the
        # segment, and its first occurrence may not be the one pathspec's match takes)
        return ANY.join(pieces)
    middle = "".join(f"(?>{ANY}?{p})" for p in pieces[1:-1])
    return pieces[0] + middle + ANY + pieces[-1]


def fixed(piece: str) -> str | None:
    """A piece of a glob without `*`: literal characters, `?` and bracket sets."""
    out: list[str] = []
    i = 0
    while i < len(piece):
        c = piece[i]
        if c == "?":
            out.append("[^/]")
        elif c == "[":
            m = BRACKET.match(piece, i)
            if m is None or descending(m.group(2)):
                return None
            out.append(("[^" if m.group(1) else "[") + m.group(2) + "]")
            i = m.end()
            continue
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


ANY = "[^/]*"
# `[abc]`, `[a-z0-9]`, `[!0-9]` (`!` or `^` negates)
BRACKET = lazy_re.compile(r"\[([!^]?)([A-Za-z0-9._][A-Za-z0-9._-]*)\]")


def descending(items: str) -> bool:
    """Does a bracket set hold a range like `z-a` (git: it matches nothing; sre refuses it)?"""
    i = 0
    while i < len(items):
        if i + 2 < len(items) and items[i + 1] == "-":
            if items[i] > items[i + 2]:
                return True
            i += 3
        else:
            i += 1
    return False
