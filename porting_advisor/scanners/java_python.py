# SPDX-License-Identifier: Apache-2.0
"""Java and Python sources: native libraries to check, architecture tests with no Arm64 path,
imports of packages that have no Arm64 build. Matched on tree-sitter parse trees, so comments,
docstrings and strings never match."""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

from porting_advisor.core import grammars, lazy_re, vocab
from porting_advisor.core.facts import ArmClassifier, JniClass, JniFunctions
from porting_advisor.core.source import Source, node_text
from porting_advisor.scanners.build import reach
from porting_advisor.scanners.build.syntax import PYTHON_BUILD

if TYPE_CHECKING:
    import tree_sitter

# x86 as os.arch, platform.machine() and the like spell it (rules/vocab/arch-tokens.yaml)
X86_MACHINE = vocab.get().arch.x86_machine_names.alternation("")
X86_NAMES = lazy_re.compile(r"^[\"']" + X86_MACHINE + r"[\"']$")
X86_QUOTED = lazy_re.compile(r"[\"']" + X86_MACHINE + r"[\"']")
ARM = lazy_re.compile(r"aarch64|arm64", re.I)
JAVA_QUERY = """
(method_invocation object: (_) @obj name: (identifier) @name
  arguments: (argument_list . (_) @arg)) @call
(method_declaration (modifiers) @mods name: (identifier) @method)
"""
PY_QUERY = """
(call function: (_) @fn arguments: (argument_list) @args) @call
(import_statement name: (dotted_name) @module)
(import_statement name: (aliased_import name: (dotted_name) @module))
(import_from_statement module_name: (dotted_name) @module)
(comparison_operator) @compare
"""
PY_PLATFORM = lazy_re.compile(
    r"^(?:platform\.(?:machine|processor)|sysconfig\.get_platform|"
    r"os\.uname\(\)\.machine|platform\.uname\(\)\.machine)"
)
PY_LOADERS = {
    "CDLL": "ctypes.CDLL",
    "ctypes.CDLL": "ctypes.CDLL",
    "cdll.LoadLibrary": "cdll.LoadLibrary",
    "ctypes.cdll.LoadLibrary": "cdll.LoadLibrary",
    "ctypes.util.find_library": "find_library",
    "find_library": "find_library",
    "ffi.dlopen": "cffi dlopen",
    "WinDLL": "ctypes.WinDLL",
    "ctypes.WinDLL": "ctypes.WinDLL",
}
# Shared libraries every Linux distribution builds for arm64 (glibc's and the base system's),
# and Windows' own DLLs (Windows on Arm64 has them): loading these by name is portable
# (rules/vocab/system-libs.yaml).
SYSTEM_LIBRARIES = vocab.get().system_libs.unix
WINDOWS_SYSTEM_DLLS = vocab.get().system_libs.windows
WINDOWS_LOADERS = frozenset({"ctypes.WinDLL"})
SO_SUFFIX = lazy_re.compile(r"\.so(?:\.\d+)*$")


def needs_arm64_check(library: str, how: str, target_os: str) -> bool:
    """Is a library loaded by this name worth checking for an Arm64 build? Not a system
    library or the process itself (cffi's `dlopen(None)`), not a Python extension module's
    own file (`_mod.__file__`: built for the platform), not a library of an OS that is not
    a target (a .dylib; a Windows DLL when the target OS is Linux)."""
    if library.endswith(".__file__") or library == "None":
        return False
    base = library.replace("\\", "/").rsplit("/", 1)[-1]
    if base.endswith(".dylib") or ".framework" in library or ".a(" in base:
        return False  # macOS, AIX: never a target
    windows = how in WINDOWS_LOADERS or base.lower().endswith(".dll")
    if windows and target_os == "linux":
        return False
    if windows:
        return base.lower().removesuffix(".dll") not in WINDOWS_SYSTEM_DLLS
    base = SO_SUFFIX.sub("", base)
    return base.removeprefix("lib") not in SYSTEM_LIBRARIES


X86_ONLY_IMPORT = lazy_re.compile(
    r"^[ \t]*(?:import|from)\s+(?:mkl|intel_extension_for_pytorch|"
    r"tensorflow_intel)\b",
    re.M,
)
# Python import name -> PyPI package with no Arm64 build (knowledge data).
X86_ONLY_MODULES = {
    "mkl": "mkl",
    "intel_extension_for_pytorch": "intel-extension-for-pytorch",
    "tensorflow_intel": "tensorflow-intel",
}


def string_value(node: tree_sitter.Node) -> str:
    t = node_text(node).strip()
    if len(t) >= 2 and t[0] in "\"'" and t[-1] == t[0]:
        return t[1:-1]
    return ""


