# SPDX-License-Identifier: Apache-2.0
"""The facts a worker records about one file for the cross-file passes: one record per kind.

A scanner appends facts to `Source.facts`; they travel in `FileResult.facts` to the parent,
where the passes in `porting_advisor.passes` read them with `isinstance` or `match`, and into
the result cache as plain tuples (`fact_row`, `fact_of`). Who produces and who reads each
kind: docs/architecture.md.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any, NamedTuple, TypeAlias, assert_never


class Status(enum.IntEnum):
    """Whether code is compiled for the target: the C preprocessor's region states, also
    those of the #define and #include facts. (An IntEnum: the preprocessor compares and
    hashes these on every directive, as fast as plain ints.)"""

    INACTIVE = 0
    ACTIVE = 1
    GUARDED = -1  # under conditions the file alone cannot decide (project macros)
    INCLUDE_GUARD = 2  # (#define only) a header's include guard: depends on include order


class Arch(enum.Enum):
    """The architecture a file's content is for (assembly, prebuilt binaries)."""

    X86 = "x86"
    ARM64 = "arm64"
    OTHER = "other"


# Facts are values: named tuples, which are immutable, pickle compactly and cost a tenth of
# a frozen dataclass to define (paid at every start-up: docs/architecture.md). Being
# tuples, two facts of different kinds with equal fields compare equal: keep facts out of
# sets and dict keys that mix kinds; a fact with no fields (`CiArm`) is falsy.

# One #define: (name, value, status, conditions)
# - name: `NAME`, or `NAME()` for a function-like macro
# - value: for a function-like macro "params\x1fbody", as the preprocessor's evaluator reads it
# - status: for the target, in this file alone (INCLUDE_GUARD: a header's include guard)
# - conditions: the enclosing #if conditions, outermost first; a leading "0" when the file is
#   never compiled for the target
Definition = tuple[str, str, Status, tuple[str, ...]]


class Defines(NamedTuple):
    """The #defines of a C/C++ file (or a .S file's C preprocessor) with a value an #if can
    test, in file order. Read by the C guards pass (derived macros). One record per file
    with a plain tuple per #define: header trees hold hundreds of thousands, and an object
    each costs a microsecond in every process it crosses."""

    definitions: tuple[Definition, ...]


class Undef(NamedTuple):
    """An #undef in code compiled for the target, of a macro the file does not define
    itself: the macro's state depends on include order."""

    name: str


class Asked(NamedTuple):
    """An #error that asks the build for a definition (`#error "define CONFIG_64 or
    CONFIG_32"`): the macros it names that the file tests."""

    names: tuple[str, ...]  # sorted


class Include(NamedTuple):
    """An #include of a project header (quoted, or `<dir/x.h>` outside the system's
    directories), for the include graph."""

    header: str  # as written, without the quotes or brackets
    status: Status  # ACTIVE, INACTIVE or GUARDED at the #include (INACTIVE: file unbuildable)
    guard: tuple[str, ...]  # the undecided conditions (GUARDED only)


class Includes(NamedTuple):
    """Every project header of a file with no architecture in sight, all compiled: one
    fact for all of them (most C files of a large tree take this path)."""

    headers: tuple[str, ...]


class CShim(NamedTuple):
    """An x86 intrinsic's name that the file defines itself in code compiled for the target
    (sse2neon.h): its uses in the tree are the project's own function."""

    name: str


class JniFunctions(NamedTuple):
    """JNI functions a C/C++ file implements (`Java_org_pkg_Class_method`); `JNI_OnLoad` or
    `RegisterNatives` (a Cython module's) when it registers methods of any name."""

    names: tuple[str, ...]  # sorted, at most 5,000


class CFunctions(NamedTuple):
    """Functions a C/C++ file defines (with a body) and declares (prototypes) at file scope,
    in code compiled for the target: does the tree implement an x86 assembly file's symbols
    for Arm64, and does code outside x86 call them? (the whole-files pass)"""

    defined: tuple[str, ...]  # sorted, at most 5,000
    declared: tuple[str, ...]  # sorted, at most 5,000


