#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Write rules/deps/arm64-packages.tsv from shared/data/arm64-min-versions.tsv, the curated
rows below and what scripts/check_deps.py read from the package index (pypi-checked.tsv).

The shared list holds public porting facts (first version of a package with Arm64 builds, or
none). Names are normalised per ecosystem (PEP 503 for PyPI) so look-ups match manifests. A
PyPI row the index check covers takes its versions and status from the index, and its source
column says so; the others keep "public porting list (not checked)" or their citation.
Columns: ecosystem, name, min_version, status, note, source, x86_only_from, x86_only_after,
arm64_before.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "data" / "arm64-min-versions.tsv"
CHECKED = ROOT / "rules" / "deps" / "pypi-checked.tsv"
UNCHECKED = "public porting list (not checked)"


# The shared list names Maven artifacts without their group: the coordinates (or a glob for
# a family of artifacts) as published on Maven Central.
MAVEN_GROUPS = {
    "commons-crypto": "org.apache.commons:commons-crypto",
    "finagle": "com.twitter:finagle-*",
    "hadoop-lzo": "com.hadoop.gplcompression:hadoop-lzo",
    "jansi-native": "org.fusesource.jansi:jansi-native",
    "jffi": "com.github.jnr:jffi",
    "jansi": "org.fusesource.jansi:jansi",
    "leveldbjni-all": "org.fusesource.leveldbjni:leveldbjni-all",
    "lz4-java": "org.lz4:lz4-java",
    "netty-transport-native-epoll": "io.netty:netty-transport-native-epoll",
    "netty-tcnative": "io.netty:netty-tcnative*",
    "rocksdbjni": "org.rocksdb:rocksdbjni",
    "sigar": "*:sigar",
    "snappy-java": "org.xerial.snappy:snappy-java",
    "zstd-jni": "com.github.luben:zstd-jni",
}
# Curated rows: (ecosystem, name, min_version, status, note, source). For PyPI names the index
# check decides versions and min/portable; a status here other than "min" says what the gap
# means (x86-only by design, or a source build and what it needs) and its note is the advice.
EXTRA = [
    (
        "pypi",
        "tensorflow-intel",
        "",
        "x86-only",
        "Intel's x86-only build of TensorFlow; use tensorflow (Linux aarch64 wheels)",
        "",
    ),
    (
        "pypi",
        "intel-openmp",
        "",
        "x86-only",
        "Intel OpenMP runtime: x86 wheels only",
        "",
    ),
    ("pypi", "mkl", "", "x86-only", "Intel MKL runtime: x86 wheels only; use OpenBLAS builds", ""),
    ("pypi", "mkl-service", "", "x86-only", "part of Intel MKL: x86 only", ""),
    (
        "pypi",
        "intel-extension-for-pytorch",
        "",
        "x86-only",
        "Intel CPU/GPU extension: x86 only",
        "",
    ),
    ("pypi", "tbb", "", "x86-only", "Intel oneTBB wheels; use the distribution's libtbb", ""),
    ("pypi", "dpcpp-cpp-rt", "", "x86-only", "Intel oneAPI DPC++ runtime", ""),
    ("pypi", "tensorflow-cpu", "", "x86-only", "x86 build of TensorFlow; use tensorflow", ""),
    (
        "pypi",
        "pyqt5-qt5",
        "",
        "unsupported",
        "no Arm64 wheel and no sdist: use the distribution's python3-pyqt5, or PyQt6",
        "",
    ),
    (
        "pypi",
        "pyqt5",
        "",
        "unsupported",
        "it needs PyQt5-Qt5, which has no Arm64 wheel and no sdist: use the distribution's "
        "python3-pyqt5, or PyQt6",
        "",
    ),
    ("pypi", "pyside2", "", "unsupported", "no Arm64 wheel and no sdist: use PySide6", ""),
    (
        "pypi",
        "psycopg2-binary",
        "",
        "source-build",
        "a C compiler, the Python headers and libpq's (gcc, python3-devel, libpq-devel)",
        "",
    ),
    (
        "pypi",
        "psycopg2",
        "",
        "source-build",
        "a C compiler, the Python headers and libpq's (gcc, python3-devel, libpq-devel)",
        "",
    ),
    (
        "pypi",
        "cx-oracle",
        "",
        "source-build",
        "a C compiler and the Python headers, and Oracle Instant Client for aarch64 at run "
        "time; its successor oracledb has Arm64 wheels",
        "",
    ),
    ("pypi", "plyvel", "", "source-build", "a C++ compiler and leveldb-devel", ""),
    ("pypi", "thinc", "", "source-build", "a C++ compiler and the Python headers", ""),
    (
        "maven",
        "org.rocksdb:rocksdbjni",
        "6.4.6",
        "min",
        "6.0.1 has no librocksdbjni-linux-aarch64.so; 5.18.4 is an aarch64 backport",
        "maintainers' issues: github.com/facebook/rocksdb/issues/5559 (6.0.1 without it), "
        "github.com/ververica/frocksdb/issues/14 (6.4.6 has it), "
        "github.com/apache/storm/pull/3225 (5.18.4)",
    ),
    (
        "maven",
        "org.conscrypt:conscrypt-openjdk-uber",
        "2.6.1",
        "min",
        "no linux-aarch_64 native up to 2.5.2; or use the JDK's own TLS provider",
        "maintainer's issue: github.com/google/conscrypt/issues/1475 (2.6.1 supports Linux "
        "aarch64), github.com/google/conscrypt/issues/858",
    ),
    (
        "maven",
        "org.conscrypt:conscrypt-openjdk",
        "2.6.1",
        "min",
        "no linux-aarch_64 classifier up to 2.5.2",
        "maintainer's issue: github.com/google/conscrypt/issues/1475 (2.6.1 supports Linux "
        "aarch64)",
    ),
]


