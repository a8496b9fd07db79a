# SPDX-License-Identifier: Apache-2.0
"""Python build scripts (setup.py, cffi's `_ffi_build.py`) read with `ast`: the parts that
only an x86 machine runs or builds.

`["-mavx2"] if platform.machine() == "x86_64" else []`, `"opt.c" if optimized else "ref.c"`
where `optimized = target_platform in ("x86_64", "AMD64")` and `target_platform` comes from
`platform.machine()`: the x86 side of such a test is blanked before the line checks (its flags
are handled) and the sources named there are recorded as built only for x86. So are the macros
a build helper defines only there (pycryptodome's `HAVE_CPUID_H`, added when a probe that
includes `<cpuid.h>` compiles): for the C preprocessor they are probes that fail on Arm64.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence

from porting_advisor.core import lazy_re
from porting_advisor.core.facts import Defines, DroppedOffX86, Listed, PyExtension, Status
from porting_advisor.core.source import Source
from porting_advisor.scanners.build.conditions import ARCH_SUBJECT, classify_words

X86_INCLUDE = lazy_re.compile(r"#\s*include\s*<(?:\w*intrin|cpuid)\.h>")
X86_FLAG = lazy_re.compile(r"-m(?:sse[\w.]*|ssse3|avx\w*|aes|pclmul|sha|bmi2?|popcnt|fma|f16c)")
SOURCE_PATH = lazy_re.compile(
    r"(?<![\w.$-])([\w.+-][\w./+-]*\.(?:s|S|asm|nasm|c|cc|cpp|cxx))(?![\w.])"
)
# a line with its end, as `ast` counts lines (not at a form feed)
LINE = lazy_re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
# a value that says which machine this is
MACHINE = lazy_re.compile(r"platform\.machine|os\.uname|\bget_platform\b|platform\.processor")
# a C macro a build script passes (`("HAVE_CPUID_H", None)`, `'USE_SSE2'`, `"-DHAVE_X86INTRIN_H"`)
MACRO = lazy_re.compile(r"(?:-D)?([A-Z][A-Z0-9]*_[A-Z0-9_]+)(?:=.*)?")


class Regions(ast.NodeVisitor):
    """Collects the x86-only parts of a module."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines: list[bytes] | None = None  # the text's lines, as `segment` needs them
        self.arch_vars: set[str] = set()  # names holding the machine (`target_platform`)
        self.x86_vars: set[str] = set()  # names holding an x86-only test (`optimized`)
        self.regions: list[ast.AST] = []
        # functions that try to compile x86 code (an x86 header, an x86 flag): their success
        # holds only on x86 (pycryptodome's compiler_supports_aesni)
        self.x86_probes: set[str] = set()
        self.strings: dict[str, str] = {}  # name -> the last string constant assigned to it
        self.dropped: list[tuple[str, int]] = []  # modules removed where an x86 probe fails
        self.extensions: list[tuple[str, tuple[str, ...], int]] = []

    def segment(self, node: ast.AST) -> str:
        """`ast.get_source_segment`, with the lines split once (it splits the whole text
        at every call: 0.4 s on pycryptodome's setup.py)."""
        first, last = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
        start, end = getattr(node, "col_offset", None), getattr(node, "end_col_offset", None)
        if first is None or last is None or start is None or end is None:
            return ""
        if self.lines is None:
            self.lines = [line.encode() for line in LINE.findall(self.text)]
        lines = self.lines[first - 1 : last]
        if len(lines) != last - first + 1:
            return ""
        if len(lines) == 1:
            return lines[0][start:end].decode("utf-8", "replace")
        return b"".join([lines[0][start:], *lines[1:-1], lines[-1][:end]]).decode(
            "utf-8", "replace"
        )

    def names(self, node: ast.AST) -> set[str]:
        return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}

    def x86_test(self, node: ast.expr) -> bool:
        """Does `node` hold only on x86 machines?"""
        if isinstance(node, ast.Name):
            return node.id in self.x86_vars
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return node.func.id in self.x86_probes or self.compiles_x86(node)
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

    def compiles_x86(self, node: ast.Call) -> bool:
        """A call that compiles a program with an x86 header or flag (`test_compilation(
        source_intrin_h, extra_cc_options=['-msse2'])`, the source assigned before)."""
        if not isinstance(node.func, ast.Name) or "compil" not in node.func.id:
            return False
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            if isinstance(arg, ast.Name) and X86_INCLUDE.search(self.strings.get(arg.id, "")):
                return True
            for n in ast.walk(arg):
                if (
                    isinstance(n, ast.Constant)
                    and isinstance(n.value, str)
                    and (X86_INCLUDE.search(n.value) or X86_FLAG.fullmatch(n.value))
                ):
                    return True
        return False

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        for n in ast.walk(node):
            if (
                isinstance(n, ast.Constant)
                and isinstance(n.value, str)
                and (X86_INCLUDE.search(n.value) or X86_FLAG.fullmatch(n.value))
            ):
                self.x86_probes.add(node.name)
                break
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        name = node.func.id if isinstance(node.func, ast.Name) else ""
        if name == "Extension" and node.args and isinstance(node.args[0], ast.Constant):
            sources = next((k.value for k in node.keywords if k.arg == "sources"), None)
            if isinstance(sources, ast.List) and isinstance(node.args[0].value, str):
                names = tuple(
                    e.value
                    for e in sources.elts
                    if isinstance(e, ast.Constant) and isinstance(e.value, str)
                )
                self.extensions.append((node.args[0].value, names, node.lineno))
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
        value = node.value
        texts = [
            n.value
            for n in ast.walk(value)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)
        ]
        for name in targets:
            if texts:
                self.strings[name] = texts[-1]
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
                self.removed(body)
        elif self.x86_test(test):
            self.regions.extend(body)
            self.removed(orelse)

    def removed(self, nodes: Sequence[ast.AST]) -> None:
        """Extension modules removed in `nodes`, the side other machines take
        (`remove_extension(extensions, aesni_mod_name)`, `extensions.remove(...)`)."""
        for node in nodes:
            for n in ast.walk(node):
                if not isinstance(n, ast.Call) or not n.args:
                    continue
                func = n.func
                called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if "remove" not in called:
                    continue
                arg = n.args[-1]
                module = ""
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    module = arg.value
                elif isinstance(arg, ast.Name):
                    module = self.strings.get(arg.id, "")
                if module.strip("."):
                    self.dropped.append((module, n.lineno))