class UnexpandedMacro(NamedTuple):
    """A #define whose body holds a finding, and which no code of its own file expands (its
    uses there are only in the bodies of `wrappers`, themselves expanded by no code of the
    file): libyuv's MSVC `IACA_SSC_MARK`, used only by `IACA_START`, which nothing uses.
    Whether another file expands one of them, the engine asks after the scan (`Mentions`)."""

    name: str
    first: int  # the lines of the #define
    last: int
    wrappers: tuple[str, ...]


class Mentions(NamedTuple):
    """Which of the names the engine asked about (`UnexpandedMacro`) a C/C++ or assembly
    file mentions in code, and which only in its directives."""

    code: tuple[str, ...]
    directives: tuple[str, ...]


class NativeBuilds(NamedTuple):
    """The Linux/aarch64 native libraries an archive (JAR, wheel...) holds."""

    arm64: tuple[str, ...]  # member paths (`app.jar!/linux/aarch64/libx.so`), sorted


class ArmClassifier(NamedTuple):
    """A Java build file that names a Linux/aarch64 classifier or native platform
    (`linux-aarch_64`): the build produces natives for it."""

    name: str  # as written


class JniClass(NamedTuple):
    """A Java class with native methods and no library load of its own."""

    prefix: str  # its JNI function prefix: `Java_org_pkg_Class_`


class Listed(NamedTuple):
    """A source file (or a file-name prefix) a build file names."""

    name: str  # as written, relative to the build file's directory
    line: int  # 1-based, in the build file
    x86_only: bool  # named only in x86-only branches or lists
    prefix: bool  # `name` is the start of file names (a Meson string concatenation)
    variable: str = ""  # the Make list variable it is in (`lsrc_x86_64 += ...`), if any


class BuildReach(NamedTuple):
    """What one build file names for the build it is part of: the reachability pass follows
    these from the tree's top build files down to the C/C++/asm files some target builds."""

    # make, cmake, meson, autotools, shell, bazel; python (a build script, or a module that
    # lists sources), python-run (a build script that runs a build tool: the directories it
    # names are built with their own build files)
    kind: str
    entry: bool  # it says what a build makes (rules, targets, extensions): a build entry
    # words the default build uses: paths, objects, directories, globs; a value not known
    # here is `*` (`$(SRC_DIR)/crc.c` -> `*/crc.c`)
    names: tuple[str, ...]
    # Make list variables `(name, words)`: their words count only where a build file of
    # the tree refers to the variable (ISA-L's `lsrc32`, which nothing uses)
    lists: tuple[tuple[str, tuple[str, ...]], ...]
    refs: tuple[str, ...]  # Make variables referred to; `*` for a computed part (`lsrc_*`)
    doubt: str  # why what this file builds cannot be known here ('' when it can)


class AsmInclude(NamedTuple):
    """A file an assembly file pulls in with the assembler's own include (`%include`)."""

    name: str  # as written


class AsmFile(NamedTuple):
    """The architecture of an assembly file's code (files of no known one have none)."""

    arch: Arch
    syntax: str  # x86 only: "AT&T" or "Intel"
    symbols: tuple[str, ...]  # x86 and Arm64: the global symbols it defines, sorted
    guard: tuple[str, ...]  # x86 only: undecided #if conditions around all its code (.S)


class BinaryFile(NamedTuple):
    """A prebuilt native binary (not an archive) and what it was built for."""

    arch: Arch  # X86 when every architecture in it is x86
    kind: str  # "ELF shared library", "PE DLL", ...
    arches: str  # its architectures, for the message
    detail: str
    os: str  # "linux" (ELF), "windows" (PE/COFF), "macos" (Mach-O), "" mixed or unknown


class GoAsm(NamedTuple):
    """A Go assembly file: which of linux/arm64, linux/amd64 and linux/386 build it."""

    arm64: bool
    amd64: bool
    i386: bool
    symbols: tuple[str, ...]  # TEXT symbols it defines, sorted
    x86_code: bool  # its instructions are x86 (Go's names for x86 registers, no arm64 ones)


