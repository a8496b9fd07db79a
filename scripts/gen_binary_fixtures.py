#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Write the binary test fixtures: minimal ELF, PE, Mach-O, ar and zip files packed by hand.

No toolchain is involved; each file is just the headers the binaries scanner reads. Output:
tests/fixtures/binaries/prebuilt/ (its fixture.expect lists what must and must not be found)
and the prebuilt library in sample-projects.
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
X86_64, AARCH64 = 62, 183


def elf(machine: int, e_type: int = 3) -> bytes:
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    header = ident + struct.pack(
        "<HHIQQQIHHHHHH", e_type, machine, 1, 0, 64, 0, 0, 64, 56, 0, 64, 0, 0
    )
    return header + bytes(64)


def pe(machine: int, dll: bool = True) -> bytes:
    mz = bytearray(64)
    mz[0:2] = b"MZ"
    mz[0x3C:0x40] = struct.pack("<I", 64)
    coff = struct.pack("<HHIIIHH", machine, 0, 0, 0, 0, 0, 0x2022 if dll else 0x0022)
    return bytes(mz) + b"PE\0\0" + coff + bytes(64)


def macho(cpu: int) -> bytes:
    return b"\xcf\xfa\xed\xfe" + struct.pack("<iiIIII", cpu, 3, 6, 0, 0, 0) + bytes(32)


def fat(*cpus: int) -> bytes:
    body = b"\xca\xfe\xba\xbe" + struct.pack(">I", len(cpus))
    for i, cpu in enumerate(cpus):
        body += struct.pack(">IIIII", cpu, 3, 4096 * (i + 1), 64, 12)
    return body + bytes(64)


def ar(members: dict[str, bytes]) -> bytes:
    out = b"!<arch>\n"
    for name, data in members.items():
        header = (f"{name + '/':<16}{0:<12}{0:<6}{0:<6}{644:<8}{len(data):<10}").encode() + b"`\n"
        out += header + data + (b"\n" if len(data) % 2 else b"")
    return out


def zipped(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():  # fixed dates: the output is reproducible
            zf.writestr(
                zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)),
                data,
                compress_type=zipfile.ZIP_DEFLATED,
            )
    return buf.getvalue()


FIXTURES = {
    "lib/x86_64/libcodec.so": elf(X86_64),  # has lib/aarch64/ beside it: fine
    "lib/aarch64/libcodec.so": elf(AARCH64),
    "vendor/libfast.so": elf(X86_64),  # reported
    "vendor/libother.so.1": elf(AARCH64),  # an Arm64 library (versioned name)
    "tools/indexer": elf(X86_64, e_type=2),  # extensionless executable: reported
    "tools/helper": elf(X86_64, e_type=2),  # helper-arm64 beside it: fine
    "tools/helper-arm64": elf(AARCH64, e_type=2),
    "win/native.dll": pe(0x14C),  # 32-bit x86 DLL: reported
    "win/portable.dll": pe(0xAA64),  # ARM64 DLL: fine
    "mac/libuniversal.dylib": fat(0x01000007, 0x0100000C),  # x86_64 + arm64: fine
    "mac/libold.dylib": macho(0x01000007),  # x86_64 only: reported
    "static/libsimd.a": ar({"a.o": elf(X86_64, 1), "b.o": elf(X86_64, 1)}),  # reported
    "static/libboth.a": ar({"x.o": elf(X86_64, 1), "y.o": elf(AARCH64, 1)}),  # fine
    "java/app.jar": zipped(
        {
            "META-INF/MANIFEST.MF": b"Manifest-Version: 1.0\n",
            "native/linux-x86_64/libjni.so": elf(X86_64),
            "native/linux-aarch64/libjni.so": elf(AARCH64),
            "native/linux-x86_64/libonly.so": elf(X86_64),  # reported (member path)
            "com/example/App.class": b"\xca\xfe\xba\xbe\x00\x00\x00\x34" + bytes(32),
        }
    ),
    "java/web.war": zipped(
        {"WEB-INF/lib/inner.jar": zipped({"win32-x86-64/jnidispatch.dll": pe(0x8664)})}
    ),  # nested jar member: reported
    "python/fast-1.0-cp311-cp311-manylinux_2_17_x86_64.whl": zipped(
        {
            "fast/_speed.cpython-311-x86_64-linux-gnu.so": elf(X86_64),  # reported
            "fast/__init__.py": b"from ._speed import *\n",
        }
    ),
    "python/pure-1.0-py3-none-any.whl": zipped({"pure/__init__.py": b"x = 1\n"}),
    "corrupt.jar": b"PK\x03\x04 this is not really a zip",
}
WHEEL = "python/fast-1.0-cp311-cp311-manylinux_2_17_x86_64.whl"
EXPECT = """\
# What the binaries fixture must report (ruleid) and must not (ok): FILE LINE RULE
ruleid: vendor/libfast.so 0 binary-x86-only
ruleid: tools/indexer 0 binary-x86-only
ruleid: win/native.dll 0 binary-x86-only
ruleid: mac/libold.dylib 0 binary-x86-only
ruleid: static/libsimd.a 0 binary-x86-only
ruleid: java/app.jar!/native/linux-x86_64/libonly.so 0 archive-x86-native
ruleid: java/web.war!/WEB-INF/lib/inner.jar!/win32-x86-64/jnidispatch.dll 0 archive-x86-native
ruleid: {WHEEL}!/fast/_speed.cpython-311-x86_64-linux-gnu.so 0 archive-x86-native
ok: lib/x86_64/libcodec.so 0 binary-x86-only
ok: tools/helper 0 binary-x86-only
ok: mac/libuniversal.dylib 0 binary-x86-only
ok: static/libboth.a 0 binary-x86-only
ok: java/app.jar!/native/linux-x86_64/libjni.so 0 archive-x86-native
"""


def main() -> None:
    base = ROOT / "tests" / "fixtures" / "binaries" / "prebuilt"
    for rel, data in FIXTURES.items():
        path = base / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (base / "fixture.expect").write_text(EXPECT.replace("{WHEEL}", WHEEL))
    samples = ROOT / "sample-projects"
    (samples / "cpp-service" / "third_party" / "lib").mkdir(parents=True, exist_ok=True)
    (samples / "cpp-service" / "third_party" / "lib" / "libfastjson.so").write_bytes(elf(X86_64))
    (samples / "java-jni" / "lib").mkdir(parents=True, exist_ok=True)
    (samples / "java-jni" / "lib" / "fastcodec.jar").write_bytes(
        zipped(
            {
                "META-INF/MANIFEST.MF": b"Manifest-Version: 1.0\n",
                "native/linux-x86_64/libfastcodec.so": elf(X86_64),
                "native/osx-x86_64/libfastcodec.dylib": macho(0x01000007),
            }
        )
    )
    (samples / "python-native-deps" / "vendor").mkdir(parents=True, exist_ok=True)
    (
        samples
        / "python-native-deps"
        / "vendor"
        / "fastcodec-0.3-cp311-cp311-manylinux_2_17_x86_64.whl"
    ).write_bytes(
        zipped(
            {
                "fastcodec/_codec.cpython-311-x86_64-linux-gnu.so": elf(X86_64),
                "fastcodec/__init__.py": b"from ._codec import *\n",
            }
        )
    )
    print(f"wrote {len(FIXTURES)} fixtures under {base}")


if __name__ == "__main__":
    main()
