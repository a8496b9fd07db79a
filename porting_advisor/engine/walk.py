# SPDX-License-Identifier: Apache-2.0
"""Find the files under the scan root and name each one's language."""

from __future__ import annotations

import functools
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from porting_advisor.core import lazy_re, ruleset
from porting_advisor.core.model import Positional
from porting_advisor.engine import gitignore

if TYPE_CHECKING:
    import pathspec

VCS_DIRS = frozenset({".git", ".hg", ".svn", ".bzr", "CVS", "_darcs"})
# what quilt keeps in a Debian source tree's `.pc/`: the files as they were before each patch
QUILT_MARKS = ("applied-patches", ".quilt_patches", ".quilt_series", ".version")
# Magic bytes of prebuilt binaries, for files whose name says nothing.
MAGIC = (
    (b"\x7fELF", "binary"),
    (b"MZ", "binary"),
    (b"\xcf\xfa\xed\xfe", "binary"),
    (b"\xca\xfe\xba\xbe", "binary"),
    (b"!<arch>\n", "binary"),
)


@dataclass(slots=True, unsafe_hash=True)  # not frozen: see model.Finding
class Task(Positional):
    """One file for a worker."""

    file: str  # POSIX, relative to the root (base name when the root is a file)
    path: str  # absolute path to open
    language: str
    size: int
    mtime: int = 0  # st_mtime_ns, for the result cache
    inode: int = 0


class Languages(NamedTuple):
    names: dict[str, str]
    extensions: dict[str, str]
    shebangs: dict[str, str]


@functools.cache
def languages() -> Languages:
    raw = ruleset.load_table("languages.yaml")
    return Languages(
        dict(raw["names"]),
        dict(raw["extensions"]),
        dict(raw["shebangs"]),
    )


# Make files by other names: ISA-L's Makefile.unx and make.inc, zlib's Makefile.in, *.mak
OTHER_MAKEFILE = lazy_re.compile(
    r"(?:GNU)?[Mm]akefile\.(?!am$|mk$)[\w.-]+$|[Mm]ake\.inc$|[\w.-]+\.mak$"
)


def language_of(name: str, head: bytes | None = None) -> str:
    """The language for a file name; `head` (first bytes) settles extensionless files."""
    table = languages()
    if name in table.names:
        return table.names[name]
    if name.startswith("Dockerfile") or name.endswith(".Dockerfile"):
        return "docker"
    if name.startswith(("requirements", "constraints")) and name.endswith((".txt", ".in")):
        return "manifest"
    if OTHER_MAKEFILE.match(name):
        return "make"  # (read for the reachability of sources only)
    dot = name.rfind(".")
    if dot > 0:
        ext = name[dot:]
        lang = table.extensions.get(ext) or table.extensions.get(ext.lower())
        if lang:
            return lang
        if name.endswith(".so") or ".so." in name:
            return "binary"
        return ""
    if head is None:
        return ""
    for magic, lang in MAGIC:
        if head.startswith(magic):
            return lang
    if c_header(head):
        return "cpp"
    if head.startswith(b"#!"):
        prog = interpreter(head[2:].split(b"\n", 1)[0].decode("latin-1"))
        prog = prog.rstrip("0123456789.") or prog
        return table.shebangs.get(prog, "")
    return ""


# env options (GNU and BSD) whose value is the next word, not the program
ENV_ARGUMENT_OPTIONS = ("-u", "--unset", "-C", "--chdir", "-a", "--argv0", "-P")


def interpreter(line: str) -> str:
    """The base name of the program a `#!` line runs: `python3.11` for `/usr/bin/python3.11 -u`,
    `python3` for `/usr/bin/env -S python3 -u` (env's options and VAR=value words come first)."""
    words = line.split()
    if not words:
        return ""
    prog = os.path.basename(words[0])
    if prog != "env":
        return prog
    rest = iter(words[1:])
    for word in rest:
        if word.startswith("-S") and len(word) > 2:  # -Spython3: the command follows -S
            return os.path.basename(word[2:])
        if word in ENV_ARGUMENT_OPTIONS:
            next(rest, None)
        elif not word.startswith("-") and "=" not in word:
            return os.path.basename(word)
    return ""


