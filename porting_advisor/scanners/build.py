# SPDX-License-Identifier: Apache-2.0
"""Build files: x86-only flags and libraries, x86-only architecture tests, x86 paths.

Make, CMake, autotools (configure.ac, *.m4), Meson, Bazel, setup.py and shell scripts are read
as logical lines (continuations joined, comments removed) while a small tracker follows their
conditionals. A flag or library inside an x86-only branch, or inside a compiler probe, is
already handled and is not reported.
"""

from __future__ import annotations

import functools
import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from porting_advisor.core import ruleset, vocab
from porting_advisor.core.facts import Listed
from porting_advisor.core.source import Source
from porting_advisor.scanners import fp_contract

X86_COND = re.compile(
    r"x86[_-]?64|\bx86\b|\bX86\b|\bAMD64\b|\bamd64\b|\bi[3-6x]86\b|i\?86|"
    r"\bx64\b|\bX64\b|\bIA32\b|\bSSE\w*|\bAVX\w*|\bAESNI\b|\bPCLMUL\w*|"
    r"\bBMI2?\b|\bPOPCNT\b|\bF16C\b|\bX86\w*",
    re.I,
)
# A test of the CPU architecture itself (not of a feature switch such as HAVE_SSE).
ARCH_SUBJECT = re.compile(
    r"(?i)SYSTEM_PROCESSOR|GENERATOR_PLATFORM|OSX_ARCHITECTURES|"
    r"VS_PLATFORM_NAME|cpu_family|host_cpu|build_cpu|target_cpu|"
    r"host_machine|uname|\bARCH\b|\$\(ARCH\)|\$\{?ARCH\b|"
    r"platform\.machine|PROCESSOR_ARCHITECTURE|GOARCH|TARGETARCH|"
    r"\bMACHINE\b|HOSTTYPE|\bhost\b|\$host\b"
)
PATHLIKE = re.compile(r"[\"'][^\"']*/[^\"']*[\"']|\S*/\S*")
# Where a library name is a link request, not a word in a message or an option list.
LINK_CONTEXT = re.compile(
    r"(?i)(?:target_)?link_libraries\s*\(|find_package\s*\(|"
    r"find_library\s*\(|pkg_(?:check|search)_modules?\s*\(|"
    r"\bdependency\s*\(|AC_CHECK_LIB\s*\(|AC_SEARCH_LIBS\s*\(|"
    r"PKG_CHECK_MODULES\s*\(|\blibraries\s*=|linkopts\s*=|\bLIBS\b|"
    r"LDLIBS|LDFLAGS|LDADD|_LIBADD|BLA_VENDOR|link_args|--libs"
)
ARM_COND = re.compile(r"aarch64|arm64|\barm\w*|armv[89]|\bneon\b|graviton", re.I)
VOCAB = vocab.get()
# x86 feature flags (-mavx2, -msse4.2; rules/vocab/isa-words.yaml) and other x86-only flags
FLAG = re.compile(
    r"(?<![\w/-])(-m(?:" + VOCAB.gcc_features.alternation(r"[\w.-]*") + r"|32|64|"
    r"fpmath=sse[\w,+]*|(?:arch|tune)=[\w.+-]+)"
    r"|/arch:(?:AVX\w*|SSE2?|IA32)|-x(?:Host|CORE-AVX\w*|SSE[\w.]*|AVX\w*|COMMON-AVX512|"
    r"MIC-AVX512)|-ax[\w,.-]+|-qopt-zmm-usage=\w+)(?![\w-])"
)
# the value of -march=/-mtune= names an x86 CPU (rules/vocab/x86-cpus.yaml)
X86_CPU = re.compile("^" + VOCAB.x86_cpus.alternation(r"\S*") + "$")
PATHS = re.compile(
    r"(?<![\w.])((?:/usr)?/lib(?:64)?/x86_64-linux-gnu|x86_64-(?:linux-gnu|pc-linux-"
    r"gnu|unknown-linux-gnu|w64-mingw32|redhat-linux)(?:-[\w+]+)?|i[3-6]86-linux-"
    r"gnu(?:-[\w+]+)?|GOARCH=amd64|java-\d+-openjdk-amd64|ld-linux-x86-64\.so\.2)"
    r"(?![\w])"
)
HOST_CPU = re.compile(
    r"uname\s+-[mp]\b|CMAKE_HOST_SYSTEM_PROCESSOR|platform\.machine\(\)|"
    r"os\.uname\(\)\.machine"
)
RUNS = re.compile(
    r"\b(try_run|AC_RUN_IFELSE|AC_TRY_RUN|CHECK_C_SOURCE_RUNS|CHECK_CXX_SOURCE_RUNS|"
    r"check_c_source_runs|check_cxx_source_runs)\b"
)
PROBE = re.compile(
    r"\b(?:check_(?:c|cxx|fortran)?_?compiler_flag|CHECK_(?:C|CXX)_COMPILER_FLAG|"
    r"check_(?:c|cxx)_source_compiles|CHECK_(?:C|CXX)_SOURCE_COMPILES|"
    r"has_argument|has_multi_arguments|get_supported_arguments|"
    r"first_supported_argument|AX_CHECK_COMPILE_FLAG|AX_CHECK_LINK_FLAG|"
    r"AX_APPEND_COMPILE_FLAGS|CC_CHECK_CFLAGS\w*|AX_GCC_ARCHFLAG)\s*\(|"
    r"CMAKE_REQUIRED_FLAGS"
)
TALK = re.compile(
    r"^\s*(?:message\s*\(|@?echo\b|\$\((?:info|warning|error)\b|AC_MSG_\w+|"
    r"print\s*\(|printf\b|warning\s*\(|error\s*\()",
    re.I,
)
FATAL = re.compile(r"FATAL_ERROR|SEND_ERROR|\$\(error\b|\berror\s*\(|AC_MSG_ERROR|\bexit\s+1\b")
TOKEN_SPLIT = re.compile(r"[\s\"'(),;\[\]{}=]+")
ARM_PATH = {
    "x86_64-linux-gnu": "aarch64-linux-gnu",
    "GOARCH=amd64": "GOARCH=arm64",
    "ld-linux-x86-64.so.2": "ld-linux-aarch64.so.1",
}


