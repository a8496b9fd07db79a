# SPDX-License-Identifier: Apache-2.0
"""The recipes pass: build scripts a conda recipe runs on Arm64 that the tree lacks."""

from __future__ import annotations

import posixpath

from porting_advisor.core.facts import Listed
from porting_advisor.core.model import FileResult, Finding
from porting_advisor.core.source import finding
from porting_advisor.passes.context import Pass, PassContext
from porting_advisor.passes.listings import resolve_listed

SCRIPTS = (".sh", ".bat")  # build scripts a conda recipe selects per architecture


def recipes(results: list[FileResult]) -> list[FileResult]:
    """The conda recipes among the scanned files."""
    return [r for r in results if posixpath.basename(r.file) == "meta.yaml"]


def missing_scripts(ctx: PassContext) -> list[Finding]:
    """One finding per script a recipe runs on Arm64 (`Listed`, not x86-only) that is not in
    the tree."""
    out = []
    for r in recipes(ctx.results):
        base = posixpath.dirname(r.file)
        for fact in r.facts:
            if not isinstance(fact, Listed) or fact.x86_only or not fact.name.endswith(SCRIPTS):
                continue
            if resolve_listed(base, fact.name, ctx.index) in ctx.index.files:
                continue
            out.append(
                finding(
                    ctx.rules,
                    "build-recipe-missing-script",
                    r.file,
                    fact.line,
                    language="yaml",
                    script=fact.name,
                )
            )
    return ctx.findings + out


def has_recipes(ctx: PassContext) -> bool:
    """conda recipes in the tree."""
    return bool(recipes(ctx.results))


PASS = Pass("recipes", has_recipes, missing_scripts)
