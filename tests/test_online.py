# SPDX-License-Identifier: Apache-2.0
"""`--online` against a package index served from 127.0.0.1 by the test (never a public host)."""

from __future__ import annotations

import http.server
import json
import threading

import pytest

from porting_advisor.online import indexes, simple

WHEELS = {
    # fastlib 1.0 has x86-64 wheels only; 1.1 adds aarch64 ones
    "fastlib": [
        "fastlib-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "fastlib-1.0.tar.gz",
        "fastlib-1.1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "fastlib-1.1-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
    ],
    # newlib's aarch64 wheel needs glibc 2.39: not installable on Amazon Linux 2023
    "newlib": [
        "newlib-2.0-cp311-cp311-manylinux_2_28_x86_64.whl",
        "newlib-2.0-cp311-cp311-manylinux_2_39_aarch64.whl",
    ],
    "purelib": ["purelib-1.0-py3-none-any.whl"],
}


class Index(http.server.BaseHTTPRequestHandler):
    """PEP 691 JSON for fastlib and newlib, PEP 503 HTML for purelib; records each path."""

    asked: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        Index.asked.append(self.path)
        name = self.path.strip("/").split("/")[-1]
        files = WHEELS.get(name)
        if files is None:
            self.send_response(404)
            self.end_headers()
            return
        if name == "purelib":
            body = "".join(f'<a href="../../files/{f}">{f}</a>' for f in files).encode()
            kind = "text/html"
        else:
            page = {"meta": {"api-version": "1.0"}, "name": name}
            page["files"] = [{"filename": f, "url": f"/files/{f}", "hashes": {}} for f in files]
            body = json.dumps(page).encode()
            kind = "application/vnd.pypi.simple.v1+json"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def index_url(monkeypatch):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Index)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Index.asked = []
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")
    monkeypatch.delenv("PIP_EXTRA_INDEX_URL", raising=False)
    url = f"http://127.0.0.1:{server.server_address[1]}/simple"
    monkeypatch.setenv("PIP_INDEX_URL", url)
    yield url
    server.shutdown()


def app(tmp_path):
    (tmp_path / "requirements.txt").write_text(
        "fastlib==1.0\nfastlib>=1.0\npurelib==1.0\nnewlib==2.0\nnumpy==1.15.4\n"
    )
    (tmp_path / ".python-version").write_text("3.11\n")
    return tmp_path


def test_online_reports_a_pin_with_x86_wheels_only(tmp_path, index_url, run_cli):
    res = run_cli(app(tmp_path), "--online", "--no-cache", "--format", "json")
    found = [(f["line"], f["rule"], f["message"]) for f in res.json()["findings"]]
    assert found == [
        (
            1,
            "dependency-no-arm64-wheel",
            "`fastlib` 1.0 has Linux x86-64 wheels but none for Arm64 (CPython 3.11, glibc "
            "2.34) (pip would build the sdist); first version with one: 1.1",
        ),
        (
            4,
            "dependency-no-arm64-wheel",
            "`newlib` 2.0 has Linux x86-64 wheels but none for Arm64 (CPython 3.11, glibc "
            "2.34); no version has one",
        ),
        # the index does not know numpy: the offline table's verdict stands
        (
            5,
            "dependency-too-old",
            "`numpy` 1.15.4 predates Arm64 support (first Arm64-ready version: 1.19.0)",
        ),
    ]
    # one page per package, nothing else
    assert sorted(Index.asked) == [
        f"/simple/{n}/" for n in ("fastlib", "newlib", "numpy", "purelib")
    ]


def test_default_scan_sends_nothing(tmp_path, index_url, run_cli):
    res = run_cli(app(tmp_path), "--no-cache", "--format", "json")
    assert res.code == 0 and Index.asked == []


def test_online_answer_replaces_the_table(tmp_path, index_url, run_cli):
    """numpy on this index has an aarch64 wheel for 1.15.4: the table's verdict is dropped."""
    WHEELS["numpy"] = ["numpy-1.15.4-cp311-cp311-manylinux2014_aarch64.whl"]
    try:
        res = run_cli(app(tmp_path), "--online", "--no-cache", "--format", "json")
    finally:
        del WHEELS["numpy"]
    assert [f["line"] for f in res.json()["findings"]] == [1, 4]


def test_unreachable_index_is_a_remark_without_credentials(tmp_path, run_cli, monkeypatch):
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")
    res = run_cli(
        app(tmp_path),
        "--online",
        "--no-cache",
        "--format",
        "json",
        "--index-url",
        "http://user:s3cret@127.0.0.1:9/simple",
    )
    report = res.json()
    assert res.code == 0
    remarks = [m["message"] for m in report["remarks"] if m["rule"] == "online-unavailable"]
    assert len(remarks) == 1 and "http://127.0.0.1:9/simple/fastlib/" in remarks[0]
    assert "s3cret" not in res.out + res.err
    assert [f["rule"] for f in report["findings"]] == ["dependency-too-old"]  # offline verdict


def test_index_from_pip_configuration(monkeypatch, tmp_path):
    conf = tmp_path / "pip.conf"
    conf.write_text("[global]\nindex-url = http://127.0.0.1:1/one\nextra-index-url = file:///x\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(conf))
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    monkeypatch.delenv("PIP_EXTRA_INDEX_URL", raising=False)
    assert indexes.pypi_indexes() == ["http://127.0.0.1:1/one", "file:///x"]
    assert indexes.pypi_indexes("http://127.0.0.1:2/s") == ["http://127.0.0.1:2/s"]


def test_wheel_tags_and_glibc():
    page = simple.parse_page(
        b'<a href="x/a-1.0-cp312-abi3-manylinux_2_34_aarch64.whl#sha256=0">a</a>'
        b'<a href="x/a-1.1-cp312-abi3-manylinux_2_35_aarch64.whl">a</a>',
        "text/html",
    )
    one, two = (simple.by_version(page)[v] for v in sorted(simple.by_version(page)))
    assert simple.has_build(one, "aarch64", ("3.13",), (2, 34))  # abi3 from 3.12 on
    assert not simple.has_build(one, "aarch64", ("3.11",), (2, 34))
    assert not simple.has_build(two, "aarch64", ("3.13",), (2, 34))
    assert simple.has_build(two, "aarch64", ("3.13",), (2, 39))
    assert indexes.redact("https://u:p@h/simple") == "https://***@h/simple"
