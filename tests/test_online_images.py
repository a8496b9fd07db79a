# SPDX-License-Identifier: Apache-2.0
"""`--online` for Dockerfile base images against a tiny OCI registry served from 127.0.0.1 by
the test: image indexes with and without linux/arm64, a single-arch manifest, the anonymous
bearer-token flow, the tag that adds arm64; a host named only in the scanned tree is never
contacted unless the user allows it."""

from __future__ import annotations

import base64
import http.server
import json
import threading
import urllib.parse

import pytest

from porting_advisor.online import images
from porting_advisor.scanners.containers import base_images

INDEX = "application/vnd.oci.image.index.v1+json"
LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def index(media, *platforms):
    entries = [
        {
            "digest": f"sha256:{n}",
            "platform": dict(zip(("os", "architecture"), p.split("/"), strict=True)),
        }
        for n, p in enumerate(platforms)
    ]
    return media, {"mediaType": media, "manifests": entries}


def single(arch):
    config = {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": f"sha256:{arch}"}
    return MANIFEST, {"mediaType": MANIFEST, "config": config, "layers": []}


MANIFESTS = {
    ("team/multi", "1.0"): index(INDEX, "linux/amd64", "linux/arm64"),
    # amd64 only (and an attestation entry), until 1.2
    ("team/old", "1.0"): index(LIST, "linux/amd64", "unknown/unknown"),
    ("team/old", "1.1"): index(LIST, "linux/amd64"),
    ("team/old", "1.2"): index(LIST, "linux/amd64", "linux/arm64"),
    ("team/old", "1.3"): index(LIST, "linux/amd64", "linux/arm64"),
    ("team/single", "2.0"): single("amd64"),
    ("team/armonly", "1"): single("arm64"),
}
TAGS = {"team/old": ["1.0", "1.1", "1.2", "1.3", "latest", "1.2-alpine"], "team/single": ["2.0"]}
CONFIGS = {f"sha256:{a}": {"architecture": a, "os": "linux"} for a in ("amd64", "arm64")}


class Registry(http.server.BaseHTTPRequestHandler):
    """The distribution API's manifests, blobs and tags, behind a bearer token; the token
    endpoint wants the user's basic credentials when `basic` is set."""

    asked: list[str] = []
    basic = ""

    def reply(self, code, body=None, kind="application/json", headers=()):
        self.send_response(code)
        self.send_header("Content-Type", kind)
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if body is not None:
            self.wfile.write(json.dumps(body).encode())

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        Registry.asked.append(self.path)
        url = urllib.parse.urlsplit(self.path)
        port = self.server.server_address[1]
        if url.path == "/token":
            query = dict(urllib.parse.parse_qsl(url.query))
            if Registry.basic and self.headers.get("Authorization") != f"Basic {Registry.basic}":
                return self.reply(401)
            repo = query["scope"].split(":")[1]
            return self.reply(200, {"token": f"tok-{repo}", "service": query.get("service")})
        repo, _, rest = url.path.removeprefix("/v2/").partition("/manifests/")
        if not rest:
            repo, _, rest = url.path.removeprefix("/v2/").partition("/blobs/")
        if not rest:
            repo = url.path.removeprefix("/v2/").removesuffix("/tags/list")
        if self.headers.get("Authorization") != f"Bearer tok-{repo}":
            challenge = (
                f'Bearer realm="http://127.0.0.1:{port}/token",service="test",'
                f'scope="repository:{repo}:pull"'
            )
            return self.reply(401, headers=[("WWW-Authenticate", challenge)])
        if "/manifests/" in url.path:
            found = MANIFESTS.get((repo, rest))
            if found is None:
                return self.reply(404)
            assert INDEX in self.headers["Accept"] and LIST in self.headers["Accept"]
            return self.reply(200, found[1], found[0])
        if "/blobs/" in url.path:
            return self.reply(200, CONFIGS[rest])
        return self.reply(200, {"name": repo, "tags": TAGS.get(repo, [])})

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def registry(monkeypatch, tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Registry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Registry.asked, Registry.basic = [], ""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DOCKER_CONFIG", raising=False)
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def app(tmp_path, host):
    tree = tmp_path / "app"
    tree.mkdir()
    (tree / "Dockerfile").write_text(
        f"ARG REG={host}\n"
        "FROM ${REG}/team/multi:1.0 AS base\n"
        "FROM ${REG}/team/old:1.0\n"
        "FROM --platform=$BUILDPLATFORM ${REG}/team/build:1.0 AS build\n"
        "FROM base\n"
        "FROM scratch\n"
        "FROM ${REG}/team/single:2.0\n"
        "FROM ${REG}/team/armonly:1\n"
        "FROM ${REG}/team/gone:3\n"
    )
    return tree


def findings(res):
    return [(f["line"], f["rule"], f["message"]) for f in res.json()["findings"]]


def test_images_without_arm64_and_the_tag_that_adds_it(tmp_path, registry, run_cli):
    tree = app(tmp_path, registry)
    res = run_cli(tree, "--online", "--allow-registry", registry, "--no-cache", "--format", "json")
    assert findings(res) == [
        (
            3,
            "docker-base-no-arm64",
            f"base image `{registry}/team/old:1.0` has no linux/arm64 build on {registry} (it "
            "has: linux/amd64); tag `1.2` has one",
        ),
        (
            7,
            "docker-base-no-arm64",
            f"base image `{registry}/team/single:2.0` has no linux/arm64 build on {registry} "
            "(it has: linux/amd64)",
        ),
    ]
    report = res.json()
    assert [(m["rule"], m["file"]) for m in report["remarks"]] == [
        ("online-unavailable", "Dockerfile")
    ]
    assert "team/gone:3: not on its registry" in report["remarks"][0]["message"]
    suggestion = report["findings"][0]["suggestion"]
    assert "`1.2`" in suggestion
    # the token flow, and never the build-platform stage
    assert any(p.startswith("/token?") for p in Registry.asked)
    assert not any("team/build" in p for p in Registry.asked)


def test_a_host_named_only_in_the_tree_is_never_contacted(tmp_path, registry, run_cli):
    res = run_cli(app(tmp_path, registry), "--online", "--no-cache", "--format", "json")
    assert Registry.asked == [] and findings(res) == []
    remarks = res.json()["remarks"]
    assert [m["rule"] for m in remarks] == ["online-not-allowed"]
    assert f"--allow-registry {registry}" in remarks[0]["message"]


def test_default_scan_sends_nothing(tmp_path, registry, run_cli):
    run_cli(app(tmp_path, registry), "--allow-registry", registry, "--no-cache", "-q")
    assert Registry.asked == []


def test_docker_config_credentials_are_used_and_never_shown(tmp_path, registry, run_cli):
    Registry.basic = base64.b64encode(b"ci:pw-s3cret").decode()
    folder = tmp_path / "home" / ".docker"
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(
        json.dumps({"auths": {f"http://{registry}": {"auth": Registry.basic}}})
    )
    tree = app(tmp_path, registry)
    res = run_cli(tree, "--online", "--allow-registry", registry, "--no-cache", "--format", "json")
    assert [f[0] for f in findings(res)] == [3, 7]
    assert "pw-s3cret" not in res.out + res.err and Registry.basic not in res.out + res.err


def test_unreachable_registry_is_a_remark(tmp_path, run_cli, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    res = run_cli(
        app(tmp_path, "127.0.0.1:9"),
        "--online",
        "--allow-registry",
        "127.0.0.1:9",
        "--no-cache",
        "--format",
        "json",
    )
    report = res.json()
    assert res.code == 0 and findings(res) == []
    assert [m["rule"] for m in report["remarks"]] == ["online-unavailable"]
    assert "http://127.0.0.1:9/v2/team/multi/manifests/1.0" in report["remarks"][0]["message"]


def test_answers_are_cached(tmp_path, registry, run_cli):
    tree, cache = app(tmp_path, registry), tmp_path / "cache"
    args = ("--online", "--allow-registry", registry, "--cache-dir", cache, "--format", "json")
    first = run_cli(tree, *args)
    asked = len(Registry.asked)
    second = run_cli(tree, *args)
    assert asked and len(Registry.asked) == asked and findings(first) == findings(second)


@pytest.mark.parametrize(
    "image, ref",
    [
        ("python:3.12-slim", ("docker.io", "library/python", "3.12-slim")),
        ("ubuntu", ("docker.io", "library/ubuntu", "latest")),
        ("bitnami/redis:7", ("docker.io", "bitnami/redis", "7")),
        ("docker.io/library/node:20", ("docker.io", "library/node", "20")),
        ("ghcr.io/org/app@sha256:ab", ("ghcr.io", "org/app", "sha256:ab")),
        ("localhost:5000/app", ("localhost:5000", "app", "latest")),
        ("Bad/Name", None),
    ],
)
def test_references(image, ref):
    found = images.parse(image)
    assert (found and (found.host, found.repository, found.reference)) == ref


def test_from_lines():
    text = (
        "# FROM commented:1\n"
        "ARG BASE=python\nARG VER\n"
        "FROM --platform=${BUILDPLATFORM} golang:1.22 AS build\n"
        "FROM ${BASE}:3.11 as app\n"
        "FROM app\n"
        "from scratch\n"
        "FROM node:${VER}\n"  # no default: left out
        "FROM node:${VER:-18}\n"
        "ARG LATE=x\nFROM ${LATE}/img\n"  # an ARG after the first FROM does not apply
    )
    assert base_images(text) == [(5, "python:3.11"), (9, "node:18")]
