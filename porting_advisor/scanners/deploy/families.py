# SPDX-License-Identifier: Apache-2.0
"""Cloud instance types: which values are x86 machine types, and their Arm64 equivalents
(the family table is data: rules/deploy/instance-families.tsv)."""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass

from porting_advisor.core import lazy_re, ruleset

# `c6i.xlarge`, `m5.metal`: a family and a size, the whole value
EC2_TYPE = lazy_re.compile(
    r"([a-z][a-z0-9-]*\d[a-z0-9-]*)\.(nano|micro|small|medium|large|\d*xlarge|metal(?:-\d+xl)?)"
)
# Graviton families: a generation digit then `g` (c7g, m6gd, im4gn, is4gen, x2gd), and a1
EC2_ARM = lazy_re.compile(r"a1|[a-z]+\d+g[a-z]*")
# Google Cloud `n2-standard-8` (or a zone's `.../machineTypes/n2-standard-8`)
GCP_TYPE = lazy_re.compile(
    r"(?:.*/machineTypes/)?([a-z][a-z0-9]*)-((?:standard|highmem|highcpu)-\d+)", re.I
)
# Azure `Standard_D8s_v5`: letters, vCPUs, features (`p` is Arm64), version
AZURE_SIZE = lazy_re.compile(r"Standard_([A-Z]+)(\d+)(?:-\d+)?([a-z]*)_(v\d+)")
ARM_FAMILY = lazy_re.compile(r"^([A-Z]+)([a-z]*)(v\d+)$")
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


@dataclass(frozen=True, slots=True)
class Instance:
    """An x86 machine type with an Arm64 equivalent for the target."""

    value: str  # as written
    arm: str  # the Arm64 type (or family) suggested
    case: str  # finding_suggestion case: "ec2" or "other-cloud"
    key: str  # the x86 family
    params: tuple[tuple[str, str], ...]  # the rule's template fields


@functools.cache
def families() -> dict[tuple[str, str], dict[str, str]]:
    """(cloud, x86 family) -> its row of rules/deploy/instance-families.tsv."""
    path = ruleset.data_dir("rules") / "deploy" / "instance-families.tsv"
    with path.open(newline="", encoding="utf-8") as fh:
        return {(r["cloud"], r["x86_family"]): r for r in csv.DictReader(fh, delimiter="\t")}


@functools.cache
def arm_families() -> frozenset[tuple[str, str]]:
    """(cloud, family) of every Arm64 family the table names."""
    return frozenset(
        (cloud, value)
        for (cloud, _), row in families().items()
        for name, value in row.items()
        if name in CPU_NAMES and value
    )


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


def is_arm(value: str) -> bool:
    """Is this an Arm64 machine type (or EC2 family) of any cloud?"""
    m = EC2_TYPE.fullmatch(value)
    family = m.group(1) if m else value
    if EC2_ARM.fullmatch(family):
        return True
    if (m := GCP_TYPE.fullmatch(value)) is not None:
        return ("gcp", m.group(1).lower()) in arm_families()
    if (m := AZURE_SIZE.fullmatch(value)) is not None:
        return "p" in m.group(3)
    return False


def x86_instance(value: str, target: str, family_only: bool = False) -> Instance | None:
    """The x86 machine type `value` is (an EC2 family alone with `family_only`), or None."""
    if family_only:
        chosen, _ = arm_family("aws", value, target)
        return ec2(value, value, chosen, target) if chosen else None
    if (m := EC2_TYPE.fullmatch(value)) is not None:
        suggestion = graviton(m.group(1), m.group(2), target)
        return ec2(value, m.group(1), suggestion, target) if suggestion else None
    if (m := GCP_TYPE.fullmatch(value)) is not None:
        series, shape = m.group(1).lower(), m.group(2).lower()
        arm, column = arm_family("gcp", series, target)
        written = value[m.start(1) : m.end(2)]
        return other_cloud(written, f"{arm}-{shape}", column, series) if arm else None
    if (m := AZURE_SIZE.fullmatch(value)) is not None:
        letters, vcpus, feats, version = m.groups()
        family = f"{letters}{feats}{version}"
        arm, column = arm_family("azure", family, target)
        parts = ARM_FAMILY.match(arm)
        if parts:
            size = f"Standard_{parts[1]}{vcpus}{parts[2]}_{parts[3]}"
            return other_cloud(value, size, column, family)
    return None


def ec2(value: str, family: str, suggestion: str, target: str) -> Instance:
    # another cloud's target: name the Graviton generation suggested
    shown = target if target.startswith("graviton") else "graviton4"
    return Instance(value, suggestion, "ec2", family, (("graviton", suggestion), ("target", shown)))


def other_cloud(value: str, arm: str, column: str, family: str) -> Instance:
    params = (("graviton", arm), ("cpu", CPU_NAMES[column]))
    return Instance(value, arm, "other-cloud", family, params)