@dataclass(slots=True)
class Branch:
    kind: str  # "x86", "arm", "other" or "" for a branch on something else
    line: int
    cond: str


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
    if PROBE.search(cond):
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


IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
MAKE_RULE = re.compile(r"([\w.%/-]+(?:[ \t]+[\w.%/-]+)*)[ \t]*::?(?!=)")
INTEL_CONTEXT = re.compile(r"(?i)\bintel|\bicc\b|\bicpc\b|\bicx\b|\bifort\b")
LIBRARY_WORD = re.compile(r"(?i)mkl|ipp|svml|imf|irc|intlc|iomp|daal|acml|aocl|alm|intel10")
OTHER_CROSS = re.compile(
    r"\b(?:powerpc|ppc|s390x?|sparc|mips|riscv|loongarch)\w*-[\w-]*"
    r"(?:gcc|g\+\+|clang|cc)\b|\bqemu-(?:ppc|s390|sparc|mips|riscv)",
    re.I,
)


QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


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
        if any(w.startswith(x) for w in words if w for x in x86_words):
            return True
    return False


@dataclass(frozen=True, slots=True)
class Syntax:
    comment: re.Pattern[str]
    continuation: bool
    open: re.Pattern[str] | None
    elif_: re.Pattern[str] | None
    else_: re.Pattern[str] | None
    close: re.Pattern[str] | None


def rx(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags)


