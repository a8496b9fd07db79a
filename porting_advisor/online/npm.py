# SPDX-License-Identifier: Apache-2.0
"""`--online` for npm: which versions of a native addon the scan found in a lock file install
on Linux/Arm64, from its registry document (abbreviated metadata): the `cpu` and `os` fields
and the per-platform optional packages of each version.

The registry is the user's own: `npm_config_registry`, else the user's .npmrc
(`npm_config_userconfig`, else ~/.npmrc), else the global npmrc, with `@scope:registry`
entries and the auth tokens of the registry's `//host/path/:_authToken` (or `_auth`,
`username`/`_password`) lines, never shown; with nothing configured, the user's own
`npm config get registry`, run outside the scanned tree. No npm registry host is written in
the source, and an .npmrc in the scanned tree is never read (issue 20)."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import tempfile
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from porting_advisor.core.facts import Dependency, NpmNative
from porting_advisor.core.model import FileResult, Finding, Remark
from porting_advisor.core.ruleset import RuleSet
from porting_advisor.core.source import finding
from porting_advisor.online.fetch import cached, get
from porting_advisor.online.indexes import redact
from porting_advisor.online.simple import IndexError_
from porting_advisor.scanners.deps import common, versions
from porting_advisor.scanners.deps import npm as locks

ACCEPT = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*"
# The offline verdict a registry answer replaces.
OFFLINE_RULES = frozenset({"node-native-addon"})


@dataclass(frozen=True, slots=True)
class Verdict:
    file: str
    line: int
    name: str
    version: str
    registry: str  # redacted
    problem: str  # why this version does not install on Linux/Arm64 ("" when it does)
    first_good: str  # the first later version that does ("" when none)


def read_npmrc(path: Path) -> dict[str, str]:
    """`key=value` lines of an npmrc, `${VAR}` taken from the environment as npm does."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    out = {}
    for raw in text.splitlines():
        line = raw.strip()
        key, sep, value = line.partition("=")
        if not sep or line.startswith(("#", ";")):
            continue
        value = re.sub(r"\$\{(\w+)\}", lambda m: os.environ.get(m.group(1), ""), value.strip())
        out[key.strip()] = value.strip().strip("'\"")
    return out


def npmrc_files() -> list[Path]:
    """The user's and the global npmrc, in npm's order of precedence (never a project's)."""
    env = {k.lower(): v for k, v in os.environ.items() if k.lower().startswith("npm_config_")}
    user = env.get("npm_config_userconfig") or str(Path.home() / ".npmrc")
    prefix = env.get("npm_config_prefix", "")
    if not prefix and shutil.which("node"):
        prefix = str(Path(os.path.realpath(shutil.which("node") or "")).parent.parent)
    default_global = str(Path(prefix) / "etc" / "npmrc") if prefix else ""
    found = [user, env.get("npm_config_globalconfig") or default_global]
    return [Path(p) for p in found if p]


def configuration() -> dict[str, str]:
    """The user's npm configuration: `npm_config_*` variables over the user's npmrc over the
    global one."""
    out: dict[str, str] = {}
    for path in reversed(npmrc_files()):
        out.update(read_npmrc(path))
    for key, value in os.environ.items():
        if key.lower().startswith("npm_config_") and value:
            out[key[len("npm_config_") :].lower()] = value
    return out


def ask_npm() -> str:
    """The registry the user's own npm would use ("" when npm is absent or fails); run in an
    empty folder so that no project's .npmrc is read."""
    npm = shutil.which("npm")
    if npm is None:
        return ""
    try:
        with tempfile.TemporaryDirectory() as empty:
            done = subprocess.run(
                [npm, "config", "get", "registry"],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
                cwd=empty,
                env={**os.environ, "npm_config_update_notifier": "false"},
            )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    value = done.stdout.strip()
    return value if done.returncode == 0 and value.startswith(("http://", "https://")) else ""


def registry_for(name: str, config: dict[str, str], default: str) -> str:
    """The registry of package `name`: its scope's `@scope:registry`, else the default."""
    if name.startswith("@"):
        scoped = config.get(f"{name.split('/', 1)[0]}:registry", "")
        if scoped:
            return scoped
    return default


def auth_header(registry: str, config: dict[str, str]) -> dict[str, str]:
    """The Authorization header for `registry` from its nerf-darted npmrc entries (the
    longest matching path first, as npm does)."""
    parts = urllib.parse.urlsplit(registry)
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    segments = path.strip("/").split("/") if path.strip("/") else []
    for n in range(len(segments), -1, -1):
        nerf = f"//{parts.netloc.rpartition('@')[2]}/" + "".join(s + "/" for s in segments[:n])
        token = config.get(f"{nerf}:_authToken")
        if token:
            return {"Authorization": f"Bearer {token}"}
        basic = config.get(f"{nerf}:_auth")
        if basic:
            return {"Authorization": f"Basic {basic}"}
        user, password = config.get(f"{nerf}:username"), config.get(f"{nerf}:_password")
        if user and password:
            plain = base64.b64decode(password + "==").decode("utf-8", "replace")
            pair = base64.b64encode(f"{user}:{plain}".encode()).decode()
            return {"Authorization": f"Basic {pair}"}
    return {}


Docs = dict[str, dict[str, list[str]]]  # version -> platforms(...)


def platforms(doc: dict[str, object]) -> dict[str, list[str]]:
    """What a version document says about where it installs: `cpu`, `os`, and its
    per-platform optional packages."""
    opt = doc.get("optionalDependencies")
    names = [n for n in opt if locks.PLATFORM_PACKAGE.search(n)] if isinstance(opt, dict) else []
    fields = {k: doc.get(k) for k in ("cpu", "os")}
    return {
        **{k: [str(x) for x in v] if isinstance(v, list) else [] for k, v in fields.items()},
        "packages": sorted(names),
    }


