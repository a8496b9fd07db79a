# SPDX-License-Identifier: Apache-2.0
"""Conditions in build files: which branch tests for x86, for Arm, or for something else."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from porting_advisor.core import lazy_re, ruleset

X86_COND = lazy_re.compile(
    r"x86[_-]?64|\bx86\b|\bX86\b|\bAMD64\b|\bamd64\b|\bi[3-6x]86\b|i\?86|"
    r"\bx64\b|\bX64\b|\bIA32\b|\bSSE\w*|\bAVX\w*|\bAESNI\b|\bPCLMUL\w*|"
    r"\bBMI2?\b|\bPOPCNT\b|\bF16C\b|\bX86\w*",
    re.I,
)
# A test of the CPU architecture itself (not of a feature switch such as HAVE_SSE).
# A test of the CPU architecture itself (not of a feature switch such as HAVE_SSE).
ARCH_SUBJECT = lazy_re.compile(
    r"(?i)SYSTEM_PROCESSOR|GENERATOR_PLATFORM|OSX_ARCHITECTURES|"
    r"VS_PLATFORM_NAME|cpu_family|host_cpu|build_cpu|target_cpu|"
    r"host_machine|uname|\bARCH\b|\$\(ARCH\)|\$\{?ARCH\b|"
    r"platform\.machine|PROCESSOR_ARCHITECTURE|GOARCH|TARGETARCH|"
    r"\bMACHINE\b|HOSTTYPE|\bhost\b|\$host\b"
)
PATHLIKE = lazy_re.compile(r"[\"'][^\"']*/[^\"']*[\"']|\S*/\S*")
# Where a library name is a link request, not a word in a message or an option list.
ARM_COND = lazy_re.compile(r"aarch64|arm64|\barm\w*|armv[89]|\bneon\b|graviton", re.I)
PROBE = lazy_re.compile(
    r"\b(?:check_(?:c|cxx|fortran)?_?compiler_flag|CHECK_(?:C|CXX)_COMPILER_FLAG|"
    r"check_(?:c|cxx)_source_compiles|CHECK_(?:C|CXX)_SOURCE_COMPILES|"
    r"has_argument|has_multi_arguments|get_supported_arguments|"
    r"first_supported_argument|AX_CHECK_COMPILE_FLAG|AX_CHECK_LINK_FLAG|"
    r"AX_APPEND_COMPILE_FLAGS|CC_CHECK_CFLAGS\w*|AX_GCC_ARCHFLAG)\s*\(|"
    r"CMAKE_REQUIRED_FLAGS|"
    # a configure script's own shell probe (libvpx's `check_cc -mavx512f <<EOF`)
    r"^\s*check_(?:cc|cxx|cflags|cxxflags|ld)\s+-"
)


def probe_in(text: str) -> re.Match[str] | None:
    """Where `text` calls a compiler probe (PROBE), if it does. (First the words every match
    holds: most lines have none, and the pattern, which starts with \b, is tried at every
    offset of theirs.)"""
    if (
        "check_" in text
        or "CHECK_" in text
        or "_argument" in text
        or "AX_" in text
        or "CMAKE_REQUIRED_FLAGS" in text
    ):
        return PROBE.search(text)
    return None


FATAL = lazy_re.compile(
    r"FATAL_ERROR|SEND_ERROR|\$\(error\b|\berror\s*\(|AC_MSG_ERROR|\bexit\s+1\b"
)


@dataclass(slots=True)
class Branch:
    # "x86", "arm", "other", "not-x86" (CMake's `if(NOT ... STREQUAL "x86_64")`) or "" for
    # a branch on something else
    kind: str
    line: int
    cond: str
    # does the branch do anything but note what it found (CMake's `set(X86 TRUE)`)?
    substantive: bool = False


@dataclass(slots=True)
class Chain:
    """One if/elif/else chain (or case statement) being walked."""

    branches: list[Branch] = field(default_factory=list)
    has_else: bool = False
    fatal_else: bool = False
    indent: int = -1  # Python: the `if`'s indentation
    subject: str = ""  # `case SUBJECT in`

    @property
    def current(self) -> str:
        return self.branches[-1].kind if self.branches else ""


def classify(cond: str) -> str:
    """'x86', 'arm' or '' for the condition of a branch."""
    if probe_in(cond):
        return ""  # `if cc.has_argument('-mavx2')` asks the compiler
    return classify_words(PATHLIKE.sub(" ", cond))  # `x86-simd/README.md` is a path


def classify_words(cond: str) -> str:
    x86 = bool(X86_COND.search(cond)) or x86_switch(cond)
    arm = bool(ARM_COND.search(cond))
    if x86 and not arm:
        return "x86"
    if arm and not x86:
        return "arm"
    return ""


IDENTIFIER = lazy_re.compile(r"[A-Za-z_]\w*")
QUOTED = lazy_re.compile(r"'[^']*'|\"[^\"]*\"")


@functools.cache
def switch_words() -> tuple[tuple[str, ...], frozenset[str]]:
    """The C preprocessor's x86 words, less INTEL (an Intel compiler is not an x86 test)."""
    table = ruleset.load_table("macros.yaml")
    return (
        tuple(w for w in table["x86_words"] if w != "INTEL"),
        frozenset(table["negative_words"]),
    )


def x86_switch(cond: str) -> bool:
    """A variable named for an x86 feature or CPU (`HAVE_AVX2`, `${CORE} STREQUAL SKYLAKEX`),
    as the C preprocessor's derived macros: set only where the build detected x86. Not an
    opt-out (`NOT NO_AVX512` holds on Arm64 too)."""
    x86_words, negative = switch_words()
    for name in IDENTIFIER.findall(QUOTED.sub(" ", cond)):  # names, not 'intel-cl' strings
        words = name.upper().split("_")
        if not negative.isdisjoint(words):
            continue
        if any(w.startswith(x86_words) for w in words if w):
            return True
    return False
