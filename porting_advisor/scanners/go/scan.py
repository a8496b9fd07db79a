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

from porting_advisor.core import grammars, lazy_re
from porting_advisor.core.facts import GoAsm, GoDecls, GoFile
from porting_advisor.core.source import Source, node_text
from porting_advisor.scanners.go import constraints as gobuild

if TYPE_CHECKING:
    import tree_sitter

GOARCH_TEST = lazy_re.compile(
    r"runtime\.GOARCH\s*[!=]=\s*\"(?:amd64|386)\"|"
    r"\"(?:amd64|386)\"\s*[!=]=\s*runtime\.GOARCH"
)
X86_FEATURE = lazy_re.compile(r"\bcpu\.X86\.Has\w+|\bcpuid\.CPU\.(?:Supports|Has)\([^)]*\)")
CGO_LINE = lazy_re.compile(
    r"^\s*#cgo\s+([^:]*?)\s*(CFLAGS|CPPFLAGS|CXXFLAGS|LDFLAGS|FFLAGS):\s*(.*)$"
)
# `TEXT ·name(SB)`, `TEXT pkg·name<ABIInternal>(SB)`; not file-local `name<>(SB)`
TEXT_SYMBOL = lazy_re.compile(r"^[ \t]*TEXT\s+(?:[\w./]*[·.])?(\w+)(?:<ABI\w*>)?\(SB\)", re.M)


def is_go_asm(text: str) -> bool:
    return "(SB)" in text and ("TEXT" in text or "textflag.h" in text)


# Names only x86 Go assembly has (registers, quadword and conditional-jump mnemonics), and
# registers only arm64 has (R0-R7, R16-R30: x86 has R8-R15 too; V0-V31 lanes, ZR): a file
# with the first and none of the second is x86 code, whatever it is named.
# (`GOARCH_amd64` #ifdefs in one file for several architectures: unknown.)
X86_REGISTER = lazy_re.compile(
    r"\b(?:[ABCD]X|SI|DI|BP|[XY](?:[0-9]|1[0-5])|(?:MOV|ADD|SUB|XOR|LEA|CMP|AND|OR|SH[LR])Q|"
    r"J(?:N?E|N?Z|L|LE|G|GE|B|AE|A|BE))\b"
)
ARM64_REGISTER = lazy_re.compile(r"\b(?:R(?:[0-7]|1[6-9]|2[0-9]|30)|V[0-9]+\.\w+|ZR|RSP)\b|GOARCH_")
ASM_COMMENT = lazy_re.compile(r"//[^\n]*|/\*.*?\*/", re.S)


def scan_asm(src: Source) -> None:
    """A Go assembly file: which architecture builds it, the symbols it defines, and
    whether its code is x86."""
    name = posixpath.basename(src.file)
    symbols = tuple(sorted(set(TEXT_SYMBOL.findall(src.text))))
    code = ASM_COMMENT.sub("", src.text)
    x86_code = X86_REGISTER.search(code) is not None and ARM64_REGISTER.search(code) is None
    src.facts.append(
        GoAsm(
            gobuild.builds_for(name, src.text, "linux", "arm64"),
            gobuild.builds_for(name, src.text, "linux", "amd64"),
            gobuild.builds_for(name, src.text, "linux", "386"),
            symbols,
            x86_code,
        )
    )


def scan(src: Source) -> None:
    """Check one Go source file."""
    name = posixpath.basename(src.file)
    text = src.text
    arm64 = gobuild.builds_for(name, text, "linux", "arm64")
    amd64 = gobuild.builds_for(name, text, "linux", "amd64")
    if not (arm64 or amd64):
        src.facts.append(GoFile(arm64, amd64, parsed=True))  # (nothing to record)
        return
    if (
        not src.thorough
        and arm64
        and amd64
        and 'import "C"' not in text
        and ("GOARCH" not in text or GOARCH_TEST.search(text) is None)
        and (("X86" not in text and "cpuid" not in text) or X86_FEATURE.search(text) is None)
    ):
        # Built everywhere with nothing to check: its declarations and uses only matter to a
        # package with amd64-only code (most packages have none); when the package pass finds
        # one, the engine has this file scanned again, `thorough`ly.
        src.facts.append(GoFile(arm64, amd64, parsed=False))
        return
    src.facts.append(GoFile(arm64, amd64, parsed=True))
    data = src.data if len(src.data) == len(text.encode()) else text.encode()
    tree = grammars.parser("go").parse(data)
    src.facts.append(declarations(tree, text))
    if not arm64:
        return
    check_arch_tests(src, tree)
    if 'import "C"' in text:
        check_cgo(src, tree)


