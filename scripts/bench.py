#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Benchmark the whole CLI: files/s, MB/s and peak RSS, with --jobs 1 and the default.

    python scripts/bench.py                      # synthetic mixed tree, 2,000 files
    python scripts/bench.py --files 20000        # larger
    python scripts/bench.py --simd               # synthetic SIMD-heavy C tree
    python scripts/bench.py --small              # files of 1.4 KB (the worst case)
    python scripts/bench.py --tree PATH          # a real tree (e.g. an sdist)
    python scripts/bench.py --files 10000 --changed 10   # --changed-since, 10 files changed
    python scripts/bench.py --reference 'PY TOOL {tree} --no-progress --output {out}' \
        --tree A --tree B                        # head to head with the replaced tool

Reference mode runs the given command line (a template: `{tree}` becomes the tree, `{out}` a
JSON report path) alternately with ours (`--no-cache`, JSON report, default jobs) on each
tree, after one warm-up run of each; it prints the median wall time of each (`--repeat`,
default 5) and the ratio.

Each run is a fresh process (`python -m porting_advisor ... --output report.json`), timed
after one warm-up run so the OS file cache is warm; each row is the fastest of three timed
runs (`--repeat`). Rows: `1` and `default` are first scans
with `--no-cache` (every file analysed, one worker and the automatic choice); `cached` is a
first scan into an empty result cache (what a user's first run costs, cache writes included);
`rescan` a second scan of the unchanged tree; `1 edit` a rescan after one C/C++ file changed.
Peak RSS is the largest of the main process and its workers. The numbers go into
docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PLAIN_C = """\
/* {name}: ordinary portable C */
#include <stdio.h>
#include <stdlib.h>
#include "common.h"

struct item_{i} {{ int id; double weight; char name[32]; }};

static int compare_{i}(const void *a, const void *b) {{
    const struct item_{i} *x = a, *y = b;
    return (x->weight > y->weight) - (x->weight < y->weight);
}}

int process_{i}(struct item_{i} *items, size_t n) {{
    qsort(items, n, sizeof *items, compare_{i});
    int total = 0;
    for (size_t k = 0; k < n; k++) {{
#ifdef DEBUG_TRACE
        fprintf(stderr, "item %d\\n", items[k].id);
#endif
        total += items[k].id * (int)items[k].weight;
    }}
    return total;
}}
"""
SIMD_C = """\
/* {name}: SSE/AVX kernels with and without Arm64 paths */
#include <stdint.h>
#include <stddef.h>
#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__aarch64__)
#include <arm_neon.h>
#endif

void add_{i}(float *d, const float *a, const float *b, size_t n) {{
#if defined(__x86_64__)
    for (size_t k = 0; k + 4 <= n; k += 4)
        _mm_storeu_ps(d + k, _mm_add_ps(_mm_loadu_ps(a + k), _mm_loadu_ps(b + k)));
#elif defined(__aarch64__)
    for (size_t k = 0; k + 4 <= n; k += 4)
        vst1q_f32(d + k, vaddq_f32(vld1q_f32(a + k), vld1q_f32(b + k)));
#endif
}}

uint32_t crc_{i}(uint32_t c, const uint8_t *p, size_t n) {{
    for (size_t k = 0; k < n; k++)
        c = _mm_crc32_u8(c, p[k]);
    return c;
}}

int mask_{i}(const char *p) {{
    __m128i v = _mm_loadu_si128((const __m128i *)p);
    return _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128()));
}}
"""
PY = "import os\n\n\ndef handler_{i}(event):\n    return {{'id': {i}, 'path': os.getcwd()}}\n"
GO = "package p{i}\n\nfunc Add{i}(a, b int) int {{ return a + b }}\n"
JAVA = "package demo;\n\npublic class C{i} {{\n  public int f() {{ return {i}; }}\n}}\n"
ASM_X86 = "    .text\n    .globl f{i}\nf{i}:\n    movq %rdi, %rax\n    addq %rsi, %rax\n    ret\n"


# Source file sizes in real trees (C, C++, headers, Python, Go, Java, assembly) are
# log-normal: median 5.7 KB and mean 20 KB in CPython 3.11, 4.1/12 KB in scipy 1.14,
# 4.6/15 KB in grpcio 1.66. A file of the synthetic tree is its template repeated to a
# size drawn from that shape (median 4.5 KB, sigma 1.3: mean about 10 KB), capped at
# 256 KB; with --small every file is its template once to three times (1.4 KB on average:
# the worst case, where the cost per file outweighs the cost per byte).
MEDIAN_BYTES = 4500
SIGMA = 1.3
MAX_BYTES = 256 << 10


def generate(root: Path, files: int, simd: bool, seed: int = 7, small: bool = False) -> int:
    """Write the synthetic tree; returns its size in bytes."""
    rng = random.Random(seed)
    sizes = random.Random(seed + 1)  # its own stream: the mix of kinds stays the same
    size = 0
    for i in range(files):
        d = root / f"mod{i // 200:03d}"
        d.mkdir(parents=True, exist_ok=True)
        if simd:
            kind = "simd" if rng.random() < 0.8 else "c"
        else:
            kind = rng.choices(["c", "simd", "py", "go", "java", "asm"], [55, 3, 20, 10, 10, 2])[0]
        name, text = {
            "c": (f"f{i}.c", PLAIN_C * 3),
            "simd": (f"k{i}.c", SIMD_C * 2),
            "py": (f"m{i}.py", PY * 10),
            "go": (f"g{i}.go", GO * 10),
            "java": (f"C{i}.java", JAVA),
            "asm": (f"a{i}_x86.S", ASM_X86 * 5),
        }[kind]
        data = text.format(i=i, name=name)
        if not small:
            want = min(MAX_BYTES, sizes.lognormvariate(math.log(MEDIAN_BYTES), SIGMA))
            data = data * max(1, round(want / len(data)))
        (d / name).write_text(data)
        size += len(data.encode())
    return size


def source_size(root: Path) -> int:
    """Bytes in the files that some scanner reads (sources, build files, manifests...), as
    opposed to every byte of the tree (test data, images, documentation)."""
    from porting_advisor.engine import registry, walk

    tasks, _ = walk.discover(root)
    return sum(t.size for t in tasks if registry.scanners_for(t.language))


def tree_size(root: Path) -> tuple[int, int]:
    n = total = 0
    for dirpath, _, names in os.walk(root):
        for name in names:
            n += 1
            total += os.path.getsize(os.path.join(dirpath, name))
    return n, total


def child(argv: list[str]) -> None:
    """Run the CLI in this process and print the peak RSS of it and its workers (KiB)."""
    from porting_advisor.cli import main

    code = main(argv)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"RSS {max(own, kids)} {code}")


