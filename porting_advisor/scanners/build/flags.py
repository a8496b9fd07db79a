# SPDX-License-Identifier: Apache-2.0
"""x86-only flags, libraries, paths and host-CPU tests on one logical line of a build file."""

from __future__ import annotations

import functools
import re
from typing import Any

from porting_advisor.core import lazy_re, ruleset, vocab
from porting_advisor.core.model import Severity
from porting_advisor.core.source import Source
from porting_advisor.scanners.build.syntax import line_of
from porting_advisor.scanners.build.tracker import Tracker

# Where a library name is a link request, not a word in a message or an option list.
LINK_CONTEXT = lazy_re.compile(
    r"(?i)(?:target_)?link_libraries\s*\(|find_package\s*\(|"
    r"find_library\s*\(|pkg_(?:check|search)_modules?\s*\(|"
    r"\bdependency\s*\(|AC_CHECK_LIB\s*\(|AC_SEARCH_LIBS\s*\(|"
    r"PKG_CHECK_MODULES\s*\(|\blibraries\s*=|linkopts\s*=|\bLIBS\b|"
    r"LDLIBS|LDFLAGS|LDADD|_LIBADD|BLA_VENDOR|link_args|--libs"
)
# A word every link context holds, in lower case: most lines have none, and this case-
# sensitive pattern of literals is found much faster than LINK_CONTEXT's (?i)
LINK_HINT = lazy_re.compile(
    "link|find_|pkg_|dependency|ac_check_lib|libs|libraries|ldflags|ldadd|libadd|bla_vendor"
)


def link_context(line: str) -> re.Match[str] | None:
    """Where `line` starts a link request (LINK_CONTEXT), if it does."""
    return LINK_CONTEXT.search(line) if LINK_HINT.search(line.lower()) else None


VOCAB = vocab.get()
# x86 feature flags (-mavx2, -msse4.2; rules/vocab/isa-words.yaml) and other x86-only flags
# x86 feature flags (-mavx2, -msse4.2; rules/vocab/isa-words.yaml) and other x86-only flags
# (`-` or `/` first, the look-behind after it: sre then skips to those two characters, where
# a leading look-behind made it try every offset)
FLAG = lazy_re.compile(
    r"(-(?<![\w/-]-)(?:m(?:" + VOCAB.gcc_features.alternation(r"[\w.-]*") + r"|32|64|"
    r"fpmath=sse[\w,+]*|(?:arch|tune)=[\w.+-]+)"
    r"|x(?:Host|CORE-AVX\w*|SSE[\w.]*|AVX\w*|COMMON-AVX512|MIC-AVX512)|ax[\w,.-]+"
    r"|qopt-zmm-usage=\w+)|/(?<![\w/-]/)arch:(?:AVX\w*|SSE2?|IA32))(?![\w-])"
)


# the value of -march=/-mtune= names an x86 CPU (rules/vocab/x86-cpus.yaml)
X86_CPU = lazy_re.compile("^" + VOCAB.x86_cpus.alternation(r"\S*") + "$")


# (each branch's first character, then the look-behind: see FLAG)
PATHS = lazy_re.compile(
    r"(/(?<![\w.]/)(?:usr/)?lib(?:64)?/x86_64-linux-gnu|x(?<![\w.]x)86_64-(?:linux-gnu"
    r"|pc-linux-gnu|unknown-linux-gnu|w64-mingw32|redhat-linux)(?:-[\w+]+)?"
    r"|i(?<![\w.]i)[3-6]86-linux-gnu(?:-[\w+]+)?|G(?<![\w.]G)OARCH=amd64"
    r"|j(?<![\w.]j)ava-\d+-openjdk-amd64|l(?<![\w.]l)d-linux-x86-64\.so\.2)(?![\w])"
)
HOST_CPU = lazy_re.compile(
    r"uname\s+-[mp]\b|CMAKE_HOST_SYSTEM_PROCESSOR|platform\.machine\(\)|"
    r"os\.uname\(\)\.machine"
)
RUNS = lazy_re.compile(
    r"\b(try_run|AC_RUN_IFELSE|AC_TRY_RUN|CHECK_C_SOURCE_RUNS|CHECK_CXX_SOURCE_RUNS|"
    r"check_c_source_runs|check_cxx_source_runs)\b"
)
TALK = lazy_re.compile(
    r"^\s*(?:message\s*\(|@?echo\b|\$\((?:info|warning|error)\b|AC_MSG_\w+|"
    r"print\s*\(|printf\b|warning\s*\(|error\s*\()",
    re.I,
)
TOKEN_SPLIT = lazy_re.compile(r"[\s\"'(),;\[\]{}=]+")
ARM_PATH = {
    "x86_64-linux-gnu": "aarch64-linux-gnu",
    "GOARCH=amd64": "GOARCH=arm64",
    "ld-linux-x86-64.so.2": "ld-linux-aarch64.so.1",
}
INTEL_CONTEXT = lazy_re.compile(r"(?i)\bintel|\bicc\b|\bicpc\b|\bicx\b|\bifort\b")
# (of the lower-cased text: case-sensitive literals are found at memchr speed, a (?i)
# alternation is tried at every offset)
LIBRARY_WORD = lazy_re.compile(r"mkl|ipp|svml|imf|irc|intlc|iomp|daal|acml|aocl|alm|intel10")


