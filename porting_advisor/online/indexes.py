# SPDX-License-Identifier: Apache-2.0
"""Which Python package index to ask: the command line, else the user's own pip configuration.

Nothing here reads the scanned tree: a host named only inside it is never contacted (issue 20).
No Python index host is written in the source: with nothing configured, the user's own pip is
asked which index it would use.
"""

from __future__ import annotations

import base64
import os
import re
import shlex
import shutil
import subprocess
import urllib.parse


def redact(url: str) -> str:
    """`scheme://user:secret@host/...` without the credentials, for reports and remarks."""
    return re.sub(r"(?<=://)[^/@\s]+@", "***@", url)


def basic_auth(url: str) -> tuple[str, str]:
    """`url` without `user:secret@`, and the Basic Authorization value they make ("" when
    there are none): credentials are sent in the header, never in the URL."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None:
        return url, ""
    user, password = (urllib.parse.unquote(p or "") for p in (parts.username, parts.password))
    netloc = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    bare = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    return bare, "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def pip_command() -> list[str] | None:
    """The user's own pip: `pip3`/`pip` on PATH, else `python3 -m pip`."""
    for name in ("pip3", "pip"):
        found = shutil.which(name)
        if found:
            return [found]
    python = shutil.which("python3") or shutil.which("python")
    return [python, "-m", "pip"] if python else None


def ask_pip(args: list[str]) -> str:
    """What the user's pip prints for `args` ("" when there is no pip or it fails)."""
    command = pip_command()
    if command is None:
        return ""
    try:
        done = subprocess.run(
            [*command, *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
            env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout if done.returncode == 0 else ""


def pip_config() -> dict[str, str]:
    """`pip config list` as {key: value}, e.g. {"global.index-url": "..."}."""
    out = {}
    for line in ask_pip(["config", "list"]).splitlines():
        key, sep, value = line.partition("=")
        if sep:
            out[key.strip()] = value.strip().strip("'\"")
    return out


def pip_default_index() -> str:
    """The index pip uses when none is configured, from its own help text."""
    text = " ".join(ask_pip(["download", "--help"]).split())
    m = re.search(
        r"--index-url <url> Base URL of the Python Package Index \(default (\S+?)\)", text
    )
    return m.group(1) if m else ""


def pypi_indexes(override: str = "") -> list[str]:
    """The index URLs to ask, primary first: `--index-url`, else PIP_INDEX_URL or pip's
    configuration, else pip's default; then PIP_EXTRA_INDEX_URL or the configured extras."""
    if override:
        return [override]
    config: dict[str, str] | None = None

    def configured(key: str) -> str:
        nonlocal config
        env = os.environ.get(f"PIP_{key.upper().replace('-', '_')}", "")
        if env:
            return env
        if config is None:
            config = pip_config()
        for scope in (":env:", "global", "install", "download"):
            value = config.get(f"{scope}.{key}", "")
            if value:
                return value
        return ""

    primary = configured("index-url") or pip_default_index()
    extras = shlex.split(configured("extra-index-url"))
    return [url for url in [primary, *extras] if url]
