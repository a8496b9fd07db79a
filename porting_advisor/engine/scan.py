# SPDX-License-Identifier: Apache-2.0
"""Run the scanners over the tasks, serially or in a process pool, and apply cross-file passes."""

from __future__ import annotations

import collections
import gc
import hashlib
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from porting_advisor.core.facts import Arch, BinaryFile, NativeBuilds
from porting_advisor.core.model import FileResult, Finding, Options, Remark
from porting_advisor.core.ruleset import RuleSet
from porting_advisor.core.source import Source
from porting_advisor.engine import budget, registry, rows, suppress
from porting_advisor.engine.cache import Cache
from porting_advisor.engine.walk import Task

# Text files larger than this are not scanned (generated code); binaries have their own reader.
POOL_MIN_FILES = 64  # below this a pool costs more than it saves
# below this much work a pool costs more than it saves: forked workers (Linux) start in
# milliseconds with the parent's scanners loaded; spawned ones import them again
POOL_MIN_BYTES = 256 << 10 if sys.platform.startswith("linux") else 2 << 20

# Per-process state, set once by `init_worker` (or by `run` for the serial path).
STATE: dict[str, object] = {}


def init_worker(options: Options, rules: RuleSet) -> None:
    STATE["options"] = options
    STATE["rules"] = rules
    STATE["timed"] = budget.install() and options.file_seconds > 0


# What a worker sends back for one file: the FileResult when it carries something (as a cache
# row made by the worker when the result cache is on: the parent stores those bytes), else
# only the digest of a file read with nothing to say ("" with the cache off) or None for a
# file no scanner reads. Most files of a tree say nothing; they cost a short string.
Outcome = FileResult | bytes | str | None


# A file for a worker: (file, path, language, size)
Item = tuple[str, str, str, int]


# How a batch is scanned: "" (as usual), THOROUGH (everything a pass may ask for, see Source),
# SYMBOLS (only the functions C/C++ files define and declare: `scan_symbols`) or MENTIONS
# (only which of some macro names a file mentions: `scan_mentions`)
THOROUGH, SYMBOLS, MENTIONS = "thorough", "symbols", "mentions"


def scan_batch(items: list[Item], mode: str = "", names: tuple[str, ...] = ()) -> list[Outcome]:
    """Scan a batch of files in a worker (`mode`: see THOROUGH; `names` for MENTIONS)."""
    options = STATE["options"]
    assert isinstance(options, Options)
    if mode == SYMBOLS:
        return [scan_symbols(Task(*item)) for item in items]
    if mode == MENTIONS:
        return [scan_mentions(Task(*item), names) for item in items]
    pack = options.cache_dir is not None
    shared: dict[str, str] = {}  # (per batch: equal texts go to the parent as one object)
    out: list[Outcome] = []
    for item in items:
        result = scan_task(Task(*item), mode == THOROUGH)
        if result.findings:
            share(result.findings, shared, snippets=True)
        out.append(outcome(result, pack))
    return out


def scan_symbols(task: Task) -> FileResult:
    """The `CFunctions` of a C/C++ file, alone (asked for after the scan, when the tree has
    x86 assembly whose symbols need an Arm64 definition: most trees never pay for it)."""
    from porting_advisor.scanners.c import scan as cfamily

    return facts_only(task, cfamily.functions)


def scan_mentions(task: Task, names: tuple[str, ...]) -> FileResult:
    """The `Mentions` fact of a C/C++ or assembly file, alone (asked for after the scan,
    when findings are in the bodies of macros their own file does not expand)."""
    from porting_advisor.scanners.c import macro_uses

    return facts_only(task, lambda src: macro_uses.mentions(src, names))


def facts_only(task: Task, record: Callable[[Source], None]) -> FileResult:
    """A result holding only the facts `record` adds for one file (no findings); an empty
    one when the file cannot be read or `record` fails: the first result stands."""
    options = STATE["options"]
    rules = STATE["rules"]
    assert isinstance(options, Options) and isinstance(rules, RuleSet)
    try:
        data = read_capped(task.path, task.size, options.max_file_size + 1)
    except OSError:
        return FileResult(task.file, task.language)
    if len(data) > options.max_file_size or data.find(b"\0", 0, 8192) >= 0:
        return FileResult(task.file, task.language)
    text, _ = decode(data)
    src = Source(task.file, task.language, data, text, options, rules)
    try:
        record(src)
    except Exception:  # noqa: BLE001 - the worker boundary
        return FileResult(task.file, task.language)
    return FileResult(task.file, task.language, True, (), tuple(src.facts))