def matches(src: Source, kind: str) -> list[dict[str, list[tree_sitter.Node]]]:
    import tree_sitter

    data = src.text.encode("utf-8")
    tree = grammars.parser(kind).parse(data)
    query = grammars.query(kind, JAVA_QUERY if kind == "java" else PY_QUERY)
    return [caps for _, caps in tree_sitter.QueryCursor(query).matches(tree.root_node)]


def at(node: tree_sitter.Node) -> tuple[int, int]:
    return node.start_point.row + 1, node.start_point.column + 1


JAVA_PACKAGE = lazy_re.compile(r"^[ \t]*package[ \t]+([\w.]+)[ \t]*;", re.M)
LOADERS = frozenset(
    {("System", "loadLibrary"), ("System", "load"), ("Native", "load"), ("Native", "loadLibrary")}
)
# `static final String LIB = "name";`: a constant a load names
STRING_CONSTANT = lazy_re.compile(r"\bfinal\s+(?:static\s+)?String\s+(\w+)\s*=\s*\"([^\"]+)\"\s*;")
# JNA's name for the C library of the platform
KNOWN_CONSTANTS = {"Platform.C_LIBRARY_NAME": "c", "Platform.MATH_LIBRARY_NAME": "m"}
# Operating systems that are never Linux, as code and paths name them (lower case)
OTHER_OS = lazy_re.compile(
    r"mac(?!hine|ro)|osx|darwin|apple|bsd|windows|win32|win64|solaris|sunos|\baix\b|\bios\b", re.I
)
OTHER_OS_DIRS = frozenset(
    {
        "osx",
        "macos",
        "mac",
        "darwin",
        "freebsd",
        "openbsd",
        "netbsd",
        "bsd",
        "solaris",
        "win",
        "win32",
        "win64",
        "windows",
        "aix",
    }
)
# `if (!isMacOrBsd()) throw ...` (`Platform.isWindows()`): the class works only there
OS_ONLY_CLASS = lazy_re.compile(
    r"\bif\s*\(\s*!\s*[\w.]*?(?:mac|osx|darwin|bsd|windows|win32|solaris)\w*\s*(?:\(\s*\))?"
    r"\s*\)\s*\{?\s*throw\b",
    re.I,
)


def scan_java(src: Source) -> None:
    text = src.text
    if not any(
        w in text for w in ("loadLibrary", "System.load", "Native.load", "native ", "os.arch")
    ):
        return
    code = re.sub(r"//[^\n]*|/\*.*?\*/", "", text, flags=re.S)
    mentions_arm = ARM.search(code) is not None
    other_os = os_only(src.file, code)
    constants = dict(STRING_CONSTANT.findall(code))
    arch_variables = set(ARCH_VARIABLE.findall(code))
    natives: list[tuple[int, int, str]] = []
    loaders: set[str] = set()
    loads = False
    for caps in matches(src, "java"):
        if "call" in caps:
            # (`com.sun.jna.Native.load` too)
            obj = node_text(caps["obj"][0]).rsplit(".", 1)[-1]
            name = node_text(caps["name"][0])
            arg = caps["arg"][0]
            if (obj, name) in LOADERS:
                loads = True
                if method := check_load(src, caps["call"][0], arg, constants, other_os):
                    loaders.add(method)
            elif name in ("equals", "equalsIgnoreCase", "startsWith", "contains") and (
                not mentions_arm
            ):
                check_arch_test(src, caps["obj"][0], arg, arch_variables)
        elif (
            "method" in caps
            and re.search(r"\bnative\b", mods := node_text(caps["mods"][0]))
            and "PolymorphicSignature" not in mods  # MethodHandle.invoke: the JVM's own
        ):
            natives.append((*at(caps["method"][0]), node_text(caps["method"][0])))
    if loaders:
        report_loader_calls(src, loaders, other_os)
    if natives and not loads and "@JniClass" not in code:
        # HawtJNI (`@JniClass`) generates and builds the class's C with the project
        report_natives(src, natives, other_os)
    if "os.arch" in text and not mentions_arm:
        for m in re.finditer(r"case\s+(\"(?:amd64|x86_64)\")\s*:", text):
            line, col = src.position(m.start(1))
            src.add("java-os-arch-check", line, col, value=m.group(1).strip('"'))


# Maven/Gradle names of Linux on 64-bit Arm: os-maven-plugin's classifier, and the ones
# native-bundling builds use
ARM_CLASSIFIER = lazy_re.compile(r"\blinux[-_.](?:aarch_64|aarch64|arm64)\b")
JAVA_BUILD_FILES = ("pom.xml", "build.gradle", "build.gradle.kts")


