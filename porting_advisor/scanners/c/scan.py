# SPDX-License-Identifier: Apache-2.0
"""C and C++: x86 intrinsics, inline assembly, #error, pragmas, attributes, type portability.

Comments and string literals are masked by the preprocessor's lexer (preproc.comment_spans);
whether code is compiled for the target comes from preproc.layout; tree-sitter settles the
cases the token context cannot (a member or a declaration named like an intrinsic, local char
declarations). Findings under undecided project macros carry their guard to the C guards pass
(passes/c_guards.py), which runs after every file's #define facts are known.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import posixpath
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from porting_advisor.core import grammars, ruleset, vocab
from porting_advisor.core.facts import (
    Asked,
    CShim,
    Defines,
    Include,
    Includes,
    JniFunctions,
    Undef,
)
from porting_advisor.core.source import Source, node_text
from porting_advisor.scanners.c import floating, intrinsics, memory_order, ppexpr, preproc
from porting_advisor.scanners.c import inline_asm as asminline
from porting_advisor.scanners.c.preproc import (
    ACTIVE,
    GUARDED,
    INACTIVE,
    Layout,
    State,
    language_mode,
)

if TYPE_CHECKING:
    import tree_sitter

# Literal first so that the regex engine can skip ahead (about 20x faster than a look-behind
# first); the look-behind then rejects a '_' in the middle of an identifier.
IDENT = re.compile(r"_(?<![\w$]_)\w+")
ASM = re.compile(r"asm(?<![\w$]asm)\b")
BUILTIN = re.compile(r"__builtin_\w+")
SVE_IDENT = re.compile(r"s(?<![\w$]s)v[a-z0-9]\w*")
ASM_WORDS = frozenset({"asm", "__asm__", "__asm", "_asm"})
CPU_DETECTION = frozenset(
    {
        "__builtin_cpu_supports",
        "__builtin_cpu_is",
        "__builtin_cpu_init",
        "_xgetbv",
        "__get_cpuid",
        "__get_cpuid_count",
        "__get_cpuid_max",
        "__cpuid",
        "__cpuid_count",
        "__cpuidex",
    }
)
X87 = intrinsics.X87
LDBL = re.compile(r"\bLDBL_MANT_DIG\s*[=!]=\s*64\b|\b64\s*[=!]=\s*LDBL_MANT_DIG\b")
USE_BEFORE = frozenset("=(,;{}?:+-*/&|^!~<[%)")
# A name is being declared, not used, when it is the declarator of one of these.
DECLARING = frozenset(
    {
        "function_declarator",
        "declaration",
        "init_declarator",
        "parameter_declaration",
        "field_declaration",
        "array_declarator",
        "pointer_declarator",
    }
)
USE_WORDS = frozenset(
    {
        "return",
        "case",
        "else",
        "do",
        "sizeof",
        "typeof",
        "decltype",
        "__typeof__",
        "co_return",
        "throw",
    }
)
INCLUDE = re.compile(r"^[<\"]([^>\"]+)[>\"]")
# A project's own header: quoted, or in angle brackets with a directory that is not the
# system's (`<rapidfuzz/details/simd_avx2.hpp>`; not `<sys/types.h>`)
PROJECT_INCLUDE = re.compile(r"#[ \t]*include[ \t]*(?:\"([^\"\n]+)\"|<([\w.+-]+/[^>\n]+)>)")
SYSTEM_DIRS = vocab.get().system_libs.include_dirs  # rules/vocab/system-libs.yaml


def project_headers(text: str) -> list[str]:
    """The project headers a file #includes, in order, each once."""
    return list(
        dict.fromkeys(
            q or a
            for q, a in PROJECT_INCLUDE.findall(text)
            if q or a.split("/", 1)[0] not in SYSTEM_DIRS
        )
    )


INTEL_PRAGMAS = frozenset(
    {
        "simd",
        "vector",
        "novector",
        "intel",
        "ivdep",
        "loop_count",
        "unroll_and_jam",
        "nofusion",
        "distribute_point",
        "prefetch",
        "noprefetch",
        "forceinline",
        "inline",
        "noinline",
        "parallel",
        "optimization_level",
        "optimize_for",
    }
)
# A target("...") item that selects x86 code: a feature (`avx2`, `no-sse4.2`) or an x86 CPU
# (`arch=haswell`), from rules/vocab/ (the build-flag check uses the same tables).
X86_ISA = re.compile(
    r"^(?:no-)?(?:"
    + vocab.get().gcc_features.alternation(r"[\w.-]*")
    + r"|(?:arch|tune)=(?:native|"
    + vocab.get().x86_cpus.alternation(r"\S*")
    + r"))$"
)
ATTRIBUTES = (re.compile(r"__attribute(?:__)?\s*\(\("), re.compile(r"\[\[\s*(?:gnu|clang)::"))
TARGET_ATTR = re.compile(r"\b(?:__)?(target(?:_clones)?|target_version)(?:__)?\s*\(")
STRING = re.compile(r"\"([^\"\\\n]*(?:\\.[^\"\\\n]*)*)\"")
OLD_CRT = re.compile(
    r"comment\s*\(\s*lib\s*,\s*\"((?:msvcr\d+|msvcp(?:60|70|71|80|90|100|110|"
    r"120))d?)(?:\.lib)?\"",
    re.I,
)
# C and C++ files (rules/vocab/c-extensions.yaml): what an #include can name
C_FAMILY = (
    vocab.get().c_extensions.sources
    + vocab.get().c_extensions.headers
    + vocab.get().c_extensions.fragments
)
SVE_CALL = re.compile(r"^sv[a-z0-9]+(?:_[a-z0-9]+)*$")
EOF_WORD = re.compile(r"\bEOF\b")
MINUS_DIGITS = re.compile(r"-(\s*)\d+")


