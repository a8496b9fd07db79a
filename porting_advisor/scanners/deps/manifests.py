# SPDX-License-Identifier: Apache-2.0
"""Dependency manifests and lock files: PyPI, Maven/Gradle, Go modules, conda.

Manifests are read as data, never executed (setup.py is parsed with `ast`); XML with a DTD is
refused (no entity expansion). Each dependency becomes an inventory record (the report's
`dependencies`) and, against rules/deps/arm64-packages.tsv, a finding when it has no Arm64
build or its version or specifier admits no Arm64-ready release.
"""

from __future__ import annotations

import ast
import configparser
import csv
import fnmatch
import functools
import json
import posixpath
import re
import tomllib
import xml.parsers.expat
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from porting_advisor.core import ruleset
from porting_advisor.core.facts import Dependency
from porting_advisor.core.source import Source
from porting_advisor.scanners.deps import specs, versions


@dataclass(frozen=True, slots=True)
class Dep:
    ecosystem: str
    name: str  # PEP 503 for PyPI, artifactId for Maven (group kept apart), module path
    version: str  # exact pinned version, or ""
    specifier: str  # as written
    line: int
    group: str = ""
    marker: str = ""  # PEP 508 environment marker, as written
    direct: str = ""  # a URL or local path the requirement names instead of an index version


@dataclass(frozen=True, slots=True)
class Knowledge:
    min_version: str  # first Arm64-ready version ("" when none)
    status: str  # min, unsupported, manual-build, x86-only, source-build, portable
    note: str  # the alternative, or the system packages a source build needs
    x86_only_from: str = ""  # first release with x86-64 wheels only: older ones have none
    x86_only_after: tuple[str, ...] = ()  # releases after min_version with no Arm64 build


@functools.cache
def knowledge() -> dict[tuple[str, str], Knowledge]:
    path = ruleset.data_dir("rules") / "deps" / "arm64-packages.tsv"
    with path.open(newline="", encoding="utf-8") as fh:
        return {
            (r["ecosystem"], r["name"].lower()): Knowledge(
                r["min_version"],
                r["status"],
                r["note"],
                r["x86_only_from"],
                tuple(r["x86_only_after"].split()),
            )
            for r in csv.DictReader(fh, delimiter="\t")
        }


def line_of(text: str, needle: str, default: int = 1) -> int:
    """First line where `needle` appears as a quoted name or a key (parsers lose positions)."""
    quoted = rf"[\"']{re.escape(needle)}[\"'\[\s=<>~!;@]"
    for pattern in (quoted, rf"(?m)^[ \t]*{re.escape(needle)}\s*=", re.escape(needle)):
        m = re.search(pattern, text, re.I)
        if m:
            return text.count("\n", 0, m.start()) + 1
    return default


def pep508(spec: str, line: int) -> Dep | None:
    spec = spec.split(" #", 1)[0].strip()
    if not spec or spec.startswith(("-", "#")):
        return None
    spec = re.sub(r"\s--hash[= ]\S+", "", spec)
    try:
        req = Requirement(spec)
    except InvalidRequirement:
        return None
    pins = [
        s.version for s in req.specifier if s.operator in ("==", "===") and "*" not in s.version
    ]
    return Dep(
        "pypi",
        canonicalize_name(req.name),
        pins[0] if pins else "",
        str(req.specifier),
        line,
        marker=str(req.marker or ""),
        direct=req.url or "",
    )


def parse_requirements(text: str) -> list[Dep]:
    out = []
    joined: list[tuple[int, str]] = []
    pending, start = "", 0
    for no, raw in enumerate(text.split("\n"), 1):
        line = re.sub(r"(^|\s)#.*$", "", raw).rstrip()
        if not pending:
            start = no
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        joined.append((start, pending + line))
        pending = ""
    for no, line in joined:
        dep = pep508(line, no)
        if dep:
            out.append(dep)
    return out


