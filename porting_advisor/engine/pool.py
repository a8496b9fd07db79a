# SPDX-License-Identifier: Apache-2.0
"""The parent's process pool: how many workers a tree's work is worth, the worker's loop, and
the pipes that carry batches out and outcomes back (no feeder or result threads)."""

from __future__ import annotations

import collections
import gc
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from porting_advisor.core.model import FileResult, Options
from porting_advisor.core.ruleset import RuleSet
from porting_advisor.engine import budget, registry
from porting_advisor.engine import tasks as per_file
from porting_advisor.engine.tasks import Item, Outcome
from porting_advisor.engine.walk import Task

POOL_MIN_FILES = 64  # below this a pool costs more than it saves
# below this much work a pool costs more than it saves: forked workers (Linux) start in
# milliseconds with the parent's scanners loaded; spawned ones import them again
POOL_MIN_BYTES = 256 << 10 if sys.platform.startswith("linux") else 2 << 20


def choose_jobs(options: Options, tasks: list[Task]) -> int:
    work = [t for t in tasks if registry.analysed(t.language)]
    return pool_size(options, len(work), sum(t.size for t in work))


def pool_size(options: Options, files: int, size: int) -> int:
    """Workers for this much work: 1 (no pool) under 64 files or POOL_MIN_BYTES, else one
    per 16 files up to the CPUs; `--jobs` decides when given."""
    if options.jobs > 0:
        return options.jobs
    if files < POOL_MIN_FILES or size < POOL_MIN_BYTES:
        return 1
    return max(1, min(os.cpu_count() or 1, files // 16))


def worker_main(
    tasks: Any,
    results: Any,
    options: Options,
    rules: RuleSet,
    inherited: list[Any],
    pool_start: float = 0.0,
) -> None:
    """A worker process: scan each batch the parent sends until it closes the pipe. With
    PORTING_ADVISOR_TIMING set it tells stderr when its first batch arrived after the pool
    started (`pool_start`, the parent's perf_counter: the same clock after a fork)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler: end quietly
    for conn in inherited:  # the parent's ends, copied by fork: kept, they would hold
        conn.close()  # this worker's pipe (and the others') open after the parent
    per_file.init_worker(options, rules)
    budget.limit_memory(options.worker_memory)
    gc.enable()
    first = bool(pool_start) and bool(os.environ.get("PORTING_ADVISOR_TIMING"))
    while True:
        try:
            mode, names, items = tasks.recv()
        except (EOFError, OSError):
            return
        if first:
            first = False
            waited = (time.perf_counter() - pool_start) * 1000
            sys.stderr.write(
                f"timing: worker {os.getpid()} first file {waited:.1f} ms after the pool started\n"
            )
        try:
            results.send(per_file.scan_batch(items, mode, names))
        except OSError:  # the parent is gone (interrupted): nobody to tell
            return


@dataclass(eq=False, slots=True)
class Worker:
    """One worker process, the parent's ends of its two pipes, and its batches in flight."""

    process: Any
    tasks: Any  # Connection: batches go out here
    results: Any  # Connection: outcomes come back here
    inflight: collections.deque[int] = field(default_factory=collections.deque)


# What a pipe surely holds without its reader (Linux gives 64 KB): a batch this small can be
# queued behind a busy worker's current one without blocking the parent.
PIPE_ROOM = 16 << 10


class Pool:
    """Worker processes fed over pipes by the parent's own thread: batches go out as workers
    have room (two each in flight, so none waits for the next), results come back in
    submission order. No feeder or result threads: with ProcessPoolExecutor those took a
    fifth of the parent's CPU on a tree of small files and contended for the GIL with the
    walk. A worker that dies (a crash in a native parser) costs the batch it was scanning,
    reported as skipped files, never the scan."""

    IN_FLIGHT = 2

    def __init__(self, jobs: int, ctx: Any, options: Options, rules: RuleSet) -> None:
        self.workers: list[Worker] = []
        try:
            fork = ctx.get_start_method() == "fork"
            start = time.perf_counter() if fork else 0.0
            for _ in range(jobs):
                task_r, task_w = ctx.Pipe(duplex=False)
                result_r, result_w = ctx.Pipe(duplex=False)
                inherited = [
                    task_w,
                    result_r,
                    *(c for w in self.workers for c in (w.tasks, w.results)),
                ]
                proc = ctx.Process(
                    target=worker_main,
                    daemon=True,
                    args=(task_r, result_w, options, rules, inherited if fork else [], start),
                )
                proc.start()
                task_r.close()
                result_w.close()
                self.workers.append(Worker(proc, task_w, result_r))
        except BaseException:
            self.close()
            raise
        self.waiting: collections.deque[int] = collections.deque()  # batches not yet sent
        self.batches: dict[int, list[Item]] = {}  # sent or waiting
        self.done: dict[int, list[Outcome]] = {}
        self.modes: dict[int, tuple[str, tuple[str, ...]]] = {}  # batches not scanned as usual
        self.messages: dict[int, bytes] = {}  # batches pickled, not yet sent
        self.next_id = 0

    def submit(self, items: list[Item], mode: str = "", names: tuple[str, ...] = ()) -> int:
        bid = self.next_id
        self.next_id += 1
        self.batches[bid] = items
        if mode:
            self.modes[bid] = (mode, names)
        self.waiting.append(bid)
        self.pump(block=False)
        return bid

    def result(self, bid: int) -> list[Outcome]:
        while bid not in self.done:
            self.pump(block=True)
        return self.done.pop(bid)

    def pump(self, block: bool) -> None:
        """Collect finished batches (waiting for one when `block`), then send the next ones."""
        from multiprocessing.connection import wait

        busy = [w for w in self.workers if w.inflight]
        if busy:
            ready = wait([w.results for w in busy], None if block else 0)
            for w in busy:
                if w.results in ready:
                    self.collect(w)
        while self.waiting and self.workers:
            w = min(self.workers, key=lambda w: len(w.inflight))
            if len(w.inflight) >= self.IN_FLIGHT:
                break
            bid = self.waiting[0]
            message = self.messages.get(bid)
            if message is None:
                # (multiprocessing is imported with the pool: a scan without one never pays it)
                from multiprocessing.reduction import ForkingPickler

                message = self.messages[bid] = bytes(
                    ForkingPickler.dumps((*self.modes.get(bid, ("", ())), self.batches[bid]))
                )
            if w.inflight and len(message) > PIPE_ROOM:
                # A busy worker reads its next batch only after sending its last result: a
                # batch the pipe cannot hold would block us while it blocks on its result
                # (neither reading). It waits until a worker is idle (`w` is the least busy).
                break
            self.waiting.popleft()
            try:
                w.tasks.send_bytes(message)
            except OSError:
                self.waiting.appendleft(bid)
                self.lost(w)
                continue
            del self.messages[bid]
            w.inflight.append(bid)
        if not self.workers:  # every worker died: nothing can scan what is left
            while self.waiting:
                self.fail(self.waiting.popleft())

    def collect(self, w: Worker) -> None:
        try:
            outcomes = w.results.recv()
        except (EOFError, OSError):
            self.lost(w)
            return
        bid = w.inflight.popleft()
        del self.batches[bid]
        self.modes.pop(bid, None)
        self.done[bid] = outcomes

    def lost(self, w: Worker) -> None:
        """A worker died: the batch it was scanning (its oldest) becomes skipped files; the
        batches queued behind it go to the other workers."""
        self.workers.remove(w)
        if w.inflight:
            self.fail(w.inflight.popleft())
        self.waiting.extendleft(reversed(w.inflight))
        w.tasks.close()
        w.results.close()

    def fail(self, bid: int) -> None:
        self.messages.pop(bid, None)
        self.modes.pop(bid, None)
        self.done[bid] = [
            FileResult(file, language, skipped="the scanning process crashed")
            for file, _, language, _ in self.batches.pop(bid)
        ]

    def close(self) -> None:
        """Stop the workers: a closed pipe ends each one's loop; a worker still busy with
        batches nobody will read (an abandoned scan) is terminated."""
        for w in self.workers:
            w.tasks.close()
            if w.inflight:
                w.process.terminate()
        for w in self.workers:
            w.process.join(5)
            if w.process.is_alive():
                w.process.kill()
                w.process.join()
            w.results.close()
        self.workers = []