HASH = rx(r"(?<!\\)#.*$")
SYNTAX = {
    # (and automake's `if COND` / `if !COND` in a Makefile.am, at the start of the line)
    "make": Syntax(
        HASH,
        True,
        rx(
            r"^(?:\s*(?:ifeq|ifneq|ifdef|ifndef)\b"
            r"|if[ \t]+(?=!?\w+[ \t]*$))(.*)"
        ),
        rx(r"^\s*else\s+(?:ifeq|ifneq|ifdef|ifndef)\b(.*)"),
        rx(r"^\s*else\b"),
        rx(r"^\s*endif\b"),
    ),
    "cmake": Syntax(
        HASH,
        False,
        rx(r"^\s*if\s*\((.*)", re.I),
        rx(r"^\s*elseif\s*\((.*)", re.I),
        rx(r"^\s*else\s*\(", re.I),
        rx(r"^\s*endif\s*\(", re.I),
    ),
    "meson": Syntax(
        HASH,
        False,
        rx(r"^\s*if\b(.*)"),
        rx(r"^\s*elif\b(.*)"),
        rx(r"^\s*else\b"),
        rx(r"^\s*endif\b"),
    ),
    "shell": Syntax(
        HASH, True, rx(r"^\s*if\b(.*)"), rx(r"^\s*elif\b(.*)"), rx(r"^\s*else\b"), rx(r"^\s*fi\b")
    ),
    "autotools": Syntax(
        rx(r"(?:(?<!\\)#|\bdnl\b).*$"),
        True,
        rx(r"^\s*(?:if|AS_IF\s*\()(.*)"),
        rx(r"^\s*elif\b(.*)"),
        rx(r"^\s*else\b"),
        rx(r"^\s*fi\b"),
    ),
    "bazel": Syntax(HASH, False, None, None, None, None),
    "python": Syntax(
        HASH, True, rx(r"^(\s*)if\b(.*):"), rx(r"^(\s*)elif\b(.*):"), rx(r"^(\s*)else\s*:"), None
    ),
}
CASE_OPEN = re.compile(r"^\s*(?:case\b(.*)\bin\b|AS_CASE\s*\((.*))")
CASE_ARM = re.compile(r"^\s*\(?\s*([^()#]+?)\s*\)\s*(.*)$")
CASE_END = re.compile(r"^\s*esac\b")
SELECT_KEY = re.compile(r"\"([^\"]*(?://|:)[^\"]*)\"\s*:")


def syntax_of(src: Source) -> str:
    name = posixpath.basename(src.file)
    if src.language == "python":
        return "python" if name == "setup.py" else ""
    if src.language == "autotools":
        return "" if name in ("config.guess", "config.sub", "configure") else "autotools"
    return src.language if src.language in SYNTAX else ""


@functools.cache
def libraries() -> tuple[tuple[re.Pattern[str], str, str], ...]:
    data = ruleset.load_table("arch-libraries.yaml")["libraries"]
    return tuple((re.compile(d["pattern"]), d["name"], d["instead"]) for d in data)


@functools.cache
def target_flags(target: str) -> dict[str, str]:
    return dict(ruleset.load_table("targets.yaml")[target])


def logical_lines(text: str, syntax: Syntax) -> list[tuple[int, str, list[tuple[int, int]]]]:
    """(first line, text without comments, [(offset in text, physical line)]) per line."""
    out = []
    pending: list[tuple[int, str]] = []
    for no, raw in enumerate(text.split("\n"), 1):
        line = syntax.comment.sub("", raw) if "#" in raw or "dnl" in raw else raw
        cont = syntax.continuation and line.rstrip().endswith("\\")
        pending.append((no, line.rstrip()[:-1] if cont else line))
        if cont:
            continue
        joined, marks, pos = [], [], 0
        for n, part in pending:
            marks.append((pos, n))
            joined.append(part)
            pos += len(part) + 1
        out.append((pending[0][0], " ".join(joined), marks))
        pending = []
    return out


def line_of(marks: list[tuple[int, int]], offset: int) -> int:
    line = marks[0][1]
    for start, n in marks:
        if start <= offset:
            line = n
    return line


