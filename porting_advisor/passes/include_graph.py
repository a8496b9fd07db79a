# SPDX-License-Identifier: Apache-2.0
"""The include graph of C/C++ (and .S) files: which files are included only from code the
target does not compile, and so are x86-only by inclusion."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from porting_advisor.core.archnames import TreeIndex, only_from_x86, x86_directory
from porting_advisor.core.facts import Include, Includes, Status
from porting_advisor.core.model import FileResult
from porting_advisor.passes.context import Listings
from porting_advisor.passes.listings import x86_listing
from porting_advisor.scanners.c import preproc
from porting_advisor.scanners.c.preproc import GUARDED, INACTIVE, language_mode
from porting_advisor.scanners.c.scan import C_FAMILY


def included_only_on_x86(
    results: list[FileResult],
    index: TreeIndex,
    resolvers: dict[str, preproc.Resolver],
    listings: Listings | None = None,
) -> frozenset[str]:
    """Files that are #included somewhere, and only from code not compiled for the target
    (`#if defined(__x86_64__)` / `#include "haswell/simd.h"`) or from files in directories
    named for x86 (numpy's x86-simd-sort headers, included by its own tests and by numpy
    under NPY_HAVE_AVX512_SKX), or from sources the build names only for x86 (argon2's
    blamka-round-opt.h, included by the opt.c its build script compiles only on x86):
    x86-only by inclusion."""
    # (by directory, remembered per directory: a test of every file name cost 40 ms on a
    # 20,000-file tree)
    named = {
        r.file
        for r in results
        if (
            x86_directory(r.file.rpartition("/")[0])
            or (listings is not None and listings[0] and x86_listing(r.file, listings))
        )
        and any(isinstance(fact, Include | Includes) for fact in r.facts)
    }
    if not named and not any(
        isinstance(fact, Include) and fact.status != Status.ACTIVE
        for r in results
        for fact in r.facts
    ):
        return frozenset()  # every #include is compiled: nothing can be x86-only this way
    by_suffix: dict[str, list[str]] = {}
    for f in index.files:
        if f.endswith(C_FAMILY):
            parts = f.split("/")
            for i in range(len(parts)):
                by_suffix.setdefault("/".join(parts[i:]), []).append(f)
    sites: dict[str, list[tuple[str, bool]]] = {}  # included file -> (includer, compiled)
    settled: dict[tuple[str, tuple[str, ...]], Status] = {}
    found: dict[tuple[str, str], list[str]] = {}  # (includer's directory, header) -> files
    for r in results:
        directory = posixpath.dirname(r.file)
        for header, state in include_sites(r, resolvers, settled):
            targets = found.get((directory, header))
            if targets is None:
                name = posixpath.normpath(posixpath.join(directory, header))
                targets = found[(directory, header)] = (
                    [name]
                    if name in index.files
                    else (by_suffix.get(posixpath.normpath(header).lstrip("./"), []))
                )
            for t in targets:
                sites.setdefault(t, []).append((r.file, state != INACTIVE and r.file not in named))
    return only_from_x86(sites)


def include_sites(
    r: FileResult,
    resolvers: dict[str, preproc.Resolver],
    settled: dict[tuple[str, tuple[str, ...]], Status] | None = None,
) -> Iterator[tuple[str, Status]]:
    """(project header, state for the target) for each #include of one file. `settled`
    remembers each guard's state (boost's headers share a few guards among thousands of
    includes)."""
    memo: dict[tuple[str, tuple[str, ...]], Status] = {} if settled is None else settled
    for fact in r.facts:
        if isinstance(fact, Includes):  # all compiled, one fact per file
            for header in fact.headers:
                yield header, Status.ACTIVE
        elif isinstance(fact, Include):
            state = fact.status
            if state == GUARDED:
                # (per file under a compile database: its units' -D/-U)
                key = (r.file if r.file in resolvers else language_mode(r.file), fact.guard)
                known = memo.get(key)
                if known is None:
                    known = memo[key] = resolver_of(resolvers, r.file).resolve(fact.guard)[0]
                state = known
            yield fact.header, state


def resolver_of(resolvers: dict[str, preproc.Resolver], file: str) -> preproc.Resolver:
    """The resolver for `file`: its own under a compile database, else its language mode's."""
    return resolvers.get(file) or resolvers[language_mode(file)]
