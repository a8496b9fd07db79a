# SPDX-License-Identifier: Apache-2.0
"""A Python package index's project pages (PEP 691 JSON, PEP 503 HTML) and what their wheels
run on: which versions have a build for Linux on a machine, for given CPythons and glibc."""

from __future__ import annotations

import base64
import functools
import hashlib
import html.parser
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from packaging import tags
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from porting_advisor.online.indexes import basic_auth, redact

ACCEPT = (
    "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, "
    "text/html;q=0.1"
)
CACHE_SECONDS = 24 * 3600  # a project page is asked again after a day
# Amazon Linux 2023's glibc: manylinux_2_34 and older tags install there.
DEFAULT_GLIBC = (2, 34)


class IndexError_(Exception):  # noqa: N801 - `IndexError` is a builtin
    """An index that could not be asked or answered nonsense (the message has no credentials)."""


@dataclass(frozen=True, slots=True)
class Dist:
    """One file of a project page."""

    version: Version
    filename: str
    wheel_tags: frozenset[tags.Tag]  # empty for an sdist
    yanked: bool = False


def request(url: str, timeout: float) -> tuple[bytes, str]:
    """GET `url` (credentials in it become a Basic Authorization header): body, content type."""
    parts = urllib.parse.urlsplit(url)
    headers = {"Accept": ACCEPT, "User-Agent": "porting-advisor"}
    url, auth = basic_auth(url)
    if auth:
        headers["Authorization"] = auth
    if parts.scheme == "file":
        path = Path(urllib.request.url2pathname(parts.path))
        path = path / "index.html" if path.is_dir() else path
        try:
            return path.read_bytes(), "text/html"
        except OSError as exc:
            raise IndexError_(f"{redact(url)}: {exc.strerror}") from None
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, headers=headers), timeout=timeout
        ) as r:
            return r.read(), r.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        raise IndexError_(f"{redact(url)}: HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        reason = getattr(exc, "reason", exc)
        raise IndexError_(f"{redact(url)}: {redact(str(reason))}") from None


class Links(html.parser.HTMLParser):
    """PEP 503: the anchors of a project page, with their data-yanked attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.files: list[dict[str, object]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            a = dict(attrs)
            href = (a.get("href") or "").split("#", 1)[0]
            name = urllib.parse.unquote(href.rsplit("/", 1)[-1])
            self.files.append({"filename": name, "yanked": "data-yanked" in a})


def parse_page(body: bytes, content_type: str) -> list[Dist]:
    """The files of a project page, JSON or HTML; unreadable file names are left out."""
    if "json" in content_type:
        raw = json.loads(body)["files"]
    else:
        links = Links()
        links.feed(body.decode("utf-8", "replace"))
        raw = links.files
    out = []
    for f in raw:
        name = str(f.get("filename", ""))
        try:
            if name.endswith(".whl"):
                _, version, _, wheel_tags = parse_wheel_filename(name)
                out.append(Dist(version, name, frozenset(wheel_tags), bool(f.get("yanked"))))
            elif name.endswith((".tar.gz", ".zip")):
                _, version = parse_sdist_filename(name)
                out.append(Dist(version, name, frozenset(), bool(f.get("yanked"))))
        except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
            continue
    return out


def project_page(
    index: str, name: str, cache_dir: Path | None, timeout: float = 20.0
) -> list[Dist] | None:
    """The files `index` lists for project `name` (None: the index does not know it).
    Answers are kept in `cache_dir` for CACHE_SECONDS, keyed by URL (credentials included
    in the key, never written in clear)."""
    url = index.rstrip("/") + "/" + canonicalize_name(name) + "/"
    cached = None
    if cache_dir is not None:
        cached = cache_dir / "online" / (hashlib.sha256(url.encode()).hexdigest()[:32] + ".json")
        try:
            if time.time() - cached.stat().st_mtime < CACHE_SECONDS:
                entry = json.loads(cached.read_text())
                body = base64.b64decode(entry["body"]) if entry["found"] else b""
                return parse_page(body, entry["type"]) if entry["found"] else None
        except (OSError, ValueError, KeyError):
            pass
    try:
        body, content_type = request(url, timeout)
        found = True
    except IndexError_ as exc:
        if "HTTP 404" not in str(exc) and "No such file" not in str(exc):
            raise
        body, content_type, found = b"", "", False
    if cached is not None:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            entry = {"found": found, "type": content_type, "body": base64.b64encode(body).decode()}
            cached.write_text(json.dumps(entry))
        except OSError:
            pass  # a read-only cache folder: ask again next time
    return parse_page(body, content_type) if found else None


@functools.cache
def linux_tags(machine: str, python: str | None, glibc: tuple[int, int]) -> frozenset[tags.Tag]:
    """The tags pip accepts on Linux/`machine` with glibc `glibc` for CPython `python` (every
    CPython 3 when None)."""
    platforms = [f"manylinux_2_{minor}_{machine}" for minor in range(glibc[1], 4, -1)]
    platforms += [
        legacy
        for legacy, minor in (("manylinux2014", 17), ("manylinux2010", 12), ("manylinux1", 5))
        if minor <= glibc[1]
    ]
    platforms = [p if p.startswith("manylinux_") else f"{p}_{machine}" for p in platforms]
    platforms.append(f"linux_{machine}")
    versions = [python] if python else [f"3.{m}" for m in range(0, 20)]
    out: set[tags.Tag] = set()
    for v in versions:
        major, minor = (int(x) for x in v.split(".")[:2])
        out.update(tags.cpython_tags((major, minor), platforms=platforms))
        out.update(tags.compatible_tags((major, minor), platforms=platforms))
    return frozenset(out)


def has_build(
    files: Iterable[Dist], machine: str, pythons: Iterable[str] | None, glibc: tuple[int, int]
) -> bool:
    """Is there a wheel that installs on Linux/`machine` for at least one of `pythons`?"""
    chosen: list[str | None] = list(pythons) if pythons else [None]
    wanted = [linux_tags(machine, p, glibc) for p in chosen]
    return any(not f.wheel_tags.isdisjoint(w) for f in files for w in wanted if f.wheel_tags)


def by_version(files: Iterable[Dist]) -> dict[Version, list[Dist]]:
    """Files grouped by version, oldest first; yanked files left out."""
    out: dict[Version, list[Dist]] = {}
    for f in sorted(files, key=lambda f: f.version):
        if not f.yanked:
            out.setdefault(f.version, []).append(f)
    return out
