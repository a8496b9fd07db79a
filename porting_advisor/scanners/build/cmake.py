# SPDX-License-Identifier: Apache-2.0
"""CMake: the file read as commands, not lines.

A command is `name(arguments)` with its parentheses balanced, however many lines it spans
(`if(A OR\\n B)`) or however many share a line (`if(X86) set(F -msse2) endif()`). Comments
(`# ...` and bracket comments `#[==[ ... ]==]`) are blanked; quoted strings and bracket
arguments are kept as they are, so a `#` or a parenthesis inside them is text.
"""

from __future__ import annotations

import re

from porting_advisor.core import lazy_re
from porting_advisor.core.memo import last_call

BRACKET_OPEN = lazy_re.compile(r"\[(=*)\[")
NAME = lazy_re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
SPECIAL = lazy_re.compile(r'[()"#\[]')
# from one command to the next thing that can start a command or a comment
NEXT = lazy_re.compile(r"[#A-Za-z_]")


def blank(text: str, start: int, end: int, out: list[str]) -> None:
    """Blank text[start:end] in `out`, keeping its newlines (and so every offset and line)."""
    for i in range(start, end):
        if out[i] != "\n":
            out[i] = " "


# (the reachability record and the checks of one CMake file each ask for them)
@last_call
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


# --- the configuration the default Arm64 build gets -------------------------------------

# What CMake itself sets when it configures for Linux on Arm64
TARGET_VARIABLES = {
    "CMAKE_SYSTEM_PROCESSOR": "aarch64",
    "CMAKE_HOST_SYSTEM_PROCESSOR": "aarch64",
    "CMAKE_SYSTEM_NAME": "Linux",
    "CMAKE_HOST_SYSTEM_NAME": "Linux",
    "UNIX": "1",
    "LINUX": "1",
    "WIN32": "",
    "APPLE": "",
    "MSVC": "",
    "MINGW": "",
    "CYGWIN": "",
    "CMAKE_CROSSCOMPILING": "",
}
TRUE_WORDS = frozenset({"1", "ON", "YES", "TRUE", "Y"})
FALSE_WORDS = frozenset({"0", "OFF", "NO", "FALSE", "N", "IGNORE", "NOTFOUND", ""})
UNARY = frozenset({"EXISTS", "COMMAND", "DEFINED", "TARGET", "POLICY", "TEST", "IS_DIRECTORY"})
BINARY = frozenset(
    {
        "STREQUAL",
        "MATCHES",
        "EQUAL",
        "LESS",
        "GREATER",
        "LESS_EQUAL",
        "GREATER_EQUAL",
        "STRLESS",
        "STRGREATER",
        "VERSION_LESS",
        "VERSION_GREATER",
        "VERSION_EQUAL",
        "VERSION_LESS_EQUAL",
        "VERSION_GREATER_EQUAL",
        "IN_LIST",
        "IS_NEWER_THAN",
        "PATH_EQUAL",
    }
)
ARGUMENT = lazy_re.compile(r'"((?:[^"\\]|\\.)*)"|\[(=*)\[.*?\]\2\]|([^\s()"]+)|([()])', re.S)
REFERENCE = lazy_re.compile(r"\$\{(\w+)\}")
COMMAND = lazy_re.compile(r"\s*(\w+)\s*\((.*)\)\s*$", re.S)
# check_include_file(arm_neon.h HAVE_NEON): what the probe finds on an Arm64 Linux system
ARM_HEADERS = frozenset({"arm_neon.h", "arm_acle.h", "arm_sve.h"})
X86_HEADERS = lazy_re.compile(r"(?:\w*intrin|cpuid)\.h$")
PROBES = frozenset({"check_include_file", "check_include_files", "check_include_file_cxx"})
# commands whose first argument is a target
ON_TARGET = lazy_re.compile(
    r"(?i)target_(?:compile_options|compile_definitions|link_libraries|link_options|sources)"
    r"|set_target_properties"
)
Value = str | None  # None: not known here (set in another file, or by the user)


def arguments(text: str) -> list[tuple[str, bool]]:
    """(argument, quoted) for each argument of a command, parentheses as their own."""
    out = []
    for m in ARGUMENT.finditer(text):
        if m.group(1) is not None:
            out.append((m.group(1), True))
        elif m.group(3) is not None:
            out.append((m.group(3), False))
        elif m.group(4) is not None:
            out.append((m.group(4), False))
        else:
            out.append((m.group(0), True))
    return out