HEAD_BYTES = 1024  # enough for a license comment before the first directive
CODE_START = (b"#ifndef", b"#include", b"#pragma once", b"#if ", b"#define")


def c_header(head: bytes) -> bool:
    """Is this extensionless file a C/C++ header (Eigen's `Eigen/Core` and `Eigen/LU`, the
    C++ standard library's `vector`): comments, then a preprocessor directive?"""
    at = 0
    while True:
        while at < len(head) and head[at] in b" \t\r\n":
            at += 1
        if head.startswith(b"//", at):
            at = head.find(b"\n", at)
        elif head.startswith(b"/*", at):
            at = head.find(b"*/", at)
            at = at + 2 if at >= 0 else -1
        else:
            return head.startswith(CODE_START, at)
        if at < 0:
            return False


def read_head(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(HEAD_BYTES)
    except OSError:
        return b""


Specs = list[tuple[str, "Ignore"]]  # (directory of the .gitignore, its rules)


class Ignore:
    """A .gitignore (or --exclude) spec, answering as pathspec's GitIgnoreSpec does. The
    patterns are translated to expressions here (engine.gitignore): the common shapes
    (`name`, `*.ext`, with or without a trailing `/`) become set and suffix tests on path
    components, the rest one combined regex, an order of magnitude faster than pathspec's
    pattern-by-pattern loop on large ignore files, and no pathspec import. With negations
    (`!name`), the same test of the other patterns says which paths none of them ignores
    (most paths: a negation only takes back), and `gitignore.decide` rules on the others. A
    file with a line only pathspec reads (an escape) is pathspec's alone."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.names: set[str] = set()  # a component with this name
        self.dir_names: set[str] = set()  # ... that is a directory (`name/`)
        self.suffixes: list[str] = []  # a component ending so (`*.ext`)
        self.dir_suffixes: list[str] = []
        self.combined: re.Pattern[str] | None = None
        self.patterns = gitignore.parse(lines)
        self.fast = self.patterns is not None
        self.negated = False
        if self.patterns is None:
            return
        self.negated = any(p.negated for p in self.patterns)  # (then `each` decides a match)
        rest = [p.plain for p in self.patterns if not p.negated and not self._simple(p.text)]
        try:
            self.combined = re.compile("|".join(f"(?:{r})" for r in rest)) if rest else None
        except (re.error, RecursionError):  # (not expected: then pathspec's reading stands)
            self.fast = False

    @functools.cached_property
    def each(self) -> list[tuple[re.Pattern[str], bool]]:
        """Every pattern's expression, and whether it ignores (with negations only, and only
        once a path matches one that ignores)."""
        return [(re.compile(p.regex), not p.negated) for p in self.patterns or ()]

    @functools.cached_property
    def spec(self) -> pathspec.GitIgnoreSpec:
        """pathspec's reading of the lines (an invalid pattern ignores nothing, as in git)."""
        import pathspec  # lazy: only a file with a line engine.gitignore leaves to pathspec

        try:
            return pathspec.GitIgnoreSpec.from_lines(self.lines)
        except (ValueError, re.error):  # (`foo\`, `[z-a]`) the other lines still count
            return pathspec.GitIgnoreSpec.from_lines(
                [line for line in self.lines if valid_pattern(line)]
            )

    def _simple(self, text: str) -> bool:
        """Record `name`, `name/`, `*.ext` or `*.ext/`; False for any other shape."""
        body, dir_only = (text[:-1], True) if text.endswith("/") else (text, False)
        if not body or text != text.strip() or "/" in body or "\\" in body:
            return False
        if not any(c in body for c in "*?["):
            (self.dir_names if dir_only else self.names).add(body)
            return True
        if body[0] == "*" and not any(c in body[1:] for c in "*?["):
            (self.dir_suffixes if dir_only else self.suffixes).append(body[1:])
            return True
        return False

    def match_file(self, path: str) -> bool:
        if not self.fast:
            return bool(self.spec.match_file(path))
        if self.negated:
            return self.ignored(path) and gitignore.decide(self.each, path)
        return self.ignored(path)

    def ignored(self, path: str) -> bool:
        """Does a pattern that ignores (not a negation) match `path`?"""
        if self.names or self.dir_names or self.suffixes or self.dir_suffixes:
            parts = path.split("/")
            last = len(parts) - 1
            suffixes, dir_suffixes = tuple(self.suffixes), tuple(self.dir_suffixes)
            for i, part in enumerate(parts):
                if not part:
                    continue
                is_dir = i < last  # a "/" follows this component
                if (
                    part in self.names
                    or part.endswith(suffixes)
                    or (is_dir and (part in self.dir_names or part.endswith(dir_suffixes)))
                ):
                    return True
        return self.combined is not None and self.combined.match(path) is not None


