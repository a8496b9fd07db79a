# SPDX-License-Identifier: Apache-2.0
"""What one build file names for the build it is part of: the `BuildReach` fact.

The reachability pass (`passes/reach.py`) follows these from the tree's top build files down
to the C/C++/asm files some target builds. Here each file is read on its own and generously:
every word it uses in what its default build runs counts (paths, objects, directories, globs,
Python strings), a value not known here becomes `*`. Only what the file itself says is not
run is left out: Make conditionals on the file's own variables (`ifeq ($(DISPATCH),1)` where
nothing sets DISPATCH), Make targets the default goal, `all` and `install` do not reach, CMake
commands in branches the default Arm64 configuration does not take or on `EXCLUDE_FROM_ALL`
targets, and Make list variables, kept apart so that the pass counts them only where some
build file refers to them.
"""

from __future__ import annotations

import ast
import posixpath
import re

from porting_advisor.core import lazy_re
from porting_advisor.core.facts import BuildReach
from porting_advisor.core.source import Source
from porting_advisor.scanners.build import cmake
from porting_advisor.scanners.build.listings import DIST_LIST
from porting_advisor.scanners.build.make import DEFAULT_GOAL, RULE, TARGET_VAR, made, named_target
from porting_advisor.scanners.build.syntax import SYNTAX, logical_lines

UNKNOWN = "\x00"  # a value not known here; `*` in the fact
# the innermost `$(...)` / `${...}`, the automatic and one-letter Make variables, `@VAR@`
REFERENCE = lazy_re.compile(r"\$[({]([^$(){}]*)[)}]")
SHORT_REFERENCE = lazy_re.compile(r"\$(?:[@<^*?+|%]|\$\w*|[A-Za-z](?![\w(]))|\$ENV\{\w*\}|@\w+@")
SPLIT = lazy_re.compile(r"[\s\"'(),;=\[\]{}<>|&:`!\\]+")
# Make conditionals
IF_MAKE = lazy_re.compile(r"^\s*(?:else\s+)?(ifeq|ifneq|ifdef|ifndef)\b\s*(.*)$")
IF_AUTOMAKE = lazy_re.compile(r"^if[ \t]+!?\w+[ \t]*$")
ELSE = lazy_re.compile(r"^\s*else\s*$")
ENDIF = lazy_re.compile(r"^\s*endif\b")
INCLUDE = lazy_re.compile(r"^\s*-?s?include\s+(.*)$")
ASSIGN = lazy_re.compile(r"^\s*(?:override\s+|export\s+)?([\w.-]+)\s*([+:?!]?)=\s*(.*)$")
# what automake and Make themselves read by the variable's name
AUTOMAKE_USED = lazy_re.compile(
    r"(?:_SOURCES|_LIBADD|_LDADD|_DEPENDENCIES|_PROGRAMS|_LIBRARIES|_LTLIBRARIES|_HEADERS)$"
    r"|^(?:SUBDIRS|BUILT_SOURCES|VPATH)$"
)
# targets that never belong to a default build: cleaning, tests, benchmarks, packaging
NON_BUILD = lazy_re.compile(
    r"(?i)(?:^|[_.-])(?:clean|distclean|mostlyclean|check|tests?|bench\w*|benchmarks?|fuzz\w*"
    r"|lint|format|docs?|dist\w*|uninstall|help|list)(?:[_.\d-]|$)"
)
# a file that builds nothing for Linux (an nmake or Visual Studio makefile)
WINDOWS_MAKE = lazy_re.compile(r"(?i)nmake|\.(?:msc|msvc|vc|win|mingw|bor)$|(?:^|/)win(?:32|64)?/")
# Python calls that list directories: what such a script builds is not known statically
LISTS_DIRS = frozenset({"walk", "listdir", "scandir", "iterdir"})
# build tools a Python build script may run (`subprocess.run(["make", "-f", "Makefile.unx"])`)
RUNS_BUILD = frozenset(
    {"make", "gmake", "nmake", "cmake", "meson", "ninja", "./configure", "configure", "sh", "bash"}
)
MESON_TARGET = lazy_re.compile(
    r"\b(?:executable|(?:shared_|static_|both_)?library|shared_module|extension_module|subdir)\s*\("
)
PY_SOURCE = lazy_re.compile(r"""['"]([\w./+-]+\.(?:c|cc|cpp|cxx|C|s|S|asm|nasm|h|hpp))['"]""")


