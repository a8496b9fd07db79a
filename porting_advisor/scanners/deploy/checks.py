# SPDX-License-Identifier: Apache-2.0
"""The deployment rules on a parsed file: each setting's value (a string, or every string of
a list or expression) is checked as a whole, where it is written. A value that already offers
Arm64 (`[amd64, arm64]`, a Graviton type beside an x86 one, `var.arm ? "arm64" : "x86_64"`)
is no finding."""

from __future__ import annotations

from typing import Any

from porting_advisor.core import lazy_re
from porting_advisor.core.model import Severity
from porting_advisor.core.source import Source
from porting_advisor.scanners.deploy import families
from porting_advisor.scanners.deploy.tree import Expr, Map, Node, Scalar, Seq

# A path: the keys from the document's root, each with its HCL block labels
Path = tuple[tuple[str, tuple[str, ...]], ...]

X86 = lazy_re.compile(r"(?i)x86_64|amd64|x86-64")
ARM = lazy_re.compile(r"(?i)arm64|aarch64")
# x86 as one part of a name or path: `al2023-ami-*-x86_64`, `/aws/service/.../x86_64/...`
X86_PART = lazy_re.compile(r"(?i)(?<![a-z0-9])(?:x86_64|amd64)(?![a-z0-9])")
LAMBDA_KEY = lazy_re.compile(r"(?i)(?:compatible_?)?architectures")
ECS_KEY = lazy_re.compile(r"(?i)cpu_?architecture")
# the name of a variable or parameter that holds an architecture
ARCH_NAME = lazy_re.compile(r"(?i).*(?:architectures?|(?<![a-z])arch)")
K8S_ARCH = frozenset({"kubernetes.io/arch", "beta.kubernetes.io/arch"})
K8S_TYPE = frozenset({"node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type"})
K8S_FAMILY = frozenset({"karpenter.k8s.aws/instance-family"})
# keys whose value may name a machine type in YAML/JSON (in HCL every string is checked)
INSTANCE_CONTEXT = lazy_re.compile(r"(?i)instance|machine|size|node_?type|flavor|sku")
AMI_CONTEXT = lazy_re.compile(r"(?i)aws_ami|ami_?filter|source_ami|amiselectorterms|image_?id")
AMI_KEYS = frozenset({"name", "values", "name_regex", "alias", "ssmparameter", "architecture"})
DEFAULT_KEYS = frozenset({"default", "Default", "defaultValue"})
# lists of what may be chosen (CloudFormation AllowedValues, a JSON schema's enum)
ALLOWED_KEYS = frozenset({"allowedvalues", "allowed_values", "enum"})
# text about the configuration, not configuration; labels describe a pod, they select nothing
SKIPPED = frozenset(
    {"description", "summary", "help", "comment", "comments", "notes", "title", "condition",
     "error_message", "labels", "annotations"}
)  # fmt: skip
EKS_AMI = lazy_re.compile(r"(AL2|AL2023|BOTTLEROCKET)_x86_64(?:_(STANDARD|GPU|NVIDIA|NEURON))?")
# Arm64 EKS AMI types; Neuron (Inferentia, Trainium) hosts are x86 only: no equivalent
EKS_ARM = {
    ("AL2", None): "AL2_ARM_64",
    ("AL2", "GPU"): "AL2023_ARM_64_NVIDIA",
    ("AL2023", "STANDARD"): "AL2023_ARM_64_STANDARD",
    ("AL2023", "NVIDIA"): "AL2023_ARM_64_NVIDIA",
    ("BOTTLEROCKET", None): "BOTTLEROCKET_ARM_64",
    ("BOTTLEROCKET", "NVIDIA"): "BOTTLEROCKET_ARM_64_NVIDIA",
}


def check(src: Source, docs: list[Node], hcl: bool, images: bool) -> None:
    """Report the x86 settings of a parsed deployment file (`images`: also `image:` values,
    which the container scanner does not read in this kind of file)."""
    start = len(src.findings)  # another scanner's findings on this file come first
    for doc in docs:
        walk(src, doc, (), hcl, images)
    seen: set[tuple[int, int, str]] = set()
    unique = []
    for f in src.findings[start:]:  # a YAML alias repeats its anchor's nodes
        if (f.line, f.column, f.rule) not in seen:
            seen.add((f.line, f.column, f.rule))
            unique.append(f)
    src.findings[start:] = unique


def walk(src: Source, node: Node, path: Path, hcl: bool, images: bool) -> None:
    if isinstance(node, Map):
        for key, value in node.entries:
            if key.lower() in SKIPPED:
                continue
            name, named = key, hcl
            if key in DEFAULT_KEYS and path:  # a variable's or parameter's value: its name
                name = node.labels[0] if node.labels else path[-1][0]
                named = True
            labels = value.labels if isinstance(value, Map) else ()
            check_entry(src, name, value, node, path, named, images, hcl)
            walk(src, value, (*path, (key, labels)), hcl, images)
    elif isinstance(node, Seq | Expr):
        for item in node.items if isinstance(node, Seq) else node.parts:
            walk(src, item, path, hcl, images)


def leaves(node: Node) -> list[Scalar]:
    """The strings of one value: itself, a list's, an expression's (not a mapping's)."""
    if isinstance(node, Scalar):
        return [node]
    if isinstance(node, Seq):
        return [s for item in node.items for s in leaves(item)]
    if isinstance(node, Expr):
        return [s for part in node.parts for s in leaves(part)]
    return []


def sibling(parent: Map, *keys: str) -> str:
    """The value of another key of the same mapping, as a string (an expression's text)."""
    for key, value in parent.entries:
        if key in keys and isinstance(value, Scalar | Expr):
            return value.value if isinstance(value, Scalar) else value.text
    return ""