class Tracker:
    """Follows conditionals; answers whether the current line is in an x86-only branch."""

    def __init__(self, src: Source, kind: str) -> None:
        self.src = src
        self.kind = kind
        self.syntax = SYNTAX[kind]
        self.chains: list[Chain] = []
        self.probe_depth = 0
        self.link_depth = 0
        self.in_select_x86 = 0
        self.libraries = True  # does the file name an x86-only library anywhere?
        self.x86_recipe = False  # in a Make rule whose target is named for x86
        # variables set to a test of the architecture that holds only on x86 (Meson's
        # `use_svml = (host_machine.cpu_family() == 'x86_64' and ...)`): a branch on one is
        # x86-only, as the C preprocessor's derived macros
        self.x86_vars: set[str] = set()

    def classify(self, cond: str) -> str:
        if cond.lstrip().startswith("!"):
            return ""  # automake's `if !CPU_X86_64`, shell's `if ! ...`
        kind = classify(cond)
        if kind or not self.x86_vars:
            return kind
        words = IDENTIFIER.findall(QUOTED.sub(" ", cond))
        if (
            not self.x86_vars.isdisjoint(words)
            and "not" not in words
            and "NOT" not in words
            and "!" not in cond
        ):
            return "x86"
        return ""

    def conditions(self) -> str:
        """The conditions of every branch the current line is in."""
        return " ".join(c.branches[-1].cond for c in self.chains if c.branches)

    def x86_only(self) -> bool:
        return (
            any(c.current == "x86" for c in self.chains)
            or self.in_select_x86 > 0
            or self.x86_recipe
        )

    def step(self, line: int, text: str) -> bool:
        """Feed one logical line; True when it was control flow (nothing to check on it)."""
        syn = self.syntax
        if self.kind == "python":
            return self.step_python(line, text)
        if m := CASE_OPEN.match(text):
            self.chains.append(Chain(subject=m.group(1) or m.group(2) or ""))
            return True
        if syn.elif_ is not None and (m := syn.elif_.match(text)) and self.chains:
            self.chains[-1].branches.append(Branch(self.classify(m.group(1)), line, m.group(1)))
            return True
        if syn.open is not None and (m := syn.open.match(text)):
            self.chains.append(Chain([Branch(self.classify(m.group(1)), line, m.group(1))]))
            return False  # the condition may itself be worth checking (host detection)
        if syn.else_ is not None and syn.else_.match(text) and self.chains:
            ch = self.chains[-1]
            ch.has_else = True
            ch.branches.append(Branch("other" if ch.current == "x86" else "", line, "else"))
            return True
        if syn.close is not None and syn.close.match(text) and self.chains:
            self.close(line)
            return True
        if CASE_END.match(text) and self.chains:
            self.close(line)
            return True
        if self.chains and self.kind in ("shell", "autotools"):
            m = CASE_ARM.match(text)
            if m and not text.lstrip().startswith(("if", "for", "while")) and "=" not in m.group(1):
                self.chains[-1].indent = -2
                pattern = m.group(1)
                kind = classify(pattern) if pattern.strip() != "*" else "other"
                if pattern.strip() == "*":
                    self.chains[-1].has_else = True
                self.chains[-1].branches.append(Branch(kind, line, pattern))
                rest = m.group(2)
                return not rest.strip() or rest.strip() == ";;"
        if self.chains and FATAL.search(text) and self.chains[-1].has_else:
            self.chains[-1].fatal_else = True
        return False

    def step_python(self, line: int, text: str) -> bool:
        indent = len(text) - len(text.lstrip())
        if text.strip():
            while (
                self.chains
                and indent <= self.chains[-1].indent
                and not (indent == self.chains[-1].indent and re.match(r"\s*(elif|else)\b", text))
            ):
                self.close(line)
        syn = self.syntax
        if syn.elif_ is not None and (m := syn.elif_.match(text)) and self.chains:
            self.chains[-1].branches.append(Branch(classify(m.group(2)), line, m.group(2)))
            return True
        if syn.else_ is not None and syn.else_.match(text) and self.chains:
            ch = self.chains[-1]
            ch.has_else = True
            ch.branches.append(Branch("other" if ch.current == "x86" else "", line, "else"))
            return True
        if syn.open is not None and (m := syn.open.match(text)):
            self.chains.append(
                Chain([Branch(classify(m.group(2)), line, m.group(2))], indent=indent)
            )
            return False
        return False

    def close(self, line: int) -> None:
        ch = self.chains.pop()
        kinds = [b.kind for b in ch.branches]
        arch_test = bool(ARCH_SUBJECT.search(ch.subject)) or any(
            ARCH_SUBJECT.search(b.cond) for b in ch.branches
        )
        if (
            arch_test
            and "x86" in kinds
            and "arm" not in kinds
            and (not ch.has_else or ch.fatal_else)
        ):
            first = ch.branches[kinds.index("x86")]
            cond = re.sub(r"\s+", " ", first.cond).strip()
            if self.kind == "cmake" and cond.endswith(")"):
                cond = cond[:-1].rstrip()
            cond = cond[:80]
            self.src.add(
                "build-x86-arch-check",
                first.line,
                1,
                condition=cond,
                snippet=self.src.line_text(first.line).strip(),
            )

    def finish(self) -> None:
        while self.chains:
            self.close(0)


