# SPDX-License-Identifier: Apache-2.0
"""The branch tracker: follows a build file's conditionals line by line."""

from __future__ import annotations

import re

from porting_advisor.core import lazy_re
from porting_advisor.core.source import Source
from porting_advisor.scanners.build.conditions import (
    ARCH_SUBJECT,
    FATAL,
    IDENTIFIER,
    QUOTED,
    Branch,
    Chain,
    classify,
)
from porting_advisor.scanners.build.syntax import CASE_ARM, CASE_END, CASE_OPEN, SYNTAX

# `if(NOT CMAKE_SYSTEM_PROCESSOR STREQUAL "x86_64")`, `if (NOT (...))`
CMAKE_NOT = lazy_re.compile(r"\s*\(?\s*NOT\s+(?!.*\b(?:AND|OR)\b)")
# words of a condition that say nothing of what it tests
CONDITION_WORDS = frozenset(
    {"if", "elif", "in", "not", "and", "or", "MATCHES", "STREQUAL", "NOT", "AND", "OR"}
    | {"EQUAL", "test", "x86", "x86_64", "i686", "i386", "AMD64", "amd64", "arm", "aarch64"}
    | {"arm64", "true", "false"}
)


def subjects(chain: Chain) -> frozenset[str]:
    """What the conditions of a chain test: their names outside quotes (`host_cpu_family`,
    `CMAKE_SYSTEM_PROCESSOR`, `cpu_family`)."""
    return frozenset(
        w
        for b in chain.branches
        for w in IDENTIFIER.findall(QUOTED.sub(" ", b.cond))
        if w not in CONDITION_WORDS
    )


MACHINE_FLAG = lazy_re.compile(r"(?<![\w-])-m[\w.=+-]+")


def x86_tuning_only(text: str) -> bool:
    """Does the line only turn x86 code generation features off (simdjson's GCC workaround
    `-mno-avx256-split-unaligned-load`)? Nothing an Arm64 build would need a twin of."""
    flags = MACHINE_FLAG.findall(text)
    return bool(flags) and all(f.startswith("-mno-") for f in flags)


# what an else() branch is, after a branch of each kind
ELSE_KIND = {"x86": "other", "not-x86": "x86"}
# CMake commands that only note a finding: `set(X86 TRUE)`, `set(CPU_TYPE x86_64)`, message()
NOTE_ONLY = lazy_re.compile(r"(?i)\s*(?:set\s*\(\s*\w+\s+[\w\"${}.]+\s*\)(?!.*-)|message\s*\()")


