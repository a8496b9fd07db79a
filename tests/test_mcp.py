# SPDX-License-Identifier: Apache-2.0
"""`porting-advisor mcp`: the SDK's own stdio client spawns `python -m porting_advisor mcp`
once for the module and calls every tool over the protocol."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest

from conftest import ROOT, mcp_calls

anyio = pytest.importorskip("anyio")
pytest.importorskip("mcp")

from mcp import ClientSession, StdioServerParameters, stdio_client  # noqa: E402

SAMPLES = ROOT / "sample-projects"
TIMEOUT = 60  # seconds for the server's start and for each call
SESSION_TIMEOUT = 600  # seconds for the whole conversation


class Server:
    """One server process for the module, driven from a thread running the client's event
    loop; each call is a request to that thread."""

    def __init__(self, errlog, cache: str, *args: str) -> None:
        self.args = args
        self.errlog = errlog  # the server's stderr
        self.cache = cache
        self.requests: list = []
        self.ready = threading.Event()
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self.main, daemon=True)

    def main(self) -> None:
        try:
            anyio.run(self.converse)
        except BaseException as exc:  # noqa: BLE001 - reported by the next call
            self.error = exc
            self.ready.set()

    async def converse(self) -> None:
        params = StdioServerParameters(
            command=sys.executable,
            args=["-m", "porting_advisor", "mcp", *self.args],
            env={"PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": self.cache},
            cwd=str(ROOT),
        )
        with anyio.fail_after(SESSION_TIMEOUT):
            async with (
                stdio_client(params, errlog=self.errlog) as (read, write),
                ClientSession(read, write, read_timeout_seconds=TIMEOUT) as session,
            ):
                self.info = await session.initialize()
                self.ready.set()
                while not self.stop.is_set():
                    await anyio.sleep(0.01)
                    if self.requests:
                        coro_fn, box, done = self.requests.pop(0)
                        try:
                            box.append(await coro_fn(session))
                        except BaseException as exc:  # noqa: BLE001 - handed to the caller
                            box.append(exc)
                        done.set()

    def start(self) -> Server:
        self.thread.start()
        assert self.ready.wait(TIMEOUT), "server did not start"
        if self.error:
            raise self.error
        return self

    def ask(self, coro_fn):
        box: list = []
        done = threading.Event()
        self.requests.append((coro_fn, box, done))
        assert done.wait(TIMEOUT), "no answer in time"
        if isinstance(box[0], BaseException):
            raise box[0]
        return box[0]

    def call(self, tool: str, **arguments):
        """(is_error, structured result or the error text)"""
        result = self.ask(lambda s: s.call_tool(tool, arguments))
        if result.is_error:
            return True, result.content[0].text
        assert json.loads(result.content[0].text) == result.structured_content
        return False, result.structured_content

    def close(self) -> None:
        self.stop.set()
        self.thread.join(TIMEOUT)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.c").write_text("int main(void) { return 0; }\n")
    link_root = tmp_path_factory.mktemp("linked")
    (link_root / "escape").symlink_to(outside)
    cache = tmp_path_factory.mktemp("cache")
    with open(cache / "stderr.log", "w+") as errlog:
        srv = Server(errlog, str(cache), "--root", str(SAMPLES), "--root", str(link_root))
        srv.start()
        srv.outside, srv.link_root = outside, link_root
        yield srv
        srv.close()


def test_lists_the_tools_with_plain_descriptions(server):
    tools = server.ask(lambda s: s.list_tools()).tools
    names = sorted(t.name for t in tools)
    assert names == [
        "check_dependency",
        "explain_rule",
        "list_rules",
        "scan",
        "suggest_replacement",
    ]
    for t in tools:
        assert t.description and t.annotations.read_only_hint is True
    scan = next(t for t in tools if t.name == "scan")
    assert set(scan.input_schema["properties"]) == {
        "path",
        "target",
        "categories",
        "page",
        "page_size",
    }
    assert scan.input_schema["required"] == ["path"]
    assert server.info.server_info.name == "porting-advisor"


def test_scan_gives_the_verdict_and_the_same_findings_as_the_cli(server, run_cli):
    error, result = server.call("scan", path=str(SAMPLES), page_size=500)
    assert not error, result
    assert result["verdict"] == "blocked" == result["summary"]["verdict"]
    assert result["verdict_meaning"] == "an error with no Arm64 build to switch to"
    cli = run_cli(SAMPLES, "--no-cache", "--format", "json").json()
    assert result["total_findings"] == len(cli["findings"]) == 78
    assert result["findings"] == cli["findings"]
    assert result["summary"] == cli["summary"]
    assert result["pages"] == 1
    first = result["findings"][0]
    assert (first["file"], first["line"], first["rule"]) == (
        "c-simd-engine/Makefile",
        1,
        "build-x86-isa-flag",
    )
    assert first["suggestion"].startswith("Remove `-msse4.2` from Arm64 builds")


def test_pages_through_the_findings(server):
    pages = []
    for page in (1, 2, 3):
        error, result = server.call("scan", path=".", page=page, page_size=30)
        assert not error, result
        assert (result["pages"], result["page"], result["total_findings"]) == (3, page, 78)
        pages.append(result["findings"])
    assert [len(p) for p in pages] == [30, 30, 18]
    _, whole = server.call("scan", path=".", page_size=100)
    assert [f for p in pages for f in p] == whole["findings"]
    error, past = server.call("scan", path=".", page=4, page_size=30)
    assert not error and past["findings"] == [] and past["pages"] == 3
    error, text = server.call("scan", path=".", page=0)
    assert error and "page" in text


def test_target_and_categories_do_not_leak_into_the_next_scan(server):
    _, dependencies = server.call("scan", path="python-native-deps", categories=["dependency"])
    assert {f["category"] for f in dependencies["findings"]} == {"dependency"}
    _, altra = server.call("scan", path="c-simd-engine", target="ampere-altra")
    assert altra["target"] == "ampere-altra"
    assert "-mcpu=neoverse-n1" in altra["findings"][0]["suggestion"]
    _, again = server.call("scan", path="python-native-deps")
    _, cli_like = server.call("scan", path=str(SAMPLES / "python-native-deps"))
    assert again == cli_like and again["target"] == "graviton3"
    assert len({f["category"] for f in again["findings"]}) > 1


def test_refuses_paths_outside_the_roots(server):
    for path in (
        str(server.outside),
        str(SAMPLES / ".." / "porting_advisor"),
        "../porting_advisor",
        str(server.link_root / "escape"),  # a symlink under a root to a folder outside
        "/",
    ):
        error, text = server.call("scan", path=path)
        assert error, path
        assert "refused" in text and "outside the roots" in text, text
    error, text = server.call("scan", path="no-such-dir")
    assert error and "does not exist" in text
    error, text = server.call("scan", path=".", target="pentium")
    assert error and "unknown target 'pentium'" in text


def test_explains_and_lists_rules(server):
    error, rule = server.call("explain_rule", id="c-x86-intrinsic")
    assert not error
    assert (rule["id"], rule["category"], rule["severity"]) == (
        "c-x86-intrinsic",
        "intrinsic",
        "error",
    )
    assert "NEON" in rule["suggestion"]
    error, text = server.call("explain_rule", id="no-such-rule")
    assert error and "unknown rule 'no-such-rule'" in text
    _, listed = server.call("list_rules", category="build-flag")
    assert {r["id"] for r in listed["rules"]} == {"build-x86-isa-flag", "build-march-native"}
    assert listed["categories"]["intrinsic"] == {
        "severity": "error",
        "default": True,
        "description": listed["categories"]["intrinsic"]["description"],
    }


def test_checks_dependencies(server):
    _, bad = server.call("check_dependency", ecosystem="pypi", name="NumPy", version="1.17.5")
    assert bad["name"] == "numpy" and bad["arm64"] == "needs >= 1.19.0"
    assert [(f["rule"], f["suggestion"]) for f in bad["findings"]] == [
        ("dependency-too-old", "Upgrade `numpy` to 1.19.0 or later.")
    ]
    assert "online" not in bad  # started without --online: nothing is asked
    _, good = server.call("check_dependency", ecosystem="pypi", name="numpy", version="1.26.4")
    assert (good["arm64"], good["findings"], good["table"]["min_version"]) == ("ok", [], "1.19.0")
    _, blocked = server.call(
        "check_dependency",
        ecosystem="maven",
        name="org.fusesource.leveldbjni:leveldbjni-all",
        version="1.8",
    )
    assert [f["rule"] for f in blocked["findings"]] == ["dependency-no-arm64"]
    _, unknown = server.call("check_dependency", ecosystem="go", name="example.com/x", version="")
    assert (unknown["in_table"], unknown["arm64"], unknown["findings"]) == (False, "unknown", [])
    error, text = server.call("check_dependency", ecosystem="cargo", name="x")
    assert error and "unknown ecosystem 'cargo'" in text


def test_suggests_replacements(server):
    _, intrinsic = server.call("suggest_replacement", name="_mm_add_epi32")
    assert (intrinsic["kind"], intrinsic["family"], intrinsic["rule"]) == (
        "intrinsic",
        "SSE2",
        "c-x86-intrinsic",
    )
    assert "`vaddq_s32`" in intrinsic["suggestion"]
    assert "SIMDe" in intrinsic["advice_source"]
    _, flag = server.call("suggest_replacement", name="-mavx2", target="graviton4")
    assert (flag["kind"], flag["rule"], flag["target_flags"]) == (
        "flag",
        "build-x86-isa-flag",
        "-mcpu=neoverse-v2",
    )
    assert "-mcpu=neoverse-v2" in flag["suggestion"] and flag["caveats"]
    _, avx512 = server.call("suggest_replacement", name="_mm512_add_ps", target="ampere-altra")
    assert avx512["caveats"] == [
        "ampere-altra has no SVE: only the NEON part of the advice applies"
    ]
    _, plain = server.call("suggest_replacement", name="-O2")
    assert plain["found"] is False


def test_stdout_carries_only_the_protocol(tmp_path):
    """Raw JSON-RPC over the server's pipes: every line it writes to stdout is a protocol
    message, also while it scans; each answer arrives before the end of input stops it."""
    answers, err = mcp_calls(
        [sys.executable, "-m", "porting_advisor", "mcp", "--root", str(SAMPLES)],
        [("scan", {"path": "."}), ("scan", {"path": "/etc"})],
        TIMEOUT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path)},
    )
    assert [a.get("id") for a in answers] == [0, 1, 2]
    assert all(a["jsonrpc"] == "2.0" for a in answers)
    result = answers[1]["result"]["structuredContent"]
    assert result["verdict"] == "blocked" and result["total_findings"] == 78
    refused = answers[2]["result"]
    assert refused["isError"] is True and "outside the roots" in refused["content"][0]["text"]
    assert "Traceback" not in err


def test_a_plain_scan_does_not_import_the_sdk(tmp_path):
    code = (
        "import sys; from porting_advisor import cli; "
        f"rc = cli.main([{str(SAMPLES / 'c-simd-engine')!r}, '--no-cache', '-q', '--format', "
        "'json']); print(rc, 'mcp' in sys.modules, 'pydantic' in sys.modules, file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.stderr.strip().splitlines()[-1] == "0 False False"


def test_help_names_the_subcommand(run_cli):
    res = run_cli("--help")
    assert "porting-advisor mcp --root DIR" in res.out and "./mcp" in res.out
    res = run_cli("mcp", "--help")
    assert res.code == 0 and "--root" in res.out
    res = run_cli("mcp")
    assert res.code == 2 and "--root" in res.err


def test_a_directory_named_mcp_is_scanned_as_dot_slash_mcp(tmp_path, run_cli, monkeypatch):
    (tmp_path / "mcp").mkdir()
    (tmp_path / "mcp" / "Makefile").write_text("CFLAGS += -mavx2\n")
    monkeypatch.chdir(tmp_path)
    res = run_cli("./mcp", "--no-cache", "--format", "json")
    assert [f["rule"] for f in res.json()["findings"]] == ["build-x86-isa-flag"]


def test_online_check_asks_the_index(tmp_path):
    """--online: check_dependency takes the index's answer (an index served on 127.0.0.1)."""
    import http.server

    from porting_advisor.core import ruleset
    from porting_advisor.serve import knowledge, tools

    files = {
        "fastlib": [
            "fastlib-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "fastlib-1.1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "fastlib-1.1-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
        ]
    }

    class Index(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            name = self.path.strip("/").split("/")[-1]
            page = {"meta": {"api-version": "1.0"}, "name": name}
            page["files"] = [{"filename": f, "url": f"/f/{f}", "hashes": {}} for f in files[name]]
            self.send_response(200)
            self.send_header("Content-Type", "application/vnd.pypi.simple.v1+json")
            self.end_headers()
            self.wfile.write(json.dumps(page).encode())

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Index)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        cfg = tools.Config(
            roots=(tmp_path,),
            rules=ruleset.load(),
            online=True,
            index_url=f"http://127.0.0.1:{httpd.server_address[1]}/simple",
        )
        old = knowledge.check_dependency(cfg, "pypi", "fastlib", "1.0")
        new = knowledge.check_dependency(cfg, "pypi", "fastlib", "1.1")
        maven = knowledge.check_dependency(cfg, "maven", "org.lz4:lz4-java", "1.3.0")
    finally:
        httpd.shutdown()
    assert old["online"]["arm64_build"] is False
    assert old["online"]["first_version_with_arm64_build"] == "1.1"
    assert [f["rule"] for f in old["findings"]] == ["dependency-no-arm64-wheel"]
    assert new["online"]["arm64_build"] is True and new["findings"] == []
    assert maven["online"] == {"asked": False, "why": "--online asks Python package indexes only"}
    assert [f["rule"] for f in maven["findings"]] == ["dependency-too-old"]


