# SPDX-License-Identifier: Apache-2.0
"""Preprocessor reasoning: which lines of a C-family file are compiled for the Arm64 target.

Three classes of macro (README, "Preprocessor reasoning"):
  1. target-known: defined by the target profile, or a listed architecture/compiler/OS macro
     (then 0, as in a compiler). Decided in the worker.
  2. derived from x86: defined in the tree only under x86 guards, or named after an x86 feature
     (HAVE_SSE42, USE_AVX2). False on the target. Decided after the scan, from every file's
     #define facts (the C guards pass, `Resolver`).
  3. other project macros (USE_FAST_PATH): unknown. A construct under them is reported as
     "guarded by X"; an #error under them is never a preprocessor-error.
Kleene logic keeps this sound: a condition the worker could decide stays decided when the
unknown names are filled in later.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from porting_advisor.core import lazy_re, ruleset
from porting_advisor.core.facts import Status
from porting_advisor.core.memo import last_call
from porting_advisor.scanners.c import ppexpr

# Comments and literals, so that a '#' or a name inside them is never taken for code.
# (Loops unrolled, `[^x]*(?:y[^x]*)*`: the regex engine runs a character class in C, where an
# alternation inside a repeat costs a branch per character: twice as fast on real code.)
LEXEMES = lazy_re.compile(
    r"//[^\n]*|/\*[^*]*(?:\*+[^*/][^*]*)*(?:\*+/|\**\Z)"
    r"|\"[^\"\\\n]*(?:\\.[^\"\\\n]*)*\"|'[^'\\\n]*(?:\\.[^'\\\n]*)*'",
    re.S,
)
# '#' first: the regex engine then jumps from '#' to '#'; the caller checks the line start.
DIRECTIVE = lazy_re.compile(r"#[ \t]*([a-z_]+)([^\n\\]*(?:\\(?:\r?\n)?[^\n\\]*)*)")
CONTINUATION = lazy_re.compile(r"\\\r?\n")
INLINE_COMMENT = lazy_re.compile(r"/\*.*?\*/|//.*$", re.S)
DEFINE = lazy_re.compile(r"\s*([A-Za-z_]\w*)(\()?\s*(.*)$", re.S)
RESERVED = lazy_re.compile(r"^_[A-Z_]")
NOT_DEFINED = lazy_re.compile(r"^!\(?\s*defined\s*\(?\s*([A-Za-z_]\w*)\s*\)?\s*\)?$")

ACTIVE, INACTIVE, GUARDED = Status.ACTIVE, Status.INACTIVE, Status.GUARDED
# A #define that is a header's include guard: whether it is set depends on include order.
INCLUDE_GUARD = Status.INCLUDE_GUARD
GUARD_NAME = lazy_re.compile(r"(?i)(?:_H|_HPP|_HH|_HXX|_INCLUDED|_INC|_H_\w*|_DEFINED)_*$")
LITERAL_CACHE: dict[int, dict[str, tuple[Status, bool]]] = {}


class Directive(NamedTuple):  # a tuple: built for every directive of every file read
    line: int  # 1-based line of the '#'
    offset: int  # character offset of the '#' line start
    name: str  # if, ifdef, elif, else, endif, error, define, pragma, include ...
    arg: str  # the rest, continuation lines joined, comments removed


class State(NamedTuple):
    """Whether a region is compiled for the target."""

    status: Status  # ACTIVE, INACTIVE or GUARDED
    guard: tuple[str, ...] = ()  # the undecided conditions (GUARDED only)
    x86: bool = False  # some enclosing branch tests an x86 macro


ALWAYS = State(ACTIVE)


class Macros(NamedTuple):
    """The macro knowledge of one target: profile definitions plus the listed names."""

    defined: dict[str, str]
    known: frozenset[str]
    x86: frozenset[str]
    x86_words: tuple[str, ...]
    arm_words: tuple[str, ...]
    negative_words: frozenset[str]

    def lookup(self, name: str) -> tuple[str, str]:
        if name in self.defined:
            return "def", self.defined[name]
        if name in self.known or "DOXYGEN" in name:
            # (DOXYGEN, XXH_DOXYGEN...: set by documentation generators, never by a compiler)
            return "undef", ""
        return "unknown", ""


def language_mode(file: str) -> str:
    """'c', 'cpp' or 'header': a .h file may be compiled as either (then __cplusplus is unknown)."""
    if file.endswith((".c", ".S", ".sx")):  # (assembly goes through the C preprocessor)
        return "c"
    return "header" if file.endswith(".h") else "cpp"


@functools.cache
def has_sve(target: str) -> bool:
    """Does the target's Linux profile predefine __ARM_FEATURE_SVE?"""
    return (
        "__ARM_FEATURE_SVE" in ruleset.load_json("target-profiles.json")["linux"][target]["macros"]
    )


