# SPDX-License-Identifier: Apache-2.0
"""The JNI pass: Java native libraries as the runtime finds them. A library the tree
bundles for Linux/aarch64 (in a resource folder or a JAR), one its Maven/Gradle build
produces for linux-aarch_64, or one built from the tree's own JNI C needs no Arm64 build
from elsewhere."""

from __future__ import annotations

import bisect
import posixpath
from dataclasses import replace

from porting_advisor.core import lazy_re
from porting_advisor.core.facts import (
    Arch,
    ArmClassifier,
    BinaryFile,
    JniClass,
    JniFunctions,
    NativeBuilds,
)
from porting_advisor.core.model import Finding
from porting_advisor.passes.context import Pass, PassContext

RULE = "java-native-library"
NATIVE_SUFFIX = lazy_re.compile(r"\.(?:so(?:\.\d+)*|dll|dylib|jnilib)$")


def library_name(name: str) -> str:
    """`libzstd-jni-1.5.so` and `zstd-jni-1.5` alike: lower case, no `lib`, no suffix."""
    base = posixpath.basename(name.replace("\\", "/")).lower()
    return NATIVE_SUFFIX.sub("", base).removeprefix("lib")


def same_library(path: str, loaded: str) -> bool:
    """Is the native at `path` the library `System.loadLibrary(loaded)` asks for (or a
    versioned or platform-suffixed build of it: `libx-1.2.so`, `libx_linux_aarch_64.so`)?"""
    have, want = library_name(path), library_name(loaded)
    return have == want or (have.startswith(want) and have[len(want)] in "-_.")


def java_natives(ctx: PassContext) -> list[Finding]:
    """Each `java-native-library` finding, filtered (with the reason) when Linux/aarch64 has
    a build of its library in the tree; native methods whose JNI functions the tree's C
    implements are dropped."""
    arm64 = sorted(
        [
            r.file
            for r in ctx.results
            for f in r.facts
            if isinstance(f, BinaryFile) and f.arch is Arch.ARM64 and f.kind.startswith("ELF")
        ]
        + [m for r in ctx.results for f in r.facts if isinstance(f, NativeBuilds) for m in f.arm64]
    )
    classifier = next(
        (
            f"{r.file} ({f.name})"
            for r in ctx.results
            for f in r.facts
            if isinstance(f, ArmClassifier)
        ),
        "",
    )
    symbols = sorted(
        s for r in ctx.results for f in r.facts if isinstance(f, JniFunctions) for s in f.names
    )
    built = implemented(ctx, symbols)
    out = []
    for f in ctx.findings:
        if f.rule != RULE or f.filtered:
            out.append(f)
            continue
        if f.key == "native method" and f.file in built:
            continue  # building the tree for Arm64 builds them
        reason = why_built(f, arm64, classifier, symbols)
        out.append(replace(f, filtered=True, filtered_reason=reason) if reason else f)
    return out


def why_built(f: Finding, arm64: list[str], classifier: str, symbols: list[str]) -> str:
    """Why Linux/aarch64 has the library of a finding, or ""."""
    if f.key != "native method":
        match = next((p for p in arm64 if same_library(p, f.key)), None)
        if match:
            return f"the tree bundles a Linux/aarch64 build of it ({match})"
    elif arm64:
        return f"the tree bundles Linux/aarch64 builds of its native libraries ({arm64[0]})"
    if classifier:
        return f"its build produces natives for Linux/aarch64: {classifier}"
    if "JNI_OnLoad" in symbols:
        return "the tree's own C registers JNI methods (JNI_OnLoad): built with the tree"
    if "RegisterNatives" in symbols:
        return "the tree's own Cython module registers JNI methods: built with the tree"
    if symbols and f.key != "native method":
        return "the tree's own C implements JNI functions: the library is built with the tree"
    return ""


def implemented(ctx: PassContext, symbols: list[str]) -> set[str]:
    """The Java files whose native methods the tree's C implements (`Java_org_pkg_Class_...`
    functions: libjpeg-turbo's turbojpeg-jni.c)."""
    built = set()
    for r in ctx.results:
        for fact in r.facts:
            if isinstance(fact, JniClass):
                at = bisect.bisect_left(symbols, fact.prefix)
                if at < len(symbols) and symbols[at].startswith(fact.prefix):
                    built.add(r.file)
    return built


def loads_natives(ctx: PassContext) -> bool:
    """Java code in the tree needs a native library."""
    return any(f.rule == RULE for f in ctx.findings)


PASS = Pass("jni", loads_natives, java_natives)
