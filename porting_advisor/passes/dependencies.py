# SPDX-License-Identifier: Apache-2.0
"""The dependencies pass: where a lock file and its manifest share a directory, the lock
file's resolved version is the verdict (issue 20).

A manifest entry the lock file resolves keeps no finding of its own (its range is filtered,
with the reason); the lock file's finding for it names the manifest line that asked for it,
and a lock-file entry no manifest line asks for is called transitive. Go: go.mod's
requirement is the selected version (minimal version selection), go.sum only adds the
modules go.mod does not list."""

from __future__ import annotations

import posixpath
from dataclasses import replace

from porting_advisor.core.facts import Dependency
from porting_advisor.core.model import Finding
from porting_advisor.passes.context import Pass, PassContext

# The rules whose findings are a verdict on one dependency entry (key: its name).
RULES = frozenset(
    {
        "dependency-too-old",
        "dependency-source-build",
        "dependency-no-arm64",
        "dependency-no-arm64-wheel",
        "node-native-addon",
        "npm-no-arm64-build",
    }
)
# Files of the same directory whose entries a resolved entry of the same name outranks.
SECONDARY = frozenset({"go.sum"})


def group(dep: Dependency) -> tuple[str, str]:
    """(directory, ecosystem): a Gradle version catalog (gradle/libs.versions.toml) belongs
    to the project above its directory."""
    folder = posixpath.dirname(dep.file)
    if dep.file.endswith(".versions.toml") and posixpath.basename(folder) == "gradle":
        folder = posixpath.dirname(folder)
    return folder, dep.ecosystem


def join(ctx: PassContext) -> list[Finding]:
    deps = [f for r in ctx.results for f in r.facts if isinstance(f, Dependency)]
    groups: dict[tuple[str, str], list[Dependency]] = {}
    for d in deps:
        groups.setdefault(group(d), []).append(d)
    shadowed: dict[tuple[str, int, str], Dependency] = {}  # manifest entry -> lock entry
    asked: dict[tuple[str, int, str], str] = {}  # lock entry -> what the message adds
    for members in groups.values():
        primary = [d for d in members if d.resolved and base(d) not in SECONDARY]
        if not any(d.resolved for d in members):
            continue
        verdict: dict[str, Dependency] = {}
        for d in primary:
            verdict.setdefault(d.name.lower(), d)
        requests: dict[str, Dependency] = {}
        for d in members:
            if not d.resolved:
                requests.setdefault(d.name.lower(), d)
        # with no manifest beside it, a lock file cannot tell direct entries from transitive
        manifest = bool(requests) or any(base(d) == "go.mod" for d in members)
        for d in members:
            name = d.name.lower()
            lock = verdict.get(name)
            # a manifest's request, or go.sum's line for a module go.mod selects
            outranked = not d.resolved or (base(d) in SECONDARY and lock is not None)
            if lock is not None and outranked and lock.file != d.file:
                shadowed[(d.file, d.line, name)] = lock
            elif d.resolved and manifest and base(d) != "go.mod":
                asked[(d.file, d.line, name)] = origin(d, requests.get(name))
    out = []
    for f in ctx.findings:
        at = (f.file, f.line, f.key.lower())
        if f.rule not in RULES:
            out.append(f)
        elif at in shadowed:
            lock = shadowed[at]
            out.append(
                replace(
                    f,
                    filtered=True,
                    filtered_reason=f"{base(lock)} line {lock.line} resolves it to "
                    f"{lock.version}: the verdict is there",
                )
            )
        elif at in asked and asked[at]:
            out.append(replace(f, message=f"{f.message}; {asked[at]}"))
        else:
            out.append(f)
    return out


def base(d: Dependency) -> str:
    return posixpath.basename(d.file)


def origin(lock: Dependency, request: Dependency | None) -> str:
    """Who asked for a lock-file entry: a manifest line, or the package that pulled it in."""
    if request is not None:
        spec = f" `{request.specifier}`" if request.specifier else ""
        return f"asked for by {base(request)} line {request.line}{spec}"
    if lock.via and lock.via != base(lock):
        return f"transitive, pulled in by `{lock.via}`"
    return "transitive"


def has_resolved(ctx: PassContext) -> bool:
    """A lock file (or go.mod) was read."""
    return any(isinstance(f, Dependency) and f.resolved for r in ctx.results for f in r.facts)


PASS = Pass("dependencies", has_resolved, join)
