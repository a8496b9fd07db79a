# SPDX-License-Identifier: Apache-2.0
"""Project configuration: `[tool.porting-advisor]` in pyproject.toml or .porting-advisor.toml."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from porting_advisor.core.model import base_dir

KEYS = {"exclude", "issue-types", "target", "target-os", "fail-on", "baseline", "jobs"}


class ConfigError(Exception):
    """Unreadable or invalid configuration (exit 2)."""


@dataclass(frozen=True, slots=True)
class Config:
    """The configuration a scan applies, and where it came from."""

    file: str = ""  # relative to the scanned root, or as given with --config; "" = none
    values: dict[str, Any] = field(default_factory=dict)  # as written in the file
    merged: dict[str, Any] = field(default_factory=dict)  # checked (baseline made a path)
    error: str = ""  # the tree's pyproject.toml was unusable: a remark, defaults apply


def load(root: Path, given: Path | None = None, ignore_tree: bool = False) -> Config:
    """The configuration: `given` (--config) if any, else the scanned root's own unless
    `ignore_tree` (--no-config). A broken pyproject.toml in the tree never stops the scan
    (issue 21): its error is returned for a remark."""
    if given is not None:
        if not given.is_file():
            raise ConfigError(f"configuration file '{given}' does not exist")
        data = read(given)
        table = data.get("tool", {}).get("porting-advisor", {}) if "tool" in data else data
        return Config(str(given), dict(table), check(table, given))
    if ignore_tree:
        return Config()
    base = base_dir(root)
    own = base / ".porting-advisor.toml"
    pyproject = base / "pyproject.toml"
    if own.is_file():
        data = read(own)
        table = data.get("tool", {}).get("porting-advisor", data) if "tool" in data else data
        return Config(own.name, dict(table), check(table, own))
    if pyproject.is_file():
        try:
            table = read(pyproject).get("tool", {}).get("porting-advisor")
            if table is None:
                return Config()
            return Config(pyproject.name, dict(table), check(table, pyproject))
        except (ConfigError, AttributeError) as exc:
            return Config(error=str(exc) or f"{pyproject}: [tool] must be a table")
    return Config()


def read(path: Path) -> dict[str, Any]:
    import tomllib  # (lazy: most scans have no configuration file)

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def check(table: Any, path: Path) -> dict[str, Any]:
    """The table's values, checked; an unknown key or a wrong type is a ConfigError."""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.porting-advisor] must be a table")
    unknown = sorted(set(table) - KEYS)
    if unknown:
        raise ConfigError(f"{path}: unknown configuration key(s): {', '.join(unknown)}")
    out = dict(table)
    if isinstance(out.get("exclude"), str):
        out["exclude"] = [out["exclude"]]
    if "exclude" in out and not all(isinstance(x, str) for x in out["exclude"]):
        raise ConfigError(f"{path}: exclude must be a list of glob strings")
    if isinstance(out.get("issue-types"), list):
        out["issue-types"] = ",".join(out["issue-types"])
    for key in ("issue-types", "target", "target-os", "fail-on", "baseline"):
        if key in out and not isinstance(out[key], str):
            raise ConfigError(f"{path}: {key} must be a string")
    if "jobs" in out and (not isinstance(out["jobs"], int) or out["jobs"] < 0):
        raise ConfigError(f"{path}: jobs must be a whole number >= 0")
    if "baseline" in out:
        out["baseline"] = str(path.parent / out["baseline"])
    return out
