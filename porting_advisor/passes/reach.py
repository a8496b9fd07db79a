# SPDX-License-Identifier: Apache-2.0
"""The reachability pass: findings in C/C++/asm files that no target of the tree's build
builds are filtered.

The build is followed from the build files at the top of the tree (setup.py, CMakeLists.txt,
meson.build, a Makefile, Makefile.am, configure.ac) through the files they name (a
subdirectory, an included Makefile, the module with setup.py's source list, the Makefile a
build script runs) and the words each names for its default build (`BuildReach` facts). A
file is built when a reached build file names it (its path, its name, its object, a glob), a
built file includes it (an `#include` the target compiles, or one the preprocessor cannot
decide), or it is a public header (under an `include/` directory). The rest is filtered with
its reason: ISA-L's `examples/crc/crc_combine_example.c`, whose own Makefile no build runs.

When in doubt everything counts as built: no build entry at the top, a reached build file
this model does not read (a `configure` script, SCons, gyp), a script that lists
directories. A header no resolved `#include` names counts as built beside built sources
(`#include <name.h>` with `-I` is not resolved here).
"""

from __future__ import annotations

import fnmatch
import posixpath
import re

from porting_advisor.core import lazy_re, vocab
from porting_advisor.core.archnames import TreeIndex
from porting_advisor.core.facts import AsmInclude, BuildReach, Include, Includes, Status
from porting_advisor.core.model import FileResult, Finding, is_member
from porting_advisor.core.source import shortlist
from porting_advisor.passes.context import Pass, PassContext
from porting_advisor.scanners.build.reach import AUTOMAKE_USED

SOURCES = vocab.get().c_extensions.sources + vocab.get().c_extensions.objc
HEADERS = vocab.get().c_extensions.headers
ASM = (".s", ".S", ".asm", ".nasm", ".sx")
OBJECTS = (".o", ".lo", ".obj", ".os")
# build files of a directory a build names (`add_subdirectory(src)`, `SUBDIRS = src`)
DIRECTORY_BUILDS = (
    "CMakeLists.txt",
    "meson.build",
    "Makefile",
    "makefile",
    "GNUmakefile",
    "Makefile.am",
    "BUILD",
    "BUILD.bazel",
)
# files that build something, which a build may run: what they build is unknown unless read
BUILDISH = lazy_re.compile(
    r"(?:^|/)(?:(?:GNU)?[Mm]akefile[\w.-]*|[\w.-]+\.(?:mk|mak|cmake|sh|gypi?|ninja|bzl)"
    r"|CMakeLists\.txt|meson\.build|configure|SConstruct|SConscript|BUILD(?:\.bazel)?)$"
)


# build systems not read at all (their files are not even walked)
FOREIGN_BUILD = lazy_re.compile(r"(?:^|/)(?:SConstruct|SConscript|[\w.-]+\.(?:gypi?|ninja|gn))$")


def referenced(variable: str, refs: set[str], patterns: list[re.Pattern[str]]) -> bool:
    """Does a build file refer to the Make variable (by name, or by a computed name such as
    `lsrc_$(host_cpu)`), or does automake read it by its name?"""
    return (
        variable in refs
        or AUTOMAKE_USED.search(variable) is not None
        or any(p.fullmatch(variable) for p in patterns)
    )


def make_refs(facts: list[BuildReach]) -> tuple[set[str], list[re.Pattern[str]]]:
    """The Make variables the files of `facts` refer to: names, and patterns of computed
    names."""
    refs = {r for f in facts for r in f.refs if "*" not in r}
    patterns = [
        re.compile(fnmatch.translate(r)) for f in facts for r in f.refs if "*" in r and r != "*"
    ]
    return refs, patterns


class Named:
    """Which files the words of the reached build files name."""

    def __init__(self, index: TreeIndex) -> None:
        self.index = index
        self.exact: set[str] = set()  # paths
        self.stems: set[str] = set()  # paths without extension (objects, bare program names)
        self.basenames: set[str] = set()  # a Python script's bare file names, anywhere
        self.object_stems: set[str] = set()  # bare object names (`xxhash.o`), anywhere
        self.patterns: list[tuple[re.Pattern[str], bool]] = []  # (glob, of objects)

    def add(self, directory: str, word: str, python: bool) -> list[str]:
        """Record one word of a build file in `directory`; the tree paths it may mean (to
        follow as build files or directories)."""
        if word.startswith("//"):  # Bazel: from the top
            directory, word = "", word[2:]
        if word.startswith("/") or not word:
            return []
        if "*" in word or "?" in word:
            pattern = word if word.startswith("*") else posixpath.join(directory, word)
            self.patterns.append(
                (re.compile(fnmatch.translate(posixpath.normpath(pattern))), word.endswith(OBJECTS))
            )
            return []
        stem, ext = posixpath.splitext(word)
        candidates = []
        base = directory
        while True:
            path = posixpath.normpath(posixpath.join(base, word))
            if not path.startswith(".."):
                candidates.append(path)
            if not base:
                break
            base = posixpath.dirname(base)
        self.exact.update(candidates)
        if ext in OBJECTS:
            self.stems.update(posixpath.splitext(c)[0] for c in candidates)
            if "/" not in word:
                self.object_stems.add(stem)
        elif not ext and candidates:
            self.stems.add(candidates[0])  # a program `prog` from `prog.c`, beside the file
        if python and "/" not in word and ext:
            self.basenames.add(word)
        return candidates

    def names(self, file: str) -> bool:
        stem, ext = posixpath.splitext(file)
        if file in self.exact or stem in self.stems:
            return True
        base = posixpath.basename(file)
        if base in self.basenames or posixpath.basename(stem) in self.object_stems:
            return True
        return any(p.match(stem + ".o" if objects else file) for p, objects in self.patterns)