def flatten(text: str, refs: set[str] | None = None) -> str:
    """`text` with every variable reference replaced by UNKNOWN (recorded in `refs`, a
    computed part as `*`) and every Make function call by its arguments."""

    def one(m: re.Match[str]) -> str:
        body = m.group(1)
        if " " in body.strip() or "," in body:
            return " " + body.partition(" ")[2].replace(",", " ") + " "  # a function call
        name = body.split(":", 1)[0].strip()
        if refs is not None and name:
            refs.add(name.replace(UNKNOWN, "*"))
        return UNKNOWN

    if "$" not in text:
        return SHORT_REFERENCE.sub(UNKNOWN, text) if "@" in text else text
    for _ in range(8):
        new = REFERENCE.sub(one, text)
        if new == text:
            break
        text = new
    return SHORT_REFERENCE.sub(UNKNOWN, text)


def words(text: str) -> list[str]:
    """The words of flattened text that may name a file or a directory."""
    out = []
    for w in SPLIT.split(text):
        if not w or w.startswith("-") or "%" in w or "$" in w or w.isdigit():
            continue
        if "*" in w and not re.search(r"\w", w.replace("*", "").rpartition("/")[2] or "/"):
            continue  # a glob of everything (`*`, `*/`), or comment art (`/**`)
        if UNKNOWN in w and "*" in w:
            out.append(re.sub(r"[\x00*]+", "*", w))  # a glob in a directory not known here
            continue
        if UNKNOWN in w and "*" not in w:
            rest = w.replace(UNKNOWN, "")
            # (an unknown value alone, or with only an extension, names nothing in itself:
            # the variable's own words count where it is set)
            if not re.search(r"[\w-]{2}", rest.rpartition(".")[0] if "/" not in rest else rest):
                continue
            w = re.sub(r"\x00+", "*", w)
        out.append(w)
    return out


def record(src: Source, kind: str, windows: bool = False) -> None:
    """The `BuildReach` fact of one build file of `kind` (make, cmake, meson, autotools,
    shell, bazel, python); `windows`: a build for Windows, which builds nothing for Linux."""
    name = posixpath.basename(src.file)
    if windows or (kind == "make" and WINDOWS_MAKE.search(src.file)):
        src.facts.append(BuildReach(kind, False, (), (), (), ""))
        return
    if kind == "make":
        fact = make_reach(src.text, name.endswith(".am"))
    elif kind == "cmake":
        fact = cmake_reach(src.text, src.options.target_os)
    elif kind == "python":
        fact = python_reach(src.text)
    else:
        syntax = SYNTAX[kind]
        names: list[str] = []
        for _, text, _ in logical_lines(src.text, syntax):
            names += words(flatten(text))
        entry = (kind == "meson" and MESON_TARGET.search(src.text) is not None) or (
            kind == "autotools" and "AC_CONFIG_FILES" in src.text
        )
        fact = BuildReach(kind, entry, tuple(dict.fromkeys(names)), (), (), "")
    src.facts.append(fact)


def python_lists(src: Source) -> None:
    """A Python module that lists C sources in strings (gRPC's grpc_core_dependencies.py,
    which its setup.py imports): what it names, for when a build script imports it."""
    if ".c" not in src.text and ".S" not in src.text and ".asm" not in src.text:
        return
    names = tuple(dict.fromkeys(m.group(1) for m in PY_SOURCE.finditer(src.text)))
    if names:
        src.facts.append(BuildReach("python", False, names, (), (), ""))


# --- Make ---------------------------------------------------------------------------------


class MakeValues:
    """The values of a Makefile's own variables where the file alone decides them: set once
    to a plain value, or never set in a file that includes no other (then empty, as when
    the user passes nothing)."""

    def __init__(self, lines: list[str], closed: bool) -> None:
        self.closed = closed
        self.values: dict[str, str | None] = {}
        for text in lines:
            m = ASSIGN.match(text)
            if m is None or text.startswith("\t"):
                continue
            var, op, value = m.groups()
            known = "$" not in value and var not in self.values and op != "+"
            self.values[var] = value.strip() if known else None

    def expand(self, text: str) -> str | None:
        """The text with the file's variables substituted, or None when one is not known."""
        failed = False

        def one(m: re.Match[str]) -> str:
            nonlocal failed
            body = m.group(1)
            if " " in body.strip() or "," in body or ":" in body:
                failed = True  # a function call or substitution reference
                return ""
            if body in self.values:
                value = self.values[body]
                if value is None:
                    failed = True
                    return ""
                return value
            if not self.closed:
                failed = True
            return ""

        for _ in range(4):
            if "$" not in text:
                return text
            text = REFERENCE.sub(one, text)
            if failed:
                return None
        return None if "$" in text else text

    def condition(self, keyword: str, rest: str) -> bool | None:
        rest = rest.strip()
        if keyword in ("ifdef", "ifndef"):
            value = self.expand(f"$({rest})")
            if value is None:
                return None
            return bool(value) == (keyword == "ifdef")
        pair = split_condition(rest)
        if pair is None:
            return None
        a, b = (self.expand(p) for p in pair)
        if a is None or b is None:
            return None
        return (a.strip() == b.strip()) == (keyword == "ifeq")


