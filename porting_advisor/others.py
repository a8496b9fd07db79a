# SPDX-License-Identifier: Apache-2.0
"""Node.js manifests and addons, Rust, and .NET: what keeps them x86-only."""
from __future__ import annotations

import functools
import json
import posixpath
import re
from typing import TYPE_CHECKING

from porting_advisor import asminline, buildfiles, manifests, versions
from porting_advisor.source import Source, node_text

if TYPE_CHECKING:
    import tree_sitter

# ---- Node.js ------------------------------------------------------------------------------


def scan_node(src: Source) -> None:
    """package.json and lock files against the npm knowledge data; binding.gyp flags."""
    name = posixpath.basename(src.file)
    if name == "binding.gyp":
        for no, line in enumerate(src.text.split("\n"), 1):
            code = line.split("#", 1)[0]
            buildfiles.check_flags(src, code, [(0, no)])
            buildfiles.check_libraries(src, code, [(0, no)], True, "")
        return
    deps: list[tuple[str, str, bool]] = []   # (name, version or range, exact)
    try:
        data = json.loads(src.text)
    except json.JSONDecodeError as exc:
        from porting_advisor.model import Remark
        src.remarks.append(Remark("manifest-unreadable", f"could not parse {name}: {exc}",
                                  src.file))
        return
    if name == "package.json":
        for section in ("dependencies", "devDependencies", "optionalDependencies"):
            for dep, spec in (data.get(section) or {}).items():
                deps.append((dep, str(spec), False))
    elif name in ("package-lock.json", "npm-shrinkwrap.json"):
        for path, info in (data.get("packages") or {}).items():
            if path.startswith("node_modules/") and isinstance(info, dict):
                deps.append((path.split("node_modules/")[-1], str(info.get("version", "")), True))
        for dep, info in (data.get("dependencies") or {}).items():
            if isinstance(info, dict):
                deps.append((dep, str(info.get("version", "")), True))
    seen: set[str] = set()
    for dep, spec, exact in deps:
        if dep in seen:
            continue
        seen.add(dep)
        known = manifests.knowledge().get(("npm", dep.lower()))
        line_no = manifests.line_of(src.text, dep)
        record: dict[str, object] = {"ecosystem": "npm", "name": dep,
                                     "version": spec if exact else "",
                                     "specifier": "" if exact else spec, "file": src.file,
                                     "line": line_no, "arm64": "unknown"}
        if known is not None:
            col = src.line_text(line_no).find(dep) + 1
            if known.status != "min":
                record["arm64"] = "no Arm64 build"
                src.add("node-native-addon", line_no, max(col, 1), name=dep,
                        problem="has no Arm64 build", advice=f"{known.note}.", key=dep)
            else:
                version = re.sub(r"^[\^~>=v\s]+", "", spec)
                too_old = bool(version) and versions.older("npm", version, known.min_version)
                record["arm64"] = f"needs >= {known.min_version}" if too_old else "ok"
                if too_old:
                    src.add("node-native-addon", line_no, max(col, 1), name=dep,
                            problem=f"{spec} predates its Arm64 builds ({known.min_version})",
                            advice=f"Upgrade `{dep}` to {known.min_version} or later.", key=dep)
        src.facts.append(("dependency", json.dumps(record, sort_keys=True)))


# ---- Rust ---------------------------------------------------------------------------------

RUST_X86 = re.compile(r"\b(?:std|core)::arch::(?:x86_64|x86)\b|\bis_x86_feature_detected!|"
                      r"\b_mm(?:256|512)?_\w+\s*\(")
RUST_ASM = re.compile(r"\b(?:asm|global_asm)!\s*\(")
RUST_X86_ARCH = re.compile(r"target_arch\s*=\s*\"(?:x86_64|x86)\"")
RUST_ARM_ARCH = re.compile(r"target_arch\s*=\s*\"(?:aarch64|arm|arm64ec)\"")
RUST_NOT_CODE = frozenset({"line_comment", "block_comment", "string_literal",
                           "raw_string_literal", "char_literal"})


@functools.cache
def rust_parser() -> tree_sitter.Parser:
    import tree_sitter
    import tree_sitter_rust
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_rust.language()))


def cfg_arch(condition: str) -> str:
    """'x86' when a cfg condition holds only on x86, 'arm' only on Arm, else ''."""
    if "target_arch" not in condition or "not(" in condition:
        return ""
    x86 = RUST_X86_ARCH.search(condition) is not None
    arm = RUST_ARM_ARCH.search(condition) is not None
    return "x86" if x86 and not arm else "arm" if arm and not x86 else ""


def rust_context(node: tree_sitter.Node) -> tuple[bool, str]:
    """(in a comment or string, the architecture its cfg context restricts it to or '').

    Contexts: `#[cfg(...)]` on any enclosing item or statement, `if cfg!(...) { here }`, and
    a file-level `#![cfg(...)]`."""
    n: tree_sitter.Node | None = node
    while n is not None:
        if n.type in RUST_NOT_CODE:
            return True, ""
        prev = n.prev_named_sibling
        while prev is not None and prev.type in ("attribute_item", "line_comment",
                                                 "block_comment"):
            if prev.type == "attribute_item" and (arch := cfg_arch(node_text(prev))):
                return False, arch
            prev = prev.prev_named_sibling
        parent = n.parent
        if parent is not None and parent.type == "if_expression" and \
                parent.child_by_field_name("consequence") == n:
            condition = parent.child_by_field_name("condition")
            text = node_text(condition) if condition is not None else ""
            if "cfg!" in text and (arch := cfg_arch(text)):
                return False, arch
        if parent is None:
            for child in n.children:
                if child.type == "inner_attribute_item" and (arch := cfg_arch(node_text(child))):
                    return False, arch
        n = parent
    return False, ""


