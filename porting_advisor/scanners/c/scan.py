# SPDX-License-Identifier: Apache-2.0
"""C and C++: x86 intrinsics, inline assembly, #error, pragmas, attributes, type portability.

Comments and string literals are masked by the preprocessor's lexer (preproc.comment_spans);
whether code is compiled for the target comes from preproc.layout; tree-sitter settles the
cases the token context cannot (a member or a declaration named like an intrinsic, local char
declarations). Findings under undecided project macros carry their guard to the C guards pass
(passes/c_guards.py), which runs after every file's #define facts are known.
"""

from __future__ import annotations

import re
from dataclasses import replace

from porting_advisor.core import lazy_re, vocab
from porting_advisor.core.facts import Includes, JniFunctions, X86Branches
from porting_advisor.core.source import Source
from porting_advisor.scanners.c import (
    dispatch,
    floating,
    intrinsics,
    macro_uses,
    memory_order,
    preproc,
)
from porting_advisor.scanners.c.attributes import check_attributes, target_attribute
from porting_advisor.scanners.c.cfile import UNBUILDABLE_REASON, CFile, LazyTree
from porting_advisor.scanners.c.directives import check_directives
from porting_advisor.scanners.c.identifiers import IDENT, check_identifiers
from porting_advisor.scanners.c.preproc import ACTIVE, language_mode
from porting_advisor.scanners.c.records import (
    INCLUDE,
    project_headers,
    record_defined_names,
    record_facts,
    record_functions,
    record_includes,
)
from porting_advisor.scanners.c.types import char_candidates, check_char_signedness, check_ldbl

# (record_includes is used by the assembly scanner through this module)
__all__ = ["C_FAMILY", "record_includes", "scan"]
# C and C++ files (rules/vocab/c-extensions.yaml): what an #include can name
C_FAMILY = (
    vocab.get().c_extensions.sources
    + vocab.get().c_extensions.headers
    + vocab.get().c_extensions.fragments
)
# Directives that can be findings themselves; and tokens that make a file's #defines worth
# recording for the derived-macro pass (they may depend on, or name, an architecture).
DIRECTIVE_TRIGGER = lazy_re.compile(r"#[ \t]*(?:error|pragma)\b")
# Case-sensitive literals: sre scans them at ~180 MB/s (with re.I it was ~10 MB/s).
ARCH_TOKENS = (
    "__x86",
    "__amd64",
    "_M_X64",
    "_M_AMD64",
    "__i386",
    "__i686",
    "_M_IX86",
    "__SSE",
    "__AVX",
    "__MMX",
    "__aarch64",
    "__ARM",
    "_M_ARM",
    "__arm",
    "__powerpc",
    "__ppc",
    "__s390",
    "__riscv",
    "_WIN32",
    "_MSC_VER",
    "SSE",
    "AVX",
    "NEON",
    "X86",
    "X64",
    "AMD64",
    "ARM64",
    "AARCH64",
    "x86",
)


def any_token_regex(tokens: tuple[str, ...]) -> re.Pattern[str]:
    """A regex that finds any of `tokens` (only whether one occurs, not which): tokens that
    contain another are dropped and the `__` ones share their prefix, 1.5x faster than the
    plain alternation."""
    needed = [t for t in tokens if not any(o != t and o in t for o in tokens)]
    under = [re.escape(t[2:]) for t in needed if t.startswith("__")]
    rest = [re.escape(t) for t in needed if not t.startswith("__")]
    return re.compile("|".join(rest + ([f"__(?:{'|'.join(under)})"] if under else [])))


ARCH_TOKEN = any_token_regex(ARCH_TOKENS)
DIRECTIVE_LINE = lazy_re.compile(
    r"#[ \t]*(?:if|el|endif|define|include|error|pragma|undef)"
    r"[^\n\\]*(?:\\.[^\n\\]*)*",
    re.S,
)


def prefilter(src: Source) -> str:
    """'full', 'defines' (only #define facts) or 'none': most files need no analysis at all.

    Cheap whole-file tests in C code: substring look-ups, one fast regex and a set test.
    """
    text = src.text
    if (
        "asm" in text
        or "__builtin_ia32_" in text
        or "__builtin_cpu_" in text
        or "LDBL_MANT_DIG" in text
        or ("target" in text and target_attribute(text))
    ):
        return "full"
    # Headers, #error/#pragma and architecture names only matter on directive lines: those
    # are found by jumping from '#' to '#', and the rest of the tests read only them.
    dirs = "\n".join(DIRECTIVE_LINE.findall(text)) if "#" in text else ""
    if dirs and (
        "intrin.h" in dirs
        or "cpuid.h" in dirs
        or "arm_sve.h" in dirs
        or DIRECTIVE_TRIGGER.search(dirs)
        or {"compiler-specific", "missing-arm64-path"} & src.options.categories
    ):
        return "full"
    if (
        not intrinsics.names_set().isdisjoint(IDENT.findall(text))
        or ("char" in text and char_candidates(text))
        or (not preproc.has_sve(src.options.target) and "sv" in text)
    ):
        return "full"
    if dirs and (ARCH_TOKEN.search(dirs) or ('include "' in dirs and conditional_include(dirs))):
        return "defines"
    return "none"