# A build file for Windows (libsodium's dist-build/msys2-win64.sh, a win32/Makefile,
# a MinGW toolchain file): when the target is Linux it builds nothing for it.
WINDOWS_BUILD = re.compile(  # (rules/vocab/windows.yaml)
    r"(?i)(?:^|[/_.-])" + VOCAB.windows.build_paths.alternation("") + r"(?:[/_.-]|$)"
)


def scan(src: Source) -> None:
    """Check one build file or script."""
    kind = syntax_of(src)
    if not kind or (src.options.target_os == "linux" and WINDOWS_BUILD.search(src.file)):
        return
    fp_contract.scan_build(src)  # (before the early return: it looks for other words)
    text = src.text
    libraries = LIBRARY_WORD.search(text) is not None  # (else no line has one)
    if not (
        ("-m" in text or "/arch:" in text or "-x" in text or "-ax" in text)
        or "x86" in text
        or "amd64" in text
        or "86" in text
        or "uname" in text
        or "try_run" in text
        or "RUN" in text
        or "machine" in text
        or libraries
    ):
        return
    tracker = Tracker(src, kind)
    tracker.libraries = libraries
    syntax = SYNTAX[kind]
    assignment: tuple[str, list[str]] | None = None  # a Meson assignment still open
    listings = kind in ("make", "cmake", "meson", "python") and SOURCE_NAME.search(text) is not None
    current, depth = "", 0
    for first, line_text, marks in logical_lines(text, syntax):
        if kind == "meson" and (assignment is not None or "=" in line_text):
            assignment = track_assignment(tracker, assignment, line_text)
        if listings:
            # the list a line adds to, over the lines of a CMake `set(NAME` or a Meson `[`
            m = LIST_NAME.match(line_text) if depth <= 0 else None
            if m is not None:
                current = m.group(1) or m.group(2)
                depth = (1 if m.group(2) else 0) + bracket_balance(line_text[m.end() :])
            list_sources(src, tracker, first, line_text, current)
            if m is None:
                depth += bracket_balance(line_text)
            if depth <= 0:
                current, depth = "", 0
        if kind == "make" and not line_text.startswith("\t") and line_text.strip():
            # a rule line starts a recipe: `bmix64build: ...` is a target only x86 runs
            rule = MAKE_RULE.match(line_text)
            tracker.x86_recipe = rule is not None and x86_switch(rule.group(1))
        elif kind == "cmake" and (block := CMAKE_BLOCK.match(line_text)):
            # so is the body of a macro or function named for x86 (zlib-ng's
            # `macro(check_avx512_intrinsics)`, called only when it builds for x86)
            tracker.x86_recipe = block.group(1) is not None and x86_switch(block.group(1))
        control = tracker.step(first, line_text)
        if kind == "bazel":
            track_select(tracker, line_text)
        probe_before = tracker.probe_depth > 0
        probe = PROBE.search(line_text)
        if probe:  # a probe call may span lines: follow its parentheses
            tracker.probe_depth = max(0, paren_balance(line_text[probe.start() :]))
        elif tracker.probe_depth:
            tracker.probe_depth = max(0, tracker.probe_depth + paren_balance(line_text))
        in_probe = probe_before or probe is not None
        link_before = tracker.link_depth > 0
        link = LINK_CONTEXT.search(line_text)
        if link:
            tracker.link_depth = max(0, paren_balance(line_text[link.start() :]))
        elif tracker.link_depth:
            tracker.link_depth = max(0, tracker.link_depth + paren_balance(line_text))
        in_link = link_before or link is not None
        if control and not syntax.open:
            continue
        check_line(src, tracker, line_text, marks, in_probe, in_link)
    tracker.finish()


