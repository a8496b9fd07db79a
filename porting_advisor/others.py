# SPDX-License-Identifier: Apache-2.0
"""Node.js manifests and addons, Rust, and .NET: what keeps them x86-only."""
from __future__ import annotations

import json
import posixpath
import re

from porting_advisor import buildfiles, manifests, versions
from porting_advisor.source import Source

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
CFG = re.compile(r"#\[cfg\((.*?)\)\]|cfg!\((.*?)\)", re.S)


def rust_regions(text: str) -> list[tuple[int, int, str]]:
    """(start, end, 'x86'|'arm'|'other') for items under #[cfg(target_arch ...)]."""
    out = []
    for m in CFG.finditer(text):
        cond = m.group(1) or m.group(2) or ""
        if "target_arch" not in cond:
            continue
        negated = "not(" in cond
        x86 = re.search(r"target_arch\s*=\s*\"(?:x86_64|x86)\"", cond) is not None
        arm = re.search(r"target_arch\s*=\s*\"(?:aarch64|arm)\"", cond) is not None
        kind = "x86" if x86 and not arm and not negated else "arm" if arm and not x86 else "other"
        if m.group(2) is not None:          # cfg!() in an expression: the enclosing `if` block
            start = m.end()
            brace = text.find("{", start)
            end = balanced(text, brace) if brace >= 0 else start
        else:                               # the item that follows the attribute
            start = m.end()
            nxt = re.search(r"[;{]", text[start:])
            if nxt is None:
                continue
            at = start + nxt.start()
            end = balanced(text, at) if text[at] == "{" else at + 1
        out.append((m.start(), end, kind))
    return out


def balanced(text: str, open_at: int) -> int:
    depth = 0
    for i in range(open_at, min(len(text), open_at + 500_000)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i + 1
    return len(text)


def scan_rust(src: Source) -> None:
    text = src.text
    name = posixpath.basename(src.file)
    found = re.search(r"\"(?:x86_64|x86)\"", text) if name == "build.rs" else None
    if found and re.search(r"CARGO_CFG_TARGET_ARCH|TARGET", text) and not re.search(
            r"aarch64|arm64", text):
        line, col = src.position(found.start())
        src.add("rust-build-script-x86", line, col, text=src.line_text(line).strip()[:80])
    if not (RUST_X86.search(text) or RUST_ASM.search(text)):
        return
    from porting_advisor import asminline, preproc
    spans = preproc.comment_spans(text)          # Rust comments and strings lex like C's
    regions = rust_regions(text)
    has_arm = any(k == "arm" for _, _, k in regions) or "std::arch::aarch64" in text
    for m in list(RUST_X86.finditer(text)) + list(RUST_ASM.finditer(text)):
        if preproc.inside(spans, m.start()) >= 0:
            continue
        kinds = [k for s, e, k in regions if s <= m.start() < e]
        if "x86" in kinds and has_arm:
            continue   # x86-only code with an Arm64 sibling: ported
        if "x86" in kinds:
            continue   # compiled only for x86: not built on Arm64 (missing path is opt-in)
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


def scan_dotnet(src: Source) -> None:
    text = src.text
    if src.file.endswith(".cs"):
        if "Intrinsics" not in text and not re.search(r"\b(?:Sse|Avx|Bmi)\w*\.", text):
            return
        if re.search(r"Intrinsics\.Arm|AdvSimd|Vector128\.IsHardwareAccelerated", text):
            return
        from porting_advisor import preproc
        spans = preproc.comment_spans(text)
        for m in CS_X86.finditer(text):
            if preproc.inside(spans, m.start()) >= 0 or m.group(0).startswith("System."):
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
