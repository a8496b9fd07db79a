# SPDX-License-Identifier: Apache-2.0
"""The whole scan: walk, scan files, cross-file passes, policy filters, the finished Report."""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from porting_advisor import __version__
from porting_advisor.core.model import (
    FileResult,
    Finding,
    Options,
    Remark,
    Report,
    base_dir,
    is_member,
    on_disk,
)
from porting_advisor.core.ruleset import RuleSet
from porting_advisor.engine import walk
from porting_advisor.engine.cache import Cache, options_key, scope_of, tree_key

if TYPE_CHECKING:
    from porting_advisor.core.archnames import TreeIndex
    from porting_advisor.engine import scan as engine


class Phases:
    """Wall time per phase of a scan, printed to stderr when PORTING_ADVISOR_TIMING is set
    (how docs/performance.md's "where the time goes" figures are taken)."""

    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.spent: list[tuple[str, float]] = []

    def mark(self, name: str) -> None:
        now = time.perf_counter()
        self.spent.append((name, now - self.last))
        self.last = now

    def print(self) -> None:
        if os.environ.get("PORTING_ADVISOR_TIMING"):
            sys.stderr.write("timing: " + ", ".join(f"{n} {s:.3f}s" for n, s in self.spent) + "\n")


PHASES = Phases()


class Progress:
    """A one-line progress bar on stderr; only when stderr is a terminal."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled and total > 0
        self.last = 0.0

    def __call__(self, done: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if done < self.total and now - self.last < 0.1:
            return
        self.last = now
        width = 30
        fill = width * done // self.total
        sys.stderr.write(f"\r[{'#' * fill}{'.' * (width - fill)}] {done}/{self.total} files")
        if done >= self.total:
            sys.stderr.write("\r" + " " * (width + 30) + "\r")
        sys.stderr.flush()

    @staticmethod
    def walking(enabled: bool) -> Callable[[int], None] | None:
        """While the walk is still finding files (the total is not known yet): a count."""
        if not enabled:
            return None
        last = [time.monotonic()]

        def found(count: int) -> None:
            now = time.monotonic()
            if now - last[0] >= 0.1:
                last[0] = now
                sys.stderr.write(f"\r{count} files found...")
                sys.stderr.flush()

        return found


def keep(f: Finding, options: Options, rules: RuleSet) -> bool:
    """Policy: enabled categories, the rule's OS, filtered code, suppressed findings."""
    if f.category not in options.categories:
        return False
    rule = rules.rules.get(f.rule)
    if rule and rule.os and options.target_os != "all" and options.target_os not in rule.os:
        return False
    if f.filtered and not options.no_filter:
        return False
    if f.suppressed and not options.show_suppressed:
        return False
    return options.only_files is None or on_disk(f.file) in options.only_files


