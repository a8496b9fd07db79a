# SPDX-License-Identifier: Apache-2.0
"""The CI pass: an x86-only runner matters only when no CI configuration runs on Arm64."""

from __future__ import annotations

from porting_advisor.core.facts import CiArm
from porting_advisor.core.model import Finding
from porting_advisor.passes.context import Pass, PassContext


def arm_runners(ctx: PassContext) -> bool:
    """Does a CI configuration of the tree run jobs on Arm64?"""
    return any(isinstance(fact, CiArm) for r in ctx.results for fact in r.facts)


def ci_arm_elsewhere(ctx: PassContext) -> list[Finding]:
    """`ci-x64-only-runner` only when no CI configuration in the tree runs on Arm64."""
    return [f for f in ctx.findings if f.rule != "ci-x64-only-runner"]


PASS = Pass("ci-jobs", arm_runners, ci_arm_elsewhere)