def check_entry(
    src: Source,
    key: str,
    value: Node,
    parent: Map,
    path: Path,
    named: bool,
    images: bool,
    hcl: bool,
) -> None:
    """Check one setting. `named`: `key` names a variable (HCL, a Terraform variable or a
    CloudFormation parameter), so an architecture name in it is the setting's meaning; in
    other YAML an `arch:` key is anybody's (a CI runner's, an MSYS2 build's)."""
    group = leaves(value)
    if not group:
        return
    lower = key.lower()
    context = " ".join(k + " " + " ".join(labels) for k, labels in path)
    if lower == "values":  # a selector term or a filter: what it selects is beside it
        of = sibling(parent, "key", "Key", "name", "Name")
        if of in K8S_ARCH:
            negated = sibling(parent, "operator", "Operator") == "NotIn"
            # a preferred affinity only ranks nodes: the pod still runs on Arm64 nodes
            preferred = any(k.startswith("preferredDuringScheduling") for k, _ in path)
            arch(src, of, group, "node-affinity", negated, Severity.INFO if preferred else None)
        elif of in K8S_TYPE or of in K8S_FAMILY:
            instances(src, of, group, family_only=of in K8S_FAMILY)
        elif of == "architecture":
            arch(src, "architecture", group, "ami")
        elif of == "name" and (AMI_CONTEXT.search(context) or "filter" in context):
            ami_names(src, key, group)
        return
    if LAMBDA_KEY.fullmatch(key) or key == "architecture" and serverless(path):
        arch(src, key, group, "lambda")
    elif ECS_KEY.fullmatch(key):
        arch(src, key, group, "ecs")
    elif key in K8S_ARCH:
        arch(src, key, group, "kubernetes")
    elif lower == "value" and "cpu.arch" in sibling(parent, "attribute"):
        arch(src, "attr.cpu.arch", group, "setting")  # a Nomad job's constraint
    elif AMI_CONTEXT.search(context) and lower in AMI_KEYS:
        ami_names(src, key, group)
    elif ARCH_NAME.fullmatch(key) and named:
        arch(src, key, group, "setting")
    elif hcl or INSTANCE_CONTEXT.search(key) or INSTANCE_CONTEXT.search(context):
        instances(src, key, group, allowed=lower in ALLOWED_KEYS)
    eks_ami(src, key, group)
    for s in group:
        if "/aws/service/" in s.value and X86_PART.search(s.value) and not ARM.search(s.value):
            pinned(src, s, key, "ami")
    if images and lower in ("image", "repository"):
        container_images(src, group)


def serverless(path: Path) -> bool:
    """Under a Serverless Framework `provider:` or a function of its `functions:`?"""
    return bool(path) and (
        path[0][0] == "provider" and len(path) == 1 or path[0][0] == "functions" and len(path) == 2
    )


def shown(src: Source, s: Scalar, key: str) -> str:
    """The setting as the message shows it: its line, or `key: value` for a list item."""
    line = src.line_text(s.line).strip()
    return line[:80] if key in line else f"{key}: {s.value}"[:80]


def pinned(
    src: Source, s: Scalar, key: str, case: str, severity: Severity | None = None, **params: str
) -> None:
    extra: dict[str, Any] = {"value": shown(src, s, key), **params}
    src.add("deploy-x86-architecture", s.line, s.column, length=len(s.value), case=case,
            severity=severity, **extra)  # fmt: skip


def arch(
    src: Source,
    key: str,
    group: list[Scalar],
    case: str,
    negated: bool = False,
    severity: Severity | None = None,
) -> None:
    """Architecture values: x86 ones unless Arm64 is also allowed (`NotIn [arm64]` excludes
    Arm64)."""
    if negated:
        for s in group:
            if ARM.fullmatch(s.value):
                pinned(src, s, key, case, severity)
        return
    if any(ARM.fullmatch(s.value) for s in group):
        return
    for s in group:
        if X86.fullmatch(s.value):
            pinned(src, s, key, case, severity)


def ami_names(src: Source, key: str, group: list[Scalar]) -> None:
    """AMI names, aliases and SSM paths that name x86 (`al2023-ami-*-x86_64`)."""
    if any(ARM.search(s.value) for s in group):
        return
    for s in group:
        if X86_PART.search(s.value):
            pinned(src, s, key, "ami")


def eks_ami(src: Source, key: str, group: list[Scalar]) -> None:
    if any("_ARM_64" in s.value for s in group):
        return
    for s in group:
        m = EKS_AMI.fullmatch(s.value)
        arm = EKS_ARM.get((m.group(1), m.group(2))) if m else None
        if arm:
            pinned(src, s, key, "eks-ami", arm=arm)


def instances(
    src: Source, key: str, group: list[Scalar], family_only: bool = False, allowed: bool = False
) -> None:
    """Machine types, one finding each, unless the same value offers an Arm64 type."""
    if any(families.is_arm(s.value) for s in group):
        return
    target = src.options.target
    for s in group:
        extra: dict[str, Any]
        found = families.x86_instance(s.value, target, family_only)
        if found is None:
            continue
        extra = dict(found.params)
        src.add(
            "deploy-x86-instance-type",
            s.line,
            s.column + max(s.value.find(found.value), 0),
            length=len(found.value),
            value=found.value,
            case=found.case,
            key=found.key,
            filtered=allowed,
            filtered_reason="a list of allowed values, not the value chosen" if allowed else "",
            **extra,
        )


def container_images(src: Source, group: list[Scalar]) -> None:
    from porting_advisor.scanners import containers

    for s in group:
        if containers.X86_IMAGE.search(s.value):
            multi = containers.multiarch(s.value)
            src.add("docker-amd64-image", s.line, s.column, length=len(s.value), image=s.value,
                    multiarch=multi)  # fmt: skip