def packument(
    registry: str, name: str, config: dict[str, str], cache_dir: Path | None
) -> Docs | None:
    """{version: platforms(...)} of package `name` on `registry` (None: not there)."""
    # `@scope%2fname`, as npm writes it
    url = f"{registry.rstrip('/')}/{urllib.parse.quote(name, safe='@/').replace('/', '%2f')}"

    def ask() -> Docs | None:
        answer = get(url, {"Accept": ACCEPT, **auth_header(registry, config)})
        if answer.status == 404:
            return None
        if answer.status == 401:
            raise IndexError_(f"{redact(url)}: HTTP 401 (check the token in your .npmrc)")
        try:
            found = json.loads(answer.body).get("versions", {})
        except (ValueError, AttributeError):
            raise IndexError_(f"{redact(url)}: not a registry document") from None
        return {str(v): platforms(d) for v, d in found.items() if isinstance(d, dict)}

    found: Docs | None = cached(cache_dir, "npm " + url, ask)
    return found


def blocked(info: dict[str, list[str]]) -> str:
    """Why a version does not install on Linux/Arm64 ("" when it does)."""
    cpu, os_, packages = tuple(info["cpu"]), info["os"], tuple(info["packages"])
    if locks.cpu_excludes_arm64(cpu):
        return f"declares `cpu` {list(cpu)}"
    allowed = [o for o in os_ if not o.startswith("!")]
    if "!linux" in os_ or (allowed and "linux" not in allowed):
        return f"declares `os` {list(os_)}"
    if locks.platform_gap(packages):
        x64 = sorted(p for p in packages if locks.LINUX_X64.search(p))
        return f"has a prebuilt package for linux-x64 (`{x64[0]}`) and none for linux-arm64"
    return ""


def judge(docs: Docs, version: str) -> tuple[str, str] | None:
    """(problem, first good version) for `version`; None when the registry cannot say: the
    version is not listed, or no version uses platform fields or packages (a pure-JS package,
    or one that builds or downloads its binary at install)."""
    if version not in docs or not any(any(i.values()) for i in docs.values()):
        return None
    problem = blocked(docs[version])
    if not problem:
        return "", version
    key = versions.go_key
    later = sorted(
        (v for v in docs if key(v) > key(version) and "-" not in v and not blocked(docs[v])),
        key=key,
    )
    return problem, later[0] if later else ""


def suspects(results: list[FileResult]) -> list[Dependency]:
    """The resolved npm entries that are known or suspected native addons: in the knowledge
    table, flagged by the lock file's own fields, or named by an NpmNative fact."""
    natives = {n for r in results for f in r.facts if isinstance(f, NpmNative) for n in f.names}
    table = {name for eco, name in common.knowledge() if eco == "npm"}
    return [
        f
        for r in results
        for f in r.facts
        if isinstance(f, Dependency)
        and f.ecosystem == "npm"
        and f.resolved
        and f.version
        and (f.name in natives or f.name.lower() in table or f.arm64 not in ("ok", "unknown"))
    ]


def gather(results: list[FileResult], cache_dir: Path | None) -> tuple[list[Verdict], list[Remark]]:
    """Ask the user's npm registry about every suspected native addon a lock file resolves."""
    wanted = suspects(results)
    if not wanted:
        return [], []
    config = configuration()
    default = config.get("registry", "") or ask_npm()
    remarks: list[Remark] = []
    failed: set[str] = set()
    docs: dict[tuple[str, str], Docs | None] = {}
    out: list[Verdict] = []
    for dep in wanted:
        registry = registry_for(dep.name, config, default)
        if not registry:
            if "" not in failed:
                failed.add("")
                remarks.append(Remark("online-unavailable", NO_REGISTRY))
            continue
        if registry in failed:
            continue
        if (registry, dep.name) not in docs:
            try:
                docs[(registry, dep.name)] = packument(registry, dep.name, config, cache_dir)
            except IndexError_ as exc:
                failed.add(registry)
                remarks.append(Remark("online-unavailable", f"--online: could not ask {exc}"))
                continue
        found = docs[(registry, dep.name)]
        answer = judge(found, dep.version) if found else None
        if answer is not None:
            where = redact(registry)
            out.append(Verdict(dep.file, dep.line, dep.name, dep.version, where, *answer))
    return out, remarks


NO_REGISTRY = (
    "--online: no npm registry configured (npm_config_registry, ~/.npmrc) and no npm to ask: "
    "npm dependencies were not checked"
)


def merge(findings: list[Finding], verdicts: list[Verdict], rules: RuleSet) -> list[Finding]:
    """The registry's verdicts in place of the offline ones for the same lock-file entries."""
    answered = {(v.file, v.line) for v in verdicts}
    out = [f for f in findings if f.rule not in OFFLINE_RULES or (f.file, f.line) not in answered]
    for v in verdicts:
        if not v.problem:
            continue
        # (a lock file under node_modules/ is an installed package's own: never read)
        installed = v.file.startswith("node_modules/") or "/node_modules/" in v.file
        out.append(
            finding(
                rules,
                "npm-no-arm64-build",
                v.file,
                v.line,
                1,
                snippet="",
                key=v.name,
                name=v.name,
                version=v.version,
                problem=v.problem,
                registry=v.registry,
                first=f"first version that installs there: {v.first_good}"
                if v.first_good
                else "no later version does",
                upgrade=f"Upgrade `{v.name}` to {v.first_good} or later."
                if v.first_good
                else f"Replace `{v.name}` with a package that installs on Linux/Arm64.",
                filtered=installed,
                filtered_reason="a lock file inside node_modules/: installs never read it"
                if installed
                else "",
            )
        )
    return out
