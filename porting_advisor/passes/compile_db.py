# SPDX-License-Identifier: Apache-2.0
"""The compile-database pass (`--compile-commands`): C/C++ files that no unit of the database
compiles and no unit includes are filtered, and the x86 machine flags the units are compiled
with are findings (one per flag)."""

from __future__ import annotations

import posixpath
from dataclasses import replace

from porting_advisor.core.archnames import TreeIndex, foreign_named
from porting_advisor.core.compdb import CompileDb, Unit
from porting_advisor.core.facts import Include, Includes, Status
from porting_advisor.core.model import Finding, Severity, is_member
from porting_advisor.core.source import finding
from porting_advisor.passes.context import Pass, PassContext
from porting_advisor.scanners.build.flags import FLAG, X86_CPU, target_flags
from porting_advisor.scanners.c.scan import C_FAMILY

NOT_IN_DB = "not in the compile database: no unit compiles or includes it"


def reached(ctx: PassContext, db: CompileDb) -> set[str]:
    """The units' files, their -include files and every file they include, transitively
    (an #include in code not compiled for the target does not count; an undecided one does:
    some unit may take it)."""
    includes: dict[str, list[str]] = {}
    for r in ctx.results:
        for fact in r.facts:
            if isinstance(fact, Includes):
                includes.setdefault(r.file, []).extend(fact.headers)
            elif isinstance(fact, Include) and fact.status != Status.INACTIVE:
                includes.setdefault(r.file, []).append(fact.header)
    dirs = list(dict.fromkeys(d for u in db.units for d in u.include_dirs))
    todo = [u.file for u in db.units] + [f for u in db.units for f in u.forced]
    seen = set(todo)
    while todo:
        file = todo.pop()
        for header in includes.get(file, ()):
            target = resolve(ctx.index, file, header, dirs)
            if target and target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def resolve(index: TreeIndex, file: str, header: str, dirs: list[str]) -> str:
    """The tree file an #include names: beside the includer, in a unit's -I directory, else
    the one file of the tree whose path ends with it ('' when none or several)."""
    for base in (posixpath.dirname(file), *dirs):
        path = posixpath.normpath(posixpath.join(base, header))
        if path in index.files:
            return path
    name = posixpath.normpath(header).lstrip("./")
    found = [f for f in index.below(posixpath.basename(name)) if f.endswith("/" + name)]
    if name in index.files:
        found.append(name)
    return found[0] if len(found) == 1 else ""


def x86_flags(unit: Unit) -> list[tuple[str, str]]:
    """(rule, flag) for each x86-only machine flag of a unit's command line."""
    out = []
    for flag in unit.machine:
        m = FLAG.fullmatch(flag)
        if m is None:
            continue
        value = flag.partition("=")[2]
        if flag.startswith(("-march=", "-mtune=")):
            if value == "native":
                out.append(("build-march-native", flag))
                continue
            if not X86_CPU.match(value):
                continue
        out.append(("build-x86-isa-flag", flag))
    return out


def flag_findings(ctx: PassContext, db: CompileDb) -> list[Finding]:
    """One finding per x86 flag the database compiles units with, on the first unit that
    uses it (one not named for x86, when there is one): the database is an x86 build's, so
    the build may pass the flag only on x86; hence a warning, where the build file's own
    finding (if its scanner saw the flag) carries the verdict."""
    users: dict[tuple[str, str], list[Unit]] = {}
    for u in db.units:
        for key in dict.fromkeys(x86_flags(u)):
            users.setdefault(key, []).append(u)
    arm = target_flags(ctx.options.target)
    out = []
    for (rule, flag), found in sorted(users.items()):
        first = next((u for u in found if not foreign_named(u.file)), found[0])
        more = f", and {len(found) - 1} more units" if len(found) > 1 else ""
        out.append(
            finding(
                ctx.rules,
                rule,
                first.file,
                severity=min(ctx.rules.rules[rule].severity, Severity.WARNING),
                note=f"compile database entry {first.entry}{more}",
                language="c" if first.file.endswith(".c") else "cpp",
                flag=flag,
                target=ctx.options.target,
                arm_flags=arm["flags"],
                gcc=arm["gcc"],
                portable=arm["portable"],
            )
        )
    return out


def compile_db(ctx: PassContext) -> list[Finding]:
    """Filter C/C++ findings outside the database's units and their includes; add the
    units' x86 flags."""
    db = ctx.options.compile_db
    assert db is not None  # (see `applies`)
    seen = reached(ctx, db)
    out = [
        replace(f, filtered=True, filtered_reason=NOT_IN_DB)
        if not f.filtered
        and f.file not in seen
        and f.file.endswith(C_FAMILY)
        and not is_member(f.file)
        else f
        for f in ctx.findings
    ]
    return out + flag_findings(ctx, db)


def has_units(ctx: PassContext) -> bool:
    """A compile database with units in the tree (one made for another checkout names none:
    then it is not used, and a remark says so)."""
    return ctx.options.compile_db is not None and bool(ctx.options.compile_db.units)


PASS = Pass("compile-db", has_units, compile_db)
