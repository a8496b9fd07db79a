# SPDX-License-Identifier: Apache-2.0
"""`--online` for npm against a registry served from 127.0.0.1 by the test: the `cpu` field
and the per-platform packages of the version a lock file resolves, the first version that
installs on Linux/Arm64; the registry and token from the user's own configuration (never the
scanned tree's), the user's npm asked outside the tree, the token kept out of reports."""

from __future__ import annotations

import http.server
import json
import os
import threading

import pytest

from porting_advisor.online import npm

TOKEN = "s3cret-token"


def versions(**docs):
    return {"name": "x", "versions": docs}


PACKUMENTS = {
    # 0.13.0 ships linux-x64 and darwin packages only; 0.13.1 adds linux-arm64
    "esbuild": versions(
        **{
            "0.13.0": {
                "optionalDependencies": {
                    "esbuild-linux-64": "0.13.0",
                    "esbuild-darwin-64": "0.13.0",
                }
            },
            "0.13.1": {
                "optionalDependencies": {
                    "esbuild-linux-64": "0.13.1",
                    "esbuild-linux-arm64": "0.13.1",
                }
            },
            "0.14.0-beta.1": {"optionalDependencies": {"esbuild-linux-arm64": "0.14.0-beta.1"}},
        }
    ),
    # an addon whose `cpu` leaves arm64 out until 1.1.0
    "fsx-native": versions(
        **{"1.0.0": {"cpu": ["x64"]}, "1.0.5": {"cpu": ["x64"]}, "1.1.0": {"cpu": ["x64", "arm64"]}}
    ),
    # runs an install script, no platform fields anywhere: the registry cannot say
    "buildsrc": versions(**{"2.0.0": {"hasInstallScript": True}}),
    # a scoped addon with a linux-x64 package in every version
    "@acme/addon": versions(
        **{"2.0.0": {"optionalDependencies": {"@acme/addon-linux-x64-gnu": "2.0.0"}}}
    ),
}