NVCC = re.compile(r"(?i)nvcc")
CMAKE_BLOCK = re.compile(r"(?i)^\s*(?:(?:macro|function)\s*\(\s*([\w.-]+)|end(?:macro|function)\b)")
MESON_ASSIGN = re.compile(r"^\s*(\w+)\s*=(?!=)\s*(.*)$")
# A C, C++ or assembly source named in a build file (`x86/crc.S`, `${DIR}/x86/crc.S`,
# 'a/b.s', crc_sse42.c), or the start of one built by concatenation (Meson's
# 'svml/avx512/svml_z0_' + name + '.s').
SOURCE_NAME = re.compile(r"\.(?:s|S|asm|nasm|c|cc|cpp|cxx)\b")
SOURCE_PATH = re.compile(r"(?<![\w.$-])([\w.+-][\w./+-]*\.(?:s|S|asm|nasm|c|cc|cpp|cxx))(?![\w.])")
SOURCE_PREFIX = re.compile(r"'([\w./+-]*/[\w.+-]*)'\s*\+")


def track_assignment(
    tracker: Tracker, open_: tuple[str, list[str]] | None, text: str
) -> tuple[str, list[str]] | None:
    """Follow a Meson assignment over its lines (an expression in parentheses may span
    several); once complete, a variable set to an x86-only test of the architecture joins
    the tracker's x86 variables. Returns the assignment still open, if any."""
    if open_ is None:
        m = MESON_ASSIGN.match(text)
        if m is None:
            return None
        open_ = (m.group(1), [m.group(2)])
    else:
        open_[1].append(text)
    rhs = " ".join(open_[1])
    if paren_balance(rhs) > 0:
        return open_
    if ARCH_SUBJECT.search(rhs) and tracker.classify(rhs) == "x86":
        tracker.x86_vars.add(open_[0])
    else:
        tracker.x86_vars.discard(open_[0])
    return None


# the variable a line adds to: Make's `NAME +=`, CMake's `set(NAME` / `list(APPEND NAME`
LIST_NAME = re.compile(r"(?i)^\s*([\w.-]+)\s*[+:?]?=|^\s*(?:set|list)\s*\(\s*(?:APPEND\s+)?(\w+)")


# lists of files shipped or included, not built: EXTRA_DIST, noinst_HEADERS, dist_doc_DATA,
# other_src, ASM_INCLUDES
DIST_LIST = re.compile(r"(?i)(?:^|_)(?:extra|other|dist|headers?|data|docs?|includes?)(?:_|$)")


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
    for m in SOURCE_PATH.finditer(text):
        src.facts.append(Listed(m.group(1), line, x86, prefix=False))
    if tracker.kind == "meson":
        for m in SOURCE_PREFIX.finditer(text):
            src.facts.append(Listed(m.group(1), line, x86, prefix=True))


def bracket_balance(text: str) -> int:
    return text.count("(") + text.count("[") - text.count(")") - text.count("]")


def paren_balance(text: str) -> int:
    return text.count("(") - text.count(")")


def track_select(tracker: Tracker, text: str) -> None:
    """Bazel select({...}): entries keyed by an x86 platform are x86-only."""
    m = SELECT_KEY.search(text)
    if m:
        tracker.in_select_x86 = 1 if classify_words(m.group(1)) == "x86" else 0
    elif "}" in text:
        tracker.in_select_x86 = 0


