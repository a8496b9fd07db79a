# SPDX-License-Identifier: Apache-2.0
"""Fortran, free and fixed form: kind=10, Intel directives and modules, reached #error.

Fixed-form files are normalised before tree-sitter-fortran parses them (its fixed-form
support misreads column-1 comments): comment lines become blank, columns 73+ are dropped and
continuation lines are marked with free-form `&`, keeping every line number. Directive
comments (`!DIR$`, `CDEC$` ...) are read from the raw lines first: they are directives, not
comments. Everything else in comments and strings is never reported.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from porting_advisor.core import grammars, lazy_re
from porting_advisor.core.source import Source, node_text
from porting_advisor.scanners.c import preproc

if TYPE_CHECKING:
    import tree_sitter

FIXED = (".f", ".for", ".ftn", ".f77", ".F", ".FOR", ".FTN", ".F77")
PREPROCESSED = lazy_re.compile(r"\.(?:F|FOR|FTN|F77|F90|F95|F03|F08|fpp)$")
DIRECTIVE_LINE = lazy_re.compile(r"^[ \t]*[!cC*](?:DIR|DEC|MS)\$[ \t]*(.*)$", re.I | re.M)
# What the parse can report, found first in the lowercased text: a kind-10 type or literal,
# selected_real_kind, an Intel module or include (a superset: the parse decides).
# One pattern per word it starts with, searched only where a substring test finds the word.
# sre scans for a pattern's leading literal at memchr speed, but not when the pattern starts
# with \b, a lookbehind or an alternation of first letters (about 20 MB/s: LAPACK spent
# 2.5 s of 3.8 there); a word start is checked on each match instead. (word, pattern or
# None for the word alone, whether a word must start there)
CANDIDATES: tuple[tuple[str, re.Pattern[str] | None, bool], ...] = (
    ("real", re.compile(r"real\s*(?:\*\s*(?:10|20)\b|\(\s*(?:kind\s*=\s*)?10\s*\))"), False),
    ("complex", re.compile(r"complex\s*(?:\*\s*(?:10|20)\b|\(\s*(?:kind\s*=\s*)?10\s*\))"), False),
    ("_10", re.compile(r"_10\b"), False),  # after a digit or a dot: checked below
    ("selected_real_kind", None, False),
    ("if", re.compile(r"if(?:port|core|posix|qwin|logm|lport)"), True),
    ("mkl", re.compile(r"mkl"), True),
    ("lapack95", re.compile(r"lapack95"), True),
    ("blas95", re.compile(r"blas95"), True),
    ("f95_precision", re.compile(r"f95_precision"), True),
)
KIND10 = lazy_re.compile(
    r"(?i)^(?:real\s*\*\s*10|complex\s*\*\s*20|(?:real|complex)\s*\(\s*"
    r"(?:kind\s*=\s*)?10\s*\))$"
)
LITERAL10 = lazy_re.compile(r"(?i)^[\d.]+(?:[ed][+-]?\d+)?_10$")
# (module name, what it is, case of the rule's finding_suggestion: rules/fortran.rules.yaml)
INTEL_MODULES = (
    (
        re.compile(r"(?i)^if(?:port|core|posix|qwin|logm|lport)$"),
        "compiler runtime",
        "intel-runtime",
    ),
    (
        re.compile(r"(?i)^mkl\w*$|^lapack95$|^blas95$|^f95_precision$"),
        "Math Kernel Library",
        "mkl",
    ),
)
QUERY = """
(intrinsic_type) @type
(number_literal) @number
(call_expression (identifier) @fn (argument_list) @args)
(use_statement (module_name) @module)
(include_statement (filename) @include)
"""


def normalise_fixed(text: str) -> str:
    """Fixed form to free form, line for line."""
    lines = text.split("\n")
    out: list[str] = []
    for raw in lines:
        line = raw.rstrip("\r")
        if not line or line[0] in "cC*!" or (line[:6].strip().startswith("!")):
            out.append("")
            continue
        if line.lstrip().startswith("#"):
            out.append(line)
            continue
        body = line[:72]
        if len(body) > 5 and body[5] not in " 0":
            # a continuation: mark the previous code line, then this one
            for i in range(len(out) - 1, -1, -1):
                if out[i].strip():
                    out[i] = out[i] + " &"
                    break
            out.append("     &" + body[6:])
        else:
            out.append(body)
    return "\n".join(out)


def scan(src: Source) -> None:
    """Check one Fortran file."""
    text = src.text
    lower = text.lower()
    if not any(
        w in lower
        for w in ("10", "20", "dir$", "dec$", "ms$", "if", "mkl", "selected_real_kind", "#error")
    ):
        return
    fixed = src.file.endswith(FIXED)
    layout = None
    if PREPROCESSED.search(src.file) and "#" in text:
        layout = preproc.layout(
            text, preproc.target_macros(src.options.target, src.options.target_os, "c")
        )
        check_errors(src, layout)
    if "$" in text:
        no, last = 1, 0
        for m in DIRECTIVE_LINE.finditer(text):  # the directive lines only
            no += text.count("\n", last, m.start())
            last = m.start()
            raw = m.group(0)
            words = m.group(1).split()
            if not compiled(src, layout, no) or (words and words[0].upper() in ("OMP",)):
                continue
            src.add(
                "fortran-intel-directive", no, raw.index(raw.strip()[0]) + 1, text=raw.strip()[:60]
            )
    if not candidate(lower):
        return  # nothing the parse could report: most files, which then are not parsed
    code = normalise_fixed(text) if fixed else text
    check_tree(src, code, layout)


def candidate(lower: str) -> bool:
    """Could the parse report anything (a superset: the parse decides)?"""
    for word, pattern, starts_word in CANDIDATES:
        if word not in lower:
            continue
        if pattern is None:
            return True
        for m in pattern.finditer(lower):
            before = lower[m.start() - 1] if m.start() else " "
            if word == "_10":
                if before.isdigit() or before == ".":
                    return True
            elif not starts_word or not (before.isalnum() or before == "_"):
                return True
    return False


def compiled(src: Source, layout: preproc.Layout | None, line: int) -> bool:
    return layout is None or layout.at(line).status != preproc.INACTIVE


def check_errors(src: Source, layout: preproc.Layout) -> None:
    x86 = None
    for d in layout.directives:
        if d.name != "error" or layout.at(d.line).status != preproc.ACTIVE:
            continue
        if x86 is None:
            x86 = preproc.layout(
                src.text, preproc.x86_reference(src.options.target, src.options.target_os, "c")
            )
        if x86.at(d.line).status == preproc.ACTIVE:
            continue  # x86-64 reaches it too
        src.add(
            "fortran-reached-error",
            d.line,
            1,
            text=d.arg.strip().strip('"')[:120],
            target=src.options.target,
        )


def check_tree(src: Source, code: str, layout: preproc.Layout | None) -> None:
    import tree_sitter

    data = code.encode("utf-8")
    tree = grammars.parser("fortran").parse(data)
    cursor = tree_sitter.QueryCursor(grammars.query("fortran", QUERY))
    seen: set[tuple[int, int]] = set()
    for _, caps in cursor.matches(tree.root_node):
        for name, nodes in caps.items():
            for node in nodes:
                check_node(src, name, node, caps, layout, seen)


def check_node(
    src: Source,
    name: str,
    node: tree_sitter.Node,
    caps: dict[str, list[tree_sitter.Node]],
    layout: preproc.Layout | None,
    seen: set[tuple[int, int]],
) -> None:
    line, col = node.start_point.row + 1, node.start_point.column + 1
    if (line, col) in seen or not compiled(src, layout, line):
        return
    text = re.sub(r"\s+", " ", node_text(node)).strip()
    if name == "type" and KIND10.match(text.replace(" ", "")):
        seen.add((line, col))
        src.add("fortran-real10", line, col, length=len(text), text=text, key=text.lower())
    elif (
        name == "number"
        and LITERAL10.match(text)
        and node.parent is not None
        and (node.parent.type != "number_literal")
    ):
        seen.add((line, col))
        src.add("fortran-real10", line, col, length=len(text), text=text, key="_10 literal")
    elif name == "fn" and text.lower() == "selected_real_kind":
        args = [node_text(a) for a in caps["args"][0].named_children]
        if args and args[0].strip().isdigit() and 16 <= int(args[0]) <= 18:
            seen.add((line, col))
            call = node_text(node.parent) if node.parent is not None else text
            src.add("fortran-real10", line, col, text=call, key="selected_real_kind")
    elif name in ("module", "include"):
        target = text.strip("'\"")
        stem = re.sub(r"\.fi$", "", target, flags=re.I)
        for pattern, what, case in INTEL_MODULES:
            if pattern.match(stem):
                seen.add((line, col))
                statement = node_text(node.parent).split("\n")[0] if node.parent else text
                src.add(
                    "fortran-intel-module",
                    line,
                    col,
                    text=statement.strip()[:80],
                    what=what,
                    case=case,
                    key=stem.lower(),
                )
                break
