# SPDX-License-Identifier: Apache-2.0
"""Deployment configuration parsed: where each value is reported, what it suggests, what is
filtered and why, and the line reader for files that do not parse."""

from __future__ import annotations

from conftest import FIXTURES, scan
from porting_advisor.scanners.deploy import tree

DEPLOY = FIXTURES / "deploy"


def findings(case, rules, **kw):
    report = scan(DEPLOY / case, rules, **kw)
    return {(f.file, f.line, f.column): f for f in report.findings}


def test_block_list_items_are_reported_where_they_are(rules):
    got = findings("cfn-sam", rules)
    globals_arch = got[("template.yaml", 26, 9)]  # `      - x86_64` under Globals
    assert globals_arch.rule == "deploy-x86-architecture"
    assert globals_arch.message == "deployment pinned to x86: `Architectures: x86_64`"
    types = [
        f for (file, line, _), f in got.items() if file == "template.yaml" and line in (63, 65)
    ]
    assert [f.message for f in types] == [
        "x86 instance type `c6i.large`",
        "x86 instance type `c6a.large`",
    ]


def test_eks_ami_type_suggests_its_arm64_type(rules):
    got = findings("terraform-eks", rules)
    cases = {
        ("eks.tf", 4, 15): "AL2023_ARM_64_STANDARD",
        ("eks.tf", 15, 21): "AL2_ARM_64",
        ("eks.tf", 37, 25): "BOTTLEROCKET_ARM_64",
    }
    for where, arm in cases.items():
        assert f"use the Arm64 AMI type `{arm}` together with Graviton" in got[where].suggestion


def test_allowed_values_are_filtered_with_the_reason(rules):
    got = findings("cfn-sam", rules, no_filter=True)
    allowed = [f for f in got.values() if f.filtered]
    assert {(f.line, f.filtered_reason) for f in allowed} == {
        (12, "a list of allowed values, not the value chosen"),
        (14, "a list of allowed values, not the value chosen"),
    }
    assert not got[("template.yaml", 9, 14)].filtered  # the parameter's Default


def test_karpenter_family_suggests_a_graviton_family(rules):
    got = findings("karpenter", rules, target="graviton4")
    assert got[("nodepool.yaml", 17, 15)].suggestion.startswith("Use the Graviton equivalent `c8g`")


def test_a_file_that_does_not_parse_is_read_line_by_line(rules, tmp_path):
    text = "spec:\n  nodeSelector:\n    kubernetes.io/arch: amd64\n  : [unbalanced\n"
    assert tree.from_yaml(text) is None
    (tmp_path / "broken.yaml").write_text(text)
    report = scan(tmp_path, rules)
    assert [(f.file, f.line, f.column, f.rule) for f in report.findings] == [
        ("broken.yaml", 3, 25, "deploy-x86-architecture")
    ]


def test_ci_arch_keys_are_not_deployment_settings(rules, tmp_path):
    (tmp_path / ".travis.yml").write_text("jobs:\n  include:\n    - arch: amd64\n")
    (tmp_path / "azure-pipelines.yml").write_text(
        "jobs:\n- job: w\n  variables:\n    MSYS2_ARCH: x86_64\n"
    )
    assert not [f for f in scan(tmp_path, rules).findings if f.rule.startswith("deploy-")]


def test_a_yaml_alias_is_reported_once_where_its_anchor_is(rules, tmp_path):
    (tmp_path / "nodes.yaml").write_text(
        "x-arch: &arch\n  kubernetes.io/arch: amd64\n"
        "a:\n  nodeSelector: *arch\nb:\n  nodeSelector: *arch\n"
    )
    got = [(f.line, f.column, f.rule) for f in scan(tmp_path, rules).findings]
    assert got == [(2, 23, "deploy-x86-architecture")]


def test_a_preferred_node_affinity_is_info(rules):
    got = findings("k8s-manifests", rules)
    assert got[("workloads.yaml", 98, 30)].severity.name == "INFO"
    assert got[("workloads.yaml", 23, 25)].severity.name == "WARNING"  # required