def poetry_spec(value: object) -> str:
    """A Poetry constraint as a PEP 440 specifier (^1.2 -> >=1.2,<2.0; ~1.2 -> >=1.2,<1.3)."""
    text = value.get("version", "") if isinstance(value, dict) else str(value)
    parts = []
    for c in str(text).split(","):
        c = c.strip()
        m = re.match(r"^([\^~])\s*(\d+(?:\.\d+)*)", c)
        if m:
            nums = [int(x) for x in m.group(2).split(".")]
            if m.group(1) == "^":
                i = next((k for k, n in enumerate(nums) if n), len(nums) - 1)
            else:
                i = min(1, len(nums) - 1) if len(nums) > 1 else 0
            upper = nums[:i] + [nums[i] + 1]
            parts += [f">={m.group(2)}", "<" + ".".join(map(str, upper))]
        elif c and c != "*":
            parts.append(c if c[0] in "<>=!~" else f"=={c}")
    return ",".join(parts)


def parse_pyproject(text: str) -> list[Dep]:
    data = tomllib.loads(text)
    out = []
    project = data.get("project", {})
    specs = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        specs += list(extra)
    for spec in specs:
        name = re.split(r"[\s\[<>=!~;@(]", spec.strip(), maxsplit=1)[0]
        dep = pep508(spec, line_of(text, name))
        if dep:
            out.append(dep)
    poetry = data.get("tool", {}).get("poetry", {})
    groups = [poetry.get("dependencies", {}), poetry.get("dev-dependencies", {})]
    groups += [g.get("dependencies", {}) for g in poetry.get("group", {}).values()]
    for table in groups:
        for name, value in table.items():
            if name.lower() == "python":
                continue
            dep = pep508(f"{name}{poetry_spec(value)}", line_of(text, name))
            if dep:
                out.append(dep)
    return out


def parse_setup_cfg(text: str) -> list[Dep]:
    cp = configparser.ConfigParser()
    cp.read_string(text)
    raw = cp.get("options", "install_requires", fallback="")
    return [
        d
        for spec in raw.splitlines()
        if spec.strip()
        for d in [pep508(spec, line_of(text, re.split(r"[\s\[<>=!~;]", spec.strip())[0]))]
        if d
    ]


def parse_setup_py(text: str) -> list[Dep]:
    """install_requires of setup(...), read from the syntax tree (the file is never run)."""
    out = []
    for node in ast.walk(ast.parse(text)):
        if (
            isinstance(node, ast.keyword)
            and node.arg in ("install_requires", "setup_requires")
            and isinstance(node.value, (ast.List, ast.Tuple))
        ):
            for elt in node.value.elts:
                if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
                    dep = pep508(elt.value, elt.lineno)
                    if dep:
                        out.append(dep)
    return out


def parse_pipfile(text: str) -> list[Dep]:
    data = tomllib.loads(text)
    out = []
    for section in ("packages", "dev-packages"):
        for name, value in data.get(section, {}).items():
            spec = value.get("version", "") if isinstance(value, dict) else str(value)
            dep = pep508(f"{name}{'' if spec in ('*', '') else spec}", line_of(text, name))
            if dep:
                out.append(dep)
    return out


def parse_lock_toml(text: str) -> list[Dep]:
    """poetry.lock and uv.lock: [[package]] name = ..., version = ..."""
    data = tomllib.loads(text)
    out = []
    for pkg in data.get("package", []):
        name, version = pkg.get("name"), pkg.get("version")
        if name and version:
            out.append(
                Dep(
                    "pypi",
                    canonicalize_name(name),
                    str(version),
                    f"=={version}",
                    line_of(text, f'name = "{name}"'),
                )
            )
    return out


def parse_pipfile_lock(text: str) -> list[Dep]:
    data = json.loads(text)
    out = []
    for section in ("default", "develop"):
        for name, value in data.get(section, {}).items():
            version = str(value.get("version", "")).lstrip("=")
            out.append(
                Dep(
                    "pypi",
                    canonicalize_name(name),
                    version,
                    str(value.get("version", "")),
                    line_of(text, name),
                )
            )
    return out


