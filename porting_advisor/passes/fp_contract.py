# SPDX-License-Identifier: Apache-2.0
"""The fp-contract pass: one finding per tree when its C/C++ tests compare floating-point
results exactly and its build does not turn FMA contraction off (issue 23).

GCC (in its default GNU modes) and Clang fuse a*b+c into one fused multiply-add on Arm64,
which x86-64 builds without `-mfma` cannot: the last bits of a result can differ. Workers
record the first exact comparison of each test file and any `-ffp-contract=off` they meet
(`FloatCompare`, `ContractOff`); this pass reports the first comparison of the tree.
"""

from __future__ import annotations

from porting_advisor.core.facts import ContractOff, FloatCompare
from porting_advisor.core.model import Finding
from porting_advisor.core.source import finding
from porting_advisor.passes.context import Pass, PassContext

RULE = "fp-contract-exact-tests"


def report_once(ctx: PassContext) -> list[Finding]:
    """One info finding at the first exact comparison; filtered when the build sets
    `-ffp-contract=off` (listed with --no-filter)."""
    compares = sorted(
        [
            (r.file, f.line, f.column, r.language, f)
            for r in ctx.results
            for f in r.facts
            if isinstance(f, FloatCompare)
        ],
        key=lambda c: c[:3],
    )
    offs = sorted(
        (r.file, f.line, f.setting)
        for r in ctx.results
        for f in r.facts
        if isinstance(f, ContractOff)
    )
    if offs and not ctx.options.no_filter:
        return ctx.findings
    file, _, _, language, site = compares[0]
    others = len({c[0] for c in compares}) - 1
    where = f", and in {others} other test file{'s' if others > 1 else ''}" if others else ""
    reason = f"the build sets `{offs[0][2]}` ({offs[0][0]}:{offs[0][1]})" if offs else ""
    return [
        *ctx.findings,
        finding(
            ctx.rules,
            RULE,
            file,
            site.line,
            site.column,
            snippet=site.snippet,
            language=language,
            filtered=bool(offs),
            filtered_reason=reason,
            what=site.what,
            where=where,
        ),
    ]


def exact_tests(ctx: PassContext) -> bool:
    """Does a C/C++ test compare floating-point results exactly (and the rule apply)?"""
    return (
        "type-portability" in ctx.options.categories
        and RULE in ctx.rules.rules
        and any(isinstance(f, FloatCompare) for r in ctx.results for f in r.facts)
    )


PASS = Pass("fp-contract", exact_tests, report_once)
