# SPDX-License-Identifier: Apache-2.0
"""`--online` for container base images: does a Dockerfile's `FROM` image have a linux/arm64
build? Asked of its registry (OCI distribution API): the image index or Docker manifest list,
else a single manifest's config; with the anonymous bearer-token flow, and the basic
credentials of the user's own ~/.docker/config.json `auths`, never shown.

Only registries the user allows are contacted: the default public image registry for
unqualified names, and the hosts given with `--allow-registry HOST`. A host named only in the
scanned tree is never contacted: its images are a remark (issue 20)."""

from __future__ import annotations

import json
import os
import re
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from porting_advisor.core import lazy_re
from porting_advisor.core.facts import BaseImage
from porting_advisor.core.model import FileResult, Finding, Remark
from porting_advisor.core.ruleset import RuleSet
from porting_advisor.core.source import finding
from porting_advisor.online.fetch import Answer, cached, get
from porting_advisor.online.simple import IndexError_

# The default registry of unqualified names (`python:3.12`), and the host its API answers on.
DEFAULT_REGISTRY = "docker.io"
DEFAULT_API = "registry-1.docker.io"
HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})
ACCEPT = ", ".join(
    (
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    )
)
VERSION_TAG = lazy_re.compile(r"^v?(\d+(?:\.\d+)*)(-[\w.-]+)?$")
MAX_TAG_PAGES = 10  # tag-list pages read when looking for the tag that adds arm64


@dataclass(frozen=True, slots=True)
class Reference:
    host: str  # registry host[:port], lower-case; DEFAULT_REGISTRY for unqualified names
    repository: str  # `library/python` for official images
    reference: str  # tag or digest


@dataclass(frozen=True, slots=True)
class Verdict:
    file: str
    line: int
    image: str  # as written (ARG defaults substituted)
    host: str
    platforms: tuple[str, ...]  # os/architecture[/variant] the registry lists
    later: str  # a tag with a linux/arm64 build ("" when none was found or none looked for)


@dataclass(slots=True)
class Client:
    """One registry's API: its base URL, the user's credentials for it, tokens per repository."""

    base: str
    basic: str = ""  # base64 user:password from ~/.docker/config.json
    tokens: dict[str, str] = field(default_factory=dict)  # repository -> Authorization value


def parse(image: str) -> Reference | None:
    """A `FROM` image's registry, repository and tag or digest (None: not a reference)."""
    name, _, digest = image.partition("@")
    first, sep, rest = name.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        host, path = first.lower(), rest
    else:
        host, path = DEFAULT_REGISTRY, name
    path, _, tag = path.partition(":") if ":" in path.rsplit("/", 1)[-1] else (path, "", "")
    if host in HUB_ALIASES:
        host = DEFAULT_REGISTRY
        path = path if "/" in path else f"library/{path}"
    if not re.fullmatch(r"[a-z0-9]+(?:[._/-]+[a-z0-9]+)*", path):
        return None
    return Reference(host, path, digest or tag or "latest")


def api_base(host: str) -> str:
    """The registry API's base URL: plain HTTP only for the local machine, as Docker does."""
    if host == DEFAULT_REGISTRY:
        return f"https://{DEFAULT_API}"
    name = urllib.parse.urlsplit(f"//{host}").hostname or ""
    local = name == "localhost" or name == "::1" or name.startswith("127.")
    return f"{'http' if local else 'https'}://{host}"


def docker_auths() -> dict[str, str]:
    """host -> base64 `user:password` from the user's Docker configuration `auths`
    (DOCKER_CONFIG, else ~/.docker); credential helpers are not run."""
    folder = os.environ.get("DOCKER_CONFIG") or str(Path.home() / ".docker")
    try:
        auths = json.loads((Path(folder) / "config.json").read_text()).get("auths", {})
    except (OSError, ValueError, AttributeError):
        return {}
    out = {}
    for key, entry in auths.items() if isinstance(auths, dict) else ():
        host = urllib.parse.urlsplit(key if "://" in key else f"//{key}").netloc.lower()
        if isinstance(entry, dict) and entry.get("auth"):
            out[DEFAULT_REGISTRY if host in HUB_ALIASES else host] = str(entry["auth"])
    return out


