# SPDX-License-Identifier: Apache-2.0
"""autoconf helper scripts: a config.guess or config.sub that predates aarch64."""

from __future__ import annotations

import posixpath
import re

from porting_advisor.core import lazy_re
from porting_advisor.core.source import Source

STAMP = lazy_re.compile(r"^timestamp=['\"]?([0-9-]+)", re.M)


def scan(src: Source) -> None:
    """config.guess/config.sub must mention aarch64 (added to GNU config in 2012)."""
    name = posixpath.basename(src.file)
    if name not in ("config.guess", "config.sub"):
        return
    if any(
        "aarch64" in line
        for line in src.text.split("\n")
        if "aarch64" in line and not line.lstrip().startswith("#")
    ):
        return  # a case pattern or a line of code names it (comments do not count)
    m = STAMP.search(src.text)
    stamp = f"timestamp {m.group(1)}" if m else "no timestamp"
    snippet = src.line_text(src.position(m.start())[0]).strip() if m else ""
    src.add("config-guess-no-aarch64", name=name, stamp=stamp, snippet=snippet)
