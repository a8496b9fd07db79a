# SPDX-License-Identifier: Apache-2.0
"""Maven: pom.xml with expat (line numbers; a DTD is refused, so no entity expansion)."""

from __future__ import annotations

import re
import xml.parsers.expat

from porting_advisor.core import lazy_re
from porting_advisor.scanners.deps.common import Dep

# A native classifier for x86 only (`linux-x86_64`, `osx-x86_64`, `windows-x86_64`)
X86_CLASSIFIER = lazy_re.compile(r"(?i)(?:linux|osx|macos|windows)[-_](?:x86_64|x86-64|amd64|x64)")
# A pom whose elements name an Arm64 classifier anywhere chooses per architecture
ARM_CLASSIFIER = lazy_re.compile(r"(?i)aarch_?64|arm64")


class PomReader:
    """pom.xml with expat (line numbers, no DTD): properties and dependencies."""

    def __init__(self, text: str) -> None:
        self.path: list[str] = []
        self.props: dict[str, str] = {}
        self.deps: list[dict[str, object]] = []
        self.current: dict[str, object] | None = None
        self.classifiers: list[tuple[int, str]] = []  # (line, value): x86 native classifiers
        self.arm = False  # an element names an Arm64 classifier (comments do not count)
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
        self.arm = self.arm or ARM_CLASSIFIER.search(value) is not None
        # a classifier fixed to x86, as a property or a dependency's classifier; not inside a
        # <profile>, whose activation usually picks it by architecture
        if (
            (tag == "classifier" or self.path[-1:] == ["properties"])
            and "profile" not in self.path
            and X86_CLASSIFIER.fullmatch(value)
        ):
            self.classifiers.append((self.parser.CurrentLineNumber, value))
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


def x86_classifiers(text: str) -> list[tuple[int, str]]:
    """(line, value) of each native classifier the pom fixes to x86, outside profiles, when
    it names no Arm64 classifier anywhere (`-Dnative.classifier` strings elsewhere are the
    container scanner's)."""
    if not X86_CLASSIFIER.search(text):
        return []
    pom = PomReader(text)
    return [] if pom.arm else pom.classifiers