def parse_gomod(text: str) -> tuple[str, int, list[Dep]]:
    """(go directive, its line, requirements) with `replace` directives applied."""
    go_version, go_line = "", 0
    deps: list[Dep] = []
    replaces: dict[str, tuple[str, str]] = {}
    block = ""
    for no, raw in enumerate(text.split("\n"), 1):
        line = raw.split("//", 1)[0].strip()
        if not line:
            continue
        if line == ")":
            block = ""
            continue
        m = re.match(r"^(require|replace|exclude|retract)\s*\($", line)
        if m:
            block = m.group(1)
            continue
        m = re.match(r"^go\s+(\S+)$", line)
        if m:
            go_version, go_line = m.group(1), no
            continue
        kind, rest = (block, line) if block else (line.split(None, 1) + [""])[:2]
        parts = rest.split()
        if kind == "require" and len(parts) >= 2:
            deps.append(Dep("go", parts[0], parts[1], parts[1], no))
        elif kind == "replace" and "=>" in rest:
            left, right = (x.split() for x in rest.split("=>", 1))
            if left and right:
                replaces[left[0]] = (right[0], right[1] if len(right) > 1 else "")
    out = []
    for d in deps:
        if d.name in replaces:
            path, version = replaces[d.name]
            if not version:  # replaced by a local directory: not a registry version
                continue
            d = Dep("go", path, version, version, d.line)
        out.append(d)
    return go_version, go_line, out


class PomReader:
    """pom.xml with expat (line numbers, no DTD): properties and dependencies."""

    def __init__(self, text: str) -> None:
        self.path: list[str] = []
        self.props: dict[str, str] = {}
        self.deps: list[dict[str, object]] = []
        self.current: dict[str, object] | None = None
        self.buffer = ""
        p = xml.parsers.expat.ParserCreate()
        p.StartElementHandler = self.start
        p.EndElementHandler = self.end
        p.CharacterDataHandler = self.chars
        p.StartDoctypeDeclHandler = self.doctype
        self.parser = p
        p.Parse(text.encode("utf-8"), True)

    @staticmethod
    def doctype(*_: object) -> None:
        raise ValueError("a DOCTYPE in pom.xml is refused (no entity expansion)")

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.path.append(name.split("}")[-1])
        self.buffer = ""
        if self.path[-1] in ("dependency", "plugin") and self.current is None:
            self.current = {"line": self.parser.CurrentLineNumber}

    def chars(self, data: str) -> None:
        self.buffer += data

    def end(self, name: str) -> None:
        tag = self.path.pop()
        value = self.buffer.strip()
        if len(self.path) >= 2 and self.path[-1] == "properties":
            self.props[tag] = value
        if self.current is not None:
            if tag in ("groupId", "artifactId", "version"):
                self.current[tag] = value
                self.current[f"{tag}_line"] = self.parser.CurrentLineNumber
            if tag in ("dependency", "plugin"):
                self.deps.append(self.current)
                self.current = None
        if tag == "version" and self.path == ["project"]:
            self.props["project.version"] = value
        self.buffer = ""


def interpolate(value: str, props: dict[str, str], depth: int = 0) -> str:
    if "${" not in value or depth > 5:
        return value
    return interpolate(
        re.sub(r"\$\{([^}]+)\}", lambda m: props.get(m.group(1), m.group(0)), value),
        props,
        depth + 1,
    )


def parse_pom(text: str) -> list[Dep]:
    reader = PomReader(text)
    out = []
    for d in reader.deps:
        artifact = str(d.get("artifactId", ""))
        if not artifact:
            continue
        version = interpolate(str(d.get("version", "")), reader.props)
        line = int(d.get("version_line") or d.get("artifactId_line") or d.get("line", 1))  # type: ignore[call-overload]
        out.append(
            Dep(
                "maven",
                artifact,
                version if "${" not in version else "",
                version,
                line,
                group=str(d.get("groupId", "")),
            )
        )
    return out


GRADLE_DEP = re.compile(r"""(?x)\b(?:implementation|api|compile|runtimeOnly|compileOnly|
    testImplementation|runtime|annotationProcessor|kapt)\s*\(?\s*["']([\w.\-]+):([\w.\-]+)
    (?::([\w.\-+\[\](),]+))?["']""")
GRADLE_MAP = re.compile(
    r"""group\s*[:=]\s*["']([\w.\-]+)["']\s*,\s*name\s*[:=]\s*["']([\w.\-]+)
    ["'](?:\s*,\s*version\s*[:=]\s*["']([\w.\-]+)["'])?""",
    re.X,
)


def parse_gradle(text: str) -> list[Dep]:
    out = []
    for no, line in enumerate(text.split("\n"), 1):
        code = line.split("//", 1)[0]
        for rx in (GRADLE_DEP, GRADLE_MAP):
            for m in rx.finditer(code):
                version = m.group(3) or ""
                out.append(
                    Dep(
                        "maven",
                        m.group(2),
                        version if "$" not in version else "",
                        version,
                        no,
                        group=m.group(1),
                    )
                )
    return out