# Releases below a row's min_version that do have an Arm64 build (backports), each cited in
# the row's source column: not reported.
ARM64_BEFORE = {
    ("maven", "org.rocksdb:rocksdbjni"): "5.18.4",  # github.com/apache/storm/pull/3225
}


def normalise(ecosystem: str, name: str) -> str:
    if ecosystem == "pypi":
        return re.sub(r"[-_.]+", "-", name).lower()
    if ecosystem == "maven":
        return MAVEN_GROUPS.get(name.strip(), name.strip())
    return name.strip()


def checked_row(
    eco: str, name: str, row: tuple[str, ...], check: dict[str, str]
) -> tuple[str, ...]:
    """A PyPI row with the index's facts: versions, status and the source column."""
    _, _, _, status, note, _ = row
    first, gap, after = check["min_version"], check["x86_only_from"], check["x86_only_after"]
    when = f"index {check['checked']}"
    if not gap:
        # no release is x86-only on Linux; a curated status stands (tensorflow-intel has
        # Windows wheels only: no Linux build at all)
        status, first = ("portable", "") if status in ("min", "portable") else (status, first)
        source = f"{when}: no release has Linux x86-64 wheels without aarch64 ones"
    elif first:
        status = "min" if status in ("min", "portable") else status
        source = f"{when}: first aarch64 wheel {check['evidence']}"
    else:
        if status in ("min", "portable"):
            status = "source-build" if check["sdist"] == "yes" else "unsupported"
            note = note if status == "unsupported" else "a compiler and the headers it needs"
        source = (
            f"{when}: Linux x86-64 wheels from {gap}, none for aarch64 up to {check['latest']}"
            f"{' (sdist only)' if check['sdist'] == 'yes' else ' and no sdist'}"
        )
    return (eco, name, first, status, note, source, gap, after)


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE
    rows: dict[tuple[str, str], tuple[str, ...]] = {}
    with source.open(newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            eco = row["ecosystem"].strip()
            note = (row.get("note") or "").strip()
            name = normalise(eco, row["name"])
            rows[eco, name] = (
                eco,
                name,
                row["min_version"].strip(),
                row["status"].strip(),
                note or "public porting list",
                UNCHECKED,
            )
    for eco, name, version, status, note, cited in EXTRA:
        key = (eco, normalise(eco, name))
        rows[key] = (eco, key[1], version, status, note, cited or UNCHECKED)
    checks = {}
    if CHECKED.exists():
        with CHECKED.open(newline="") as fh:
            checks = {r["name"]: r for r in csv.DictReader(fh, delimiter="\t")}
    for name, check in checks.items():
        base = rows.get(("pypi", name), ("pypi", name, "", "min", "", ""))
        rows["pypi", name] = checked_row("pypi", name, base, check)
    out = ROOT / "rules" / "deps" / "arm64-packages.tsv"
    with out.open("w", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(COLUMNS)
        w.writerows(
            (*(*r, "", "")[:8], ARM64_BEFORE.get((r[0], r[1]), "")) for r in sorted(rows.values())
        )
    print(f"wrote {len(rows)} rows to {out}")


COLUMNS = (
    "ecosystem",
    "name",
    "min_version",
    "status",
    "note",
    "source",
    "x86_only_from",
    "x86_only_after",
    "arm64_before",
)


if __name__ == "__main__":
    main()