def signed_compare(text: str) -> bool:
    """Anything compared with EOF or a negative constant (`x == -1`, `-1 != x`)? A search
    anchored on `-` with the operator checked around it: a regex that starts with an operator
    class tries every position and ran at 40 MB/s."""
    if "EOF" in text and EOF_WORD.search(text):
        return True
    for m in MINUS_DIGITS.finditer(text):
        before = text[max(0, m.start() - 64) : m.start()].rstrip()
        if before and before[-1] in "=!<>":
            return True
        after = text[m.end() : m.end() + 64].lstrip()
        if not m.group(1) and after and after[0] in "=!<>":
            return True
    return False


# Why a construct in a branch the preprocessor settles as not compiled is filtered
INACTIVE_REASON = "in a preprocessor branch not compiled for the target"
UNBUILDABLE_REASON = "in a file that cannot be compiled for the target (x86-only or another OS)"


def state_filter(src: Source, st: State) -> tuple[bool, bool, tuple[str, ...]]:
    """(report?, filtered, guard) for a construct in a region with state `st`."""
    if st.status == INACTIVE:
        return src.options.no_filter, True, ()
    if st.status == GUARDED:
        return True, False, st.guard
    return True, False, ()


class CFile:
    """The state of one C/C++ file while it is scanned."""

    def __init__(self, src: Source) -> None:
        self.src = src
        self.text = src.text
        self.spans = preproc.comment_spans(self.text)
        mode = language_mode(src.file)
        self.mode = mode
        self.x86_lay: Layout | None = None
        self.cpp = mode != "c"
        self.macros = preproc.target_macros(src.options.target, src.options.target_os, mode)
        self.layout: Layout = preproc.layout(self.text, self.macros, self.spans)
        dirs = self.layout.directives
        self.dir_offsets = [d.offset for d in dirs]
        self.dir_ends = [directive_end(self.text, d.offset) for d in dirs]
        self.tree: tree_sitter.Tree | None = None
        self.sve_header = False
        self.target_os = src.options.target_os  # see target_os_of

    def x86_layout(self) -> Layout:
        """The same file evaluated for x86-64 (computed when first needed)."""
        if self.x86_lay is None:
            self.x86_lay = preproc.layout(
                self.text,
                preproc.x86_reference(
                    self.src.options.target, self.src.options.target_os, self.mode
                ),
                self.spans,
            )
        return self.x86_lay

    def directive_at(self, offset: int) -> preproc.Directive | None:
        i = bisect.bisect_right(self.dir_offsets, offset) - 1
        if i < 0:
            return None
        return self.layout.directives[i] if offset < self.dir_ends[i] else None

    def emit(self, rule: str, offset: int, length: int, **params: Any) -> None:
        line, col = self.src.position(offset)
        report, filtered, guard = state_filter(self.src, self.layout.at(line))
        if report:
            self.src.add(
                rule,
                line,
                col,
                length=length,
                filtered=filtered,
                filtered_reason=INACTIVE_REASON,
                guard=guard,
                **params,
            )

    def parsed(self) -> tree_sitter.Tree:
        if self.tree is None:
            self.tree = parse(
                self.src.data
                if self.src.data.decode("utf-8", "replace") == self.text
                else self.text.encode(),
                self.cpp,
            )
        return self.tree

    def byte_offset(self, offset: int) -> int:
        return self.src.byte_offset(offset)

    def is_use(self, start: int, end: int) -> bool:
        """Is the identifier at [start, end) a use, not a member or the name being declared?"""
        j = start - 1
        text = self.text
        while j >= 0 and text[j] in " \t\r\n":
            j -= 1
        if j < 0:
            return self.ts_use(start, end)
        ch = text[j]
        if ch == "." or (ch == ">" and j > 0 and text[j - 1] == "-"):
            return False
        if ch in USE_BEFORE:
            return True
        if ch.isalnum() or ch == "_":
            k = j
            while k >= 0 and (text[k].isalnum() or text[k] == "_"):
                k -= 1
            if text[k + 1 : j + 1] in USE_WORDS:
                return True
        return self.ts_use(start, end)

    def ts_use(self, start: int, end: int) -> bool:
        """Parse the statement around the name and ask the tree what the name is there."""
        text = self.text
        lo = max(text.rfind(c, max(0, start - 2000), start) for c in ";{}\n#") + 1
        hi_candidates = [i for i in (text.find(c, end, end + 2000) for c in ";{}") if i >= 0]
        hi = min(hi_candidates) + 1 if hi_candidates else min(len(text), end + 200)
        snippet = text[lo:hi].encode("utf-8")
        tree = parse(snippet, self.cpp)
        bs = len(text[lo:start].encode("utf-8"))
        be = bs + len(text[start:end].encode("utf-8"))
        node = tree.root_node.descendant_for_byte_range(bs, be)
        if node is None:
            return True
        if node.type in ("field_identifier", "namespace_identifier", "statement_identifier"):
            return False
        parent = node.parent
        if parent is not None and parent.type in DECLARING:
            return parent.child_by_field_name("declarator") != node
        return True


