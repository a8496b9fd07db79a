# SPDX-License-Identifier: Apache-2.0
"""Variables that hold x86 flags: where the build uses them.

`set(AVX512_FLAGS "-march=skylake-avx512")` used only by a target the default build does not
make, or configure.ac's `SIMD_CFLAGS="-msse4.1"` used only in its `x86_64)` case: the flag is
reported where it is assigned, but only an x86 build (or a build the user asks for) uses it.
Once the file is read, such findings are filtered with the place that uses them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from porting_advisor.core import lazy_re
from porting_advisor.core.source import Source

# NAME = ..., NAME := ..., NAME += ... (Make, shell, Meson), set(NAME ...) / list(APPEND NAME
ASSIGNED = lazy_re.compile(
    r"(?i)^\s*(?:export\s+)?([A-Za-z_]\w*)\s*(?:[+:?]?=)|^\s*(?:set|list\s*\(\s*APPEND)\s*\(?\s*(\w+)"
)
REFERENCE = lazy_re.compile(r"\$\{(\w+)\}|\$\((\w+)\)|\$(\w+)|@(\w+)@")
BARE = lazy_re.compile(r"[A-Za-z_]\w*")
QUOTED = lazy_re.compile(r"'[^']*'|\"[^\"]*\"")


@dataclass(slots=True)
class Uses:
    """The flag findings each variable's assignments made, and the contexts that use it."""

    kind: str
    findings: dict[str, list[int]] = field(default_factory=dict)  # name -> finding indexes
    # name -> (line, why that line is not part of the Arm64 build, or '' when it is)
    uses: dict[str, list[tuple[int, str]]] = field(default_factory=dict)

    def line(self, src: Source, first: int, text: str, before: int, why: str) -> None:
        """Record one logical line: the findings it added (from index `before`) if it
        assigns a variable, and the variables it uses, with `why` for its context."""
        m = ASSIGNED.match(text)
        name = (m.group(1) or m.group(2)) if m is not None else ""
        if name and len(src.findings) > before:
            self.findings.setdefault(name, []).extend(range(before, len(src.findings)))
        for ref in REFERENCE.finditer(text):
            used = next(g for g in ref.groups() if g)
            if used != name:  # (`CFLAGS="$CFLAGS -mavx2"` adds to itself)
                self.uses.setdefault(used, []).append((first, why))
        if self.kind == "meson":  # a Meson variable is used by its bare name
            rest = text[m.end() :] if m is not None else text
            for used in BARE.findall(QUOTED.sub(" ", rest)):
                if used in self.findings and used != name:
                    self.uses.setdefault(used, []).append((first, why))

    def settle(self, src: Source) -> None:
        """Filter the findings of variables that only x86-only or unbuilt code uses."""
        drop: dict[int, str] = {}
        for name, indexes in self.findings.items():
            uses = self.uses.get(name, [])
            if not uses or any(not why for _, why in uses):
                continue
            line, why = uses[0]
            reason = f"`{name}` is used only where the Arm64 build does not go (line {line}: {why})"
            for i in indexes:
                drop[i] = reason
        if not drop:
            return
        out = []
        for i, f in enumerate(src.findings):
            if i not in drop or f.filtered:
                out.append(f)
            elif src.options.no_filter:
                out.append(replace(f, filtered=True, filtered_reason=drop[i]))
        src.findings = out
