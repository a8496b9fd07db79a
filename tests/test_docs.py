# SPDX-License-Identifier: Apache-2.0
"""The documentation's relative links point to files that exist, and to headings that exist
when they name one in a Markdown file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT

# Inline links and images `[text](target "title")`, and reference definitions `[label]: target`.
INLINE = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.M)
FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
CODE_SPAN = re.compile(r"(`+).+?\1", re.S)
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)  # https:, mailto: ...
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)
HTML_ID = re.compile(r"<a\s+(?:id|name)=\"([^\"]+)\"")


def documents() -> list[Path]:
    return [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").rglob("*.md"))]


def links(text: str) -> list[str]:
    """Link targets outside code blocks and code spans."""
    prose = CODE_SPAN.sub("", FENCE.sub("", text))
    return INLINE.findall(prose) + REFERENCE.findall(prose)


def anchors(text: str) -> set[str]:
    """Heading slugs as GitHub makes them (duplicates get -1, -2 ...), and explicit ids."""
    seen: dict[str, int] = {}
    out = set(HTML_ID.findall(text))
    for title in HEADING.findall(FENCE.sub("", text)):
        slug = re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(f"{slug}-{n}" if n else slug)
    return out


def test_anchors_follow_github_slugs():
    text = '# What "filtered" means\n## `c-x86` — x86 intrinsic\n## Notes\n## Notes\n<a id="r"></a>'
    want = {"what-filtered-means", "c-x86--x86-intrinsic", "notes", "notes-1", "r"}
    assert anchors(text) == want


def test_links_are_found_outside_code():
    text = "[a](x.md) `[b](code.md)`\n```\n[c](fenced.md)\n```\n[d]: ref.md\n![e](img.png)"
    assert sorted(links(text)) == ["img.png", "ref.md", "x.md"]


@pytest.mark.parametrize("doc", documents(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_resolve(doc):
    broken = []
    for target in links(doc.read_text(encoding="utf-8")):
        if EXTERNAL.match(target):
            continue
        path, _, anchor = target.partition("#")
        file = doc.parent / path if path else doc
        ok = file.exists() and not (
            anchor and file.suffix == ".md" and anchor not in anchors(file.read_text("utf-8"))
        )
        if not ok:
            broken.append(target)
    assert broken == [], f"{doc.relative_to(ROOT)}: links to missing files or headings: {broken}"