def scan_java_build(src: Source) -> None:
    """A Maven or Gradle build that produces natives for Linux/aarch64 (a classifier or a
    platform it names outside comments): the Java pass counts its libraries as built."""
    if not src.file.endswith(JAVA_BUILD_FILES) or not ("aarch" in src.text or "arm64" in src.text):
        return
    code = re.sub(r"<!--.*?-->|//[^\n]*|/\*.*?\*/", "", src.text, flags=re.S)
    m = ARM_CLASSIFIER.search(code)
    if m:
        src.facts.append(ArmClassifier(m.group(0)))


def os_only(file: str, code: str) -> str:
    """Why the file's code runs only on an OS that is not Linux (a directory named for
    one, or a class that throws unless it runs there), or ""."""
    parts = file.lower().split("/")[:-1]
    named = next((p for p in parts if p in OTHER_OS_DIRS), None)
    if named:
        return f"in a directory for another OS ({named}/)"
    if OS_ONLY_CLASS.search(code):
        return "the class throws unless it runs on another OS"
    return ""


def check_load(
    src: Source,
    call: tree_sitter.Node,
    arg: tree_sitter.Node,
    constants: dict[str, str],
    other_os: str,
) -> str:
    """A library load: reported with the library's name when the code names it (a literal
    or a constant); a name computed at run time (a path built from os.arch) names nothing to
    check here. A loader utility (the name is its method's first parameter): that method's
    name, for its calls in the file to be reported instead; else ""."""
    expr = node_text(arg)
    library = string_value(arg) or constants.get(expr) or KNOWN_CONSTANTS.get(expr, "")
    if not library:
        return loader_method(call, expr)
    obj = node_text(call.child_by_field_name("object") or call).rsplit(".", 1)[-1]
    what = f"{obj}.{node_text(call.child_by_field_name('name') or call)}"
    report_load(src, *at(call), what, library, other_os or os_guard(call))
    return ""


def report_load(
    src: Source, line: int, col: int, what: str, library: str, filtered_reason: str
) -> None:
    """One load of a named library, unless it is the platform's own or another OS's."""
    base = library.replace("\\", "/").rsplit("/", 1)[-1]
    if (
        not needs_arm64_check(base, "", src.options.target_os)
        or base.lower() in WINDOWS_SYSTEM_DLLS
        or base.endswith(".jnilib")
    ):
        return  # a system library, a Windows DLL for a Linux target, a macOS library
    src.add(
        "java-native-library",
        line,
        col,
        what=what,
        library=base,
        key=library,
        filtered=bool(filtered_reason),
        filtered_reason=filtered_reason,
    )


def loader_method(call: tree_sitter.Node, expr: str) -> str:
    """The method around `call` when `expr` is its first parameter, else ""."""
    node = call.parent
    while node is not None and node.type != "method_declaration":
        node = node.parent
    if node is None:
        return ""
    params = node.child_by_field_name("parameters")
    first = (
        next((p for p in params.named_children if p.type == "formal_parameter"), None)
        if (params is not None)
        else None
    )
    name = first.child_by_field_name("name") if first is not None else None
    method = node.child_by_field_name("name")
    return (
        node_text(method)
        if name is not None and method is not None and (node_text(name) == expr)
        else ""
    )


def report_loader_calls(src: Source, methods: set[str], other_os: str) -> None:
    """Calls in the file of its loader utilities with a literal name: `load("fastcodec")`."""
    # comments blanked, offsets kept
    code = re.sub(
        r"//[^\n]*|/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), src.text, flags=re.S
    )
    for method in sorted(methods):
        for m in re.finditer(rf"(?<![\w.]){method}\s*\(\s*\"([^\"]+)\"", code):
            line, col = src.position(m.start())
            report_load(src, line, col, f"{method}()", m.group(1), other_os)


def os_guard(node: tree_sitter.Node) -> str:
    """The load runs only on another OS: in the branch of an `if` whose condition names
    one (and not Linux)."""
    child, parent = node, node.parent
    while parent is not None:
        if parent.type == "if_statement" and parent.child_by_field_name("consequence") == child:
            cond = node_text(parent.child_by_field_name("condition") or parent)
            m = OTHER_OS.search(cond)
            if m and "linux" not in cond.lower() and "!" not in cond:
                return f"loaded only on another OS (`{cond.strip('() ')[:60]}`)"
        child, parent = parent, parent.parent
    return ""


