# SPDX-License-Identifier: Apache-2.0
"""Deployment configuration: x86 instance types, Lambda/ECS/Kubernetes/AMI pinned to x86_64.

Terraform/OpenTofu, CloudFormation/SAM (YAML/JSON), ECS task definitions, Kubernetes manifests
and Helm charts are read as text, line by line, with comments removed; the instance-family
table is data (rules/deploy/instance-families.tsv).
"""

from __future__ import annotations

import csv
import functools
import re

from porting_advisor.core import ruleset
from porting_advisor.core.source import Source

INSTANCE = re.compile(
    r"(?i)(?:instance_type|InstanceType|instanceType|instance-type|"
    r"node_instance_type|instance_types|InstanceTypes|machine_type)"
    r"[\"']?\s*[:=]\s*\[?\s*[\"']?((?:[a-z]+\d[a-z0-9-]*)\.\w+)"
)
# (setting, case of the rule's finding_suggestion: rules/deploy.rules.yaml)
ARCH_PIN = (
    (
        re.compile(r"(?i)\barchitectures[\"']?\s*[:=]\s*\[?\s*[\"']?(x86_64)"),
        "lambda",
    ),
    (
        re.compile(r"cpuArchitecture[\"']?\s*[:=]\s*[\"']?(X86_64)"),
        "ecs",
    ),
    (
        re.compile(r"kubernetes\.io/arch[\"']?\s*[:=]\s*[\"']?(amd64)"),
        "kubernetes",
    ),
    (
        re.compile(r"(?i)\bvalues?\s*[:=]\s*\[\s*[\"']?(amd64)[\"']?\s*\]"),
        "node-affinity",
    ),
    (
        re.compile(r"(?i)name\s*=\s*[\"']architecture[\"'][^\n]*values\s*=\s*\[\s*[\"'](x86_64)"),
        "ami",
    ),
)
COMMENT = re.compile(r"(?:^|\s)(?:#|//).*$")


@functools.cache
def families() -> dict[str, dict[str, str]]:
    path = ruleset.data_dir("rules") / "deploy" / "instance-families.tsv"
    with path.open(newline="", encoding="utf-8") as fh:
        return {r["x86_family"]: r for r in csv.DictReader(fh, delimiter="\t")}


def graviton(family: str, size: str, target: str) -> str:
    row = families().get(family)
    if row is None:
        return ""
    column = {"graviton2": "graviton_family_g2", "graviton3": "graviton_family_g3"}.get(
        target, "graviton_family_g4"
    )
    chosen = row.get(column) or row.get("graviton_family_g3") or row.get("graviton_family_g2") or ""
    return f"{chosen}.{size}" if chosen else ""


def scan(src: Source) -> None:
    """Check one deployment or infrastructure file."""
    text = src.text
    if not any(
        w in text
        for w in (
            "nstance",
            "rchitecture",
            "kubernetes.io/arch",
            "amd64",
            "x86_64",
            "X86_64",
            "machine_type",
        )
    ):
        return
    kube_affinity = "kubernetes.io/arch" in text
    for no, raw in enumerate(text.split("\n"), 1):
        line = COMMENT.sub("", raw)
        if not line.strip():
            continue
        for m in INSTANCE.finditer(line):
            value = m.group(1)
            family, _, size = value.partition(".")
            suggestion = graviton(family.lower(), size, src.options.target)
            if suggestion:
                src.add(
                    "deploy-x86-instance-type",
                    no,
                    m.start(1) + 1,
                    length=len(value),
                    value=value,
                    graviton=suggestion,
                    target=src.options.target,
                    key=family.lower(),
                )
        for i, (rx, case) in enumerate(ARCH_PIN):
            if i == 3 and not kube_affinity:
                continue  # `values: [amd64]` is a node-affinity term only in Kubernetes files
            for m in rx.finditer(line):
                if re.search(r"arm64|aarch64", line, re.I):
                    continue
                src.add(
                    "deploy-x86-architecture",
                    no,
                    m.start(1) + 1,
                    length=len(m.group(1)),
                    value=line.strip()[:80],
                    case=case,
                )
