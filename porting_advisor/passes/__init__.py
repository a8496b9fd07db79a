# SPDX-License-Identifier: Apache-2.0
"""Cross-file passes over the workers' facts, run in the parent in the order of `PASSES`."""

from __future__ import annotations

from porting_advisor.core.archnames import TreeIndex
from porting_advisor.core.model import FileResult, Finding, Options
from porting_advisor.core.ruleset import RuleSet
from porting_advisor.passes import (
    c_guards,
    ci_jobs,
    compile_db,
    dependencies,
    dotnet_dispatch,
    fp_contract,
    go_packages,
    jni,
    listings,
    macro_uses,
    ported,
    reach,
    recipes,
    rust_modules,
)
from porting_advisor.passes.context import Pass, PassContext

# In this order: whole-files adds `asm-x86-source` findings that carry a .S file's undecided
# #if guard, which c-guards settles; ported marks findings filtered by their file, those the
# passes before it added included; ci-jobs marks findings filtered by rule; jni drops them.
PASSES: tuple[Pass, ...] = (
    listings.PASS,  # x86 assembly and binaries with no Arm64 counterpart (whole files)
    go_packages.PASS,  # amd64-only assembly and symbols, per Go package
    c_guards.PASS,  # guards over derived macros; files included only from x86 code
    macro_uses.PASS,  # findings in bodies of macros no code of the tree expands
    rust_modules.PASS,  # Rust modules declared only under an x86 cfg
    dotnet_dispatch.PASS,  # C# intrinsics across partial classes and callers
    recipes.PASS,  # build scripts a conda recipe runs on Arm64 that the tree lacks
    compile_db.PASS,  # --compile-commands: C/C++ files no unit compiles or includes
    ported.PASS,  # files an Arm64 build does not compile (x86 twins, x86-only listings)
    reach.PASS,  # files no target of the tree's build builds (examples, benchmarks)
    ci_jobs.PASS,  # x86-only CI runners: one finding per tree, none with an Arm64 CI job
    jni.PASS,  # Java native methods the tree's own C implements
    fp_contract.PASS,  # one finding when tests compare floats exactly and FMA may fuse
    dependencies.PASS,  # a lock file's resolved version is the verdict, not its manifest's range
)


def run(
    results: list[FileResult],
    findings: list[Finding],
    index: TreeIndex,
    options: Options,
    rules: RuleSet,
    passes: tuple[Pass, ...] = PASSES,
) -> list[Finding]:
    """Every pass that applies, in order, over the scan's results; the findings after them."""
    ctx = PassContext(
        results, findings, index, listings.source_listings(results, index), options, rules
    )
    for p in passes:
        if p.applies(ctx):
            ctx.findings = p.run(ctx)
            if not options.no_filter:
                # (what a pass filtered is dropped at once: later passes need not look at it)
                ctx.findings = [f for f in ctx.findings if not f.filtered]
    return ctx.findings