class GoFile(NamedTuple):
    """A Go source file: which of linux/arm64 and linux/amd64 build it."""

    arm64: bool
    amd64: bool
    # False: built everywhere with nothing to check, and not parsed; its symbols are
    # recorded (GoDecls) only when its package turns out to need them
    parsed: bool


# A name and where it is: (name, 1-based line, 1-based column)
GoPlace = tuple[str, int, int]


class GoDecls(NamedTuple):
    """What a Go file built for linux/arm64 or linux/amd64 declares at package level and
    uses from the rest of its package (for the Go packages pass: does arm64 find it all?)."""

    package: str  # the package clause's name
    defined: tuple[str, ...]  # package-level funcs with a body, types, vars, consts; sorted
    bodyless: tuple[GoPlace, ...]  # funcs declared without a body (no `//go:linkname` to one)
    # identifiers used and not declared in the file itself (nor imports, nor local names):
    # the first use of each, sorted; empty when a dot-import makes names unknowable
    uses: tuple[GoPlace, ...]


class CiArm(NamedTuple):
    """A CI configuration that runs jobs on Arm64."""


class Dependency(NamedTuple):
    """One entry of a dependency manifest or lock file, for the report's dependency
    inventory and the dependencies pass (a lock file's entry is the verdict for its
    directory's manifests)."""

    ecosystem: str  # pypi, npm, maven, go, ...
    name: str
    version: str  # pinned version, or ""
    specifier: str  # version range, or ""
    file: str  # the manifest
    line: int  # 1-based
    arm64: str  # "ok", "unknown", "no Arm64 build", "needs >= 1.2", ...
    resolved: bool = False  # the version a lock file (or go.mod's selection) resolved
    via: str = ""  # lock files: the package that pulled it in, where the lock file says


class NpmNative(NamedTuple):
    """npm packages a file shows to build or fetch native code at install (an install
    script, `gypfile`/`binary`, per-platform optional packages): `--online` asks the registry
    about their resolved versions."""

    names: tuple[str, ...]  # sorted


class BaseImage(NamedTuple):
    """A Dockerfile `FROM` image built on the target (ARG defaults resolved; not `scratch`, a
    stage name or a `--platform=$BUILDPLATFORM` stage): `--online` asks its registry."""

    line: int  # 1-based
    image: str  # as the build pulls it


class RustMod(NamedTuple):
    """A Rust `mod name;` declaration in code (not a comment or string)."""

    name: str  # the module's name, or the file its `#[path = "x.rs"]` names
    x86_only: bool  # declared under a cfg that holds only on x86


class CsDispatch(NamedTuple):
    """A C# file's hardware-intrinsic dispatch, for the .NET dispatch pass: which classes
    have an Arm64 path, which method each intrinsics finding is in, and who calls what."""

    arm_classes: tuple[str, ...]  # `Ns.Class` with an Arm64 or portable accelerated path here
    methods: tuple[tuple[int, str, str], ...]  # (1-based line of a finding, class, method)
    calls: tuple[tuple[str, str], ...]  # (callee, caller; "" when under an x86-only guard)


class FloatCompare(NamedTuple):
    """The first exact floating-point comparison in a C/C++ test file (`x == 1.5`,
    `EXPECT_EQ(0.1, y)`, memcmp of double buffers): its result may change in the last bits
    when the compiler fuses a*b+c (the fp-contract pass)."""

    line: int  # 1-based
    column: int  # 1-based
    what: str  # the comparison as written, for the message
    snippet: str  # its line, stripped


class ContractOff(NamedTuple):
    """A build setting that stops the compiler fusing a*b+c (`-ffp-contract=off`, or
    `#pragma GCC optimize("fp-contract=off")` in a source)."""

    line: int  # 1-based
    setting: str  # as written


class PyExtension(NamedTuple):
    """A Python C extension a build script declares: `Extension("pkg.mod", sources=[...])`."""

    module: str
    sources: tuple[str, ...]  # as written, relative to the script's directory
    line: int


class DroppedOffX86(NamedTuple):
    """A Python extension module a build helper removes unless an x86-only compile probe
    succeeds (pycryptodome's `remove_extension(extensions, ".Cipher._raw_aesni")` when
    `-maes` does not compile): its sources are built only for x86."""

    module: str  # the name, or the end of it, as the helper spells it
    line: int