def reach(ctx: PassContext) -> list[Finding]:
    """Findings in C/C++/asm files no target of the resolved build builds are filtered."""
    from porting_advisor.passes.listings import x86_listing  # (it imports this module)

    # (not files the build names only for x86: the whole-files and ported passes judged
    # those, and an x86 assembly file whose symbols Arm64 lacks stays reported)
    candidates = {
        f.file
        for f in ctx.findings
        if not f.filtered
        and f.language in ("c", "cpp", "asm")
        and not is_member(f.file)
        and not x86_listing(f.file, ctx.listings)
    }
    if not candidates:
        return ctx.findings
    unbuilt = not_built(ctx.results, ctx.index, candidates)
    if not unbuilt:
        return ctx.findings
    return [
        g
        for f in ctx.findings
        if (g := ctx.filter_out(f, unbuilt[f.file]) if f.file in unbuilt and not f.filtered else f)
    ]


def not_built(results: list[FileResult], index: TreeIndex, candidates: set[str]) -> dict[str, str]:
    """The files of `candidates` no target of the tree's build builds, with the reason; none
    when the build is not understood as a whole."""
    facts: dict[str, BuildReach] = {}
    for r in results:
        for fact in r.facts:
            if isinstance(fact, BuildReach):
                facts[r.file] = fact
    roots = sorted(f for f, fact in facts.items() if "/" not in f and fact.entry)
    if not roots:
        return {}
    named = Named(index)
    reached, doubt = follow(facts, roots, named, index)
    if doubt:
        return {}
    # A build of its own in a directory the top build does not reach, and not named as
    # examples, tests, benchmarks or vendored code: another product of the tree (Python
    # bindings beside a library), built as well. (ISA-L's `examples/crc/Makefile` is not.)
    others = sorted(
        f
        for f, fact in facts.items()
        if fact.entry and f not in reached and not side_path(f) and f not in roots
    )
    if others:
        roots += others
        named = Named(index)
        _, doubt = follow(facts, roots, named, index)
        if doubt:
            return {}
    graph = Includers(results, index)
    decided: dict[str, bool] = {}
    reason = f"not built by any target of {shortlist(roots, 3)}: no build file they run names it"
    out = {}
    for file in sorted(candidates):
        if not built(file, named, graph, index, decided, set()):
            out[file] = reason + (" and only unbuilt files include it" if graph.of(file) else "")
    return out


# directories whose builds are not the product's own: examples, tests, benchmarks, tools and
# vendored copies of other projects
SIDE_DIRS = frozenset(
    {
        "example",
        "examples",
        "sample",
        "samples",
        "demo",
        "demos",
        "bench",
        "benchmark",
        "benchmarks",
        "perf",
        "test",
        "tests",
        "testing",
        "testdata",
        "fuzz",
        "fuzzing",
        "contrib",
        "extras",
        "extra",
        "tools",
        "utils",
        "scripts",
        "third_party",
        "thirdparty",
        "third-party",
        "3rdparty",
        "vendor",
        "external",
        "extern",
        "deps",
        "submodules",
        "doc",
        "docs",
    }
)


def side_path(path: str) -> bool:
    """Is `path` under a directory of examples, tests, tools or vendored code?"""
    return any(d.lower() in SIDE_DIRS for d in path.split("/")[:-1])


