# SPDX-License-Identifier: Apache-2.0
"""Prebuilt binaries: ELF, PE/COFF, Mach-O, static archives and zip-based packages.

Only headers and archive directories are read: never the whole file, never extracted to disk,
never executed. Zip members are read up to a small prefix, with limits on member count and
size (zip bombs), and one level of nested archives (a JAR inside a WAR).
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
from collections.abc import Iterator
from typing import NamedTuple

from porting_advisor.core import lazy_re
from porting_advisor.core.model import member_path

ELF_MACHINES = {
    3: "x86",
    62: "x86-64",
    183: "arm64",
    40: "arm",
    8: "mips",
    20: "ppc",
    21: "ppc64",
    22: "s390",
    243: "riscv",
    258: "loongarch",
    50: "ia64",
}
PE_MACHINES = {
    0x14C: "x86",
    0x8664: "x86-64",
    0xAA64: "arm64",
    0xA641: "arm64ec",
    0x1C4: "arm",
    0x1C0: "arm",
    0x200: "ia64",
}
MACHO_CPUS = {
    7: "x86",
    0x01000007: "x86-64",
    12: "arm",
    0x0100000C: "arm64",
    0x0200000C: "arm64_32",
    18: "ppc",
    0x01000012: "ppc64",
}
X86 = frozenset({"x86", "x86-64"})
ARM64 = frozenset({"arm64", "arm64ec"})
NATIVE = lazy_re.compile(r"\.(?:so(?:\.[\d.]+)?|dll|dylib|jnilib|node|pyd|a|o|lib)$", re.I)
ZIP_SUFFIXES = (".jar", ".war", ".ear", ".aar", ".whl", ".nupkg", ".egg", ".zip", ".apk")
MAX_MEMBERS = 100_000
MAX_NESTED = 64 << 20  # nested archives are read into memory up to this size
HEAD = 4096


class Binary(NamedTuple):
    kind: str  # "ELF shared library", "PE DLL", "Mach-O universal binary", ...
    arches: frozenset[str]
    detail: str = ""
    os: str = ""  # "linux" (ELF), "windows" (PE/COFF), "macos" (Mach-O); "" mixed or unknown


OS_NAMES = {"linux": "Linux", "windows": "Windows", "macos": "macOS"}


def other_os(binary_os: str, target_os: str) -> str:
    """Why a binary for `binary_os` does not matter for `target_os`, or ""."""
    if not binary_os or target_os == "all" or binary_os == target_os:
        return ""
    return f"a {OS_NAMES[binary_os]} binary, not loaded on {OS_NAMES.get(target_os, target_os)}"


def elf(head: bytes) -> Binary | None:
    if len(head) < 20 or head[:4] != b"\x7fELF":
        return None
    little = head[5] != 2
    e_type, machine = struct.unpack("<HH" if little else ">HH", head[16:20])
    kind = {1: "ELF object", 2: "ELF executable", 3: "ELF shared library"}.get(e_type, "ELF file")
    return Binary(kind, frozenset({ELF_MACHINES.get(machine, f"machine {machine}")}), os="linux")


def pe(head: bytes) -> Binary | None:
    if len(head) < 64 or head[:2] != b"MZ":
        return None
    (offset,) = struct.unpack("<I", head[0x3C:0x40])
    if offset + 24 > len(head) or head[offset : offset + 4] != b"PE\0\0":
        return None
    (machine,) = struct.unpack("<H", head[offset + 4 : offset + 6])
    (chars,) = struct.unpack("<H", head[offset + 22 : offset + 24])
    kind = "PE DLL" if chars & 0x2000 else "PE executable"
    return Binary(
        kind, frozenset({PE_MACHINES.get(machine, f"machine {machine:#x}")}), os="windows"
    )


def coff(head: bytes) -> Binary | None:
    """A bare COFF object (.obj) or import member starts with its machine field."""
    if len(head) < 20:
        return None
    (machine,) = struct.unpack("<H", head[:2])
    if machine in (0x14C, 0x8664, 0xAA64) and head[2:4] != b"\0\0":
        return Binary("COFF object", frozenset({PE_MACHINES[machine]}), os="windows")
    return None


def macho(head: bytes) -> Binary | None:
    if len(head) < 8:
        return None
    magic = head[:4]
    if magic in (b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe"):
        (cpu,) = struct.unpack("<i", head[4:8])
        return Binary(
            "Mach-O binary", frozenset({MACHO_CPUS.get(cpu & 0xFFFFFFFF, "other")}), os="macos"
        )
    if magic in (b"\xca\xfe\xba\xbe", b"\xca\xfe\xba\xbf"):
        (count,) = struct.unpack(">I", head[4:8])
        if not 0 < count < 20:
            return None  # a Java class file shares this magic
        size = 20 if magic[3] == 0xBE else 32
        arches = set()
        for i in range(count):
            at = 8 + i * size
            if at + 4 > len(head):
                break
            (cpu,) = struct.unpack(">I", head[at : at + 4])
            arches.add(MACHO_CPUS.get(cpu, "other"))
        return Binary("Mach-O universal binary", frozenset(arches), os="macos")
    return None


def identify(head: bytes) -> Binary | None:
    return elf(head) or pe(head) or macho(head)


def ar_members(fh: io.BufferedIOBase, size: int) -> Iterator[tuple[str, bytes]]:
    """(name, first bytes) of each member of a Unix ar archive."""
    pos = 8
    fh.seek(8)
    names = b""
    count = 0
    while pos + 60 <= size and count < MAX_MEMBERS:
        header = fh.read(60)
        if len(header) < 60 or header[58:60] != b"`\n":
            return
        name = header[:16].decode("latin-1").strip()
        try:
            length = int(header[48:58].decode("ascii").strip() or 0)
        except ValueError:
            return
        body = fh.read(min(length, HEAD))
        if name == "//":
            fh.seek(pos + 60)
            names = fh.read(min(length, 1 << 20))
        elif name.startswith("/") and name[1:].isdigit() and names:
            start = int(name[1:])
            name = names[start : names.find(b"/\n", start)].decode("latin-1")
        if name not in ("/", "//", "/SYM64/", "__.SYMDEF", "__.SYMDEF SORTED"):
            yield name.rstrip("/"), body
        count += 1
        pos += 60 + length + (length & 1)
        fh.seek(pos)


def describe(arches: frozenset[str]) -> str:
    return " + ".join(sorted(arches))


def scan_binary(path: str, size: int) -> tuple[Binary | None, str]:
    """What a standalone file is; ('', reason) when it cannot be read."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(HEAD)
            if head.startswith(b"!<arch>\n"):
                arches: dict[str, int] = {}
                systems: set[str] = set()
                for _, body in ar_members(fh, size):
                    b = identify(body) or coff(body)
                    if b:
                        systems.add(b.os)
                        for a in b.arches:
                            arches[a] = arches.get(a, 0) + 1
                if not arches:
                    return None, ""
                detail = ", ".join(f"{n} {a} object(s)" for a, n in sorted(arches.items()))
                only = systems.pop() if len(systems) == 1 else ""
                return Binary("static library", frozenset(arches), f" ({detail})", only), ""
            return identify(head) or coff(head), ""
    except OSError as exc:
        return None, f"cannot read: {exc.strerror}"