def split_condition(rest: str) -> tuple[str, str] | None:
    """The two sides of `(a,b)` or `"a" "b"`."""
    if rest.startswith("(") and rest.endswith(")"):
        body, depth = rest[1:-1], 0
        for i, c in enumerate(body):
            depth += c == "("
            depth -= c == ")"
            if c == "," and depth == 0:
                return body[:i], body[i + 1 :]
        return None
    m = re.fullmatch(r"""(["'])(.*?)\1\s+(["'])(.*?)\3""", rest)
    return (m.group(2), m.group(4)) if m else None


def make_reach(text: str, automake: bool) -> BuildReach:
    """Make / automake: the words of the lines the default build runs."""
    lines = [t for _, t, _ in logical_lines(text, SYNTAX["make"])]
    closed = not any(INCLUDE.match(t) for t in lines if not t.startswith("\t"))
    values = MakeValues(lines, closed)
    stack: list[bool | None] = []
    # (kind, targets, text) per active line: "rule", "recipe" (of the last rule), "assign",
    # "other"
    items: list[tuple[str, list[str], str]] = []
    targets: list[str] = []
    entry = False
    for t in lines:
        if not t.strip():
            continue
        if not t.startswith("\t"):
            if m := IF_MAKE.match(t):
                value = values.condition(m.group(1), m.group(2))
                if t.lstrip().startswith("else"):
                    if stack:
                        stack[-1] = flip(stack[-1], value)
                else:
                    stack.append(value)
                continue
            if automake and IF_AUTOMAKE.match(t):
                stack.append(None)
                continue
            if ELSE.match(t):
                if stack:
                    stack[-1] = None if stack[-1] is None else not stack[-1]
                continue
            if ENDIF.match(t):
                if stack:
                    stack.pop()
                continue
        if any(s is False for s in stack):
            continue
        if t.startswith("\t"):
            items.append(("recipe", targets, t))
            continue
        rule = RULE.match(t)
        if rule is not None and "=" not in rule.group(1) and not DEFAULT_GOAL.match(t):
            targets = rule.group(1).split()
            entry = entry or any("%" not in x and not x.startswith(".") for x in targets)
            if TARGET_VAR.match(rule.group(2)):
                setting = ASSIGN.match(rule.group(2))
                items.append(("recipe", targets, setting.group(3) if setting else ""))
            else:
                items.append(("rule", targets, t))
            continue
        if m := ASSIGN.match(t):
            var = m.group(1)
            entry = entry or (automake and AUTOMAKE_USED.search(var) is not None)
            items.append(("assign", [var], m.group(3)))
            continue
        items.append(("other", [], t))
    reached = reached_targets(items, values) if closed and not automake else None
    names: list[str] = []
    lists: dict[str, list[str]] = {}
    refs: set[str] = set()
    for kind, owners, t in items:
        if kind in ("rule", "recipe") and not runs(owners, reached):
            continue
        if kind == "assign":
            var = owners[0]
            if DIST_LIST.search(var) and not AUTOMAKE_USED.search(var):
                continue  # shipped, not built (EXTRA_DIST, dist_doc_DATA)
            found = words(flatten(t, refs))
            if AUTOMAKE_USED.search(var):
                names += found
            else:
                lists.setdefault(var, []).extend(found)
            continue
        names += words(flatten(t, refs))
    return BuildReach(
        "make",
        entry,
        tuple(dict.fromkeys(names)),
        tuple((v, tuple(dict.fromkeys(w))) for v, w in lists.items() if w),
        tuple(sorted(refs)),
        "",
    )


def flip(taken: bool | None, value: bool | None) -> bool | None:
    """The state of an `else ifeq` branch after a branch whose state was `taken`."""
    if taken is True:
        return False
    if taken is None:
        return None if value is not False else False
    return value


