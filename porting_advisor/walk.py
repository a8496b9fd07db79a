# SPDX-License-Identifier: Apache-2.0
"""Find the files under the scan root and name each one's language."""
from __future__ import annotations

import functools
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pathspec

from porting_advisor import ruleset
from porting_advisor.model import Positional

VCS_DIRS = frozenset({".git", ".hg", ".svn", ".bzr", "CVS", "_darcs"})
# Magic bytes of prebuilt binaries, for files whose name says nothing.
MAGIC = ((b"\x7fELF", "binary"), (b"MZ", "binary"), (b"\xcf\xfa\xed\xfe", "binary"),
         (b"\xca\xfe\xba\xbe", "binary"), (b"!<arch>\n", "binary"))


@dataclass(frozen=True, slots=True)
class Task(Positional):
    """One file for a worker."""

    file: str               # POSIX, relative to the root (base name when the root is a file)
    path: str               # absolute path to open
    language: str
    size: int
    mtime: int = 0          # st_mtime_ns, for the result cache
    inode: int = 0


@dataclass(frozen=True, slots=True)
class Languages:
    names: dict[str, str]
    extensions: dict[str, str]
    shebangs: dict[str, str]
    analysed: frozenset[str]


@functools.cache
def languages() -> Languages:
    raw = ruleset.load_table("languages.yaml")
    return Languages(dict(raw["names"]), dict(raw["extensions"]), dict(raw["shebangs"]),
                     frozenset(raw["analysed"]))


def language_of(name: str, head: bytes | None = None) -> str:
    """The language for a file name; `head` (first bytes) settles extensionless files."""
    table = languages()
    if name in table.names:
        return table.names[name]
    if name.startswith("Dockerfile") or name.endswith(".Dockerfile"):
        return "docker"
    if name.startswith(("requirements", "constraints")) and name.endswith((".txt", ".in")):
        return "manifest"
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
    if head.startswith(b"#!"):
        first = head[2:].split(b"\n", 1)[0].decode("latin-1").strip().split()
        if first:
            prog = os.path.basename(first[0])
            if prog == "env" and len(first) > 1:
                prog = first[-1] if not first[1].startswith("-") else first[-1]
            prog = prog.rstrip("0123456789.") or prog
            return table.shebangs.get(prog, table.shebangs.get(os.path.basename(prog), ""))
    return ""


def read_head(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(256)
    except OSError:
        return b""


Specs = list[tuple[str, "Ignore"]]   # (directory of the .gitignore, its rules)


class Ignore:
    """A .gitignore (or --exclude) spec. Without negations all patterns collapse into one
    regex: the same answer as pathspec's pattern-by-pattern loop, an order of magnitude faster
    on large ignore files."""

    def __init__(self, lines: list[str]) -> None:
        self.spec = pathspec.GitIgnoreSpec.from_lines(lines)
        patterns = [p for p in self.spec.patterns if p.include is not None]
        self.combined = None
        if patterns and all(p.include for p in patterns):
            compiled = [getattr(p, "regex", None) for p in patterns]
            regexes = [re.sub(r"\(\?P<\w+>", "(?:", rx.pattern) for rx in compiled
                       if rx is not None]
            if len(regexes) == len(patterns):
                try:
                    self.combined = re.compile("|".join(f"(?:{r})" for r in regexes))
                except re.error:
                    self.combined = None

    def match_file(self, path: str) -> bool:
        if self.combined is not None:
            return self.combined.match(path) is not None
        return bool(self.spec.match_file(path))


class Walker:
    """Walks a tree: prunes VCS metadata and ignored paths, never follows symlinks out or round."""

    def __init__(self, root: Path, excludes: tuple[str, ...], gitignore: bool) -> None:
        self.root = root
        self.exclude = Ignore(list(excludes)) if excludes else None
        self.gitignore = gitignore
        self.skipped: list[tuple[str, str]] = []

    def ignored(self, rel: str, is_dir: bool, specs: Specs) -> bool:
        probe = rel + "/" if is_dir else rel
        if self.exclude is not None and self.exclude.match_file(probe):
            return True
        for base, spec in specs:
            sub = probe[len(base) + 1:] if base else probe
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

    def _walk(self, directory: str, rel: str,
              specs: Specs) -> Iterator[Task]:
        spec = self.load_gitignore(directory, rel)
        if spec is not None:
            specs = [*specs, (rel, spec)]
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            self.skipped.append((rel or ".", f"cannot list directory: {exc.strerror}"))
            return
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
                if name in VCS_DIRS or self.ignored(child, True, specs):
                    continue
                yield from self._walk(entry.path, child, specs)
                continue
            if self.ignored(child, False, specs):
                continue
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError as exc:
                self.skipped.append((child, f"cannot stat: {exc.strerror}"))
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            head = read_head(entry.path) if "." not in name[1:] else None
            lang = language_of(name, head)
            if name.endswith((".yml", ".yaml")) and (rel.endswith(".github/workflows")
                                                     or rel.endswith(".circleci")):
                lang = "ci"
            elif name.startswith(("docker-compose", "compose.")) and name.endswith(
                    (".yml", ".yaml")):
                lang = "compose"
            if lang:
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


def discover(root: Path, excludes: tuple[str, ...] = (), gitignore: bool = True
             ) -> tuple[list[Task], list[tuple[str, str]]]:
    """All tasks under `root` (or the single file `root`), plus the entries skipped on the way."""
    if root.is_file():
        name = root.name
        lang = language_of(name, read_head(str(root)) if "." not in name[1:] else None)
        st = root.stat()
        return ([Task(name, str(root), lang, st.st_size, st.st_mtime_ns, st.st_ino)]
                if lang else []), []
    walker = Walker(root, excludes, gitignore)
    tasks = list(walker.walk())
    return tasks, walker.skipped
