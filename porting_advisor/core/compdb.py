# SPDX-License-Identifier: Apache-2.0
"""`--compile-commands FILE`: a compile database (compile_commands.json, as CMake, Bear and
Meson write it) read into the translation units of the scanned tree and their flags.

Only what the scan needs is kept: each unit's `-D`/`-U` (as an index into the database's
distinct macro sets), its `-I` directories and `-include` files inside the tree, and its
machine flags (`-m...`, `/arch:`), which the compile-database pass classifies. Entries for
files outside the tree are ignored. Bad input is a `CompileDbError` (one line, exit 2).
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import shlex
from pathlib import Path
from typing import NamedTuple

from porting_advisor.core import lazy_re

# A compile database of a very large tree is tens of megabytes; past this it is not one.
MAX_BYTES = 256 << 20

# (defines as (name, value) sorted by name, undefined names sorted): what one unit's command
# line does to the preprocessor's macros, after every -D and -U in order
MacroSet = tuple[tuple[tuple[str, str], ...], tuple[str, ...]]

# Compilers and --target triples that name the architecture the database was made for
X86_TRIPLE = lazy_re.compile(r"(?:^|[/-])(?:x86_64|amd64|i[3-6]86)-")
ARM_TRIPLE = lazy_re.compile(r"(?:^|[/-])(?:aarch64|arm64)-")
MACRO_NAME = lazy_re.compile(r"[A-Za-z_]\w*$")


class CompileDbError(Exception):
    """A compile database that cannot be used: the message is one line."""


class Unit(NamedTuple):
    """One entry of the database whose source file lies in the scanned tree."""

    file: str  # POSIX, relative to the scan root
    entry: int  # 1-based position of the entry in the database
    macros: int  # index into `CompileDb.macro_sets`
    include_dirs: tuple[str, ...]  # -I/-iquote/-isystem inside the tree, relative to the root
    forced: tuple[str, ...]  # -include/-imacros files inside the tree, relative to the root
    machine: tuple[str, ...]  # -m..., -march=..., /arch:... as written, in order


class CompileDb(NamedTuple):
    """The units of a compile database that the scanned tree holds."""

    path: str  # as given on the command line
    digest: str  # sha1 of the file's bytes: part of the result cache's key
    entries: int  # entries in the database, inside the tree or not
    units: tuple[Unit, ...]  # sorted by file, then entry
    macro_sets: tuple[MacroSet, ...]  # distinct, in order of first use
    arch: str  # "x86" or "arm64" when a compiler or --target names one, else ""


def load(path: Path, root: Path) -> CompileDb:
    """Read the compile database at `path` for the tree at `root` (a folder, or a file whose
    folder paths are relative to)."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise CompileDbError(f"{path}: {size} bytes, more than a compile database holds")
        data = path.read_bytes()
    except OSError as exc:
        raise CompileDbError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        entries = json.loads(data)
    except (ValueError, RecursionError) as exc:
        # (ValueError covers JSONDecodeError and UnicodeDecodeError)
        raise CompileDbError(f"{path}: not JSON ({str(exc).splitlines()[0]})") from None
    if not isinstance(entries, list):
        raise CompileDbError(f"{path}: not a compile database (a JSON array of entries)")
    base = os.path.realpath(root if root.is_dir() else root.parent)
    db_dir = os.path.dirname(os.path.realpath(path))
    sets: dict[MacroSet, int] = {}
    units: list[Unit] = []
    arches: set[str] = set()
    for n, entry in enumerate(entries, 1):
        directory, file, args = fields(entry, n, path)
        # `directory` is absolute in what CMake, Bear and Meson write; a relative one is
        # taken from the database's own folder
        directory = os.path.normpath(os.path.join(db_dir, directory))
        rel = inside(base, os.path.join(directory, file))
        arches.update(arch_of(args))
        if rel is None:
            continue
        macros, dirs, forced, machine = flags(args[1:], directory, base)
        index = sets.setdefault(macros, len(sets))
        units.append(Unit(rel, n, index, dirs, forced, machine))
    units.sort(key=lambda u: (u.file, u.entry))
    return CompileDb(
        str(path),
        hashlib.sha1(data).hexdigest(),
        len(entries),
        tuple(units),
        tuple(sets),
        arches.pop() if len(arches) == 1 else "",
    )


