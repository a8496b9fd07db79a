# SPDX-License-Identifier: Apache-2.0
"""The records that cross module and process boundaries: findings, file results, options."""

from __future__ import annotations

import enum
import hashlib
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from porting_advisor.core.compdb import CompileDb
    from porting_advisor.core.facts import Fact


class Severity(enum.IntEnum):
    """Ordered so that `severity >= threshold` works; SARIF levels are note/warning/error."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]

    @property
    def label(self) -> str:
        return self.name.lower()


class Positional:
    """Pickle as a constructor call with positional fields: several times faster to load than
    the default for slotted dataclasses, which matters for worker results and the result
    cache."""

    __slots__ = ()

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        cls = type(self)
        get = GETTERS.get(cls)
        if get is None:
            names: tuple[str, ...] = cls.__slots__
            if not names:  # a record with no fields
                return cls, ()
            get = GETTERS[cls] = operator.attrgetter(*names, names[0])  # always a tuple
        return cls, get(self)[:-1]


# class -> a C function that reads every slot into a tuple (plus the first again)
GETTERS: dict[type, Callable[[object], tuple[object, ...]]] = {}


# Findings, remarks, file results and tasks are created and pickled by the hundred thousand:
# they are not `frozen` (a frozen dataclass's __init__ costs 3x and its unpickling 3.5x), but
# they are treated as values all the same: `replace` makes copies, and they hash by value
# (`unsafe_hash`). One exception: `engine.tasks.share` swaps a fresh Finding's texts for an
# equal string the scan already holds (same value, one copy in memory).
@dataclass(slots=True, order=True, unsafe_hash=True)
class Finding(Positional):
    """One reported construct. Field order is the report's sort order."""

    file: str  # POSIX, relative to the scan root
    line: int  # 1-based; 0 for whole-file findings
    column: int  # 1-based code points; 0 for whole-file findings
    rule: str
    category: str = field(compare=False)
    severity: Severity = field(compare=False)
    message: str = field(compare=False)
    suggestion: str = field(compare=False, default="")
    snippet: str = field(compare=False, default="")
    language: str = field(compare=False, default="")
    end_line: int = field(compare=False, default=0)  # 0 = not given; end column exclusive
    end_column: int = field(compare=False, default=0)
    filtered: bool = field(compare=False, default=False)  # not compiled for the target
    suppressed: bool = field(compare=False, default=False)
    key: str = field(compare=False, default="")  # roll-up key, e.g. the intrinsic name
    guard: tuple[str, ...] = field(compare=False, default=())  # unresolved #if conditions
    x86_guard: tuple[str, ...] | None = field(compare=False, default=None)  # same, for x86-64
    # `fingerprint()` worked out by the worker (where time is parallel), for findings with a
    # snippet: then it depends on rule, file and snippet only, which no pass changes
    fp: str = field(compare=False, default="")
    # why a pass or the scanner left it out (`--no-filter` shows it), one short sentence
    filtered_reason: str = field(compare=False, default="")

    def fingerprint(self) -> str:
        """Stable across line shifts: rule, file and the whitespace-normalised snippet."""
        return self.fp or fingerprint(self.rule, self.file, self.snippet, self.message)


# A file inside an archive (a jar, wheel or zip, possibly nested in another) is named by the
# archive's path, "!/" and its path inside: `lib/app.jar!/native/x86_64/libz.so`.
MEMBER_SEPARATOR = "!/"


def member_path(archive: str, member: str) -> str:
    """The path of `member` inside `archive` (itself possibly a member path)."""
    return f"{archive}{MEMBER_SEPARATOR}{member}"


def on_disk(path: str) -> str:
    """The file on disk that a path names: the outermost archive of a member path."""
    return path.split(MEMBER_SEPARATOR, 1)[0]


def is_member(path: str) -> bool:
    """Does `path` name a file inside an archive?"""
    return MEMBER_SEPARATOR in path


def fingerprint(rule: str, file: str, snippet: str, message: str) -> str:
    norm = "".join(snippet.split())  # reformatting keeps the fingerprint
    text = "\0".join((rule, file, norm or message))
    return hashlib.sha1(text.encode("utf-8", "surrogateescape")).hexdigest()[:20]


@dataclass(slots=True, unsafe_hash=True)
class Remark(Positional):
    """A note for the report that is not a finding (a skipped file, a file-level caveat)."""

    rule: str
    message: str
    file: str = ""


@dataclass(slots=True, unsafe_hash=True)
class FileResult(Positional):
    """What a worker returns for one file. Workers never raise: errors land in `skipped`."""

    file: str
    language: str
    scanned: bool = False  # read by at least one scanner
    findings: tuple[Finding, ...] = ()
    facts: tuple[Fact, ...] = ()  # for the cross-file passes (core.facts)
    skipped: str = ""  # reason, when the file was skipped
    remarks: tuple[Remark, ...] = ()
    digest: str = ""  # sha1 of the bytes read (result cache)

    @property
    def says_something(self) -> bool:
        """Has findings, facts or remarks. A file without any is sent and cached as its digest,
        and the scan keeps no result for it."""
        return bool(self.findings or self.facts or self.remarks)


class Options(NamedTuple):
    """Everything the command line (and config file) decided, passed down read-only."""

    root: Path
    jobs: int = 0  # 0 = automatic, 1 = no pool
    target: str = "graviton3"
    target_os: str = "linux"
    categories: frozenset[str] = frozenset()  # enabled categories
    excludes: tuple[str, ...] = ()
    gitignore: bool = True
    no_filter: bool = False
    show_suppressed: bool = False
    max_file_size: int = 8 * 1024 * 1024  # bytes; larger text files are skipped
    file_seconds: float = 60.0  # time budget per file; past it the file is skipped (0: none)
    worker_memory: int = 4 << 30  # bytes a pool worker may grow by; past it the file is skipped
    progress: bool = False
    quiet: bool = False
    only_files: frozenset[str] | None = None  # --changed-since: report only these
    cache_dir: Path | None = None  # None = no cache
    online: bool = False  # --online: ask package registries (the default scan sends nothing)
    index_url: str = ""  # --index-url: the Python index to ask instead of pip's
    maven_repo: str = ""  # --maven-repo: the Maven repository to ask instead of settings.xml's
    allow_registry: tuple[str, ...] = ()  # --allow-registry: image registry hosts to ask
    compile_db: CompileDb | None = None  # --compile-commands: the units and their flags


@dataclass(slots=True)
class Report:
    """The finished scan, ready for the renderers."""

    root: str
    target: str
    target_os: str
    version: str
    files_scanned: int
    files_skipped: int
    files_by_language: dict[str, int]
    duration: float
    findings: list[Finding]
    skipped: list[tuple[str, str]]
    remarks: list[Remark]
    dependencies: list[dict[str, object]]
    suppressed: int = 0
    baselined: int = 0
    stale_baseline: int = 0
    unanalysed_languages: list[str] = field(default_factory=list)
    # the configuration applied: {"file": ..., "values": {...}}; empty when there was none
    config: dict[str, object] = field(default_factory=dict)
    # SARIF locations: the file URI its paths start from (the git work tree's root when the
    # scan lies in one) and the scanned root's path below it ("" or ending in "/")
    uri_base: str = ""
    uri_prefix: str = ""
    # source lines around each finding, for the HTML report: (file, line) -> [(no, text)]
    contexts: dict[tuple[str, int], list[tuple[int, str]]] = field(default_factory=dict)


def base_dir(root: Path) -> Path:
    """The folder a scan's relative paths start from: the root, or its folder when the root is
    a single file."""
    return root if root.is_dir() else root.parent
