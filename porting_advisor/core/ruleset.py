# SPDX-License-Identifier: Apache-2.0
"""Load and validate the rule catalogue and data tables under rules/."""

from __future__ import annotations

import functools
import hashlib
import json
import sys
from pathlib import Path
from typing import Any, NamedTuple

from porting_advisor.core import lazy_re
from porting_advisor.core.model import Severity

RULE_ID = lazy_re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")
RULE_KEYS = {
    "id",
    "category",
    "severity",
    "title",
    "description",
    "message",
    "suggestion",
    "url",
    "os",
    "example",
    "finding_suggestion",
    "blocks",
}
REQUIRED = ("id", "category", "title", "description", "message", "suggestion")
# A str.format field in a text that documents the rule (`--explain`, SARIF rule help, the rule
# reference): it would be shown unfilled. (`${TARGETARCH}` is shell, not a field.)
PLACEHOLDER = lazy_re.compile(r"(?<!\$)\{[a-z_][a-z0-9_]*\}")
CASE = lazy_re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class RuleError(Exception):
    """A rules file is missing, malformed or inconsistent (exit 2)."""


class Category(NamedTuple):
    name: str
    severity: Severity
    default_on: bool
    description: str


class Rule(NamedTuple):
    id: str
    category: str
    severity: Severity
    title: str
    description: str
    message: str  # str.format template, filled by the scanner
    suggestion: str  # the rule's own advice, complete (documentation; findings' default)
    url: str = ""
    os: tuple[str, ...] = ()  # empty = every OS
    example: str = ""
    # str.format templates of a finding's suggestion when it names specifics (the flag, the
    # target's flags): (case, template) pairs; case "" when the rule has a single one
    finding_suggestions: tuple[tuple[str, str], ...] = ()
    # an error finding of this rule has no Arm64 build to switch to: the verdict is `blocked`
    blocks: bool = False

    def suggestion_template(self, case: str = "") -> str:
        """The template of a finding's suggestion; `case` picks one of the rule's cases."""
        for name, template in self.finding_suggestions:
            if name == case:
                return template
        if case or self.finding_suggestions:
            raise KeyError(f"rule '{self.id}' has no finding_suggestion case '{case}'")
        return self.suggestion


class RuleSet(NamedTuple):
    categories: dict[str, Category]
    aliases: dict[str, tuple[str, ...]]
    rules: dict[str, Rule]
    directory: str

    def default_categories(self) -> frozenset[str]:
        return frozenset(c.name for c in self.categories.values() if c.default_on)


def data_dir(name: str) -> Path:
    """Find a bundled data folder: frozen binary, installed wheel, then source checkout."""
    package = Path(__file__).resolve().parent.parent
    candidates = [package / name, package.parent / name]
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        candidates.insert(0, Path(frozen) / name)
    for c in candidates:
        if c.is_dir():
            return c
    raise RuleError(f"cannot find the bundled '{name}' folder")


def read_yaml(path: Path) -> Any:
    """A YAML file under rules/: from rules/generated/parsed-yaml.json while the file is
    unchanged (scripts/gen_parsed_yaml.py), else parsed."""
    try:
        raw = path.read_bytes()
        entry = parsed_entry(path) if path.suffix == ".yaml" else None
        if entry is not None and entry[0] == hashlib.sha1(raw).hexdigest():
            return json.loads(entry[1])
        import yaml  # lazy: the pre-parsed table usually makes it unnecessary

        # libyaml's loader when PyYAML was built with it: ten times faster at start-up.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        try:
            return yaml.load(raw.decode("utf-8"), Loader=loader)  # noqa: S506 - safe loader
        except yaml.YAMLError as exc:
            raise ValueError(str(exc)) from None
    except (OSError, ValueError) as exc:  # (UnicodeDecodeError is a ValueError)
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise RuleError(f"{path}: cannot read rules: {first}") from None


def parsed_entry(path: Path) -> list[str] | None:
    """The pre-parsed entry of a YAML file under rules/ or one folder below (rules/vocab/,
    named `vocab/x86-cpus.yaml` in the table), if the table has one."""
    for root in (path.parent, path.parent.parent):
        table = parsed_yaml(root)
        if table:
            return table.get(path.relative_to(root).as_posix())
    return None


@functools.cache
def parsed_yaml(directory: Path) -> dict[str, list[str]]:
    """name -> [SHA-1 of the YAML text, its data as JSON], for a rules folder that carries
    generated/parsed-yaml.json; {} otherwise."""
    try:
        table = json.loads((directory / "generated" / "parsed-yaml.json").read_bytes())
    except (OSError, ValueError):
        return {}
    return table if isinstance(table, dict) else {}


@functools.cache
def load_json(name: str) -> Any:
    """A generated table under rules/generated/, loaded lazily once per process."""
    return json.loads((data_dir("rules") / "generated" / name).read_text(encoding="utf-8"))


@functools.cache
def load_table(name: str) -> Any:
    """A hand-written YAML data table under rules/ (not a rule pack), cached per process."""
    return read_yaml(data_dir("rules") / name)


def _category(name: str, raw: Any, path: Path) -> Category:
    if not isinstance(raw, dict):
        raise RuleError(f"{path}: category '{name}' must be a mapping")
    try:
        return Category(
            name,
            Severity.parse(str(raw["severity"])),
            bool(raw["default"]),
            str(raw["description"]),
        )
    except KeyError as exc:
        raise RuleError(f"{path}: category '{name}' lacks or misspells {exc}") from None