def run(options: Options, rules: RuleSet) -> Report:
    start = time.perf_counter()
    PHASES.mark("start-up")
    # (the scope hashes our code and rules: not worth it without a cache to look in)
    scope = scope_of(options, rules.directory) if options.cache_dir is not None else ""
    store = Cache(options.cache_dir, scope, str(options.root.resolve()))
    scanner: engine.Scanner | None = None
    try:
        # (registry answers change: an --online report is never reused whole)
        okey = options_key(options) if store.enabled and not options.online else ""
        # Rescans of an unchanged tree: the last report stands. First without walking (every
        # stamp saved with it still holds), then after walking (the same files were found:
        # all of them are per-file cache hits, so nothing was sent to the workers).
        known = store.unchanged_report(okey) if okey else None
        stamps: list[walk.Stamp] = []
        if known is None:
            from porting_advisor.engine import scan as engine  # (not needed by an unchanged rescan)

            scanner = engine.Scanner(options, rules, store, Progress.walking(options.progress))
            # the scanner takes each task as the walk finds it: workers scan while it goes on
            unmatched: list[str] = []
            tasks, walk_skipped = walk.discover(
                options.root,
                options.excludes,
                options.gitignore,
                stamps,
                scanner.feed,
                unmatched,
                quilt=options.no_filter,
            )
            stamps.extend((t.path, t.size, t.mtime, t.inode) for t in tasks)
            PHASES.mark("walk")
            tree = tree_key(tasks, walk_skipped, okey) if okey else ""
            known = store.report(tree, okey, stamps) if tree else None
        if known is not None:
            known.root = str(options.root)  # as given this time, not as when it was stored
            known.duration = round(time.perf_counter() - start, 3)
            PHASES.mark("cached report")
            return known
        assert scanner is not None  # (set with the walk, the only way here)
        report, lasting = analyse(scanner, tasks, walk_skipped, options, rules, start)
        if unmatched:  # a mistyped exclude scans what it meant to skip: say so (issue 21)
            report.remarks.extend(
                Remark("unmatched-exclude", f"exclude '{x}' matched no path") for x in unmatched
            )
            report.remarks.sort(key=lambda m: (m.file, m.rule, m.message))
        if not options.show_suppressed:  # markers that hid nothing: only with the hidden
            report.remarks = [m for m in report.remarks if m.rule != "unused-suppression"]
        if tree and lasting:
            store.put_report(tree, okey, stamps, report)
        return report
    finally:
        if scanner is not None:
            scanner.close()
        store.close()
        if store.warning and not options.quiet:
            sys.stderr.write(f"porting-advisor: warning: {store.warning}\n")


def analyse(
    scanner: engine.Scanner,
    tasks: list[walk.Task],
    walk_skipped: list[tuple[str, str]],
    options: Options,
    rules: RuleSet,
    start: float,
) -> tuple[Report, bool]:
    """Collect the scan's results (cached ones where files are unchanged), run the cross-file
    passes and build the report; also say whether it may be reused for an unchanged tree (not
    when a file could not be read: that may be fixed without touching the file)."""
    from porting_advisor import passes
    from porting_advisor.core.archnames import TreeIndex
    from porting_advisor.engine import scan as engine

    scan = scanner.finish(Progress(len(tasks), options.progress))
    index = TreeIndex.build(t.file for t in tasks)
    results = thorough(scanner, scan.results, tasks, index)
    scanner.close()
    PHASES.mark("scan")
    by_lang = Counter(t.language for t in tasks)
    del tasks
    findings = engine.flatten(results)
    # Input from outside the tree's files is gathered before the passes, which read only the
    # workers' records: with --online, the package indexes' verdicts on the dependencies.
    online_remarks: list[Remark] = []
    if options.online:
        from porting_advisor.online import stage

        findings, online_remarks = stage.run(results, findings, options, rules)
    findings = passes.run(results, findings, index, options, rules)
    suppressed = sum(
        1
        for f in findings
        if f.suppressed
        and f.category in options.categories
        and not f.filtered
        and (options.only_files is None or on_disk(f.file) in options.only_files)
    )
    kept = sorted(f for f in findings if keep(f, options, rules))
    PHASES.mark("cross-file")
    lasting = not any(
        reason.startswith(("cannot", "scanner failed"))
        for _, reason in walk_skipped + [(r.file, r.skipped) for r in results]
    )
    report = build_report(
        options,
        results,
        by_lang,
        scan.scanned,
        walk_skipped,
        kept,
        suppressed,
        time.perf_counter() - start,
    )
    report.remarks = sorted(
        report.remarks + online_remarks, key=lambda m: (m.file, m.rule, m.message)
    )
    return report, lasting


