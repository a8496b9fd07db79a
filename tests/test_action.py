# SPDX-License-Identifier: Apache-2.0
"""The GitHub Action's shell steps, run as GitHub runs them, with hostile inputs.

GitHub pastes each `${{ expression }}` into the step's text before bash sees it, so an input
written into `run:` is code. The steps below are expanded the same way and run with
`bash --noprofile --norc -eo pipefail`; inputs that try to run commands must reach
porting-advisor as plain strings. Steps that `uses:` another action are GitHub's own and not
run here; the pip install step runs against a stand-in `python` that records its arguments.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, scan

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")

# Each breaks out of a different quoting: "...", command substitution, '...'
HOSTILE = ['x"; touch pwned; echo "', "$(touch pwned)x", "`touch pwned`'; touch pwned; '"]
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def expand(text: str, context: dict[str, str]) -> str:
    """Paste `${{ name }}` values into `text` as GitHub does (the simple names only)."""

    def value(m: re.Match[str]) -> str:
        if m.group(1).startswith("steps."):  # an output never set is empty on GitHub too
            return context.get(m.group(1), "")
        assert m.group(1) in context, f"expression this test does not know: {m.group(1)}"
        return context[m.group(1)]

    return EXPRESSION.sub(value, text)


def run_action(workspace: Path, inputs: dict[str, str]) -> dict:
    """Run action.yml's shell steps in `workspace`; the last step's exit code, what each
    step printed, the `python` stand-in's arguments and the steps not run."""
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    given = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    given.update(inputs)
    context = {f"inputs.{name}": value for name, value in given.items()}
    context["github.action_path"] = str(ROOT)
    shims = workspace.parent / "shims"
    shims.mkdir(exist_ok=True)
    python_args = workspace.parent / "python-args.json"
    write_shim(
        shims / "python",
        f"import json, sys\njson.dump(sys.argv[1:], open({str(python_args)!r}, 'w'))\n",
    )
    write_shim(
        shims / "porting-advisor",
        "import sys\nfrom porting_advisor.cli import main\nsys.exit(main())\n",
    )
    env = {
        "PATH": f"{shims}:/usr/bin:/bin",
        "HOME": str(workspace.parent),  # the scan's cache goes here, not to the user's home
        "PYTHONPATH": str(ROOT),
        "CI": "true",
    }
    result: dict = {"not_run": [], "output": []}
    for number, step in enumerate(action["runs"]["steps"]):
        if "uses" in step:
            result["not_run"].append(step["uses"])  # GitHub's own actions
            continue
        assert step["shell"] == "bash" and "if" not in step
        outputs = workspace.parent / f"output-{number}"
        outputs.touch()
        step_env = {k: expand(str(v), context) for k, v in step.get("env", {}).items()}
        script = workspace.parent / f"step-{number}.sh"
        script.write_text(expand(step["run"], context))
        res = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace,
            env={**env, **step_env, "GITHUB_OUTPUT": str(outputs)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        result["output"].append(res.stdout + res.stderr)
        result["code"] = res.returncode
        for line in outputs.read_text().splitlines():
            key, _, value = line.partition("=")
            context[f"steps.{step.get('id')}.outputs.{key}"] = value
    if python_args.exists():
        result["python"] = json.loads(python_args.read_text())
    return result


def write_shim(path: Path, code: str) -> None:
    path.write_text(f"#!{sys.executable}\n{code}")
    path.chmod(0o755)


def test_run_steps_take_inputs_from_env_only():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    for step in action["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step["run"]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_inputs_are_data_and_the_scan_runs(tmp_path, rules, hostile):
    workspace = tmp_path / "workspace"
    tree = workspace / hostile
    shutil.copytree(ROOT / "sample-projects" / "c-simd-engine", tree)
    sarif = hostile + ".sarif"
    result = run_action(workspace, {"path": hostile, "sarif": sarif, "fail-on": "error"})
    assert not list(tmp_path.rglob("pwned")), result["output"]
    assert result["not_run"] == ["actions/setup-python@v5", "github/codeql-action/upload-sarif@v3"]
    assert result["python"] == ["-m", "pip", "install", "--quiet", str(ROOT)]
    assert result["code"] == 1, result["output"]  # the scan's exit code: errors found
    doc = json.loads((workspace / sarif).read_text())
    got = {
        (r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["ruleId"])
        for r in doc["runs"][0]["results"]
    }
    want = {(f.file, f.rule) for f in scan(tree, rules).findings}
    assert got == want and got


@pytest.mark.parametrize("hostile", HOSTILE)
@pytest.mark.parametrize("name", ["target", "fail-on", "baseline", "changed-since", "path"])
def test_a_hostile_value_is_one_argument(tmp_path, name, hostile):
    """Each hostile value reaches porting-advisor whole: it refuses the value (exit 2) and
    nothing runs."""
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    os.symlink(ROOT / "sample-projects" / "go-asm", workspace / "tree")
    result = run_action(workspace, {"path": "tree", name: hostile})
    assert not list(tmp_path.rglob("pwned")), result["output"]
    assert result["code"] == 2, result["output"]
    assert "porting-advisor: error:" in result["output"][1]


@pytest.mark.parametrize(
    "config, inputs, want",
    [
        ("", {}, 1),  # the action's default gate: error
        ('fail-on = "never"\n', {}, 0),  # the repository's configuration wins over it
        ('fail-on = "never"\n', {"fail-on": "error"}, 1),  # an input the user set wins
        ('fail-on = "never"\ntarget = "graviton9"\n', {}, 2),  # the config is read, strictly
    ],
)
def test_the_repository_config_beats_the_actions_defaults(tmp_path, config, inputs, want):
    workspace = tmp_path / "workspace"
    shutil.copytree(ROOT / "sample-projects" / "c-simd-engine", workspace)
    if config:
        (workspace / ".porting-advisor.toml").write_text(config)
    result = run_action(workspace, inputs)
    assert result["code"] == want, result["output"]
    if want == 1:  # the job log says why, though the report went to a file
        assert "porting-advisor: gate failed: " in result["output"][1]
        assert "reports: porting-advisor.sarif" in result["output"][1]


def test_the_pre_commit_hook_default_yields_to_the_config(run_cli, tmp_path):
    hook = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())[0]
    tree = tmp_path / "tree"
    shutil.copytree(ROOT / "sample-projects" / "c-simd-engine", tree)
    args = [str(tree) if a == "." else a for a in hook["args"]]
    assert run_cli(*args, "--no-cache").code == 1
    (tree / ".porting-advisor.toml").write_text('fail-on = "never"\n')
    assert run_cli(*args, "--no-cache").code == 0
    assert run_cli(*args, "--no-cache", "--fail-on", "error").code == 1
