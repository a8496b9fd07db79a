# SPDX-License-Identifier: Apache-2.0
"""Deployment files as one small tree of mappings, lists and strings, with the position of
every string: HCL (Terraform, OpenTofu, Packer, Terragrunt) through tree-sitter, YAML and
JSON (CloudFormation, SAM, Kubernetes, Helm, eksctl, ECS) through PyYAML's composer.
Comments are not in the tree."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from porting_advisor.core import grammars, lazy_re

if TYPE_CHECKING:
    import tree_sitter
    import yaml


@dataclass(frozen=True, slots=True)
class Scalar:
    """A string (or number) as written, where its first character is."""

    value: str
    line: int  # 1-based
    column: int  # 1-based, inside the quotes


@dataclass(frozen=True, slots=True)
class Seq:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Map:
    """A mapping, an HCL object or an HCL body (keys may repeat: HCL blocks)."""

    entries: tuple[tuple[str, Node], ...]
    labels: tuple[str, ...] = ()  # an HCL block's labels: `variable "instance_type"`


@dataclass(frozen=True, slots=True)
class Expr:
    """An HCL expression that is not a literal (a conditional, a function call): its
    literal parts, in order."""

    parts: tuple[Node, ...]
    text: str = ""  # as written: `"${attr.cpu.arch}"`


Node = Scalar | Seq | Map | Expr

# A Helm (Go template) or cookiecutter (Jinja) template's actions: `{{- if .Values.x }}` and
# `{%- for ... %}` lines, inline `{{ .Values.y }}` (not a CloudFormation dynamic reference:
# `{{resolve:ssm:...}}` is a value)
ACTION = lazy_re.compile(r"\{\{(?!resolve:).*?\}\}|\{%.*?%\}")
ACTION_LINE = lazy_re.compile(r"^[ \t]*(?:\{\{(?!resolve:).*?\}\}|\{%.*?%\})[ \t]*$", re.M)
# Terraform's `${...}` and `%{...}` in a heredoc, blanked before reading it as YAML
INTERPOLATION = lazy_re.compile(r"[$%]\{[^}\n]*\}")
# top-level keys of a Kubernetes object or of Helm values that place or name what runs
K8S_KEYS = frozenset({"apiVersion", "kind", "nodeSelector", "affinity", "image"})
# JSON's escaped UTF-16 surrogates (`"\ud800"` in a pattern), which YAML rejects: same length
SURROGATE = lazy_re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def from_hcl(data: bytes) -> Node | None:
    """The HCL file's body, or None when it does not parse."""
    tree = grammars.parser("hcl").parse(data)
    if tree.root_node.has_error:
        return None
    body = next((c for c in tree.root_node.children if c.type == "body"), None)
    return hcl_body(body, data) if body is not None else Map(())


def hcl_body(body: tree_sitter.Node, data: bytes) -> Map:
    entries: list[tuple[str, Node]] = []
    for child in body.named_children:
        name = child.named_children[0] if child.named_children else None
        if name is None or name.type != "identifier":
            continue
        if child.type == "attribute":
            expr = next((c for c in child.named_children if c.type == "expression"), None)
            if expr is not None:
                entries.append((text(name), hcl_expr(expr, data)))
        elif child.type == "block":
            labels = tuple(
                literal(c) if c.type == "string_lit" else text(c)
                for c in child.named_children[1:]
                if c.type in ("string_lit", "identifier")
            )
            inner = next((c for c in child.named_children if c.type == "body"), None)
            block = hcl_body(inner, data) if inner is not None else Map(())
            entries.append((text(name), Map(block.entries, labels)))
    return Map(tuple(entries))


def hcl_expr(node: tree_sitter.Node, data: bytes) -> Node:
    """An `expression` node: a string, a tuple, an object, or the literals inside."""
    inner = node.named_children[0] if node.named_child_count == 1 else None
    if inner is not None and inner.type == "literal_value":
        lit = inner.named_children[0]
        if lit.type == "string_lit":
            return scalar(lit, data)
    if inner is not None and inner.type == "collection_value":
        coll = inner.named_children[0]
        if coll.type == "tuple":
            items = [hcl_expr(c, data) for c in coll.named_children if c.type == "expression"]
            return Seq(tuple(items))
        if coll.type == "object":
            entries: list[tuple[str, Node]] = []
            for elem in coll.named_children:
                if elem.type != "object_elem" or elem.named_child_count < 2:
                    continue
                key, value = elem.named_children[0], elem.named_children[-1]
                entries.append((object_key(key), hcl_expr(value, data)))
            return Map(tuple(entries))
    parts = tuple(hcl_expr(e, data) for e in sub_expressions(node))
    if inner is not None and inner.type == "template_expr":
        heredoc = inner.named_children[0] if inner.named_child_count else None
        if heredoc is not None and heredoc.type == "heredoc_template":
            parts += heredoc_yaml(heredoc, data)
    return Expr(parts, text(node))


