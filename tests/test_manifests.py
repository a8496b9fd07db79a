# SPDX-License-Identifier: Apache-2.0
"""Manifest parsers, version ordering and the knowledge data."""

from __future__ import annotations

import csv
import re

import pytest
from packaging.utils import canonicalize_name

from conftest import scan
from porting_advisor.core import ruleset
from porting_advisor.scanners.deps import gomod, maven, python, versions


@pytest.mark.parametrize(
    "line, name, version, spec",
    [
        ("numpy==1.15.4", "numpy", "1.15.4", "==1.15.4"),
        ("NumPy >= 1.10, <2", "numpy", "", "<2,>=1.10"),
        ("requests[socks]==2.31.0 ; python_version >= '3.8'", "requests", "2.31.0", "==2.31.0"),
        ("lxml==4.9.3 --hash=sha256:abc", "lxml", "4.9.3", "==4.9.3"),
        ("pkg @ https://example.com/pkg-1.0.tar.gz", "pkg", "", ""),
        ("-r other.txt", None, None, None),
        ("# numpy==1.0", None, None, None),
    ],
)
def test_requirement_lines(line, name, version, spec):
    dep = python.pep508(line, 1)
    if name is None:
        assert dep is None
    else:
        assert (dep.name, dep.version, dep.specifier) == (name, version, spec)


@pytest.mark.parametrize(
    "poetry, pep440",
    [
        ("^1.2.3", ">=1.2.3,<2"),
        ("^0.4", ">=0.4,<0.5"),
        ("~1.2", ">=1.2,<1.3"),
        ("1.2.3", "==1.2.3"),
        (">=1,<2", ">=1,<2"),
        ("*", ""),
    ],
)
def test_poetry_constraints(poetry, pep440):
    assert python.poetry_spec(poetry) == pep440


@pytest.mark.parametrize(
    "eco, version, minimum, is_older",
    [
        ("pypi", "1.15.4", "1.19.0", True),
        ("pypi", "2.0", "1.19.0", False),
        ("maven", "4.1.49.Final", "4.1.50", True),
        ("maven", "4.1.50.Final", "4.1.50", False),
        ("maven", "1.1.4-SNAPSHOT", "1.1.4", True),
        ("maven", "1.1.10", "1.1.4", False),
        ("go", "v0.0.1", "0.0.2", True),
        ("go", "v0.0.2-0.20200101000000-abcdef", "0.0.2", True),
        ("go", "v1.0.0+incompatible", "0.0.2", False),
        ("pypi", "not-a-version", "1.0", None),
    ],
)
def test_versions(eco, version, minimum, is_older):
    assert versions.older(eco, version, minimum) is is_older


def test_gomod_replace_and_go_directive():
    go, line, deps = gomod.parse_gomod(
        "module m\n\ngo 1.13\n\nrequire (\n\ta.b/c v1.0.0 // indirect\n\td.e/f v0.1.0\n)\n"
        "require x.y/z v2.0.0\nreplace d.e/f => g.h/i v0.2.0\nreplace x.y/z => ../local\n"
    )
    assert (go, line) == ("1.13", 3)
    assert [(d.name, d.version, d.line) for d in deps] == [
        ("a.b/c", "v1.0.0", 6),
        ("g.h/i", "v0.2.0", 7),
    ]


def test_pom_properties_and_refused_doctype():
    deps = maven.parse_pom(
        "<project><properties><v>1.2</v></properties><dependencies><dependency>"
        "<groupId>g</groupId><artifactId>a</artifactId>\n<version>${v}</version>"
        "</dependency></dependencies></project>"
    )
    assert [(d.group, d.name, d.version, d.line) for d in deps] == [("g", "a", "1.2", 2)]
    with pytest.raises(ValueError):
        maven.parse_pom(
            '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><project>&lol;</project>'
        )


def test_malformed_manifests_are_remarks_not_crashes(tmp_path, rules):
    (tmp_path / "pom.xml").write_text("<project><dependencies>")
    (tmp_path / "pyproject.toml").write_text("[project\nname = ")
    (tmp_path / "Pipfile.lock").write_text("{not json")
    report = scan(tmp_path, rules)
    unreadable = {m.file for m in report.remarks if m.rule == "manifest-unreadable"}
    assert unreadable == {"pom.xml", "pyproject.toml", "Pipfile.lock"}
    assert report.skipped == [] and report.findings == []