def parse_version_catalog(text: str) -> list[Dep]:
    data = tomllib.loads(text)
    vers = {k: str(v) for k, v in data.get("versions", {}).items() if isinstance(v, str)}
    out = []
    for key, lib in data.get("libraries", {}).items():
        if isinstance(lib, str):
            group, _, rest = lib.partition(":")
            artifact, _, version = rest.partition(":")
        else:
            module = lib.get("module") or f"{lib.get('group', '')}:{lib.get('name', '')}"
            group, _, artifact = module.partition(":")
            v = lib.get("version", "")
            version = vers.get(v.get("ref", ""), "") if isinstance(v, dict) else str(v)
        out.append(Dep("maven", artifact, version, version, line_of(text, key), group=group))
    return out


CONDA_X86 = re.compile(
    r"^(?:mkl(?:[-_]\w+)?|intel-openmp|icc_rt|intel-cmplr-lib-rt|"
    r"mkl-service|daal\w*|ipp\w*)(?:[=<>!\s].*)?$|^blas=\*=mkl$"
)


def parse_environment(text: str) -> list[tuple[int, str]]:
    """conda environment.yml: (line, package) of the x86-only packages it asks for."""
    out = []
    in_deps = False
    for no, raw in enumerate(text.split("\n"), 1):
        line = raw.split("#", 1)[0].rstrip()
        if re.match(r"^dependencies\s*:", line):
            in_deps = True
            continue
        if in_deps and re.match(r"^\S", line):
            in_deps = False
        m = re.match(r"^\s*-\s*([^\s:]+(?:\s*[<>=!].*)?)\s*$", line) if in_deps else None
        if m and CONDA_X86.match(m.group(1).strip()):
            out.append((no, m.group(1).strip()))
    return out


PARSERS = {
    "pyproject.toml": parse_pyproject,
    "setup.cfg": parse_setup_cfg,
    "setup.py": parse_setup_py,
    "Pipfile": parse_pipfile,
    "Pipfile.lock": parse_pipfile_lock,
    "poetry.lock": parse_lock_toml,
    "uv.lock": parse_lock_toml,
    "pom.xml": parse_pom,
    "build.gradle": parse_gradle,
    "build.gradle.kts": parse_gradle,
    "libs.versions.toml": parse_version_catalog,
}


def parser_for(name: str):  # type: ignore[no-untyped-def]
    if name in PARSERS:
        return PARSERS[name]
    if re.match(r"^(?:requirements|constraints)[\w.-]*\.(?:txt|in)$", name):
        return parse_requirements
    if name.endswith(".gradle") or name.endswith(".gradle.kts"):
        return parse_gradle
    return None


# A wheel name starts a token: `(?<!\S)` keeps one long token from being tried at each of its
# characters (quadratic: a 40,000-character line took seconds, issue 21).
X86_WHEEL = re.compile(
    r"(?<!\S)\S+(?:manylinux\w*_x86_64|linux_x86_64|win_amd64|win32|macosx_\w*_x86_64)"
    r"\.whl\b|--platform[= ]\S*(?:x86_64|amd64|win32)\S*"
)
PIP_PIN = re.compile(r"^[ \t]*pip\s*==\s*([\d.]+)", re.M)
JAVA_LEVEL = re.compile(
    r"<(maven\.compiler\.(?:source|target|release))>\s*(?:1\.)?(\d+)\s*<|"
    r"\b(sourceCompatibility|targetCompatibility)\s*=\s*['\"]?"
    r"(?:JavaVersion\.VERSION_)?(?:1[._])?(\d+)"
)


@functools.cache
def runtimes() -> dict[str, dict[str, str]]:
    return ruleset.load_table("runtimes.yaml")  # type: ignore[no-any-return]