def thorough(
    scanner: engine.Scanner, results: list[FileResult], tasks: list[walk.Task], index: TreeIndex
) -> list[FileResult]:
    """The results with the records the passes need that the scan leaves out unless asked:
    the symbols of Go files built for every architecture, in packages with amd64-only code;
    the functions of C/C++ files, in trees with x86 assembly that defines symbols; which
    files mention the macros whose bodies hold findings their own file does not expand. The
    workers scan those files again (passes read records, never files)."""
    if any(r.language == "go" for r in results):
        from porting_advisor.passes import go_packages

        wanted = set(go_packages.unparsed(results))
        if wanted:
            again = scanner.rescan([t for t in tasks if t.file in wanted])
            results = [again.get(r.file, r) for r in results]
    from porting_advisor.core.facts import UnexpandedMacro
    from porting_advisor.engine.tasks import MENTIONS, SYMBOLS

    # Both rescans go out before either is waited for (neither asks about the other's
    # answers): the workers do not wait between them.
    functions = c_functions(results, tasks, index)
    sent_functions = scanner.send(functions[0], SYMBOLS, functions[1]) if functions else None
    # which files mention the macros whose bodies hold findings (the macro-uses pass: does
    # any file expand them?), unless some code the rescan does not read may expand them
    names = unexpanded_macros(results)
    sent_mentions = None
    if names and len(names) <= MAX_MACRO_NAMES and not macro_doubt(results):
        asked = [t for t in tasks if t.language in MACRO_LANGUAGES or t.file.endswith(CYTHON)]
        sent_mentions = scanner.send(asked, MENTIONS, names)
    if sent_functions is not None:
        results = merged(results, tasks, scanner.collect(sent_functions))
    if not names:
        return results
    if sent_mentions is not None:
        answered = scanner.collect(sent_mentions)
        if len(answered) == len(sent_mentions.tasks):
            return merged(results, tasks, answered)
    # some file could not answer (skipped, unreadable, too many names, or code the engine
    # does not read: an #included .inc): no macro is taken as expanded nowhere
    return [
        replace(r, facts=tuple(f for f in r.facts if not isinstance(f, UnexpandedMacro)))
        if any(isinstance(f, UnexpandedMacro) for f in r.facts)
        else r
        for r in results
    ]


Ask = tuple[list[walk.Task], tuple[str, ...]]  # the files to scan again, and the names asked


def c_functions(results: list[FileResult], tasks: list[walk.Task], index: TreeIndex) -> Ask | None:
    """What to ask for `CFunctions` facts, when the build names x86 assembly that defines
    symbols (the whole-files pass: is such a symbol defined for Arm64, and called?). C files
    named or listed for x86 are not read: the pass ignores them."""
    from porting_advisor.core.archnames import x86_named
    from porting_advisor.core.facts import Arch, AsmFile
    from porting_advisor.passes.listings import source_listings, x86_listing

    x86_asm = {
        r.file: f.symbols
        for r in results
        if r.language == "asm"
        for f in r.facts
        if isinstance(f, AsmFile) and f.arch == Arch.X86 and f.symbols
    }
    if not x86_asm:
        return None
    listings = source_listings(results, index)
    if not any(x86_listing(f, listings) for f in x86_asm):
        return None
    # the pass asks only about these names (with and without a leading `_`): a file that
    # defines or declares none of them needs no layout
    names = {n for symbols in x86_asm.values() for s in symbols for n in (s, s.removeprefix("_"))}
    failed = {r.file for r in results if r.skipped}
    asked = [
        t
        for t in tasks
        if t.language in ("c", "cpp")
        and t.file not in failed
        and not x86_named(t.file)
        and not x86_listing(t.file, listings)
    ]
    return asked, tuple(sorted(names))


def unexpanded_macros(results: list[FileResult]) -> tuple[str, ...]:
    """The macros (and their wrappers) whose bodies hold findings their own file does not
    expand: the `Mentions` rescan asks every file which of them it names."""
    from porting_advisor.core.facts import UnexpandedMacro

    return tuple(
        sorted(
            {
                name
                for r in results
                for f in r.facts
                if isinstance(f, UnexpandedMacro)
                for name in (f.name, *f.wrappers)
            }
        )
    )


# what can expand a C macro: C, C++, Objective-C and assembly files, and Cython's
MACRO_LANGUAGES = ("c", "cpp", "asm", "objective-c", "objective-cpp")
CYTHON = (".pyx", ".pxd", ".pxi")
MAX_MACRO_NAMES = 400  # macros asked about in one scan: more is doubt


