# SPDX-License-Identifier: Apache-2.0
"""Deployment configuration: x86 instance types (EC2, Google Cloud, Azure), Lambda, ECS,
EKS, Kubernetes, Karpenter and AMIs pinned to x86_64.

Terraform/OpenTofu/Packer HCL is parsed with tree-sitter; CloudFormation/SAM, ECS task
definitions, Kubernetes manifests, Helm values and charts, Karpenter and eksctl configs (YAML or
JSON) with PyYAML's composer, which keeps every value's line. Dockerfiles, and files that do not
parse, are read line by line (`lines.py`)."""

from __future__ import annotations

from porting_advisor.core import lazy_re
from porting_advisor.core.source import Source
from porting_advisor.scanners.deploy import checks, lines, tree

# Anything a rule could report: files without it are not parsed. Every branch starts with a
# literal, which sre finds by its first character; an instance size (`m5.large`) is found
# from its `.size` and checked backwards (a leading character class made sre try every
# offset).
WORTH = lazy_re.compile(
    r"nstance|rchitecture|kubernetes\.io/arch|amd64|x86_64|X86_64|machine_?[tT]ype|Standard_"
    r"|-(?:standard|highmem|highcpu)-\d"
)
SIZE = lazy_re.compile(r"\.(?:\d*x?large|medium|small|micro|nano|metal)")
SIZE_NAME = lazy_re.compile(r"[a-z]\d[a-z0-9-]*\Z")  # (before the `.`: m5, c7gn, r6i-...)


def worth(text: str) -> bool:
    """Could a rule report something in `text`?"""
    if WORTH.search(text):
        return True
    return any(
        SIZE_NAME.search(text, max(0, m.start() - 128), m.start()) for m in SIZE.finditer(text)
    )


# languages whose files are YAML (or JSON, which PyYAML reads too)
YAML = frozenset({"yaml", "json", "compose", "ci"})


def scan(src: Source) -> None:
    """Check one deployment or infrastructure file."""
    if not worth(src.text):
        return
    docs: list[tree.Node] | None = None
    hcl = src.language == "iac" and not src.file.endswith(".json")
    if hcl:
        body = tree.from_hcl(src.data)
        docs = [body] if body is not None else None
    elif src.language in YAML:
        docs = tree.from_yaml(src.text)
    if docs is None:
        lines.scan(src)
        return
    # compose files and CI configs: their images are the container scanner's
    images = src.language in ("yaml", "json", "iac")
    checks.check(src, docs, hcl, images)
