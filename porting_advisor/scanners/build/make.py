# SPDX-License-Identifier: Apache-2.0
"""Make: which targets of one Makefile its default build makes.

`make` builds the default goal (the first target, or `.DEFAULT_GOAL`), and packagers also run
`make all` and `make install`; the targets those reach through their prerequisites are built.
A target none of them reaches (lz4's `all32: CFLAGS += -m32`, xxhash's `benchHash_hw`) is a
variant the user asks for by name: its target-specific flags and its recipe are not part of
the default build. Variables are expanded from the file's plain assignments only; a Makefile
with no rules (an included fragment) tells nothing and everything counts as built.
"""

from __future__ import annotations

from porting_advisor.core import lazy_re

# `targets: prerequisites` or `targets: VAR += value` (a target-specific variable); not `:=`
RULE = lazy_re.compile(r"^([^\t#=:][^#=:]*?)[ \t]*::?(?!=)(.*)$")
TARGET_VAR = lazy_re.compile(r"^\s*(?:override\s+|export\s+)?[\w.-]+\s*[+:?!]?=")
ASSIGN = lazy_re.compile(r"^\s*(?:override\s+|export\s+)?([\w.-]+)\s*[+:?]?=\s*(.*)$")
VARIABLE = lazy_re.compile(r"\$[({]([\w.-]+)[)}]")
DEFAULT_GOAL = lazy_re.compile(r"^\s*\.DEFAULT_GOAL\s*:?=\s*(\S+)")
DIRECTIVE = lazy_re.compile(r"^\s*(?:ifeq|ifneq|ifdef|ifndef|else|endif|include|-include|define)\b")
# what packagers build besides the default goal
ALSO_BUILT = ("all", "install")


def named_target(target: str) -> bool:
    """A target by its own name: not a special target (`.PHONY`), a pattern or a variable."""
    return not target.startswith(".") and "%" not in target and "$" not in target


def made(prerequisites: dict[str, list[str]], goal: str) -> set[str]:
    """The targets `goal`, `all` and `install` reach through their prerequisites."""
    out: set[str] = set()
    todo = [goal, *ALSO_BUILT]
    while todo:
        t = todo.pop()
        if t in out:
            continue
        out.add(t)
        todo.extend(prerequisites.get(t, ()))
    return out


def expand(words: str, variables: dict[str, str], depth: int = 0) -> list[str]:
    """The words of `words` with `$(NAME)` replaced by the file's own value (a few levels)."""
    if depth < 4 and "$" in words:
        words = VARIABLE.sub(lambda m: variables.get(m.group(1), m.group(0)), words)
        return expand(words, variables, depth + 1)
    return words.split()


class MakeModel:
    """The targets of one Makefile that its default build does not make."""

    def __init__(self, lines: list[tuple[int, str, list[tuple[int, int]]]]) -> None:
        variables: dict[str, str] = {}
        rules: list[tuple[list[str], list[str]]] = []
        goal = ""
        for _, text, _ in lines:
            if text.startswith("\t") or not text.strip() or DIRECTIVE.match(text):
                continue
            if m := DEFAULT_GOAL.match(text):
                goal = m.group(1)
                continue
            rule = RULE.match(text)
            if rule is None or "=" in rule.group(1):
                if m := ASSIGN.match(text):
                    name, value = m.groups()
                    variables[name] = (variables.get(name, "") + " " + value).strip()
                continue
            rules.append(
                (
                    rule.group(1).split(),
                    []
                    if TARGET_VAR.match(rule.group(2))
                    else rule.group(2).split(";", 1)[0].split(),
                )
            )
        self.unbuilt: set[str] = set()
        self.goal = goal
        if not rules:
            return
        prerequisites: dict[str, list[str]] = {}
        for targets, prereqs in rules:
            names = [t for raw in targets for t in expand(raw, variables)]
            deps = [d for raw in prereqs for d in expand(raw, variables)]
            for t in names:
                prerequisites.setdefault(t, []).extend(deps)
                if not goal and named_target(t):
                    goal = t
        self.goal = goal
        built = made(prerequisites, goal)
        phony = set(prerequisites.get(".PHONY", ()))
        self.unbuilt = {
            t
            for t in prerequisites
            if t not in built
            and named_target(t)
            and (t in phony or not t.endswith((".o", ".c", ".h")))
        }

    def reason(self, text: str) -> str:
        """Why the rule on this line (and its recipe) is not part of the default build, or ''
        when it is (or when the line is not a rule)."""
        if not self.unbuilt or text.startswith("\t"):
            return ""
        rule = RULE.match(text)
        if rule is None or "=" in rule.group(1):
            return ""
        targets = rule.group(1).split()
        if targets and all(t in self.unbuilt for t in targets):
            goals = ", ".join(f"`{g}`" for g in dict.fromkeys((self.goal, *ALSO_BUILT)))
            return (
                f"for make target `{targets[0]}`, which the default build ({goals}) does not make"
            )
        return ""