IF_LINE = lazy_re.compile(r"^#[ \t]*if", re.M)
GUARD_OPEN = lazy_re.compile(r"#[ \t]*ifndef[ \t]+(\w+)\n#[ \t]*define[ \t]+(\w+)")
# the directive lines that matter to conditional_include: #if*, #endif, a quoted #include
NESTING_LINE = lazy_re.compile(r'^#[ \t]*(if|endif|include[^\n"]*")', re.M)


def conditional_include(dirs: str) -> bool:
    """Is a quoted #include inside an #if (other than a header's include guard)? Its condition
    may be one the tree derives from the architecture (BoringSSL includes its ADX code under
    BORINGSSL_FE25519_ADX, defined only on x86-64): the include graph must know it."""
    m = GUARD_OPEN.match(dirs)
    start = m.end() if m is not None and m.group(1) == m.group(2) else 0
    first_if = IF_LINE.search(dirs, start)
    if first_if is None or dirs.rfind('"') < first_if.start():
        return False  # no quoted #include after the first #if (most files: all on top)
    depth = 0
    for word in NESTING_LINE.findall(dirs, first_if.start()):
        if word == "if":
            depth += 1
        elif word == "endif":
            if depth:
                depth -= 1
        elif depth:
            return True
    return False


# `Java_pkg_Class_method(`, and `JNI_OnLoad(`, which registers methods of any name
# (RegisterNatives: netty-tcnative)
JNI_FUNCTION = lazy_re.compile(r"\b(?:Java_\w+|JNI_OnLoad)(?=\s*\()")


def scan(src: Source) -> None:
    """Scan one C/C++ file; see the module docstring."""
    if ("Java_" in src.text or "JNI_OnLoad" in src.text) and (
        names := set(JNI_FUNCTION.findall(src.text))
    ):
        # JNI functions this tree implements (libjpeg-turbo's turbojpeg-jni.c): the Java
        # classes whose native methods they are need no prebuilt library
        src.facts.append(JniFunctions(tuple(sorted(names)[:5000])))
    record_defined_names(src)
    mode = prefilter(src)
    if mode == "none":
        # No architecture in sight: every quoted #include counts as compiled (conservative:
        # it only keeps the included file from being called x86-only).
        # One fact for all of them: most files of a large tree take this path.
        every = src.options.compile_db is not None  # (-I makes <x.h> a project header)
        if "include" in src.text and (headers := project_headers(src.text, every)):
            src.facts.append(Includes(tuple(headers)))
        tree = LazyTree(src, language_mode(src.file) != "c")
        memory_order.check(src, None, tree)
        floating.check(src, None, tree)
        return
    cf = CFile(src)
    memory_order.check(src, cf.layout, cf.parsed)
    floating.check(src, cf.layout, cf.parsed)
    if mode == "defines":
        record_facts(cf.src, cf.layout)
        return
    cf.target_os = target_os_of(cf)
    check_directives(cf)
    # A file that stops at an #error on the target and not on x86-64 (`#error "only x86 is
    # supported"`, xxhash's x86 dispatcher), or a Windows source when the target OS is Linux,
    # is never compiled there: the #error is its one finding, and its #defines and #includes
    # take no part in the target's build.
    unbuildable = (
        any(
            f.rule == "c-reached-error" and not f.guard and f.x86_guard is None and not f.filtered
            for f in src.findings
        )
        or cf.target_os == "none"
    )
    record_facts(cf.src, cf.layout, unbuildable)
    check_identifiers(cf)
    check_attributes(cf)
    if any(f.guard for f in src.findings) and (
        branches := dispatch.x86_branches(cf.layout.directives, cf.macros[0])
    ):
        src.facts.append(X86Branches(tuple(branches)))
    check_ldbl(cf)
    check_char_signedness(cf)
    if not unbuildable:
        macro_uses.record(cf)  # (findings in macro bodies no code of the file expands)
    if unbuildable:
        src.findings = [
            f
            if f.rule == "c-reached-error" or f.filtered
            else replace(f, filtered=True, filtered_reason=UNBUILDABLE_REASON)
            for f in src.findings
        ]


def functions(src: Source, wanted: frozenset[str] | None = None) -> None:
    """Only the `CFunctions` fact of a file (the engine asks for it after the scan, when the
    tree's build names x86 assembly that defines symbols), in code compiled for the target,
    limited to the `wanted` names when given: the preprocessor's layout only where the file
    has an #if and a wanted function. (A file that stops at an #error on the target still
    counts: at worst a symbol seems implemented.)"""
    text = src.text
    if "#" not in text or not ("#if" in text or "# if" in text or "#\tif" in text):
        record_functions(src, None, wanted)
        return
    record_functions(src, lambda: CFile(src).layout, wanted)


# System headers only Windows has: a file that includes one unconditionally is not part of a
# Linux build (libuv's src/win/*.c), whatever its name or directory.
WINDOWS_HEADERS = vocab.get().windows.headers  # rules/vocab/windows.yaml


def target_os_of(cf: CFile) -> str:
    """The target OS as far as this file goes: a file that includes a Windows-only header
    wherever the target compiles it is built for Windows only ("none" when the target OS is
    Linux alone)."""
    target_os = cf.src.options.target_os
    if target_os == "windows":
        return target_os
    for d in cf.layout.directives:
        if (
            d.name == "include"
            and (m := INCLUDE.match(d.arg)) is not None
            and (m.group(1).lower() in WINDOWS_HEADERS and cf.layout.at(d.line).status == ACTIVE)
        ):
            return "windows" if target_os == "all" else "none"
    return target_os