def x86_macros(tree: ast.AST, regions: list[ast.AST]) -> list[str]:
    """Macro names the module passes only in its x86-only parts: a name it also writes
    anywhere else (another branch, a default) may be defined on Arm64 too and is left out."""
    inside: set[int] = set()
    names: set[str] = set()
    for node in regions:
        for n in ast.walk(node):
            inside.add(id(n))
            if isinstance(n, ast.Constant) and isinstance(n.value, str):
                m = MACRO.fullmatch(n.value)
                if m is not None:
                    names.add(m.group(1))
    if not names:
        return []
    for n in ast.walk(tree):
        if id(n) not in inside and isinstance(n, ast.Constant) and isinstance(n.value, str):
            m = MACRO.fullmatch(n.value)
            if m is not None:
                names.discard(m.group(1))
    return sorted(names)


def x86_parts(src: Source) -> str:
    """The text with its x86-only parts blanked (same length, same lines); records the
    sources named in those parts as x86-only listings."""
    text = src.text
    if not (
        "machine" in text
        or "uname" in text
        or "get_platform" in text
        or "Extension(" in text
        or "remove" in text
        or "compil" in text
    ):
        return text
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return text
    finder = Regions(text)
    finder.visit(tree)
    for module, sources, at in finder.extensions:
        src.facts.append(PyExtension(module, sources, at))
    for module, at in finder.dropped:
        src.facts.append(DroppedOffX86(module, at))
    if macros := x86_macros(tree, finder.regions):
        # defined only where an x86 test or probe holds: never on Arm64 ("0" is a condition
        # the target never meets, as for a CMake header probe that fails)
        src.facts.append(Defines(tuple((m, "1", Status.ACTIVE, ("0",)) for m in macros)))
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
