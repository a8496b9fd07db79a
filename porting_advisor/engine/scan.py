# SPDX-License-Identifier: Apache-2.0
"""Run the scanners over the tasks, serially or in the process pool (`engine/pool.py`), with
the result cache; what each worker does per file is `engine/tasks.py`."""

from __future__ import annotations

import collections
import gc
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from porting_advisor.core.model import FileResult, Finding, Options
from porting_advisor.core.ruleset import RuleSet
from porting_advisor.engine import registry, rows
from porting_advisor.engine import tasks as per_file  # (called through it: tests patch it)
from porting_advisor.engine.cache import Cache
from porting_advisor.engine.pool import Pool, choose_jobs, pool_size
from porting_advisor.engine.tasks import MENTIONS, STATE, SYMBOLS, THOROUGH, Item, Outcome
from porting_advisor.engine.walk import Task

__all__ = [
    "MENTIONS",
    "STATE",
    "SYMBOLS",
    "THOROUGH",
    "Rescan",
    "Scan",
    "Scanner",
    "flatten",
    "run",
]


@dataclass
class Scan:
    """What the scan keeps: the results that carry something (findings, facts for cross-file
    passes, remarks, a skip reason), in task order, and a count of the files read. Results of
    files with nothing to say are dropped as they arrive, so memory grows with what is found,
    not with the size of the tree."""

    results: list[FileResult] = field(default_factory=list)
    scanned: int = 0


class Rescan(NamedTuple):
    """A rescan sent to the workers (`Scanner.send`), to be collected."""

    tasks: list[Task]
    items: list[Item]
    mode: str
    names: tuple[str, ...]
    ids: list[int]  # the pool's batch ids; none without a pool


# Work seen during the walk that starts the pool before the walk ends (the rest of the walk
# then overlaps the scan). Earlier, too few languages are known to preload and the found
# files too few to sort; later, the walk runs alone (measured: docs/performance.md).
STREAM_FILES = 256
STREAM_BYTES = 2 << 20
# A language with fewer files is not preloaded: its files go out together in one batch, and
# the one worker that gets it loads their scanners while the other scans (a few shell
# scripts loaded the container, .NET and CI scanners before any C file could start).
PRELOAD_MIN_FILES = 8