class X86Branches(NamedTuple):
    """The branches of a C/C++ file's per-architecture #if chains that only an x86 build
    takes, though their tests stay undecided (highway's `#elif HWY_TARGET <= HWY_AVX3` beside
    `#if HWY_TARGET == HWY_SVE_256`): code there that the tree's macros leave undecided is
    x86-only (scanners/c/dispatch.py)."""

    branches: tuple[tuple[int, int, str], ...]  # (first line, last line, why)


class MacroWords(NamedTuple):
    """The macro-like names (`ENABLE_FAST_PATH`: capitals, digits and an underscore) a build
    file, config header template or other build input mentions anywhere (`-D`,
    `add_definitions`, `#cmakedefine`, `conf.set`, `AC_DEFINE`, a comment): the C guards pass
    takes a project switch that no such file and no #define names as off."""

    names: tuple[str, ...]  # sorted
    builds: bool  # a build file whose commands the scanners read (Make, CMake, Meson, ...)


Fact: TypeAlias = (
    Defines
    | Undef
    | Asked
    | Include
    | Includes
    | CShim
    | JniFunctions
    | CFunctions
    | UnexpandedMacro
    | Mentions
    | JniClass
    | NativeBuilds
    | ArmClassifier
    | Listed
    | BuildReach
    | AsmInclude
    | AsmFile
    | BinaryFile
    | GoAsm
    | GoFile
    | GoDecls
    | CiArm
    | Dependency
    | RustMod
    | CsDispatch
    | FloatCompare
    | ContractOff
    | NpmNative
    | BaseImage
    | PyExtension
    | DroppedOffX86
    | MacroWords
    | X86Branches
)


# ---- as plain tuples, for the result cache (engine.rows): a tag per kind ------------------

STATUSES = {int(s): s for s in Status}
ARCHES = {a.value: a for a in Arch}


def fact_row(fact: Fact) -> tuple[object, ...]:
    """A fact as a tuple of plain values, its kind's tag first."""
    match fact:
        case Defines(definitions):
            return ("defines", tuple((n, v, int(s), c) for n, v, s, c in definitions))
        case Undef(name):
            return ("undef", name)
        case Asked(names):
            return ("asked", names)
        case Include(header, status, guard):
            return ("include", header, int(status), guard)
        case Includes(headers):
            return ("includes", headers)
        case CShim(name):
            return ("c-shim", name)
        case JniFunctions(names):
            return ("jni", names)
        case JniClass(prefix):
            return ("jni-class", prefix)
        case CFunctions(defined, declared):
            return ("c-functions", defined, declared)
        case UnexpandedMacro(name, first, last, wrappers):
            return ("unexpanded-macro", name, first, last, wrappers)
        case Mentions(code, directives):
            return ("mentions", code, directives)
        case NativeBuilds(arm64):
            return ("native-builds", arm64)
        case ArmClassifier(name):
            return ("arm-classifier", name)
        case Listed(name, line, x86_only, prefix, variable):
            return ("listed", name, line, x86_only, prefix, variable)
        case BuildReach(kind, entry, names, lists, refs, doubt):
            return ("build-reach", kind, entry, names, lists, refs, doubt)
        case AsmInclude(name):
            return ("asm-include", name)
        case AsmFile(arch, syntax, symbols, guard):
            return ("asm", arch.value, syntax, symbols, guard)
        case BinaryFile(arch, kind, arches, detail, os):
            return ("binary", arch.value, kind, arches, detail, os)
        case GoAsm(arm64, amd64, i386, symbols, x86_code):
            return ("go-asm", arm64, amd64, i386, symbols, x86_code)
        case GoFile(arm64, amd64, parsed):
            return ("go-file", arm64, amd64, parsed)
        case GoDecls(package, defined, bodyless, uses):
            return ("go-decls", package, defined, bodyless, uses)
        case CiArm():
            return ("ci-arm",)
        case Dependency(ecosystem, name, version, specifier, file, line, arm64, resolved, via):
            return (
                "dependency",
                *(ecosystem, name, version, specifier, file, line, arm64, resolved, via),
            )
        case RustMod(name, x86_only):
            return ("rust-mod", name, x86_only)
        case CsDispatch(arm_classes, methods, calls):
            return ("cs-dispatch", arm_classes, methods, calls)
        case FloatCompare(line, column, what, snippet):
            return ("float-compare", line, column, what, snippet)
        case ContractOff(line, setting):
            return ("contract-off", line, setting)

        case NpmNative(names):
            return ("npm-native", names)
        case BaseImage(line, image):
            return ("base-image", line, image)
        case PyExtension(module, sources, line):
            return ("py-extension", module, sources, line)
        case DroppedOffX86(module, line):
            return ("dropped-off-x86", module, line)
        case MacroWords(names, builds):
            return ("macro-words", names, builds)
        case X86Branches(branches):
            return ("x86-branches", branches)
        case _:
            assert_never(fact)