def scan_rust(src: Source) -> None:
    """Rust: x86 intrinsics and assembly outside x86-only cfg, and x86-only build scripts.
    Candidates come from a text search; the tree-sitter-rust parse decides whether each is
    code (not a comment or string) and which `cfg` restricts it."""
    text = src.text
    build_script = posixpath.basename(src.file) == "build.rs"
    candidates = [*RUST_X86.finditer(text), *RUST_ASM.finditer(text)]
    if build_script and "TARGET" in text and not re.search(r"aarch64|arm64", text):
        candidates += re.finditer(r"\"(?:x86_64|x86)\"", text)
    if not candidates:
        return
    tree = rust_parser().parse(text.encode())
    for m in sorted(candidates, key=lambda m: m.start()):
        at = src.byte_offset(m.start())
        node = tree.root_node.descendant_for_byte_range(at, at)
        if node is None:
            continue
        if m.group(0).startswith('"'):            # build.rs comparing the target with x86
            if node.type in ("string_literal", "string_content", '"'):
                line, col = src.position(m.start())
                src.add("rust-build-script-x86", line, col,
                        text=src.line_text(line).strip()[:80])
                return
            continue
        hidden, arch = rust_context(node)
        if hidden or arch == "x86":
            continue   # not code, or compiled only for x86 (a missing Arm path is opt-in)
        if m.re is RUST_ASM:
            body = text[m.end():m.end() + 2000]
            template = " ".join(re.findall(r"\"((?:\\.|[^\"\\])*)\"", body.split(")", 1)[0]))
            if asminline.classify(template.replace("\\n", "\n")) != "x86":
                continue
            what = "x86 inline assembly"
        else:
            what = f"`{m.group(0).rstrip('(').strip()}`"
        line, col = src.position(m.start())
        src.add("rust-x86-intrinsic", line, col, length=len(m.group(0)), what=what,
                key=m.group(0).rstrip("( "))


# ---- .NET ---------------------------------------------------------------------------------

CS_X86 = re.compile(r"\b(?:System\.Runtime\.Intrinsics\.X86|(?:Sse[234]?|Ssse3|Sse41|Sse42|Avx2?|"
                    r"Avx512\w*|Bmi[12]|Lzcnt|Popcnt|Pclmulqdq|Aes|Fma|X86Base)\.(?:X64\.)?"
                    r"\w+)")
RID = re.compile(r"<RuntimeIdentifiers?>([^<]+)</RuntimeIdentifiers?>")
PLATFORM = re.compile(r"<PlatformTarget>\s*(x64|x86)\s*</PlatformTarget>", re.I)
FRAMEWORK = re.compile(r"<TargetFrameworks?>([^<]+)</TargetFrameworks?>")


CS_NOT_CODE = frozenset({"comment", "string_literal", "verbatim_string_literal",
                         "raw_string_literal", "character_literal", "string_content",
                         "string_literal_content"})


@functools.cache
def csharp_parser() -> tree_sitter.Parser:
    import tree_sitter
    import tree_sitter_c_sharp
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_c_sharp.language()))


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
        tree = csharp_parser().parse(text.encode())
        for m in matches:
            at = src.byte_offset(m.start())
            node = tree.root_node.descendant_for_byte_range(at, at)
            if node is None or not csharp_code(node):
                continue
            line, col = src.position(m.start())
            src.add("dotnet-x86-intrinsics", line, col, length=len(m.group(0)), text=m.group(0),
                    key=m.group(0).split(".")[0])
        return
    for m in PLATFORM.finditer(text):
        line, col = src.position(m.start(1))
        src.add("dotnet-x64-only-project", line, col, what=f"PlatformTarget {m.group(1)}",
                advice="Use AnyCPU (or add an ARM64 configuration) so the build runs on Arm64.")
    for m in RID.finditer(text):
        rids = [r.strip() for r in m.group(1).split(";") if r.strip()]
        if rids and all(re.search(r"-(?:x64|x86)$", r) for r in rids):
            line, col = src.position(m.start(1))
            src.add("dotnet-x64-only-project", line, col,
                    what=f"runtime identifiers {', '.join(rids)} only",
                    advice="Add linux-arm64 (and win-arm64/osx-arm64 as needed).")
    for m in FRAMEWORK.finditer(text):
        for fw in (f.strip() for f in m.group(1).split(";")):
            old = re.match(r"^netcoreapp([12])\.\d$", fw)
            if old:
                line, col = src.position(m.start(1) + m.group(1).find(fw))
                src.add("dotnet-x64-only-project", line, col,
                        what=f"{fw}: .NET Core before 3.0 has no Arm64 Linux support",
                        advice="Move to .NET 6 or later (Arm64 is fully supported, .NET 8+ best).")