REPEAT = 3  # timed runs per row; the fastest is reported (the machine's noise is one-sided)
REFERENCE_REPEAT = 5  # runs per tool and tree in --reference mode; the median is reported
# The children write bytecode caches as an installed package has them (pip compiles on
# install); a development shell with PYTHONDONTWRITEBYTECODE would time compiling instead.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def child_cmd(tree: Path, out: Path, cache: Path | None) -> list[str]:
    """The CLI run in a fresh process (`child`), with the result cache in `cache` or off."""
    return [
        sys.executable,
        __file__,
        "--child",
        str(tree),
        "--output",
        str(out),
        "--quiet",
        "--no-progress",
        *(["--cache-dir", str(cache)] if cache else ["--no-cache"]),
    ]


def measure(
    tree: Path, jobs: str, out: Path, cache: Path | None = None, edit: Path | None = None
) -> tuple[float, int]:
    """Wall time and peak RSS of one scan after a warm-up run. Without `cache` the result
    cache is off (every file analysed); with it the warm-up fills the cache and the timed run
    is the rescan of an unchanged tree, or, with `edit`, of the tree with that one file
    changed (a line appended before the timed run, removed after)."""
    cmd = child_cmd(tree, out, cache)
    if jobs:
        cmd += ["--jobs", jobs]
    subprocess.run(cmd, check=True, capture_output=True, env=ENV)  # warm-up
    best, rss = float("inf"), 0
    for i in range(REPEAT):
        original = edit.read_bytes() if edit else b""
        if edit:
            edit.write_bytes(original + f"\n/* edit {i} */\n".encode())
        try:
            start = time.perf_counter()
            res = subprocess.run(cmd, check=True, capture_output=True, text=True, env=ENV)
            wall = time.perf_counter() - start
        finally:
            if edit:
                edit.write_bytes(original)
        if edit:  # the next edit starts from a cache that holds the unedited file
            subprocess.run(cmd, check=True, capture_output=True, env=ENV)
        best, rss = min(best, wall), max(rss, int(res.stdout.split()[1]))
    return best, rss


