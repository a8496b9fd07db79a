# SPDX-License-Identifier: Apache-2.0
"""The CI pass: one `ci-x64-only-runner` finding per tree, and none when a CI job builds on
Arm64. The scanner proposes one per CI file (its first building job on an x64 runner)."""

from __future__ import annotations

from dataclasses import replace

from porting_advisor.core.facts import CiArm
from porting_advisor.core.model import Finding
from porting_advisor.passes.context import Pass, PassContext

RULE = "ci-x64-only-runner"


def proposed(ctx: PassContext) -> bool:
    """Is there a CI finding to settle?"""
    return any(f.rule == RULE and not f.filtered for f in ctx.findings)


def one_per_tree(ctx: PassContext) -> list[Finding]:
    """Keep the first CI file's finding (walk order) unless a CI job builds on Arm64."""
    arm = any(isinstance(fact, CiArm) for r in ctx.results for fact in r.facts)
    order = {r.file: i for i, r in enumerate(ctx.results)}
    proposals = [f for f in ctx.findings if f.rule == RULE and not f.filtered]
    keep = None if arm else min(proposals, key=lambda f: (order.get(f.file, len(order)), f.line))
    out = []
    for f in ctx.findings:
        if f.rule == RULE and not f.filtered and f is not keep:
            reason = (
                "a CI job of the tree builds on Arm64"
                if arm
                else "reported once per tree, at its first building job"
            )
            f = replace(f, filtered=True, filtered_reason=reason)
        out.append(f)
    return out


PASS = Pass("ci-jobs", proposed, one_per_tree)
