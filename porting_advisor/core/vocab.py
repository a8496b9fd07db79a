# SPDX-License-Identifier: Apache-2.0
"""Domain vocabulary from rules/vocab/*.yaml: x86 CPU and ISA names, architecture tokens,
Windows markers, system libraries, C/C++ extensions; validated and loaded once per process."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from porting_advisor.core import lazy_re
from porting_advisor.core.ruleset import RuleError, data_dir, read_yaml

WORD = lazy_re.compile(r"^[\w.+/-]+$")  # no spaces, quotes or regex syntax in a vocabulary word
# (the records are named tuples: defined at every start-up, where a frozen dataclass costs
# much more: docs/architecture.md)


class Words(NamedTuple):
    """Literal words, and stems that stand for every word that starts with them."""

    names: frozenset[str]
    families: tuple[str, ...] = ()  # stems followed by a tail (the caller's regex)
    numbered: tuple[str, ...] = ()  # stems followed by a number

    def alternation(self, family_tail: str, number_tail: str = r"\d+") -> str:
        """A non-capturing regex group that matches any of the words (longest first)."""
        parts = [re.escape(n) for n in sorted(self.names, key=lambda n: (-len(n), n))]
        parts += [re.escape(s) + family_tail for s in self.families]
        parts += [re.escape(s) + number_tail for s in self.numbered]
        return "(?:" + "|".join(parts) + ")"

    def every(self) -> tuple[str, ...]:
        """Every literal word and stem, sorted (for tests and documentation)."""
        return tuple(sorted(self.names | set(self.families) | set(self.numbered)))


class RustFeatures(NamedTuple):
    x86: frozenset[str]  # exist on x86/x86_64 only
    aarch64: frozenset[str]  # exist on aarch64 only
    baseline: dict[str, frozenset[str]]  # target_arch -> features every such target has


class DotnetIsas(NamedTuple):
    x86: frozenset[str]  # System.Runtime.Intrinsics.X86 classes
    arm: frozenset[str]  # System.Runtime.Intrinsics.Arm classes
    shared: frozenset[str]  # names other libraries use too: need the namespace in the file


class ArchTokens(NamedTuple):
    x86: frozenset[str]
    x86_words: Words  # families: any letters or digits follow; numbered: digits, a letter
    arm: frozenset[str]
    other: frozenset[str]
    other_dirs: frozenset[str]  # lower case; matched against whole directory names
    x86_machine_names: Words  # case as written


class Windows(NamedTuple):
    build_paths: Words
    msvc_paths: Words
    headers: frozenset[str]  # lower case


class SystemLibs(NamedTuple):
    unix: frozenset[str]
    windows: frozenset[str]  # lower case, without .dll
    include_dirs: frozenset[str]
    standard_headers: frozenset[str]  # C and C++ standard library headers


class CExtensions(NamedTuple):
    sources: tuple[str, ...]
    headers: tuple[str, ...]
    fragments: tuple[str, ...]
    objc: tuple[str, ...]


class Barriers(NamedTuple):
    fences: dict[str, str]  # fence name -> what it orders: full, read or write
    compiler_only: frozenset[str]  # calls that order only the compiler
    ordering_stems: tuple[str, ...]  # lower case; in a call's name: it orders memory
    spin_relax: frozenset[str]  # calls a spin loop makes while it waits


class CiRunners(NamedTuple):
    github_arm64: frozenset[str]  # GitHub-hosted labels that run on Arm64
    github_x64: frozenset[str]
    arm64_words: frozenset[str]  # words of self-hosted labels, agent labels, runner tags
    x64_words: frozenset[str]
    housekeeping_actions: tuple[str, ...]  # owner/name prefixes of actions that build nothing
    housekeeping_names: frozenset[str]  # words of job ids and names that build nothing
    neutral_actions: tuple[str, ...]
    quiet_commands: frozenset[str]  # first words of `run:` lines that build nothing


class Vocab(NamedTuple):
    x86_cpus: Words
    gcc_features: Words
    rust_features: RustFeatures
    dotnet_isas: DotnetIsas
    arch: ArchTokens
    windows: Windows
    system_libs: SystemLibs
    c_extensions: CExtensions
    barriers: Barriers
    ci: CiRunners


class Table:
    """One vocabulary file while it is validated: every error names the file and the key."""

    def __init__(self, directory: Path, name: str, keys: Iterable[str]) -> None:
        self.path = directory / name
        doc = read_yaml(self.path)
        if not isinstance(doc, dict):
            raise RuleError(f"{self.path}: expected a mapping of {', '.join(keys)}")
        self.doc = doc
        self.exact(doc, tuple(keys), "")

    def exact(self, doc: dict[str, Any], keys: tuple[str, ...], where: str) -> None:
        unknown = sorted(set(map(str, doc)) - set(keys))
        missing = [k for k in keys if k not in doc]
        if unknown or missing:
            what = "unknown key(s) " + ", ".join(unknown) if unknown else ""
            what += ("; " if what else "") + ("missing " + ", ".join(missing) if missing else "")
            raise RuleError(f"{self.path}: {where or 'top level'}: {what}")

    def words(self, key: str, *, lower: bool = True, doc: Any = None) -> tuple[str, ...]:
        """A list of distinct words under `key` (a dotted path in the error)."""
        value = (self.doc if doc is None else doc).get(key.rsplit(".", 1)[-1])
        if value is None:
            value = []
        if not isinstance(value, list):
            raise RuleError(f"{self.path}: '{key}': expected a list of words")
        seen: set[str] = set()
        for w in value:
            if not isinstance(w, str) or not WORD.match(w):
                raise RuleError(f"{self.path}: '{key}': {w!r} is not a word")
            if lower and w != w.lower():
                raise RuleError(f"{self.path}: '{key}': {w!r} must be lower case")
            if w in seen:
                raise RuleError(f"{self.path}: '{key}': {w!r} is listed twice")
            seen.add(w)
        return tuple(value)

    def mapping(self, key: str, keys: tuple[str, ...], doc: Any = None) -> dict[str, Any]:
        value = (self.doc if doc is None else doc).get(key.rsplit(".", 1)[-1])
        if not isinstance(value, dict):
            raise RuleError(f"{self.path}: '{key}': expected a mapping of {', '.join(keys)}")
        self.exact(value, keys, f"'{key}'")
        return value

    def word_set(self, key: str, keys: tuple[str, ...]) -> Words:
        """A mapping of `names` and stems (the stems in `keys` after `names`)."""
        raw = self.mapping(key, ("names", *keys))
        stems = {k: self.words(f"{key}.{k}", doc=raw) for k in keys}
        return Words(
            frozenset(self.words(f"{key}.names", doc=raw)),
            stems.get("families", ()),
            stems.get("numbered", ()),
        )


def load(directory: Path) -> Vocab:
    """Read and validate every vocabulary table in `directory` (rules/vocab)."""
    cpus = Table(directory, "x86-cpus.yaml", ("names", "families"))
    isa = Table(directory, "isa-words.yaml", ("gcc", "rust", "dotnet"))
    gcc = isa.word_set("gcc", ("families",))
    rust = isa.mapping("rust", ("x86", "aarch64", "baseline"))
    baseline = isa.mapping("rust.baseline", ("x86_64", "x86", "aarch64"), rust)
    dotnet = isa.mapping("dotnet", ("x86", "arm", "shared"))
    arch = Table(
        directory,
        "arch-tokens.yaml",
        ("x86", "x86_words", "arm", "other", "other_dirs", "x86_machine_names"),
    )
    win = Table(directory, "windows.yaml", ("build_paths", "msvc_paths", "headers"))
    libs = Table(
        directory, "system-libs.yaml", ("unix", "windows", "include_dirs", "standard_headers")
    )
    ext = Table(directory, "c-extensions.yaml", ("sources", "headers", "fragments", "objc"))
    ci_keys = (
        "github_arm64",
        "github_x64",
        "arm64_words",
        "x64_words",
        "housekeeping_actions",
        "housekeeping_names",
        "neutral_actions",
        "quiet_commands",
    )
    ci = Table(directory, "ci-runners.yaml", ci_keys)
    for key in ("sources", "headers", "fragments", "objc"):
        bad = [e for e in ext.words(key, lower=False) if not e.startswith(".")]
        if bad:
            raise RuleError(f"{ext.path}: '{key}': {bad[0]!r} must start with '.'")
    mem = Table(
        directory,
        "memory-barriers.yaml",
        ("fences", "compiler_only", "ordering_stems", "spin_relax"),
    )
    kinds = mem.mapping("fences", ("full", "read", "write"))
    fences: dict[str, str] = {}
    for kind in kinds:
        for name in mem.words(f"fences.{kind}", lower=False, doc=kinds):
            if name in fences:
                raise RuleError(f"{mem.path}: 'fences': {name!r} is listed twice")
            fences[name] = kind
    return Vocab(
        x86_cpus=Words(frozenset(cpus.words("names")), cpus.words("families")),
        gcc_features=gcc,
        rust_features=RustFeatures(
            frozenset(isa.words("rust.x86", doc=rust)),
            frozenset(isa.words("rust.aarch64", doc=rust)),
            {k: frozenset(isa.words(f"rust.baseline.{k}", doc=baseline)) for k in baseline},
        ),
        dotnet_isas=DotnetIsas(
            *(
                frozenset(isa.words(f"dotnet.{k}", lower=False, doc=dotnet))
                for k in ("x86", "arm", "shared")
            )
        ),
        arch=ArchTokens(
            frozenset(arch.words("x86")),
            arch.word_set("x86_words", ("families", "numbered")),
            frozenset(arch.words("arm")),
            frozenset(arch.words("other")),
            frozenset(arch.words("other_dirs")),
            Words(frozenset(arch.words("x86_machine_names", lower=False))),
        ),
        windows=Windows(
            win.word_set("build_paths", ("numbered",)),
            win.word_set("msvc_paths", ("numbered",)),
            frozenset(win.words("headers")),
        ),
        system_libs=SystemLibs(
            frozenset(libs.words("unix", lower=False)),
            frozenset(libs.words("windows")),
            frozenset(libs.words("include_dirs", lower=False)),
            frozenset(libs.words("standard_headers", lower=False)),
        ),
        c_extensions=CExtensions(
            ext.words("sources", lower=False),
            ext.words("headers", lower=False),
            ext.words("fragments", lower=False),
            ext.words("objc", lower=False),
        ),
        barriers=Barriers(
            fences,
            frozenset(mem.words("compiler_only", lower=False)),
            mem.words("ordering_stems"),
            frozenset(mem.words("spin_relax", lower=False)),
        ),
        ci=CiRunners(
            frozenset(ci.words("github_arm64")),
            frozenset(ci.words("github_x64")),
            frozenset(ci.words("arm64_words")),
            frozenset(ci.words("x64_words")),
            ci.words("housekeeping_actions"),
            frozenset(ci.words("housekeeping_names")),
            ci.words("neutral_actions"),
            frozenset(ci.words("quiet_commands")),
        ),
    )


@functools.cache
def get() -> Vocab:
    """The bundled vocabulary, read once per process (workers inherit it or read it once)."""
    return load(data_dir("rules") / "vocab")