def variant_key(member: str) -> str:
    """A member's library identity with architecture words removed from its path."""
    from porting_advisor.core.archnames import is_arch_token, tokens

    parts = member.lower().split("/")
    kept = [
        "_".join(
            t
            for t in tokens(p)
            if not is_arch_token(t)
            and t
            not in (
                "linux",
                "win32",
                "win",
                "windows",
                "darwin",
                "osx",
                "macos",
                "native",
                "natives",
                "lib",
                "libs",
                "jni",
                "runtimes",
                "so",
                "dll",
                "dylib",
                "jnilib",
            )
        )
        for p in parts
    ]
    return "/".join(k for k in kept if k)


Member = tuple[str, Binary | None, str]  # (member path, its binary, why it was not read)


def zip_natives(zf: zipfile.ZipFile, archive: str, depth: int = 0) -> Iterator[Member]:
    """(member path, binary, "") for every native library in the zip `archive` (its path), one
    nested level deep, and (member path, None, reason) for those that could not be read. Only
    a member's header is read, whatever its size (issue 21: large natives were skipped unseen)."""
    infos = zf.infolist()[:MAX_MEMBERS]
    for info in infos:
        name = info.filename
        if info.is_dir() or info.file_size == 0:
            continue
        if depth == 0 and name.lower().endswith(ZIP_SUFFIXES):
            if info.file_size > MAX_NESTED:
                too_big = f"nested archive larger than {MAX_NESTED >> 20} MB"
                yield member_path(archive, name), None, too_big
                continue
            try:
                data = zf.read(info)
                with zipfile.ZipFile(io.BytesIO(data)) as inner:
                    yield from zip_natives(inner, member_path(archive, name), depth + 1)
            except (zipfile.BadZipFile, OSError, RuntimeError, ValueError) as exc:
                yield member_path(archive, name), None, f"not a readable nested archive: {exc}"
            continue
        if not NATIVE.search(name):
            continue
        try:
            with zf.open(info) as fh:
                head = fh.read(HEAD)
        except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, NotImplementedError) as exc:
            yield member_path(archive, name), None, f"cannot read the member: {exc}"
            continue
        b = identify(head) or coff(head)
        if b:
            yield member_path(archive, name), b, ""


def scan_zip(
    path: str, rel: str
) -> tuple[list[tuple[str, Binary]], list[str], str, list[tuple[str, str]]]:
    """x86-only native members of a package (those with no Arm64 variant of the same name),
    its Linux/aarch64 natives (ELF) by member path, an error that stopped the whole archive,
    and the members that could not be read."""
    try:
        with zipfile.ZipFile(path) as zf:
            members = list(zip_natives(zf, rel))
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError) as exc:
        return [], [], f"not a readable zip archive: {exc}", []
    natives = [(m, b) for m, b, _ in members if b is not None]
    unread = [(m, why) for m, b, why in members if b is None]
    linux_arm64 = sorted(m for m, b in natives if b.arches & ARM64 and b.kind.startswith("ELF"))
    arm_keys = {variant_key(m) for m, b in natives if b.arches & ARM64}
    out = [
        (m, b)
        for m, b in natives
        if b.arches and b.arches <= X86 and variant_key(m) not in arm_keys
    ]
    return out, linux_arm64, "", unread


def package_name(rel: str) -> str:
    return posixpath.basename(rel)