class Tracker:
    """Follows conditionals; answers whether the current line is in an x86-only branch."""

    def __init__(self, src: Source, kind: str) -> None:
        self.src = src
        self.kind = kind
        self.syntax = SYNTAX[kind]
        self.chains: list[Chain] = []
        self.probe_depth = 0
        self.link_depth = 0
        self.in_select_x86 = 0
        self.libraries = True  # does the file name an x86-only library anywhere?
        self.x86_recipe = False  # in a Make rule whose target is named for x86
        # why the current line is not part of the default build (a Make target nothing
        # builds by default), or ''
        self.unbuilt = ""
        self.test_only = False  # the current line builds only tests or benchmarks
        # variables set to a test of the architecture that holds only on x86 (Meson's
        # `use_svml = (host_machine.cpu_family() == 'x86_64' and ...)`): a branch on one is
        # x86-only, as the C preprocessor's derived macros
        self.x86_vars: set[str] = set()
        self.condition_line = False  # the line just stepped opens or continues a chain
        # x86-only architecture tests (line, condition, what they test, nesting depth), and
        # the Arm tests (what, depth): reported at the end unless an Arm test answers them
        self.pending: list[tuple[int, str, frozenset[str], int]] = []
        self.arm_tests: list[tuple[frozenset[str], int]] = []

    def classify(self, cond: str) -> str:
        if cond.lstrip().startswith("!"):
            return ""  # automake's `if !CPU_X86_64`, shell's `if ! ...`
        if self.kind == "cmake" and (m := CMAKE_NOT.match(cond)) is not None:
            # the branch for everything but x86; its else() is the x86 one
            return "not-x86" if classify(cond[m.end() :]) == "x86" else ""
        kind = classify(cond)
        if kind or not self.x86_vars:
            return kind
        words = IDENTIFIER.findall(QUOTED.sub(" ", cond))
        if (
            not self.x86_vars.isdisjoint(words)
            and "not" not in words
            and "NOT" not in words
            and "!" not in cond
        ):
            return "x86"
        return ""

    def conditions(self) -> str:
        """The conditions of every branch the current line is in."""
        return " ".join(c.branches[-1].cond for c in self.chains if c.branches)

    def x86_only(self) -> bool:
        return (
            any(c.current == "x86" for c in self.chains)
            or self.in_select_x86 > 0
            or self.x86_recipe
        )

    def x86_reason(self) -> str:
        """Why the current line is x86-only (see `x86_only`)."""
        branch = next((c.branches[-1] for c in self.chains if c.current == "x86"), None)
        if branch is not None:
            cond = re.sub(r"\s+", " ", branch.cond).strip()
            if self.kind == "cmake" and cond.endswith(")"):
                cond = cond[:-1].rstrip()
            cond = cond[:60]
            return f"in an x86-only branch (line {branch.line}: {cond})"
        if self.x86_recipe:
            return "in a recipe, macro or function named for x86"
        return "in a select() entry for x86"

    def step(self, line: int, text: str) -> bool:
        """Feed one logical line; True when it was control flow (nothing to check on it)."""
        self.condition_line = False
        syn = self.syntax
        if self.kind == "python":
            return self.step_python(line, text)
        if m := CASE_OPEN.match(text):
            self.chains.append(Chain(subject=m.group(1) or m.group(2) or ""))
            return True
        if syn.elif_ is not None and (m := syn.elif_.match(text)) and self.chains:
            self.chains[-1].branches.append(Branch(self.classify(m.group(1)), line, m.group(1)))
            return True
        if syn.open is not None and (m := syn.open.match(text)):
            self.chains.append(Chain([Branch(self.classify(m.group(1)), line, m.group(1))]))
            self.condition_line = True
            return False  # the condition may itself be worth checking (host detection)
        if syn.else_ is not None and syn.else_.match(text) and self.chains:
            ch = self.chains[-1]
            ch.has_else = True
            ch.branches.append(Branch(ELSE_KIND.get(ch.current, ""), line, "else"))
            return True
        if syn.close is not None and syn.close.match(text) and self.chains:
            self.close(line)
            return True
        if CASE_END.match(text) and self.chains:
            self.close(line)
            return True
        if self.chains and self.kind in ("shell", "autotools") and ")" in text:
            m = CASE_ARM.match(text)
            if m and not text.lstrip().startswith(("if", "for", "while")) and "=" not in m.group(1):
                self.chains[-1].indent = -2
                pattern = m.group(1)
                kind = classify(pattern) if pattern.strip() != "*" else "other"
                if pattern.strip() == "*":
                    self.chains[-1].has_else = True
                self.chains[-1].branches.append(Branch(kind, line, pattern))
                rest = m.group(2)
                return not rest.strip() or rest.strip() == ";;"
        if self.chains and FATAL.search(text) and self.chains[-1].has_else:
            self.chains[-1].fatal_else = True
        return False

    def step_python(self, line: int, text: str) -> bool:
        indent = len(text) - len(text.lstrip())
        if text.strip():
            while (
                self.chains
                and indent <= self.chains[-1].indent
                and not (indent == self.chains[-1].indent and re.match(r"\s*(elif|else)\b", text))
            ):
                self.close(line)
        syn = self.syntax
        if syn.elif_ is not None and (m := syn.elif_.match(text)) and self.chains:
            self.chains[-1].branches.append(Branch(classify(m.group(2)), line, m.group(2)))
            return True
        if syn.else_ is not None and syn.else_.match(text) and self.chains:
            ch = self.chains[-1]
            ch.has_else = True
            ch.branches.append(Branch("other" if ch.current == "x86" else "", line, "else"))
            return True
        if syn.open is not None and (m := syn.open.match(text)):
            self.chains.append(
                Chain([Branch(classify(m.group(2)), line, m.group(2))], indent=indent)
            )
            return False
        return False

    def note_content(self, text: str) -> None:
        """Mark the current branch as doing something, unless `text` only records what it
        found (a CMake `set(NAME word)` or `message()`)."""
        if (
            self.chains
            and self.chains[-1].branches
            and not self.condition_line
            and (self.kind != "cmake" or not (NOTE_ONLY.match(text) or x86_tuning_only(text)))
        ):
            self.chains[-1].branches[-1].substantive = True

    def close(self, line: int) -> None:
        ch = self.chains.pop()
        if self.chains and any(b.substantive for b in ch.branches):
            self.chains[-1].branches[-1].substantive = True
        kinds = [b.kind for b in ch.branches]
        arch_test = bool(ARCH_SUBJECT.search(ch.subject)) or any(
            ARCH_SUBJECT.search(b.cond) for b in ch.branches
        )
        if (
            arch_test
            and "x86" in kinds
            and "arm" not in kinds
            and (not ch.has_else or ch.fatal_else)
            and (self.kind != "cmake" or any(b.substantive for b in ch.branches if b.kind == "x86"))
        ):
            first = ch.branches[kinds.index("x86")]
            cond = re.sub(r"\s+", " ", first.cond).strip()
            if self.kind == "cmake" and cond.endswith(")"):
                cond = cond[:-1].rstrip()
            self.pending.append((first.line, cond[:80], subjects(ch), len(self.chains)))
        elif "arm" in kinds and "x86" not in kinds and not ch.subject:
            self.arm_tests.append((subjects(ch), len(self.chains)))

    def finish(self) -> None:
        """Close what is open; report x86-only architecture tests that no test of the same
        thing for Arm at the same level answers (Meson's `if cpu in ['x86', 'x86_64']` ...
        `endif` followed by `if cpu in ['arm', 'aarch64']`)."""
        while self.chains:
            self.close(0)
        for line, cond, names, depth in self.pending:
            if any(d == depth and not names.isdisjoint(n) for n, d in self.arm_tests):
                continue
            self.src.add(
                "build-x86-arch-check",
                line,
                1,
                condition=cond,
                snippet=self.src.line_text(line).strip(),
            )


# A build file for Windows (libsodium's dist-build/msys2-win64.sh, a win32/Makefile,
# a MinGW toolchain file): when the target is Linux it builds nothing for it.