def follow(
    facts: dict[str, BuildReach], roots: list[str], named: Named, index: TreeIndex
) -> tuple[set[str], str]:
    """The build files reached from `roots` (their words recorded in `named`), and why what
    they build cannot be known ('' when it can)."""
    seen: set[str] = set()
    todo = list(roots)
    lists: list[tuple[str, str, tuple[str, ...]]] = []  # (file, variable, words)
    counted: set[tuple[str, str]] = set()
    globs = 0  # the globs already matched against the build files
    resolved: set[tuple[str, str, bool, bool]] = set()  # words already followed
    while todo:
        more: list[str] = []
        words: list[tuple[str, str, bool]] = []  # (naming file, word, from Python)
        for file in todo:
            if file in seen:
                continue
            seen.add(file)
            fact = facts[file]
            if fact.doubt:
                return seen, f"{file}: {fact.doubt}"
            words += [(file, w, fact.kind.startswith("python")) for w in fact.names]
            lists += [(file, v, w) for v, w in fact.lists]
        # Make list variables count where a reached file refers to them (ISA-L's `units`,
        # the directories Makefile.unx includes from; not `lsrc32`, which nothing uses while
        # its siblings are used); all of a file's lists count when none is referred to (its
        # includer is not read here)
        refs, patterns = make_refs([facts[f] for f in seen])
        consumed = {f for f, v, _ in lists if referenced(v, refs, patterns)}
        for file, variable, values in lists:
            if (file, variable) not in counted and (
                referenced(variable, refs, patterns) or file not in consumed
            ):
                counted.add((file, variable))
                words += [(file, w, False) for w in values]
        for file, word, python in words:
            kind = facts[file].kind
            key = (posixpath.dirname(file), word, python, kind == "python")
            if key in resolved:
                continue  # (the same word in the same directory: the same paths, seen)
            resolved.add(key)
            if FOREIGN_BUILD.search(word):
                return seen, f"{file} names {word}, which is not read as a build"
            for path in named.add(key[0], word, python):
                # (a directory a Python script names is an include path or a base for its
                # source names, unless the script runs a build tool)
                if kind == "python" and path not in index.files:
                    continue
                found, unread = builds_named(path, facts, index)
                if unread:
                    return seen, f"{file} names {unread}, which is not read as a build"
                more += found
        # (a glob of build files: `*/Makefile.am` from `$(foreach unit,$(units),...)`)
        new_globs = named.patterns[globs:]
        globs = len(named.patterns)
        if new_globs:
            more += [f for f in facts if f not in seen and any(p.match(f) for p, _ in new_globs)]
        todo = [f for f in dict.fromkeys(more) if f not in seen]
    return seen, ""


def builds_named(
    path: str, facts: dict[str, BuildReach], index: TreeIndex
) -> tuple[list[str], str]:
    """The build files a word resolved to `path` brings in (the file itself, the build files
    of a directory, `X/Makefile` as `X/Makefile.am`), and a build file named but not read."""
    if path in index.files:
        if path in facts:
            return [path], ""
        if BUILDISH.search(path) and not (
            path.endswith(".in") and path[:-3] + ".am" in index.files
        ):
            return [], path
        return [], ""
    out = []
    if path in index.by_dir:
        out = [posixpath.join(path, n) for n in index.by_dir[path] if n in DIRECTORY_BUILDS]
    for suffix in (".am", ".in"):
        if path + suffix in facts:
            out.append(path + suffix)
            break
    return [p for p in out if p in facts], ""


class Includers:
    """Who includes each file, and whether the target compiles that #include."""

    def __init__(self, results: list[FileResult], index: TreeIndex) -> None:
        self.index = index
        self.by_name: dict[str, list[tuple[str, str, bool]]] = {}  # basename -> sites
        for r in results:
            for fact in r.facts:
                if isinstance(fact, Includes):
                    for header in fact.headers:
                        self.site(r.file, header, True)
                elif isinstance(fact, Include):
                    self.site(r.file, fact.header, fact.status != Status.INACTIVE)
                elif isinstance(fact, AsmInclude):
                    self.site(r.file, fact.name, True)

    def site(self, includer: str, header: str, compiled: bool) -> None:
        name = posixpath.normpath(header).lstrip("./")
        self.by_name.setdefault(posixpath.basename(name), []).append((includer, name, compiled))

    def of(self, file: str) -> list[tuple[str, bool]]:
        """(includer, compiled) for each #include that may mean `file`: relative to the
        includer, or by its end (an include path: `-Isrc`)."""
        out = []
        for includer, name, compiled in self.by_name.get(posixpath.basename(file), ()):
            if includer == file:
                continue
            relative = posixpath.normpath(posixpath.join(posixpath.dirname(includer), name))
            if relative == file or (
                relative not in self.index.files and ("/" + file).endswith("/" + name)
            ):
                out.append((includer, compiled))
        return out


def built(
    file: str,
    named: Named,
    graph: Includers,
    index: TreeIndex,
    decided: dict[str, bool],
    stack: set[str],
) -> bool:
    """Is `file` built: named by the build, a public header, or included by a built file?"""
    if file in decided:
        return decided[file]
    if named.names(file) or "include" in file.split("/")[:-1]:
        decided[file] = True
        return True
    stack = stack | {file}
    sites = graph.of(file)
    answer = any(
        compiled and includer not in stack and built(includer, named, graph, index, decided, stack)
        for includer, compiled in sites
    )
    if not answer and not sites and file.endswith(HEADERS):
        # a header no resolved #include names (`#include <name.h>` with `-I`, an include
        # from a file not read as C): unbuilt only beside sources none of which is built
        directory = posixpath.dirname(file)
        sources = [
            posixpath.join(directory, n)
            for n in index.by_dir.get(directory, ())
            if n.endswith(SOURCES + ASM)
        ]
        answer = not sources or any(named.names(p) for p in sources)
    if not stack - {file}:
        decided[file] = answer  # (only at the top: a cycle's answer depends on the path)
    return answer


def has_candidates(ctx: PassContext) -> bool:
    return any(isinstance(fact, BuildReach) for r in ctx.results for fact in r.facts)


PASS = Pass("reach", has_candidates, reach)