def outcome(result: FileResult, pack: bool = False) -> Outcome:
    if result.skipped:
        return result
    if result.says_something:
        return rows.result_blob(result) if pack else result
    return result.digest if result.scanned else None


def decode(data: bytes) -> tuple[str, bool]:
    try:
        return data.decode("utf-8"), True
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace"), False


def suppressions(src: Source, findings: list[Finding]) -> list[Finding]:
    """Mark findings named by a `porting-advisor: ignore[...]` comment (see `suppress`)."""
    return suppress.apply(src, findings)


def too_large(cap: int) -> str:
    """The skip reason for a file over `--max-file-size`."""
    size = f"{cap >> 20} MB" if cap % (1 << 20) == 0 else f"{cap} bytes"
    return f"larger than {size} (--max-file-size)"


def scan_task(task: Task, thorough: bool = False) -> FileResult:
    """Scan one file (`thorough`: see Source). Never raises: a failure becomes the result's
    `skipped` reason."""
    options = STATE["options"]
    rules = STATE["rules"]
    assert isinstance(options, Options) and isinstance(rules, RuleSet)
    if task.language == "binary":
        return scan_binary_task(task, rules, options.target_os)
    scanners = registry.scanners_for(task.language, task.file.endswith("setup.py"), task.file)
    if not scanners:
        return FileResult(task.file, task.language)
    if task.size > options.max_file_size:
        return FileResult(task.file, task.language, skipped=too_large(options.max_file_size))
    try:
        data = read_capped(task.path, task.size, options.max_file_size + 1)
    except OSError as exc:
        return FileResult(task.file, task.language, skipped=f"cannot read: {exc.strerror}")
    if len(data) > options.max_file_size:
        return FileResult(task.file, task.language, skipped=too_large(options.max_file_size))
    if data.find(b"\0", 0, 8192) >= 0:
        return FileResult(task.file, task.language, skipped="binary content in a text file")
    text, clean = decode(data)
    src = Source(task.file, task.language, data, text, options, rules, thorough=thorough)
    if not clean:
        src.remarks.append(
            Remark("invalid-utf8", "not valid UTF-8; undecodable bytes replaced", task.file)
        )
    seconds = options.file_seconds if STATE.get("timed") else 0
    try:
        budget.start(seconds)
        try:
            for scan in scanners:
                scan(src)
        finally:
            budget.stop(seconds)
    except budget.Overrun:
        return FileResult(task.file, task.language, skipped=f"took over {seconds:g} s to scan")
    except MemoryError:
        return FileResult(task.file, task.language, skipped="over the memory budget to scan")
    except Exception as exc:  # noqa: BLE001 - the worker boundary: one bad file never stops a scan
        return FileResult(
            task.file, task.language, skipped=f"scanner failed: {type(exc).__name__}: {exc}"
        )
    findings = suppressions(src, src.findings)
    digest = hashlib.sha1(data).hexdigest() if options.cache_dir is not None else ""
    return FileResult(
        task.file,
        task.language,
        True,
        tuple(findings),
        tuple(src.facts),
        remarks=tuple(src.remarks),
        digest=digest,
    )


OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def read_capped(path: str, size: int, cap: int) -> bytes:
    """Up to `cap` bytes of a file whose size the walk saw as `size`. The buffer asked of the
    OS is sized from the stat (a cap-sized request would allocate megabytes per small file);
    a file that grew since, or a short read, is read on up to the cap."""
    fd = os.open(path, OPEN_FLAGS)
    try:
        data = os.read(fd, min(size + 1, cap))
        if len(data) == size:
            return data  # exactly the size the walk saw: no second read to find the end
        parts = [data]
        total = len(data)
        while total < cap and (more := os.read(fd, min(cap - total, 1 << 20))):
            parts.append(more)
            total += len(more)
        return b"".join(parts)
    finally:
        os.close(fd)


