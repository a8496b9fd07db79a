# SPDX-License-Identifier: Apache-2.0
"""What a worker does with one file and with one batch: read it (capped), run the scanners the
registry names for its language, apply suppression comments, and send back its outcome; the
facts-only rescans the engine asks for after the scan (SYMBOLS, MENTIONS)."""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable, Iterable

from porting_advisor.core.facts import Arch, BinaryFile, NativeBuilds
from porting_advisor.core.model import FileResult, Finding, Options, Remark
from porting_advisor.core.ruleset import RuleSet
from porting_advisor.core.source import Source
from porting_advisor.engine import budget, registry, rows, suppress
from porting_advisor.engine.walk import Task

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


# A file for a worker: (file, path, language, size); `Task(*item)` in the worker
Item = tuple[str, str, str, int]


def item_of(task: Task) -> Item:
    return task.file, task.path, task.language, task.size


# How a batch is scanned: "" (as usual), THOROUGH (everything a pass may ask for, see Source),
# SYMBOLS (only the functions C/C++ files define and declare: `scan_symbols`) or MENTIONS
# (only which of some macro names a file mentions: `scan_mentions`)
THOROUGH, SYMBOLS, MENTIONS = "thorough", "symbols", "mentions"


def scan_batch(items: list[Item], mode: str = "", names: tuple[str, ...] = ()) -> list[Outcome]:
    """Scan a batch of files in a worker (`mode`: see THOROUGH; `names` for SYMBOLS and
    MENTIONS)."""
    options = STATE["options"]
    assert isinstance(options, Options)
    if mode == SYMBOLS:
        return [scan_symbols(Task(*item), names) for item in items]
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


def scan_symbols(task: Task, names: tuple[str, ...] = ()) -> FileResult:
    """The `CFunctions` of a C/C++ file, alone, limited to `names` when given (asked for
    after the scan, when the tree has x86 assembly whose symbols need an Arm64 definition:
    most trees never pay for it)."""
    from porting_advisor.scanners.c import scan as cfamily

    wanted = frozenset(names) if names else None
    return facts_only(task, lambda src: cfamily.functions(src, wanted), needles(names))


def scan_mentions(task: Task, names: tuple[str, ...]) -> FileResult:
    """The `Mentions` fact of a C/C++ or assembly file, alone (asked for after the scan,
    when findings are in the bodies of macros their own file does not expand)."""
    from porting_advisor.scanners.c import macro_uses

    found = needles(names)
    return facts_only(task, lambda src: macro_uses.mentions(src, names), found and (*found, b"##"))


@functools.lru_cache(maxsize=4)  # (asked once per file of a rescan, with the same names)
def needles(names: tuple[str, ...]) -> tuple[bytes, ...] | None:
    """Byte strings at least one of which is in any text that holds one of `names`, fewer
    than the names: a name that contains another is left out (`_f` for `f`), and names that
    share their first five characters are looked for by their common start (`IACA_` for
    IACA_START, IACA_END...). None when a name is not ASCII (its bytes depend on the file's
    decoding)."""
    if not names or not all(n.isascii() for n in names):
        return None
    kept: list[str] = []
    for n in sorted(set(names), key=len):
        if not any(k in n for k in kept):
            kept.append(n)
    groups: dict[str, list[str]] = {}
    for n in kept:
        groups.setdefault(n[:5], []).append(n)
    return tuple(sorted(os.path.commonprefix(g).encode() for g in groups.values()))


def facts_only(
    task: Task, record: Callable[[Source], None], wanted: tuple[bytes, ...] | None = None
) -> FileResult:
    """A result holding only the facts `record` adds for one file (no findings); a skipped
    one when the file cannot be read or `record` fails (the first result stands, and the
    caller knows this file could not answer). With `wanted`, a file whose bytes hold none of
    those strings has nothing to record and is not decoded."""
    data = read_data(task)
    if isinstance(data, str):
        return FileResult(task.file, task.language, skipped=data)
    if wanted is not None and not any(w in data for w in wanted):
        return FileResult(task.file, task.language, True)
    src = source_of(task, data)
    failed = run_bounded(src, (record,))
    if failed:
        return FileResult(task.file, task.language, skipped=failed)
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
    src = read_source(task, thorough)
    if isinstance(src, str):
        return FileResult(task.file, task.language, skipped=src)
    failed = run_bounded(src, scanners)
    if failed:
        return FileResult(task.file, task.language, skipped=failed)
    findings = suppressions(src, src.findings)
    digest = hashlib.sha1(src.data).hexdigest() if options.cache_dir is not None else ""
    return FileResult(
        task.file,
        task.language,
        True,
        tuple(findings),
        tuple(src.facts),
        remarks=tuple(src.remarks),
        digest=digest,
    )


def read_source(task: Task, thorough: bool = False) -> Source | str:
    """The file as a `Source` to scan, or why it cannot be one (its skip reason): over
    `--max-file-size`, unreadable, binary. Undecodable bytes are replaced, with a remark."""
    data = read_data(task)
    return data if isinstance(data, str) else source_of(task, data, thorough)


def read_data(task: Task) -> bytes | str:
    """The file's bytes, or why it cannot be scanned (see `read_source`)."""
    options = STATE["options"]
    assert isinstance(options, Options)
    if task.size > options.max_file_size:
        return too_large(options.max_file_size)
    try:
        data = read_capped(task.path, task.size, options.max_file_size + 1)
    except OSError as exc:
        return f"cannot read: {exc.strerror}"
    if len(data) > options.max_file_size:
        return too_large(options.max_file_size)
    if data.find(b"\0", 0, 8192) >= 0:
        return "binary content in a text file"
    return data


def source_of(task: Task, data: bytes, thorough: bool = False) -> Source:
    """The `Source` of a file's bytes, read by `read_data`."""
    options = STATE["options"]
    rules = STATE["rules"]
    assert isinstance(options, Options) and isinstance(rules, RuleSet)
    text, clean = decode(data)
    src = Source(task.file, task.language, data, text, options, rules, thorough=thorough)
    if not clean:
        src.remarks.append(
            Remark("invalid-utf8", "not valid UTF-8; undecodable bytes replaced", task.file)
        )
    return src


def run_bounded(src: Source, scans: Iterable[Callable[[Source], None]]) -> str:
    """Run `scans` over one file within the per-file time and memory budget; '' when they
    ran, else the skip reason (a failure never leaves the worker)."""
    options = src.options
    seconds = options.file_seconds if STATE.get("timed") else 0
    try:
        budget.start(seconds)
        try:
            for scan in scans:
                scan(src)
        finally:
            budget.stop(seconds)
    except budget.Overrun:
        return f"took over {seconds:g} s to scan"
    except MemoryError:
        return "over the memory budget to scan"
    except Exception as exc:  # noqa: BLE001 - the worker boundary: one bad file never stops a scan
        return f"scanner failed: {type(exc).__name__}: {exc}"
    return ""


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