def directive_end(text: str, start: int) -> int:
    """Offset of the newline ending the directive whose line starts at `start` (a directive
    may continue over several lines), or the text's length."""
    end = text.find("\n", start)
    while end > 0 and text[end - 1] == "\\":
        end = text.find("\n", end + 1)
    return end if end >= 0 else len(text)


def parse(data: bytes, cpp: bool) -> tree_sitter.Tree:
    return grammars.parser("cpp" if cpp else "c").parse(data)


# Directives that can be findings themselves; and tokens that make a file's #defines worth
# recording for the derived-macro pass (they may depend on, or name, an architecture).
DIRECTIVE_TRIGGER = re.compile(r"#[ \t]*(?:error|pragma)\b")
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
DIRECTIVE_LINE = re.compile(
    r"#[ \t]*(?:if|el|endif|define|include|error|pragma|undef)"
    r"[^\n\\]*(?:\\.[^\n\\]*)*",
    re.S,
)
NEGATIVE_NUMBER = re.compile(r"-\s*\d")


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
        or ("sv" in text and not preproc.has_sve(src.options.target))
    ):
        return "full"
    if dirs and (ARCH_TOKEN.search(dirs) or ('include "' in dirs and conditional_include(dirs))):
        return "defines"
    return "none"


TARGET_CALL = re.compile(r"target(?:_clones|_version)?(?:__)?\s*\(")


def target_attribute(text: str) -> bool:
    """Does `target(`, `__target__ (` or `target_clones(` occur (an attribute's arguments)?
    Found from each "target" (a common word in C: most are variables)."""
    at = text.find("target")
    while at >= 0:
        if TARGET_CALL.match(text, at):
            return True
        at = text.find("target", at + 6)
    return False


IF_LINE = re.compile(r"^#[ \t]*if", re.M)
GUARD_OPEN = re.compile(r"#[ \t]*ifndef[ \t]+(\w+)\n#[ \t]*define[ \t]+(\w+)")
# the directive lines that matter to conditional_include: #if*, #endif, a quoted #include
NESTING_LINE = re.compile(r'^#[ \t]*(if|endif|include[^\n"]*")', re.M)


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
JNI_FUNCTION = re.compile(r"\b(?:Java_\w+|JNI_OnLoad)(?=\s*\()")


def scan(src: Source) -> None:
    """Scan one C/C++ file; see the module docstring."""
    if ("Java_" in src.text or "JNI_OnLoad" in src.text) and (
        names := set(JNI_FUNCTION.findall(src.text))
    ):
        # JNI functions this tree implements (libjpeg-turbo's turbojpeg-jni.c): the Java
        # classes whose native methods they are need no prebuilt library
        src.facts.append(JniFunctions(tuple(sorted(names)[:5000])))
    mode = prefilter(src)
    if mode == "none":
        # No architecture in sight: every quoted #include counts as compiled (conservative:
        # it only keeps the included file from being called x86-only).
        # One fact for all of them: most files of a large tree take this path.
        if "include" in src.text and (headers := project_headers(src.text)):
            src.facts.append(Includes(tuple(headers)))
        memory_order.check(src, None, language_mode(src.file) != "c")
        floating.check(src, None, language_mode(src.file) != "c")
        return
    cf = CFile(src)
    memory_order.check(src, cf.layout, cf.cpp)
    floating.check(src, cf.layout, cf.cpp)
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
    check_ldbl(cf)
    check_char_signedness(cf)
    if unbuildable:
        src.findings = [
            f
            if f.rule == "c-reached-error" or f.filtered
            else replace(f, filtered=True, filtered_reason=UNBUILDABLE_REASON)
            for f in src.findings
        ]


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