# Identifiers that name something only where they stand: parameters, results, receivers,
# `:=` and local var/const/type names, range and type-switch variables, struct literal keys.
BINDERS = frozenset(
    {
        "parameter_declaration",
        "variadic_parameter_declaration",
        "type_parameter_declaration",
        "import_spec",
    }
)
LEFT_BINDERS = frozenset(
    {"short_var_declaration", "range_clause", "type_switch_statement", "receive_statement"}
)
SPECS = frozenset({"var_spec", "const_spec", "type_spec", "type_alias"})
# what lies between a package-level spec and the file
DECLARATIONS = frozenset(
    {"var_declaration", "const_declaration", "type_declaration", "var_spec_list"}
)
LINKNAME = lazy_re.compile(r"^//go:linkname\s+(\w+)\s+\S", re.M)
IDENTS = "(identifier) @id (type_identifier) @id (package_identifier) @pkg"


def declarations(tree: tree_sitter.Tree, text: str) -> GoDecls:
    """The file's package-level declarations and the names it uses from elsewhere."""
    import tree_sitter

    root = tree.root_node
    package = ""
    for child in root.children:
        if child.type == "package_clause":
            package = node_text(child).split()[-1]
            break
    linked = set(LINKNAME.findall(text))
    defined: set[str] = set()
    bodyless: list[tuple[str, int, int]] = []
    local: set[str] = set()
    uses: dict[str, tuple[int, int]] = {}
    dot_import = False
    cursor = tree_sitter.QueryCursor(grammars.query("go", IDENTS))
    for _, caps in cursor.matches(root):
        if "pkg" in caps:
            continue  # the package of a qualified type (`bytes.Buffer`)
        node = caps["id"][0]
        name = (node.text or b"").decode()
        parent = node.parent
        if parent is None or name == "_":
            continue
        kind = parent.type
        if kind == "qualified_type":
            continue  # `bytes.Buffer`: another package's name
        if kind == "function_declaration" and parent.child_by_field_name("name") == node:
            if parent.child_by_field_name("body") is not None or name in linked:
                defined.add(name)  # (`//go:linkname f pkg.g`: g's body is f's)
            else:
                bodyless.append((name, node.start_point.row + 1, node.start_point.column + 1))
            continue
        if kind in SPECS and node in parent.children_by_field_name("name"):
            (defined if package_level(parent) else local).add(name)
            continue
        if kind in BINDERS and (
            kind == "import_spec" or node in parent.children_by_field_name("name")
        ):
            local.add(name)
            continue
        if kind == "expression_list" and parent.parent is not None:
            outer = parent.parent
            if outer.type in LEFT_BINDERS and outer.child_by_field_name("left") == parent:
                local.add(name)
                continue
            if outer.type == "type_switch_statement" and outer.child_by_field_name("alias") == (
                parent
            ):
                local.add(name)
                continue
        if (
            kind == "literal_element"
            and parent.prev_sibling is None
            and (parent.parent is not None and parent.parent.type == "keyed_element")
        ):
            continue  # a field name in `T{Field: v}`
        if name not in uses:
            uses[name] = (node.start_point.row + 1, node.start_point.column + 1)
    for child in root.children:
        if child.type == "import_declaration":
            names = imported_names(child)
            dot_import = dot_import or "." in names
            local.update(names)
    free = (
        ()
        if dot_import
        else tuple(
            sorted(
                (n, line, col)
                for n, (line, col) in uses.items()
                if n not in defined and n not in local and n not in PREDECLARED
            )
        )
    )
    return GoDecls(package, tuple(sorted(defined)), tuple(bodyless), free)


def package_level(spec: tree_sitter.Node) -> bool:
    """A var/const/type spec of the package, not of a function body."""
    node = spec.parent
    while node is not None and node.type in DECLARATIONS:
        node = node.parent
    return node is not None and node.type == "source_file"


def imported_names(decl: tree_sitter.Node) -> set[str]:
    """The names an import declaration binds: its aliases, or the import path's last part
    (an approximation of the package name, enough to tell it from the package's own names)."""
    names = set()
    specs = [c for c in decl.children if c.type == "import_spec"] + [
        s for c in decl.children if c.type == "import_spec_list" for s in c.children
    ]
    for spec in specs:
        if spec.type != "import_spec":
            continue
        alias = spec.child_by_field_name("name")
        path = spec.child_by_field_name("path")
        if alias is not None:
            names.add(node_text(alias))
        elif path is not None:
            last = node_text(path).strip('"`').rsplit("/", 1)[-1]
            names.add(re.sub(r"^go-|\.v\d+$|-go$", "", last).replace("-", "_"))
    return names


# Go's predeclared identifiers: never the package's own
PREDECLARED = frozenset(
    [
        "any",
        "append",
        "bool",
        "byte",
        "cap",
        "clear",
        "close",
        "comparable",
        "complex",
        "complex64",
        "complex128",
        "copy",
        "delete",
        "error",
        "false",
        "float32",
        "float64",
        "imag",
        "int",
        "int8",
        "int16",
        "int32",
        "int64",
        "iota",
        "len",
        "make",
        "max",
        "min",
        "new",
        "nil",
        "panic",
        "print",
        "println",
        "real",
        "recover",
        "rune",
        "string",
        "true",
        "uint",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "uintptr",
    ]
)


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
