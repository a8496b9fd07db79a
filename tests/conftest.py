# SPDX-License-Identifier: Apache-2.0
"""Shared helpers: run the CLI in-process, scan a tree, read fixture annotations."""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from porting_advisor import cli
from porting_advisor.core import ruleset
from porting_advisor.core.model import Options, Report
from porting_advisor.engine import pipeline

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
ROOT = HERE.parent
ANNOTATION = re.compile(r"\b(file-ruleid|file-ok|ruleid|ok):\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)")


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self) -> dict:
        return json.loads(self.out)


@pytest.fixture
def run_cli(capsys):
    """Run `porting-advisor ARGS` in-process; returns exit code, stdout and stderr."""

    def run(*args: str) -> CliResult:
        code = cli.main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture(scope="session")
def rules() -> ruleset.RuleSet:
    return ruleset.load()


def scan(root: Path, rules: ruleset.RuleSet, **kw: object) -> Report:
    """Scan `root` in-process with the given options (names as in Options)."""
    issue_types = str(kw.pop("issue_types", ""))
    opts = Options(
        root=root,
        categories=ruleset.parse_issue_types(issue_types, rules),
        jobs=int(kw.pop("jobs", 1)),
        **kw,
    )  # type: ignore[arg-type]
    return pipeline.run(opts, rules)


def case_options(case: Path) -> dict[str, object]:
    """fixture.toml [options] of a fixture case, with option names as Options fields."""
    path = case / "fixture.toml"
    if not path.exists():
        return {}
    raw = tomllib.loads(path.read_text())["options"]
    out = {k.replace("-", "_"): v for k, v in raw.items()}
    for key in ("index_url", "maven_repo"):  # an index or a repository inside the case
        if key in out and "://" not in out[key]:
            out[key] = (case / out[key]).as_uri()
    if "compile_commands" in out:  # a compile database inside the case
        from porting_advisor.core import compdb

        out["compile_db"] = compdb.load(case / str(out.pop("compile_commands")), case)
    return out


def annotations(case: Path) -> tuple[set, set, list]:
    """(expected, forbidden, all rule ids annotated) for every file under a fixture case.

    `ruleid: a, b` expects findings of a and b on the next line that is not an annotation;
    `ok: a` forbids a there. `file-ruleid:`/`file-ok:` are about the whole file (line 0).
    """
    expected: set[tuple[str, int, str]] = set()
    forbidden: set[tuple[str, int, str]] = set()
    seen: list[tuple[str, str]] = []
    expect = case / "fixture.expect"
    if expect.exists():  # for files that cannot carry comments (binaries, archive members)
        for line in expect.read_text().splitlines():
            m = re.match(r"^(ruleid|ok):\s*(\S+)\s+(\d+)\s+([a-z0-9-]+)\s*$", line)
            if m:
                kind, file, no, rid = m.groups()
                seen.append((kind, rid))
                (expected if kind == "ruleid" else forbidden).add((file, int(no), rid))
    for path in sorted(case.rglob("*")):
        if not path.is_file() or path.name in ("fixture.toml", "fixture.expect"):
            continue
        if b"\0" in path.read_bytes()[:4096] or path.suffix in (".jar", ".war", ".whl"):
            continue
        rel = path.relative_to(case).as_posix()
        lines = path.read_text(errors="replace").split("\n")
        pending: list[tuple[str, str]] = []
        for no, line in enumerate(lines, 1):
            found = ANNOTATION.findall(line)
            for kind, ids in found:
                for rid in (i.strip() for i in ids.split(",")):
                    seen.append((kind.replace("file-", ""), rid))
                    if kind == "file-ruleid":
                        expected.add((rel, 0, rid))
                    elif kind == "file-ok":
                        forbidden.add((rel, 0, rid))
                    else:
                        pending.append((kind, rid))
            code_part = ANNOTATION.sub("", line)
            is_annotation_only = found and not re.sub(
                r"<!--|-->|^[cC](?=\s|$)|[/*#;!\s-]", "", code_part
            )
            if pending and not is_annotation_only:
                for kind, rid in pending:
                    (expected if kind == "ruleid" else forbidden).add((rel, no, rid))
                pending = []
    return expected, forbidden, seen


def fixture_cases() -> list[Path]:
    """Every directory under tests/fixtures/<pack>/ is one case, scanned as a tree."""
    return sorted(
        p for pack in FIXTURES.iterdir() if pack.is_dir() for p in pack.iterdir() if p.is_dir()
    )


# Files the test run itself may leave in the checkout (all of them ignored by .gitignore)
RUN_LEFTOVERS = re.compile(r"(^|/)(__pycache__|\.pytest_cache|\.mypy_cache|\.ruff_cache)/$")


def checkout_status() -> set[str] | None:
    """`git status` of the checkout, ignored files included; None outside a git checkout."""
    try:
        res = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--ignored"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if res.returncode:
        return None
    # (each line is a two-letter status, a space and the path)
    return {line for line in res.stdout.splitlines() if not RUN_LEFTOVERS.search(line[3:])}


def pytest_sessionstart(session):
    session.config.checkout_before = None if os.environ.get("PA_REGEN") else checkout_status()


def pytest_sessionfinish(session, exitstatus):
    """Fail the run if it left files in the checkout (a build, a report): tests write to
    their temporary folders only."""
    before = getattr(session.config, "checkout_before", None)
    after = checkout_status() if before is not None else None
    if before is None or after is None or after <= before:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.ensure_newline()
        reporter.write_sep("=", "the test run left files in the checkout", red=True)
        for line in sorted(after - before):
            reporter.write_line(f"  {line}", red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


def mcp_calls(
    command: list[str], calls: list[tuple[str, dict]], timeout: float = 60, **popen: object
) -> tuple[list[dict], str]:
    """Start an MCP server over stdio and speak raw JSON-RPC to it: initialize, then each
    (tool, arguments) call, waiting for its answer; then end its input. Returns every message
    it wrote to stdout (each line must parse as JSON) and its stderr."""
    proc = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )
    killer = threading.Timer(timeout, proc.kill)
    killer.start()
    try:

        def send(message: dict) -> str:
            proc.stdin.write(json.dumps({"jsonrpc": "2.0", **message}) + "\n")
            proc.stdin.flush()
            return proc.stdout.readline() if "id" in message else ""

        hello = {"protocolVersion": "2025-06-18", "capabilities": {}}
        hello["clientInfo"] = {"name": "porting-advisor tests", "version": "1"}
        lines = [send({"id": 0, "method": "initialize", "params": hello})]
        send({"method": "notifications/initialized"})
        for n, (tool, arguments) in enumerate(calls, 1):
            params = {"name": tool, "arguments": arguments}
            lines.append(send({"id": n, "method": "tools/call", "params": params}))
        proc.stdin.close()
        lines += proc.stdout.readlines()
        err = proc.stderr.read()
        assert proc.wait() == 0, err[-2000:]
    finally:
        killer.cancel()
    return [json.loads(line) for line in lines], err