def runs(owners: list[str], reached: set[str] | None) -> bool:
    """Does the default build run the rule (or recipe) of `owners`? (In a Makefile whose
    goals are not known here, all but cleaning, test and packaging targets.)"""
    if reached is None:
        return not all(NON_BUILD.search(o) and "%" not in o for o in owners)
    return any("%" in o or "$" in o or o in reached for o in owners)


def reached_targets(items: list[tuple[str, list[str], str]], values: MakeValues) -> set[str]:
    """The targets the default goal, `all` and `install` reach through their prerequisites
    (of a Makefile that includes no other)."""
    prerequisites: dict[str, list[str]] = {}
    goal = ""
    for kind, owners, t in items:
        if kind == "other" and (m := DEFAULT_GOAL.match(t)):
            goal = m.group(1)
        if kind != "rule":
            continue
        rule = RULE.match(t)
        deps = rule.group(2).split(";", 1)[0] if rule else ""
        expanded = values.expand(deps)
        deps_words = (expanded if expanded is not None else flatten(deps)).split()
        for o in owners:
            name = values.expand(o) or o
            prerequisites.setdefault(name, []).extend(deps_words)
            if not goal and named_target(o):
                goal = o
    return made(prerequisites, goal)


# --- CMake --------------------------------------------------------------------------------

TARGET_COMMANDS = frozenset({"add_library", "add_executable", "add_subdirectory"})


def cmake_reach(text: str, target_os: str) -> BuildReach:
    """CMake: the words of the commands the default Arm64 configuration runs."""
    model = cmake.Model(target_os)
    names: list[str] = []
    entry = False
    for _, command, _ in cmake.commands(text):
        if model.step(command):
            continue  # a branch not taken, or a command on a target the build does not make
        m = cmake.COMMAND.match(command)
        if m is None:
            continue
        name = m.group(1).lower()
        if name in TARGET_COMMANDS:
            entry = True
            if "EXCLUDE_FROM_ALL" in m.group(2).split():
                continue
        body = m.group(2)
        if name == "aux_source_directory":
            body = body.split()[0] + "/*" if body.split() else ""
        names += words(flatten(body))
    return BuildReach("cmake", entry, tuple(dict.fromkeys(names)), (), (), "")


# --- Python build scripts ------------------------------------------------------------------


def python_reach(text: str) -> BuildReach:
    """setup.py, cffi's build scripts: every string constant (paths joined with
    `os.path.join`, `Path(...) / ...` where all parts are constants), the modules imported
    (`name.py`), `cffi_modules` entries (`path.py:ffi`)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return BuildReach("python", True, (), (), (), "it does not parse")
    constants: dict[str, str] = {}
    names: list[str] = []
    doubt = ""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and (value := joined(node.value, constants)):
                constants[target.id] = value
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if len(node.value) < 400:
                names += [w for w in re.split(r"[\s:]+", node.value) if w]
        elif isinstance(node, ast.Import):
            names += [a.name.rpartition(".")[2] + ".py" for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            names += [module.rpartition(".")[2] + ".py"] if module else []
            names += [a.name + ".py" for a in node.names]
        elif isinstance(node, ast.Call | ast.BinOp) and (value := joined(node, constants)):
            names.append(value)
        if isinstance(node, ast.Call) and not doubt:
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in LISTS_DIRS:
                doubt = f"it lists directories ({called}, line {node.lineno})"
    kept = [w for w in names if not w.startswith("-") and len(w) < 300]
    # (a script that runs a build tool builds in the directories it names: "python-run")
    kind = "python-run" if RUNS_BUILD.intersection(kept) else "python"
    return BuildReach(kind, True, tuple(dict.fromkeys(kept)), (), (), doubt)


def joined(node: ast.AST, constants: dict[str, str]) -> str:
    """The path an expression builds from constants: `os.path.join("src", "isal")`,
    `Path("extras") / "libargon2"`, a name bound to one; '' when it is not one."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return constants.get(node.id, "")
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        a, b = joined(node.left, constants), joined(node.right, constants)
        return posixpath.join(a, b) if a and b else ""
    if isinstance(node, ast.Call) and node.args and not node.keywords:
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if called in ("join", "Path", "PurePath", "PosixPath"):
            parts = [joined(a, constants) for a in node.args]
            if all(parts) and (called != "join" or "path" in ast.unparse(func)):
                return posixpath.join(*parts)
    return ""
