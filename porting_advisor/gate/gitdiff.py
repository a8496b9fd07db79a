# SPDX-License-Identifier: Apache-2.0
"""--changed-since: the files changed since the merge base with a ref, plus local changes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from porting_advisor.core.model import base_dir


class GitError(Exception):
    """Not a repository, unknown ref, shallow clone without the merge base (exit 2)."""


def git(cwd: Path, *args: str) -> str:
    try:
        res = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        )
    except FileNotFoundError:
        raise GitError("--changed-since needs git, which is not installed") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} timed out") from None
    if res.returncode != 0:
        raise GitError(
            res.stderr.strip().splitlines()[-1] if res.stderr.strip() else f"git {args[0]} failed"
        )
    return res.stdout


def changed_files(root: Path, ref: str) -> frozenset[str]:
    """Paths relative to `root` (a directory in a git work tree) changed since ref's merge base,
    including uncommitted and untracked files."""
    base = base_dir(root)
    try:
        top = Path(git(base, "rev-parse", "--show-toplevel").strip())
    except GitError:
        raise GitError(f"--changed-since: '{base}' is not inside a git repository") from None
    try:
        git(top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except GitError:
        raise GitError(f"--changed-since: unknown git ref '{ref}'") from None
    try:
        merge_base = git(top, "merge-base", ref, "HEAD").strip()
    except GitError:
        shallow = git(top, "rev-parse", "--is-shallow-repository").strip() == "true"
        hint = (
            (
                " (this is a shallow clone: fetch more history, e.g. `git fetch --unshallow` "
                "or actions/checkout with fetch-depth: 0)"
            )
            if shallow
            else ""
        )
        raise GitError(f"--changed-since: no merge base between '{ref}' and HEAD{hint}") from None
    names = git(top, "diff", "--name-only", "-z", "--no-renames", merge_base).split("\0")
    names += git(top, "ls-files", "--others", "--exclude-standard", "-z").split("\0")
    prefix = base.resolve().relative_to(top.resolve()).as_posix()
    out = set()
    for name in filter(None, names):
        if prefix in ("", "."):
            out.add(name)
        elif name.startswith(prefix + "/"):
            out.add(name[len(prefix) + 1 :])
    if root.is_file():
        return frozenset(
            {root.name} & {Path(n).name for n in out if (base / n).resolve() == root.resolve()}
        )
    return frozenset(out)


def work_tree(base: Path) -> Path | None:
    """The root of the git work tree holding `base` (a folder with `.git`, a directory or a
    worktree's file), found without running git; None outside one."""
    here = base.resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return None