def first_scan_with_cache(tree: Path, out: Path, cache: Path) -> tuple[float, int]:
    """A first scan with the result cache on (the default for users): analysis plus writing
    the cache. Timed after a warm-up run, into an emptied cache."""
    cmd = child_cmd(tree, out, cache)
    subprocess.run(cmd, check=True, capture_output=True, env=ENV)
    best, rss = float("inf"), 0
    for _ in range(REPEAT):
        shutil.rmtree(cache)
        start = time.perf_counter()
        res = subprocess.run(cmd, check=True, capture_output=True, text=True, env=ENV)
        best, rss = min(best, time.perf_counter() - start), max(rss, int(res.stdout.split()[1]))
    return best, rss


def changed_since(files: int, changed: int, tmp: Path) -> None:
    """`--changed-since` in a git repository of a synthetic mixed tree: `changed` C files edited
    and committed since the base, the result cache warm from a scan of the base."""
    tree = tmp / "repo"
    generate(tree, files, simd=False)
    git = [
        "git",
        "-C",
        str(tree),
        "-c",
        "user.name=bench",
        "-c",
        "user.email=bench@example.com",
        "-c",
        "gc.auto=0",
    ]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "base"], check=True)
    subprocess.run([*git, "tag", "base"], check=True)
    out, cache = tmp / "r.json", tmp / "cache"
    cmd = child_cmd(tree, out, cache)
    subprocess.run(cmd, check=True, capture_output=True, env=ENV)  # the base, cached
    first = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=ENV)
    full = time.perf_counter() - first
    sources = sorted(tree.glob("mod*/*.c"))[:changed]
    for p in sources:
        p.write_text(p.read_text() + "int edited(void) { return _mm_popcnt_u32(7); }\n")
    subprocess.run([*git, "commit", "-q", "-am", "edit"], check=True)
    times = []
    for _ in range(2):
        start = time.perf_counter()
        res = subprocess.run(
            [*cmd, "--changed-since", "base", "--format", "json"],
            check=True,
            capture_output=True,
            text=True,
            env=ENV,
        )
        times.append(time.perf_counter() - start)
    found = len(json.loads(out.read_text())["findings"])
    print(
        f"--changed-since, {files} files, {changed} C files changed: {times[0]:.2f} s "
        f"(cache warm from the base), {times[1]:.2f} s repeated; {found} findings; a rescan "
        f"of the unchanged base took {full:.2f} s; RSS {res.stdout.split()[1]} KiB"
    )


def a_source_file(tree: Path) -> Path:
    for dirpath, _, names in sorted(os.walk(tree)):
        for name in sorted(names):
            if name.endswith((".c", ".cpp", ".cc", ".h")):
                return Path(dirpath) / name
    raise SystemExit("no C/C++ file to edit in the tree")


def fill_template(template: str, tree: Path, out: Path) -> list[str]:
    """The replaced tool's command line: the template split as a shell would, with `{tree}`
    and `{out}` replaced in each word (literally: other braces stay as they are)."""
    words = shlex.split(template)
    if not any("{tree}" in w for w in words):
        raise ValueError("the --reference command has no {tree}")
    return [w.replace("{tree}", str(tree)).replace("{out}", str(out)) for w in words]


def ours_cmd(tree: Path, out: Path) -> list[str]:
    """Our CLI as a user runs it for a first scan: result cache off, JSON report, default jobs."""
    return [
        sys.executable,
        "-m",
        "porting_advisor",
        str(tree),
        "--no-cache",
        "--no-progress",
        "--quiet",
        "--output",
        str(out),
    ]


def timed_run(cmd: list[str], out: Path, cwd: Path) -> float:
    """Wall time of one run. Exit codes are not checked (a gate may fail on findings); the
    run counts only if it wrote a non-empty report."""
    out.unlink(missing_ok=True)
    start = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True, env=ENV, cwd=cwd)
    wall = time.perf_counter() - start
    if not out.is_file() or out.stat().st_size == 0:
        raise SystemExit(
            f"no report from {shlex.join(cmd)} (exit {res.returncode}):\n{res.stderr[-2000:]}"
        )
    return wall