def record_includes(src: Source, layout: Layout, unbuildable: bool = False) -> None:
    """Facts for the include graph: each #include of a project header (quoted, or `<dir/...>`
    outside the system's directories) with its state for the target (files included only
    from code not compiled there are x86-only). Also from assembly files the C
    preprocessor reads (.S): libsodium's sandy2x.S includes its kernels under HAVE_AVX_ASM.
    (A .S file's #defines stay its own: LIBFFI_ASM, defined by each .S before it includes
    ffi.h, would otherwise switch off ffi.h's C declarations for every C file.)"""
    for d in layout.directives:
        if (
            d.name == "include"
            and (m := INCLUDE.match(d.arg)) is not None
            and (
                d.arg.startswith('"')
                or ("/" in m.group(1) and m.group(1).split("/", 1)[0] not in SYSTEM_DIRS)
            )
        ):
            inc = preproc.State(INACTIVE) if unbuildable else layout.at(d.line)
            src.facts.append(Include(m.group(1), inc.status, inc.guard))


def record_facts(src: Source, layout: Layout, unbuildable: bool = False) -> None:
    """Facts for the cross-file pass: conditional #include "..." (`record_includes`) and
    #define/#undef (derived macros). In a file the target cannot build, every #define and
    #include counts as not compiled."""
    record_includes(src, layout, unbuildable)
    # An #undef makes a macro's state depend on include order, unless the file defines the
    # macro itself: a header's own helper (brotli's SUPPORTS_SSE_2, defined under an x86 test
    # and #undef'd at the end) or a fallback that replaces the value (xxhash's XXH_VECTOR)
    own = {name.removesuffix("()") for name, _, _, _ in layout.defines}
    for name in layout.undefs:
        if name not in own:
            src.facts.append(Undef(name))
    for names in asked_for(layout.directives):
        src.facts.append(Asked(tuple(names)))
    defines = []
    for name, value, status, path in layout.defines:
        if (
            len(value) > 400
            or any(c in value for c in "{;")
            or ('"' in value and not name.endswith("()"))
        ):
            continue  # not something an #if can test
        if "\t" in value:  # a continued value indented with tabs, on one line
            value = " ".join(value.split())
        if unbuildable:
            path = ("0", *path)  # a definition in code the target never compiles
        defines.append((name, value, status, path))
    if defines:
        src.facts.append(Defines(tuple(defines)))


ERROR_MACRO = re.compile(r"\b[A-Z_][A-Z0-9_]{2,}\b")


def asked_for(dirs: list[preproc.Directive]) -> list[list[str]]:
    """For each #error that asks for a definition (`#error "define CONFIG_64 or CONFIG_32"`),
    the macros it names that the file tests."""
    asked = [
        names
        for d in dirs
        if d.name == "error" and "defin" in d.arg.lower() and (names := ERROR_MACRO.findall(d.arg))
    ]
    if not asked:
        return []
    tested = {
        name
        for d in dirs
        if d.name in ("if", "ifdef", "ifndef", "elif")
        for name in preproc.names_in(d.arg)
    }
    return [found for names in asked if (found := sorted(set(names) & tested))]


def check_directives(cf: CFile) -> None:
    src = cf.src
    lay = cf.layout
    target = src.options.target
    errors = [d for d in lay.directives if d.name == "error"]
    # A file that stops at an #error on x86-64 as well is an architecture probe, built to fail
    # and name what it found (zlib-ng's detect-arch.c: `#error archfound x86_64`, `...
    # aarch64`): that it fails on Arm64 too is its purpose.
    probe = len(errors) > 1 and any(cf.x86_layout().at(d.line).status == ACTIVE for d in errors)
    for d in lay.directives:
        match d.name:
            case "error":
                st = lay.at(d.line)
                if (st.status == INACTIVE and not src.options.no_filter) or probe:
                    continue
                x86 = cf.x86_layout().at(d.line)
                if st.status != INACTIVE and x86.status == ACTIVE:
                    continue  # x86-64 reaches it too: not something the port introduces
                text = d.arg.strip().strip('"')[:120]
                report, filtered, guard = state_filter(src, st)
                src.add(
                    "c-reached-error",
                    d.line,
                    column_of(cf, d),
                    length=0,
                    filtered=filtered,
                    filtered_reason=INACTIVE_REASON,
                    guard=guard,
                    text=text,
                    target=target,
                    x86_guard=x86.guard if x86.status == GUARDED else None,
                )
            case "include":
                m = INCLUDE.match(d.arg)
                if not m:
                    continue
                header = m.group(1)
                base = posixpath.basename(header) if header != "intrin.h" else header
                if header == "arm_sve.h":
                    cf.sve_header = True
                    if "__ARM_FEATURE_SVE" not in cf.macros[0].defined:
                        emit_at(
                            cf,
                            d,
                            "c-sve-unavailable",
                            name="<arm_sve.h>",
                            feature="SVE",
                            target=target,
                        )
                elif header == "cpuid.h":
                    emit_at(cf, d, "c-x86-cpu-detection", name="<cpuid.h>")
                elif base in ppexpr.X86_HEADERS and (
                    base != "intrin.h" or (header == "intrin.h" and cf.target_os != "windows")
                ):
                    # (MSVC's <intrin.h> is x86-only off Windows; `<../simd/intrin.h>` is a
                    # project's own header)
                    emit_at(cf, d, "c-x86-header", header=header)
            case "pragma":
                check_pragma(cf, d)
    check_chains(cf)