def challenge(header: str) -> tuple[str, dict[str, str]]:
    """`Bearer realm="...",service="..."` -> ("bearer", {realm, service, ...})."""
    scheme, _, rest = header.strip().partition(" ")
    return scheme.lower(), dict(re.findall(r'(\w+)="([^"]*)"', rest))


def authorize(client: Client, repository: str, header: str) -> str:
    """The Authorization value a 401's challenge asks for ("" when none can be had): a bearer
    token from the realm (anonymous, or with the user's credentials), or basic credentials."""
    scheme, params = challenge(header)
    if scheme == "basic":
        return f"Basic {client.basic}" if client.basic else ""
    if scheme != "bearer" or not params.get("realm", "").startswith(("https://", "http://")):
        return ""
    query = {"scope": params.get("scope") or f"repository:{repository}:pull"}
    if params.get("service"):
        query["service"] = params["service"]
    realm = params["realm"] + ("&" if "?" in params["realm"] else "?")
    headers = {"Authorization": f"Basic {client.basic}"} if client.basic else {}
    answer = get(realm + urllib.parse.urlencode(query), headers)
    if answer.status != 200:
        return ""
    try:
        doc = json.loads(answer.body)
    except ValueError:
        return ""
    token = doc.get("token") or doc.get("access_token") if isinstance(doc, dict) else ""
    return f"Bearer {token}" if token else ""


def ask(client: Client, repository: str, path: str, accept: str = ACCEPT) -> Answer:
    """GET `/v2/<repository>/<path>`, answering an authentication challenge once."""
    url = f"{client.base}/v2/{repository}/{path}"
    headers = {"Accept": accept}
    if repository in client.tokens:
        headers["Authorization"] = client.tokens[repository]
    answer = get(url, headers)
    if answer.status == 401:
        auth = authorize(client, repository, answer.headers.get("www-authenticate", ""))
        if auth:
            client.tokens[repository] = auth
            answer = get(url, {**headers, "Authorization": auth})
    if answer.status == 401:
        raise IndexError_(f"{url}: HTTP 401 (not authorized)")
    return answer


def platforms(client: Client, ref: Reference) -> list[str] | None:
    """The os/architecture[/variant] entries of an image (None: the registry does not have
    it): an index's entries, else a single manifest's config."""
    answer = ask(client, ref.repository, f"manifests/{ref.reference}")
    if answer.status == 404:
        return None
    try:
        doc = json.loads(answer.body)
        if "manifests" in doc:
            found = {
                "/".join(x for x in (p.get("os"), p.get("architecture"), p.get("variant")) if x)
                for m in doc["manifests"]
                for p in [m.get("platform") or {}]
                if p.get("os") not in (None, "unknown")  # attestation entries
            }
            return sorted(found)
        if "architecture" in doc:  # Docker schema 1
            return [f"linux/{doc['architecture']}"]
        blob = ask(client, ref.repository, f"blobs/{doc['config']['digest']}", "*/*")
        config = json.loads(blob.body)
        return [f"{config.get('os', 'linux')}/{config['architecture']}"]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise IndexError_(f"{client.base}/v2/{ref.repository}: not an image manifest") from None


def has_arm64(found: Iterable[str]) -> bool:
    return any(p == "linux/arm64" or p.startswith("linux/arm64/") for p in found)


def cached_platforms(client: Client, ref: Reference, cache_dir: Path | None) -> list[str] | None:
    key = f"image {client.base}/{ref.repository}@{ref.reference}"
    found: list[str] | None = cached(cache_dir, key, lambda: platforms(client, ref))
    return found


def tag_list(client: Client, repository: str, cache_dir: Path | None) -> list[str]:
    """The repository's tags (the first MAX_TAG_PAGES pages of the registry's list)."""

    def ask_all() -> list[str]:
        out: list[str] = []
        path = "tags/list?n=1000"
        for _ in range(MAX_TAG_PAGES):
            answer = ask(client, repository, path, "application/json")
            if answer.status == 404:
                break
            try:
                out += [str(t) for t in json.loads(answer.body).get("tags") or ()]
            except (ValueError, AttributeError):
                break
            m = re.search(r"<[^>]*/v2/[^>]*?/(tags/list\?[^>]*)>", answer.headers.get("link", ""))
            if m is None:
                break
            path = m.group(1)
        return out

    found: list[str] = cached(cache_dir, f"tags {client.base}/{repository}", ask_all)
    return found


