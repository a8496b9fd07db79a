# SPDX-License-Identifier: Apache-2.0
"""PyPI manifests and lock files: requirements files, pyproject.toml (PEP 621 and Poetry),
setup.cfg, setup.py (read with `ast`, never run), Pipfile; the lock files Pipfile.lock,
poetry.lock, uv.lock, pdm.lock and requirements files with hashes."""

from __future__ import annotations

import ast
import configparser
import json
import re
import tomllib
from dataclasses import replace

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from porting_advisor.scanners.deps.common import Cursor, Dep, line_of


def pep508(spec: str, line: int) -> Dep | None:
    spec = spec.split(" #", 1)[0].strip()
    if not spec or spec.startswith(("-", "#")):
        return None
    spec = re.sub(r"\s--hash[= ]\S+", "", spec)
    try:
        req = Requirement(spec)
    except InvalidRequirement:
        return None
    pins = [
        s.version for s in req.specifier if s.operator in ("==", "===") and "*" not in s.version
    ]
    return Dep(
        "pypi",
        canonicalize_name(req.name),
        pins[0] if pins else "",
        str(req.specifier),
        line,
        marker=str(req.marker or ""),
        direct=req.url or "",
    )


def parse_requirements(text: str) -> list[Dep]:
    out = []
    joined: list[tuple[int, str]] = []
    pending, start = "", 0
    for no, raw in enumerate(text.split("\n"), 1):
        line = re.sub(r"(^|\s)#.*$", "", raw).rstrip()
        if not pending:
            start = no
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        joined.append((start, pending + line))
        pending = ""
    hashed = "--hash" in text  # pip-compile --generate-hashes: a lock file
    for no, line in joined:
        dep = pep508(line, no)
        if dep:
            out.append(replace(dep, resolved=True) if hashed and dep.version else dep)
    return out


def poetry_spec(value: object) -> str:
    """A Poetry constraint as a PEP 440 specifier (^1.2 -> >=1.2,<2.0; ~1.2 -> >=1.2,<1.3)."""
    text = value.get("version", "") if isinstance(value, dict) else str(value)
    parts = []
    for c in str(text).split(","):
        c = c.strip()
        m = re.match(r"^([\^~])\s*(\d+(?:\.\d+)*)", c)
        if m:
            nums = [int(x) for x in m.group(2).split(".")]
            if m.group(1) == "^":
                i = next((k for k, n in enumerate(nums) if n), len(nums) - 1)
            else:
                i = min(1, len(nums) - 1) if len(nums) > 1 else 0
            upper = nums[:i] + [nums[i] + 1]
            parts += [f">={m.group(2)}", "<" + ".".join(map(str, upper))]
        elif c and c != "*":
            parts.append(c if c[0] in "<>=!~" else f"=={c}")
    return ",".join(parts)


def parse_pyproject(text: str) -> list[Dep]:
    data = tomllib.loads(text)
    out = []
    project = data.get("project", {})
    specs = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        specs += list(extra)
    for spec in specs:
        name = re.split(r"[\s\[<>=!~;@(]", spec.strip(), maxsplit=1)[0]
        dep = pep508(spec, line_of(text, name))
        if dep:
            out.append(dep)
    poetry = data.get("tool", {}).get("poetry", {})
    groups = [poetry.get("dependencies", {}), poetry.get("dev-dependencies", {})]
    groups += [g.get("dependencies", {}) for g in poetry.get("group", {}).values()]
    for table in groups:
        for name, value in table.items():
            if name.lower() == "python":
                continue
            dep = pep508(f"{name}{poetry_spec(value)}", line_of(text, name))
            if dep:
                out.append(dep)
    return out


def parse_setup_cfg(text: str) -> list[Dep]:
    cp = configparser.ConfigParser()
    cp.read_string(text)
    raw = cp.get("options", "install_requires", fallback="")
    return [
        d
        for spec in raw.splitlines()
        if spec.strip()
        for d in [pep508(spec, line_of(text, re.split(r"[\s\[<>=!~;]", spec.strip())[0]))]
        if d
    ]


def parse_setup_py(text: str) -> list[Dep]:
    """install_requires of setup(...), read from the syntax tree (the file is never run)."""
    out = []
    for node in ast.walk(ast.parse(text)):
        if (
            isinstance(node, ast.keyword)
            and node.arg in ("install_requires", "setup_requires")
            and isinstance(node.value, (ast.List, ast.Tuple))
        ):
            for elt in node.value.elts:
                if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
                    dep = pep508(elt.value, elt.lineno)
                    if dep:
                        out.append(dep)
    return out


def parse_pipfile(text: str) -> list[Dep]:
    data = tomllib.loads(text)
    out = []
    for section in ("packages", "dev-packages"):
        for name, value in data.get(section, {}).items():
            spec = value.get("version", "") if isinstance(value, dict) else str(value)
            dep = pep508(f"{name}{'' if spec in ('*', '') else spec}", line_of(text, name))
            if dep:
                out.append(dep)
    return out


def parse_lock_toml(text: str) -> list[Dep]:
    """poetry.lock, uv.lock and pdm.lock: [[package]] name = ..., version = ...; each at the
    line of its version."""
    data = tomllib.loads(text)
    cursor = Cursor(text)
    out = []
    for pkg in data.get("package", []):
        name, version = pkg.get("name"), pkg.get("version")
        if name and version:
            at = cursor.find(rf"(?m)^name\s*=\s*[\"']{re.escape(name)}[\"']")
            line = cursor.find(rf"(?m)^version\s*=\s*[\"']{re.escape(str(version))}[\"']")
            out.append(
                Dep(
                    "pypi",
                    canonicalize_name(name),
                    str(version),
                    f"=={version}",
                    line or at or line_of(text, f'name = "{name}"'),
                    resolved=True,
                )
            )
    return out


def parse_pipfile_lock(text: str) -> list[Dep]:
    data = json.loads(text)
    cursor = Cursor(text)
    out = []
    for section in ("default", "develop"):
        for name, value in data.get(section, {}).items():
            if not isinstance(value, dict):
                continue
            version = str(value.get("version", ""))
            at = cursor.find(rf'"{re.escape(name)}"\s*:\s*\{{')
            line = cursor.find(rf'"version"\s*:\s*"{re.escape(version)}"') if version else 0
            out.append(
                Dep(
                    "pypi",
                    canonicalize_name(name),
                    version.lstrip("="),
                    version,
                    line or at or line_of(text, name),
                    resolved=version.startswith("=="),
                )
            )
    return out
