# SPDX-License-Identifier: Apache-2.0
"""The result cache: per-file results and facts, keyed by the file's identity and the options,
and the last finished report of each scope.

One SQLite database in the cache directory (safe with concurrent runs: SQLite locks, and a
busy database just means a miss). A per-file entry is valid when the file's (size, mtime_ns,
inode) are unchanged, or when its content hash still matches. The scope of an entry is the
scanned root, the tool version, the rules' hash and every option that changes per-file
results. When any file changed, the cross-file passes re-run on the facts; when none did, the
last report is reused whole: without a walk if the stamps saved with it (each directory
listed, .gitignore read and file scanned) all hold, else after a walk that finds the same
files. Without HOME the cache is off; a read-only or corrupt cache is a warning (once), and a
corrupt database is rebuilt. Rows are plain data (`rows`), never pickles: a shared cache
directory must not run code.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import os
import sqlite3
import sys
import time
from pathlib import Path

from porting_advisor import __version__
from porting_advisor.core.model import FileResult, Options, Report
from porting_advisor.engine import rows, walk
from porting_advisor.engine.rows import CorruptRow
from porting_advisor.engine.walk import Task

SCHEMA = """CREATE TABLE IF NOT EXISTS results (
  scope TEXT NOT NULL, path TEXT NOT NULL, size INTEGER, mtime INTEGER, inode INTEGER,
  digest TEXT, result BLOB, PRIMARY KEY (scope, path));