def column_of(cf: CFile, d: preproc.Directive) -> int:
    return cf.text.index("#", d.offset) - d.offset + 1


def emit_at(cf: CFile, d: preproc.Directive, rule: str, **params: str) -> None:
    cf.emit(rule, cf.text.index("#", d.offset), 0, **params)


def check_pragma(cf: CFile, d: preproc.Directive) -> None:
    words = d.arg.split()
    if not words:
        return
    first = words[0]
    text = " ".join(words)[:120]
    if (
        first in ("GCC", "clang")
        and len(words) > 1
        and (words[1].startswith("target") or words[1] == "attribute")
    ):
        isas = [s for s in target_strings(d.arg) if X86_ISA.match(s.strip())]
        if isas:
            emit_at(cf, d, "c-x86-target-pragma", text=text, isa=", ".join(isas))
    elif first in INTEL_PRAGMAS or first.split("(")[0] in INTEL_PRAGMAS:
        if first == "inline" or first == "parallel":
            return  # also spelled by other compilers; too ambiguous to call Intel-only
        emit_at(cf, d, "c-intel-pragma", text=text)
    elif first.startswith("comment"):
        m = OLD_CRT.search(d.arg)
        if m:
            emit_at(cf, d, "c-old-crt", lib=m.group(1))
    elif first == "intrinsic" or first.startswith("intrinsic("):
        pass  # MSVC: names intrinsics; the uses are reported where they are called


def target_strings(text: str) -> list[str]:
    items: list[str] = []
    for m in STRING.finditer(text):
        items.extend(s.strip() for s in m.group(1).split(",") if s.strip())
    return items


def check_chains(cf: CFile) -> None:
    """compiler-specific guards and x86-only chains (both default-off categories)."""
    cats = cf.src.options.categories
    want_cc = "compiler-specific" in cats
    want_missing = "missing-arm64-path" in cats
    if not (want_cc or want_missing):
        return
    m0 = cf.macros[0]
    compilers = frozenset(ruleset.load_table("macros.yaml")["compiler"]) | {
        "__GNUC__",
        "__GNUC_MINOR__",
        "__GNUC_PATCHLEVEL__",
    }
    for chain in conditional_chains(cf.layout.directives):
        conds = [(d, preproc.condition_of(d)) for d in chain if d.name not in ("else", "endif")]
        for d, cond in conds:
            names = [n for n in preproc.names_in(cond) if n != "defined"]
            if want_cc and names and all(n in compilers for n in names):
                emit_at(cf, d, "c-compiler-guard", names=", ".join(dict.fromkeys(names)))
        if not want_missing:
            continue
        kinds = [arch_kind(cond, m0, compilers) for _, cond in conds]
        if "x86" in kinds and "arm" not in kinds:
            d, cond = conds[kinds.index("x86")]
            emit_at(cf, d, "c-missing-arm64-path", cond=cond[:80])


def arch_kind(cond: str, m: preproc.Macros, compilers: frozenset[str]) -> str:
    names = [n for n in preproc.names_in(cond) if n not in compilers]
    if any(
        n.startswith(("__aarch64", "__ARM", "_M_ARM64", "__arm64"))
        or preproc.word_class(n, m) == "arm"
        for n in names
    ):
        return "arm"
    if any(n in m.x86 or preproc.word_class(n, m) == "x86" for n in names):
        return "x86"
    return ""


def conditional_chains(dirs: list[preproc.Directive]) -> list[list[preproc.Directive]]:
    chains: list[list[preproc.Directive]] = []
    stack: list[list[preproc.Directive]] = []
    for d in dirs:
        if d.name in ("if", "ifdef", "ifndef"):
            stack.append([d])
        elif d.name in ("elif", "elifdef", "elifndef", "else") and stack:
            stack[-1].append(d)
        elif d.name == "endif" and stack:
            chains.append(stack.pop())
    return chains


def dropped_argument(cf: CFile, start: int, end: int) -> bool:
    """Is the name at start..end a bare argument of a function-like macro of this file whose
    definition for the target does not use that parameter? CRoaring passes both kernels,
    `CROARING_BITSET_CONTAINER_FN(or, |, _mm256_or_si256, vorrq_u64)`, to a macro defined
    once for x86-64 and once for NEON: on Arm64 the AVX2 name goes nowhere."""
    text = cf.text
    if next_char(text, end) not in ",)":
        return False
    depth, index, at = 0, 0, start - 1
    while at >= 0 and start - at < 2000:
        c = text[at]
        if c in ")]":
            depth += 1
        elif c in "([":
            if depth == 0:
                break
            depth -= 1
        elif c == "," and depth == 0:
            index += 1
        elif c in ";{}":
            return False
        at -= 1
    else:
        return False
    if text[at] != "(":
        return False
    macro = IDENT_BEFORE.search(text, max(0, at - 200), at)
    if macro is None:
        return False
    # a definition that may be the target's and never uses the parameter (a generic or NEON
    # one beside the x86 one) drops the argument
    function_like = macro.group(1) + "()"
    for name, value, status, _ in cf.layout.defines:
        if name != function_like or status == INACTIVE:
            continue
        params, _, body = value.partition("\x1f")
        names = [p.strip() for p in params.split(",")]
        if (
            index < len(names)
            and names[index].isidentifier()
            and re.search(rf"(?<!\w){re.escape(names[index])}(?!\w)", body) is None
        ):
            return True
    return False


