# SPDX-License-Identifier: Apache-2.0
"""Deployment settings read line by line, comments removed: the reader for files no parser
takes (Dockerfiles) and for YAML or HCL that does not parse (a Helm template's actions)."""

from __future__ import annotations

import re

from porting_advisor.core import lazy_re
from porting_advisor.core.source import Source
from porting_advisor.scanners.deploy import families

INSTANCE = lazy_re.compile(
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
COMMENT = lazy_re.compile(r"(?:^|\s)(?:#|//).*$")

# Google Cloud `machine_type = "n2-standard-8"`: series, shape and vCPU count
GCP_MACHINE = lazy_re.compile(
    r"(?i)machine_?type[\"']?\s*[:=]\s*[\"']([a-z][a-z0-9]*)-((?:standard|highmem|highcpu)-\d+)[\"']"
)
# Azure `size = "Standard_D8s_v5"`, `vm_size`, `"vmSize"`: letters, vCPUs, features, version
AZURE_SIZE = lazy_re.compile(r"\bStandard_([A-Z]+)(\d+)(?:-\d+)?([a-z]*)_(v\d+)\b")


def scan(src: Source) -> None:
    """Check a deployment file line by line: a file no parser reads (a Dockerfile) or one
    that does not parse (a template)."""
    text = src.text
    kube_affinity = "kubernetes.io/arch" in text
    for no, raw in enumerate(text.split("\n"), 1):
        line = COMMENT.sub("", raw)
        if not line.strip():
            continue
        for m in INSTANCE.finditer(line):
            value = m.group(1)
            family, _, size = value.partition(".")
            target = src.options.target
            suggestion = families.graviton(family.lower(), size, target)
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
        arm, column = families.arm_family("gcp", series, target)
        if arm:
            value = line[m.start(1) : m.end(2)]
            found.append((m.start(1), value, f"{arm}-{shape}", column, series))
    for m in AZURE_SIZE.finditer(line):
        letters, vcpus, feats, version = m.groups()
        family = f"{letters}{feats}{version}"
        arm, column = families.arm_family("azure", family, target)
        parts = families.ARM_FAMILY.match(arm)
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
            cpu=families.CPU_NAMES[column],
            case="other-cloud",
            key=key,
        )
