# SPDX-License-Identifier: Apache-2.0
"""Go: build constraints, amd64-only assembly and symbols, GOARCH/CPU checks, cgo, go.mod.

Per file (in the worker): which of linux/arm64 and linux/amd64 the file builds for, its
functions (with or without a body) and the functions it calls, from tree-sitter-go; the
`import "C"` preamble is handed to the C scanner and its `#cgo` flags to the build-file rules.
Per package, after the scan: the Go packages pass (passes/go_packages.py).
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

from porting_advisor.core import grammars
from porting_advisor.core.facts import GoAsm, GoFile, GoFuncs, GoSymbols
from porting_advisor.core.source import Source
from porting_advisor.scanners.go import constraints as gobuild

if TYPE_CHECKING:
    import tree_sitter

GOARCH_TEST = re.compile(
    r"runtime\.GOARCH\s*[!=]=\s*\"(?:amd64|386)\"|"
    r"\"(?:amd64|386)\"\s*[!=]=\s*runtime\.GOARCH"
)
X86_FEATURE = re.compile(r"\bcpu\.X86\.Has\w+|\bcpuid\.CPU\.(?:Supports|Has)\([^)]*\)")
CGO_LINE = re.compile(r"^\s*#cgo\s+([^:]*?)\s*(CFLAGS|CPPFLAGS|CXXFLAGS|LDFLAGS|FFLAGS):\s*(.*)$")
TEXT_SYMBOL = re.compile(r"^[ \t]*TEXT\s+(?:[\w./]*)?[·.]?([\w]+)(?:<[^>]*>)?\(SB\)", re.M)
QUERY = """
(function_declaration name: (identifier) @name) @func
(call_expression function: (identifier) @call)
"""


def is_go_asm(text: str) -> bool:
    return "(SB)" in text and ("TEXT" in text or "textflag.h" in text)


def scan_asm(src: Source) -> None:
    """A Go assembly file: which architecture builds it, and the symbols it defines."""
    name = posixpath.basename(src.file)
    arm64 = gobuild.builds_for(name, src.text, "linux", "arm64")
    amd64 = gobuild.builds_for(name, src.text, "linux", "amd64") or gobuild.builds_for(
        name, src.text, "linux", "386"
    )
    symbols = tuple(sorted(set(TEXT_SYMBOL.findall(src.text))))
    src.facts.append(GoAsm(arm64, amd64, symbols))


def scan(src: Source) -> None:
    """Check one Go source file."""
    name = posixpath.basename(src.file)
    text = src.text
    arm64 = gobuild.builds_for(name, text, "linux", "arm64")
    amd64 = gobuild.builds_for(name, text, "linux", "amd64")
    if (
        not src.thorough
        and arm64
        and amd64
        and 'import "C"' not in text
        and ("GOARCH" not in text or GOARCH_TEST.search(text) is None)
        and (("X86" not in text and "cpuid" not in text) or X86_FEATURE.search(text) is None)
    ):
        # Built everywhere with nothing to check: its functions and calls only matter to a
        # package with amd64-only code (most packages have none); when the package pass finds
        # one, the engine has this file scanned again, `thorough`ly.
        src.facts.append(GoFile(arm64, amd64, parsed=False))
        return
    src.facts.append(GoFile(arm64, amd64, parsed=True))
    data = src.data if len(src.data) == len(text.encode()) else text.encode()
    tree = grammars.parser("go").parse(data)
    defined, declared, calls = symbols(tree, arm64)
    # Only what the package pass reads, one fact per kind: a large tree has many Go files.
    if arm64:
        src.facts.append(GoSymbols(tuple(defined), tuple(calls)))
    elif amd64 and declared:
        src.facts.append(GoFuncs(tuple(declared)))
    if not arm64:
        return
    check_arch_tests(src, tree)
    if 'import "C"' in text or 'import "C"' in text:
        check_cgo(src, tree)


def symbols(
    tree: tree_sitter.Tree, calls_too: bool = True
) -> tuple[list[str], list[tuple[str, int]], list[str]]:
    """Functions with a body, every function as (name, line), and the functions called."""
    import tree_sitter

    calls: set[str] = set()
    defined: list[str] = []
    declared: list[tuple[str, int]] = []
    for _, caps in tree_sitter.QueryCursor(grammars.query("go", QUERY)).matches(tree.root_node):
        if "func" in caps:
            node, ident = caps["func"][0], caps["name"][0]
            name = (ident.text or b"").decode()
            if node.child_by_field_name("body") is not None:
                defined.append(name)
            declared.append((name, ident.start_point.row + 1))
        elif "call" in caps and calls_too:
            calls.add((caps["call"][0].text or b"").decode())
    return defined, declared, sorted(calls)


def comment_or_string(tree: tree_sitter.Tree, offset: int) -> bool:
    node = tree.root_node.descendant_for_byte_range(offset, offset + 1)
    while node is not None:
        if node.type in ("comment", "interpreted_string_literal", "raw_string_literal"):
            return True
        node = node.parent
    return False


def check_arch_tests(src: Source, tree: tree_sitter.Tree) -> None:
    text = src.text
    if "arm64" not in text:
        for m in GOARCH_TEST.finditer(text):
            if not comment_or_string(tree, src.byte_offset(m.start())):
                line, col = src.position(m.start())
                src.add("go-goarch-check", line, col, length=len(m.group(0)), text=m.group(0))
    if "cpu.ARM64" not in text:
        for m in X86_FEATURE.finditer(text):
            if not comment_or_string(tree, src.byte_offset(m.start())):
                line, col = src.position(m.start())
                src.add(
                    "go-x86-cpu-feature",
                    line,
                    col,
                    length=len(m.group(0)),
                    text=m.group(0),
                    key=m.group(0),
                )


def check_cgo(src: Source, tree: tree_sitter.Tree) -> None:
    """The comment right before `import "C"` is C: scan it in place (same lines, columns)."""
    from porting_advisor.scanners import build as buildfiles
    from porting_advisor.scanners.c import scan as cfamily

    children = tree.root_node.children
    for i, child in enumerate(children):
        if child.type == "import_declaration" and b'"C"' in (child.text or b"") and i > 0:
            preamble = [c for c in children[:i] if c.type == "comment"]
            if not preamble or preamble[-1].end_point.row + 1 < child.start_point.row:
                return
            comment = preamble[-1]
            break
    else:
        return
    lines = src.text.split("\n")
    first, last = comment.start_point.row, comment.end_point.row
    masked = []
    for n, line in enumerate(lines):
        if first <= n <= last:
            line = re.sub(r"^(\s*)//", lambda m: m.group(1) + "  ", line)
            line = line.replace("/*", "  ").replace("*/", "  ")
            masked.append(line)
        else:
            masked.append("")
    c_text = "\n".join(masked)
    csrc = Source(src.file, "c", c_text.encode(), c_text, src.options, src.rules)
    cfamily.scan(csrc)
    src.findings.extend(f for f in csrc.findings)
    for n in range(first, last + 1):
        m = CGO_LINE.match(masked[n])
        if not m:
            continue
        conditions = m.group(1).split()
        if conditions and not any(gobuild.plus_build([c], "linux", "arm64") for c in conditions):
            continue  # `#cgo amd64 CFLAGS: -mavx2` only applies to amd64 builds
        marks = [(0, n + 1)]
        buildfiles.check_flags(src, masked[n], marks)
        buildfiles.check_libraries(src, masked[n], marks, True, "")
