# SPDX-License-Identifier: Apache-2.0
"""The .NET dispatch pass: joins the C# files' intrinsics records across partial classes and
callers. A helper the tree calls only under x86 `IsSupported` checks is not unguarded; an
x86-only path is not missing an Arm64 one when its class has one in another member or file."""

from __future__ import annotations

from dataclasses import replace

from porting_advisor.core.facts import CsDispatch
from porting_advisor.core.model import Finding
from porting_advisor.passes.context import Pass, PassContext


def x86_callees(calls: list[tuple[str, str]]) -> frozenset[str]:
    """Methods (`Class.Method`) every call to which is under an x86 check or in such a method:
    the least fixed point, so a cycle of calls no check guards stays out. A call through a
    variable (`*.Method`) counts for every class's method of that name."""
    callers: dict[str, set[str]] = {}  # callee -> its callers ("" under an x86 check)
    for callee, caller in calls:
        callers.setdefault(callee, set()).add(caller)
    anywhere = {k[2:]: v for k, v in callers.items() if k.startswith("*.")}
    sites = {
        k: v | anywhere.get(k.rsplit(".", 1)[-1], set())
        for k, v in callers.items()
        if not k.startswith("*.")
    }
    only: set[str] = set()
    changed = True
    while changed:
        changed = False
        for callee, here in sites.items():
            if callee not in only and all(c == "" or c in only for c in here):
                only.add(callee)
                changed = True
    return frozenset(only)


def resolve_dotnet(ctx: PassContext) -> list[Finding]:
    """Filter intrinsics findings that the dispatch across files settles."""
    arm_classes: dict[str, str] = {}  # class -> a file where it has an Arm64 path
    methods: dict[tuple[str, int], tuple[str, str]] = {}
    calls: list[tuple[str, str]] = []
    for r in ctx.results:
        for fact in r.facts:
            if isinstance(fact, CsDispatch):
                for cls in fact.arm_classes:
                    arm_classes.setdefault(cls, r.file)
                methods.update({(r.file, line): (cls, m) for line, cls, m in fact.methods})
                calls.extend(fact.calls)
    helpers = x86_callees(calls)
    out = []
    for f in ctx.findings:
        where = methods.get((f.file, f.line))
        if f.filtered or where is None:
            out.append(f)
            continue
        cls, method = where
        if f.rule == "dotnet-x86-intrinsics" and f"{cls.rsplit('.', 1)[-1]}.{method}" in helpers:
            f = replace(
                f, filtered=True, filtered_reason="called only under an x86 IsSupported check"
            )
        elif f.rule == "dotnet-missing-arm64-path" and cls in arm_classes:
            f = replace(
                f,
                filtered=True,
                filtered_reason=f"its class has an Arm64 or portable path ({arm_classes[cls]})",
            )
        out.append(f)
    return out


def has_csharp(ctx: PassContext) -> bool:
    """C# files with hardware intrinsics in the tree."""
    return any(isinstance(f, CsDispatch) for r in ctx.results for f in r.facts)


PASS = Pass("dotnet-dispatch", has_csharp, resolve_dotnet)
