# SPDX-License-Identifier: Apache-2.0
""".NET: `System.Runtime.Intrinsics.X86` in C# with no Arm path, and project files pinned to
x64 or on .NET Core before 3.0."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from porting_advisor.core import grammars
from porting_advisor.core.source import Source

if TYPE_CHECKING:
    import tree_sitter


CS_X86 = re.compile(
    r"\b(?:System\.Runtime\.Intrinsics\.X86|(?:Sse[234]?|Ssse3|Sse41|Sse42|Avx2?|"
    r"Avx512\w*|Bmi[12]|Lzcnt|Popcnt|Pclmulqdq|Aes|Fma|X86Base)\.(?:X64\.)?"
    r"\w+)"
)
RID = re.compile(r"<RuntimeIdentifiers?>([^<]+)</RuntimeIdentifiers?>")
PLATFORM = re.compile(r"<PlatformTarget>\s*(x64|x86)\s*</PlatformTarget>", re.I)
FRAMEWORK = re.compile(r"<TargetFrameworks?>([^<]+)</TargetFrameworks?>")


CS_NOT_CODE = frozenset(
    {
        "comment",
        "string_literal",
        "verbatim_string_literal",
        "raw_string_literal",
        "character_literal",
        "string_content",
        "string_literal_content",
    }
)


def csharp_code(node: tree_sitter.Node) -> bool:
    """Not inside a comment or a string (an interpolation hole inside a string is code)."""
    n: tree_sitter.Node | None = node
    while n is not None:
        if n.type == "interpolation":
            return True
        if n.type in CS_NOT_CODE:
            return False
        n = n.parent
    return True


def scan_dotnet(src: Source) -> None:
    text = src.text
    if src.file.endswith(".cs"):
        if "Intrinsics" not in text and not re.search(r"\b(?:Sse|Avx|Bmi)\w*\.", text):
            return
        if re.search(r"Intrinsics\.Arm|AdvSimd|Vector128\.IsHardwareAccelerated", text):
            return
        matches = [m for m in CS_X86.finditer(text) if not m.group(0).startswith("System.")]
        if not matches:
            return
        tree = grammars.parser("csharp").parse(text.encode())
        for m in matches:
            at = src.byte_offset(m.start())
            node = tree.root_node.descendant_for_byte_range(at, at)
            if node is None or not csharp_code(node):
                continue
            line, col = src.position(m.start())
            src.add(
                "dotnet-x86-intrinsics",
                line,
                col,
                length=len(m.group(0)),
                text=m.group(0),
                key=m.group(0).split(".")[0],
            )
        return
    for m in PLATFORM.finditer(text):
        line, col = src.position(m.start(1))
        src.add(
            "dotnet-x64-only-project",
            line,
            col,
            what=f"PlatformTarget {m.group(1)}",
            case="platform-target",
        )
    for m in RID.finditer(text):
        rids = [r.strip() for r in m.group(1).split(";") if r.strip()]
        if rids and all(re.search(r"-(?:x64|x86)$", r) for r in rids):
            line, col = src.position(m.start(1))
            src.add(
                "dotnet-x64-only-project",
                line,
                col,
                what=f"runtime identifiers {', '.join(rids)} only",
                case="runtime-identifiers",
            )
    for m in FRAMEWORK.finditer(text):
        for fw in (f.strip() for f in m.group(1).split(";")):
            old = re.match(r"^netcoreapp([12])\.\d$", fw)
            if old:
                line, col = src.position(m.start(1) + m.group(1).find(fw))
                src.add(
                    "dotnet-x64-only-project",
                    line,
                    col,
                    what=f"{fw}: .NET Core before 3.0 has no Arm64 Linux support",
                    case="old-framework",
                )