def later_tag(client: Client, ref: Reference, cache_dir: Path | None) -> str:
    """The first later version tag of the same form (`3.9-slim` -> `3.10-slim`) with a
    linux/arm64 build, found by bisection ("" when the tag is not a version, or none has)."""
    m = VERSION_TAG.match(ref.reference)
    if m is None:
        return ""

    def number(tag: str) -> tuple[int, ...]:
        return tuple(int(x) for x in tag.lstrip("v").split("-", 1)[0].split("."))

    suffix, depth = m.group(2) or "", m.group(1).count(".")
    candidates = sorted(
        (
            t
            for t in tag_list(client, ref.repository, cache_dir)
            for tm in [VERSION_TAG.match(t)]
            if tm
            and (tm.group(2) or "") == suffix
            and tm.group(1).count(".") == depth
            and number(t) > number(ref.reference)
        ),
        key=number,
    )

    def arm(tag: str) -> bool:
        return has_arm64(
            cached_platforms(client, Reference(ref.host, ref.repository, tag), cache_dir) or ()
        )

    if not candidates or not arm(candidates[-1]):
        return ""
    # once an image adds arm64 builds it keeps them
    low, high = 0, len(candidates) - 1
    while low < high:
        mid = (low + high) // 2
        if arm(candidates[mid]):
            high = mid
        else:
            low = mid + 1
    return candidates[high]


def allowed(host: str, allow: Iterable[str]) -> bool:
    """The default registry, or a host the user named with --allow-registry."""
    given = {re.sub(r"^\w+://", "", a.strip().lower()).rstrip("/") for a in allow}
    return host == DEFAULT_REGISTRY or host in given


def gather(
    results: list[FileResult], allow: tuple[str, ...], cache_dir: Path | None
) -> tuple[list[Verdict], list[Remark]]:
    """Ask the allowed registries about every `FROM` image; remarks for the others."""
    wanted = [
        (r.file, f, ref)
        for r in results
        for f in r.facts
        if isinstance(f, BaseImage)
        for ref in [parse(f.image)]
        if ref is not None
    ]
    remarks: list[Remark] = []
    refused = sorted({ref.host for _, _, ref in wanted if not allowed(ref.host, allow)})
    remarks += [
        Remark(
            "online-not-allowed",
            f"--online: base images on {host} were not checked (pass --allow-registry {host} "
            "to ask that registry)",
        )
        for host in refused
    ]
    creds = docker_auths() if wanted else {}
    clients: dict[str, Client] = {}
    failed: set[str] = set()
    out: list[Verdict] = []
    for file, fact, ref in wanted:
        if ref.host in refused or ref.host in failed:
            continue
        client = clients.setdefault(ref.host, Client(api_base(ref.host), creds.get(ref.host, "")))
        try:
            found = cached_platforms(client, ref, cache_dir)
            if found is None:
                remarks.append(
                    Remark(
                        "online-unavailable", f"--online: {fact.image}: not on its registry", file
                    )
                )
                continue
            if has_arm64(found) or not found:
                continue
            later = later_tag(client, ref, cache_dir)
        except IndexError_ as exc:
            failed.add(ref.host)
            remarks.append(Remark("online-unavailable", f"--online: could not ask {exc}"))
            continue
        out.append(Verdict(file, fact.line, fact.image, ref.host, tuple(found), later))
    return out, remarks


def merge(findings: list[Finding], verdicts: list[Verdict], rules: RuleSet) -> list[Finding]:
    """The registries' verdicts as findings."""
    out = list(findings)
    for v in verdicts:
        later = f"; tag `{v.later}` has one" if v.later else ""
        out.append(
            finding(
                rules,
                "docker-base-no-arm64",
                v.file,
                v.line,
                1,
                snippet="",
                key=v.image,
                image=v.image,
                registry=v.host,
                platforms=", ".join(v.platforms),
                later=later,
                upgrade=f"Use tag `{v.later}` (or later), which has a linux/arm64 build."
                if v.later
                else "Use a base image with a linux/arm64 build (an official multi-arch image, or "
                "the vendor's arm64 variant), or build this one for linux/arm64.",
            )
        )
    return out
