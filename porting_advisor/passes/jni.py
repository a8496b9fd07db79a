# SPDX-License-Identifier: Apache-2.0
"""The JNI pass: Java native methods whose C functions the tree implements need no library
from elsewhere."""

from __future__ import annotations

import bisect

from porting_advisor.core.facts import JniClass, JniFunctions
from porting_advisor.core.model import Finding
from porting_advisor.passes.context import Pass, PassContext


def jni_in_tree(ctx: PassContext) -> list[Finding]:
    """A Java class's native methods need no Arm64 library from elsewhere when the tree
    implements their JNI functions itself (`Java_org_libjpegturbo_turbojpeg_TJ_...` in its
    C): building the tree for Arm64 builds them."""
    symbols = sorted(
        s for r in ctx.results for f in r.facts if isinstance(f, JniFunctions) for s in f.names
    )
    built = set()
    for r in ctx.results:
        for fact in r.facts:
            if not isinstance(fact, JniClass):
                continue
            at = bisect.bisect_left(symbols, fact.prefix)
            if at < len(symbols) and symbols[at].startswith(fact.prefix):
                built.add(r.file)
    return [
        f
        for f in ctx.findings
        if not (f.file in built and f.rule == "java-native-library" and f.key == "native method")
    ]


def implements_jni(ctx: PassContext) -> bool:
    """C/C++ files of the tree implement JNI functions."""
    return any(isinstance(f, JniFunctions) for r in ctx.results for f in r.facts)


PASS = Pass("jni", implements_jni, jni_in_tree)