CREATE TABLE IF NOT EXISTS scopes (scope TEXT PRIMARY KEY, root TEXT, used INTEGER);  -- used: ms
CREATE TABLE IF NOT EXISTS last_reports (scope TEXT PRIMARY KEY, tree TEXT, options TEXT,
  stamps BLOB, report BLOB)"""
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
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*.py")):
        with contextlib.suppress(OSError):
            h.update(path.read_bytes())
    if getattr(sys, "frozen", False):
        with contextlib.suppress(OSError):
            h.update(str(os.stat(sys.executable).st_mtime_ns).encode())
    return h.hexdigest()


def scope_of(options: Options, rules_dir: str) -> str:
    key = "\0".join(
        (
            str(options.root.resolve()),
            code_hash(),
            rules_hash(rules_dir),
            options.target,
            options.target_os,
            ",".join(sorted(options.categories)),
            str(options.no_filter),
            str(options.max_file_size),
        )
    )
    if options.compile_db is not None:
        # the units' -D/-U decide the C files' results: the database's content is key
        key += "\0" + options.compile_db.digest
    return hashlib.sha1(key.encode()).hexdigest()


def options_key(options: Options) -> str:
    """The options that decide a report beyond the scope (which files, which findings)."""
    return repr(
        (
            options.show_suppressed,
            options.excludes,
            options.gitignore,
            sorted(options.only_files) if options.only_files is not None else None,
        )
    )


def tree_key(tasks: list[Task], walk_skipped: list[tuple[str, str]], options: str) -> str:
    """What decides a whole report beyond the scope: every file's identity (the same test as a
    per-file hit, without the content-hash fallback), what the walk skipped, and the options."""
    listing = "\n".join(f"{t.file}\0{t.language}\0{t.size}\0{t.mtime}\0{t.inode}" for t in tasks)
    return hashlib.sha1(
        f"{options}\n{walk_skipped!r}\n{listing}".encode("utf-8", "surrogateescape")
    ).hexdigest()


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
        # (tree, options, stamps, report or None to renew only the stamps), written at close
        self.new_report: tuple[str, str, list[walk.Stamp], Report | None] | None = None
        self.warning = ""  # why the cache is off or was rebuilt: said once per run (issue 21)
        if directory is None:
            return
        path = directory / "results-v1.sqlite3"
        try:
            self.open(directory, path)
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError):  # locked, read-only, disk full
                self.off(f"the result cache {path} cannot be used ({exc}); scanning without it")
                return
            self.close()
            try:  # not a database, or a malformed one: start afresh
                for name in (path.name, path.name + "-wal", path.name + "-shm"):
                    (directory / name).unlink(missing_ok=True)
                self.open(directory, path)
                self.warning = f"the result cache {path} was corrupt ({exc}); rebuilt it"
            except (OSError, sqlite3.Error) as again:
                self.off(f"the result cache {path} was corrupt and cannot be rebuilt ({again})")
        except OSError as exc:
            self.off(
                f"the result cache {directory} cannot be used ({exc.strerror}); scanning without it"
            )

    def open(self, directory: Path, path: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        if not os.access(directory, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
            raise OSError(errno.EACCES, "read-only")
        self.db = sqlite3.connect(path, timeout=5)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")  # a cache: no fsync per commit
        self.db.executescript(SCHEMA)

    def off(self, warning: str) -> None:
        self.warning = warning
        self.close()

    @functools.cached_property
    def entries(self) -> dict[str, tuple[str, int, int, int, str, bytes]]:
        """This scope's per-file results, read when the first file is looked up (a rescan
        that the whole-report entry answers never reads them)."""
        if self.db is None:
            return {}
        try:
            rows = self.db.execute(
                "SELECT path, size, mtime, inode, digest, result FROM results WHERE scope = ?",
                (self.scope,),
            )
            return {r[0]: r for r in rows}
        except sqlite3.Error:
            self.close()
            return {}

    def unchanged_report(self, options: str) -> Report | None:
        """The last report of this scope, without walking the tree, if the stamps saved with
        it (every directory listed, .gitignore read and file scanned) all still hold."""
        if self.db is None:
            return None
        try:
            row = self.db.execute(
                "SELECT stamps, report FROM last_reports WHERE scope = ? AND options = ?",
                (self.scope, options),
            ).fetchone()
            if not row or not walk.unchanged(stamps_of(row[0])):
                return None
            return rows.report_of(row[1])
        except (sqlite3.Error, CorruptRow, TypeError, ValueError):  # (a stamp of another shape)
            return None

    def report(self, tree: str, options: str, stamps: list[walk.Stamp]) -> Report | None:
        """The last report of this scope if the walk found the same tree (`tree_key`); its
        stamps are renewed (a directory touched without a change still passes next time)."""
        if self.db is None:
            return None
        try:
            row = self.db.execute(
                "SELECT report FROM last_reports WHERE scope = ? AND tree = ? AND options = ?",
                (self.scope, tree, options),
            ).fetchone()
            result = rows.report_of(row[0]) if row else None
        except (sqlite3.Error, CorruptRow):  # a miss
            return None
        if result is None:
            return None
        self.new_report = (tree, options, stamps, None)
        return result

    def put_report(self, tree: str, options: str, stamps: list[walk.Stamp], report: Report) -> None:
        if self.db is not None:
            self.new_report = (tree, options, stamps, report)

    @property
    def enabled(self) -> bool:
        return self.db is not None

    def get(
        self, file: str, path: str, size: int, mtime: int, inode: int
    ) -> FileResult | str | None:
        """The cached result of an unchanged file: a FileResult, or for a file that was read
        and had nothing to say just its digest (what a worker would send back); None when the
        file is not in the cache or changed."""
        entry = self.entries.get(file)
        if entry is None:
            return None
        _, e_size, e_mtime, e_inode, e_digest, blob = entry
        if (e_size, e_mtime, e_inode) != (size, mtime, inode):
            if e_size != size or not e_digest:
                return None
            try:
                if digest_file(path) != e_digest:
                    return None
            except OSError:
                return None
            self.pending.append((file, size, mtime, inode, e_digest, blob))
        if not blob:  # the common case: scanned, nothing found, no facts
            return e_digest
        try:
            return rows.result_of(blob)
        except CorruptRow:  # (not written by this version, or tampered with): scanned again
            return None

    @functools.cached_property
    def pending(self) -> list[tuple[str, int, int, int, str, bytes]]:
        return []

    # Rows waiting to be written go to the database (in the run's one transaction, committed
    # at close) once their blobs pass this size: on SIMD-heavy code a file's result holds
    # hundreds of findings, and a large tree's rows held to the end would fill memory.
    FLUSH_BYTES = 16 << 20
    pending_bytes = 0
    flushed = False

    def flush(self) -> None:
        if self.db is None or not self.pending:
            return
        try:
            self.write_pending(self.db)
        except sqlite3.Error:  # (busy: another run is writing) the cache is off
            with contextlib.suppress(sqlite3.Error):
                self.db.close()  # without a commit: nothing half written
            self.db = None

    def write_pending(self, db: sqlite3.Connection) -> None:
        """Insert the rows waiting to be written (in the open transaction)."""
        db.executemany(
            "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(self.scope, *p) for p in self.pending],
        )
        self.pending.clear()
        self.pending_bytes = 0
        self.flushed = True

    def put_clean(self, file: str, size: int, mtime: int, inode: int, digest: str) -> None:
        """Record a file that was read and had nothing to say (the common case: no blob)."""
        if self.db is not None:
            self.pending.append((file, size, mtime, inode, digest, b""))

    def put(
        self, result: FileResult, path: str, size: int, mtime: int, inode: int, blob: bytes = b""
    ) -> None:
        """Record a fresh result; `blob` is its row when a worker made it already."""
        if self.db is None or result.skipped:
            return  # skipped files are retried: they may be readable next time
        empty = result.scanned and not result.says_something
        if empty:
            blob = b""
        elif not blob:
            blob = rows.result_blob(result)
        self.pending.append((result.file, size, mtime, inode, result.digest, blob))
        self.pending_bytes += len(blob)
        if self.pending_bytes > self.FLUSH_BYTES:
            self.flush()

    def prune(self) -> None:
        """Drop old scopes of this root, scopes unused for a month, and orphaned results."""
        assert self.db is not None
        dropped = self.db.execute(
            "DELETE FROM scopes WHERE used < ?", (time.time_ns() // 1_000_000 - MAX_AGE_MS,)
        ).rowcount
        dropped += self.db.execute(
            "DELETE FROM scopes WHERE root = ? AND scope NOT IN (SELECT scope FROM scopes "
            "WHERE root = ? ORDER BY used DESC, scope = ? DESC LIMIT ?)",
            (self.root, self.root, self.scope, KEEP_PER_ROOT),
        ).rowcount
        if dropped:  # (each run prunes, so results are orphaned only by these deletes)
            self.db.execute("DELETE FROM results WHERE scope NOT IN (SELECT scope FROM scopes)")
            self.db.execute(
                "DELETE FROM last_reports WHERE scope NOT IN (SELECT scope FROM scopes)"
            )

    def close(self) -> None:
        """Write what was added (one transaction) and close; errors turn the cache off."""
        if self.db is None:
            return
        try:
            with self.db:
                self.db.execute(
                    "INSERT OR REPLACE INTO scopes VALUES (?, ?, ?)",
                    (self.scope, self.root, time.time_ns() // 1_000_000),
                )
                if self.pending:
                    self.write_pending(self.db)
                if self.new_report is not None:
                    tree, options, stamps, report = self.new_report
                    blob = rows.dumps(stamps)
                    if report is None:
                        self.db.execute(
                            "UPDATE last_reports SET stamps = ? WHERE scope = ?", (blob, self.scope)
                        )
                    else:
                        self.db.execute(
                            "INSERT OR REPLACE INTO last_reports VALUES (?, ?, ?, ?, ?)",
                            (self.scope, tree, options, blob, rows.report_blob(report)),
                        )
                if self.flushed or self.new_report is not None:
                    self.prune()
            self.db.close()
        except sqlite3.Error:
            pass
        self.db = None


def stamps_of(blob: bytes) -> list[walk.Stamp]:
    """The stamps saved with a report: (path, size, mtime_ns, inode) each."""
    stamps = rows.loads(blob)
    if not isinstance(stamps, list):
        raise CorruptRow("stamps")
    return stamps