def macro_doubt(results: list[FileResult]) -> bool:
    """Could code the MENTIONS rescan does not read expand a macro: a C-family file the scan
    skipped, or an #included fragment (`.inc`, `.def`), which is not walked?"""
    from porting_advisor.core import vocab
    from porting_advisor.core.facts import Include, Includes

    fragments = vocab.get().c_extensions.fragments
    for r in results:
        if r.skipped and (r.language in MACRO_LANGUAGES or r.file.endswith(CYTHON)):
            return True
        for f in r.facts:
            if isinstance(f, Include) and f.header.endswith(fragments):
                return True
            if isinstance(f, Includes) and any(h.endswith(fragments) for h in f.headers):
                return True
    return False


def merged(
    results: list[FileResult], tasks: list[walk.Task], extra: dict[str, FileResult]
) -> list[FileResult]:
    """`results` with the facts of `extra` added, in walk order (a file with nothing to say
    before gains a result when it gains a fact)."""
    have = {r.file for r in results}
    order = {t.file: i for i, t in enumerate(tasks)}
    out = [
        replace(r, facts=r.facts + extra[r.file].facts) if r.file in extra else r for r in results
    ] + [e for f, e in extra.items() if f not in have and e.facts]
    return sorted(out, key=lambda r: order.get(r.file, -1))


def build_report(
    options: Options,
    results: list[FileResult],
    by_lang: Counter[str],
    scanned: int,
    walk_skipped: list[tuple[str, str]],
    findings: list[Finding],
    suppressed: int,
    duration: float,
) -> Report:
    from porting_advisor.engine import registry

    skipped = sorted(walk_skipped + [(r.file, r.skipped) for r in results if r.skipped])
    remarks = [m for r in results for m in r.remarks]
    remarks.extend(Remark("skipped", f"skipped: {reason}", file) for file, reason in skipped)
    unanalysed = sorted(lang for lang in by_lang if not registry.analysed(lang))
    remarks.extend(
        Remark(
            "not-analysed",
            f"{by_lang[lang]} {lang} file(s) counted but not analysed by this version",
        )
        for lang in unanalysed
    )
    remarks.sort(key=lambda m: (m.file, m.rule, m.message))
    return Report(
        root=str(options.root),
        target=options.target,
        target_os=options.target_os,
        version=__version__,
        files_scanned=scanned,
        files_skipped=len(skipped),
        files_by_language=dict(sorted(by_lang.items())),
        duration=round(duration, 3),
        findings=findings,
        skipped=skipped,
        remarks=remarks,
        dependencies=dependencies(results, options),
        suppressed=suppressed,
        unanalysed_languages=unanalysed,
    )


def dependencies(results: list[FileResult], options: Options) -> list[dict[str, object]]:
    """The dependency inventory: every manifest entry, sorted like findings."""
    from porting_advisor.core.facts import Dependency

    deps = [
        d
        for r in results
        for d in r.facts
        if isinstance(d, Dependency)
        and (options.only_files is None or d.file in options.only_files)
    ]
    deps.sort(key=lambda d: (d.file, d.line, d.name))
    return [
        {  # (keys in sorted order, as the reports have always listed them)
            "arm64": d.arm64,
            "ecosystem": d.ecosystem,
            "file": d.file,
            "line": d.line,
            "name": d.name,
            "specifier": d.specifier,
            "version": d.version,
        }
        for d in deps
    ]


def attach_context(report: Report, root: Path, findings: list[Finding], around: int = 3) -> None:
    """Read the lines around each of `findings` once per file, for reports that show context."""
    wanted: dict[str, set[int]] = {}
    for f in findings:
        if f.line > 0 and not is_member(f.file):
            wanted.setdefault(f.file, set()).add(f.line)
    base = base_dir(root)
    for file, lines in wanted.items():
        try:
            text = (base / file).read_bytes()[: 8 << 20].decode("utf-8", "replace")
        except OSError:
            continue
        rows = text.split("\n")
        for line in lines:
            lo, hi = max(1, line - around), min(len(rows), line + around)
            report.contexts[(file, line)] = [
                (n, rows[n - 1].rstrip("\r")[:300]) for n in range(lo, hi + 1)
            ]
