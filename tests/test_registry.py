# SPDX-License-Identifier: Apache-2.0
"""The language registry agrees with rules/languages.yaml, and every scanner in it loads."""

from __future__ import annotations

from porting_advisor.core import ruleset
from porting_advisor.engine import registry, walk


def test_languages_yaml_marks_analysed_exactly_what_the_registry_scans():
    raw = ruleset.load_table("languages.yaml")
    named = {*raw["names"].values(), *raw["extensions"].values(), *raw["shebangs"].values()}
    assert set(raw["analysed"]) == registry.ANALYSED
    # every scanned language is one the walk gives files (docker and manifest also by
    # file-name pattern: Dockerfile.dev, requirements-dev.txt)
    assert named >= registry.ANALYSED
    assert walk.language_of("Dockerfile.dev") == "docker"
    assert walk.language_of("requirements-dev.txt") == "manifest"


def test_every_analysed_text_language_has_scanners_that_load():
    for language in registry.LANGUAGES:
        scanners = registry.scanners_for(language)
        assert scanners and all(callable(s) for s in scanners), language
    assert [s.__module__ for s in registry.scanners_for("python", setup_py=True)] == [
        "porting_advisor.scanners.build",
        "porting_advisor.scanners.deps.manifests",
        "porting_advisor.scanners.java_python",
    ]
    assert registry.scanners_for("kotlin") == () and not registry.analysed("kotlin")
    assert registry.scanners_for(registry.BINARY) == () and registry.analysed("binary")