def scan_binary_task(task: Task, rules: RuleSet, target_os: str = "linux") -> FileResult:
    """Binaries are exempt from the text size cap: only headers and directories are read.
    Archive members built for another OS than `target_os` are filtered."""
    from porting_advisor.core.source import finding
    from porting_advisor.scanners import binaries

    try:
        if task.file.lower().endswith(binaries.ZIP_SUFFIXES):
            members, linux_arm64, error, unread = binaries.scan_zip(task.path, task.file)
            if error:
                return FileResult(task.file, task.language, skipped=error)
            notes = tuple(Remark("skipped-member", f"skipped: {why}", m) for m, why in unread)
            found = tuple(
                finding(
                    rules,
                    "archive-x86-native",
                    member,
                    language="binary",
                    package=binaries.package_name(task.file),
                    kind=b.kind.replace("ELF ", "an ELF ")
                    .replace("PE ", "a PE ")
                    .replace("Mach-O ", "a Mach-O "),
                    arch=binaries.describe(b.arches),
                    filtered=bool(binaries.other_os(b.os, target_os)),
                    filtered_reason=binaries.other_os(b.os, target_os),
                )
                for member, b in members
            )
            builds = (NativeBuilds(tuple(linux_arm64)),) if linux_arm64 else ()
            return FileResult(task.file, task.language, True, found, facts=builds, remarks=notes)
        binary, error = binaries.scan_binary(task.path, task.size)
        if error:
            return FileResult(task.file, task.language, skipped=error)
    except Exception as exc:  # noqa: BLE001 - the worker boundary: one bad file never stops a scan
        return FileResult(
            task.file, task.language, skipped=f"scanner failed: {type(exc).__name__}: {exc}"
        )
    if binary is None:
        return FileResult(task.file, task.language, True)
    arch = (
        Arch.X86
        if binary.arches <= binaries.X86
        else Arch.ARM64
        if binary.arches & binaries.ARM64
        else Arch.OTHER
    )
    fact = BinaryFile(arch, binary.kind, binaries.describe(binary.arches), binary.detail, binary.os)
    return FileResult(task.file, task.language, True, facts=(fact,))


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
    init_worker(options, rules)
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
            results.send(scan_batch(items, mode, names))
        except OSError:  # the parent is gone (interrupted): nobody to tell
            return


@dataclass(eq=False, slots=True)
class Worker:
    """One worker process, the parent's ends of its two pipes, and its batches in flight."""

    process: Any
    tasks: Any  # Connection: batches go out here
    results: Any  # Connection: outcomes come back here
    inflight: collections.deque[int] = field(default_factory=collections.deque)


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
            bid = self.waiting.popleft()
            try:
                w.tasks.send((*self.modes.get(bid, ("", ())), self.batches[bid]))
            except OSError:
                self.waiting.appendleft(bid)
                self.lost(w)
                continue
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