class Scanner:
    """Scans tasks as the walk finds them. Cached results are used for unchanged files; the
    rest go to a process pool in batches as soon as the tree has shown enough work to be worth
    one, so the workers scan while the parent is still walking. `finish` then gives the
    results in task order, whatever the number of workers.

        scanner = Scanner(options, rules, cache)
        tasks = scanner.feed(walker.walk())
        scan = scanner.finish(progress)
        more = scanner.rescan(some_tasks)  # if the passes need more of some files
        scanner.close()
    """

    BATCH_FILES = 64
    BATCH_BYTES = 1 << 20

    def __init__(
        self,
        options: Options,
        rules: RuleSet,
        cache: Cache | None = None,
        found: Callable[[int], None] | None = None,
    ) -> None:
        self.found = found  # told the count of files found, now and then, during the walk
        self.options = options
        self.rules = rules
        self.cache = cache if cache is not None and cache.enabled else None
        self.tasks: list[Task] = []
        self.done: dict[int, FileResult | str] = {}  # cache hits by task index (see Outcome)
        self.todo: list[int] = []  # indices still to scan
        self.batch: list[int] = []  # ... gathered for the next submission
        self.batch_bytes = 0
        self.todo_bytes = 0
        self.pool: Pool | None = None
        # (batch id, its task indices), in the order sent
        self.submitted: collections.deque[tuple[int, list[int]]] = collections.deque()
        self.jobs = 1
        self.rare: set[str] = set()  # languages not preloaded (see PRELOAD_MIN_FILES)
        # no pool: asked for, one CPU, or the pool could not start
        self.serial = options.jobs == 1 or (options.jobs == 0 and (os.cpu_count() or 1) < 2)

    def feed(self, found: Iterable[Task]) -> list[Task]:
        """Take every task; returns them all (in walk order) once the walk is over."""
        get = self.cache.get if self.cache is not None else None
        tell = self.found
        for t in found:
            i = len(self.tasks)
            self.tasks.append(t)
            if tell is not None and not i & 1023:
                tell(i)
            if get is not None:
                hit = get(t.file, t.path, t.size, t.mtime, t.inode)
                if hit is not None:
                    self.done[i] = hit
                    continue
            self.todo.append(i)
            self.todo_bytes += t.size
            if self.pool is not None:
                self.add(i)
            elif (
                not self.serial
                and (
                    self.options.jobs > 1
                    or len(self.todo) >= STREAM_FILES
                    or self.todo_bytes >= STREAM_BYTES
                )
                and (jobs := pool_size(self.options, len(self.todo), self.todo_bytes)) > 1
            ):
                # enough work seen to size the pool as for the whole tree
                self.start_pool(jobs)
                if self.pool is not None:
                    # what the walk found so far: the files of rare languages together, then
                    # the largest first (a large file sent last would keep one worker busy
                    # after the other is done)
                    rare, order = self.first_order()
                    for j in rare:
                        self.add(j)
                    self.submit()
                    for j in order:
                        self.add(j)
        return self.tasks

    def add(self, i: int) -> None:
        self.batch.append(i)
        self.batch_bytes += self.tasks[i].size
        if len(self.batch) >= self.BATCH_FILES or self.batch_bytes >= self.BATCH_BYTES:
            self.submit()

    def submit(self) -> None:
        if self.batch:
            assert self.pool is not None
            self.submitted.append((self.pool.submit(self.items(self.batch)), self.batch))
            self.batch, self.batch_bytes = [], 0

    def start_pool(self, jobs: int) -> None:
        import multiprocessing  # lazy: small scans and rescans never start a pool

        try:
            # fork where it is safe (Linux): workers start in milliseconds and inherit the
            # loaded catalogue; elsewhere the platform's default (spawn)
            ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
            if ctx.get_start_method() == "fork":
                # the scanners of the files seen so far, loaded once for all the workers
                counts = collections.Counter(t.language for t in self.tasks)
                self.rare = {lang for lang, n in counts.items() if n < PRELOAD_MIN_FILES}
                registry.preload(set(counts) - self.rare)
            # objects alive now (rules, catalogue) leave the collector's view: a worker's
            # collections would otherwise walk, and so copy, the pages it inherited
            gc.freeze()
            self.pool = Pool(jobs, ctx, self.options, self.rules)
            self.jobs = jobs
        except (OSError, ValueError, NotImplementedError):
            self.pool = None  # no process support here (sandbox, frozen edge case): serial
            self.serial = True

    def outcomes(self) -> Iterator[Outcome]:
        """One outcome per index in `todo`, in order."""
        if self.pool is None and not self.serial and len(self.todo) > 1:
            # the walk ended before the pool seemed worth it; the whole tree may say otherwise
            jobs = choose_jobs(self.options, [self.tasks[i] for i in self.todo])
            if jobs > 1:
                self.start_pool(jobs)
                if self.pool is not None:
                    yield from self.largest_first()
                    return
        if self.pool is None:
            per_file.init_worker(self.options, self.rules)
            for i in self.todo:
                yield per_file.outcome(per_file.scan_task(self.tasks[i]))
            return
        # the tail in small batches, so that both workers finish at about the same time
        tail = self.batch
        self.batch, self.batch_bytes = [], 0
        step = max(1, min(self.BATCH_FILES, len(tail) // (self.jobs * 4)))
        for k in range(0, len(tail), step):
            self.batch = tail[k : k + step]
            self.submit()
        yield from self.in_todo_order()

    def in_todo_order(self) -> Iterator[Outcome]:
        """The outcomes of the batches sent, one per index in `todo`, in order (batches are
        read in the order sent; an outcome waits until its own batch is read)."""
        assert self.pool is not None
        got: dict[int, Outcome] = {}
        for i in self.todo:
            while i not in got:
                bid, members = self.submitted.popleft()
                got.update(zip(members, self.pool.result(bid), strict=True))
            yield got.pop(i)

    def largest_first(self) -> Iterator[Outcome]:
        """The whole tree is known: the largest files go out first, each batch no larger
        than a worker's share of what is left, so that no worker starts an amalgamated
        header last (simdjson's 1.2 MB `simdjson.h`, sorted last by the walk, was the whole
        tail of the scan). Outcomes are still given in `todo` order."""
        assert self.pool is not None
        rare, order = self.first_order()
        left = self.todo_bytes - sum(self.tasks[i].size for i in rare)
        self.batch = rare
        self.submit()
        for i in order:
            self.batch.append(i)
            self.batch_bytes += self.tasks[i].size
            if len(self.batch) >= self.BATCH_FILES or self.batch_bytes >= min(
                self.BATCH_BYTES, max(1, left // (self.jobs * 4))
            ):
                left -= self.batch_bytes
                self.submit()
        self.submit()
        yield from self.in_todo_order()

    def first_order(self) -> tuple[list[int], list[int]]:
        """The files to scan so far: those of rare languages (one batch, sent first), and
        the others, largest first."""
        rare = [i for i in self.todo if self.tasks[i].language in self.rare]
        order = sorted(
            (i for i in self.todo if self.tasks[i].language not in self.rare),
            key=lambda i: -self.tasks[i].size,
        )
        return rare, order

    def items(self, indices: list[int]) -> list[Item]:
        return [per_file.item_of(self.tasks[i]) for i in indices]

    def finish(self, progress: Callable[[int], None] | None = None) -> Scan:
        count = len(self.done)
        if progress is not None and count:
            progress(count)
        fresh = self.outcomes()
        cache = self.cache
        scan = Scan()
        shared: dict[str, str] = {}  # see `share`
        for i, task in enumerate(self.tasks):
            result: Outcome = self.done.pop(i, None)
            if result is None:
                result = next(fresh)
                blob = b""
                if isinstance(result, bytes):
                    blob, result = result, rows.result_of(result)
                if cache is None:
                    pass
                elif isinstance(result, str):  # read, nothing to say
                    cache.put_clean(task.file, task.size, task.mtime, task.inode, result)
                else:
                    cache.put(
                        result if result is not None else FileResult(task.file, task.language),
                        task.path,
                        task.size,
                        task.mtime,
                        task.inode,
                        blob,
                    )
                count += 1
                if progress is not None:
                    progress(count)
            if isinstance(result, FileResult):
                scan.scanned += result.scanned
                if result.says_something or result.skipped:
                    per_file.share(result.findings, shared)
                    scan.results.append(result)
            elif result is not None:
                scan.scanned += 1
        return scan

    def rescan(
        self, tasks: list[Task], mode: str = THOROUGH, names: tuple[str, ...] = ()
    ) -> dict[str, FileResult]:
        """Scan `tasks` again (after `finish`, for records a pass asked for), with the pool
        if it runs; file -> the new result of each that could be scanned. A THOROUGH result
        replaces the file's cached result; a SYMBOLS or MENTIONS one holds only its facts
        (not cached)."""
        return self.collect(self.send(tasks, mode, names))

    def send(self, tasks: list[Task], mode: str = THOROUGH, names: tuple[str, ...] = ()) -> Rescan:
        """`rescan`'s first half: the batches go to the workers, and the caller may send
        another rescan before it `collect`s this one (the workers then never wait between
        the two). Without a pool the files are scanned at `collect`."""
        items = [per_file.item_of(t) for t in tasks]
        ids: list[int] = []
        if self.pool is not None:
            step = max(1, min(self.BATCH_FILES, len(items) // (self.jobs * 4)))
            ids = [
                self.pool.submit(items[k : k + step], mode, names)
                for k in range(0, len(items), step)
            ]
        return Rescan(tasks, items, mode, names, ids)

    def collect(self, sent: Rescan) -> dict[str, FileResult]:
        """`rescan`'s second half: the results of what `send` sent."""
        if self.pool is not None:
            fresh = [o for bid in sent.ids for o in self.pool.result(bid)]
        else:
            per_file.init_worker(self.options, self.rules)
            fresh = per_file.scan_batch(sent.items, sent.mode, sent.names)
        out = {}
        for task, result in zip(sent.tasks, fresh, strict=True):
            blob = b""
            if isinstance(result, bytes):
                blob, result = result, rows.result_of(result)
            if not isinstance(result, FileResult) or result.skipped:
                continue  # (changed since, or unreadable now: the first result stands)
            if self.cache is not None and sent.mode == THOROUGH:
                self.cache.put(result, task.path, task.size, task.mtime, task.inode, blob)
            out[task.file] = result
        return out

    def close(self) -> None:
        """Stop the workers (also when the scan is abandoned half way)."""
        if self.pool is not None:
            self.pool.close()
            self.pool = None


def run(
    tasks: list[Task],
    options: Options,
    rules: RuleSet,
    progress: Callable[[int], None] | None = None,
    cache: Cache | None = None,
) -> Scan:
    """Scan a list of tasks (see `Scanner`)."""
    scanner = Scanner(options, rules, cache)
    try:
        scanner.feed(tasks)
        return scanner.finish(progress)
    finally:
        scanner.close()


def flatten(results: Iterable[FileResult]) -> list[Finding]:
    return [f for r in results for f in r.findings]