IDENT_BEFORE = re.compile(r"([A-Za-z_]\w*)\s*$")


def expanded_nowhere(cf: CFile, d: preproc.Directive) -> bool:
    """Is the macro this #define makes used in the file, and only in code the target does not
    compile? CRoaring defines its `bts`/`sbb` asm macros for every GCC, and expands them only
    under `__AVX2__` or its x86-64 switch. (A macro the file does not use may be used by
    others: its asm is still reported.)"""
    m = preproc.DEFINE.match(d.arg)
    if m is None:
        return False
    uses = [
        u.start()
        for u in re.finditer(rf"(?<![\w$]){m.group(1)}\s*\(", cf.text)
        if cf.directive_at(u.start()) is None and preproc.inside(cf.spans, u.start()) < 0
    ]
    return bool(uses) and all(cf.layout.at_offset(u).status == INACTIVE for u in uses)


def check_identifiers(cf: CFile) -> None:
    """Intrinsics, builtins, CPU detection, x87 names, SVE calls and inline asm keywords."""
    cat = intrinsics.catalogue()
    src = cf.src
    sve_missing = cf.sve_header and "__ARM_FEATURE_SVE" not in cf.macros[0].defined
    # code not compiled for the target is dropped first (unless --no-filter keeps it): the
    # use test, position, message and finding are not paid for what `emit` would drop
    lay = None if src.options.no_filter else cf.layout
    text = cf.text
    # The names worth a look, found with set operations in C: most identifiers of a file are
    # not, and a Python-level test of each cost more than everything else here.
    wanted = set(IDENT.findall(text))
    wanted.intersection_update(looked_at())
    if "__builtin_" in text:
        wanted.update(BUILTIN.findall(text))
    hits: Iterator[re.Match[str]] = IDENT.finditer(text) if wanted else iter(())
    if "asm" in text:
        hits = itertools.chain(hits, ASM.finditer(text))
        wanted.add("asm")
    if sve_missing:
        hits = itertools.chain(hits, SVE_IDENT.finditer(text))
    for m in hits:
        name = m.group(0)
        if name not in wanted and not sve_missing:
            continue
        start = m.start()
        is_asm = name in ASM_WORDS
        family = cat.get(name)
        if not (
            is_asm
            or family
            or name.startswith("__builtin_")
            or name in X87
            or (sve_missing and name.startswith("sv"))
        ):
            continue
        if lay is not None and lay.at_offset(start).status == INACTIVE:
            continue
        if preproc.inside(cf.spans, start) >= 0:
            continue
        if pasted(text, start, m.end()):
            continue  # `type##_serialize`: part of a name made by token pasting
        d = cf.directive_at(start)
        if d is not None and d.name == "define" and defines_name(cf, d, start):
            if family:
                note_shim(cf, name, start)  # `#define _mm_lddqu_si128 ...`
            continue
        if d is not None and d.name != "define":
            continue
        if is_asm:
            if d is None or not expanded_nowhere(cf, d):
                check_asm(cf, name, start)
            continue
        if name in CPU_DETECTION or family == "CPUID":
            if cf.is_use(start, m.end()) and not other_cpu_query(text, m.end()):
                cf.emit("c-x86-cpu-detection", start, len(name), name=name, key=name)
        elif family:
            if cf.is_use(start, m.end()) and not dropped_argument(cf, start, m.end()):
                cf.emit(
                    "c-x86-intrinsic",
                    start,
                    len(name),
                    name=name,
                    family=family,
                    advice=intrinsics.advice(name, family),
                    key=name,
                )
            elif next_char(text, m.end()) == "(" and not member(text, start):
                note_shim(cf, name, start)  # `__m128i _mm_loadu_si128(const ...) {`
        elif name.startswith("__builtin_ia32_"):
            cf.emit("c-x86-builtin", start, len(name), name=name, key=name)
        elif name in X87:
            cf.emit("c-long-double-80", start, len(name), name=name)
        elif sve_missing and SVE_CALL.match(name) and next_char(cf.text, m.end()) == "(":
            cf.emit(
                "c-sve-unavailable",
                start,
                len(name),
                name=name,
                feature="SVE",
                target=src.options.target,
                key=name,
            )


