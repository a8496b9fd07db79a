# SPDX-License-Identifier: Apache-2.0
"""The C guards pass: findings under project macros the file alone could not decide are
settled with every file's #define facts (macros the tree derives from the architecture), and
findings in files included only from x86 code are filtered."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import NamedTuple

from porting_advisor.core import lazy_re, ruleset, vocab
from porting_advisor.core.archnames import foreign_named
from porting_advisor.core.facts import (
    Asked,
    CShim,
    Defines,
    MacroWords,
    Status,
    Undef,
    X86Branches,
)
from porting_advisor.core.model import FileResult, Finding, Options, Severity
from porting_advisor.passes.context import Pass, PassContext
from porting_advisor.passes.include_graph import included_only_on_x86, resolver_of
from porting_advisor.scanners.c import preproc, units
from porting_advisor.scanners.c.preproc import ACTIVE, GUARDED, INACTIVE, language_mode

MacroTable = dict[str, list[tuple[str, tuple[str, ...], Status]]]


class TreeFacts(NamedTuple):
    """The C/C++ facts the cross-file pass reads, gathered in one pass over the results."""

    defines: MacroTable  # name -> [(value, conditions, status)]
    undefined: frozenset[str]  # #undef'd somewhere (order decides)
    asked: list[list[str]]  # macros each asking #error names
    shims: frozenset[str]  # x86 names the tree defines itself for the target
    mentioned: frozenset[str] | None  # macro names build inputs mention (None: no build read)


def tree_facts(results: list[FileResult], never: frozenset[str] = frozenset()) -> TreeFacts:
    """The tree's #defines, #undefs, configuration macros and shims; the definitions in files
    of `never` (included only from code the target does not compile) count as such."""
    table: MacroTable = {}
    undefined: set[str] = set()
    asked: list[list[str]] = []
    shims: set[str] = set()
    mentioned: set[str] = set()
    builds = False
    for r in results:
        off = r.file in never
        for fact in r.facts:
            if isinstance(fact, Defines):
                for name, value, status, path in fact.definitions:
                    table.setdefault(name, []).append(
                        (value, ("0", *path) if off else path, status)
                    )
            elif isinstance(fact, Undef):
                undefined.add(fact.name)
            elif isinstance(fact, Asked):
                asked.append(list(fact.names))
            elif isinstance(fact, CShim):
                shims.add(fact.name)
            elif isinstance(fact, MacroWords):
                mentioned.update(fact.names)
                builds = builds or fact.builds
    return TreeFacts(
        table,
        frozenset(undefined),
        asked,
        frozenset(shims),
        frozenset(mentioned) if builds else None,
    )


def resolve(ctx: PassContext) -> list[Finding]:
    """Settle deferred guards with the tree's derived macros; filter files included only
    from x86 code; drop x86 intrinsics the tree defines itself (shims)."""
    results, options = ctx.results, ctx.options
    resolvers, x86_resolvers, shims = tree_resolvers(results, options)
    never: frozenset[str] = frozenset()
    x86_included = included_only_on_x86(results, ctx.index, resolvers, ctx.listings)
    if any(
        status != Status.INCLUDE_GUARD
        for r in results
        if r.file in x86_included
        for fact in r.facts
        if isinstance(fact, Defines)
        for _, _, status, _ in fact.definitions
    ):
        # a header only x86 code includes defines for x86 alone: OpenBLAS's cpuid.h, whose
        # bit constant HAVE_SSE would otherwise switch on `#ifdef HAVE_SSE` everywhere
        resolvers, x86_resolvers, shims = tree_resolvers(results, options, x86_included)
        never = x86_included
    dispatched = {
        r.file: fact.branches for r in results for fact in r.facts if isinstance(fact, X86Branches)
    }
    # (built on the first finding left undecided: most trees have none)
    unset: list[tuple[Resolvers, Callable[[str], bool]] | None] = []
    # (shims: x86 intrinsic names the tree defines itself for the target, its own Arm code)
    out = []
    for f in ctx.findings:
        if f.language not in ("c", "cpp") and not (f.language == "asm" and f.guard):
            out.append(f)
            continue
        if f.rule == "c-x86-intrinsic" and f.key in shims:
            continue
        if f.guard:
            status, names = resolver_of(resolvers, f.file).resolve(f.guard)
            why = "its #if is false for the target with the tree's own macros"
            undecided = status == GUARDED and f.category != "preprocessor-error"
            if undecided and not unset:
                unset.append(switches_off(results, options, never))
            # again with the switches nothing defines taken as off; only the answer "not
            # compiled" is taken (code compiled *because* a switch is off stays guarded)
            if (
                undecided
                and (off_resolvers := unset[0]) is not None
                and resolver_of(off_resolvers[0], f.file).resolve(f.guard)[0] == INACTIVE
            ):
                off = sorted(n for n in names if off_resolvers[1](n))
                status = INACTIVE
                why = "its #if is false for the target: " + (
                    f"nothing in the tree or its build defines {shortlist_names(off)}"
                    if off
                    else "it tests switches nothing in the tree or its build defines"
                )
            if status == GUARDED and f.file in dispatched and f.category != "preprocessor-error":
                # still undecided: in a branch of a dispatch only x86 builds take?
                branch = next((w for a, b, w in dispatched[f.file] if a <= f.line <= b), "")
                if branch:
                    status, why = INACTIVE, branch
            if status == INACTIVE:
                if not options.no_filter:
                    continue
                f = replace(f, guard=(), filtered=True, filtered_reason=why)
            elif status == GUARDED:
                if f.category == "preprocessor-error":
                    continue
                shown = ", ".join(sorted(names)[:3])
                f = replace(
                    f,
                    guard=(),
                    severity=min(f.severity, Severity.WARNING),
                    message=f"{f.message} (guarded by {shown})",
                )
            else:
                f = replace(f, guard=())
        if f.category == "preprocessor-error" and x86_only_file(f.file):
            continue
        if f.x86_guard is not None:
            if resolver_of(x86_resolvers, f.file).resolve(f.x86_guard)[0] == ACTIVE:
                continue  # x86-64 reaches this #error too, once the tree's macros are known
            f = replace(f, x86_guard=None)
        if f.file in x86_included and not f.filtered:
            g = ctx.filter_out(f, "in a file included only from x86-only code")
            if g is None:
                continue
            f = g
        out.append(f)
    return out


Resolvers = dict[str, preproc.Resolver]


def shortlist_names(names: list[str]) -> str:
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


# a project switch: capitals and digits, words joined by underscores (ENABLE_FAST_PATH)
SWITCH = lazy_re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")


def switches_off(
    results: list[FileResult], options: Options, never: frozenset[str] = frozenset()
) -> tuple[Resolvers, Callable[[str], bool]] | None:
    """Where the tree has a build the scanners read: resolvers that take a project switch
    nothing defines as off (no #define in any file, no build file, config template, CI job or
    `-D` names it; not a name system headers or toolchains define, not a HAVE_* probe), and
    the test of such a name. None where no build is read: every switch stays unknown."""
    facts = tree_facts(results, never)
    if facts.mentioned is None:
        return None
    mentioned, table = facts.mentioned, facts.defines
    macros = ruleset.load_table("macros.yaml")
    prefixes = tuple(macros["system_prefixes"])
    suffixes = tuple(macros["system_suffixes"])

    def nothing_defines(name: str) -> bool:
        return (
            SWITCH.fullmatch(name) is not None
            and name not in mentioned
            and name not in table
            and name + "()" not in table
            and name not in facts.undefined
            and not name.startswith(prefixes)
            and not name.endswith(suffixes)
        )

    resolvers, _, _ = tree_resolvers(results, options, never, nothing_defines)
    return resolvers, nothing_defines


def tree_resolvers(
    results: list[FileResult],
    options: Options,
    never: frozenset[str] = frozenset(),
    unset: Callable[[str], bool] | None = None,
) -> tuple[Resolvers, Resolvers, frozenset[str]]:
    """Resolvers for the target and for x86-64 with the tree's derived macros, and its shims
    (`unset`: the names taken as off on the target, see `switches_off`)."""
    table, undefined, asked, shims, _ = tree_facts(results, never)
    if asked:
        undefined |= configured(
            asked,
            preproc.Resolver(
                preproc.x86_reference(options.target, options.target_os, "c"), table, undefined
            ),
        )
    modes = ("c", "cpp", "header")
    targets: Resolvers = {
        mode: preproc.Resolver(base(options, mode, False), table, undefined, unset)
        for mode in modes
    }
    x86s: Resolvers = {
        mode: preproc.Resolver(base(options, mode, True), table, undefined) for mode in modes
    }
    if options.compile_db is not None:
        # files with a compile database's -D/-U: a resolver per distinct set of macros
        made: dict[int, preproc.Resolver] = {}
        for r in results:
            if r.language not in ("c", "cpp", "asm"):
                continue
            mode = language_mode(r.file)
            for out, x86 in ((targets, False), (x86s, True)):
                macros = units.file_macros(options, r.file, mode, x86)
                if macros is not base(options, mode, x86):
                    hit = made.get(id(macros))
                    if hit is None:
                        hit = made[id(macros)] = preproc.Resolver(
                            macros, table, undefined, None if x86 else unset
                        )
                    out[r.file] = hit
    return targets, x86s, shims


def base(options: Options, mode: str, x86: bool) -> tuple[preproc.Macros, ...]:
    """The target's macros (or the x86-64 reference's), without a compile database's."""
    get = preproc.x86_reference if x86 else preproc.target_macros
    return get(options.target, options.target_os, mode)