# `String a = System.getProperty("os.arch")`: `a` is the architecture
ARCH_VARIABLE = lazy_re.compile(r"\b(\w+)\s*=\s*System\s*\.\s*getProperty\s*\(\s*\"os\.arch\"")


def check_arch_test(
    src: Source, receiver: tree_sitter.Node, arg: tree_sitter.Node, variables: set[str]
) -> None:
    """`arch.equals("amd64")`, `"amd64".equals(a)`, `System.getProperty("os.arch")
    .equals("x86_64")`: an x86 name compared with the architecture, in a file with no
    Arm64 case."""
    for value, other in ((arg, receiver), (receiver, arg)):
        text = node_text(other)
        if X86_NAMES.match(node_text(value)) and (
            "os.arch" in text or "arch" in text.lower() or text in variables
        ):
            line, col = at(value)
            src.add("java-os-arch-check", line, col, value=string_value(value))
            return


def report_natives(src: Source, natives: list[tuple[int, int, str]], other_os: str) -> None:
    """One finding for a class's native methods (they share one library), at the first;
    the JNI prefix of their C functions, for the tree to say whether it has them."""
    package = JAVA_PACKAGE.search(src.text)
    cls = posixpath.basename(src.file).rsplit(".", 1)[0]
    qualified = f"{package.group(1)}.{cls}" if package else cls
    src.facts.append(
        JniClass(
            "Java_" + qualified.replace("_", "_1").replace(".", "_").replace("$", "_00024") + "_"
        )
    )
    line, col, name = min(natives)
    src.add(
        "java-native-library",
        line,
        col,
        what="native method",
        library=name,
        key="native method",
        note=f"and {len(natives) - 1} more in this file" if len(natives) > 1 else "",
        filtered=bool(other_os),
        filtered_reason=other_os,
    )


# A Cython module that registers JNI methods with the JVM (pyjnius's proxy handler): the
# Java classes' native methods are built with the tree (the jni pass)
CYTHON_REGISTERS = lazy_re.compile(r"^[^#\n]*\bRegisterNatives\s*\(", re.M)


def loader_function(arg: tree_sitter.Node) -> str:
    """The function whose parameter `arg` is (`def load_lib(name, cdecl): ... CDLL(name)`,
    pycryptodome's loader of its own extensions), or '': such a call loads whatever its
    callers name, and names no library itself."""
    if arg.type != "identifier":
        return ""
    name = node_text(arg)
    node = arg.parent
    while node is not None and node.type not in ("function_definition", "lambda"):
        node = node.parent
    if node is None or node.type != "function_definition":
        return ""
    params = node.child_by_field_name("parameters")
    for p in params.named_children if params is not None else ():
        target = p if p.type == "identifier" else p.child_by_field_name("name") or p
        if target.type != "identifier" and p.named_children:
            target = p.named_children[0]  # `name: str` (a typed parameter)
        if node_text(target) == name:
            function = node.child_by_field_name("name")
            return node_text(function) if function is not None else name
    return ""


def computed_name(arg: tree_sitter.Node) -> str:
    """The assignment that gives `arg` its value when every assignment to that local name in
    its function holds no string (psutil's test helper: `dst = get_testfn(...)`, then
    `CDLL(dst)`): the library is computed at run time, and the file names none. '' otherwise
    (a name built from a literal, `here + "/libfoo.so"`, names its library)."""
    if arg.type != "identifier":
        return ""
    name = node_text(arg)
    node = arg.parent
    while node is not None and node.type != "function_definition":
        node = node.parent
    body = node.child_by_field_name("body") if node is not None else None
    if body is None:
        return ""
    root = node
    while root is not None and root.parent is not None:
        root = root.parent
    named = string_names(root) if root is not None else set()
    shown = ""
    stack = [body]
    while stack:
        n = stack.pop()
        if n.type in ("assignment", "augmented_assignment"):  # (`p += "/libx.so"` too)
            left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
            if left is not None and left.type == "identifier" and node_text(left) == name:
                if right is None or has_string(right, named):
                    return ""
                shown = shown or " ".join(node_text(n).split())[:60]
        if n.type not in ("function_definition", "class_definition", "lambda"):
            stack.extend(n.named_children)
    return shown


def string_names(root: tree_sitter.Node) -> set[str]:
    """Names the file assigns a string that can name a library (`LIBNAME = "libfoo.so"`):
    an expression built from one names that library too."""
    out: set[str] = set()
    stack = [root]
    while stack:
        n = stack.pop()
        if n.type == "assignment":
            left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
            if (
                left is not None
                and left.type == "identifier"
                and right is not None
                and has_string(right, set())
            ):
                out.add(node_text(left))
        stack.extend(n.named_children)
    return out