# tag -> the fact from its row (fields by position: rows are made by `fact_row` alone; a row
# of another shape raises KeyError, IndexError or TypeError, and the cache calls it corrupt)
FACTS: dict[str, Callable[[tuple[Any, ...]], Fact]] = {
    "defines": lambda r: Defines(tuple((n, v, STATUSES[s], c) for n, v, s, c in r[1])),
    "undef": lambda r: Undef(r[1]),
    "asked": lambda r: Asked(r[1]),
    "include": lambda r: Include(r[1], STATUSES[r[2]], r[3]),
    "includes": lambda r: Includes(r[1]),
    "c-shim": lambda r: CShim(r[1]),
    "jni": lambda r: JniFunctions(r[1]),
    "jni-class": lambda r: JniClass(r[1]),
    "c-functions": lambda r: CFunctions(r[1], r[2]),
    "unexpanded-macro": lambda r: UnexpandedMacro(r[1], r[2], r[3], r[4]),
    "mentions": lambda r: Mentions(r[1], r[2]),
    "native-builds": lambda r: NativeBuilds(r[1]),
    "arm-classifier": lambda r: ArmClassifier(r[1]),
    "listed": lambda r: Listed(r[1], r[2], r[3], r[4], r[5]),
    "build-reach": lambda r: BuildReach(
        r[1], r[2], tuple(r[3]), tuple((n, tuple(w)) for n, w in r[4]), tuple(r[5]), r[6]
    ),
    "asm-include": lambda r: AsmInclude(r[1]),
    "asm": lambda r: AsmFile(ARCHES[r[1]], r[2], r[3], r[4]),
    "binary": lambda r: BinaryFile(ARCHES[r[1]], r[2], r[3], r[4], r[5]),
    "go-asm": lambda r: GoAsm(r[1], r[2], r[3], r[4], r[5]),
    "go-file": lambda r: GoFile(r[1], r[2], r[3]),
    "go-decls": lambda r: GoDecls(r[1], r[2], r[3], r[4]),
    "ci-arm": lambda r: CiArm(),
    "dependency": lambda r: Dependency(r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9]),
    "rust-mod": lambda r: RustMod(r[1], r[2]),
    "cs-dispatch": lambda r: CsDispatch(
        tuple(r[1]), tuple(tuple(m) for m in r[2]), tuple(tuple(c) for c in r[3])
    ),
    "float-compare": lambda r: FloatCompare(r[1], r[2], r[3], r[4]),
    "contract-off": lambda r: ContractOff(r[1], r[2]),
    "npm-native": lambda r: NpmNative(r[1]),
    "base-image": lambda r: BaseImage(r[1], r[2]),
    "py-extension": lambda r: PyExtension(r[1], r[2], r[3]),
    "dropped-off-x86": lambda r: DroppedOffX86(r[1], r[2]),
    "macro-words": lambda r: MacroWords(tuple(r[1]), r[2]),
    "x86-branches": lambda r: X86Branches(tuple((a, b, w) for a, b, w in r[1])),
}


def fact_of(row: tuple[Any, ...]) -> Fact:
    """The fact of a `fact_row` tuple."""
    return FACTS[row[0]](row)