def fields(entry: object, n: int, path: Path) -> tuple[str, str, list[str]]:
    """(directory, file, arguments) of entry `n`, or the error that names what is wrong."""
    if not isinstance(entry, dict):
        raise CompileDbError(f"{path}: entry {n} is not an object")
    directory, file = entry.get("directory"), entry.get("file")
    if not isinstance(directory, str) or not isinstance(file, str) or not file:
        raise CompileDbError(f"{path}: entry {n} needs the strings 'directory' and 'file'")
    arguments, command = entry.get("arguments"), entry.get("command")
    if isinstance(arguments, list) and all(isinstance(a, str) for a in arguments):
        return directory, file, arguments
    if arguments is None and isinstance(command, str):
        try:
            return directory, file, shlex.split(command)
        except ValueError as exc:
            raise CompileDbError(f"{path}: entry {n}: 'command' does not split: {exc}") from None
    raise CompileDbError(
        f"{path}: entry {n} needs 'arguments' (a list of strings) or 'command' (a string)"
    )


def inside(base: str, path: str) -> str | None:
    """`path` relative to `base` as POSIX, or None when it lies outside."""
    full = os.path.realpath(path)
    if full != base and not full.startswith(base.rstrip(os.sep) + os.sep):
        return None
    return Path(os.path.relpath(full, base)).as_posix()


def arch_of(args: list[str]) -> set[str]:
    """The architecture a command's compiler name or --target names, if any."""
    names = [os.path.basename(args[0])] if args else []
    names += [a.partition("=")[2] for a in args if a.startswith("--target=")]
    names += [args[i + 1] for i, a in enumerate(args[:-1]) if a in ("-target", "--target")]
    out = set()
    for name in names:
        if X86_TRIPLE.search(name):
            out.add("x86")
        elif ARM_TRIPLE.search(name):
            out.add("arm64")
    return out


# Options that take the next argument as their value when written apart (`-D NAME`); those
# of JOINED may also be written joined (`-DNAME`, `-Iinclude`)
SPLIT = ("-D", "-U", "-I", "-iquote", "-isystem", "-idirafter", "-include", "-imacros")
JOINED = ("-iquote", "-isystem", "-idirafter", "-D", "-U", "-I")


def option_of(args: list[str], i: int) -> tuple[str, str, int]:
    """(option, its value, the next index) for the argument at `i`; ("", "", i + 1) when it
    is not one of SPLIT."""
    arg = args[i]
    if arg in SPLIT:
        return (arg, args[i + 1], i + 2) if i + 1 < len(args) else ("", "", i + 1)
    for name in JOINED:
        if arg.startswith(name):
            return name, arg[len(name) :], i + 1
    return "", "", i + 1


def flags(
    args: list[str], directory: str, base: str
) -> tuple[MacroSet, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """One command's macros, include directories, forced includes and machine flags."""
    macros: dict[str, str | None] = {}
    dirs: list[str] = []
    forced: list[str] = []
    machine: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        option, value, i = option_of(args, i)
        if option == "-D":
            name, eq, val = value.partition("=")
            if MACRO_NAME.match(name):  # (a function-like -D 'F(x)=...' is left out)
                macros[name] = val if eq else "1"
        elif option == "-U":
            if MACRO_NAME.match(value):
                macros[value] = None
        elif option in ("-I", "-iquote", "-isystem", "-idirafter"):
            rel = inside(base, os.path.join(directory, value))
            if rel is not None:
                dirs.append(posixpath.normpath(rel))
        elif option in ("-include", "-imacros"):
            rel = inside(base, os.path.join(directory, value))
            if rel is not None:
                forced.append(rel)
        elif arg.startswith(("-m", "/arch:")):
            machine.append(arg)
    defines = tuple(sorted((k, v) for k, v in macros.items() if v is not None))
    undefs = tuple(sorted(k for k, v in macros.items() if v is None))
    return (defines, undefs), tuple(dict.fromkeys(dirs)), tuple(forced), tuple(machine)