def head_to_head(template: str, trees: list[Path], repeat: int, tmp: Path) -> None:
    """The replaced tool and ours, alternately on each tree; medians and their ratio."""
    print(f"replaced tool: {template}")
    print(f"ours:          {shlex.join(ours_cmd(Path('{tree}'), Path('{out}')))}")
    print(f"median of {repeat} runs each, alternating, after one warm-up run of each")
    print(f"{'tree':<32} {'MB':>7} {'files':>7} {'replaced s':>10} {'ours s':>8} {'ratio':>7}")
    for tree in (t.resolve() for t in trees):  # the runs' working directory is `tmp`
        ref_out, our_out = tmp / "ref.json", tmp / "ours.json"
        ref_cmd = fill_template(template, tree, ref_out)
        our_cmd = ours_cmd(tree, our_out)
        timed_run(ref_cmd, ref_out, tmp)  # warm-up: the OS file cache and bytecode caches
        timed_run(our_cmd, our_out, tmp)
        ref_times, our_times = [], []
        for _ in range(repeat):
            ref_times.append(timed_run(ref_cmd, ref_out, tmp))
            our_times.append(timed_run(our_cmd, our_out, tmp))
        ref, ours = statistics.median(ref_times), statistics.median(our_times)
        n, size = tree_size(tree)
        print(
            f"{tree.name:<32} {size / 1e6:7.1f} {n:7d} {ref:10.2f} {ours:8.2f} {ref / ours:6.1f}x",
            flush=True,
        )


def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--simd", action="store_true", help="SIMD-heavy C tree (80%% intrinsics)")
    ap.add_argument(
        "--small",
        action="store_true",
        help="synthetic files of 1.4 KB on average, not sized like a real tree's",
    )
    ap.add_argument(
        "--tree",
        type=Path,
        action="append",
        help="benchmark an existing tree instead (repeatable with --reference)",
    )
    ap.add_argument(
        "--repeat",
        type=int,
        help=f"timed runs per row (best kept; default {REPEAT}), or per tool and tree with "
        f"--reference (median kept; default {REFERENCE_REPEAT})",
    )
    ap.add_argument(
        "--reference",
        metavar="CMD",
        help="time this command line ({tree} and {out} filled in) against ours on --tree",
    )
    ap.add_argument(
        "--changed",
        type=int,
        metavar="N",
        help="time --changed-since with N C files changed in a --files tree",
    )
    args = ap.parse_args(argv)
    if args.reference is not None:
        if not args.tree:
            ap.error("--reference needs at least one --tree")
        try:
            fill_template(args.reference, Path("."), Path("."))
        except ValueError as e:
            ap.error(str(e))
    elif args.tree and len(args.tree) > 1:
        ap.error("more than one --tree only with --reference")
    return args


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2:])
        return
    args = parse_args(sys.argv[1:])
    if args.reference is not None:
        with tempfile.TemporaryDirectory() as tmp:
            head_to_head(
                args.reference, args.tree, max(1, args.repeat or REFERENCE_REPEAT), Path(tmp)
            )
        return
    globals()["REPEAT"] = max(1, args.repeat or REPEAT)
    if args.changed:
        with tempfile.TemporaryDirectory() as tmp:
            changed_since(args.files, args.changed, Path(tmp))
        return
    with tempfile.TemporaryDirectory() as tmp:
        if args.tree:
            tree = args.tree[0]
            label = str(tree)
        else:
            tree = Path(tmp) / "tree"
            generate(tree, args.files, args.simd, small=args.small)
            label = (
                f"synthetic {'SIMD-heavy' if args.simd else 'mixed'} tree"
                f"{' of small files' if args.small else ''}"
            )
        n, size = tree_size(tree)
        read = source_size(tree)
        print(
            f"{label}: {n} files, {size / 1e6:.1f} MB ({read / 1e6:.1f} MB in files the "
            f"scanners read); MB/s below counts every byte of the tree"
        )
        print(f"{'jobs':>8} {'seconds':>8} {'files/s':>9} {'MB/s':>7} {'peak RSS':>9}")
        out, cache = Path(tmp) / "r.json", Path(tmp) / "cache"
        runs = {
            "1": lambda: measure(tree, "1", out),  # no cache: every file read
            "default": lambda: measure(tree, "", out),
            "cached": lambda: first_scan_with_cache(tree, out, cache),
            "rescan": lambda: measure(tree, "", out, cache),  # unchanged tree
            "1 edit": lambda: measure(tree, "", out, cache, a_source_file(tree)),
        }
        first = 0.0
        for label, run in runs.items():
            wall, rss = run()
            first = first or (wall if label == "default" else 0.0)
            share = f" ({wall / first:.0%} of default)" if label in ("rescan", "1 edit") else ""
            print(
                f"{label:>8} {wall:8.2f} {n / wall:9.0f} {size / 1e6 / wall:7.1f} "
                f"{rss / 1024:7.0f} MB{share}"
            )


if __name__ == "__main__":
    main()