@functools.cache
def target_macros(target: str, target_os: str, mode: str) -> tuple[Macros, ...]:
    """One Macros per OS the target covers (`--target-os all` evaluates both)."""
    profiles = ruleset.load_json("target-profiles.json")
    table = ruleset.load_table("macros.yaml")
    every_profile = frozenset(n for p in profiles["linux"].values() for n in p["macros"])
    known = (
        frozenset(table["x86"])
        | frozenset(table["other_arch"])
        | frozenset(table["compiler"])
        | frozenset(table["os"])
        | every_profile
        | {"__OBJC__"}
    )
    if mode != "header":  # a .h file may be compiled as C or C++: __cplusplus stays unknown
        known |= {"__cplusplus"}
    out = []
    for os_name in ("linux", "windows") if target_os == "all" else (target_os,):
        if os_name == "windows":
            defined = dict(profiles["windows"]["macros"])
        else:
            defined = dict(profiles["linux"][target]["macros"])
        if mode == "cpp":
            defined["__cplusplus"] = "201703L"
        linux_only = set(profiles["linux"][target]["macros"]) - set(defined)
        out.append(
            Macros(
                defined,
                known | frozenset(linux_only),
                frozenset(table["x86"]),
                tuple(table["x86_words"]),
                tuple(table["arm_words"]),
                frozenset(table["negative_words"]),
            )
        )
    return tuple(out)


MSVC_X64 = {
    "_WIN32": "1",
    "_WIN64": "1",
    "_M_X64": "1",
    "_M_AMD64": "1",
    "_MSC_VER": "1930",
    "_MSC_FULL_VER": "193030705",
    "_MSC_EXTENSIONS": "1",
    "_INTEGRAL_MAX_BITS": "64",
    "__STDC_HOSTED__": "1",
    "_MT": "1",
}


@functools.cache
def x86_reference(target: str, target_os: str, mode: str) -> tuple[Macros, ...]:
    """x86-64 (GCC on Linux, MSVC on Windows) with the target's list of known names: a
    construct x86-64 reaches as well is not something the port to Arm64 introduces."""
    profiles = ruleset.load_json("target-profiles.json")
    out = []
    for m, os_name in zip(
        target_macros(target, target_os, mode),
        ("linux", "windows") if target_os == "all" else (target_os,),
        strict=True,
    ):
        defined = dict(MSVC_X64 if os_name == "windows" else profiles["x86_64_reference"]["macros"])
        if mode == "cpp":
            defined["__cplusplus"] = "201703L"
        out.append(
            Macros(
                defined,
                m.known | frozenset(m.defined),
                m.x86,
                m.x86_words,
                m.arm_words,
                m.negative_words,
            )
        )
    return tuple(out)


# (the layout, the memory-ordering and floating-point checks of one file each ask for them)
@last_call
def comment_spans(text: str) -> tuple[list[int], list[int]]:
    """Start and end offsets of every comment and string/char literal, in order."""
    starts, ends = [], []
    for m in LEXEMES.finditer(text):
        starts.append(m.start())
        ends.append(m.end())
    return starts, ends


def inside(spans: tuple[list[int], list[int]], offset: int) -> int:
    """The start of the comment or literal holding `offset`, or -1."""
    starts, ends = spans
    i = bisect.bisect_right(starts, offset) - 1
    if i >= 0 and offset < ends[i]:
        return starts[i]
    return -1


