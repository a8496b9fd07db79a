# SPDX-License-Identifier: Apache-2.0
"""The Rust modules pass: findings in modules declared only under an x86 `cfg` are filtered,
like C files included only from x86 code."""

from __future__ import annotations

import posixpath
from dataclasses import replace

from porting_advisor.core.archnames import only_from_x86
from porting_advisor.core.facts import RustMod
from porting_advisor.core.model import FileResult, Finding
from porting_advisor.passes.context import Pass, PassContext


def x86_modules(results: list[FileResult], files: frozenset[str]) -> frozenset[str]:
    """Rust files that are modules declared only under an x86 cfg (`#[cfg(target_arch =
    "x86_64")] mod sse2;`), or only from such modules: not compiled for Arm64."""
    sites: dict[str, list[tuple[str, bool]]] = {}  # module file -> (declarer, not x86-only)
    for r in results:
        base = posixpath.basename(r.file)
        here = (
            posixpath.dirname(r.file) if base in ("lib.rs", "main.rs", "mod.rs") else r.file[:-3]
        )  # src/a.rs declares src/a/<name>.rs
        for fact in r.facts:
            if not isinstance(fact, RustMod):
                continue
            name = fact.name
            children = (
                (posixpath.join(posixpath.dirname(r.file), name),)  # #[path = "x.rs"]
                if name.endswith(".rs")
                else (posixpath.join(here, f"{name}.rs"), posixpath.join(here, name, "mod.rs"))
            )
            for child in children:
                if child in files:
                    sites.setdefault(child, []).append((r.file, not fact.x86_only))
    return only_from_x86(sites)


def resolve_rust(ctx: PassContext) -> list[Finding]:
    """Findings in Rust modules compiled only for x86 are filtered."""
    x86_only = x86_modules(ctx.results, ctx.index.files)
    if not x86_only:
        return ctx.findings
    # the directory of an x86-only module holds its submodules (and files no module
    # declares, which are not compiled at all): x86-only too
    under = tuple(
        posixpath.dirname(m) + "/" if m.endswith("/mod.rs") else m[:-3] + "/" for m in x86_only
    )
    return [
        replace(f, filtered=True, filtered_reason="in a Rust module declared only for x86")
        if (f.file in x86_only or f.file.startswith(under))
        and f.rule == "rust-x86-intrinsic"
        and not f.filtered
        else f
        for f in ctx.findings
    ]


def has_rust(ctx: PassContext) -> bool:
    """Rust files in the tree."""
    return any(r.language == "rust" for r in ctx.results)


PASS = Pass("rust-modules", has_rust, resolve_rust)