@dataclass
class Scan:
    """What the scan keeps: the results that carry something (findings, facts for cross-file
    passes, remarks, a skip reason), in task order, and a count of the files read. Results of
    files with nothing to say are dropped as they arrive, so memory grows with what is found,
    not with the size of the tree."""

    results: list[FileResult] = field(default_factory=list)
    scanned: int = 0


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
        self.submitted: collections.deque[int] = collections.deque()  # batch ids, in order
        self.jobs = 1
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
                and (self.options.jobs > 1 or len(self.todo) >= 1024 or self.todo_bytes >= 16 << 20)
                and (jobs := pool_size(self.options, len(self.todo), self.todo_bytes)) > 1
            ):
                # enough work seen to size the pool as for the whole tree (a walk of 1,024
                # files takes milliseconds)
                self.start_pool(jobs)
                if self.pool is not None:
                    for j in self.todo:
                        self.add(j)
        return self.tasks

    def add(self, i: int) -> None:
        self.batch.append(i)
        self.batch_bytes += self.tasks[i].size
        if len(self.batch) >= self.BATCH_FILES or self.batch_bytes >= self.BATCH_BYTES:
            self.submit()

    def submit(self) -> None:
        if self.batch:
            items = [
                (t.file, t.path, t.language, t.size)
                for t in map(self.tasks.__getitem__, self.batch)
            ]
            assert self.pool is not None
            self.submitted.append(self.pool.submit(items))
            self.batch, self.batch_bytes = [], 0

    def start_pool(self, jobs: int) -> None:
        import multiprocessing  # lazy: small scans and rescans never start a pool

        try:
            # fork where it is safe (Linux): workers start in milliseconds and inherit the
            # loaded catalogue; elsewhere the platform's default (spawn)
            ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
            if ctx.get_start_method() == "fork":
                # the scanners of the files seen so far, loaded once for all the workers
                registry.preload({t.language for t in self.tasks})
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
            init_worker(self.options, self.rules)
            for i in self.todo:
                yield outcome(scan_task(self.tasks[i]))
            return
        # the tail in small batches, so that both workers finish at about the same time
        tail = self.batch
        self.batch, self.batch_bytes = [], 0
        step = max(1, min(self.BATCH_FILES, len(tail) // (self.jobs * 4)))
        for k in range(0, len(tail), step):
            self.batch = tail[k : k + step]
            self.submit()
        while self.submitted:
            yield from self.pool.result(self.submitted.popleft())

    def largest_first(self) -> Iterator[Outcome]:
        """The whole tree is known: the largest files go out first, each batch no larger
        than a worker's share of what is left, so that no worker starts an amalgamated
        header last (simdjson's 1.2 MB `simdjson.h`, sorted last by the walk, was the whole
        tail of the scan). Outcomes are still given in `todo` order."""
        assert self.pool is not None
        order = sorted(self.todo, key=lambda i: -self.tasks[i].size)
        left = self.todo_bytes
        ids: list[tuple[int, list[int]]] = []
        batch: list[int] = []
        size = 0
        for i in order:
            batch.append(i)
            size += self.tasks[i].size
            if len(batch) >= self.BATCH_FILES or size >= min(
                self.BATCH_BYTES, max(1, left // (self.jobs * 4))
            ):
                ids.append((self.pool.submit(self.items(batch)), batch))
                left -= size
                batch, size = [], 0
        if batch:
            ids.append((self.pool.submit(self.items(batch)), batch))
        got: dict[int, Outcome] = {}
        for bid, members in ids:
            got.update(zip(members, self.pool.result(bid), strict=True))
        for i in self.todo:
            yield got.pop(i)

    def items(self, indices: list[int]) -> list[Item]:
        return [(t.file, t.path, t.language, t.size) for t in map(self.tasks.__getitem__, indices)]

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
                    share(result.findings, shared)
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
        items: list[Item] = [(t.file, t.path, t.language, t.size) for t in tasks]
        if self.pool is not None:
            step = max(1, min(self.BATCH_FILES, len(items) // (self.jobs * 4)))
            ids = [
                self.pool.submit(items[k : k + step], mode, names)
                for k in range(0, len(items), step)
            ]
            fresh = [o for bid in ids for o in self.pool.result(bid)]
        else:
            init_worker(self.options, self.rules)
            fresh = scan_batch(items, mode, names)
        out = {}
        for task, result in zip(tasks, fresh, strict=True):
            blob = b""
            if isinstance(result, bytes):
                blob, result = result, rows.result_of(result)
            if not isinstance(result, FileResult) or result.skipped:
                continue  # (changed since, or unreadable now: the first result stands)
            if self.cache is not None and mode == THOROUGH:
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


def share(findings: Iterable[Finding], shared: dict[str, str], snippets: bool = False) -> None:
    """One copy of each message, suggestion and key text among the findings (and of each
    snippet, within a worker's batch: a pickle sends an object once). A tree of kernels
    repeats the same few hundred texts (the intrinsics it uses); snippets are mostly unique
    in real code, so the parent does not keep a table of them all."""
    for f in findings:
        f.message = shared.setdefault(f.message, f.message)
        f.suggestion = shared.setdefault(f.suggestion, f.suggestion)
        f.key = shared.setdefault(f.key, f.key)
        if snippets:
            f.snippet = shared.setdefault(f.snippet, f.snippet)


def flatten(results: Iterable[FileResult]) -> list[Finding]:
    return [f for r in results for f in r.findings]