CPU_ARG = re.compile(r"\s*\(\s*\"([^\"\n]*)\"")
# GCC's __builtin_cpu_is/__builtin_cpu_supports exist for POWER and (GCC 14) AArch64 too:
# asked about one of their CPUs or features, the call is not x86 detection.
OTHER_CPU = re.compile(
    r"(?:power\d+x?|ppc\w*|arch_\d+(?:_\d+)?|altivec|vsx|htm(?:-nosc)?|mma|darn|"
    r"scv|isel|dfp|cell|sve2?|sme\w*|dotprod|i8mm|bf16|fp16|rng|memtag|bti|"
    r"lse|rcpc\w*|flagm|crc|sha[23]|sm4|asimd\w*|neoverse\w*)"
)


def other_cpu_query(text: str, end: int) -> bool:
    """`__builtin_cpu_is("power9")`, `__builtin_cpu_supports("sve2")`: not an x86 query."""
    m = CPU_ARG.match(text, end, end + 200)
    return m is not None and OTHER_CPU.fullmatch(m.group(1).strip()) is not None


def pasted(text: str, start: int, end: int) -> bool:
    """Is the identifier at [start, end) glued to another by `##`?"""
    before = text[max(0, start - 8) : start].rstrip(" \t")
    return before.endswith("##") or text[end : end + 8].lstrip(" \t").startswith("##")


def member(text: str, start: int) -> bool:
    before = text[max(0, start - 8) : start].rstrip(" \t\r\n")
    return before.endswith((".", "->"))


def note_shim(cf: CFile, name: str, start: int) -> None:
    """The file defines an x86 intrinsic's name itself, in code compiled for the target (an
    Arm shim such as abseil's non_temporal_arm_intrinsics.h or sse2neon.h): its uses in the
    tree are the project's own function, settled by the C guards pass."""
    if cf.layout.at_offset(start).status == ACTIVE:
        cf.src.facts.append(CShim(name))


@functools.cache
def looked_at() -> frozenset[str]:
    """Identifiers `check_identifiers` acts on, besides `__builtin_*` and SVE names."""
    return intrinsics.names_set() | X87 | ASM_WORDS | CPU_DETECTION


def next_char(text: str, pos: int) -> str:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return text[pos] if pos < len(text) else ""


def defines_name(cf: CFile, d: preproc.Directive, offset: int) -> bool:
    """Is `offset` the macro name of `#define NAME`, not a use in its body?"""
    m = re.match(r"[ \t]*#[ \t]*define[ \t]+", cf.text[d.offset :])
    return m is not None and d.offset + m.end() == offset


def check_asm(cf: CFile, keyword: str, start: int) -> None:
    pos = start + len(keyword)
    parsed = asminline.extract(cf.text, pos, keyword)
    if parsed is None:
        return
    kind, template = parsed
    if kind == "msvc":
        what = asminline.describe(template)
        cf.emit("c-msvc-inline-asm", start, len(keyword), what=f" ({what})" if what else "")
        return
    arch = asminline.classify(template)
    if arch != "x86":
        return
    what, case = asminline.explain(template)
    cf.emit(
        "c-x86-inline-asm",
        start,
        len(keyword),
        what=f" ({what})" if what else "",
        case=case,
        key=f"asm: {what}" if what else "",
    )


def check_attributes(cf: CFile) -> None:
    text = cf.text
    if "target" not in text:
        return
    for m in itertools.chain.from_iterable(rx.finditer(text) for rx in ATTRIBUTES):
        if preproc.inside(cf.spans, m.start()) >= 0:
            continue
        d = cf.directive_at(m.start())
        if d is not None and d.name != "define":
            continue
        end = balanced_end(text, m.end() - (1 if text[m.end() - 1] == "(" else 0))
        body = text[m.end() : end]
        for t in TARGET_ATTR.finditer(body):
            args_end = balanced_end(body, t.end() - 1)
            isas = [s for s in target_strings(body[t.end() : args_end]) if X86_ISA.match(s)]
            if isas:
                attr = re.sub(r"\s+", " ", text[m.start() : m.end() + args_end])[:100]
                cf.emit(
                    "c-x86-target-attribute",
                    m.start() + 0,
                    0,
                    attr=attr.rstrip() + "...",
                    isa=", ".join(isas),
                )