def _rule(raw: Any, path: Path, categories: dict[str, Category]) -> Rule:
    if not isinstance(raw, dict):
        raise RuleError(f"{path}: every rule must be a mapping, got {raw!r:.40}")
    rid = str(raw.get("id", "?"))
    unknown = set(raw) - RULE_KEYS
    if unknown:
        raise RuleError(f"{path}: rule '{rid}': unknown key(s) {', '.join(sorted(unknown))}")
    missing = [k for k in REQUIRED if not raw.get(k)]
    if missing:
        raise RuleError(f"{path}: rule '{rid}': missing {', '.join(missing)}")
    if not RULE_ID.match(rid):
        raise RuleError(f"{path}: rule '{rid}': id must be lower kebab-case")
    cat = str(raw["category"])
    if cat not in categories:
        raise RuleError(f"{path}: rule '{rid}': unknown category '{cat}'")
    try:
        sev = (
            Severity.parse(str(raw["severity"])) if "severity" in raw else categories[cat].severity
        )
    except KeyError:
        raise RuleError(f"{path}: rule '{rid}': bad severity '{raw['severity']}'") from None
    for key in ("title", "description", "suggestion"):
        m = PLACEHOLDER.search(str(raw[key]))
        if m:
            raise RuleError(
                f"{path}: rule '{rid}': {key} shows {m.group(0)} unfilled: the rule's own "
                "texts are complete; per-finding wording goes in finding_suggestion"
            )
    blocks = raw.get("blocks", False)
    if not isinstance(blocks, bool) or (blocks and sev != Severity.ERROR):
        raise RuleError(f"{path}: rule '{rid}': blocks must be true or false, on an error rule")
    os_list = raw.get("os") or ()
    if isinstance(os_list, str):
        os_list = (os_list,)
    return Rule(
        rid,
        cat,
        sev,
        str(raw["title"]),
        str(raw["description"]).strip(),
        str(raw["message"]),
        str(raw["suggestion"]).strip(),
        str(raw.get("url", "")),
        tuple(os_list),
        str(raw.get("example", "")).rstrip(),
        finding_suggestions(raw.get("finding_suggestion"), path, rid),
        blocks,
    )


def finding_suggestions(raw: Any, path: Path, rid: str) -> tuple[tuple[str, str], ...]:
    """A rule's `finding_suggestion`: one template, or a mapping of case -> template."""
    if raw is None:
        return ()
    if isinstance(raw, str) and raw.strip():
        return (("", raw.strip()),)
    if isinstance(raw, dict) and raw:
        for case, text in raw.items():
            if not isinstance(case, str) or not CASE.match(case):
                raise RuleError(f"{path}: rule '{rid}': finding_suggestion case {case!r}")
            if not isinstance(text, str) or not text.strip():
                raise RuleError(f"{path}: rule '{rid}': finding_suggestion '{case}' is empty")
        return tuple((case, text.strip()) for case, text in raw.items())
    raise RuleError(
        f"{path}: rule '{rid}': finding_suggestion must be a text or a mapping of case -> text"
    )


def load(directory: Path | None = None) -> RuleSet:
    """Load categories.yaml and every rule pack (`*.rules.yaml`) in the rules folder."""
    root = directory or data_dir("rules")
    if not root.is_dir():
        raise RuleError(f"{root}: rules folder not found")
    cat_path = root / "categories.yaml"
    raw_cats = read_yaml(cat_path)
    if not isinstance(raw_cats, dict) or not isinstance(raw_cats.get("categories"), dict):
        raise RuleError(f"{cat_path}: expected a 'categories' mapping")
    categories = {n: _category(n, v, cat_path) for n, v in raw_cats["categories"].items()}
    aliases = {str(k): tuple(v) for k, v in (raw_cats.get("aliases") or {}).items()}
    rules: dict[str, Rule] = {}
    for path in sorted(root.glob("*.rules.yaml")):
        doc = read_yaml(path)
        if not isinstance(doc, dict) or not isinstance(doc.get("rules"), list):
            raise RuleError(f"{path}: expected a top-level 'rules' list")
        for raw in doc["rules"]:
            rule = _rule(raw, path, categories)
            if rule.id in rules:
                raise RuleError(f"{path}: rule '{rule.id}' is defined twice")
            rules[rule.id] = rule
    if not rules:
        raise RuleError(f"{root}: no rules found")
    return RuleSet(categories, aliases, rules, str(root))


def parse_issue_types(spec: str, ruleset: RuleSet) -> frozenset[str]:
    """`a,b` replaces the defaults; `+a`/`-a` edit them. Aliases expand. Unknown -> ValueError."""
    enabled = set(ruleset.default_categories())
    items = [s.strip() for s in spec.split(",") if s.strip()]
    if items and not any(i[0] in "+-" for i in items):
        enabled = set()
    for item in items:
        sign, name = (item[0], item[1:]) if item[0] in "+-" else ("+", item)
        names = ruleset.aliases.get(name, (name,))
        for n in names:
            if n not in ruleset.categories:
                valid = ", ".join([*sorted(ruleset.categories), *sorted(ruleset.aliases)])
                raise ValueError(f"unknown issue type '{name}' (valid: {valid})")
            (enabled.add if sign == "+" else enabled.discard)(n)
    return frozenset(enabled)
