# SPDX-License-Identifier: Apache-2.0
"""The result cache: per-file results and facts, keyed by the file's identity and the options.

One SQLite database in the cache directory (safe with concurrent runs: SQLite locks, and a
busy database just means a miss). An entry is valid when the file's (size, mtime_ns, inode)
are unchanged, or when its content hash still matches. The scope of an entry is the scanned
root, the tool version, the rules' hash and every option that changes per-file results; the
cross-file passes always re-run on the facts. Any problem (no HOME, read-only disk, corrupt
database) turns the cache off silently.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import sqlite3
import sys
import time
from pathlib import Path

from porting_advisor import __version__
from porting_advisor.model import FileResult, Options

SCHEMA = """CREATE TABLE IF NOT EXISTS results (
  scope TEXT NOT NULL, path TEXT NOT NULL, size INTEGER, mtime INTEGER, inode INTEGER,
  digest TEXT, result BLOB, PRIMARY KEY (scope, path));
CREATE TABLE IF NOT EXISTS scopes (scope TEXT PRIMARY KEY, root TEXT, used INTEGER)  -- used: ms"""
# Pruning: a root keeps the results of its few most recent scopes (tool versions, targets,
# options), and a scope not used for a month goes; the database does not grow without bound.
KEEP_PER_ROOT = 3
MAX_AGE_MS = 30 * 86400 * 1000


def default_dir() -> Path | None:
    base = os.environ.get("XDG_CACHE_HOME")
    if base:
        return Path(base) / "porting-advisor"
    home = os.environ.get("HOME")
    return Path(home) / ".cache" / "porting-advisor" if home else None


@functools.cache
def rules_hash(directory: str) -> str:
    h = hashlib.sha1()
    for path in sorted(Path(directory).rglob("*")):
        if path.is_file():
            h.update(path.relative_to(directory).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


@functools.cache
def code_hash() -> str:
    """The scanner's own code: a development checkout changes without a version bump."""
    h = hashlib.sha1(__version__.encode())
    here = Path(__file__).resolve().parent
    for path in sorted(here.glob("*.py")):
        with contextlib.suppress(OSError):
            h.update(path.read_bytes())
    if getattr(sys, "frozen", False):
        with contextlib.suppress(OSError):
            h.update(str(os.stat(sys.executable).st_mtime_ns).encode())
    return h.hexdigest()


def scope_of(options: Options, rules_dir: str) -> str:
    key = "\0".join((str(options.root.resolve()), code_hash(), rules_hash(rules_dir),
                     options.target, options.target_os, ",".join(sorted(options.categories)),
                     str(options.no_filter), str(options.max_file_size)))
    return hashlib.sha1(key.encode()).hexdigest()


def digest_file(path: str) -> str:
    h = hashlib.sha1()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Cache:
    """Opened once per run by the parent process; workers never touch it."""

    def __init__(self, directory: Path | None, scope: str, root: str = "") -> None:
        self.scope = scope
        self.root = root
        self.db: sqlite3.Connection | None = None
        self.entries: dict[str, tuple[int, int, int, str, bytes]] = {}
        if directory is None:
            return
        try:
            directory.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(directory / "results-v1.sqlite3", timeout=5)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.executescript(SCHEMA)
            rows = self.db.execute("SELECT path, size, mtime, inode, digest, result FROM results "
                                   "WHERE scope = ?", (scope,))
            self.entries = {r[0]: (r[1], r[2], r[3], r[4], r[5]) for r in rows}
        except (OSError, sqlite3.Error):
            self.close()

    @property
    def enabled(self) -> bool:
        return self.db is not None

    def get(self, file: str, path: str, size: int, mtime: int, inode: int,
            language: str = "") -> FileResult | None:
        entry = self.entries.get(file)
        if entry is None:
            return None
        e_size, e_mtime, e_inode, e_digest, blob = entry
        if (e_size, e_mtime, e_inode) != (size, mtime, inode):
            if e_size != size or not e_digest:
                return None
            try:
                if digest_file(path) != e_digest:
                    return None
            except OSError:
                return None
            self.pending.append((file, size, mtime, inode, e_digest, blob))
        if not blob:   # the common case: scanned, nothing found, no facts
            return FileResult(file, language, True, digest=e_digest)
        try:
            result = pickle.loads(blob)
        except Exception:  # noqa: BLE001 - any unreadable entry is a miss
            return None
        return result if isinstance(result, FileResult) else None

    @functools.cached_property
    def pending(self) -> list[tuple[str, int, int, int, str, bytes]]:
        return []

    def put(self, result: FileResult, path: str, size: int, mtime: int, inode: int) -> None:
        if self.db is None or result.skipped:
            return   # skipped files are retried: they may be readable next time
        empty = result.scanned and not (result.findings or result.facts or result.remarks)
        blob = b"" if empty else pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        self.pending.append((result.file, size, mtime, inode, result.digest, blob))

    def prune(self) -> None:
        """Drop old scopes of this root, scopes unused for a month, and orphaned results."""
        assert self.db is not None
        self.db.execute("DELETE FROM scopes WHERE used < ?",
                        (time.time_ns() // 1_000_000 - MAX_AGE_MS,))
        self.db.execute("DELETE FROM scopes WHERE root = ? AND scope NOT IN (SELECT scope FROM "
                        "scopes WHERE root = ? ORDER BY used DESC, scope = ? DESC LIMIT ?)",
                        (self.root, self.root, self.scope, KEEP_PER_ROOT))
        self.db.execute("DELETE FROM results WHERE scope NOT IN (SELECT scope FROM scopes)")

    def close(self) -> None:
        """Write what was added (one transaction) and close; errors turn the cache off."""
        if self.db is None:
            return
        try:
            with self.db:
                self.db.execute("INSERT OR REPLACE INTO scopes VALUES (?, ?, ?)",
                                (self.scope, self.root, time.time_ns() // 1_000_000))
                if self.pending:
                    self.db.executemany(
                        "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [(self.scope, *p) for p in self.pending])
                    self.prune()
            self.db.close()
        except sqlite3.Error:
            pass
        self.db = None
