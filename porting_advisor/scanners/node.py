# SPDX-License-Identifier: Apache-2.0
"""Node.js: package.json and the npm, yarn and pnpm lock files against the knowledge data
and the lock files' platform fields; binding.gyp flags."""

from __future__ import annotations

import json
import posixpath
import re

from porting_advisor.core import lazy_re
from porting_advisor.core.facts import Dependency, NpmNative
from porting_advisor.core.source import Source
from porting_advisor.scanners import build as buildfiles
from porting_advisor.scanners.deps import common, versions
from porting_advisor.scanners.deps import npm as npm_locks


def scan_node(src: Source) -> None:
    """package.json and lock files against the npm knowledge data; binding.gyp flags."""
    name = posixpath.basename(src.file)
    if name == "binding.gyp":
        for no, line in enumerate(src.text.split("\n"), 1):
            code = line.split("#", 1)[0]
            buildfiles.check_flags(src, code, [(0, no)])
            buildfiles.check_libraries(src, code, [(0, no)], True, "")
        return
    try:
        if name == "package.json":
            data = json.loads(src.text)
            entries = [
                (
                    dep,
                    str(spec),
                    common.line_of(src.text, dep),
                    npm_locks.Entry(dep, "", 0, dev=dev),
                )
                for section, dev in DEPENDENCIES
                for dep, spec in (data.get(section) or {}).items()
            ]
            locked = False
            if installed_package(src.file) and (data.get("gypfile") or data.get("binary")):
                # an installed addon's own package.json: node-gyp or node-pre-gyp builds it
                src.facts.append(NpmNative((str(data.get("name", "")),)))
        else:
            read = npm_locks.READERS.get(name)
            if read is None:
                return
            entries = [(e.name, e.version, e.line, e) for e in read(src.text)]
            locked = True
            natives = sorted({e.name for _, _, _, e in entries if npm_locks.native(e)})
            if natives:
                src.facts.append(NpmNative(tuple(natives)))
    except (json.JSONDecodeError, AttributeError) as exc:
        from porting_advisor.core.model import Remark

        src.remarks.append(
            Remark("manifest-unreadable", f"could not parse {name}: {exc}", src.file)
        )
        return
    parents: dict[str, str] = {}
    for _, _, _, e in entries:
        for child in e.deps + e.optional_deps:
            parents.setdefault(child, e.name)
    seen: set[tuple[str, str]] = set()
    for dep, spec, line_no, e in entries:
        if (dep, spec) in seen or not line_no:
            continue
        seen.add((dep, spec))
        arm64 = check(src, dep, spec, line_no, e)
        src.facts.append(
            Dependency(
                "npm",
                dep,
                spec if locked else "",
                "" if locked else spec,
                src.file,
                line_no,
                arm64,
                locked,
                (e.via or parents.get(dep, "")) if locked else "",
            )
        )


DEPENDENCIES = (("dependencies", False), ("devDependencies", True), ("optionalDependencies", False))


def installed_package(path: str) -> bool:
    """A file of a package installed under node_modules/ (a vendored tree)."""
    return path.startswith("node_modules/") or "/node_modules/" in path


def check(src: Source, dep: str, spec: str, line_no: int, e: npm_locks.Entry) -> str:
    """Report what blocks `dep` on Arm64 (knowledge data, the lock file's platform fields);
    its inventory status."""
    reason = ""
    if installed_package(src.file):
        # an installed package's own development setup: an install of the tree never reads
        # its lock file or installs its devDependencies
        if posixpath.basename(src.file) != "package.json":
            reason = "a lock file inside node_modules/: installs never read it"
        elif e.dev:
            reason = "a devDependency of a package under node_modules/: never installed"
    known = common.knowledge().get(("npm", dep.lower()))
    col = max(src.line_text(line_no).find(dep) + 1, 1)
    if known is not None and known.status != "min":
        src.add(
            "node-native-addon",
            line_no,
            col,
            name=dep,
            problem="has no Arm64 build",
            case="no-arm64",
            knowledge=known.note,
            key=dep,
            filtered=bool(reason),
            filtered_reason=reason,
        )
        return "no Arm64 build"
    if known is not None:
        version = re.sub(r"^[\^~>=v\s]+", "", spec)
        too_old = bool(version) and versions.older("npm", version, known.min_version)
        if too_old:
            src.add(
                "node-native-addon",
                line_no,
                col,
                name=dep,
                problem=f"{spec} predates its Arm64 builds ({known.min_version})",
                case="too-old",
                min_version=known.min_version,
                key=dep,
                filtered=bool(reason),
                filtered_reason=reason,
            )
            return f"needs >= {known.min_version}"
    if npm_locks.cpu_excludes_arm64(e.cpu) and not e.optional:
        src.add(
            "node-native-addon",
            line_no,
            col,
            name=dep,
            problem=f"{spec} declares `cpu` {list(e.cpu)}: npm refuses to install it on arm64",
            case="platform",
            key=dep,
            filtered=bool(reason),
            filtered_reason=reason,
        )
        return "no Arm64 build"
    if npm_locks.platform_gap(e.optional_deps):
        x64 = sorted(d for d in e.optional_deps if npm_locks.LINUX_X64.search(d))
        src.add(
            "node-native-addon",
            line_no,
            col,
            name=dep,
            problem=f"{spec} has a prebuilt package for linux-x64 (`{x64[0]}`) and none for "
            "linux-arm64",
            case="platform",
            key=dep,
            filtered=bool(reason),
            filtered_reason=reason,
        )
        return "no Arm64 build"
    return "ok" if known is not None else "unknown"


