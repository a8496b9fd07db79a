# SPDX-License-Identifier: Apache-2.0
"""The macros a file is compiled with: the target's, plus the -D/-U of the compile database's
units (`--compile-commands`).

A unit is evaluated with its own command line's macros (two entries for one file, say a
static and a shared build: both, and a line counts as compiled when either compiles it). Any
other file (a header) may be included by any unit, so it is evaluated with every distinct
macro set of the database: a construct is reported when some unit reaches it. Past
MAX_PROFILES distinct sets, one merged set stands for them all: the macros every unit agrees
on, the others unknown.
"""

from __future__ import annotations

from porting_advisor.core.compdb import CompileDb, MacroSet
from porting_advisor.core.model import Options
from porting_advisor.scanners.c import preproc
from porting_advisor.scanners.c.preproc import Macros

MAX_PROFILES = 16

# Per database digest: file -> the indices of the macro sets of the units that compile it
UNITS: dict[str, dict[str, tuple[int, ...]]] = {}
# (digest, target, target OS, mode, x86 reference?, sets) -> the Macros; kept for the whole
# process: the preprocessor's literal cache is keyed by the tuple's identity
MEMO: dict[tuple[object, ...], tuple[Macros, ...]] = {}


def unit_sets(db: CompileDb) -> dict[str, tuple[int, ...]]:
    """file -> the macro sets of the units that compile it."""
    found = UNITS.get(db.digest)
    if found is None:
        out: dict[str, list[int]] = {}
        for u in db.units:
            sets = out.setdefault(u.file, [])
            if u.macros not in sets:
                sets.append(u.macros)
        found = UNITS[db.digest] = {f: tuple(s) for f, s in out.items()}
    return found


def profiles(db: CompileDb, file: str) -> tuple[MacroSet, ...]:
    """The macro sets `file` is evaluated with (see the module docstring)."""
    own = unit_sets(db).get(file)
    if own:
        return tuple(db.macro_sets[i] for i in own)
    if len(db.macro_sets) <= MAX_PROFILES:
        return db.macro_sets
    return (merged(db.macro_sets),)


def merged(sets: tuple[MacroSet, ...]) -> MacroSet:
    """The macros every set agrees on (same value, or undefined in all)."""
    common = set(sets[0][0])
    undefs = set(sets[0][1])
    for defines, undefined in sets[1:]:
        common &= set(defines)
        undefs &= set(undefined)
    return tuple(sorted(common)), tuple(sorted(undefs))


def file_macros(options: Options, file: str, mode: str, x86: bool = False) -> tuple[Macros, ...]:
    """The macros `file` is evaluated with for the target (`x86`: for the x86-64 reference),
    with the compile database's -D/-U when there is one."""
    get = preproc.x86_reference if x86 else preproc.target_macros
    base = get(options.target, options.target_os, mode)
    db = options.compile_db
    if db is None or not db.macro_sets:
        return base
    sets = profiles(db, file)
    if sets == (((), ()),):
        return base  # no -D or -U anywhere: the target's macros as they are
    key = (db.digest, options.target, options.target_os, mode, x86, sets)
    hit = MEMO.get(key)
    if hit is None:
        hit = MEMO[key] = tuple(with_set(m, s) for m in base for s in sets)
    return hit


def with_set(m: Macros, macro_set: MacroSet) -> Macros:
    """`m` with one command line's -D (defined) and -U (known as undefined)."""
    defines, undefs = macro_set
    defined = {**m.defined, **dict(defines)}
    for name in undefs:
        defined.pop(name, None)
    return Macros(
        defined,
        m.known | frozenset(undefs),
        m.x86,
        m.x86_words,
        m.arm_words,
        m.negative_words,
    )
