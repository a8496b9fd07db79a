# SPDX-License-Identifier: Apache-2.0
"""Flags that publish data without ordering (issue 23), within one C/C++ file.

The shape: function W writes shared data, then stores a flag (or index, or pointer); function
R spins on that flag (`while (!f);`, `while (r->tail == r->head) cpu_relax();`) and then reads
the same data; no fence, lock or ordered atomic stands between. Shared data is a field (by
name), a file-scope variable or an element of one. A plain or `volatile` flag is
c-unordered-publish; a relaxed atomic store (or the relaxed load of the spin when the store
is ordered) is c-relaxed-publish.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from porting_advisor.core import lazy_re, vocab
from porting_advisor.core.source import Source, node_text
from porting_advisor.scanners.c import preproc
from porting_advisor.scanners.c.preproc import GUARDED, INACTIVE, Layout

if TYPE_CHECKING:
    import tree_sitter

    from porting_advisor.scanners.c.cfile import LazyTree

BARRIERS = vocab.get().barriers  # rules/vocab/memory-barriers.yaml
# A loop whose body is empty or one call: what the tree is parsed for.
# `while (COND)`, its condition nesting parentheses up to five deep (`while(?<!\wwhile)` is
# `\bwhile`, found at memchr speed: a pattern that starts with \b is tried at every offset)
SPIN_LOOP = lazy_re.compile(
    r"while(?<!\wwhile)\s*\((" + r"(?:[^();{}]|\(" * 5 + r"[^();{}]*" + r"\))*" * 5 + r")\)"
)  # (no `;` or brace in a condition: a `while (` in a comment cannot swallow what follows)
WRITE_FIRST_ARG = frozenset({"memcpy", "memmove", "memset", "strcpy", "strncpy", "snprintf"})
ATOMIC_METHODS = frozenset(
    {"store", "load", "exchange", "fetch_add", "fetch_sub", "fetch_or", "fetch_and"}
)
ZERO = frozenset({"0", "NULL", "nullptr", "false", "0L", "0U", "0UL"})
QUIET_ASM = lazy_re.compile(r"^\s*(?:pause|yield|nop|isb|rep;?\s*nop)?\s*$")
# device memory: a register block at a fixed address, or mapped from a device
# a signal handler runs on the CPU of the code it interrupts: no ordering between CPUs needed
HANDLER = lazy_re.compile(
    r"\bsignal\s*\(\s*\w+\s*,\s*&?\s*(\w+)|\bsa_(?:handler|sigaction)\s*=\s*&?\s*(\w+)"
)
# (each branch starts with a literal: sre tests the first character instead of trying every
# offset, as a leading \b made it do)
DEVICE = lazy_re.compile(
    r"ioremap(?<!\wioremap)\w*\s*\(|mmap(?<!\wmmap)\s*\(|\*\s*\)\s*\(?\s*0x[0-9A-Fa-f]{4,}"
)
SCOPES = frozenset(
    {
        "translation_unit",
        "preproc_if",
        "preproc_ifdef",
        "preproc_else",
        "preproc_elif",
        "linkage_specification",
        "declaration_list",
        "namespace_definition",
    }
)


class Decl(NamedTuple):
    volatile: bool
    atomic: bool  # an atomic type or sig_atomic_t: never a plain flag


class Event(NamedTuple):
    at: int  # byte offset
    kind: str  # w (write), r (read), fence, store, load (an atomic op)
    key: str  # "name" for a file-scope variable, ".name" for a field; "" for a fence
    relaxed: bool = False
    node: tree_sitter.Node | None = None


# Before the parse, a text test that keeps every loop the tree would call a spin on a flag
# (a superset: the tree decides). Comments count as space.
# (atomic: a run of spaces is taken whole, never split between two of these side by side)
SPACE = r"(?>(?:\s|/\*[^*]*\*+(?:[^/*][^*]*\*+)*/|//[^\n]*)*)"
OPEN_BODY = lazy_re.compile(SPACE + r"\{")
CLOSE_BODY = lazy_re.compile(SPACE + r"\}")
# one statement of a waiting body: `;`, a call (`cpu_relax();`, `std::this_thread::yield();`)
# or an asm statement (`__asm__ __volatile__("rep; nop");`: strings may hold `;`)
WAIT_STATEMENT = lazy_re.compile(
    SPACE
    + r"(?:([A-Za-z_][\w:.>-]{0,200}?)\s*(?:<[^;{}()]{0,200}>)?\s*"
    + r"(?:(?:volatile|__volatile__)\s*)?\((?:[^;{}\"]|\"(?:[^\"\\\n]|\\.){0,200}\"){0,500}\)"
    + SPACE
    + r")?;"
)
ASM_WORDS = frozenset({"asm", "__asm", "__asm__"})
# a call in a loop condition: its name, and what stands before it (`.`, `->`: a method)
COND_CALL = lazy_re.compile(r"(\.|->)?\s*\b([A-Za-z_]\w*)\s*\(")
# words followed by `(` that are not calls in the tree (operators, casts to a basic type)
NOT_CALLS = frozenset(
    [
        "sizeof",
        "alignof",
        "_Alignof",
        "__alignof__",
        "__alignof",
        "decltype",
        "typeof",
        "__typeof__",
        "__typeof",
        "typeid",
        "noexcept",
        "_Generic",
        "defined",
        "offsetof",
        "__builtin_offsetof",
        "static_assert",
        "_Static_assert",
        "int",
        "char",
        "bool",
        "unsigned",
        "signed",
        "long",
        "short",
        "float",
        "double",
        "void",
    ]
)
ATOMIC_PREFIXES = ("atomic_", "__atomic_", "__c11_atomic_")


def candidate(text: str) -> bool:
    """Cheap test before parsing: a `while (COND)` (not a do-while's end, not a constant)
    whose body only waits (nothing, relax calls, asm) and whose condition calls nothing
    that the walk counts as a fence (any call but atomic loads, relax and barrier names)."""
    return next(candidate_loops(text), None) is not None


def candidate_loops(text: str) -> Iterator[int]:
    """The offset of each `while` that `candidate` keeps."""
    if "while" not in text:
        return
    pairs = Pairs(text)
    for m in SPIN_LOOP.finditer(text):
        if do_while_end(text, m.start(), pairs):
            continue
        cond = m.group(1).strip()
        if len(cond) > 300 or cond.isdigit() or cond in ("true", "TRUE") or fenced(cond):
            continue
        if waits(text, m.end()):
            yield m.start()


BRACE = lazy_re.compile(r"[{}]")
PAREN = lazy_re.compile(r"[()]")


class Pairs:
    """Which `{` each `}` closes (comments, strings and character literals left out) and
    which `(` each `)` closes (all of them). The first few are searched backwards from the
    closer, within reach; past LOOKUPS the whole file is matched at once: a search at
    every loop made a file of `} while (x)` take minutes."""

    LOOKUPS = 32
    BRACE_REACH, PAREN_REACH = 20000, 2000

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans: tuple[list[int], list[int]] | None = None
        self.tables: dict[str, dict[int, int]] = {}  # "{}" or "()" -> `matched` of the file
        self.lookups = 0

    def brace_open(self, close: int) -> int:
        """The offset of the `{` the `}` at `close` closes, within reach; else -1 (also for
        a `}` in a comment or literal)."""
        if self.spans is None:
            self.spans = preproc.comment_spans(self.text)
        if preproc.inside(self.spans, close) >= 0:
            return -1
        return self.open_of(close, "{}", self.BRACE_REACH, self.spans)

    def paren_open(self, close: int) -> int:
        """The offset of the `(` the `)` at `close` closes, within reach; else -1."""
        return self.open_of(close, "()", self.PAREN_REACH, None)

    def open_of(
        self, close: int, pair: str, reach: int, spans: tuple[list[int], list[int]] | None
    ) -> int:
        """The opener of `pair` the closer at `close` closes, within `reach`; brackets inside
        `spans` (comments and literals) do not count."""
        table = self.tables.get(pair)
        if table is None and self.lookups < self.LOOKUPS:
            self.lookups += 1
            return self.back(close, pair[0], pair[1], reach, spans)
        if table is None:
            found = (m.start() for m in (BRACE if pair == "{}" else PAREN).finditer(self.text))
            table = self.tables[pair] = matched(
                self.text, (j for j in found if spans is None or preproc.inside(spans, j) < 0)
            )
        opened = table.get(close, -1)
        return opened if opened >= close - reach else -1

    def back(
        self,
        close: int,
        opener: str,
        closer: str,
        reach: int,
        spans: tuple[list[int], list[int]] | None,
    ) -> int:
        """The search backwards: from one bracket to the next (rfind: C speed between)."""
        text = self.text
        lo, i, depth = max(0, close - reach), close, 0
        while i >= lo:
            j = max(text.rfind(opener, lo, i + 1), text.rfind(closer, lo, i + 1))
            if j < 0:
                return -1
            i = j - 1
            if spans is not None and preproc.inside(spans, j) >= 0:
                continue
            depth += 1 if text[j] == closer else -1
            if depth == 0:
                return j
        return -1


def matched(text: str, offsets: Iterable[int]) -> dict[int, int]:
    """closer offset -> opener offset (-1 for none), over the offsets of `{}` or `()` in
    `text`: the nearest opener with only balanced pairs between, as a search backwards
    from the closer finds it."""
    opens: list[int] = []
    out: dict[int, int] = {}
    for at in offsets:
        if text[at] in "{(":
            opens.append(at)
        else:
            out[at] = opens.pop() if opens else -1
    return out


def do_while_end(text: str, at: int, pairs: Pairs) -> bool:
    """Is the `while` at `at` the end of a `do { ... } while (...)`: its `}` closes a block
    that `do` opens (not any block just before a loop, `if (x) { ... }`)? Braces in
    comments, strings and character literals do not count; a `}` in one (a loop shown in a
    comment or a generated string) is taken as a do-while's too: that `while` is no code."""
    close = at - 1
    while close >= 0 and text[close].isspace():
        close -= 1
    if close >= 0 and text[close] == ")":
        return macro_body_of_do(text, close, pairs)
    if close < 0 or text[close] != "}":
        return False
    opened = pairs.brace_open(close)
    if opened < 0:
        return True  # (not closed within reach, or not code: taken for a do-while)
    return text[max(0, opened - 40) : opened].rstrip().endswith("do")


MACRO_STATEMENT = lazy_re.compile(r"(?<![\w.>])([A-Za-z_]\w*)\s*$")
DO_END = lazy_re.compile(r"(?<!\w)do\s*$")


def macro_body_of_do(text: str, close: int, pairs: Pairs) -> bool:
    """Is the `)` at `close` the end of a statement macro that is a do-while's whole body
    (`do COPY8(op, ip) while (op < oend);`, zstd's legacy decoders)?"""
    i = pairs.paren_open(close)
    if i < 0:
        return False
    m = MACRO_STATEMENT.search(text, max(0, i - 200), i)
    return m is not None and DO_END.search(text, max(0, m.start() - 40), m.start()) is not None


def waits(text: str, at: int) -> bool:
    """Does the loop body at `at` only wait (as `spin_body` decides on the tree)?"""
    m = OPEN_BODY.match(text, at)
    if m is None:
        s = WAIT_STATEMENT.match(text, at)
        return s is not None and quiet(s.group(1))
    at = m.end()
    for _ in range(16):
        if CLOSE_BODY.match(text, at):
            return True
        s = WAIT_STATEMENT.match(text, at)
        if s is None or not quiet(s.group(1)):
            return False
        at = s.end()
    return False


def quiet(callee: str | None) -> bool:
    if callee is None:
        return True  # an empty statement
    name = re.split(r"::|\.|->", callee)[-1]
    return name in ASM_WORDS or relax(name)


def fenced(cond: str) -> bool:
    """Does a loop condition call something the walk counts as a fence (then the loop waits
    on no flag)? Atomic loads, relax calls and barrier names do not count."""
    if "(" not in cond:
        return False
    for m in COND_CALL.finditer(cond):
        method, name = m.group(1), m.group(2)
        low = name.lower()
        if name in NOT_CALLS or relax(name) or "barrier" in low or name in BARRIERS.compiler_only:
            continue
        if method:
            if name in ATOMIC_METHODS:
                continue
            return True
        if low.startswith(ATOMIC_PREFIXES) and "fence" not in low:
            continue
        return True
    return False


def check(src: Source, tree: LazyTree, layout: Layout, compiler_only: frozenset[str]) -> None:
    """Report each flag store that publishes data to a spin loop of another function."""
    globals_, fields = declarations(tree)
    device = DEVICE.search(src.text) is not None
    bodies = [
        (fn, body)
        for fn in tree.nodes("function_definition")
        if (body := fn.child_by_field_name("body")) is not None
    ]

    def walked(fn: tree_sitter.Node, body: tree_sitter.Node) -> Walker:
        walker = Walker(globals_, fields, compiler_only, locals_of(fn))
        walker.walk(body)
        walker.events.sort(key=lambda e: e.at)
        return walker

    # Only a loop that passes the text test spins: the other functions matter only as
    # writers of a flag some loop waits on, so they are walked only when their text names
    # one of those flags (zstd's legacy decoders: 80 functions with a `while`, one spin).
    walkers = {
        i: walked(*fb)
        for i, fb in enumerate(bodies)
        if b"while" in (text := fb[1].text or b"") and candidate(text.decode("utf-8", "replace"))
    }
    waited = {
        key.lstrip(".").encode()
        for w in walkers.values()
        for spin in w.spins
        for key in spin_flags(w, spin, globals_, fields, device)
    }
    if not waited:
        return
    funcs = [
        (function_name(fn), walkers[i] if i in walkers else walked(fn, body))
        for i, (fn, body) in enumerate(bodies)
        if i in walkers or any(name in (body.text or b"") for name in waited)
    ]
    handlers = {a or b for a, b in HANDLER.findall(src.text)} if "sig" in src.text else set()
    funcs = [(name, w) for name, w in funcs if name not in handlers or w.spins]
    readers = [(name, w, spin) for name, w in funcs for spin in w.spins]
    if not readers:
        return
    done: set[tuple[str, int]] = set()
    for rname, rw, loop in readers:
        for flag, load in spin_flags(rw, loop, globals_, fields, device).items():
            seen = data_read_after(rw, loop)
            for wname, ww in funcs:
                if ww is rw:
                    continue
                for ev, data in stores_after_data(ww, flag):
                    common = sorted(
                        k for k in data & seen if k != flag and not atomic(k, globals_, fields)
                    )
                    if common:
                        shown_data = [ww.texts.get(k, k.lstrip(".")) for k in common]
                        report(src, layout, ev, load, flag, shown_data, rname, wname, done)


def declarations(tree: LazyTree) -> tuple[dict[str, Decl], dict[str, Decl]]:
    """File-scope variables and struct/class fields: name -> how it is declared (a field
    name declared in several structs is atomic or volatile if any declaration is)."""
    globals_: dict[str, Decl] = {}
    fields: dict[str, Decl] = {}
    for node in tree.nodes("declaration", "field_declaration"):
        is_field = node.type == "field_declaration"
        if not is_field and (node.parent is None or node.parent.type not in SCOPES):
            continue
        quals = " ".join(
            node_text(c)
            for c in node.children
            if c.type in ("type_qualifier", "storage_class_specifier")
            or c == node.child_by_field_name("type")
        )
        table = fields if is_field else globals_
        for d in node.children_by_field_name("declarator"):
            name, volatile, pointer = declarator(d)
            if not name:
                continue
            low = quals.lower()
            # `volatile T *p`: the pointee is volatile (device memory), not the pointer
            device = pointer and "volatile" in low
            decl = Decl(
                volatile or ("volatile" in low and not pointer),
                "atomic" in low or device,
            )
            old = table.get(name)
            if old is not None:
                decl = Decl(old.volatile or decl.volatile, old.atomic or decl.atomic)
            table[name] = decl
    return globals_, fields


def declarator(node: tree_sitter.Node) -> tuple[str, bool, bool]:
    """(name, the pointer itself is volatile, is a pointer) of a declarator."""
    volatile = pointer = False
    while node is not None:
        match node.type:
            case "identifier" | "field_identifier":
                return node_text(node), volatile, pointer
            case "pointer_declarator":
                pointer = True
                volatile = volatile or any(
                    node_text(c) == "volatile" for c in node.children if c.type == "type_qualifier"
                )
            case "function_declarator":
                return "", False, False
        nxt = node.child_by_field_name("declarator")
        if nxt is None:
            return "", False, False
        node = nxt
    return "", False, False


def locals_of(fn: tree_sitter.Node) -> frozenset[str]:
    """Names of a function's parameters and local variables."""
    names: set[str] = set()
    stack = [fn]
    while stack:
        node = stack.pop()
        if node.type in ("parameter_declaration", "declaration", "for_range_loop"):
            for d in node.children_by_field_name("declarator"):
                name = declarator(d)[0]
                if name:
                    names.add(name)
        stack.extend(c for c in node.children if c.type != "lambda_expression")
    return frozenset(names)


def function_name(fn: tree_sitter.Node) -> str:
    node = fn.child_by_field_name("declarator")
    while node is not None and node.type != "function_declarator":
        node = node.child_by_field_name("declarator")
    inner = node.child_by_field_name("declarator") if node is not None else None
    return node_text(inner) if inner is not None else "?"


def atomic(key: str, globals_: dict[str, Decl], fields: dict[str, Decl]) -> bool:
    decl = fields.get(key[1:]) if key.startswith(".") else globals_.get(key)
    return decl is not None and decl.atomic


@dataclass(slots=True)
class Spin:
    loop: tree_sitter.Node
    cond: tree_sitter.Node


class Walker:
    """The memory events of one function body, in source order."""

    def __init__(
        self,
        globals_: dict[str, Decl],
        fields: dict[str, Decl],
        compiler_only: frozenset[str],
        local: frozenset[str],
    ) -> None:
        self.globals, self.fields, self.compiler_only, self.local = (
            globals_,
            fields,
            compiler_only,
            local,
        )
        self.events: list[Event] = []
        self.spins: list[Spin] = []
        self.texts: dict[str, str] = {}  # key -> how the function first writes it (`p->buf`)

    def key(self, node: tree_sitter.Node | None) -> str:
        """What shared location an lvalue-like expression names ("" when none)."""
        while node is not None and node.type in ("parenthesized_expression", "pointer_expression"):
            if node.type == "pointer_expression" and node_text(node)[:1] != "&":
                return ""  # *p: through a pointer, whatever it points to
            node = node.named_children[-1] if node.named_children else None
        if node is None:
            return ""
        match node.type:
            case "identifier":
                name = node_text(node)
                if name in self.local:
                    return ""
                if name not in self.globals and name in self.fields:
                    return "." + name  # a C++ member used inside its class
                return name
            case "field_expression":
                base = node.child_by_field_name("argument")
                field = node.child_by_field_name("field")
                if field is None:
                    return ""
                if (
                    base is not None
                    and base.type == "identifier"
                    and node_text(base) in self.local
                    and b"->" not in (node.text or b"")
                ):
                    return ""  # a local struct
                return "." + node_text(field)
            case "subscript_expression":
                return self.key(node.child_by_field_name("argument"))
        return ""

    def add(
        self,
        at: int,
        kind: str,
        key: str,
        relaxed: bool = False,
        node: tree_sitter.Node | None = None,
    ) -> None:
        if kind in ("w", "r") and key and atomic(key, self.globals, self.fields):
            kind = "fence"  # a plain access to an atomic: sequentially consistent
        self.events.append(Event(at, kind, key, relaxed, node))

    def walk(self, body: tree_sitter.Node) -> None:
        stack = [body]
        while stack:
            node = stack.pop()
            more = self.visit(node)
            if more is None:
                more = node.children
            stack.extend(reversed(more))

    def visit(self, node: tree_sitter.Node) -> list[tree_sitter.Node] | None:
        """Record `node`'s events; returns the children still to walk (None: all)."""
        match node.type:
            case "assignment_expression":
                left = node.child_by_field_name("left")
                right = node.child_by_field_name("right")
                key = self.key(left)
                if key and left is not None:
                    self.add(node.start_byte, "w", key, node=node)
                    self.texts.setdefault(key, shown(left))
                return [right] if right is not None else []
            case "update_expression":
                arg = node.child_by_field_name("argument")
                key = self.key(arg)
                if key:
                    self.add(node.start_byte, "w", key, node=node)
                return []
            case "call_expression":
                return self.call(node)
            case "gnu_asm_expression" | "asm_statement":
                template = node.child_by_field_name("assembly_code")
                code = node_text(template).strip('"') if template is not None else "?"
                if code.strip():
                    self.add(node.start_byte, "fence", "")
                return []
            case "identifier" | "field_expression" | "subscript_expression":
                key = self.key(node)
                if key:
                    self.add(node.start_byte, "r", key, node=node)
                if node.type == "subscript_expression":
                    idx = node.child_by_field_name("indices") or node.child_by_field_name("index")
                    return [idx] if idx is not None else []
                if node.type == "field_expression":
                    base = node.child_by_field_name("argument")
                    return [base] if base is not None and base.type != "identifier" else []
                return []
            case "while_statement":
                cond = node.child_by_field_name("condition")
                body = node.child_by_field_name("body")
                if cond is not None and body is not None and spin_body(body):
                    self.spins.append(Spin(node, cond))
            case "lambda_expression" | "function_definition" | "class_specifier":
                return []
        return None

    def call(self, node: tree_sitter.Node) -> list[tree_sitter.Node]:
        fn = node.child_by_field_name("function")
        args = node.child_by_field_name("arguments")
        arg_nodes = list(args.named_children) if args is not None else []
        rest: list[tree_sitter.Node] = [args] if args is not None else []
        if fn is None:
            return rest
        name = last_name(fn)
        relaxed = args is not None and "relaxed" in node_text(args).lower()
        if fn.type == "field_expression" and name in ATOMIC_METHODS:
            obj = fn.child_by_field_name("argument")
            key = self.key(obj)
            if key and (
                atomic(key, self.globals, self.fields) or "memory_order" in node_text(node)
            ):
                kind = "load" if name == "load" else "store"
                self.add(node.start_byte, kind, key, relaxed, node)
                return [a for a in arg_nodes if kind == "store"][:1]
        low = name.lower()
        if low.startswith(("atomic_", "__atomic_", "__c11_atomic_")) and arg_nodes:
            if "fence" in low:
                self.add(node.end_byte, "fence", "")
                return []
            kind = "load" if "load" in low else "store"
            key = self.key(arg_nodes[0])
            # only an explicit order can be relaxed (atomic_store is sequentially consistent)
            explicit = "explicit" in low or low.startswith("__atomic")
            self.add(node.start_byte, kind, key, relaxed and explicit, node)
            return arg_nodes[1:2] if kind == "store" else []
        if name in self.compiler_only or name in BARRIERS.compiler_only:
            return rest  # a compiler barrier: orders nothing between CPUs
        if name in WRITE_FIRST_ARG and arg_nodes:
            key = self.key(arg_nodes[0])
            if key:
                self.add(node.start_byte, "w", key, node=node)
            return arg_nodes[1:]
        if relax(name):
            return rest
        # any other call may fence or lock inside: the arguments are read before it
        self.add(node.end_byte, "fence", "")
        return rest


def shown(node: tree_sitter.Node) -> str:
    """An lvalue as the message shows it: `payload.id`, `r->slots` (no index), one line."""
    while node.type == "subscript_expression":
        base = node.child_by_field_name("argument")
        if base is None:
            break
        node = base
    return " ".join(node_text(node).split())[:60]


def last_name(fn: tree_sitter.Node) -> str:
    """The last identifier of a callee (`f`, `obj.method`, `std::ns::f`)."""
    match fn.type:
        case "field_expression":
            field = fn.child_by_field_name("field")
            return node_text(field) if field is not None else ""
        case "qualified_identifier" | "template_function":
            return node_text(fn).rsplit("::", 1)[-1].split("<", 1)[0].strip()
        case "identifier":
            return node_text(fn)
    return ""


def relax(name: str) -> bool:
    low = name.lower()
    return name in BARRIERS.spin_relax or "relax" in low or "pause" in low or "yield" in low


def spin_body(body: tree_sitter.Node) -> bool:
    """An empty loop body, or one that only waits (relax calls, pause/yield instructions)."""
    stmts = (
        [c for c in body.named_children if c.type != "comment"]
        if body.type == "compound_statement"
        else [body]
    )
    for s in stmts:
        if s.type != "expression_statement":
            return False
        inner = [c for c in s.named_children if c.type != "comment"]
        if not inner:
            continue
        e = inner[0]
        if e.type == "call_expression":
            fn = e.child_by_field_name("function")
            if fn is None or not relax(last_name(fn)):
                return False
        elif e.type == "gnu_asm_expression":
            template = e.child_by_field_name("assembly_code")
            if template is None or not QUIET_ASM.match(node_text(template).strip('"')):
                return False
        else:
            return False
    return True


def spin_flags(
    w: Walker, spin: Spin, globals_: dict[str, Decl], fields: dict[str, Decl], device: bool
) -> dict[str, Event]:
    """The flags a spin loop waits on: key -> the event that reads it in the condition (a
    plain read, or an atomic load). A condition that calls anything else is not a flag wait."""
    lo, hi = spin.cond.start_byte, spin.cond.end_byte
    inside = [e for e in w.events if lo <= e.at <= hi]
    if any(e.kind in ("fence", "w", "store") for e in inside):
        return {}
    out: dict[str, Event] = {}
    for e in inside:
        if e.kind == "load":
            out[e.key] = e
        elif e.kind == "r" and e.key not in out:
            decl = fields.get(e.key[1:]) if e.key.startswith(".") else globals_.get(e.key)
            if decl is not None and not decl.atomic and not (device and decl.volatile):
                out[e.key] = e
    return {k: v for k, v in out.items() if k}


def data_read_after(w: Walker, spin: Spin) -> set[str]:
    """Keys the function reads after the loop, up to the first fence or ordered atomic."""
    out: set[str] = set()
    end = spin.loop.end_byte
    for e in w.events:
        if e.at < end:
            continue
        if e.kind == "fence" or (e.kind in ("load", "store") and not e.relaxed):
            break
        if e.kind == "r":
            out.add(e.key)
    return out


def stores_after_data(w: Walker, flag: str) -> list[tuple[Event, set[str]]]:
    """Each publishing store of `flag` in a function (plain, or an atomic store) with the
    keys written since the last fence before it."""
    out = []
    for i, e in enumerate(w.events):
        if e.key != flag or e.kind not in ("w", "store") or zero_store(e):
            continue
        data: set[str] = set()
        for prev in reversed(w.events[:i]):
            if prev.kind == "fence" or (prev.kind in ("load", "store") and not prev.relaxed):
                break
            if prev.kind == "w" and prev.key != flag:
                data.add(prev.key)
        if data:
            out.append((e, data))
    return out


def zero_store(e: Event) -> bool:
    """A store of 0/NULL/false: a reset, not a publication."""
    node = e.node
    if node is None:
        return False
    if node.type == "assignment_expression":
        op = node.child_by_field_name("operator")
        right = node.child_by_field_name("right")
        return (
            op is not None
            and node_text(op) == "="
            and right is not None
            and node_text(right) in ZERO
        )
    if node.type == "call_expression":
        args = node.child_by_field_name("arguments")
        values = args.named_children if args is not None else []
        fn = node.child_by_field_name("function")
        value = (
            values[0]
            if fn is not None and fn.type == "field_expression" and values
            else values[1]
            if len(values) > 1
            else None
        )
        return value is not None and node_text(value) in ZERO
    return False


def report(
    src: Source,
    layout: Layout,
    store: Event,
    load: Event,
    flag: str,
    data: list[str],
    reader: str,
    writer: str,
    done: set[tuple[str, int]],
) -> None:
    """One finding per store (or relaxed load): plain, relaxed store, or relaxed load."""
    listed = ", ".join(f"`{k}`" for k in data[:3]) + (" ..." if len(data) > 3 else "")
    name = flag.lstrip(".")
    if store.kind == "w":
        if load.kind == "load":
            return  # an atomic load of a plainly stored variable: not this shape
        rule, at, what, other = "c-unordered-publish", store, "", reader
    elif store.relaxed:
        rule, at, what, other = "c-relaxed-publish", store, "store", reader
    elif load.kind == "load" and load.relaxed:
        rule, at, what, other = "c-relaxed-publish", load, "load", writer
    else:
        return
    node = at.node
    if node is None or (rule, node.start_byte) in done:
        return
    done.add((rule, node.start_byte))
    line, col = node.start_point.row + 1, node.start_point.column + 1
    st = layout.at(line)
    if st.status == INACTIVE and not src.options.no_filter:
        return
    target = node.child_by_field_name("left") or node.child_by_field_name("argument") or node
    src.add(
        rule,
        line,
        col,
        filtered=st.status == INACTIVE,
        guard=st.guard if st.status == GUARDED else (),
        case=what,
        flag=name,
        flag_expr=node_text(target),
        data=listed,
        what=what,
        reader=other,
        other=other,
    )