# JavaScript/TypeScript architecture checks (issue 25): `process.arch` or `os.arch()` compared
# with an x86 value in a file that names no Arm architecture.
JS_LEXEME = lazy_re.compile(
    r"//[^\n]*|/\*.*?\*/|'(?:\\.|[^'\\\n])*'|\"(?:\\.|[^\"\\\n])*\"|`(?:\\.|[^`\\])*`", re.S
)
JS_ARCH = lazy_re.compile(r"\bprocess\s*\.\s*arch\b|\bos\s*\.\s*arch\s*\(\s*\)")
JS_X86 = frozenset({"x64", "ia32", "x86", "amd64", "x86_64"})
JS_X64 = frozenset({"x64", "amd64", "x86_64"})
JS_ARM = lazy_re.compile(r"\b(?:arm64|aarch64|arm)\b")


def scan_arch_checks(src: Source) -> None:
    """`if (process.arch !== "x64")`, `process.arch === "x64" ? ... : ...`, `switch
    (os.arch()) { case "x64": ... }`, `["x64"].includes(process.arch)`, in a file that names
    no Arm architecture: code that gives x64 something Arm64 does not get. A special case
    for 32-bit x86 (`=== "ia32"`) and a default (`process.arch || "ia32"`) are no finding;
    nor are dependencies' own files (node_modules) and minified bundles."""
    text = src.text
    if "arch" not in text or "process.arch" not in text and ".arch()" not in text:
        return
    if "node_modules/" in f"/{src.file}" or src.file.endswith((".min.js", ".min.mjs")):
        return
    code = list(text)  # comments and string contents blanked, newlines kept
    starts: dict[int, str] = {}  # offset of a string's opening quote -> its value
    ends: dict[int, str] = {}  # offset after its closing quote -> its value
    for m in JS_LEXEME.finditer(text):
        lexeme = m.group(0)
        if lexeme[0] in "'\"`":
            starts[m.start()] = ends[m.end()] = lexeme[1:-1]
            if JS_ARM.search(lexeme):
                return  # the file handles an Arm architecture somewhere
        code[m.start() + 1 : m.end() - 1] = [c if c == "\n" else " " for c in lexeme[1:-1]]
        if lexeme[0] == "/":
            code[m.start()] = code[m.end() - 1] = " "
    masked = "".join(code)
    for m in JS_ARCH.finditer(masked):
        values = compared(masked, m.start(), m.end(), starts, ends)
        if values:
            line, col = src.position(m.start())
            src.add(
                "node-arch-check",
                line,
                col,
                length=m.end() - m.start(),
                what=re.sub(r"\s+", "", m.group(0)),
                values=", ".join(f"'{v}'" for v in sorted(values)),
            )


def compared(
    masked: str, start: int, end: int, starts: dict[int, str], ends: dict[int, str]
) -> set[str]:
    """The x86 values the architecture expression at `start:end` is tested against in a way
    that singles out x64: `!==` any x86 value, `===`, `case` or `.includes` x64."""
    line_start = masked.rfind("\n", 0, start) + 1
    before = masked[line_start:start]
    if right := re.match(r"\s*([!=]==?)\s*", masked[end:]):
        op, value = right.group(1), starts.get(end + right.end(), "")
    elif left := re.search(r"([!=]==?)\s*$", before):
        at = line_start + left.start()
        op, value = left.group(1), ends.get(len(masked[:at].rstrip()), "")
    elif re.match(r"\s*\)\s*\{", masked[end:]):  # switch (process.arch) { case ... }
        body = masked[masked.find("{", end) : closing_brace(masked, masked.find("{", end))]
        base = masked.find("{", end)
        cases = {starts.get(base + c.end(), "") for c in re.finditer(r"\bcase\s*(?=['\"`])", body)}
        return cases & JS_X64
    elif re.search(r"\]\s*\.\s*includes\s*\(\s*$", before):
        bracket = masked.rfind("[", line_start, start)
        return {v for at, v in starts.items() if bracket <= at < start} & JS_X64
    else:
        return set()
    if op.startswith("!"):
        return {value} & JS_X86
    return {value} & JS_X64


def closing_brace(code: str, start: int) -> int:
    """The offset after the brace that closes the one at `start` (the end if none)."""
    depth = 0
    for i in range(start, len(code)):
        if code[i] == "{":
            depth += 1
        elif code[i] == "}":
            depth -= 1
            if depth == 0:
                return i + 1
    return len(code)
