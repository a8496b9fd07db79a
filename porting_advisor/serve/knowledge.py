# SPDX-License-Identifier: Apache-2.0
"""The MCP server's knowledge tools: a dependency against the Arm64 package table (and the
package index with --online), and the Arm64 replacement for an x86 intrinsic, header or flag.
Each runs the scanners' own checks on the one name, so the answer is what a scan would say."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from porting_advisor.core import ruleset
from porting_advisor.core.facts import Dependency
from porting_advisor.core.model import Finding, Options
from porting_advisor.core.source import Source, finding
from porting_advisor.gate.settings import TARGETS
from porting_advisor.serve.tools import Config, ToolFailure

ECOSYSTEMS = ("pypi", "maven", "go", "npm")
PROBE = "(check_dependency)"  # the `file` of the one-line manifest a check reads


def probe(cfg: Config, file: str, language: str, text: str, target: str = "graviton3") -> Source:
    """A one-file Source holding `text`, for a scanner check to add its findings to."""
    options = Options(root=Path("."), target=target, categories=frozenset(cfg.rules.categories))
    return Source(file, language, text.encode(), text, options, cfg.rules)


def brief(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "severity": f.severity.label,
        "message": f.message,
        "suggestion": f.suggestion,
    }


def check_dependency(cfg: Config, ecosystem: str, name: str, version: str = "") -> dict[str, Any]:
    """What the Arm64 package table (rules/deps/arm64-packages.tsv) says about one dependency:
    the manifest scanner's check of `name` at `version` (a pin, a PyPI specifier, or "")."""
    from porting_advisor.scanners import node
    from porting_advisor.scanners.deps import common, manifests

    eco, name, version = ecosystem.strip().lower(), name.strip(), version.strip()
    if eco not in ECOSYSTEMS:
        raise ToolFailure(f"unknown ecosystem '{ecosystem}' (one of {', '.join(ECOSYSTEMS)})")
    if not name:
        raise ToolFailure("name is empty")
    known: common.Knowledge | None
    if eco == "npm":
        src = probe(cfg, "package.json", "manifest", json.dumps({"dependencies": {name: version}}))
        node.scan_node(src)
        known = common.knowledge().get(("npm", name.lower()))
    else:
        src = probe(cfg, PROBE, "manifest", f"{name} {version}")
        dep = dependency(eco, name, version)
        manifests.check(src, dep)
        known = common.lookup(dep)
    record: dict[str, Any] = next(f for f in src.facts if isinstance(f, Dependency))._asdict()
    out: dict[str, Any] = {
        "ecosystem": eco,
        "name": record["name"],
        "version": version,
        "arm64": record["arm64"],
        "in_table": known is not None,
    }
    if known is not None:
        out["table"] = {"min_version": known.min_version, "status": known.status}
        if known.note and known.note != "public porting list":  # (the table's "no detail")
            out["table"]["note"] = known.note
    findings = src.findings
    if cfg.online:
        out["online"], findings = ask_index(cfg, record, findings)
    out["findings"] = [brief(f) for f in findings]
    return out


def dependency(eco: str, name: str, version: str) -> Any:
    """The scanner's record of one manifest entry (common.Dep)."""
    from porting_advisor.scanners.deps import common, python

    if eco == "pypi":
        spec = version if not version or version[0] in "<>=!~" else f"=={version}"
        dep = python.pep508(name + spec, 1)
        if dep is None:
            raise ToolFailure(f"cannot read '{name}{spec}' as a Python requirement")
        return dep
    if eco == "maven":  # groupId:artifactId, or the artifactId alone
        group, _, artifact = name.rpartition(":")
        return common.Dep("maven", artifact, version, version, 1, group=group)
    return common.Dep(eco, name, version, version, 1)


def ask_index(
    cfg: Config, record: dict[str, Any], findings: list[Finding]
) -> tuple[dict[str, Any], list[Finding]]:
    """With --online: the Python package index's answer, which replaces the table's as in a
    scan (`online.stage`). Other ecosystems have no online check."""
    from porting_advisor.online import simple, stage
    from porting_advisor.scanners.deps import specs

    if record["ecosystem"] != "pypi":
        return {"asked": False, "why": "--online asks Python package indexes only"}, findings
    if record["arm64"] in stage.NO_VERDICT:
        return {"asked": False, "why": record["arm64"]}, findings
    target = stage.Target(specs.pythons(), simple.DEFAULT_GLIBC)
    verdicts, remarks = stage.gather([record], target, cfg.cache_dir, cfg.index_url)
    answer: dict[str, Any] = {"asked": True, "for": target.describe()}
    if remarks:
        answer["remarks"] = [m.message for m in remarks]
    if not verdicts:
        answer["answer"] = (
            "none: the index does not know the package or version, or has no Linux wheel of "
            "it for either machine; the table's verdict stands"
        )
        return answer, findings
    v = verdicts[0]
    answer["arm64_build"] = v.ready
    answer["first_version_with_arm64_build"] = v.first_good
    answer["sdist"] = v.sdist
    return answer, stage.merge(findings, verdicts, target, cfg.rules)