class Registry(http.server.BaseHTTPRequestHandler):
    """Abbreviated packuments; with `token` set, asks for it; records each path."""

    asked: list[str] = []
    accept: list[str] = []
    token = ""

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        Registry.asked.append(self.path)
        Registry.accept.append(self.headers.get("Accept", ""))
        if Registry.token and self.headers.get("Authorization") != f"Bearer {Registry.token}":
            self.send_response(401)
            self.end_headers()
            return
        name = self.path.strip("/").replace("%2f", "/").replace("%2F", "/")
        doc = PACKUMENTS.get(name)
        self.send_response(404 if doc is None else 200)
        self.send_header("Content-Type", "application/vnd.npm.install-v1+json")
        self.end_headers()
        if doc is not None:
            self.wfile.write(json.dumps(doc).encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def registry(monkeypatch, tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Registry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Registry.asked, Registry.accept, Registry.token = [], [], ""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for key in list(os.environ):
        if key.lower().startswith("npm_config_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("npm_config_globalconfig", str(home / "no-global-npmrc"))
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))  # no npm to ask unless a test adds one
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def lock(entries):
    packages = {"": {"name": "app", "version": "1.0.0"}}
    packages.update({f"node_modules/{name}": info for name, info in entries.items()})
    return json.dumps({"name": "app", "lockfileVersion": 3, "packages": packages}, indent=2)


def app(tmp_path):
    tree = tmp_path / "app"
    tree.mkdir()
    (tree / "package.json").write_text(
        json.dumps({"name": "app", "dependencies": {"esbuild": "^0.13.0", "fsx-native": "1.0.0"}})
    )
    (tree / "package-lock.json").write_text(
        lock(
            {
                "esbuild": {
                    "version": "0.13.0",
                    "hasInstallScript": True,
                    "optionalDependencies": {"esbuild-linux-64": "0.13.0"},
                },
                "esbuild-linux-64": {"version": "0.13.0", "cpu": ["x64"], "optional": True},
                "fsx-native": {"version": "1.0.0", "hasInstallScript": True},
                "buildsrc": {"version": "2.0.0", "hasInstallScript": True},
                "leftpad": {"version": "1.3.0"},
                "@acme/addon": {
                    "version": "2.0.0",
                    "optionalDependencies": {"@acme/addon-linux-x64-gnu": "2.0.0"},
                },
            }
        )
    )
    return tree


def findings(res):
    return [(f["line"], f["rule"], f["message"]) for f in res.json()["findings"]]


def test_registry_verdicts_with_the_first_good_version(tmp_path, registry, run_cli, monkeypatch):
    monkeypatch.setenv("npm_config_registry", registry)
    tree = app(tmp_path)
    res = run_cli(tree, "--online", "--no-cache", "--format", "json")
    text = (tree / "package-lock.json").read_text().split("\n")
    line = {name: next(i for i, t in enumerate(text, 1) if f'"node_modules/{name}"' in t) + 1
            for name in ("esbuild", "fsx-native", "@acme/addon")}  # fmt: skip
    assert findings(res) == [
        (
            line["esbuild"],
            "npm-no-arm64-build",
            "npm package `esbuild` 0.13.0 has a prebuilt package for linux-x64 "
            f"(`esbuild-linux-64`) and none for linux-arm64 on {registry}: it does not install "
            "on Linux/Arm64; first version that installs there: 0.13.1; asked for by "
            "package.json line 1 `^0.13.0`",
        ),
        (
            line["fsx-native"],
            "npm-no-arm64-build",
            f"npm package `fsx-native` 1.0.0 declares `cpu` ['x64'] on {registry}: it does not "
            "install on Linux/Arm64; first version that installs there: 1.1.0; asked for by "
            "package.json line 1 `1.0.0`",
        ),
        (
            line["@acme/addon"],
            "npm-no-arm64-build",
            "npm package `@acme/addon` 2.0.0 has a prebuilt package for linux-x64 "
            f"(`@acme/addon-linux-x64-gnu`) and none for linux-arm64 on {registry}: it does not "
            "install on Linux/Arm64; no later version does; transitive",
        ),
    ]
    # the offline verdict on esbuild (its lock entry's platform packages) was replaced
    assert "node-native-addon" not in res.out
    # only the suspected addons, once each, with the abbreviated-metadata header; never the
    # pure-JS leftpad nor a platform package
    assert sorted(Registry.asked) == ["/@acme%2faddon", "/buildsrc", "/esbuild", "/fsx-native"]
    assert all(a.startswith("application/vnd.npm.install-v1+json") for a in Registry.accept)


def test_default_scan_sends_nothing(tmp_path, registry, run_cli, monkeypatch):
    monkeypatch.setenv("npm_config_registry", registry)
    res = run_cli(app(tmp_path), "--no-cache", "--format", "json")
    assert Registry.asked == [] and "node-native-addon" in res.out


def test_user_npmrc_token_is_used_and_never_shown(tmp_path, registry, run_cli, monkeypatch):
    Registry.token = TOKEN
    host = registry.split("//", 1)[1]
    (tmp_path / "home" / ".npmrc").write_text(
        f"registry={registry}\n//{host}:_authToken=${{NPM_TOKEN}}\n"
    )
    monkeypatch.setenv("NPM_TOKEN", TOKEN)
    tree = app(tmp_path)
    # the scanned tree's own .npmrc names another registry and token: never used
    (tree / ".npmrc").write_text("registry=http://127.0.0.1:9/\n//127.0.0.1:9/:_authToken=x\n")
    res = run_cli(tree, "--online", "--no-cache", "--format", "json")
    assert [f[1] for f in findings(res)] == ["npm-no-arm64-build"] * 3
    assert TOKEN not in res.out + res.err
    assert not res.json()["remarks"]


def test_the_users_npm_is_asked_outside_the_tree(tmp_path, registry, run_cli):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    where = tmp_path / "npm-cwd"
    fake = bin_dir / "npm"
    fake.write_text(f'#!/bin/sh\npwd > "{where}"\necho "$*" >> "{where}"\necho {registry}\n')
    fake.chmod(0o755)
    tree = app(tmp_path)
    res = run_cli(tree, "--online", "--no-cache", "--format", "json")
    assert [f[1] for f in findings(res)] == ["npm-no-arm64-build"] * 3
    cwd, args = where.read_text().split("\n")[:2]
    assert args == "config get registry" and not cwd.startswith(str(tree))


def test_no_registry_and_no_npm_is_a_remark(tmp_path, registry, run_cli):
    res = run_cli(app(tmp_path), "--online", "--no-cache", "--format", "json")
    report = res.json()
    assert res.code == 0 and Registry.asked == []
    assert [m["rule"] for m in report["remarks"]] == ["online-unavailable"]
    assert "no npm registry configured" in report["remarks"][0]["message"]
    # the offline verdicts (the lock file's platform packages) stand
    assert [f["rule"] for f in report["findings"]] == ["node-native-addon"] * 2


def test_unreachable_registry_is_a_remark_without_credentials(
    tmp_path, registry, run_cli, monkeypatch
):
    monkeypatch.setenv("npm_config_registry", "http://user:pw-s3cret@127.0.0.1:9/")
    res = run_cli(app(tmp_path), "--online", "--no-cache", "--format", "json")
    remarks = [m["message"] for m in res.json()["remarks"]]
    assert len(remarks) == 1 and "http://***@127.0.0.1:9/" in remarks[0]
    assert "pw-s3cret" not in res.out + res.err


def test_answers_are_cached(tmp_path, registry, run_cli, monkeypatch):
    monkeypatch.setenv("npm_config_registry", registry)
    tree = app(tmp_path)
    cache = tmp_path / "cache"
    first = run_cli(tree, "--online", "--cache-dir", cache, "--format", "json")
    asked = len(Registry.asked)
    second = run_cli(tree, "--online", "--cache-dir", cache, "--format", "json")
    assert asked == 4 and len(Registry.asked) == asked
    assert findings(first) == findings(second)


def test_an_installed_gypfile_package_is_asked(tmp_path, registry, run_cli, monkeypatch):
    """No install script in the lock file, but the installed package.json says `gypfile`."""
    monkeypatch.setenv("npm_config_registry", registry)
    PACKUMENTS["gypaddon"] = versions(**{"1.0.0": {"cpu": ["x64"]}, "1.1.0": {"cpu": ["x64"]}})
    tree = tmp_path / "app"
    (tree / "node_modules" / "gypaddon").mkdir(parents=True)
    (tree / "node_modules" / "gypaddon" / "package.json").write_text(
        json.dumps({"name": "gypaddon", "version": "1.0.0", "gypfile": True})
    )
    (tree / "package-lock.json").write_text(
        lock({"gypaddon": {"version": "1.0.0"}, "plain": {"version": "1.0.0"}})
    )
    try:
        res = run_cli(tree, "--online", "--no-cache", "--format", "json")
    finally:
        del PACKUMENTS["gypaddon"]
    assert [(f[1], f[2].rsplit("; ", 1)[1]) for f in findings(res)] == [
        ("npm-no-arm64-build", "no later version does")
    ]
    assert Registry.asked == ["/gypaddon"]


def test_npmrc_scopes_and_auth_forms(monkeypatch, tmp_path):
    rc = tmp_path / ".npmrc"
    rc.write_text(
        "; comment\n@corp:registry=https://npm.corp.example/api/npm/\n"
        "//npm.corp.example/api/npm/:_auth=dTpw\n//other.example/:username=u\n"
        "//other.example/:_password=cHc=\n"
    )
    config = npm.read_npmrc(rc)
    assert npm.registry_for("@corp/x", config, "D") == "https://npm.corp.example/api/npm/"
    assert npm.registry_for("plain", config, "D") == "D"
    assert npm.auth_header("https://npm.corp.example/api/npm/", config) == {
        "Authorization": "Basic dTpw"
    }
    assert npm.auth_header("https://other.example/deep/path/", config) == {
        "Authorization": "Basic dTpwdw=="
    }
    assert npm.auth_header("https://third.example/", config) == {}


def test_os_field_and_prereleases():
    docs = {
        "1.0.0": {"cpu": [], "os": ["darwin", "win32"], "packages": []},
        "2.0.0-rc.1": {"cpu": [], "os": [], "packages": []},
        "2.0.0": {"cpu": [], "os": ["!win32"], "packages": []},
    }
    assert npm.judge(docs, "1.0.0") == ("declares `os` ['darwin', 'win32']", "2.0.0")
    assert npm.judge(docs, "2.0.0") == ("", "2.0.0")
    assert npm.judge(docs, "3.0.0") is None
