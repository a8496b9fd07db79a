# SPDX-License-Identifier: Apache-2.0
"""The MCP server over stdio on the official Python SDK (`mcp`, the optional extra): the
tools of `serve.tools` and `serve.knowledge`, their descriptions and argument schemas.
Imported only by `porting-advisor mcp`."""

# No `from __future__ import annotations`: the SDK reads the tools' signatures, and the
# `Annotated` argument descriptions below, at run time.

from collections.abc import Callable
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from porting_advisor import __version__
from porting_advisor.gate.settings import TARGETS
from porting_advisor.serve import knowledge, tools

TARGET_LIST = ", ".join(TARGETS)

PathArg = Annotated[
    str,
    Field(
        description="Directory or file to scan: absolute, or relative to the first root. "
        "It must lie under one of the roots the server was started with."
    ),
]
TargetArg = Annotated[
    str,
    Field(
        description=f"Arm64 target profile ({TARGET_LIST}); default: the scanned project's "
        "configuration, else graviton3."
    ),
]
CategoriesArg = Annotated[
    list[str] | None,
    Field(
        description="Finding categories to report (list_rules names them); `+name` adds to "
        "and `-name` removes from the defaults. Default: the default-on categories."
    ),
]
PageArg = Annotated[int, Field(description="Page of findings, from 1.", ge=1)]
PageSizeArg = Annotated[
    int,
    Field(
        description=f"Findings per page (1-{tools.MAX_PAGE_SIZE}).", ge=1, le=tools.MAX_PAGE_SIZE
    ),
]

SCAN = (
    "Scan a directory or file for what stops it from building or running on Arm64 (x86 "
    "intrinsics and assembly, x86-only flags and libraries, dependencies without Arm64 "
    "builds, amd64-pinned containers and deployment config ...). Returns the readiness "
    "verdict (ready, minor, significant, blocked), counts by category and severity, and one "
    "page of findings (file, line, rule, message, suggestion), sorted by file and line. "
    "Reads files only; never runs anything from the scanned tree."
)
EXPLAIN = "One rule's documentation: what it detects, why it matters on Arm64, what to do."
LIST = "The rule catalogue (id, category, severity, title) and the finding categories."
CHECK = (
    "Look up one dependency in porting-advisor's Arm64 package table: whether the version "
    "has an Arm64 build, the first version that has one, and the finding a scan would report. "
    "Ecosystems: pypi, maven (groupId:artifactId), go, npm. When the server was started "
    "with --online, a PyPI package is also looked up on the configured Python package index."
)
SUGGEST = (
    "The Arm64 replacement for an x86 intrinsic (_mm_add_epi32), builtin, intrinsic header "
    "(immintrin.h), CPU-detection call (__get_cpuid) or x86-only compiler flag (-mavx2, "
    "-march=haswell) or library (-lmkl_rt), for a target profile, with the caveats that apply."
)


def failures(fn: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """Turn a refused call into the SDK's tool error (a result the client reads, flagged as an
    error), keeping the tool's signature for the SDK's schema."""
    import functools

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> dict[str, Any]:
        try:
            return fn(*args, **kwargs)
        except tools.ToolFailure as exc:
            raise ToolError(str(exc)) from None

    return call


def build(cfg: tools.Config) -> MCPServer:
    """The server with its five tools."""
    roots = ", ".join(str(r) for r in cfg.roots)
    server: MCPServer = MCPServer(
        name="porting-advisor",
        version=__version__,
        instructions=f"porting-advisor: Arm64 porting analysis of the source trees under "
        f"{roots}. Scan a tree, then use explain_rule, suggest_replacement and "
        "check_dependency for the findings; rescan after a change.",
        log_level="WARNING",
    )
    local = ToolAnnotations(read_only_hint=True, destructive_hint=False, open_world_hint=False)
    registry = ToolAnnotations(
        read_only_hint=True, destructive_hint=False, open_world_hint=cfg.online
    )

    def scan(
        path: PathArg,
        target: TargetArg = "",
        categories: CategoriesArg = None,
        page: PageArg = 1,
        page_size: PageSizeArg = 50,
    ) -> dict[str, Any]:
        return tools.scan(cfg, path, target, categories, page, page_size)

    def explain_rule(
        id: Annotated[str, Field(description="A rule id, e.g. c-x86-intrinsic.")],  # noqa: A002
    ) -> dict[str, Any]:
        return tools.explain_rule(cfg, id)

    def list_rules(
        category: Annotated[str, Field(description="Only this category (optional).")] = "",
    ) -> dict[str, Any]:
        return tools.list_rules(cfg, category)

    def check_dependency(
        ecosystem: Annotated[str, Field(description="pypi, maven, go or npm.")],
        name: Annotated[str, Field(description="Package name (Maven: groupId:artifactId).")],
        version: Annotated[
            str, Field(description="A version, a PyPI specifier such as >=1.2, or empty.")
        ] = "",
    ) -> dict[str, Any]:
        return knowledge.check_dependency(cfg, ecosystem, name, version)

    def suggest_replacement(
        name: Annotated[str, Field(description="An x86 intrinsic, header, builtin or flag.")],
        target: Annotated[str, Field(description=f"Target profile ({TARGET_LIST}).")] = (
            "graviton3"
        ),
    ) -> dict[str, Any]:
        return knowledge.suggest_replacement(cfg, name, target)

    for fn, text, hints in (
        (scan, SCAN, registry),
        (explain_rule, EXPLAIN, local),
        (list_rules, LIST, local),
        (check_dependency, CHECK, registry),
        (suggest_replacement, SUGGEST, local),
    ):
        server.add_tool(failures(fn), name=fn.__name__, description=text, annotations=hints)
    return server


def run(cfg: tools.Config) -> None:
    """Serve until the client closes standard input."""
    build(cfg).run("stdio")