# what a string holds that is no library name: an extension, separators, a version
NOT_A_NAME = lazy_re.compile(r"\.(?:so|dll|dylib|pyd)\b|[^A-Za-z]+")


def has_string(node: tree_sitter.Node, named: set[str]) -> bool:
    """Does the expression hold a string that can name a library (not `".so"` alone), or a
    name the file gives such a string (`named`)?"""
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == "string" and NOT_A_NAME.sub("", string_value(n) or node_text(n).strip("'\"")):
            return True
        if n.type == "identifier" and node_text(n) in named:
            return True
        stack.extend(n.named_children)
    return False


def scan_python(src: Source) -> None:
    text = src.text
    if not PYTHON_BUILD.match(src.file.rpartition("/")[2]):  # (else the build scanner reads it)
        reach.python_lists(src)  # C sources it lists, for a build script that imports it
    if src.file.endswith((".pyx", ".pxi")) and CYTHON_REGISTERS.search(text):
        src.facts.append(JniFunctions(("RegisterNatives",)))
    # Parse only what can give a finding: a library loader, an x86-only import, or a platform
    # call in a file that also spells an x86 architecture name in quotes.
    if not (
        any(w in text for w in ("CDLL", "LoadLibrary", "find_library", "dlopen", "WinDLL"))
        or (
            any(w in text for w in (".machine", ".processor", "get_platform"))
            and X86_QUOTED.search(text)
        )
        or (("mkl" in text or "intel" in text) and X86_ONLY_IMPORT.search(text))
    ):
        return
    mentions_arm = ARM.search(re.sub(r"#[^\n]*", "", text)) is not None  # code, not comments
    uses_ctypes = re.search(r"^[ \t]*(?:import\s+ctypes|from\s+ctypes)", text, re.M) is not None
    for caps in matches(src, "python"):
        if "call" in caps:
            fn = node_text(caps["fn"][0])
            how = PY_LOADERS.get(fn)
            if how and "." not in fn and not uses_ctypes:
                how = None  # a bare CDLL()/find_library() only counts when ctypes is imported
            args = caps["args"][0].named_children
            if (
                how
                and args
                and args[0].type == "call"
                and node_text(args[0].child_by_field_name("function") or args[0]) in PY_LOADERS
            ):
                how = None  # LoadLibrary(find_library("z")): the inner call names the library
            if how and args:
                library = string_value(args[0]) or node_text(args[0])
                if not needs_arm64_check(library, how, src.options.target_os):
                    continue
                wrapper = loader_function(args[0])
                why = (
                    f"a loader function: the library is `{wrapper}`'s parameter, named by its "
                    "callers"
                    if wrapper
                    else ""
                )
                if not why and (computed := computed_name(args[0])):
                    why = f"the library is computed at run time (`{computed}`): the file names none"
                if why and not src.options.no_filter:
                    continue
                line, col = at(caps["call"][0])
                src.add(
                    "python-native-library",
                    line,
                    col,
                    library=library[:80],
                    how=how,
                    key=library[:80],
                    filtered=bool(why),
                    filtered_reason=why,
                )
        elif "module" in caps:
            top = node_text(caps["module"][0]).split(".")[0]
            package = X86_ONLY_MODULES.get(top)
            if package:
                from porting_advisor.scanners.deps import common  # (no packaging import)

                line, col = at(caps["module"][0])
                dep = common.Dep("pypi", package, "", "", line)
                known = common.lookup(dep)
                if known is not None and known.status in ("unsupported", "x86-only"):
                    src.add(
                        "dependency-no-arm64",
                        line,
                        col,
                        ecosystem="pypi",
                        name=package,
                        status="unsupported",
                        case="import",
                        knowledge=known.note,
                        key=package,
                    )
        elif "compare" in caps and not mentions_arm:
            node = caps["compare"][0]
            parts = node.named_children
            calls = [p for p in parts if PY_PLATFORM.match(node_text(p))]
            values = [
                s
                for p in parts
                for s in (
                    [p]
                    if p.type == "string"
                    else p.named_children
                    if p.type in ("tuple", "list", "set")
                    else []
                )
                if X86_NAMES.match(node_text(s))
            ]
            if calls and values:
                line, col = at(node)
                if any(f.line == line and f.rule == "build-x86-arch-check" for f in src.findings):
                    continue  # setup.py: the build-file scanner has reported this test
                src.add(
                    "python-arch-check", line, col, call=node_text(calls[0]).split("(")[0] + "()"
                )