def sub_expressions(node: tree_sitter.Node) -> list[tree_sitter.Node]:
    """The outermost `expression` nodes below `node` (a heredoc's text has none)."""
    found: list[tree_sitter.Node] = []
    stack = list(reversed(node.named_children))
    while stack:
        n = stack.pop()
        if n.type == "expression":
            found.append(n)
        else:
            stack.extend(reversed(n.named_children))
    return found


def object_key(key: tree_sitter.Node) -> str:
    """`name = ...` or `"kubernetes.io/arch" = ...` in an object: the key's text."""
    lit = key
    while lit.named_child_count == 1 and lit.type != "string_lit":
        lit = lit.named_children[0]
    return literal(lit) if lit.type == "string_lit" else text(key)


def scalar(lit: tree_sitter.Node, data: bytes) -> Scalar:
    body = next((c for c in lit.named_children if c.type == "template_literal"), None)
    start = body if body is not None else lit.named_children[-1]  # "": the closing quote
    row, col = start.start_point
    line_start = start.start_byte - col
    column = len(data[line_start : start.start_byte].decode("utf-8", "replace")) + 1
    return Scalar(text(body) if body is not None else "", row + 1, column)


def literal(lit: tree_sitter.Node) -> str:
    body = next((c for c in lit.named_children if c.type == "template_literal"), None)
    return text(body) if body is not None else ""


def text(node: tree_sitter.Node) -> str:
    return (node.text or b"").decode("utf-8", "replace")


def from_yaml(text_: str, first_line: int = 1) -> list[Node] | None:
    """Every document of a YAML or JSON file (starting at `first_line` of the file), or None
    when it does not parse. Tags such as CloudFormation's `!Ref` and `!Sub` are kept as plain
    values (nothing is constructed)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    if "\\u" in text_:
        text_ = SURROGATE.sub(r"\\u0020", text_)
    if "{{" in text_ or "{%" in text_:  # templates: keep the lines, blank the actions
        text_ = ACTION_LINE.sub("", text_)
        text_ = ACTION.sub(lambda m: "_" * len(m.group(0)), text_)
    try:
        return [yaml_node(doc, first_line) for doc in yaml.compose_all(text_, Loader=loader)]
    except (yaml.YAMLError, RecursionError):
        return None


def yaml_node(node: yaml.Node, first_line: int = 1) -> Node:
    import yaml

    if isinstance(node, yaml.MappingNode):
        entries = tuple(
            (str(k.value) if isinstance(k, yaml.ScalarNode) else "", yaml_node(v, first_line))
            for k, v in node.value
        )
        return Map(entries)
    if isinstance(node, yaml.SequenceNode):
        return Seq(tuple(yaml_node(n, first_line) for n in node.value))
    if not isinstance(node, yaml.ScalarNode):
        return Map(())
    quoted = 1 if node.style in ("'", '"') else 0
    mark = node.start_mark
    return Scalar(str(node.value), mark.line + first_line, mark.column + 1 + quoted)


def heredoc_yaml(node: tree_sitter.Node, data: bytes) -> tuple[Node, ...]:
    """A heredoc that holds a Kubernetes object or Helm values (`kubectl_manifest`'s
    `yaml_body`, `helm_release`'s `values`): its documents; nothing for a script."""
    marks = [c for c in node.named_children if c.type == "heredoc_identifier"]
    if len(marks) < 2:
        return ()
    start = data.find(b"\n", marks[0].end_byte) + 1
    if start <= 0 or start > marks[-1].start_byte:
        return ()
    body = data[start : marks[-1].start_byte].decode("utf-8", "replace")
    body = INTERPOLATION.sub(lambda m: "_" * len(m.group(0)), body)
    docs = from_yaml(body, marks[0].start_point[0] + 2) or []
    return tuple(d for d in docs if isinstance(d, Map) and K8S_KEYS & {k for k, _ in d.entries})
