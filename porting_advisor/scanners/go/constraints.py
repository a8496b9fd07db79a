# SPDX-License-Identifier: Apache-2.0
"""Go build constraints: does a file build for GOOS/GOARCH? (//go:build, // +build, names)."""

from __future__ import annotations

import re

from porting_advisor.core import lazy_re

GOOS = frozenset(
    {
        "aix",
        "android",
        "darwin",
        "dragonfly",
        "freebsd",
        "hurd",
        "illumos",
        "ios",
        "js",
        "linux",
        "nacl",
        "netbsd",
        "openbsd",
        "plan9",
        "solaris",
        "wasip1",
        "windows",
        "zos",
    }
)
GOARCH = frozenset(
    {
        "386",
        "amd64",
        "amd64p32",
        "arm",
        "armbe",
        "arm64",
        "arm64be",
        "loong64",
        "mips",
        "mipsle",
        "mips64",
        "mips64le",
        "mips64p32",
        "mips64p32le",
        "ppc",
        "ppc64",
        "ppc64le",
        "riscv",
        "riscv64",
        "s390",
        "s390x",
        "sparc",
        "sparc64",
        "wasm",
    }
)
UNIX = frozenset(
    {
        "aix",
        "android",
        "darwin",
        "dragonfly",
        "freebsd",
        "hurd",
        "illumos",
        "ios",
        "linux",
        "netbsd",
        "openbsd",
        "solaris",
    }
)
GO_BUILD = lazy_re.compile(r"^//go:build\s+(.+)$", re.M)
PLUS_BUILD = lazy_re.compile(r"^//\s*\+build\s+(.+)$", re.M)
TOKEN = lazy_re.compile(r"\s*(\|\||&&|!|\(|\)|[\w.]+)")


def tag_true(tag: str, goos: str, goarch: str) -> bool:
    """cgo and gc builds; the go1.x release tags are all true; custom tags (purego, noasm,
    appengine ...) are false, as in a default `go build`."""
    return (
        tag in (goos, goarch, "gc", "cgo")
        or (tag == "unix" and goos in UNIX)
        or tag.startswith("go1.")
    )


def name_allows(name: str, goos: str, goarch: str) -> bool:
    """The `_GOOS`, `_GOARCH` and `_GOOS_GOARCH` suffixes of a file name; the go tool also
    ignores files whose name starts with `_` or `.`."""
    if name.startswith(("_", ".")):
        return False
    stem = name.rsplit(".", 1)[0]
    if stem.endswith("_test"):
        stem = stem[:-5]
    parts = stem.split("_")[1:]
    if len(parts) >= 2 and parts[-2] in GOOS and parts[-1] in GOARCH:
        return parts[-2] == goos and parts[-1] == goarch
    if parts and parts[-1] in GOARCH:
        return parts[-1] == goarch
    if parts and parts[-1] in GOOS:
        return parts[-1] == goos
    return True


PACKAGE = lazy_re.compile(r"^package\s", re.M)


def header(text: str) -> str:
    """The part of a Go/asm file before the package clause (where constraints live)."""
    if text.startswith("package"):
        return ""
    m = PACKAGE.search(text)
    return text[: m.start()] if m else text[:4096]


def evaluate(expr: str, goos: str, goarch: str) -> bool:
    tokens = TOKEN.findall(expr)
    pos = 0

    def parse_or() -> bool:
        nonlocal pos
        value = parse_and()
        while pos < len(tokens) and tokens[pos] == "||":
            pos += 1
            value = parse_and() or value
        return value

    def parse_and() -> bool:
        nonlocal pos
        value = parse_not()
        while pos < len(tokens) and tokens[pos] == "&&":
            pos += 1
            value = parse_not() and value
        return value

    def parse_not() -> bool:
        nonlocal pos
        if pos < len(tokens) and tokens[pos] == "!":
            pos += 1
            return not parse_not()
        if pos < len(tokens) and tokens[pos] == "(":
            pos += 1
            value = parse_or()
            pos += 1  # ")"
            return value
        tag = tokens[pos] if pos < len(tokens) else ""
        pos += 1
        return tag_true(tag, goos, goarch)

    return parse_or()


def plus_build(lines: list[str], goos: str, goarch: str) -> bool:
    def term(t: str) -> bool:
        return all(
            not tag_true(p[1:], goos, goarch) if p.startswith("!") else tag_true(p, goos, goarch)
            for p in t.split(",")
        )

    return all(any(term(t) for t in line.split()) for line in lines)


def builds_for(name: str, text: str, goos: str = "linux", goarch: str = "arm64") -> bool:
    """Does this file take part in a `GOOS=goos GOARCH=goarch go build`?"""
    if not name_allows(name, goos, goarch):
        return False
    head = header(text)
    m = GO_BUILD.search(head)
    if m:
        return evaluate(m.group(1), goos, goarch)
    plus = PLUS_BUILD.findall(head)
    return plus_build(plus, goos, goarch) if plus else True