def check_line(
    src: Source,
    tracker: Tracker,
    text: str,
    marks: list[tuple[int, int]],
    in_probe: bool,
    in_link: bool,
) -> None:
    cats = src.options.categories
    x86_branch = tracker.x86_only()
    if "host-cpu-detection" in cats:
        for m in HOST_CPU.finditer(text):
            report(src, "build-host-cpu-detection", marks, m.start(), m.group(0), token=m.group(0))
    if "build-artifact" in cats:
        for m in RUNS.finditer(text):
            report(src, "build-runs-built-program", marks, m.start(), m.group(1), token=m.group(1))
    if x86_branch or TALK.match(text):
        return
    for m in PATHS.finditer(text):
        token = m.group(1)
        arm = next((v for k, v in ARM_PATH.items() if k in token), "aarch64-linux-gnu")
        report(
            src,
            "build-x86-path",
            marks,
            m.start(1),
            token,
            token=token,
            arm=token.replace("x86_64-linux-gnu", "aarch64-linux-gnu")
            if "x86_64-linux-gnu" in token
            else arm,
        )
    if not in_probe:
        check_flags(src, text, marks)
    if tracker.libraries:
        check_libraries(src, text, marks, in_link, tracker.conditions())


def check_flags(src: Source, text: str, marks: list[tuple[int, int]]) -> None:
    if "-" not in text and "/" not in text:
        return
    arm = target_flags(src.options.target)
    for m in FLAG.finditer(text):
        flag = m.group(1)
        if flag.startswith(("-x", "-ax", "/Q")) and INTEL_CONTEXT.search(text):
            continue  # an Intel-compiler-only setting: that compiler does not exist on Arm64
        if flag in ("-m32", "-m64") and (OTHER_CROSS.search(text) or NVCC.search(text)):
            continue  # a POWER, s390x, SPARC... cross build: its own -m32/-m64 (zstd's tests);
            # nvcc's -m64 (device code word size) holds on Arm64 hosts too
        value = flag.split("=", 1)[1] if "=" in flag else ""
        if flag.startswith(("-march=", "-mtune=")):
            if value == "native":
                report(
                    src,
                    "build-march-native",
                    marks,
                    m.start(1),
                    flag,
                    flag=flag,
                    target=src.options.target,
                    arm_flags=arm["flags"],
                )
                continue
            if not X86_CPU.match(value):
                continue
        report(
            src,
            "build-x86-isa-flag",
            marks,
            m.start(1),
            flag,
            flag=flag,
            target=src.options.target,
            arm_flags=arm["flags"],
            gcc=arm["gcc"],
            portable=arm["portable"],
        )


def check_libraries(
    src: Source, text: str, marks: list[tuple[int, int]], in_link: bool, conditions: str
) -> None:
    """Library names in link requests: `-lNAME` anywhere, other spellings in link commands,
    and not when the enclosing branch is the user's choice of that library (`if blas == 'mkl'`)."""
    if not LIBRARY_WORD.search(text):
        return
    pos = 0
    for token in TOKEN_SPLIT.split(text):
        at = text.find(token, pos) if token else -1
        if at >= 0:
            pos = at + len(token)
        name = token[2:] if token.startswith("-l") else token
        name = re.sub(r"^\$\{?|\}$", "", name)
        if name.startswith("Intel10_64"):
            name = "MKL"
        if not (token.startswith("-l") or in_link) or (
            name and name.lower().split("_")[0] in conditions.lower()
        ):
            continue
        for pattern, library, instead in libraries():
            if name and pattern.match(name):
                report(
                    src,
                    "build-x86-library",
                    marks,
                    at,
                    token,
                    library=library,
                    token=token,
                    instead=instead,
                    key=library,
                )
                break


def report(
    src: Source, rule: str, marks: list[tuple[int, int]], offset: int, found: str, **params: str
) -> None:
    """Add a finding at the physical line and column of `found` (at `offset` in the line)."""
    line = line_of(marks, offset)
    start = marks[[n for _, n in marks].index(line)][0]
    column = offset - start + 1
    real = src.line_text(line).find(found)
    if real >= 0:
        column = real + 1
    extra: dict[str, Any] = {"key": found, **params}
    src.add(rule, line, column, length=len(found), **extra)