def test_inventory_lists_every_dependency(tmp_path, rules):
    (tmp_path / "requirements.txt").write_text("numpy==1.15.4\nrequests\n")
    deps = scan(tmp_path, rules).dependencies
    assert [(d["name"], d["arm64"], d["line"]) for d in deps] == [
        ("numpy", "needs >= 1.19.0", 1),
        ("requests", "unknown", 2),
    ]


def test_knowledge_data_is_clean():
    path = ruleset.data_dir("rules") / "deps" / "arm64-packages.tsv"
    rows = list(csv.DictReader(path.open(), delimiter="\t"))
    assert rows and list(rows[0]) == [
        "ecosystem",
        "name",
        "min_version",
        "status",
        "note",
        "source",
        "x86_only_from",
        "x86_only_after",
        "arm64_before",
    ]
    statuses = ("min", "unsupported", "manual-build", "x86-only", "source-build", "portable")
    seen = set()
    for r in rows:
        assert r["ecosystem"] in ("pypi", "maven", "go", "npm")
        assert r["status"] in statuses, r
        if r["status"] == "min":
            assert r["min_version"], r
        if r["status"] in ("unsupported", "manual-build", "x86-only", "portable"):
            assert not r["min_version"], r
        if r["status"] not in ("portable", "min"):
            assert r["note"], r  # the alternative, or what a source build needs
        assert r["source"], r  # how the row was checked, or that it was not
        if r["ecosystem"] == "pypi":
            assert r["name"] == canonicalize_name(r["name"]), r
        if r["ecosystem"] == "maven":
            assert re.match(r"^[\w.*-]+:[\w.*-]+$", r["name"]), r
        key = (r["ecosystem"], r["name"])
        assert key not in seen, f"duplicate {key}"
        seen.add(key)


def test_nested_library_loaders_are_one_finding(rules):
    """`LoadLibrary(find_library("x"))` loads one library: one finding, named by the literal."""
    from conftest import ROOT, scan

    rep = scan(ROOT / "tests" / "fixtures" / "sources" / "python" / "native.py", rules)
    native = [(f.line, f.message) for f in rep.findings if f.rule == "python-native-library"]
    assert len(native) == 2 and native[1][0] == 18 and "`fastcodec`" in native[1][1]


def test_windows_dlls_count_only_when_windows_is_a_target(rules):
    """A vendor DLL matters on Windows on Arm64; Windows' own DLLs exist there."""
    from conftest import ROOT, scan

    path = ROOT / "tests" / "fixtures" / "sources" / "python" / "native.py"
    for target_os, lines in (("linux", [16, 18]), ("windows", [16, 18, 26]), ("all", [16, 18, 26])):
        rep = scan(path, rules, target_os=target_os)
        assert [f.line for f in rep.findings if f.rule == "python-native-library"] == lines


@pytest.mark.parametrize(
    "specifier, minimum, admits",
    [
        (">=1.26,<2", "1.19.0", True),
        ("<2,>=1.10", "1.5.3", True),
        ("<1.19,>=1.10", "1.19.0", False),
        ("~=1.15.0", "1.19.0", False),
        ("~=1.15", "1.19.0", True),
        ("==1.16.*", "1.19.0", False),
        ("==1.19.*", "1.19.0", True),
        (">1.19.0", "1.19.0", True),
        ("<1.19.0", "1.19.0", False),
        ("!=1.19.0", "1.19.0", True),
        ("===foo", "1.0", True),
    ],
)
def test_specifier_admits_a_ready_version(specifier, minimum, admits):
    from porting_advisor.scanners.deps import specs

    assert specs.admits_from(specifier, minimum) is admits


@pytest.mark.parametrize(
    "marker, scope",
    [
        ('platform_machine == "x86_64"', "x86-only"),
        ("platform_machine in 'x86_64 AMD64'", "x86-only"),
        ('sys_platform == "win32"', "not-installed"),
        ('python_version < "3.8"', "not-installed"),
        ('platform_machine != "x86_64"', ""),
        ('platform_machine == "aarch64"', ""),
        ('extra == "gpu"', ""),
        ("", ""),
    ],
)
def test_marker_scope_on_linux_arm64(marker, scope):
    from porting_advisor.scanners.deps import specs

    assert specs.marker_scope(marker) == scope