def configured(asked: list[list[str]], x86: preproc.Resolver) -> frozenset[str]:
    """Macros the build must set: named by an #error that asks for one of them, when the tree
    defines none of them for x86-64 either (libmpdec's CONFIG_64, which it derives from the
    architecture only for macOS universal builds). They are unknown, never derived as
    undefined on the target. When the tree defines one for x86-64 (grpc's
    GPR_CYCLE_COUNTER_RDTSC_64), the #error is its own consistency check."""
    out: set[str] = set()
    for names in asked:
        if not any(x86.lookup_for(i)(n)[0] == "def" for n in names for i in range(len(x86.macros))):
            # those the tree defines somewhere (the others were never derived)
            out.update(n for n in names if n in x86.defines)
    return frozenset(out)


# A file named for MSVC (rules/vocab/windows.yaml) is built only there
MSVC_PATH = lazy_re.compile(
    r"(?i)(?:^|[/_.-])" + vocab.get().windows.msvc_paths.alternation("") + r"(?:[/_.-]|$)"
)


def x86_only_file(path: str) -> bool:
    """A file named for x86, another non-Arm architecture or MSVC is only built there: its
    #error is not an Arm64 problem."""
    return foreign_named(path) or bool(MSVC_PATH.search(path))


def has_c(ctx: PassContext) -> bool:
    """C/C++ files, or assembly findings under conditions only the C macros decide."""
    return any(r.language in ("c", "cpp") for r in ctx.results) or any(
        f.guard and f.language == "asm" for f in ctx.findings
    )


PASS = Pass("c-guards", has_c, resolve)
