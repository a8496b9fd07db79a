# SPDX-License-Identifier: Apache-2.0
"""Rust: x86 intrinsics and assembly outside x86-only `cfg`, x86-only build scripts, and the
`mod` declarations the Rust modules pass (passes/rust_modules.py) reads."""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

from porting_advisor.core import grammars, lazy_re, vocab
from porting_advisor.core.facts import RustMod
from porting_advisor.core.source import Source, node_text
from porting_advisor.scanners.c import inline_asm as asminline

if TYPE_CHECKING:
    import tree_sitter


RUST_X86 = lazy_re.compile(
    r"\b(?:std|core)::arch::(?:x86_64|x86)\b|\bis_x86_feature_detected!|"
    r"\b_mm(?:256|512)?_\w+\s*\("
)
RUST_ASM = lazy_re.compile(r"\b(?:asm|global_asm)!\s*\(")
RUST_TARGET_FEATURE = lazy_re.compile(r'\btarget_feature\s*\(\s*enable\s*=\s*"([^"]*)"')
# what a build script's x86-only branch builds: x86 sources or libraries need an Arm64
# counterpart; flags and defines over portable sources (`.flag("-mavx2")`) do not
BUILD_SOURCES = lazy_re.compile(
    r"\.files?\s*\(|\.(?:S|s|asm|nasm)\b|\bnasm\b|rustc-link-(?:lib|search)|\.compile\s*\(\s*\"[^\"]*x86"
)
# Target features that exist only on x86 or only on Arm ("aes" is both), and the ones every
# x86-64 or AArch64 target has (rules/vocab/isa-words.yaml).
RUST_FEATURES = vocab.get().rust_features
X86_FEATURES = RUST_FEATURES.x86
ARM_FEATURES = RUST_FEATURES.aarch64
BASELINE_FEATURES = RUST_FEATURES.baseline
# cfg names with an x86 (group 2) or Arm (group 1) instruction-set word between underscores
ISA_CFG = lazy_re.compile(
    r"(?:^|_)(?:(neon|sve2?|asimd)|(sse\d*|ssse3|avx\d*|avx512\w*?|pclmulqdq|bmi\d?))(?:_|$)"
)
ISA_WORD = lazy_re.compile(r"sse|avx|neon|sve|pclmul|bmi", re.I)
CFG_TOKEN = lazy_re.compile(r'\s*(?:(all|any|not)\s*\(|(\w+)(?:\s*=\s*"([^"]*)")?|(\))|(,))')
RUST_FN_BEFORE = lazy_re.compile(r"\bfn\s+$")
RUST_LOCAL_FN = lazy_re.compile(r"\bfn\s+(_mm\w+)")
RUST_MOD = lazy_re.compile(r"^[ \t]*(?:pub(?:\([^)]*\))?[ \t]+)?mod[ \t]+(\w+)[ \t]*;", re.M)
RUST_NOT_CODE = frozenset(
    {"line_comment", "block_comment", "string_literal", "raw_string_literal", "char_literal"}
)


def cfg_arch(attribute: str) -> str:
    """'x86' when the `cfg(...)` in `attribute` cannot hold on AArch64 but may on x86-64,
    'arm' for the reverse, else ''. The predicate is evaluated in three-valued logic per
    architecture: target_arch is known, a target feature only the other architecture has is
    false, everything else (cargo features, OS, miri, test) is unknown."""
    at = attribute.find("cfg")
    open_at = attribute.find("(", at)
    if (
        at < 0
        or open_at < 0
        or (
            "target_arch" not in attribute
            and "target_feature" not in attribute
            and not ISA_WORD.search(attribute)
        )
    ):
        return ""
    tokens = cfg_tokens(attribute, open_at + 1)
    on_arm = cfg_eval(tokens, 0, "aarch64")[0]
    on_x86 = [cfg_eval(tokens, 0, arch)[0] for arch in ("x86_64", "x86")]
    if on_arm is False and on_x86 != [False, False]:
        return "x86"
    if on_x86 == [False, False] and on_arm is not False:
        return "arm"
    return ""


def isa_cfg(name: str) -> str:
    """'x86' or 'arm' for a cfg name with instruction-set words of only that architecture."""
    found = {("arm" if m.group(1) else "x86") for m in ISA_CFG.finditer(name)}
    return found.pop() if len(found) == 1 else ""


def cfg_tokens(text: str, pos: int) -> list[tuple[str, str, str | None]]:
    """The tokens of the one cfg predicate starting at `pos`: (kind, word, value)."""
    tokens: list[tuple[str, str, str | None]] = []
    depth = 0
    while pos < len(text):
        m = CFG_TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            break
        pos = m.end()
        if m.group(1):
            tokens.append(("open", m.group(1), None))
            depth += 1
        elif m.group(2):
            tokens.append(("pred", m.group(2), m.group(3)))
        elif m.group(4):
            tokens.append(("close", "", None))
            depth -= 1
        if depth <= 0 and tokens and tokens[-1][0] != "open":
            break  # a bare predicate, or the closing ")" of the outer
    return tokens