def library_word(text: str) -> bool:
    """Does `text` hold a name of an x86-only library anywhere (a cheap test first)?"""
    return LIBRARY_WORD.search(text.lower()) is not None


OTHER_CROSS = lazy_re.compile(
    r"\b(?:powerpc|ppc|s390x?|sparc|mips|riscv|loongarch)\w*-[\w-]*"
    r"(?:gcc|g\+\+|clang|cc)\b|\bqemu-(?:ppc|s390|sparc|mips|riscv)",
    re.I,
)
NVCC = lazy_re.compile(r"(?i)nvcc")


@functools.cache
def libraries() -> tuple[tuple[re.Pattern[str], str, str], ...]:
    data = ruleset.load_table("arch-libraries.yaml")["libraries"]
    return tuple((re.compile(d["pattern"]), d["name"], d["instead"]) for d in data)


@functools.cache
def target_flags(target: str) -> dict[str, str]:
    return dict(ruleset.load_table("targets.yaml")[target])


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
    if TALK.match(text) or (x86_branch and not src.options.no_filter):
        return
    why, test_only = tracker.unbuilt, tracker.test_only
    if x86_branch:  # (shown with --no-filter only)
        why = tracker.x86_reason()
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
            why=why,
            test_only=test_only,
        )
    if not tracker.condition_line and (not in_probe or src.options.no_filter):
        # (a flag in a condition is a test of the user's flags: `if("${CMAKE_CXX_FLAGS}"
        # MATCHES "-march=native")`; one in a compiler probe is shown with --no-filter)
        check_flags(src, text, marks, why or (PROBE_REASON if in_probe else ""), test_only)
    if tracker.libraries:
        check_libraries(src, text, marks, in_link, tracker.conditions(), why, test_only)


PROBE_REASON = "in a compiler probe (the build asks whether the compiler takes it)"


def check_flags(
    src: Source,
    text: str,
    marks: list[tuple[int, int]],
    why: str = "",
    test_only: bool = False,
) -> None:
    """x86-only flags on one logical line (`why`: the reason the line is not part of the
    default build, its findings are then filtered with it; `test_only`: the line builds only
    tests or benchmarks, its findings are at most warnings)."""
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
                    why=why,
                    test_only=test_only,
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
            why=why,
            test_only=test_only,
        )


def check_libraries(
    src: Source,
    text: str,
    marks: list[tuple[int, int]],
    in_link: bool,
    conditions: str,
    why: str = "",
    test_only: bool = False,
) -> None:
    """Library names in link requests: `-lNAME` anywhere, other spellings in link commands,
    and not when the enclosing branch is the user's choice of that library (`if blas == 'mkl'`)."""
    if not library_word(text):
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
                    why=why,
                    test_only=test_only,
                )
                break


# Build files of tests, benchmarks and examples: what they build is not the product, so an
# x86-only flag there is at most a warning (rapidjson's test/, xxhash's tests/bench/,
# highway's run_tests.sh)
TEST_ONLY = lazy_re.compile(
    r"(?i)(?:^|/)(?:tests?|testing|bench\w*|examples?|fuzz\w*)/|(?:^|/)(?:run_?)?tests?\w*\.sh$"
)


def report(
    src: Source,
    rule: str,
    marks: list[tuple[int, int]],
    offset: int,
    found: str,
    why: str = "",
    test_only: bool = False,
    **params: str,
) -> None:
    """Add a finding at the physical line and column of `found` (at `offset` in the line);
    filtered with `why` when that says the line is not part of the default build."""
    if why and not src.options.no_filter:
        return
    line = line_of(marks, offset)
    start = marks[[n for _, n in marks].index(line)][0]
    column = offset - start + 1
    real = src.line_text(line).find(found)
    if real >= 0:
        column = real + 1
    extra: dict[str, Any] = {"key": found, **params}
    severity = Severity.WARNING if test_only or TEST_ONLY.search(src.file) else None
    if severity is not None and src.rules.rules[rule].severity <= severity:
        severity = None
    src.add(
        rule,
        line,
        column,
        length=len(found),
        severity=severity,
        filtered=bool(why),
        filtered_reason=why,
        **extra,
    )
