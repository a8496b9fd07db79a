# SPDX-License-Identifier: Apache-2.0
"""Deployment configuration: x86 instance types (EC2, Google Cloud, Azure), Lambda/ECS/
Kubernetes/AMI pinned to x86_64.

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


# Google Cloud `machine_type = "n2-standard-8"`: series, shape and vCPU count
GCP_MACHINE = re.compile(
    r"(?i)machine_?type[\"']?\s*[:=]\s*[\"']([a-z][a-z0-9]*)-((?:standard|highmem|highcpu)-\d+)[\"']"
)
# Azure `size = "Standard_D8s_v5"`, `vm_size`, `"vmSize"`: letters, vCPUs, features, version
AZURE_SIZE = re.compile(r"\bStandard_([A-Z]+)(\d+)(?:-\d+)?([a-z]*)_(v\d+)\b")
ARM_FAMILY = re.compile(r"^([A-Z]+)([a-z]*)(v\d+)$")
# where a row has no family for the target: the cloud's own Arm64 families, newest first
CLOUD_DEFAULTS = {
    "aws": ("graviton4", "graviton3", "graviton2"),
    "gcp": ("axion", "ampere-altra"),
    "azure": ("cobalt100", "ampere-altra"),
}
CPU_NAMES = {
    "graviton2": "Graviton2",
    "graviton3": "Graviton3",
    "graviton4": "Graviton4",
    "axion": "Google Axion",
    "cobalt100": "Azure Cobalt 100",
    "ampere-altra": "Ampere Altra",
    "ampereone": "AmpereOne",
}


@functools.cache
def families() -> dict[tuple[str, str], dict[str, str]]:
    """(cloud, x86 family) -> its row of rules/deploy/instance-families.tsv."""
    path = ruleset.data_dir("rules") / "deploy" / "instance-families.tsv"
    with path.open(newline="", encoding="utf-8") as fh:
        return {(r["cloud"], r["x86_family"]): r for r in csv.DictReader(fh, delimiter="\t")}


def arm_family(cloud: str, family: str, target: str) -> tuple[str, str]:
    """(Arm64 family, the column it came from) for an x86 family, or ("", "")."""
    row = families().get((cloud, family))
    if row is None:
        return "", ""
    column = "graviton4" if target == "graviton5" else target
    if cloud == "aws" and target.startswith("graviton"):
        chain: tuple[str, ...] = (column, "graviton3", "graviton2")
    else:
        chain = (column, *CLOUD_DEFAULTS[cloud])
    for name in chain:
        if row.get(name):
            return row[name], name
    return "", ""


def graviton(family: str, size: str, target: str) -> str:
    chosen, _ = arm_family("aws", family, target)
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
            "machineType",
            "Standard_",
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
            target = src.options.target
            suggestion = graviton(family.lower(), size, target)
            if suggestion:  # another cloud's target: name the Graviton generation suggested
                target = target if target.startswith("graviton") else "graviton4"
                src.add(
                    "deploy-x86-instance-type",
                    no,
                    m.start(1) + 1,
                    length=len(value),
                    value=value,
                    graviton=suggestion,
                    target=target,
                    case="ec2",
                    key=family.lower(),
                )
        other_clouds(src, no, line)
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


def other_clouds(src: Source, no: int, line: str) -> None:
    """Google Cloud machine types and Azure VM sizes on one line, with their Arm64 equivalent
    for the target (or the cloud's own Arm64 CPU when the target is another cloud's)."""
    target = src.options.target
    found: list[tuple[int, str, str, str, str]] = []  # (column, value, arm value, cpu, key)
    for m in GCP_MACHINE.finditer(line):
        series, shape = m.group(1).lower(), m.group(2).lower()
        arm, column = arm_family("gcp", series, target)
        if arm:
            value = line[m.start(1) : m.end(2)]
            found.append((m.start(1), value, f"{arm}-{shape}", column, series))
    for m in AZURE_SIZE.finditer(line):
        letters, vcpus, feats, version = m.groups()
        family = f"{letters}{feats}{version}"
        arm, column = arm_family("azure", family, target)
        parts = ARM_FAMILY.match(arm)
        if parts:
            arm_size = f"Standard_{parts[1]}{vcpus}{parts[2]}_{parts[3]}"
            found.append((m.start(), m.group(0), arm_size, column, family))
    for start, value, arm, column, key in found:
        src.add(
            "deploy-x86-instance-type",
            no,
            start + 1,
            length=len(value),
            value=value,
            graviton=arm,
            cpu=CPU_NAMES[column],
            case="other-cloud",
            key=key,
        )
