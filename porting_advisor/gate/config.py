# SPDX-License-Identifier: Apache-2.0
"""Project configuration: `[tool.porting-advisor]` in pyproject.toml or .porting-advisor.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from porting_advisor.core.model import base_dir

KEYS = {"exclude", "issue-types", "target", "target-os", "fail-on", "baseline", "jobs"}


class ConfigError(Exception):
    """Unreadable or invalid configuration (exit 2)."""


def load(root: Path) -> dict[str, Any]:
    """The configuration at the scanned root ({} when there is none)."""
    base = base_dir(root)
    own = base / ".porting-advisor.toml"
    pyproject = base / "pyproject.toml"
    if own.is_file():
        data = read(own)
        table = data.get("tool", {}).get("porting-advisor", data) if "tool" in data else data
        return check(table, own)
    if pyproject.is_file():
        data = read(pyproject)
        table = data.get("tool", {}).get("porting-advisor")
        return check(table, pyproject) if table is not None else {}
    return {}


def read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def check(table: Any, path: Path) -> dict[str, Any]:
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
