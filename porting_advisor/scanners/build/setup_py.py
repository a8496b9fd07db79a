# SPDX-License-Identifier: Apache-2.0
"""Python build scripts (setup.py, cffi's `_ffi_build.py`) read with `ast`: the parts that
only an x86 machine runs or builds.

`["-mavx2"] if platform.machine() == "x86_64" else []`, `"opt.c" if optimized else "ref.c"`
where `optimized = target_platform in ("x86_64", "AMD64")` and `target_platform` comes from
`platform.machine()`: the x86 side of such a test is blanked before the line checks (its flags
are handled) and the sources named there are recorded as built only for x86.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence

from porting_advisor.core.facts import Listed
from porting_advisor.core.source import Source
from porting_advisor.scanners.build.conditions import ARCH_SUBJECT, classify_words

SOURCE_PATH = re.compile(r"(?<![\w.$-])([\w.+-][\w./+-]*\.(?:s|S|asm|nasm|c|cc|cpp|cxx))(?![\w.])")
# a value that says which machine this is
MACHINE = re.compile(r"platform\.machine|os\.uname|\bget_platform\b|platform\.processor")


class Regions(ast.NodeVisitor):
    """Collects the x86-only parts of a module."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.arch_vars: set[str] = set()  # names holding the machine (`target_platform`)
        self.x86_vars: set[str] = set()  # names holding an x86-only test (`optimized`)
        self.regions: list[ast.AST] = []

    def segment(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.text, node) or ""

    def names(self, node: ast.AST) -> set[str]:
        return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}

    def x86_test(self, node: ast.expr) -> bool:
        """Does `node` hold only on x86 machines?"""
        if isinstance(node, ast.Name):
            return node.id in self.x86_vars
        if isinstance(node, ast.BoolOp):
            tests = [self.x86_test(v) for v in node.values]
            return any(tests) if isinstance(node.op, ast.And) else all(tests)
        if isinstance(node, ast.Compare) and not any(
            isinstance(op, ast.NotEq | ast.NotIn) for op in node.ops
        ):
            text = self.segment(node)
            about_machine = bool(MACHINE.search(text) or ARCH_SUBJECT.search(text)) or not (
                self.arch_vars.isdisjoint(self.names(node))
            )
            return about_machine and classify_words(text) == "x86"
        return False

    def visit_Assign(self, node: ast.Assign) -> None:
        targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
        value = node.value
        if MACHINE.search(self.segment(value)):
            self.arch_vars.update(targets)
        elif self.x86_test(value):
            self.x86_vars.update(targets)
        self.generic_visit(node)

    def visit_If(self, node: ast.If) -> None:
        self.branch(node.test, node.body, node.orelse)
        self.generic_visit(node)

    def visit_IfExp(self, node: ast.IfExp) -> None:
        self.branch(node.test, [node.body], [node.orelse])
        self.generic_visit(node)

    def branch(self, test: ast.expr, body: Sequence[ast.AST], orelse: Sequence[ast.AST]) -> None:
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            if self.x86_test(test.operand):
                self.regions.extend(orelse)
        elif self.x86_test(test):
            self.regions.extend(body)


def x86_parts(src: Source) -> str:
    """The text with its x86-only parts blanked (same length, same lines); records the
    sources named in those parts as x86-only listings."""
    text = src.text
    if "machine" not in text and "uname" not in text and "get_platform" not in text:
        return text
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return text
    finder = Regions(text)
    finder.visit(tree)
    if not finder.regions:
        return text
    lines = text.split("\n")
    for node in finder.regions:
        start, end = getattr(node, "lineno", 0), getattr(node, "end_lineno", 0)
        col, end_col = getattr(node, "col_offset", 0), getattr(node, "end_col_offset", 0)
        if not start or not end:
            continue
        for no in range(start, end + 1):
            # (ast columns count UTF-8 bytes; build scripts are ASCII where it matters)
            line = lines[no - 1]
            a = col if no == start else 0
            b = end_col if no == end else len(line)
            part = line[a:b]
            for m in SOURCE_PATH.finditer(part):
                src.facts.append(Listed(m.group(1), no, True, prefix=False))
            lines[no - 1] = line[:a] + " " * len(part) + line[b:]
    return "\n".join(lines)
