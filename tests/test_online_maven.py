# SPDX-License-Identifier: Apache-2.0
"""`--online` for Maven against a repository layout served from 127.0.0.1 by the test: the
first version of a JNI artifact with a linux-aarch_64 classifier jar, the user's settings.xml
mirror (never the scanned tree's), credentials kept out of reports."""

from __future__ import annotations

import base64
import http.server
import threading

import pytest

from porting_advisor.online import maven

GROUP = "io/netty/netty-tcnative-boringssl-static"
# versions of netty-tcnative-boringssl-static and whether each has a linux-aarch_64 jar
VERSIONS = {f"2.0.{n}.Final": n >= 31 for n in range(20, 40)}
ROCKS = {"6.0.1": False, "6.29.5": False}  # no classifier jars in any release: no verdict


def metadata(versions: dict[str, bool]) -> bytes:
    listed = "".join(f"<version>{v}</version>" for v in versions)
    return f"<metadata><versioning><versions>{listed}</versions></versioning></metadata>".encode()


class Repo(http.server.BaseHTTPRequestHandler):
    """A Maven repository layout; records each (method, path); with `auth` set, asks for it."""

    asked: list[tuple[str, str]] = []
    auth = ""

    def answer(self, body: bytes | None) -> None:
        Repo.asked.append((self.command, self.path))
        if Repo.auth and self.headers.get("Authorization") != "Basic " + Repo.auth:
            self.send_response(401)
            self.end_headers()
            return
        self.send_response(404 if body is None else 200)
        self.end_headers()
        if body and self.command == "GET":
            self.wfile.write(body)

    def lookup(self) -> bytes | None:
        path = self.path.split("/maven2/", 1)[-1]
        for prefix, versions in ((GROUP, VERSIONS), ("org/rocksdb/rocksdbjni", ROCKS)):
            if path == f"{prefix}/maven-metadata.xml":
                return metadata(versions)
            for v, arm in versions.items():
                if (
                    arm
                    and path.startswith(f"{prefix}/{v}/")
                    and path.endswith("-linux-aarch_64.jar")
                ):
                    return b"PK"
        return None

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.answer(self.lookup())

    def do_HEAD(self) -> None:  # noqa: N802
        self.answer(self.lookup())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def repo(monkeypatch, tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Repo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Repo.asked, Repo.auth = [], ""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no user settings.xml
    monkeypatch.delenv("MAVEN_HOME", raising=False)
    yield f"http://127.0.0.1:{server.server_address[1]}/maven2"
    server.shutdown()


def app(tmp_path):
    tree = tmp_path / "app"
    tree.mkdir()
    (tree / "build.gradle").write_text(
        "dependencies {\n"
        "    implementation 'io.netty:netty-tcnative-boringssl-static:2.0.25.Final'\n"
        "    implementation 'io.netty:netty-tcnative-boringssl-static:2.0.36.Final'\n"
        "    implementation 'org.rocksdb:rocksdbjni:6.0.1'\n"
        "}\n"
    )
    return tree


def findings(res):
    return [(f["line"], f["rule"], f["message"]) for f in res.json()["findings"]]


def test_first_version_with_an_arm64_classifier(tmp_path, repo, run_cli):
    res = run_cli(app(tmp_path), "--online", "--maven-repo", repo, "--no-cache", "--format", "json")
    assert findings(res) == [
        (
            2,
            "dependency-no-arm64-native",
            "`io.netty:netty-tcnative-boringssl-static` 2.0.25.Final has no Linux/Arm64 "
            f"classifier jar on {repo}; first version with one: 2.0.31.Final",
        ),
        # every rocksdbjni release lacks a classifier jar (natives in the main jar): the
        # repository cannot say, the table's verdict stands
        (
            4,
            "dependency-too-old",
            "`rocksdbjni` 6.0.1 predates Arm64 support (first Arm64-ready version: 6.4.6)",
        ),
    ]
    heads = {p.split("/")[-2] for m, p in Repo.asked if m == "HEAD" and "tcnative" in p}
    # the pinned versions, the latest and a bisection between: not every release
    assert len(heads) < len(VERSIONS) // 2
    assert all(m in ("GET", "HEAD") for m, _ in Repo.asked)


def test_default_scan_and_online_without_maven_send_nothing_to_it(tmp_path, repo, run_cli):
    run_cli(app(tmp_path), "--maven-repo", repo, "--no-cache", "--format", "json")
    assert Repo.asked == []


def test_user_settings_mirror_with_credentials(tmp_path, repo, run_cli):
    home = tmp_path / "home" / ".m2"
    home.mkdir(parents=True)
    (home / "settings.xml").write_text(
        '<settings xmlns="http://maven.apache.org/SETTINGS/1.0.0"><servers><server>'
        "<id>corp</id><username>ci</username><password>s3cret</password></server></servers>"
        f"<mirrors><mirror><id>corp</id><mirrorOf>central</mirrorOf><url>{repo}</url>"
        "</mirror></mirrors></settings>"
    )
    Repo.auth = base64.b64encode(b"ci:s3cret").decode()
    tree = app(tmp_path)
    # the scanned tree's own settings.xml names another host: never contacted
    (tree / "settings.xml").write_text(
        "<settings><mirrors><mirror><id>x</id><mirrorOf>*</mirrorOf>"
        "<url>http://127.0.0.1:9/evil</url></mirror></mirrors></settings>"
    )
    res = run_cli(tree, "--online", "--no-cache", "--format", "json")
    assert [f[0] for f in findings(res)] == [2, 4]
    assert "s3cret" not in res.out and "s3cret" not in res.err
    assert "***@127.0.0.1" in findings(res)[0][2]
    assert Repo.asked and all(p.startswith("/maven2/") for _, p in Repo.asked)


def test_unreachable_repository_is_a_remark(tmp_path, repo, run_cli):
    res = run_cli(
        app(tmp_path),
        "--online",
        "--maven-repo",
        "http://user:s3cret@127.0.0.1:9/maven2",
        "--no-cache",
        "--format",
        "json",
    )
    report = res.json()
    assert res.code == 0
    remarks = [m["message"] for m in report["remarks"] if m["rule"] == "online-unavailable"]
    assert len(remarks) == 1 and "s3cret" not in res.out and "127.0.0.1:9/" in remarks[0]
    # the offline verdicts stand
    assert [f[1] for f in findings(res)] == ["dependency-too-old"] * 2


@pytest.mark.parametrize(
    "mirror_of, url",
    [
        ("*", "https://m.example/r"),
        ("central", "https://m.example/r"),
        ("external:*,!snapshots", "https://m.example/r"),
        ("*,!central", ""),
        ("snapshots", ""),
    ],
)
def test_settings_mirrors(mirror_of, url):
    text = (
        f"<settings><mirrors><mirror><id>m</id><mirrorOf>{mirror_of}</mirrorOf>"
        "<url>https://m.example/r</url></mirror></mirrors></settings>"
    )
    assert maven.mirror_of(text) == url


def test_settings_refuses_a_dtd_and_encrypted_passwords_stay_out():
    assert maven.mirror_of('<!DOCTYPE s [<!ENTITY a "b">]><settings/>') == ""
    text = (
        "<settings><servers><server><id>m</id><username>u</username>"
        "<password>{abc=}</password></server></servers><mirrors><mirror><id>m</id>"
        "<mirrorOf>*</mirrorOf><url>https://m.example/r</url></mirror></mirrors></settings>"
    )
    assert maven.mirror_of(text) == "https://m.example/r"