def test_server_start_is_refused_for_a_missing_root(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "porting_advisor", "mcp", "--root", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 2 and done.stdout == ""
    assert "--root" in done.stderr


def test_roots_confine_paths_in_process(tmp_path):
    from porting_advisor.serve import tools

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    roots = tools.resolve_roots((str(tmp_path / "a"),))
    assert tools.confine(".", roots) == (tmp_path / "a").resolve()
    with pytest.raises(tools.ToolFailure, match="outside the roots"):
        tools.confine("../b", roots)
    # a sibling whose name starts with the root's: not under it
    (tmp_path / "ab").mkdir()
    with pytest.raises(tools.ToolFailure, match="outside the roots"):
        tools.confine(str(tmp_path / "ab"), roots)


def test_the_server_runs_with_the_collector_on(monkeypatch, run_cli):
    """`main()` turns the collector off for a scan, not for the long-running server."""
    import gc

    from porting_advisor.serve import stdio

    seen = []
    monkeypatch.setattr(stdio, "run", lambda cfg: seen.append((gc.isenabled(), cfg.roots)))
    res = run_cli("mcp", "--root", SAMPLES, "--no-cache")
    assert res.code == 0 and res.out == ""
    assert seen == [(True, (SAMPLES.resolve(),))]


def test_a_scan_leaves_no_state_behind():
    import gc

    from porting_advisor.core import ruleset
    from porting_advisor.engine import pipeline
    from porting_advisor.engine import scan as engine
    from porting_advisor.scanners.c import preproc
    from porting_advisor.serve import tools

    cfg = tools.Config(roots=(SAMPLES.resolve(),), rules=ruleset.load(), jobs=2)
    first = tools.scan(cfg, "c-simd-engine")
    assert pipeline.PHASES.spent == [] and engine.STATE == {}
    assert preproc.LITERAL_CACHE == {}  # (the only memo: states are built incrementally)
    assert gc.get_freeze_count() == 0
    assert tools.scan(cfg, "c-simd-engine") == first


def test_without_the_sdk_the_subcommand_says_how_to_get_it(monkeypatch, run_cli):
    import porting_advisor.serve

    monkeypatch.setitem(sys.modules, "mcp.server.mcpserver", None)  # (import fails)
    monkeypatch.delitem(sys.modules, "porting_advisor.serve.stdio", raising=False)
    monkeypatch.delattr(porting_advisor.serve, "stdio", raising=False)
    res = run_cli("mcp", "--root", SAMPLES)
    assert res.code == 2 and res.out == ""
    assert "pip install 'porting-advisor[mcp]'" in res.err
