#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Write rules/deps/arm64-packages.tsv from shared/data/arm64-min-versions.tsv.

The source is a list of public porting facts (first version of a package with Arm64 builds,
or none). Names are normalised per ecosystem (PEP 503 for PyPI) so look-ups match manifests;
each row keeps its note. Columns: ecosystem, name, min_version, status, note.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "data" / "arm64-min-versions.tsv"


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
# Well-known additions (each with its source note).
EXTRA = [
    (
        "pypi",
        "tensorflow-intel",
        "",
        "unsupported",
        "Intel's x86-only build of TensorFlow; use tensorflow (Linux aarch64 wheels)",
    ),
    ("pypi", "intel-openmp", "", "unsupported", "Intel OpenMP runtime: x86 wheels only"),
    ("pypi", "mkl", "", "unsupported", "Intel MKL runtime: x86 wheels only; use OpenBLAS builds"),
    ("pypi", "mkl-service", "", "unsupported", "part of Intel MKL: x86 only"),
    ("pypi", "intel-extension-for-pytorch", "", "unsupported", "Intel CPU/GPU extension: x86 only"),
]


def normalise(ecosystem: str, name: str) -> str:
    if ecosystem == "pypi":
        return re.sub(r"[-_.]+", "-", name).lower()
    if ecosystem == "maven":
        return MAVEN_GROUPS.get(name.strip(), name.strip())
    return name.strip()


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE
    rows = []
    with source.open(newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            eco = row["ecosystem"].strip()
            note = (row.get("note") or "").strip()
            rows.append(
                (
                    eco,
                    normalise(eco, row["name"]),
                    row["min_version"].strip(),
                    row["status"].strip(),
                    note or "public porting list",
                )
            )
    rows += [(e, normalise(e, n), v, st, note) for e, n, v, st, note in EXTRA]
    rows = sorted(set(rows))
    out = ROOT / "rules" / "deps" / "arm64-packages.tsv"
    with out.open("w", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(("ecosystem", "name", "min_version", "status", "note"))
        w.writerows(rows)
    print(f"wrote {len(rows)} rows to {out}")


if __name__ == "__main__":
    main()
