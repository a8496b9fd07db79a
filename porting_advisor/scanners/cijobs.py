# SPDX-License-Identifier: Apache-2.0
"""CI configurations as jobs: the runners each job runs on and whether it builds anything.

GitHub Actions workflows and `.gitlab-ci.yml` are parsed as YAML (node marks give the lines);
Jenkinsfiles are Groovy, read for their `agent { label ... }` and `node('...')` labels.

A job builds nothing (and says nothing about Arm64) when a step uses a housekeeping action
(stale-issue bots, labelers, CodeQL, publishing a built package or site); when it uses no other
action than setup ones (checkout, setup-python, artifacts) and its id or name says what it does
(`docs`, `translations`, `stale`, `label`); or when every step is a setup action or a `run:`
line of a quiet command (git, linters, docs, `setup.py sdist`, `pip install` of named
packages). Any other action or command counts as building: a job we cannot read is assumed to
build. The words and actions: rules/vocab/ci-runners.yaml.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

import yaml

from porting_advisor.core import lazy_re, vocab

ARM64 = "arm64"
X64 = "x64"
UNKNOWN = "unknown"

EXPR = lazy_re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
MATRIX_REF = lazy_re.compile(r"^matrix((?:\.[\w-]+)+)$")
LITERAL = lazy_re.compile(r"^'([^']*)'$")
MACOS = lazy_re.compile(r"^macos-(\d+)(-xlarge)?$")
UBUNTU_ARM = lazy_re.compile(r"^ubuntu-[\d.]+-arm$")
LABEL_WORDS = lazy_re.compile(r"[-_\s.:/]+")
# A job that builds or runs code for Arm64 under emulation or with a cross toolchain
# (run-on-arch, QEMU, cibuildwheel's aarch64 archs, an aarch64 cross compiler) tests Arm64 too.
ARM_WORD = lazy_re.compile(r"(?i)(?<![\w-])(?:arm64|aarch64|armv8)(?![\w])")
# Keys whose text is prose or a condition, not a command (issue 25 item 6).
TEXT_KEYS = frozenset({"name", "description", "if", "summary", "title", "run-name"})
# Keys whose values list what a job leaves out (`CIBW_SKIP: "*aarch64*"`, matrix `exclude`).
SKIP_KEY = lazy_re.compile(r"(?i)skip|exclude")
GITLAB_RESERVED = frozenset(
    {
        "stages",
        "variables",
        "default",
        "include",
        "workflow",
        "image",
        "services",
        "before_script",
        "after_script",
        "cache",
        "pages:deploy",
    }
)
MAX_COMBINATIONS = 256


@dataclass(frozen=True, slots=True)
class Job:
    """One CI job: where it is, what it runs on, whether it builds the project."""

    name: str
    line: int  # 1-based: its runs-on / tags / agent line, else its key's line
    column: int  # 1-based
    length: int  # of the runner text there (0 when it spans lines)
    runner: str  # the runner labels as resolved, for the message
    arch: str  # of its runners: ARM64, X64 or UNKNOWN
    emulated: bool  # builds for Arm64 on another host (QEMU, a cross compiler, run-on-arch)
    builds: bool
    first: int  # 1-based line span of the job
    last: int

    @property
    def x64(self) -> bool:
        """Do the job's runners run x64?"""
        return self.arch == X64

    @property
    def arm(self) -> bool:
        """Does the job build or test for Arm64 (on an Arm64 runner or not)?"""
        return self.builds and (self.arch == ARM64 or self.emulated)


def compose(text: str) -> yaml.Node | None:
    """The YAML node tree of a document (with marks), or None when it does not parse."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        node: yaml.Node | None = yaml.compose(text, Loader=loader)
    except (yaml.YAMLError, RecursionError):
        return None
    return node


def span(node: yaml.Node) -> int:
    """Length of a node's text when it is on one line, else 0."""
    same = node.start_mark.line == node.end_mark.line
    return node.end_mark.column - node.start_mark.column if same else 0


def get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((v for k, v in items(node) if k.value == key), None)


