# SPDX-License-Identifier: Apache-2.0
"""Cross-file passes over the workers' per-file facts, run in the parent after the scan."""
from __future__ import annotations

from porting_advisor.model import FileResult, Finding
from porting_advisor.ruleset import RuleSet
from porting_advisor.siblings import TreeIndex, arm_counterpart
from porting_advisor.source import finding


def facts_of(result: FileResult, kind: str) -> list[str]:
    return [v for k, v in result.facts if k == kind]


def whole_files(results: list[FileResult], index: TreeIndex, rules: RuleSet) -> list[Finding]:
    """One finding per x86 assembly file or prebuilt x86 binary with no Arm64 counterpart."""
    arm_files = frozenset(r.file for r in results
                          if facts_of(r, "asm-arch") == ["arm64"]
                          or facts_of(r, "bin-arch") == ["arm64"])
    out = []
    for r in results:
        if facts_of(r, "bin-arch") == ["x86"] and not arm_counterpart(r.file, index, arm_files):
            arches, detail = facts_of(r, "bin-detail")[0].split("\t", 1)
            out.append(finding(rules, "binary-x86-only", r.file, language="binary",
                               kind=facts_of(r, "bin-kind")[0], arch=arches, detail=detail))
        if facts_of(r, "asm-arch") != ["x86"]:
            continue
        if arm_counterpart(r.file, index, arm_files):
            continue
        symbols = " ".join(facts_of(r, "asm-symbols")).split()
        shown = ", ".join(symbols[:8]) + (f" and {len(symbols) - 8} more" if len(symbols) > 8
                                          else "")
        out.append(finding(
            rules, "asm-x86-source", r.file, language="asm",
            syntax=" ".join(facts_of(r, "asm-syntax")) or "x86",
            symbols=f"; defines {shown}" if symbols else ""))
    return out
