# SPDX-License-Identifier: Apache-2.0
"""`--online` for Maven: which versions of a JNI artifact in the knowledge table publish a
Linux/Arm64 classifier jar (`linux-aarch_64`, `linux-aarch64`) on the user's repository.

The repository is `--maven-repo URL`, else the first mirror of the central repository in the
user's own settings.xml (~/.m2/settings.xml, then $MAVEN_HOME/conf/settings.xml; never the
scanned tree's), else the central repository (Maven has no client to ask, and the contract
allows it as the default). Versions come from maven-metadata.xml; a classifier jar's presence
from a HEAD request (a file's existence for file:// repositories). Answers are cached in the
cache folder for a day."""

from __future__ import annotations

import fnmatch
import functools
import os
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from porting_advisor.core.model import Finding, Remark
from porting_advisor.core.ruleset import RuleSet
from porting_advisor.core.source import finding
from porting_advisor.online import fetch
from porting_advisor.online.indexes import basic_auth, redact
from porting_advisor.online.simple import IndexError_, request
from porting_advisor.scanners.deps import common, versions

CENTRAL = "https://repo.maven.apache.org/maven2"
CLASSIFIERS = ("linux-aarch_64", "linux-aarch64")
# The offline verdicts a repository answer replaces.
OFFLINE_RULES = frozenset({"dependency-too-old", "dependency-no-arm64"})


@dataclass(frozen=True, slots=True)
class Verdict:
    file: str
    line: int
    name: str  # group:artifact
    version: str
    ready: bool  # this version has a Linux/Arm64 classifier jar
    first_good: str  # the first version that has one


def settings_files() -> list[Path]:
    """The user's own Maven settings, in the order Maven reads them (user, then install)."""
    out = [Path.home() / ".m2" / "settings.xml"]
    if os.environ.get("MAVEN_HOME"):
        out.append(Path(os.environ["MAVEN_HOME"]) / "conf" / "settings.xml")
    return out


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def mirror_of(text: str) -> str:
    """The URL of the first mirror of `central` in a settings.xml, with the credentials of
    its server entry ("" when none). A DTD is refused (no entity expansion)."""
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        return ""
    root = ET.fromstring(text)
    servers: dict[str, tuple[str, str]] = {}
    mirrors: list[tuple[str, str, str]] = []
    for el in root.iter():
        fields = {local(c.tag): (c.text or "").strip() for c in el}
        if local(el.tag) == "server":
            servers[fields.get("id", "")] = (fields.get("username", ""), fields.get("password", ""))
        elif local(el.tag) == "mirror":
            mirrors.append(
                (fields.get("id", ""), fields.get("url", ""), fields.get("mirrorOf", ""))
            )
    for ident, url, of in mirrors:
        targets = [t.strip() for t in of.split(",")]
        if "!central" in targets or not url:
            continue
        if {"*", "central", "external:*"} & set(targets):
            user, password = servers.get(ident, ("", ""))
            if user and not password.startswith("{"):  # an encrypted password cannot be used
                parts = urllib.parse.urlsplit(url)
                auth = (
                    f"{urllib.parse.quote(user, safe='')}:{urllib.parse.quote(password, safe='')}"
                )
                url = urllib.parse.urlunsplit(parts._replace(netloc=f"{auth}@{parts.netloc}"))
            return url
    return ""


def repository(override: str = "") -> str:
    """`--maven-repo`, else the user's settings.xml mirror of central, else central."""
    if override:
        return override
    for path in settings_files():
        try:
            found = mirror_of(path.read_text(encoding="utf-8"))
        except (OSError, ET.ParseError, UnicodeDecodeError):
            continue
        if found:
            return found
    return CENTRAL


def cached(cache_dir: Path | None, url: str, ask: Callable[[], Any]) -> Any:
    """`ask()` (a JSON value) kept in the cache folder for a day, keyed by URL."""
    return fetch.cached(cache_dir, "maven " + url, ask)


def metadata_versions(repo: str, group: str, artifact: str, cache_dir: Path | None) -> list[str]:
    """The release versions maven-metadata.xml lists, oldest first ([] when unknown)."""
    url = f"{repo.rstrip('/')}/{group.replace('.', '/')}/{artifact}/maven-metadata.xml"

    def ask() -> str:
        try:
            return request(url, 20.0)[0].decode("utf-8", "replace")
        except IndexError_ as exc:
            if "HTTP 404" in str(exc) or "No such file" in str(exc):
                return ""
            raise

    text = cached(cache_dir, url, ask)
    if not text or "<!DOCTYPE" in text or "<!ENTITY" in text:
        return []
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return []
    found = [
        (el.text or "").strip() for el in root.iter() if local(el.tag) == "version" and el.text
    ]
    releases = {v for v in found if v and "SNAPSHOT" not in v.upper()}
    return sorted(releases, key=versions.MavenVersion)


