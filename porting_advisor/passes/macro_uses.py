# SPDX-License-Identifier: Apache-2.0
"""The macro-uses pass: findings in the body of a macro that no code of the tree expands are
filtered (libyuv's MSVC `IACA_*` marks, CRoaring's unused `ASM_BT64`).

A file's scan names the macros whose bodies hold findings and that its own code does not
expand, with the macros of the file that wrap them (`UnexpandedMacro`); the engine then asked
every C/C++ and assembly file which of those names it mentions (`Mentions`). A macro is
expanded, as far as anyone can tell, when some file names it (or a wrapper) in code, or
another file names it in a directive (its own #define, or an #ifdef). Only the rest is
filtered: the macro is text nothing compiles. Not filtered: macros of the tree's public
headers (its users expand them), and bodies whose finding is about the definition itself
(a fence macro that is only a compiler barrier).
"""

from __future__ import annotations

from porting_advisor.core.facts import Mentions, UnexpandedMacro
from porting_advisor.core.model import Finding
from porting_advisor.passes.context import Pass, PassContext


def macro_uses(ctx: PassContext) -> list[Finding]:
    """Findings in bodies of macros nothing expands are filtered, with the macro named."""
    code: set[str] = set()
    directives: dict[str, set[str]] = {}  # name -> files naming it in a directive
    bodies: dict[str, list[UnexpandedMacro]] = {}
    for r in ctx.results:
        for fact in r.facts:
            if isinstance(fact, Mentions):
                code.update(fact.code)
                for name in fact.directives:
                    directives.setdefault(name, set()).add(r.file)
            elif isinstance(fact, UnexpandedMacro):
                bodies.setdefault(r.file, []).append(fact)

    def expanded(file: str, name: str) -> bool:
        return name in code or bool(directives.get(name, set()) - {file})

    unused: dict[str, list[tuple[int, int, str]]] = {}
    for file, macros in bodies.items():
        if public_header(file):
            continue  # (the tree's own API: its users expand the macros)
        for m in macros:
            if not any(expanded(file, n) for n in (m.name, *m.wrappers)):
                unused.setdefault(file, []).append((m.first, m.last, m.name))
    if not unused:
        return ctx.findings
    out = []
    for f in ctx.findings:
        hit = next((n for a, b, n in unused.get(f.file, ()) if a <= f.line <= b), "")
        if hit and not f.filtered and f.category in CODE_CATEGORIES:
            g = ctx.filter_out(
                f, f"in the body of macro `{hit}`, which no code of the tree expands"
            )
            if g is None:
                continue
            f = g
        out.append(f)
    return out


# what a macro's body holds that matters only where the body is compiled (a fence macro
# defined as a compiler barrier is reported as a definition: memory-ordering is not here)
CODE_CATEGORIES = frozenset({"intrinsic", "inline-asm"})
VENDORED = frozenset(
    {"third_party", "thirdparty", "third-party", "3rdparty", "vendor", "external", "deps"}
)


def public_header(file: str) -> bool:
    """A header at the top of the tree or under an `include/` directory of the tree's own
    (not a vendored copy's): the project's API, whose macros its users expand."""
    parts = file.split("/")
    if not parts[-1].endswith((".h", ".hh", ".hpp", ".hxx", ".h++", ".inl")):
        return False
    if len(parts) == 1:
        return True  # (a header-only library's header)
    for part in parts[:-1]:
        if part.lower() in VENDORED:
            return False
        if part.lower() == "include":
            return True
    return False


def has_bodies(ctx: PassContext) -> bool:
    """Findings in macro bodies their own file does not expand."""
    return any(isinstance(f, UnexpandedMacro) for r in ctx.results for f in r.facts)


PASS = Pass("macro-uses", has_bodies, macro_uses)
