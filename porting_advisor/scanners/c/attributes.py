# SPDX-License-Identifier: Apache-2.0
"""Attributes: target("...") and target_clones("...") naming x86 features."""

from __future__ import annotations

import itertools
import re

from porting_advisor.core import lazy_re, vocab
from porting_advisor.scanners.c import preproc
from porting_advisor.scanners.c.cfile import CFile

# A target("...") item that selects x86 code: a feature (`avx2`, `no-sse4.2`) or an x86 CPU
# (`arch=haswell`), from rules/vocab/ (the build-flag check uses the same tables).
X86_ISA = lazy_re.compile(
    r"^(?:no-)?(?:"
    + vocab.get().gcc_features.alternation(r"[\w.-]*")
    + r"|(?:arch|tune)=(?:native|"
    + vocab.get().x86_cpus.alternation(r"\S*")
    + r"))$"
)


ATTRIBUTES = (re.compile(r"__attribute(?:__)?\s*\(\("), re.compile(r"\[\[\s*(?:gnu|clang)::"))
TARGET_ATTR = lazy_re.compile(r"\b(?:__)?(target(?:_clones)?|target_version)(?:__)?\s*\(")
STRING = lazy_re.compile(r"\"([^\"\\\n]*(?:\\.[^\"\\\n]*)*)\"")
TARGET_CALL = lazy_re.compile(r"target(?:_clones|_version)?(?:__)?\s*\(")


def target_attribute(text: str) -> bool:
    """Does `target(`, `__target__ (` or `target_clones(` occur (an attribute's arguments)?
    Found from each "target" (a common word in C: most are variables)."""
    at = text.find("target")
    while at >= 0:
        if TARGET_CALL.match(text, at):
            return True
        at = text.find("target", at + 6)
    return False


def target_strings(text: str) -> list[str]:
    items: list[str] = []
    for m in STRING.finditer(text):
        items.extend(s.strip() for s in m.group(1).split(",") if s.strip())
    return items


def check_attributes(cf: CFile) -> None:
    text = cf.text
    if "target" not in text:
        return
    for m in itertools.chain.from_iterable(rx.finditer(text) for rx in ATTRIBUTES):
        if preproc.inside(cf.spans, m.start()) >= 0:
            continue
        d = cf.directive_at(m.start())
        if d is not None and d.name != "define":
            continue
        end = balanced_end(text, m.end() - (1 if text[m.end() - 1] == "(" else 0))
        body = text[m.end() : end]
        for t in TARGET_ATTR.finditer(body):
            args_end = balanced_end(body, t.end() - 1)
            isas = [s for s in target_strings(body[t.end() : args_end]) if X86_ISA.match(s)]
            if isas:
                attr = re.sub(r"\s+", " ", text[m.start() : m.end() + args_end])[:100]
                cf.emit(
                    "c-x86-target-attribute",
                    m.start() + 0,
                    0,
                    attr=attr.rstrip() + "...",
                    isa=", ".join(isas),
                )


def balanced_end(text: str, open_pos: int) -> int:
    """Offset just past the bracket group that opens at `open_pos` (or a bounded window)."""
    depth = 0
    limit = min(len(text), open_pos + 2000)
    i = open_pos
    while i < limit:
        ch = text[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
            if depth <= 0:
                return i + 1
        elif ch == '"':
            j = STRING.match(text, i)
            if j:
                i = j.end()
                continue
        i += 1
    return limit