def valid_pattern(line: str) -> bool:
    """Does pathspec read this line as a pattern (or as nothing: a comment, a blank)?"""
    import pathspec

    try:
        pathspec.GitIgnoreSpec.from_lines([line])
    except (ValueError, re.error):
        return False
    return True


class Walker:
    """Walks a tree: prunes VCS metadata and ignored paths, never follows symlinks out or round."""

    def __init__(
        self,
        root: Path,
        excludes: tuple[str, ...],
        gitignore: bool,
        watch: list[Stamp] | None = None,
        quilt: bool = True,
    ) -> None:
        self.root = root
        # walk quilt's copies (`.pc/`)? Everything found there is filtered as not built: a
        # default scan need not read it (--no-filter does, to list it)
        self.quilt = quilt
        self.exclude = Ignore(list(excludes)) if excludes else None
        # excludes not yet seen to match: each tested alone only on paths the set excludes
        self.unmatched: dict[str, Ignore] = {}
        self.unmatched_raw = list(excludes)
        self.gitignore = gitignore
        self.skipped: list[tuple[str, str]] = []
        self.watch = watch

    def ignored(self, rel: str, is_dir: bool, specs: Specs) -> bool:
        probe = rel + "/" if is_dir else rel
        if self.exclude is not None and self.exclude.match_file(probe):
            if self.unmatched_raw:  # compiled one by one when first needed
                self.unmatched = {p: Ignore([p]) for p in self.unmatched_raw}
                self.unmatched_raw = []
            for pattern in [p for p, one in self.unmatched.items() if one.match_file(probe)]:
                del self.unmatched[pattern]
            return True
        for base, spec in specs:
            sub = probe[len(base) + 1 :] if base else probe
            if spec.match_file(sub):
                return True
        return False

    def load_gitignore(self, directory: str, rel: str) -> Ignore | None:
        if not self.gitignore:
            return None
        path = os.path.join(directory, ".gitignore")
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                lines = fh.read().splitlines()
        except OSError:
            return None
        return Ignore(lines) if lines else None

    def walk(self) -> Iterator[Task]:
        """Yield tasks in sorted order, depth first."""
        yield from self._walk(str(self.root), "", [])

    def _walk(self, directory: str, rel: str, specs: Specs) -> Iterator[Task]:
        if self.watch is not None and (mark := stamp(directory)):
            self.watch.append(mark)  # stamped before listing: no change missed
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            self.skipped.append((rel or ".", f"cannot list directory: {exc.strerror}"))
            return
        if self.gitignore and any(e.name == ".gitignore" for e in entries):
            spec = self.load_gitignore(directory, rel)  # (no failed open per directory)
            if spec is not None:
                specs = [*specs, (rel, spec)]
            if self.watch is not None and (mark := stamp(os.path.join(directory, ".gitignore"))):
                self.watch.append(mark)
        filtering = bool(specs) or self.exclude is not None
        for entry in entries:
            name = entry.name
            child = f"{rel}/{name}" if rel else name
            try:
                if entry.is_symlink():
                    self.check_symlink(entry.path, child)
                    continue
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if name in VCS_DIRS or (filtering and self.ignored(child, True, specs)):
                    continue
                if name == ".pc" and not self.quilt and quilt_copies(entry.path):
                    continue
                yield from self._walk(entry.path, child, specs)
                continue
            if filtering and self.ignored(child, False, specs):
                continue
            lang = language_of(name)  # by name; an extensionless file may need its content
            if "." in name[1:]:
                if not lang:
                    continue  # named for what it is: no stat if not wanted
                if name.endswith((".yml", ".yaml")):
                    if rel.endswith((".github/workflows", ".circleci")):
                        lang = "ci"
                    elif name.startswith(("docker-compose", "compose.")):
                        lang = "compose"
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError as exc:
                self.skipped.append((child, f"cannot stat: {exc.strerror}"))
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            if not lang:
                lang = language_of(name, read_head(entry.path))
                if not lang:
                    continue
            yield Task(child, entry.path, lang, st.st_size, st.st_mtime_ns, st.st_ino)

    def check_symlink(self, path: str, rel: str) -> None:
        """Symlinks are never followed: the targets inside the tree are scanned as themselves."""
        try:
            target = Path(path).resolve(strict=True)
        except (OSError, RuntimeError):
            self.skipped.append((rel, "broken symlink or symlink loop"))
            return
        root = self.root.resolve()
        if target != root and root not in target.parents:
            self.skipped.append((rel, "symlink points outside the scanned tree"))