def items(node: yaml.Node | None) -> list[tuple[yaml.ScalarNode, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        return []
    return [(k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)]


def plain(node: yaml.Node | None) -> Any:
    """A node as plain Python (scalars as strings)."""
    if isinstance(node, yaml.MappingNode):
        return {str(k.value): plain(v) for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    if isinstance(node, yaml.SequenceNode):
        return [plain(v) for v in node.value]
    if isinstance(node, yaml.ScalarNode):
        return str(node.value)
    return None


def scalars(node: yaml.Node | None, skip_text: bool = True) -> list[str]:
    """Every scalar value under `node`, those under prose and skip-list keys left out."""
    out: list[str] = []
    if isinstance(node, yaml.MappingNode):
        for k, v in items(node):
            if skip_text and (k.value in TEXT_KEYS or SKIP_KEY.search(k.value)):
                continue
            out.extend(scalars(v, skip_text))
    elif isinstance(node, yaml.SequenceNode):
        for v in node.value:
            out.extend(scalars(v, skip_text))
    elif isinstance(node, yaml.ScalarNode):
        out.append(str(node.value))
    return out


def text_lines(root: yaml.Node | None) -> set[int]:
    """1-based lines that hold only prose or conditions: `name:`, `description:`, `if:`."""
    lines: set[int] = set()

    def walk(node: yaml.Node | None) -> None:
        if isinstance(node, yaml.MappingNode):
            for k, v in items(node):
                if k.value in TEXT_KEYS and isinstance(v, yaml.ScalarNode):
                    last = v.end_mark.line + (0 if v.end_mark.column else -1)
                    lines.update(range(k.start_mark.line + 1, max(last, v.start_mark.line) + 2))
                else:
                    walk(v)
        elif isinstance(node, yaml.SequenceNode):
            for v in node.value:
                walk(v)

    walk(root)
    return lines


def label_arch(label: str) -> str:
    """The CPU of a runner label: ARM64, X64 or UNKNOWN (custom names, `self-hosted`)."""
    table = vocab.get().ci
    name = label.strip().strip("'\"").lower()
    if name in table.github_arm64 or UBUNTU_ARM.match(name):
        return ARM64
    m = MACOS.match(name)
    if m and (int(m.group(1)) >= 14 or m.group(2)):
        return ARM64
    if name in table.github_x64 or m:
        return X64
    words = {name, *LABEL_WORDS.split(name)}
    if words & table.arm64_words:
        return ARM64
    if words & table.x64_words:
        return X64
    return UNKNOWN


def runner_arch(labels: tuple[str, ...]) -> str:
    """A runner must have every label: one Arm64 or x64 label settles it."""
    kinds = {label_arch(label) for label in labels}
    return ARM64 if ARM64 in kinds else X64 if X64 in kinds else UNKNOWN


def matrix_values(matrix: Any, path: list[str]) -> list[str] | None:
    """The values `matrix.a.b` takes: the key's list and the include entries; None when the
    matrix comes from an expression."""
    if not isinstance(matrix, dict):
        return None
    rows: list[Any] = []
    top = matrix.get(path[0])
    if isinstance(top, list):
        rows.extend(top)
    elif top is not None:
        return None if isinstance(top, str) and "${{" in top else [top]
    include = matrix.get("include")
    if isinstance(include, list):
        rows.extend(e[path[0]] for e in include if isinstance(e, dict) and path[0] in e)
    out: list[str] = []
    for row in rows:
        for key in path[1:]:
            row = row.get(key) if isinstance(row, dict) else None
        if isinstance(row, str):
            if "${{" in row:
                return None
            out.append(row)
        elif isinstance(row, list):
            out.extend(str(x) for x in row)
    return out or None


def has_key(matrix: Any, key: str) -> bool:
    """Does the matrix define `key` (as a list or in an include entry)?"""
    if not isinstance(matrix, dict):
        return False
    include = matrix.get("include")
    entries = include if isinstance(include, list) else []
    return key in matrix or any(isinstance(e, dict) and key in e for e in entries)


def expression_values(expr: str, matrix: Any) -> list[str] | None:
    """The values of a `${{ }}` expression we can read: `matrix.x`, `matrix.x || 'label'`."""
    out: list[str] = []
    for part in (p.strip() for p in expr.split("||")):
        lit = LITERAL.match(part)
        if lit:
            out.append(lit.group(1))
            continue
        ref = MATRIX_REF.match(part)
        values = matrix_values(matrix, ref.group(1)[1:].split(".")) if ref else None
        if values is None and ref and not has_key(matrix, ref.group(1)[1:].split(".")[0]):
            continue  # a key the matrix does not have: empty, the `||` alternative applies
        if values is None:
            return None
        out.extend(values)
    return out or None


def resolve(value: str, matrix: Any) -> list[str] | None:
    """Every string a `runs-on` value can take, or None when an expression is unknown."""
    refs = EXPR.findall(value)
    if not refs:
        return [value]
    options: list[list[str]] = []
    for ref in refs:
        values = expression_values(ref, matrix)
        if values is None:
            return None
        options.append(values)
    texts = EXPR.split(value)[::2]  # the text around the expressions
    combos = itertools.islice(itertools.product(*options), MAX_COMBINATIONS)
    return [texts[0] + "".join(v + t for v, t in zip(c, texts[1:], strict=True)) for c in combos]


def runners(node: yaml.Node | None, matrix: Any) -> list[tuple[str, ...]] | None:
    """The label sets a `runs-on` node can take (each a runner's required labels)."""
    if isinstance(node, yaml.ScalarNode):
        values = resolve(str(node.value), matrix)
        return None if values is None else [(v,) for v in values]
    if isinstance(node, yaml.MappingNode):
        return runners(get(node, "labels"), matrix)
    if isinstance(node, yaml.SequenceNode):
        options: list[list[str]] = []
        for item in node.value:
            values = resolve(str(item.value), matrix) if isinstance(item, yaml.ScalarNode) else None
            if values is None:
                continue  # a label we cannot read: the others still say what CPU it has
            options.append(values)
        if not options:
            return None
        return [tuple(c) for c in itertools.islice(itertools.product(*options), MAX_COMBINATIONS)]
    return None


def quiet_line(line: str) -> bool:
    """Does a shell command line build nothing for a CPU?"""
    table = vocab.get().ci
    words = line.split()
    while words and (words[0] in ("sudo", "env") or re.match(r"^\w+=", words[0])):
        words = words[1:]
    if not words or words[0].startswith("#"):
        return True
    head = words[0].rsplit("/", 1)[-1]
    if head in ("python", "python3", "py") and len(words) > 2 and words[1] == "-m":
        head, words = words[2], words[2:]
    elif head in ("python", "python3", "py") and len(words) > 2 and words[1] == "setup.py":
        return all(w in ("sdist", "check") or w.startswith("-") for w in words[2:])
    if head in ("pip", "pip3"):
        if words[1:2] != ["install"]:
            return True
        if "-e" in words or "--editable" in words:
            return False  # the project itself, compiled
        args = [w for w in words[2:] if not w.startswith("-")]
        return not any(a in (".", "..") or a.startswith(("./", "../", "/", "$")) for a in args)
    if head == "build":
        return "--sdist" in words or "-s" in words
    return head in table.quiet_commands


def builds(job: yaml.Node, key: str) -> bool:
    """Does a GitHub Actions job build or test the project (see the module docstring)?"""
    table = vocab.get().ci
    steps = get(job, "steps")
    if not isinstance(steps, yaml.SequenceNode):
        return False
    uses = [
        str(u.value).lower()
        for s in steps.value
        if isinstance(u := get(s, "uses"), yaml.ScalarNode)
    ]
    if any(u.startswith(table.housekeeping_actions) for u in uses):
        return False
    if any(not u.startswith(table.neutral_actions) for u in uses):
        return True
    name = f"{key} {plain(get(job, 'name')) or ''}".lower()
    if set(re.split(r"[\W_]+", name)) & table.housekeeping_names:
        return False
    for step in steps.value:
        run = get(step, "run")
        if isinstance(run, yaml.ScalarNode):
            script = re.sub(r"\\\n", " ", str(run.value))
            for line in script.split("\n"):
                for command in re.split(r"&&|\|\||;", line):
                    if not quiet_line(command.strip()):
                        return True
    return False


def github_jobs(root: yaml.Node | None) -> list[Job]:
    """The jobs of a GitHub Actions workflow, in file order."""
    out = []
    for key, job in items(get(root, "jobs")):
        matrix = plain(get(get(job, "strategy"), "matrix"))
        runs_on = get(job, "runs-on")
        where = runs_on if runs_on is not None else key
        sets = runners(runs_on, matrix) if runs_on is not None else None
        arch = UNKNOWN
        if sets:
            kinds = {runner_arch(labels) for labels in sets}
            arch = ARM64 if ARM64 in kinds else X64 if X64 in kinds else UNKNOWN
        emulated = arch != ARM64 and any(ARM_WORD.search(s) for s in scalars(job))
        shown = list(dict.fromkeys(", ".join(labels) for labels in sets or [])) or [
            str(runs_on.value) if isinstance(runs_on, yaml.ScalarNode) else "?"
        ]
        out.append(
            Job(
                str(key.value),
                where.start_mark.line + 1,
                where.start_mark.column + 1,
                span(where),
                "; ".join(shown),
                arch,
                emulated,
                builds(job, str(key.value)),
                key.start_mark.line + 1,
                job.end_mark.line + 1,
            )
        )
    return out


def gitlab_jobs(root: yaml.Node | None) -> list[Job]:
    """The jobs of a `.gitlab-ci.yml` (hidden `.templates` are read through `extends`)."""
    if not isinstance(root, yaml.MappingNode):
        return []
    by_name = {str(k.value): v for k, v in items(root)}

    def field(job: yaml.Node, name: str, depth: int = 0) -> yaml.Node | None:
        value = get(job, name)
        if value is not None or depth > 5:
            return value
        parents = plain(get(job, "extends"))
        for parent in [parents] if isinstance(parents, str) else parents or []:
            found = field(by_name.get(str(parent), yaml.MappingNode("", [])), name, depth + 1)
            if found is not None:
                return found
        return None

    default = get(root, "default")
    out = []
    for key, job in items(root):
        name = str(key.value)
        if name.startswith(".") or name in GITLAB_RESERVED or not isinstance(job, yaml.MappingNode):
            continue
        if not any(get(job, k) is not None for k in ("script", "extends", "trigger", "run")):
            continue
        tags = field(job, "tags") or get(default, "tags")
        image = field(job, "image") or get(default, "image") or get(root, "image")
        labels = tuple(str(t) for t in plain(tags) or [] if isinstance(t, str))
        arch = runner_arch(labels) if labels else UNKNOWN
        if arch == UNKNOWN and any(ARM_WORD.search(s) for s in scalars(image)):
            arch = ARM64
        emulated = arch != ARM64 and any(ARM_WORD.search(s) for s in scalars(job))
        script = [s for k in ("before_script", "script") for s in scalars(field(job, k))]
        where = tags if tags is not None and get(job, "tags") is not None else key
        out.append(
            Job(
                name,
                where.start_mark.line + 1,
                where.start_mark.column + 1,
                span(where),
                ", ".join(labels) or "default runner",
                arch,
                emulated,
                not script or not all(quiet_line(line) for s in script for line in s.split("\n")),
                key.start_mark.line + 1,
                job.end_mark.line + 1,
            )
        )
    return out


JENKINS_COMMENT = lazy_re.compile(r"/\*.*?\*/|(?<![:\w\"'])//[^\n]*", re.S)
JENKINS_LABEL = lazy_re.compile(
    r"\b(?:label|node)\s*(?:\(\s*(?:label\s*:\s*)?)?(['\"])([^'\"\n]+)\1"
)


def jenkins_jobs(text: str) -> list[Job]:
    """Agent labels of a Jenkinsfile: `agent { label 'x86' }`, `node('amd64')`,
    `agent { docker { label '...' } }`; a label expression `linux && amd64` is read by word,
    negated words (`!arm64`) left out."""
    code = JENKINS_COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    out = []
    for m in JENKINS_LABEL.finditer(code):
        expression = re.sub(r"!\s*\(?[\w.-]+", " ", m.group(2))
        labels = tuple(w for w in re.split(r"[&|()\s]+", expression) if w)
        line = code.count("\n", 0, m.start(2)) + 1
        col = m.start(2) - code.rfind("\n", 0, m.start(2))
        label = m.group(2)
        out.append(
            Job(label, line, col, len(label), label, runner_arch(labels), False, True, line, line)
        )
    if ARM_WORD.search(code) and not any(j.arm for j in out):
        out.append(
            Job("", 1, 1, 0, "", UNKNOWN, True, True, 1, 1)
        )  # an Arm64 axis or image elsewhere
    return out