def exists(url: str, timeout: float = 20.0) -> bool:
    """Does the repository have this file? (HEAD; a path's existence for file://)"""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "file":
        return Path(urllib.request.url2pathname(parts.path)).is_file()
    headers = {"User-Agent": "porting-advisor"}
    url, auth = basic_auth(url)
    if auth:
        headers["Authorization"] = auth
    try:
        req = urllib.request.Request(url, headers=headers, method="HEAD")
        with urllib.request.urlopen(req, timeout=timeout):
            return True
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return False
        raise IndexError_(f"{redact(url)}: HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        raise IndexError_(f"{redact(url)}: {redact(str(getattr(exc, 'reason', exc)))}") from None


def has_arm64(repo: str, group: str, artifact: str, version: str, cache_dir: Path | None) -> bool:
    base = f"{repo.rstrip('/')}/{group.replace('.', '/')}/{artifact}/{version}/{artifact}-{version}"
    return any(
        cached(cache_dir, jar, functools.partial(exists, jar))
        for jar in (f"{base}-{c}.jar" for c in CLASSIFIERS)
    )


def coordinate(name: str) -> tuple[str, str] | None:
    """(group, artifact) of a Maven dependency the knowledge table knows, its group taken
    from the table (the inventory keeps the artifact only); None for others."""
    for eco, key in common.knowledge():
        group, _, pattern = key.partition(":")
        if eco == "maven" and group != "*" and fnmatch.fnmatchcase(name.lower(), pattern):
            return group, name
    return None


def judge(
    repo: str, group: str, artifact: str, version: str, cache_dir: Path | None
) -> tuple[bool, str] | None:
    """(ready, first good version) for `version`; None when the repository cannot say: the
    version is not listed, or its latest release has no Arm64 classifier jar either (the
    artifact may bundle its natives in the main jar)."""
    listed = metadata_versions(repo, group, artifact, cache_dir)
    if version not in listed or not has_arm64(repo, group, artifact, listed[-1], cache_dir):
        return None
    if has_arm64(repo, group, artifact, version, cache_dir):
        return True, version
    # the first later release with one, by bisection: once a JNI project publishes an
    # aarch64 classifier it keeps doing so (backports below are the table's arm64_before)
    low, high = listed.index(version) + 1, len(listed) - 1
    while low < high:
        mid = (low + high) // 2
        if has_arm64(repo, group, artifact, listed[mid], cache_dir):
            high = mid
        else:
            low = mid + 1
    return False, listed[high]


def gather(
    records: list[dict[str, object]], cache_dir: Path | None, override: str = ""
) -> tuple[list[Verdict], list[Remark], str]:
    """Ask the repository about every pinned Maven dependency the knowledge table knows; also
    the repository asked ("" when none was)."""
    wanted = []
    for r in records:
        if r.get("ecosystem") != "maven" or not r.get("version"):
            continue
        where = coordinate(str(r["name"]))
        if where is not None:
            wanted.append((r, where))
    if not wanted:
        return [], [], ""
    repo = repository(override)
    out: list[Verdict] = []
    answers: dict[tuple[str, str, str], tuple[bool, str] | None] = {}
    for r, (group, artifact) in wanted:
        version = str(r["version"])
        key = (group, artifact, version)
        if key not in answers:
            try:
                answers[key] = judge(repo, group, artifact, version, cache_dir)
            except IndexError_ as exc:
                return out, [Remark("online-unavailable", f"--online: could not ask {exc}")], repo
        answer = answers[key]
        if answer is not None:
            out.append(
                Verdict(
                    str(r["file"]), int(str(r["line"])), f"{group}:{artifact}", version, *answer
                )
            )
    return out, [], repo


def merge(
    findings: list[Finding], verdicts: list[Verdict], repo: str, rules: RuleSet
) -> list[Finding]:
    """The repository's verdicts in place of the offline table's for the same entries."""
    answered = {(v.file, v.line) for v in verdicts}
    out = [f for f in findings if f.rule not in OFFLINE_RULES or (f.file, f.line) not in answered]
    for v in verdicts:
        if v.ready:
            continue
        out.append(
            finding(
                rules,
                "dependency-no-arm64-native",
                v.file,
                v.line,
                1,
                snippet="",
                key=v.name.split(":", 1)[1],
                name=v.name,
                version=v.version,
                repo=redact(repo),
                first=v.first_good,
            )
        )
    return out