def cfg_eval(
    tokens: list[tuple[str, str, str | None]], i: int, arch: str
) -> tuple[bool | None, int]:
    if i >= len(tokens):
        return None, i
    kind, word, value = tokens[i]
    if kind == "pred":
        if word == "target_arch":
            return value == arch, i + 1
        if word == "target_feature" and value is not None:
            if value in BASELINE_FEATURES[arch]:
                return True, i + 1
            own = ARM_FEATURES if arch == "aarch64" else X86_FEATURES  # x86 or x86_64
            other = X86_FEATURES if arch == "aarch64" else ARM_FEATURES
            if value in other and value not in own:
                return False, i + 1
        if value is None and (isa := isa_cfg(word)):
            # a crate's own cfg named for an instruction set (`blake3_avx2_rust`, which its
            # build script sets for x86 targets only): false on the other architecture
            return (False if (isa == "x86") == (arch == "aarch64") else None), i + 1
        return None, i + 1
    if kind != "open":
        return None, i + 1
    args: list[bool | None] = []
    i += 1
    while i < len(tokens) and tokens[i][0] != "close":
        v, i = cfg_eval(tokens, i, arch)
        args.append(v)
    i += 1  # past the ")"
    if word == "not":
        v = args[0] if args else None
        return (None if v is None else not v), i
    if word == "all":
        return (False if False in args else True if all(a is True for a in args) else None), i
    return (True if True in args else False if all(a is False for a in args) else None), i


def rust_context(node: tree_sitter.Node) -> tuple[bool, str]:
    """(in a comment or string, the architecture its cfg context restricts it to or '').

    Contexts: `#[cfg(...)]` on any enclosing item or statement, `cfg_if!` branches, and a
    file-level `#![cfg(...)]`. Inside `if cfg!(<x86>) { here }` and no such context the
    architecture is "x86-expression": compiled for AArch64 all the same."""
    n: tree_sitter.Node | None = node
    expression = False
    while n is not None:
        if n.type in RUST_NOT_CODE:
            return True, ""
        prev = n.prev_named_sibling
        while prev is not None and prev.type in ("attribute_item", "line_comment", "block_comment"):
            if prev.type == "attribute_item" and (arch := cfg_arch(node_text(prev))):
                return False, arch
            prev = prev.prev_named_sibling
        if n.type == "token_tree" and (n.text or b"").startswith(b"{"):
            attr = n.prev_sibling  # cfg_if! { if #[cfg(...)] { here } else ... }
            if (
                attr is not None
                and attr.type == "token_tree"
                and (attr.text or b"").startswith(b"[cfg")
                and (arch := cfg_arch(node_text(attr)))
            ):
                return False, arch
        parent = n.parent
        if (
            parent is not None
            and parent.type == "if_expression"
            and parent.child_by_field_name("consequence") == n
        ):
            condition = parent.child_by_field_name("condition")
            text = node_text(condition) if condition is not None else ""
            if "cfg!" in text and cfg_arch(text) == "x86":
                # `cfg!` is an expression: the branch is still compiled for AArch64 and its
                # x86 paths fail to resolve there (E0433); an enclosing #[cfg] may still hold
                expression = True
        if parent is None:
            for child in n.children:
                if child.type == "inner_attribute_item" and (arch := cfg_arch(node_text(child))):
                    return False, arch
        n = parent
    return False, "x86-expression" if expression else ""


