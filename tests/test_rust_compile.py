# SPDX-License-Identifier: Apache-2.0
"""Rust fixture truth from rustc on the x86-64 host, by mirror: each top-level item of
tests/fixtures/rust/features with x86 and Arm64 swapped (`target_arch`, `std::arch` paths,
target features) must fail to compile where the fixture expects a finding and compile where
it expects none: what fails here for Arm64 code fails on AArch64 for the x86 original
(`if cfg!(...)` keeps the path: E0433; an unknown target feature is an error). Skipped when
rustc is absent."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from conftest import FIXTURES

RUSTC = shutil.which("rustc")
HOST = subprocess.run([RUSTC, "-vV"], capture_output=True, text=True).stdout if RUSTC else ""
pytestmark = pytest.mark.skipif("host: x86_64" not in HOST, reason="needs rustc on an x86-64 host")
# x86 word -> its Arm64 mirror, and back (features of the same kind; names in paths)
MIRROR = {
    '"x86_64"': '"aarch64"',
    '"x86"': '"arm"',
    "arch::x86_64::": "arch::aarch64::",
    '"avx2"': '"neon"',
    '"avx2,fma"': '"neon,rdm"',
    '"sse4.1"': '"crc"',
    '"bmi2"': '"sve"',
    "_mm_pause()": "__yield()",
    "_pdep_u64(a, m)": "__crc32d(a as u32, m)",
}
SWAP = {**MIRROR, **{v: k for k, v in MIRROR.items()}}
WORDS = re.compile("|".join(re.escape(w) for w in sorted(SWAP, key=len, reverse=True)))


def mirror(text: str) -> str:
    return WORDS.sub(lambda m: SWAP[m.group(0)], text)


def items() -> list[tuple[int, str]]:
    """(first line, text) of each top-level item of the fixture."""
    text = (FIXTURES / "rust" / "features" / "lib.rs").read_text()
    out, line = [], 1
    for chunk in text.split("\n\n"):
        code = [ln for ln in chunk.split("\n") if ln.strip() and not ln.lstrip().startswith("//")]
        if code:
            out.append((line, chunk))
        line += chunk.count("\n") + 2
    return out


@pytest.mark.parametrize("item", items(), ids=lambda i: f"line{i[0]}")
def test_mirror_compiles_as_the_fixture_claims(item, tmp_path):
    _, chunk = item
    path = tmp_path / "item.rs"
    path.write_text(mirror(chunk) + "\n")
    res = subprocess.run(
        [
            RUSTC,
            "--edition",
            "2021",
            "--crate-type",
            "lib",
            "--cfg",
            'feature="simd"',
            "--out-dir",
            str(tmp_path),
            str(path),
        ],
        capture_output=True,
        text=True,
    )
    if "ruleid:" in chunk:
        assert res.returncode != 0, f"mirror compiles, the finding is false:\n{mirror(chunk)}"
    else:
        assert res.returncode == 0, f"mirror fails:\n{mirror(chunk)}\n{res.stderr}"


def test_cfg_expression_keeps_the_path(tmp_path):
    """The case the fixtures rest on: a path under `if cfg!(<other arch>)` fails (E0433).
    (Output goes to the temporary folder: rustc removes its output file when it fails.)"""
    code = (
        'pub fn f() { if cfg!(target_arch = "aarch64") '
        "{ unsafe { std::arch::aarch64::__yield() } } }\n"
    )
    res = subprocess.run(
        [
            RUSTC,
            "--edition",
            "2021",
            "--crate-type",
            "lib",
            "--emit",
            "metadata",
            "--out-dir",
            str(tmp_path),
            "-",
        ],
        input=code,
        capture_output=True,
        text=True,
    )
    assert res.returncode != 0 and "E0433" in res.stderr