class Model:
    """A small evaluator of one CMakeLists.txt for the default Arm64 configuration: options
    at their defaults, the target's system variables, header probes answered for Arm64,
    if()/elseif()/else() decided where every value is known, and the targets the default
    build makes (not EXCLUDE_FROM_ALL, not added in a branch it does not take). A value
    set in another file or by the user is unknown, and so is any branch that depends on it."""

    def __init__(self, target_os: str = "linux") -> None:
        # (for a Windows or any-OS target only the processor is known)
        self.vars: dict[str, Value] = (
            dict(TARGET_VARIABLES)
            if target_os == "linux"
            else {k: v for k, v in TARGET_VARIABLES.items() if "PROCESSOR" in k}
        )
        self.set_here: set[str] = set()  # variables this file gives a value to
        # per open if(): (taken so far: True/False/None, this branch's state, its reason)
        self.stack: list[tuple[Value | bool | None, bool | None, str]] = []
        self.unbuilt: dict[str, str] = {}  # target -> why the default build skips it
        self.built: set[str] = set()
        self.target: str | None = None  # the target the last command was about
        # header probes settled for Arm64 (`HAVE_INTRIN_H`: False), for the C preprocessor
        self.probes: dict[str, bool] = {}

    # -- values

    def expand(self, text: str) -> Value:
        def one(m: re.Match[str]) -> str:
            value = self.vars.get(m.group(1))
            if value is None:
                raise KeyError(m.group(1))
            return value

        for _ in range(4):
            if "${" not in text:
                return text
            try:
                text = REFERENCE.sub(one, text)
            except KeyError:
                return None
        return None

    def truth(self, word: str, quoted: bool) -> bool | None:
        value = self.expand(word)
        if value is None:
            return None
        upper = value.upper()
        if upper in TRUE_WORDS or (upper.lstrip("-").isdigit() and upper not in ("0", "-0")):
            return True
        if upper in FALSE_WORDS or upper.endswith("-NOTFOUND"):
            return False
        if quoted:
            return None  # a quoted string that is no constant: CMake's rules differ by policy
        if value in self.vars:
            inner = self.vars[value]
            if inner is None:
                return None
            return not (inner.upper() in FALSE_WORDS or inner.upper().endswith("-NOTFOUND"))
        return None  # a variable this file does not set

    def operand(self, word: str, quoted: bool) -> Value:
        if not quoted and word in self.vars:
            return self.vars[word]
        if not quoted and VARIABLE_LIKE.fullmatch(word):
            return None  # a variable another file may set
        return self.expand(word)

    # -- conditions

    def condition(self, args: list[tuple[str, bool]]) -> bool | None:
        try:
            value, rest = self.or_(args)
        except (IndexError, re.error):
            return None
        return value if not rest else None

    def or_(self, a: list[tuple[str, bool]]) -> tuple[bool | None, list[tuple[str, bool]]]:
        left, a = self.and_(a)
        while a and a[0] == ("OR", False):
            right, a = self.and_(a[1:])
            left = (
                True
                if left is True or right is True
                else (None if None in (left, right) else False)
            )
        return left, a

    def and_(self, a: list[tuple[str, bool]]) -> tuple[bool | None, list[tuple[str, bool]]]:
        left, a = self.not_(a)
        while a and a[0] == ("AND", False):
            right, a = self.not_(a[1:])
            left = (
                False
                if left is False or right is False
                else (None if None in (left, right) else True)
            )
        return left, a

    def not_(self, a: list[tuple[str, bool]]) -> tuple[bool | None, list[tuple[str, bool]]]:
        if a and a[0] == ("NOT", False):
            value, rest = self.not_(a[1:])
            return (None if value is None else not value), rest
        return self.primary(a)

    def primary(self, a: list[tuple[str, bool]]) -> tuple[bool | None, list[tuple[str, bool]]]:
        word, quoted = a[0]
        if word == "(" and not quoted:
            value, rest = self.or_(a[1:])
            if rest and rest[0] == (")", False):
                rest = rest[1:]
            return value, rest
        if not quoted and word in UNARY:
            name = a[1][0]
            if word == "DEFINED" and name in self.vars:
                return self.vars[name] is not None or name in self.set_here, a[2:]
            return None, a[2:]
        if len(a) >= 3 and not a[1][1] and a[1][0] in BINARY:
            left, right = self.operand(*a[0]), self.operand(*a[2])
            op = a[1][0]
            if left is None or right is None:
                return None, a[3:]
            if op == "STREQUAL":
                return left == right, a[3:]
            if op == "MATCHES":
                return re.search(right, left) is not None, a[3:]
            return None, a[3:]
        return self.truth(word, quoted), a[1:]

    # -- commands

    def state(self) -> tuple[bool | None, str]:
        """Whether the current command runs in the default configuration (None: unknown),
        and why not."""
        for _, branch, why in reversed(self.stack):
            if branch is False:
                return False, why
        return (None if any(b is None for _, b, _ in self.stack) else True), ""

    def step(self, text: str) -> str:
        """Feed one command; why the default Arm64 build does not run it ('' when it does,
        or when that is not known)."""
        m = COMMAND.match(text)
        self.target = None
        if m is None:
            return ""
        name, args = m.group(1).lower(), arguments(m.group(2))
        if name in ("if", "elseif", "else", "endif"):
            return self.branch(name, args)
        if name in BLOCK_OPEN:
            self.stack.append((None, None, ""))
            return ""
        if name in BLOCK_CLOSE:
            if self.stack:
                self.stack.pop()
            return ""
        runs, why = self.state()
        if name in PROBES and len(args) >= 2 and runs is False:
            self.probes[args[1][0]] = False  # a probe the configuration never runs
        if runs is False:
            return why
        if name == "option" and args:
            default = self.expand(args[2][0]) if len(args) > 2 else "OFF"
            self.assign(args[0][0], default if runs else None, keep=True)
        elif name == "set" and args:
            var, values = args[0][0], [v for v, _ in args[1:]]
            if "PARENT_SCOPE" in values:
                return ""  # (sets nothing in this scope)
            cache = "CACHE" in values
            if cache:
                values = values[: values.index("CACHE")]
            value = self.expand(" ".join(values)) if runs else None
            self.assign(var, value, keep=cache and "FORCE" not in [v for v, _ in args])
        elif name in PROBES:
            if len(args) >= 2:
                headers = args[0][0].split(";")
                found: Value = None
                if any(X86_HEADERS.search(h) for h in headers):
                    found = ""
                elif all(h in ARM_HEADERS for h in headers):
                    found = "1"
                self.assign(args[1][0], found if runs else None)
                if runs and found is not None:
                    self.probes[args[1][0]] = bool(found)
        elif name in ("add_library", "add_executable") and args:
            target = args[0][0]
            if "EXCLUDE_FROM_ALL" in [v for v, q in args if not q]:
                self.unbuilt[target] = f"target `{target}` is EXCLUDE_FROM_ALL"
            elif runs:
                self.built.add(target)
        elif ON_TARGET.match(name) and args:
            target = self.target = args[0][0]
            if target in self.unbuilt and target not in self.built:
                return f"on {self.unbuilt[target]}; the default build does not make it"
        else:
            # another command may write a variable it is given by name (list(APPEND X ...),
            # string(... X), check_c_compiler_flag(... X)): that variable is no longer known
            for word, quoted in args:
                if not quoted and word in self.set_here and word not in TARGET_VARIABLES:
                    self.vars[word] = None
        return ""

    def assign(self, var: str, value: Value, keep: bool = False) -> None:
        if keep and var in self.set_here:
            return  # a cache entry keeps the value it has
        self.set_here.add(var)
        self.vars[var] = value if self.state()[0] is True else None

    def branch(self, name: str, args: list[tuple[str, bool]]) -> str:
        cond = " ".join(w for w, _ in args)[:60]
        if name == "if":
            outer, _ = self.state()
            value = self.condition(args) if outer is not False else False
            self.stack.append((value, value, self.why(cond, value)))
        elif name == "elseif" and self.stack:
            taken, _, _ = self.stack[-1]
            value = False if taken is True else self.condition(args)
            if taken is None and value is not None:
                value = False if value is False else None
            now = (
                True
                if taken is True or value is True
                else (None if None in (taken, value) else False)
            )
            self.stack[-1] = (now, value, self.why(cond, value))
        elif name == "else" and self.stack:
            taken, _, _ = self.stack[-1]
            value = None if taken is None else not taken
            self.stack[-1] = (
                True,
                value,
                "in the else() of a branch the default configuration takes",
            )
        elif name == "endif" and self.stack:
            self.stack.pop()
        return ""

    def why(self, cond: str, value: bool | None) -> str:
        if value is not False:
            return ""
        names = [w for w in IDENT.findall(cond) if w in self.set_here]
        known = ", ".join(
            f"{n}={self.vars[n] or 'OFF'}" for n in names[:2] if self.vars.get(n) is not None
        )
        return f"in `if({cond})`, which the default Arm64 configuration does not take" + (
            f" ({known})" if known else ""
        )


IDENT = lazy_re.compile(r"[A-Za-z_]\w*")
VARIABLE_LIKE = lazy_re.compile(r"CMAKE_\w+|[A-Z][A-Z0-9]*_[A-Z0-9_]+")
# blocks whose commands run a number of times not known here (or never: a function not called)
BLOCK_OPEN = frozenset({"function", "macro", "foreach", "while"})
BLOCK_CLOSE = frozenset({"endfunction", "endmacro", "endforeach", "endwhile"})