def scan_rust(src: Source) -> None:
    """Rust: x86 intrinsics and assembly outside x86-only cfg, and x86-only build scripts.
    Candidates come from a text search; the tree-sitter-rust parse decides whether each is
    code (not a comment or string) and which `cfg` restricts it."""
    text = src.text
    build_script = posixpath.basename(src.file) == "build.rs"
    # substring tests first: the patterns start with `\b` and alternatives, which the regex
    # engine tries at every position (18 MB/s); most files contain none of these words
    candidates = [
        *(
            RUST_X86.finditer(text)
            if "arch::x86" in text or "_mm" in text or "is_x86_feature" in text
            else ()
        ),
        *(RUST_ASM.finditer(text) if "asm!" in text else ()),
        *(RUST_TARGET_FEATURE.finditer(text) if "target_feature" in text else ()),
    ]
    if build_script and "TARGET" in text and not re.search(r"aarch64|arm64", text):
        candidates += re.finditer(r"\"(?:x86_64|x86)\"", text)
    mods = list(RUST_MOD.finditer(text)) if "mod " in text or "mod\t" in text else []
    if not candidates and not mods:
        return
    if (
        not candidates
        and "cfg" not in text
        and "/*" not in text
        and "r#" not in text
        and ('r"' not in text)
    ):
        # `mod name;` lines with no cfg in the file and nothing they could hide in (line
        # comments cannot start such a line): every module is declared for every target
        src.facts.extend(RustMod(m.group(1), x86_only=False) for m in mods)
        return
    tree = grammars.parser("rust").parse(text.encode())
    for m in mods:  # `mod name;` and the cfg it is declared under, for `x86_modules`
        at = src.byte_offset(m.start(1))
        node = tree.root_node.descendant_for_byte_range(at, at)
        hidden, arch = rust_context(node) if node is not None else (True, "")
        if not hidden and node is not None:
            src.facts.append(RustMod(mod_path(node) or m.group(1), x86_only=arch == "x86"))
    local_fns = set(RUST_LOCAL_FN.findall(text)) if "fn _mm" in text else set()
    for m in sorted(candidates, key=lambda m: m.start()):
        at = src.byte_offset(m.start())
        node = tree.root_node.descendant_for_byte_range(at, at)
        if node is None:
            continue
        if m.group(0).startswith('"'):  # build.rs comparing the target with x86
            if node.type in ("string_literal", "string_content", '"'):
                if not builds_x86_sources(node):
                    continue
                line, col = src.position(m.start())
                src.add("rust-build-script-x86", line, col, text=src.line_text(line).strip()[:80])
                return
            continue
        if m.re.pattern == RUST_TARGET_FEATURE.pattern:  # (a lazy_re pattern is not `m.re`)
            x86 = [f for f in m.group(1).split(",") if f in X86_FEATURES - ARM_FEATURES]
            if not x86 or not target_feature_unguarded(node):
                continue
            line, col = src.position(m.start())
            feature = f'target_feature(enable = "{x86[0]}")'
            src.add(
                "rust-x86-intrinsic",
                line,
                col,
                length=len(m.group(0)),
                what=f"`{feature}`",
                key=feature,
            )
            continue
        hidden, arch = rust_context(node)
        if hidden or arch == "x86":
            continue  # not code, or compiled only for x86 (a missing Arm path is opt-in)
        if RUST_FN_BEFORE.search(text, max(0, m.start() - 40), m.start()) or (
            m.group(0).rstrip("( ") in local_fns and text[m.start() - 1 : m.start()] != ":"
        ):
            continue  # `fn _mm_prefetch(...)`, a portable function named like an intrinsic
        if m.re.pattern == RUST_ASM.pattern:
            body = text[m.end() : m.end() + 2000]
            template = " ".join(re.findall(r"\"((?:\\.|[^\"\\])*)\"", body.split(")", 1)[0]))
            if asminline.classify(template.replace("\\n", "\n")) != "x86":
                continue
            what = "x86 inline assembly"
        else:
            what = f"`{m.group(0).rstrip('(').strip()}`"
        line, col = src.position(m.start())
        src.add(
            "rust-x86-intrinsic",
            line,
            col,
            length=len(m.group(0)),
            what=what,
            key=m.group(0).rstrip("( "),
            note="`if cfg!(...)` does not remove the branch: AArch64 compiles it"
            if arch == "x86-expression"
            else "",
        )


def mod_path(name: tree_sitter.Node) -> str:
    """The file a `#[path = "x.rs"] mod name;` names, or ""."""
    item = name.parent
    prev = item.prev_named_sibling if item is not None else None
    while prev is not None and prev.type in ("attribute_item", "line_comment", "block_comment"):
        if prev.type == "attribute_item" and (
            m := re.match(r'#\[\s*path\s*=\s*"([^"]+\.rs)"\s*\]$', node_text(prev))
        ):
            return m.group(1)
        prev = prev.prev_named_sibling
    return ""


def target_feature_unguarded(node: tree_sitter.Node) -> bool:
    """A `target_feature(enable = ...)` attribute that AArch64 compiles (and rejects): no
    x86 cfg on its `cfg_attr`, on the item's other attributes or around the item."""
    attr: tree_sitter.Node | None = node
    while attr is not None and attr.type != "attribute_item":
        if attr.type in RUST_NOT_CODE:
            return False
        attr = attr.parent
    if attr is None:
        return False  # not an attribute: a macro's token tree, a doc example
    siblings: list[tree_sitter.Node] = [attr]
    for step in ("prev_named_sibling", "next_named_sibling"):
        n = getattr(attr, step)
        while n is not None and n.type in ("attribute_item", "line_comment", "block_comment"):
            siblings.append(n)
            n = getattr(n, step)
    if any(s.type == "attribute_item" and cfg_arch(node_text(s)) == "x86" for s in siblings):
        return False
    hidden, arch = rust_context(attr)
    return not hidden and arch != "x86"


def builds_x86_sources(literal: tree_sitter.Node) -> bool:
    """For `"x86_64"` in a build script: does the branch it selects build x86 sources or
    link x86 libraries (not only flags or defines over portable sources)? Unknown (the
    comparison feeds a variable) counts as yes."""
    n: tree_sitter.Node | None = literal
    while n is not None and n.parent is not None:
        parent = n.parent
        if parent.type == "if_expression" and parent.child_by_field_name("condition") == n:
            branch = parent.child_by_field_name("consequence")
            return branch is None or bool(BUILD_SOURCES.search(node_text(branch)))
        if parent.type == "match_arm" and parent.child_by_field_name("pattern") == n:
            branch = parent.child_by_field_name("value")
            return branch is None or bool(BUILD_SOURCES.search(node_text(branch)))
        if parent.type in ("function_item", "block", "let_declaration"):
            return True
        n = parent
    return True