def suggest_replacement(cfg: Config, name: str, target: str = "graviton3") -> dict[str, Any]:
    """The Arm64 replacement for an x86 intrinsic, builtin, header, CPU-detection call or
    x87 name (rules/intrinsic-map.yaml), or for an x86-only compiler flag or library."""
    text = name.strip().strip("`")
    if not text:
        raise ToolFailure("name is empty")
    if target not in TARGETS:
        raise ToolFailure(f"unknown target '{target}' (one of {', '.join(TARGETS)})")
    facts = ruleset.load_table("targets.yaml")[target]
    out = (flag_advice if text.startswith(("-", "/")) else code_advice)(cfg, text, target, facts)
    return {"input": text, "target": target, **out}


def flag_advice(cfg: Config, flag: str, target: str, facts: dict[str, Any]) -> dict[str, Any]:
    """The build scanner's check of one flag (or `-lNAME`), as it reads a build file."""
    from porting_advisor.scanners import build

    src = probe(cfg, "Makefile", "make", flag, target)
    build.check_flags(src, flag, [(0, 1)])
    if flag.startswith("-l"):
        build.check_libraries(src, flag, [(0, 1)], True, "")
    if not src.findings:
        return {
            "found": False,
            "kind": "flag",
            "message": f"`{flag}` is not an x86-only flag or library porting-advisor knows "
            "(rules/vocab/isa-words.yaml, rules/vocab/x86-cpus.yaml, rules/arch-libraries.yaml)",
        }
    f = src.findings[0]
    caveats = []
    if f.rule == "build-x86-isa-flag":
        mcpu = facts["mcpu"]
        caveats.append(f"-mcpu for {target}: GCC {mcpu['gcc']}, Clang {mcpu['clang']}")
        if not flag.startswith(("-m32", "-m64", "-mfpmath")):
            caveats.append(
                "removing the flag does not port the code it enabled: x86 intrinsics and "
                "assembly built with it need their Arm64 versions"
            )
    return {
        "found": True,
        "kind": "library" if f.rule == "build-x86-library" else "flag",
        **brief(f),
        "target_flags": facts["flags"],
        "portable_flags": facts["portable"],
        "target_facts": target_facts(facts),
        "caveats": caveats,
    }


def target_facts(facts: dict[str, Any]) -> dict[str, Any]:
    return {k: facts[k] for k in ("core", "arch", "sve", "vector_bits", "lse")}


def code_advice(cfg: Config, name: str, target: str, facts: dict[str, Any]) -> dict[str, Any]:
    """What the C scanner reports for `name` in code compiled for the target, and the
    replacement its finding names."""
    from porting_advisor.scanners.c import intrinsics, ppexpr
    from porting_advisor.scanners.c.identifiers import CPU_DETECTION

    header = name.strip('<>"')
    family = intrinsics.catalogue().get(name, "")
    source, caveats = "", []
    if header == "cpuid.h":
        kind, f = "header", finding(cfg.rules, "c-x86-cpu-detection", "", name="<cpuid.h>")
    elif header in ppexpr.X86_HEADERS:
        kind, f = "header", finding(cfg.rules, "c-x86-header", "", header=header)
    elif name in CPU_DETECTION or family == "CPUID":
        kind, f = "cpu-detection", finding(cfg.rules, "c-x86-cpu-detection", "", name=name)
    elif family:
        kind, advice = "intrinsic", intrinsics.advice(name, family)
        f = finding(cfg.rules, "c-x86-intrinsic", "", name=name, family=family, advice=advice)
        source = advice_source(name)
        if "SVE" in advice and facts["sve"] == "none":
            caveats.append(f"{target} has no SVE: only the NEON part of the advice applies")
    elif name.startswith("__builtin_ia32_"):
        kind, f = "builtin", finding(cfg.rules, "c-x86-builtin", "", name=name)
    elif name in intrinsics.X87:
        kind, f = "x87", finding(cfg.rules, "c-long-double-80", "", name=name)
    else:
        return {
            "found": False,
            "kind": "unknown",
            "message": f"`{name}` is not an x86 intrinsic, builtin, header or flag in "
            "porting-advisor's catalogue (rules/generated/x86-intrinsics.json)",
        }
    out: dict[str, Any] = {"found": True, "kind": kind, **brief(f)}
    if family:
        out["family"] = family
    if source:
        out["advice_source"] = source
    out["target_facts"] = target_facts(facts)
    out["caveats"] = caveats
    return out


def advice_source(name: str) -> str:
    """Where an intrinsic's advice comes from (the order of `intrinsics.advice`)."""
    from porting_advisor.scanners.c import intrinsics

    curated, neon, _, _ = intrinsics.advice_table()
    if name in curated:
        return "curated (rules/intrinsic-map.yaml)"
    if name in neon:
        return (
            "derived from SIMDe's NEON implementation (rules/generated/x86-intrinsics.json), "
            "not reviewed by hand"
        )
    return "the advice for its instruction-set family (rules/intrinsic-map.yaml)"
