# SPDX-License-Identifier: Apache-2.0
"""C# hardware intrinsics per member: which x86 uses run only under an x86 `IsSupported`
check, which members and classes have an Arm64 or portable accelerated path, and the calls
the .NET dispatch pass (passes/dotnet_dispatch.py) joins across files."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import tree_sitter

from porting_advisor.core import grammars, lazy_re, vocab
from porting_advisor.core.facts import CsDispatch
from porting_advisor.core.source import Source, node_text, shortlist

ISAS = vocab.get().dotnet_isas
CANDIDATE = lazy_re.compile(
    r"\b("
    + "|".join(sorted(ISAS.x86 | ISAS.arm, key=lambda n: (-len(n), n)))
    + r"|Vector(?:64|128)|Vector(?:256|512)?(?=\s*\.\s*IsHardwareAccelerated))\s*\."
)
Tests = dict[int | str, str]  # start byte of an x86 test, or a name set from one -> its kind
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
# the members that own a body: a dispatch is decided within one of these
MEMBERS = frozenset(
    {
        "method_declaration",
        "constructor_declaration",
        "destructor_declaration",
        "operator_declaration",
        "conversion_operator_declaration",
        "property_declaration",
        "indexer_declaration",
        "field_declaration",
        "event_declaration",
    }
)
TYPES = frozenset(
    {
        "class_declaration",
        "struct_declaration",
        "record_declaration",
        "record_struct_declaration",
        "interface_declaration",
    }
)
JUMPS = frozenset({"return_statement", "throw_statement", "break_statement", "continue_statement"})
# (.NET 8's runtime marks methods its callers only reach under an IsSupported check)
DEPENDS_ON = "CompExactlyDependsOn"


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


@dataclass(frozen=True, slots=True)
class Ref:
    """One intrinsics reference in code: an `IsSupported`-style test or a use."""

    kind: str  # "x86-test" (false on Arm64), "arm-test", "portable-test", "x86-use", "arm-use"
    name: str  # as written after the namespace: `Sse2.Add`, `Avx512F.VL.IsSupported`
    node: tree_sitter.Node  # the whole member access


@dataclass(slots=True)
class Method:
    """The intrinsics of one member (method, property, constructor...)."""

    cls: str
    name: str
    unguarded: list[Ref] = field(default_factory=list)
    guarded: list[Ref] = field(default_factory=list)
    alternative: bool = False  # an Arm64 or portable accelerated path in it


def classify(
    match: re.Match[str], node: tree_sitter.Node, namespaces: str, text: str
) -> Ref | None:
    """The reference a candidate identifier starts, or None (a type name, another library's
    class of the same name, `typeof(Sse2)`)."""
    name = match.group(1)
    top = node
    parent = node.parent
    qualifier = ""
    if (
        parent is not None
        and parent.type == "member_access_expression"
        and parent.child_by_field_name("name") == node
    ):
        qualifier = node_text(parent.child_by_field_name("expression") or parent).rsplit(".")[-1]
        if qualifier not in ("X86", "Arm"):
            return None
        top = parent
    members: list[str] = []
    while (
        (up := top.parent) is not None
        and up.type == "member_access_expression"
        and up.child_by_field_name("expression") == top
    ):
        members.append(node_text(up.child_by_field_name("name") or up))
        top = up
    if not members and (top.type == "ERROR" or (top.parent and top.parent.type == "ERROR")):
        # tree-sitter-c-sharp cannot parse `Unsafe.Add(ref d, i) = Sse.Shuffle(...)`: the
        # member access lands in an ERROR node; read the members from the text
        after = re.match(r"\s*(\w+)(?:\s*\.\s*(\w+))?", text[match.end() :])
        members = [w for w in after.groups() if w] if after is not None else []
        if len(members) == 2 and members[0] not in ("X64", "VL", "Arm64", "V512", "V256"):
            members = members[:1]
    if not members or members[-1] in ("X64", "VL", "Arm64", "V512", "V256"):
        return None  # the class itself, or a nested class used as a type
    member = members[-1]
    if name.startswith("Vector"):
        if member != "IsHardwareAccelerated":  # Vector128.Shuffle(...): accelerated on Arm64
            if len(members) > 1 or member.startswith(("Create", "As")) or member == "Zero":
                return None  # (building a vector is no accelerated path: x86 code does it)
            return Ref("portable-use", f"{name}.{member}", top)
        return Ref("x86-test" if name in ("Vector256", "Vector512") else "portable-test", name, top)
    if qualifier:
        arch = "x86" if qualifier == "X86" else "arm"
    elif name in ISAS.x86 and name in ISAS.arm:  # Aes: the file's using decides
        x86_ns, arm_ns = "Intrinsics.X86" in namespaces, "Intrinsics.Arm" in namespaces
        if x86_ns == arm_ns:
            return None
        arch = "x86" if x86_ns else "arm"
    else:
        arch = "x86" if name in ISAS.x86 else "arm"
        if name in ISAS.shared and f"Intrinsics.{'X86' if arch == 'x86' else 'Arm'}" not in (
            namespaces
        ):
            return None
    kind = f"{arch}-test" if member == "IsSupported" else f"{arch}-use"
    return Ref(kind, ".".join([name, *members]), top)


def on_arm64(expr: tree_sitter.Node | None, tests: Tests) -> bool | None:
    """The value of a condition on Arm64 in three-valued logic: an x86 `IsSupported` or
    `Vector256/512.IsHardwareAccelerated`, or a field, local or property set from one
    (`static readonly bool UseAvx2 = Avx2.IsSupported;`), is false; anything else unknown."""
    if expr is None:
        return None
    match expr.type:
        case "parenthesized_expression":
            return on_arm64(expr.named_children[0] if expr.named_children else None, tests)
        case "prefix_unary_expression" if expr.children[0].type == "!":
            v = on_arm64(expr.named_children[0] if expr.named_children else None, tests)
            return None if v is None else not v
        case "binary_expression":
            op = expr.child_by_field_name("operator")
            left = on_arm64(expr.child_by_field_name("left"), tests)
            right = on_arm64(expr.child_by_field_name("right"), tests)
            if op is not None and op.type == "&&":
                return False if False in (left, right) else True if left and right else None
            if op is not None and op.type == "||":
                return (
                    True
                    if True in (left, right)
                    else False
                    if left is False and right is False
                    else None
                )
            return None
        case "member_access_expression":
            if (kind := tests.get(expr.start_byte)) is not None:  # AdvSimd.IsSupported...
                return False if kind == "x86-test" else None
            name = expr.child_by_field_name("name")
            return False if name is not None and node_text(name) in tests else None
        case "identifier":
            return False if node_text(expr) in tests else None
    return None


def derived_tests(refs: list[Ref], tests: Tests) -> None:
    """Add to `tests` the names set from an x86 test: `bool useAvx = Avx2.IsSupported;`,
    `static bool Fast => Avx2.IsSupported && ...;` (by name, within the file)."""
    for r in refs:
        if r.kind != "x86-test":
            continue
        n: tree_sitter.Node | None = r.node
        while n is not None and n.type not in MEMBERS and not n.type.endswith("statement"):
            if n.type in ("variable_declarator", "arrow_expression_clause"):
                break
            n = n.parent
        if n is None:
            continue
        if n.type == "variable_declarator":
            value = n.named_children[-1] if n.named_children else None
            name = n.child_by_field_name("name")
        elif n.type == "arrow_expression_clause":
            value = n.named_children[0] if n.named_children else None
            owner_node = n.parent
            if owner_node is not None and owner_node.type == "accessor_declaration":
                owner_node = owner_node.parent.parent if owner_node.parent else None
            name = owner_node.child_by_field_name("name") if owner_node is not None else None
            if owner_node is None or owner_node.type != "property_declaration":
                continue
        else:
            continue
        if name is not None and value is not None and on_arm64(value, tests) is False:
            tests[node_text(name)] = "x86-test"


def jumps(stmt: tree_sitter.Node | None) -> bool:
    """A statement that always leaves the block (`return;`, `{ ...; throw ...; }`)."""
    if stmt is None:
        return False
    if stmt.type == "block":
        inner = stmt.named_children
        return bool(inner) and jumps(inner[-1])
    return stmt.type in JUMPS


def x86_only(node: tree_sitter.Node, tests: Tests, exits: dict[tuple[int, int], int]) -> bool:
    """Is `node` reached only where an x86 test holds (never on Arm64)? Enclosing `if`s and
    `?:`s, `&&` operands, early exits (`if (!Sse2.IsSupported) return;`) and
    `Debug.Assert(Avx2.IsSupported)` before it in a block, up to the member that owns it.
    `exits` caches, per block, where its first such exit starts (-1: none)."""
    n = node
    while (p := n.parent) is not None and n.type not in MEMBERS:
        if p.type in ("if_statement", "conditional_expression"):
            cond = on_arm64(p.child_by_field_name("condition"), tests)
            if (n == p.child_by_field_name("consequence") and cond is False) or (
                n == p.child_by_field_name("alternative") and cond is True
            ):
                return True
        elif p.type == "binary_expression" and n == p.child_by_field_name("right"):
            op = p.child_by_field_name("operator")
            left = on_arm64(p.child_by_field_name("left"), tests)
            if op is not None and (op.type, left) in (("&&", False), ("||", True)):
                return True
        elif p.type == "block":
            key = (p.start_byte, p.end_byte)
            if (first := exits.get(key)) is None:  # once per block: files have long ones
                first = next(
                    (c.start_byte for c in p.named_children if exits_on_arm64(c, tests)), -1
                )
                exits[key] = first
            if 0 <= first < n.start_byte:
                return True
        n = p
    return n.type in MEMBERS and any(
        DEPENDS_ON in node_text(c) for c in n.children if c.type == "attribute_list"
    )


def exits_on_arm64(stmt: tree_sitter.Node, tests: Tests) -> bool:
    """`if (!Sse2.IsSupported) return;` or `Debug.Assert(Sse2.IsSupported);`."""
    if stmt.type == "if_statement" and stmt.child_by_field_name("alternative") is None:
        return on_arm64(stmt.child_by_field_name("condition"), tests) is True and jumps(
            stmt.child_by_field_name("consequence")
        )
    if stmt.type == "expression_statement" and stmt.named_children:
        call = stmt.named_children[0]
        callee = (
            call.child_by_field_name("function") if call.type == "invocation_expression" else None
        )
        if callee is not None and node_text(callee).endswith("Debug.Assert"):
            args = call.child_by_field_name("arguments")
            first = args.named_children[0] if args is not None and args.named_children else None
            arg = first.named_children[0] if first is not None and first.named_children else None
            return on_arm64(arg, tests) is False
    return False


def owner(node: tree_sitter.Node) -> tuple[str, str, int]:
    """(`Namespace.Class`, member name, the member's start byte) of the member that holds
    `node` (a file-scoped `namespace A.B;` is the file's first such declaration)."""
    member, start = "", -1
    scopes: list[str] = []
    n: tree_sitter.Node | None = node
    root = node
    while n is not None:
        if start < 0 and n.type in MEMBERS:
            name = n.child_by_field_name("name")
            if name is None:  # a field: its first variable
                found = [c for c in walk_named(n) if c.type == "variable_declarator"]
                name = found[0].child_by_field_name("name") if found else None
            member, start = (node_text(name) if name is not None else n.type), n.start_byte
        elif n.type in TYPES or n.type == "namespace_declaration":
            name = n.child_by_field_name("name")
            if name is not None:
                scopes.append(node_text(name))
        root = n
        n = n.parent
    for child in root.children:
        if child.type == "file_scoped_namespace_declaration":
            name = child.child_by_field_name("name")
            scopes.append(node_text(name) if name is not None else "")
            break
    return ".".join(reversed(scopes)), member or "(top level)", start


def walk_named(node: tree_sitter.Node) -> list[tree_sitter.Node]:
    out = []
    stack = [node]
    while stack:
        n = stack.pop()
        out.append(n)
        stack.extend(reversed(n.named_children))
    return out


CALLS = """
(invocation_expression function: [
  (identifier) @callee
  (generic_name (identifier) @callee)
  (member_access_expression name: (identifier) @callee)
  (member_access_expression name: (generic_name (identifier) @callee))])
"""


def scan_csharp(src: Source) -> None:
    """One finding per member with x86 intrinsics: `dotnet-x86-intrinsics` when one is used
    outside every x86 `IsSupported` check (it throws on Arm64), else `dotnet-missing-arm64-
    path` (filtered when the member has an Arm64 or portable accelerated path; the .NET
    dispatch pass filters those its class handles elsewhere and helpers only x86 code calls).
    An `IsSupported` read as a value (a test skip, a tolerance) is no use."""
    text = src.text
    if "IsSupported" not in text and "Intrinsics" not in text:
        return
    candidates = list(CANDIDATE.finditer(text))
    if not candidates:
        return
    namespaces = " ".join(re.findall(r"\bSystem\.Runtime\.Intrinsics\.\w+", text))
    tree = grammars.parser("csharp").parse(src.data if len(src.data) else text.encode())
    refs: list[Ref] = []
    for m in candidates:
        at = src.byte_offset(m.start(1))
        node = tree.root_node.descendant_for_byte_range(at, at + len(m.group(1).encode()))
        if node is None or not csharp_code(node):
            continue
        if node.type != "identifier" and not (
            node.type == "ERROR" and node.end_byte - node.start_byte <= 64  # see classify
        ):
            continue
        if (ref := classify(m, node, namespaces, text)) is not None:
            refs.append(ref)
    tests: Tests = {r.node.start_byte: r.kind for r in refs if r.kind.endswith("-test")}
    derived_tests(refs, tests)
    exits: dict[tuple[int, int], int] = {}
    methods: dict[tuple[str, str, int], Method] = {}
    arm: list[Ref] = []  # Arm64 and portable accelerated paths
    for r in refs:
        if r.kind == "x86-test":
            continue
        guarded = x86_only(r.node, tests, exits)
        if r.kind == "x86-use":
            cls, name, start = owner(r.node)
            here = methods.setdefault((cls, name, start), Method(cls, name))
            (here.guarded if guarded else here.unguarded).append(r)
        elif not guarded:  # (Vector128 code inside an Sse2 branch is x86 code)
            arm.append(r)
    for r in arm:
        if (method := methods.get(owner(r.node))) is not None:
            method.alternative = True
    record_dispatch(src, tree, arm, tests, exits, methods)


def record_dispatch(
    src: Source,
    tree: tree_sitter.Tree,
    arm: list[Ref],
    tests: Tests,
    exits: dict[tuple[int, int], int],
    methods: dict[tuple[str, str, int], Method],
) -> None:
    """Add the findings of `methods` and the file's CsDispatch fact."""
    arm_classes = sorted({owner(r.node)[0] for r in arm})
    found: list[tuple[int, str, str]] = []
    for method in methods.values():
        refs_here = method.unguarded or method.guarded
        if not refs_here:
            continue
        first = min(refs_here, key=lambda r: r.node.start_byte)
        names = sorted({r.name for r in refs_here})
        shown = shortlist([f"`{n}`" for n in names], 3)
        line = first.node.start_point[0] + 1
        at = first.node.start_byte
        col = len(src.data[src.data.rfind(b"\n", 0, at) + 1 : at].decode("utf-8", "replace")) + 1
        where = f"{method.cls.rsplit('.', 1)[-1]}.{method.name}" if method.cls else method.name
        if method.unguarded:
            src.add(
                "dotnet-x86-intrinsics",
                line,
                col,
                uses=shown,
                method=where,
                key=names[0].split(".")[0],
            )
        else:
            src.add(
                "dotnet-missing-arm64-path",
                line,
                col,
                uses=shown,
                method=where,
                key=names[0].split(".")[0],
                filtered=method.alternative,
                filtered_reason="the same member has an Arm64 or portable accelerated path",
            )
        found.append((line, method.cls, method.name))
    calls: set[tuple[str, str]] = set()
    query = grammars.query("csharp", CALLS)
    for _, caps in tree_sitter.QueryCursor(query).matches(tree.root_node):
        for callee in caps.get("callee", []):
            guarded = x86_only(callee, tests, exits) if tests else False
            cls, member, _ = owner(callee)
            caller = "" if guarded else f"{cls.rsplit('.', 1)[-1]}.{member}"
            calls.update((key, caller) for key in callee_keys(callee, cls))
    if arm_classes or found or calls:
        src.facts.append(CsDispatch(tuple(arm_classes), tuple(sorted(found)), tuple(sorted(calls))))


def callee_keys(name: tree_sitter.Node, cls: str) -> list[str]:
    """`Class.Method` keys a call may resolve to: `Helpers.Run()` -> Helpers.Run; `Run()` or
    `this.Run()` -> Run in each enclosing class; `obj.Run()` -> `*.Run` (any class)."""
    method = node_text(name)
    access = name.parent
    if access is not None and access.type == "generic_name":
        access = access.parent
    if access is None or access.type != "member_access_expression":
        qualifier = "this"
    else:
        expression = access.child_by_field_name("expression")
        qualifier = (
            re.sub(r"<.*", "", node_text(expression)).rsplit(".", 1)[-1] if expression else ""
        )
    if qualifier in ("this", "base"):
        return [f"{c}.{method}" for c in cls.split(".")]  # (namespaces too: harmless)
    if qualifier[:1].isupper():
        return [f"{qualifier}.{method}"]
    return [f"*.{method}"]