@last_call  # (the same file for x86-64 as for the target, or for another check)
def directives(text: str, spans: tuple[list[int], list[int]]) -> list[Directive]:
    out = []
    line = 1
    last = 0
    for m in DIRECTIVE.finditer(text):
        hash_at = m.start()
        if hash_at == 0 or text[hash_at - 1] == "\n":  # the common case: in column 1
            bol = hash_at
        else:
            bol = text.rfind("\n", 0, hash_at) + 1
            if text[bol:hash_at].strip(" \t"):
                continue
        if inside(spans, hash_at) >= 0:
            continue
        line += text.count("\n", last, bol)
        last = bol
        arg = m.group(2)
        if "\\" in arg:
            arg = CONTINUATION.sub(" ", arg)
        if "/" in arg:
            arg = INLINE_COMMENT.sub(" ", arg)
        arg = arg.strip()
        out.append(Directive(line, bol, m.group(1), arg))
    return out


def names_in(expr: str) -> list[str]:
    return re.findall(r"[A-Za-z_]\w*", expr)


# Conditions kept per state and per #define path. Real code nests a few levels; a hostile file
# nests thousands (issue 21: 20,000 levels took 7.6 GB when every state held its full path).
# Deeper conditions are dropped: a construct that deep stays guarded by the first ones.
MAX_CONDITIONS = 64


@dataclass(slots=True)
class Frame:
    """One open #if group. States are built from the enclosing one, a condition at a time, so
    that each directive costs the same however deep the nesting or long the #elif chain."""

    cond: str  # this branch's condition; "" for #else
    always: bool  # an include guard: its body is always compiled
    base: State  # the state after the enclosing groups and this group's earlier branches
    base_path: tuple[str, ...]  # ... and the conditions that lead there (for #define facts)
    state: State = ALWAYS  # the state inside the current branch


class Evaluator:
    """Decides conditions for one file with what the worker knows (class 1 macros)."""

    def __init__(self, macros: tuple[Macros, ...]) -> None:
        self.macros = macros
        # Conditions repeat across a tree (#ifdef __x86_64__ ...): one cache per process.
        self.cache: dict[str, tuple[Status, bool]] = LITERAL_CACHE.setdefault(id(macros), {})

    def literal(self, expr: str) -> tuple[Status, bool]:
        """(ACTIVE/INACTIVE/GUARDED, mentions x86) for one condition, over every OS profile."""
        hit = self.cache.get(expr)
        if hit is not None:
            return hit
        results = []
        for m in self.macros:
            value, _ = ppexpr.evaluate(expr, m.lookup)
            if value is None:
                results.append(GUARDED)
            else:
                results.append(ACTIVE if value else INACTIVE)
        status = ACTIVE if ACTIVE in results else GUARDED if GUARDED in results else INACTIVE
        x86 = any(n in self.macros[0].x86 for n in names_in(expr))
        if len(self.cache) > 50000:  # a hostile file's distinct conditions: bounded memory
            self.cache.clear()
        self.cache[expr] = (status, x86)
        return status, x86

    def apply(self, st: State, lit: str) -> State:
        """The state inside `st` under one more condition."""
        if st.status == INACTIVE:
            return st
        status, is_x86 = self.literal(lit)
        x86 = st.x86 or is_x86
        if status == INACTIVE:
            return State(INACTIVE, (), x86)
        if status == GUARDED:
            guard = st.guard if len(st.guard) >= MAX_CONDITIONS else (*st.guard, lit)
            return State(GUARDED, guard, x86)
        return st if x86 == st.x86 else State(st.status, st.guard, x86)

    def enter(self, fr: Frame) -> None:
        """Set the state of the frame's current branch."""
        fr.state = self.apply(fr.base, fr.cond) if fr.cond and not fr.always else fr.base

    def next_branch(self, fr: Frame, cond: str) -> None:
        """#elif (cond) or #else (""): the branch before is now a condition that failed."""
        if fr.cond:
            fr.base = self.apply(fr.base, f"!({fr.cond})")
            fr.base_path = add_path(fr.base_path, f"!({fr.cond})")
        fr.cond, fr.always = cond, False
        self.enter(fr)


