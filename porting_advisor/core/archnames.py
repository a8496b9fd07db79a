# SPDX-License-Identifier: Apache-2.0
"""Arch-named files and directories: is there an Arm64 implementation next to an x86 one?"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from porting_advisor.core import lazy_re, vocab

# Tokens that name an architecture, an ISA or a micro-architecture in a file or directory
# name (rules/vocab/arch-tokens.yaml).
TOKENS = vocab.get().arch
X86_TOKENS = TOKENS.x86
ARM_TOKENS = TOKENS.arm
OTHER_TOKENS = TOKENS.other
# x86 ISA and micro-architecture words by shape (avx512cd, sse41, fma3, f16c ...) and core
# code names (skx, clx, icl, knl, spr ...).
X86_WORD = lazy_re.compile("^" + TOKENS.x86_words.alternation(r"\w*", r"\d*\w?") + "$")


def hint(tokens: frozenset[str]) -> re.Pattern[str]:
    """A substring test that every name holding one of `tokens` passes: the tokens that
    contain no other token (`arm` stands for arm64 and armv8)."""
    roots = sorted(t for t in tokens if not any(o != t and o in t for o in tokens))
    return re.compile("|".join(map(re.escape, roots)), re.I)


# A cheap test before the full tokenisation of a name that may be named for Arm.
ARM_HINT = hint(ARM_TOKENS)
# Spellings that must become one token before splitting.
JOIN = (
    (re.compile(r"x86[_-]64", re.I), "x8664"),
    (re.compile(r"x86[_-]?simd", re.I), "x86simd"),
    (re.compile(r"sse4[._]([12])", re.I), r"sse4\1"),
    (re.compile(r"skylake[_-]x", re.I), "skylakex"),
)


SEPARATORS = str.maketrans("_-.+", "    ")  # with whitespace, the separators of a name's tokens


@functools.lru_cache(maxsize=65536)
def tokens(name: str) -> tuple[str, ...]:
    name = name.lower()
    if "x86" in name or "sse4" in name or "skylake" in name:
        for rx, rep in JOIN:
            name = rx.sub(rep, name)
    return tuple(name.translate(SEPARATORS).split())


@functools.lru_cache(maxsize=65536)
def arch_of_name(name: str) -> str:
    """'x86', 'arm' or '' for a file or directory name."""
    toks = set(tokens(name))
    if toks & X86_TOKENS or any(X86_WORD.match(t) for t in toks):
        return "x86"
    if toks & ARM_TOKENS:
        return "arm"
    if toks & OTHER_TOKENS:
        return "other"
    return ""


def is_arch_token(token: str) -> bool:
    return (
        token in X86_TOKENS
        or token in ARM_TOKENS
        or token in OTHER_TOKENS
        or X86_WORD.match(token) is not None
    )


@functools.lru_cache(maxsize=65536)
def neutral_stem(name: str) -> str:
    stem = name.split(".", 1)[0] if not name.startswith(".") else name
    return "_".join(t for t in tokens(stem) if not is_arch_token(t))


EMPTY: Mapping[str, Collection[str]] = {}


@dataclass(frozen=True, slots=True)
class TreeIndex:
    """Every file and directory of the scan, for sibling look-ups."""

    files: frozenset[str]
    dirs: frozenset[str]
    by_dir: dict[str, tuple[str, ...]]
    subdirs: dict[str, tuple[str, ...]]  # directory -> its child directories
    arm_stems: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # on demand
    by_name: dict[str, list[str]] = field(default_factory=dict)  # on demand: see `below`

    def below(self, name: str) -> list[str]:
        """The files called `name` in the tree's directories (not at its top)."""
        if not self.by_name:
            for directory, names in self.by_dir.items():
                for n in names if directory else ():
                    self.by_name.setdefault(n, []).append(f"{directory}/{n}")
        return self.by_name.get(name, [])

    def arm_named(self, directory: str) -> dict[str, list[str]]:
        """Neutral stem -> names in `directory` that are named for Arm (once per directory;
        a cheap substring test spares the tokenisation of every other name)."""
        table = self.arm_stems.get(directory)
        if table is None:
            table = {}
            for other in self.by_dir.get(directory, ()):
                if ARM_HINT.search(other) and arch_of_name(other.split(".", 1)[0]) == "arm":
                    table.setdefault(neutral_stem(other), []).append(other)
            self.arm_stems[directory] = table
        return table

    @classmethod
    def build(cls, files: Iterable[str]) -> TreeIndex:
        by_dir: dict[str, list[str]] = {}
        dirs: set[str] = set()
        fs = frozenset(files)
        for f in fs:
            d, _, name = f.rpartition("/")
            by_dir.setdefault(d, []).append(name)
        for d in by_dir:
            while d and d not in dirs:
                dirs.add(d)
                d = d.rpartition("/")[0]
        subdirs: dict[str, list[str]] = {}
        for d in dirs:
            subdirs.setdefault(d.rpartition("/")[0], []).append(d)
        return cls(
            fs,
            frozenset(dirs),
            {k: tuple(sorted(v)) for k, v in by_dir.items()},
            {k: tuple(sorted(v)) for k, v in subdirs.items()},
        )


def x86_named(path: str) -> bool:
    """The file or one of its directories is named for an x86 ISA or micro-architecture."""
    directory, _, name = path.rpartition("/")
    return arch_of_name(name) == "x86" or x86_directory(directory)


@functools.lru_cache(maxsize=65536)
def x86_directory(directory: str) -> bool:
    """(x86_named for a directory, remembered: the files of a tree share few directories)"""
    if not directory:
        return False
    parent, _, name = directory.rpartition("/")
    return arch_of_name(name) == "x86" or x86_directory(parent)


def foreign_named(path: str) -> bool:
    """Named for x86 or another non-Arm architecture (POWER, s390x, MIPS, RISC-V, ...)."""
    return any(arch_of_name(part) in ("x86", "other") for part in path.split("/"))


def arm_counterpart(
    path: str, index: TreeIndex, arm_content: Mapping[str, Collection[str]] = EMPTY
) -> str:
    """An Arm64 implementation of `path` in the tree, or ''.

    Same directory: a file with the same stem once arch words are removed, named for Arm or
    with any name when its content is Arm64 (`arm_content`: directory -> such file names).
    Arch directories: a sibling directory named for Arm next to an x86-named directory on the
    path.
    """
    directory, name = posixpath.split(path)
    stem = neutral_stem(name)
    found = [o for o in index.arm_named(directory).get(stem, ()) if o != name]
    found += [o for o in arm_content.get(directory, ()) if o != name and neutral_stem(o) == stem]
    if found:
        other = min(found)
        return posixpath.join(directory, other) if directory else other
    parts = path.split("/")
    for i, part in enumerate(parts[:-1]):
        if arch_of_name(part) != "x86":
            continue
        parent = "/".join(parts[:i])
        for d in index.subdirs.get(parent, ()):
            if arch_of_name(posixpath.basename(d)) == "arm":
                return d + "/"
    return ""


def only_from_x86(sites: Mapping[str, list[tuple[str, bool]]]) -> frozenset[str]:
    """Files reached only from code not built for the target. `sites` maps each included C
    file or declared Rust module to its (includer, built for the target) pairs; a file is
    x86-only when every site is not built, or is in a file that is itself x86-only: iterated
    to the fixed point."""
    x86_only: set[str] = set()
    changed = True
    while changed:
        changed = False
        for target, where in sites.items():
            if target not in x86_only and all(
                not built or parent in x86_only for parent, built in where
            ):
                x86_only.add(target)
                changed = True
    return frozenset(x86_only)