def balanced_end(text: str, open_pos: int) -> int:
    """Offset just past the bracket group that opens at `open_pos` (or a bounded window)."""
    depth = 0
    limit = min(len(text), open_pos + 2000)
    i = open_pos
    while i < limit:
        ch = text[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
            if depth <= 0:
                return i + 1
        elif ch == '"':
            j = STRING.match(text, i)
            if j:
                i = j.end()
                continue
        i += 1
    return limit


def check_ldbl(cf: CFile) -> None:
    if "LDBL_MANT_DIG" not in cf.text:
        return
    for m in LDBL.finditer(cf.text):
        if preproc.inside(cf.spans, m.start()) < 0:
            cf.emit("c-long-double-80", m.start(), len(m.group(0)), name=m.group(0))


CHAR_DECL = (
    "(declaration type: (primitive_type) @type declarator: (identifier) @name)\n"
    "(declaration type: (primitive_type) @type declarator: "
    "(init_declarator declarator: (identifier) @name))"
)
COMPARE_OPS = frozenset({"==", "!=", "<", "<=", ">", ">="})


# a local `char x` (an array or a parameter is never a CHAR_DECL match: not a candidate)
PLAIN_CHAR = re.compile(r"char(?<![\w$]char)\s+(\w+)\s*[=;,]")
SIGNED_BEFORE = re.compile(r"(?:un)?signed\s+$")
_CMP = r"(?:==|!=|<=|>=|<(?!<)|>(?!>))"
_NEG = r"(?:EOF\b|-\s*\d)"
COMPARE_NEGATIVE = re.compile(rf"[=!<>]=?\s*{_NEG}")
NEGATIVE_COMPARED = re.compile(rf"{_NEG}\d*\s*{_CMP}\s*\(?\s*(\w+)")
OPERAND_BEFORE = re.compile(r"(?:\(\s*(\w+)\s*=[^;]{0,80}\)|(\w+)\s*\)?)\s*$")


def negatively_compared(text: str) -> set[str]:
    """Names compared with EOF or a negative constant (cheap, for the parse decision)."""
    names = set()
    for m in COMPARE_NEGATIVE.finditer(text):
        op = m.group(0)
        if op[0] == "=" and op[1:2] != "=":
            continue  # an assignment
        b = OPERAND_BEFORE.search(text, max(0, m.start() - 120), m.start())
        if b:
            names.add(b.group(1) or b.group(2))
    names.update(NEGATIVE_COMPARED.findall(text))
    return names


def char_candidates(text: str) -> bool:
    """Cheap test before parsing: a plain `char x` whose name is compared with a negative."""
    names = {
        m.group(1)
        for m in PLAIN_CHAR.finditer(text)
        if not SIGNED_BEFORE.search(text, max(0, m.start() - 10), m.start())
    }
    return (
        bool(names)
        and ("EOF" in text or NEGATIVE_NUMBER.search(text) is not None)
        and not names.isdisjoint(negatively_compared(text))
    )


def check_char_signedness(cf: CFile) -> None:
    """A local plain `char` compared with EOF or a negative constant (char is unsigned on
    Arm64 Linux; MSVC keeps it signed on Arm64 Windows)."""
    text = cf.text
    if (
        cf.target_os == "windows"
        or "char" not in text
        or not signed_compare(text)
        or not char_candidates(text)
    ):
        return
    import tree_sitter

    tree = cf.parsed()
    cursor = tree_sitter.QueryCursor(grammars.query("cpp" if cf.cpp else "c", CHAR_DECL))
    chars: dict[tuple[int, str], int] = {}
    for _, caps in cursor.matches(tree.root_node):
        if caps["type"][0].text != b"char":
            continue
        name = caps["name"][0]
        func = enclosing_function(name)
        if func is not None:
            chars[(func.id, node_text(name))] = 1
    if not chars:
        return
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "binary_expression":
            check_compare(cf, node, chars)
        stack.extend(node.children)


def enclosing_function(node: tree_sitter.Node | None) -> tree_sitter.Node | None:
    while node is not None and node.type != "function_definition":
        node = node.parent
    return node


def operand_name(node: tree_sitter.Node | None) -> str:
    while node is not None and node.type == "parenthesized_expression":
        node = node.named_children[0] if node.named_children else None
    if node is None:
        return ""
    if node.type == "assignment_expression":
        node = node.child_by_field_name("left")
    return node_text(node) if node is not None and node.type == "identifier" else ""


def negative_value(node: tree_sitter.Node) -> str:
    text = node_text(node)
    if node.type == "identifier" and text == "EOF":
        return "EOF"
    if node.type == "number_literal" and text.startswith("-"):
        return text
    if node.type == "unary_expression" and text.startswith("-"):
        arg = node.child_by_field_name("argument")
        if arg is not None and arg.type == "number_literal":
            return text
    return ""


def check_compare(cf: CFile, node: tree_sitter.Node, chars: dict[tuple[int, str], int]) -> None:
    op = node.child_by_field_name("operator")
    if op is None or op.type not in COMPARE_OPS:
        return
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    if left is None or right is None:
        return
    for a, b in ((left, right), (right, left)):
        name, value = operand_name(a), negative_value(b)
        if name and value:
            func = enclosing_function(node)
            if func is not None and (func.id, name) in chars:
                offset = char_offset(cf, node.start_byte)
                cf.emit("c-char-signedness", offset, 0, name=name, value=value)
                return


def char_offset(cf: CFile, byte: int) -> int:
    if len(cf.src.data) == len(cf.text):
        return byte
    return len(cf.text.encode("utf-8")[:byte].decode("utf-8", "replace"))