def add_path(path: tuple[str, ...], cond: str) -> tuple[str, ...]:
    return path if len(path) >= MAX_CONDITIONS else (*path, cond)


def path_of(frames: list[Frame]) -> tuple[str, ...]:
    """Every condition on the way to this point, decided or not (for #define facts: the parent
    evaluates them for the target and for x86-64)."""
    if not frames:
        return ()
    fr = frames[-1]
    return fr.base_path if fr.always or not fr.cond else add_path(fr.base_path, fr.cond)


NOT_DEFINED_ANY = lazy_re.compile(r"!\s*defined\s*(?:\(\s*([A-Za-z_]\w*)\s*\)|([A-Za-z_]\w*))")
DEFINED_NAME = lazy_re.compile(r"\bdefined\s*(?:\(\s*([A-Za-z_]\w*)\s*\)|([A-Za-z_]\w*))")


def first_definitions(dirs: list[Directive]) -> dict[str, int]:
    """Line of the first #define of each name in this file."""
    first: dict[str, int] = {}
    for d in dirs:
        if d.name == "define":
            m = DEFINE.match(d.arg)
            if m:
                first.setdefault(m.group(1), d.line)
    return first


def not_yet_defined(cond: str, first: dict[str, int], line: int) -> str:
    """`defined(X)` tested before this file's own first `#define X` is taken as false: the
    file checks that nobody defined X before it does (`#if defined(MASK) #error ...`)."""
    if not first or "defined" not in cond:
        return cond

    def repl(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(2)
        return "0" if first.get(name, 0) > line else m.group(0)

    return DEFINED_NAME.sub(repl, cond)


def without_self_guard(cond: str, define_arg: str) -> str:
    """`#if !defined(X)` (or `#ifndef X`) right before `#define X` is an include guard or a
    default: the block is compiled whenever it is reached. Drop that test from the condition."""
    m = DEFINE.match(define_arg)
    if not m:
        return cond
    name = m.group(1)
    if name not in cond:
        return cond
    out = NOT_DEFINED_ANY.sub(
        lambda n: "1" if (n.group(1) or n.group(2)) == name else n.group(0), cond
    )
    return "1" if out.strip() == "1" else out


def condition_of(d: Directive) -> str:
    match d.name:
        case "ifdef" | "elifdef":
            return f"defined({d.arg.split()[0]})" if d.arg.split() else "0"
        case "ifndef" | "elifndef":
            return f"!defined({d.arg.split()[0]})" if d.arg.split() else "1"
    return d.arg or "0"


@dataclass(slots=True)
class Layout:
    """The compiled-or-not state of every line of one file, plus what it defines."""

    starts: list[int]  # first line of each region
    states: list[State]
    directives: list[Directive]
    defines: list[tuple[str, str, Status, tuple[str, ...]]]  # name, value, status, conditions
    undefs: list[str]  # names this file #undef's
    offsets: list[int] = field(default_factory=list)  # line-start offset of each region's
    #                                                   directive ([0] for the first region)

    def at(self, line: int) -> State:
        i = bisect.bisect_right(self.starts, line) - 1
        return self.states[i] if i >= 0 else ALWAYS

    def at_offset(self, offset: int) -> State:
        """The state of code at a character offset (outside directives): no line number
        needed, so a scanner can drop code that is not compiled before it costs anything."""
        i = bisect.bisect_right(self.offsets, offset) - 1
        return self.states[i] if i >= 0 else ALWAYS


def layout(
    text: str, macros: tuple[Macros, ...], spans: tuple[list[int], list[int]] | None = None
) -> Layout:
    """Walk the directives of `text` and give each region its state for the target."""
    spans = spans if spans is not None else comment_spans(text)
    dirs = directives(text, spans)
    ev = Evaluator(macros)
    frames: list[Frame] = []
    starts: list[int] = [1]
    states: list[State] = [ALWAYS]
    offsets: list[int] = [0]
    defines: list[tuple[str, str, Status, tuple[str, ...]]] = []
    undefs: list[str] = []
    include_guards: set[str] = set()
    seen_if = False
    current = ALWAYS
    later = first_definitions(dirs)
    for i, d in enumerate(dirs):
        name = d.name
        changed = True
        if name in ("if", "ifdef", "ifndef"):
            cond = condition_of(d)
            nxt = dirs[i + 1] if i + 1 < len(dirs) else None
            if nxt is not None and nxt.name == "define":
                cond = without_self_guard(cond, nxt.arg)
                m = DEFINE.match(nxt.arg)
                if (
                    cond == "1"
                    and name == "ifndef"
                    and m
                    and not m.group(3).strip()
                    and not frames
                    and not seen_if
                    and GUARD_NAME.search(m.group(1))
                ):
                    include_guards.add(m.group(1))
            seen_if = True
            cond = not_yet_defined(cond, later, d.line)
            frames.append(Frame(cond, cond == "1", current, path_of(frames)))
            ev.enter(frames[-1])
        elif name in ("elif", "elifdef", "elifndef") and frames:
            ev.next_branch(frames[-1], not_yet_defined(condition_of(d), later, d.line))
        elif name == "else" and frames:
            ev.next_branch(frames[-1], "")
        elif name == "endif" and frames:
            frames.pop()
        else:
            changed = False
            if name == "define":
                m = DEFINE.match(d.arg)
                if m and not m.group(2):
                    kind = INCLUDE_GUARD if m.group(1) in include_guards else current.status
                    defines.append((m.group(1), m.group(3).strip(), kind, path_of(frames)))
                elif m:
                    params, _, body = m.group(3).partition(")")
                    defines.append(
                        (
                            m.group(1) + "()",
                            params + "\x1f" + body.strip(),
                            current.status,
                            path_of(frames),
                        )
                    )
            elif name == "undef" and d.arg.split() and current.status == ACTIVE:
                target = d.arg.split()[0]
                nxt = dirs[i + 1] if i + 1 < len(dirs) else None
                redefined = (
                    nxt is not None
                    and nxt.name == "define"
                    and nxt.arg.split("(")[0].split()[:1] == [target]
                )
                if not redefined:  # `#undef X` + `#define X` only changes the value
                    undefs.append(target)
        if changed:
            current = frames[-1].state if frames else ALWAYS
            starts.append(d.line + 1)
            states.append(current)
            offsets.append(d.offset)
    return Layout(starts, states, dirs, defines, undefs, offsets)


# ---- the cross-file part: derived macros (class 2) --------------------------------------


def negates_defined(lit: str, name: str) -> bool:
    m = NOT_DEFINED.match(lit.replace(" ", ""))
    return m is not None and m.group(1) == name


def word_class(name: str, macros: Macros) -> str:
    """'x86', 'arm', 'neg' or '' from the words of a project macro's name."""
    words = [w for w in name.upper().split("_") if w]
    if any(w in macros.negative_words for w in words):
        return "neg"
    if any(
        w.startswith(a) or a in w
        for w in words
        for a in macros.arm_words
        if a in ("NEON", "SSE2NEON")
    ) or any(w in macros.arm_words for w in words):
        return "arm"
    if any(w.startswith(macros.x86_words) for w in words):
        return "x86"
    return ""


Assumed = frozenset[str]  # conditions taken to hold while deriving macros
NAME = lazy_re.compile(r"[A-Za-z_]\w*")  # (a superset of the macro names in a condition or value)


class Resolver:
    """Evaluates deferred guards with every file's #define facts and the class 2 rules."""

    def __init__(
        self,
        macros: tuple[Macros, ...],
        defines: dict[str, list[tuple[str, tuple[str, ...], Status]]],
        undefined: frozenset[str] = frozenset(),
        unset: Callable[[str], bool] | None = None,
    ) -> None:
        self.macros = macros
        self.defines = defines  # name -> [(value, guard, status)]
        # #undef'd somewhere (order decides) or asked for by an #error: unknown
        self.undefined = undefined
        # project switches nothing in the tree or its build defines: off (c_guards)
        self.unset = unset
        self.literals: dict[tuple[int, str, Assumed], tuple[ppexpr.Value, frozenset[str]]] = {}
        self.memo: dict[tuple[int, str, Assumed], tuple[str, str]] = {}
        self.busy: set[tuple[int, str, Assumed]] = set()
        self.cache: dict[str, tuple[Status, frozenset[str]]] = {}
        self.reach: dict[str, frozenset[str]] = {}  # see `relevant`
        self.of_text: dict[str, frozenset[str]] = {}  # a literal or a name -> relevant()
        self.names_in: dict[str, tuple[str, ...]] = {}  # see `words`

    def relevant(self, names: Iterable[str]) -> frozenset[str]:
        """The guard conditions that can take part in deriving `names`: those of their
        definitions and, in turn, of the macros those conditions and values name. Only
        these of a guard's assumed conditions can change a derivation, so the memos are
        keyed by them: guards that differ elsewhere share the work (highway's 761 guards
        re-derived the same chains of HWY_TARGET macros for each)."""
        out: set[str] = set()
        for name in names:
            hit = self.reach.get(name)
            if hit is None:
                seen, todo, found = {name}, [name], set[str]()
                while todo:
                    this = todo.pop()
                    known = self.reach.get(this) if this != name else None
                    if known is not None:  # (its whole closure, worked out for another name)
                        found.update(known)
                        continue
                    for value, guard, _ in self.defines.get(this, ()):
                        found.update(guard)
                        for text in (value, *guard):
                            for word in self.words(text):
                                if word not in seen:
                                    seen.add(word)
                                    todo.append(word)
                hit = self.reach[name] = frozenset(found)
            out.update(hit)
        return frozenset(out)

    def words(self, text: str) -> tuple[str, ...]:
        """The macro names a value or condition may name, each also as a function-like
        macro's name (remembered: definitions share their values and conditions)."""
        hit = self.names_in.get(text)
        if hit is None:
            hit = self.names_in[text] = tuple(
                w for word in NAME.findall(text) for w in (word, word + "()")
            )
        return hit

    def relevant_to(self, text: str) -> frozenset[str]:
        """`relevant` for the names of a literal, or for a macro name and its function form
        (remembered: asked at every look-up)."""
        hit = self.of_text.get(text)
        if hit is None:
            names = (text, text + "()") if NAME.fullmatch(text) else NAME.findall(text)
            hit = self.of_text[text] = self.relevant(names)
        return hit

    def lookup_for(
        self, idx: int, assume: frozenset[str] = frozenset()
    ) -> Callable[[str], tuple[str, str]]:
        """Macro look-up for profile `idx`, deriving project macros from their definitions
        under the conditions `assume`d to hold (those of the code being decided)."""
        m = self.macros[idx]
        # name -> answer, for this profile and assumption: an expansion looks the same names
        # up again and again (highway: ten look-ups per distinct name)
        answers: dict[str, tuple[str, str]] = {}

        def lookup(name: str) -> tuple[str, str]:
            hit = answers.get(name)
            if hit is not None:
                return hit
            state, value = m.lookup(name)
            if state != "unknown":
                answers[name] = (state, value)
                return state, value
            key = (idx, name, assume & self.relevant_to(name) if assume else assume)
            hit = self.memo.get(key)
            if hit is not None:
                answers[name] = hit
                return hit
            if key in self.busy:
                return "unknown", ""  # (a cycle: not remembered)
            self.busy.add(key)
            try:
                result = self.derive(idx, name, m, assume)
                if result[0] == "unknown" and name + "()" in self.defines:
                    func = self.derive(idx, name + "()", m, assume)
                    if func[0] == "def":
                        result = ("func", func[1])
            finally:
                self.busy.discard(key)
            self.memo[key] = answers[name] = result
            return result

        return lookup

    def derive(
        self, idx: int, name: str, m: Macros, assume: frozenset[str] = frozenset()
    ) -> tuple[str, str]:
        if name in self.undefined:
            return "unknown", ""
        defs = self.defines.get(name, [])
        if defs and all(status == INCLUDE_GUARD for _, _, status in defs):
            return "unknown", ""  # tested from another file: depends on the include order
        statuses = []
        active_value = None
        conflict = False
        for value, guard, _ in defs:
            # `#ifndef X ... #define X v`: a default, defined whenever the block is reached;
            # and a condition of the code being decided holds there by assumption (xxhash
            # picks XXH_VECTOR inside the same `#if XXH_IMPLEMENTATION` as its kernels)
            guard = tuple(g for g in guard if not negates_defined(g, name) and g not in assume)
            status = self.guard_status(idx, guard, assume)[0]
            statuses.append(status)
            if status == ACTIVE:
                if active_value is None:
                    active_value = value
                elif value != active_value:
                    conflict = True
        if active_value is not None:
            # two files define it for the target with different values: which one holds
            # depends on what includes what, and in which order (simsimd's c/lib.c sets
            # SIMSIMD_TARGET_HASWELL 1 for its dispatcher; its types.h resets it to 0 when
            # the target is not x86)
            return ("unknown", "") if conflict else ("def", active_value)
        if defs and all(s == INACTIVE for s in statuses):
            return "undef", ""
        if name.endswith("()"):
            return "unknown", ""
        cls = word_class(name, m)
        if cls == "x86":
            return "undef", ""
        if cls == "neg" and not defs:
            return "undef", ""  # an opt-out switch (FOO_NO_SIMD) the tree never sets: off
        if not defs and RESERVED.match(name) and name not in ("__cplusplus", "__OBJC__"):
            return "undef", ""
        if not defs and self.unset is not None and self.unset(name):
            return "undef", ""
        return "unknown", ""

    def only_defaults(self, name: str) -> bool:
        """Is every definition of `name` a default inside `#ifndef name`?"""
        defs = self.defines.get(name, [])
        return bool(defs) and all(
            any(negates_defined(g, name) for g in guard) for _, guard, _ in defs
        )

    def guard_status(
        self, idx: int, guard: tuple[str, ...], assume: frozenset[str] = frozenset()
    ) -> tuple[Status, frozenset[str]]:
        unknown: set[str] = set()
        status = ACTIVE
        lookup = self.lookup_for(idx, assume)
        for lit in guard:
            m = NOT_DEFINED.match(lit)
            if m and self.only_defaults(m.group(1)):
                continue  # the region that sets the default is compiled when reached
            key = (idx, lit, assume & self.relevant_to(lit) if assume else assume)
            hit = self.literals.get(key)
            if hit is None:
                hit = self.literals[key] = ppexpr.evaluate(lit, lookup)
            value, names = hit
            if value is None:
                status = GUARDED
                unknown.update(names)
            elif not value:
                return INACTIVE, frozenset()
        return status, frozenset(unknown)

    def resolve(self, guard: tuple[str, ...]) -> tuple[Status, frozenset[str]]:
        """Final status of a deferred guard over every OS profile, and the names left unknown."""
        key = "\0".join(guard)
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        # Code under `guard` matters only where every condition of it holds: derived macros
        # are worked out under that assumption (an unsatisfiable guard is never compiled).
        assume = frozenset(guard)
        results = [self.guard_status(i, guard, assume) for i in range(len(self.macros))]
        if any(s == ACTIVE for s, _ in results):
            out: tuple[Status, frozenset[str]] = (ACTIVE, frozenset())
        elif any(s == GUARDED for s, _ in results):
            out = (GUARDED, frozenset().union(*(n for s, n in results if s == GUARDED)))
        else:
            out = (INACTIVE, frozenset())
        self.cache[key] = out
        return out


def conditional_chains(dirs: list[Directive]) -> list[list[Directive]]:
    """Each `#if` ... `#endif` chain of a file's directives: its `#if`, `#elif`s and `#else`."""
    chains: list[list[Directive]] = []
    stack: list[list[Directive]] = []
    for d in dirs:
        if d.name in ("if", "ifdef", "ifndef"):
            stack.append([d])
        elif d.name in ("elif", "elifdef", "elifndef", "else") and stack:
            stack[-1].append(d)
        elif d.name == "endif" and stack:
            chains.append(stack.pop())
    return chains