def check_runtimes(src: Source, name: str) -> None:
    """Old Java bytecode targets, low Python bounds, pinned old Pythons and pips."""
    from porting_advisor.core.model import Severity

    table = runtimes()
    text = src.text
    if name in ("pom.xml", "build.gradle", "build.gradle.kts"):
        for m in JAVA_LEVEL.finditer(text):
            key, level = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            if int(level) < int(table["java"]["bytecode_min"]):
                line, col = src.position(m.start())
                src.add(
                    "runtime-version-low",
                    line,
                    col,
                    what=key,
                    version=level,
                    why="bytecode older than Java 8",
                    case="java-bytecode",
                )
    py = table["python"]
    low: re.Match[str] | None = None
    if name == "pyproject.toml":
        low = re.search(r"(?m)^[ \t]*requires-python\s*=\s*[\"']\s*>=?\s*([\d.]+)", text)
    elif name in ("setup.py", "setup.cfg"):
        low = re.search(r"python_requires\s*=\s*[\"']?\s*>=?\s*([\d.]+)", text)
    if low and Version(low.group(1)) < Version(py["lower_bound_min"]):
        line, col = src.position(low.start(1))
        src.add(
            "runtime-version-low",
            line,
            col,
            what="supports Python",
            version=low.group(1),
            why=f"many Arm64 wheels exist only for Python {py['lower_bound_min']}+",
            case="python-lower-bound",
            min_version=py["lower_bound_min"],
        )
    if name in (".python-version", "runtime.txt"):
        pinned = re.search(r"(\d+\.\d+)(?:\.\d+)?", text)
        if pinned and Version(pinned.group(1)) < Version(py["pinned_min"]):
            line, col = src.position(pinned.start())
            src.add(
                "runtime-version-low",
                line,
                col,
                severity=Severity.WARNING,
                what="pins Python",
                version=pinned.group(0),
                why=f"Arm64 wheels for many packages need Python {py['pinned_min']}+",
                case="python-pinned",
                min_version=py["pinned_min"],
            )
    for m in PIP_PIN.finditer(text) if name.startswith(("requirements", "constraints")) else ():
        if Version(m.group(1)) < Version(py["pip_min"]):
            line, col = src.position(m.start(1))
            src.add(
                "runtime-version-low",
                line,
                col,
                severity=Severity.WARNING,
                what="pins pip",
                version=m.group(1),
                why="pip before 19.3 cannot install manylinux2014 aarch64 wheels",
                case="pip",
                min_version=py["pip_min"],
            )


def scan(src: Source) -> None:
    """Parse one manifest; record the inventory and report what blocks Arm64."""
    name = posixpath.basename(src.file)
    check_runtimes(src, name)
    if name.startswith(("requirements", "constraints")):
        for m in X86_WHEEL.finditer(src.text):
            line, col = src.position(m.start())
            text = src.line_text(line)
            marker = text.split(";", 1)[1].split(" #", 1)[0] if ";" in text else ""
            if not text.lstrip().startswith("#") and not specs.marker_scope(marker.strip()):
                src.add(
                    "requirement-x86-wheel",
                    line,
                    col,
                    length=len(m.group(0)),
                    token=m.group(0)[-90:],
                )
    if name == "go.mod":
        go_version, go_line, deps = parse_gomod(src.text)
        if go_version and versions.older("go", go_version, "1.16"):
            src.add("go-old-version", go_line, 1, version=go_version)
    elif name in ("environment.yml", "environment.yaml"):
        for line, pkg in parse_environment(src.text):
            col = src.line_text(line).find(pkg) + 1
            src.add("conda-x86-package", line, max(col, 1), name=pkg, key=pkg.split("=")[0])
        return
    else:
        parse = parser_for(name)
        if parse is None:
            return
        try:
            deps = parse(src.text)
        except (
            tomllib.TOMLDecodeError,
            json.JSONDecodeError,
            SyntaxError,
            ValueError,
            configparser.Error,
            xml.parsers.expat.ExpatError,
        ) as exc:
            src.remarks.append(_remark(src, f"could not parse {name}: {str(exc)[:120]}"))
            return
    for dep in deps:
        check(src, dep)


def _remark(src: Source, message: str):  # type: ignore[no-untyped-def]
    from porting_advisor.core.model import Remark

    return Remark("manifest-unreadable", message, src.file)


def column_of(src: Source, dep: Dep) -> int:
    text = src.line_text(dep.line)
    at = text.lower().find(dep.name.lower())
    return at + 1 if at >= 0 else len(text) - len(text.lstrip()) + 1


