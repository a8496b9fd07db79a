# SPDX-License-Identifier: Apache-2.0
""".NET: x86 hardware intrinsics in C# (scanners/csharp_dispatch.py), project files pinned to
x64 or on .NET Core before 3.0, and `dotnet publish -r linux-x64` in scripts, CI and
Dockerfiles."""

from __future__ import annotations

import re

from porting_advisor.core import lazy_re
from porting_advisor.core.source import Source

RID = lazy_re.compile(r"<RuntimeIdentifiers?>([^<]+)</RuntimeIdentifiers?>")
PLATFORM = lazy_re.compile(r"<PlatformTarget>\s*(x64|x86)\s*</PlatformTarget>", re.I)
FRAMEWORK = lazy_re.compile(r"<TargetFrameworks?>([^<]+)</TargetFrameworks?>")
# `dotnet publish|build|restore ... -r linux-x64` (also --runtime, -r:, --arch x64)
DOTNET_CLI = lazy_re.compile(r"\bdotnet\s+(?:publish|build|restore|pack|run)\b[^\n]*")
CLI_RID = lazy_re.compile(
    r"(?:\s-r|\s--runtime)(?:\s+|[:=])[\"']?((?:linux|linux-musl)-x(?:64|86))\b"
)
CLI_ARCH = lazy_re.compile(r"(?:\s-a|\s--arch)(?:\s+|[:=])[\"']?(x64|x86|amd64)\b")
# a publish output directory for an x64 RID copied into an image
COPY_RID = lazy_re.compile(r"^[ \t]*(?:COPY|ADD)\b[^\n]*?/((?:linux|linux-musl)-x64)/", re.M | re.I)
ARM_RID = lazy_re.compile(r"(?:linux|linux-musl|win|osx)-arm64|--arch\s+arm64|-a\s+arm64")


def scan_dotnet(src: Source) -> None:
    """C# intrinsics per method, project files, and `dotnet` command lines."""
    if src.file.endswith(".cs"):
        # (imported for C# alone: shell scripts and Dockerfiles, read here for their `dotnet`
        # commands, need no tree-sitter grammar)
        from porting_advisor.scanners import csharp_dispatch

        csharp_dispatch.scan_csharp(src)
    elif src.language == "dotnet":
        scan_project(src)
    else:
        scan_commands(src)


def scan_project(src: Source) -> None:
    """Project files: PlatformTarget x64/x86, x64/x86-only runtime identifiers, .NET Core
    before 3.0."""
    text = src.text
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


def scan_commands(src: Source) -> None:
    """`dotnet publish -r linux-x64` (or `--arch x64`) in a script, CI file or Dockerfile,
    and a Dockerfile that copies a linux-x64 publish directory; none when the file also
    builds for an Arm64 runtime identifier (a matrix, a second command)."""
    text = src.text
    if "dotnet" not in text and "x64/" not in text:
        return
    if ARM_RID.search(text):
        return
    for cmd in DOTNET_CLI.finditer(text):
        if (line_text := src.line_text(src.position(cmd.start())[0])).lstrip().startswith("#"):
            continue
        m = CLI_RID.search(cmd.group(0)) or CLI_ARCH.search(cmd.group(0))
        if m is not None:
            line, col = src.position(cmd.start() + m.start(1))
            src.add(
                "dotnet-x64-only-project",
                line,
                col,
                what=f"`{line_text.strip()[:80]}` builds for {m.group(1)} only",
                case="publish-rid",
            )
    if src.language == "docker":
        for m in COPY_RID.finditer(text):
            line, col = src.position(m.start(1))
            src.add(
                "dotnet-x64-only-project",
                line,
                col,
                what=f"the image copies {m.group(1)} publish output",
                case="publish-rid",
            )
