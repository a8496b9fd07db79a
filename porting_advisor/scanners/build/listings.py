# SPDX-License-Identifier: Apache-2.0
"""Source files a build file names, recorded as facts for the cross-file passes."""

from __future__ import annotations

from porting_advisor.core import lazy_re
from porting_advisor.core.facts import Listed
from porting_advisor.core.source import Source
from porting_advisor.scanners.build.conditions import x86_switch
from porting_advisor.scanners.build.tracker import Tracker

# A C, C++ or assembly source named in a build file (`x86/crc.S`, `${DIR}/x86/crc.S`,
# 'a/b.s', crc_sse42.c), or the start of one built by concatenation (Meson's
# 'svml/avx512/svml_z0_' + name + '.s').
SOURCE_NAME = lazy_re.compile(r"\.(?:s|S|asm|nasm|c|cc|cpp|cxx)\b")
SOURCE_PATH = lazy_re.compile(
    r"(?<![\w.$-])([\w.+-][\w./+-]*\.(?:s|S|asm|nasm|c|cc|cpp|cxx))(?![\w.])"
)
SOURCE_PREFIX = lazy_re.compile(r"'([\w./+-]*/[\w.+-]*)'\s*\+")
# the variable a line adds to: Make's `NAME +=`, CMake's `set(NAME` / `list(APPEND NAME`
LIST_NAME = lazy_re.compile(
    r"(?i)^\s*([\w.-]+)\s*[+:?]?=|^\s*(?:set|list)\s*\(\s*(?:APPEND\s+)?(\w+)"
)
# lists of files shipped or included, not built: EXTRA_DIST, noinst_HEADERS, dist_doc_DATA,
# other_src, ASM_INCLUDES
# lists of files shipped or included, not built: EXTRA_DIST, noinst_HEADERS, dist_doc_DATA,
# other_src, ASM_INCLUDES
DIST_LIST = lazy_re.compile(r"(?i)(?:^|_)(?:extra|other|dist|headers?|data|docs?|includes?)(?:_|$)")


def list_sources(src: Source, tracker: Tracker, line: int, text: str, list_name: str) -> None:
    """Facts for the cross-file passes: each source file (or file-name prefix) this build
    file names, and whether only in x86-only branches or lists (then the file is not built
    for Arm64, like C code under `#ifdef __x86_64__`)."""
    if not SOURCE_NAME.search(text) and "'" not in text:
        return
    # a branch for x86, or a list named for it (ISA-L's `lsrc_x86_64 += crc/crc32_01.asm`,
    # which its Makefile.am adds to the sources only `if CPU_X86_64`)
    if list_name and DIST_LIST.search(list_name):
        return  # shipped, not built (EXTRA_DIST, noinst_HEADERS, ISA-L's other_src)
    # (a list named for x86: `lsrc_x86_64`, `ASM_SOURCES_X86`, `AVX2_SRCS`; not `NO_AVX_SRCS`)
    x86 = tracker.x86_only() or (bool(list_name) and x86_switch(list_name))
    variable = list_name if tracker.kind == "make" else ""
    for m in SOURCE_PATH.finditer(text):
        src.facts.append(Listed(m.group(1), line, x86, prefix=False, variable=variable))
    if tracker.kind == "meson":
        for m in SOURCE_PREFIX.finditer(text):
            src.facts.append(Listed(m.group(1), line, x86, prefix=True))


def bracket_balance(text: str) -> int:
    return text.count("(") + text.count("[") - text.count(")") - text.count("]")


def paren_balance(text: str) -> int:
    return text.count("(") - text.count(")")