def lookup(dep: Dep) -> Knowledge | None:
    """The knowledge entry for a dependency: Maven by groupId:artifactId (globs allowed)."""
    table = knowledge()
    if dep.ecosystem != "maven":
        return table.get((dep.ecosystem, dep.name.lower()))
    coordinate = f"{dep.group or '*'}:{dep.name}".lower()
    hit = table.get(("maven", coordinate))
    if hit is not None:
        return hit
    for (_, name), entry in maven_globs():
        if fnmatch.fnmatchcase(coordinate, name) or (
            not dep.group and fnmatch.fnmatchcase(dep.name.lower(), name.split(":", 1)[1])
        ):
            return entry
    return None


def admits(dep: Dep, minimum: str) -> bool:
    """Does the pin or specifier allow a version at or above the first Arm64-ready one?"""
    if dep.version:
        return versions.older(dep.ecosystem, dep.version, minimum) is not True
    if dep.ecosystem != "pypi" or not dep.specifier:
        return True
    return specs.admits_from(dep.specifier, minimum)


def same_everywhere(dep: Dep, known: Knowledge) -> bool:
    """A pin older than the first release with Linux wheels: no architecture gets a wheel
    (PyYAML 5.3), so Arm64 is no different."""
    if not (dep.version and known.x86_only_from):
        return False
    return versions.older(dep.ecosystem, dep.version, known.x86_only_from) is True


def source_build_advice(dep: Dep, known: Knowledge) -> str:
    """What a source build on Arm64 needs, and the version that makes it unnecessary."""
    if not known.min_version:
        return f"Install {known.note}."
    return f"Install {known.note}, or use `{dep.name}` {known.min_version}+ (Arm64 wheels)."


@functools.cache
def maven_globs() -> tuple[tuple[tuple[str, str], Knowledge], ...]:
    return tuple((k, v) for k, v in knowledge().items() if k[0] == "maven")


NO_BUILD = {
    "unsupported": "unsupported",
    "manual-build": "manual build only",
    "x86-only": "x86-only by design",
}


def check(src: Source, dep: Dep) -> None:
    """Report what the knowledge data says about `dep`; record it in the inventory."""
    known = lookup(dep)
    scope = specs.marker_scope(dep.marker) if dep.marker else ""
    status = "unknown"
    if scope:
        # `; platform_machine == "x86_64"`: never installed on Arm64, on purpose (issue 20)
        status = "x86-only (marker)" if scope == "x86-only" else "not installed (marker)"
    elif dep.direct:
        status = "direct reference"  # a URL or a path: no index version to judge
    elif known is not None and known.status in NO_BUILD:
        status = "no Arm64 build" if known.status == "unsupported" else NO_BUILD[known.status]
        src.add(
            "dependency-no-arm64",
            dep.line,
            column_of(src, dep),
            ecosystem=dep.ecosystem,
            name=dep.name,
            status=NO_BUILD[known.status],
            case="manifest",
            detail=f": {known.note}" if known.note != "public porting list" else "",
            key=dep.name,
        )
    elif known is not None and known.status == "portable":
        status = "ok"
    elif known is not None and same_everywhere(dep, known):
        status = "ok"  # no Linux wheel for any architecture: it builds the same way on Arm64
    elif known is not None and (known.min_version or known.status == "source-build"):
        too_old = not known.min_version or not admits(dep, known.min_version)
        exception = dep.version in known.x86_only_after  # torch 1.9.1 after 1.8.0
        too_old = too_old or exception
        status = f"needs >= {known.min_version}" if too_old and known.min_version else "ok"
        if too_old and known.status == "source-build":
            status = "builds from source"
            src.add(
                "dependency-source-build",
                dep.line,
                column_of(src, dep),
                name=dep.name,
                version=dep.version or dep.specifier or "(any version)",
                advice=source_build_advice(dep, known),
                key=dep.name,
            )
        elif too_old:
            src.add(
                "dependency-too-old",
                dep.line,
                column_of(src, dep),
                name=dep.name,
                version=dep.version or dep.specifier,
                why="has no Arm64 build, unlike the releases around it"
                if exception
                else "predates Arm64 support",
                min_version=known.min_version,
                key=dep.name,
            )
    src.facts.append(
        Dependency(dep.ecosystem, dep.name, dep.version, dep.specifier, src.file, dep.line, status)
    )