Stamp = tuple[str, int, int, int]  # path, size, mtime_ns, inode


def discover(
    root: Path,
    excludes: tuple[str, ...] = (),
    gitignore: bool = True,
    watch: list[Stamp] | None = None,
    consume: Callable[[Iterable[Task]], list[Task]] = list,
    unmatched: list[str] | None = None,
    quilt: bool = True,
) -> tuple[list[Task], list[tuple[str, str]]]:
    """All tasks under `root` (or the single file `root`), plus the entries skipped on the way.
    `watch`, when given, receives the stamp of every directory listed and every .gitignore
    read: with the tasks' own, what must be unchanged for the same walk to give the same
    tasks (an entry added, removed or renamed changes its directory's mtime). `consume` takes
    the tasks as they are found and returns them all (the scanner starts work on them).
    `unmatched`, when given, receives the excludes that matched no path. `quilt`: walk the
    copies quilt keeps in `.pc/` (a default scan skips them: all they hold is filtered)."""
    if root.is_file():
        name = root.name
        lang = language_of(name, read_head(str(root)) if "." not in name[1:] else None)
        st = root.stat()
        return consume(
            [Task(name, str(root), lang, st.st_size, st.st_mtime_ns, st.st_ino)] if lang else []
        ), []
    walker = Walker(root, excludes, gitignore, watch, quilt)
    tasks = consume(walker.walk())
    if unmatched is not None:
        unmatched.extend(walker.unmatched_raw or walker.unmatched)
    return tasks, walker.skipped


def quilt_copies(path: str) -> bool:
    """Is this `.pc` directory quilt's (its bookkeeping files are there)?"""
    return any(os.path.exists(os.path.join(path, mark)) for mark in QUILT_MARKS)


def stamp(path: str) -> Stamp | None:
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return path, st.st_size, st.st_mtime_ns, st.st_ino


def unchanged(stamps: list[Stamp]) -> bool:
    """Do all these paths still have the size, mtime and inode they had?"""
    lstat = os.lstat
    try:
        for path, size, mtime, inode in stamps:
            st = lstat(path)
            if st.st_mtime_ns != mtime or st.st_size != size or st.st_ino != inode:
                return False
    except OSError:
        return False
    return True
