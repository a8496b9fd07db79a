# SPDX-License-Identifier: Apache-2.0
"""Lock files are the verdict where present (issue 20, issue 25's Node item): one finding per
dependency at the lock file's line of the resolved version, naming the manifest line that
asked for it; the manifest's own finding for it is filtered with the reason."""

from __future__ import annotations

import shutil

import pytest

from conftest import HERE, scan
from porting_advisor.scanners.deps import gomod, gradle, npm, python

LOCKS = HERE / "lockfiles"


def found(case: str, rules, **kw):
    report = scan(LOCKS / case, rules, no_filter=True, **kw)
    return [(f.file, f.line, f.rule, f.filtered, f.message) for f in report.findings]


def test_poetry_lock_resolves_the_range_and_lists_transitive_packages(rules):
    assert found("py", rules) == [
        (
            "poetry.lock",
            5,
            "dependency-too-old",
            False,
            "`numpy` 1.18.5 predates Arm64 support (first Arm64-ready version: 1.19.0); "
            "asked for by pyproject.toml line 7 `>=1.10`",
        ),
        (
            "poetry.lock",
            13,
            "dependency-source-build",
            False,
            "`psycopg2-binary` 2.8.6 has no Arm64 wheel: pip builds it from source on Arm64; "
            "transitive",
        ),
    ]


def test_without_the_lock_file_the_range_admits_a_good_version(tmp_path, rules):
    shutil.copy(LOCKS / "py" / "pyproject.toml", tmp_path)
    assert scan(tmp_path, rules, no_filter=True).findings == []


def test_package_lock_v1_nested_dependencies_count(rules):
    got = found("npm1", rules)
    assert [g[:4] for g in got] == [
        ("package-lock.json", 24, "node-native-addon", False),  # grpc, two levels down
        ("package-lock.json", 33, "node-native-addon", False),
        ("package.json", 6, "node-native-addon", True),
    ]
    assert (
        got[0][4] == "npm package `grpc` has no Arm64 build; transitive, pulled in by `legacy-rpc`"
    )
    assert got[1][4].endswith("; asked for by package.json line 6 `^4.14.1`")
    report = scan(LOCKS / "npm1", rules, no_filter=True)
    reasons = [f.filtered_reason for f in report.findings if f.filtered]
    assert reasons == ["package-lock.json line 33 resolves it to 4.14.1: the verdict is there"]
    # filtered by default: one finding per dependency
    assert [f.file for f in scan(LOCKS / "npm1", rules).findings] == ["package-lock.json"] * 2


def test_package_lock_v3_packages_and_platform_packages(rules):
    got = found("npm2", rules)
    assert [g[:4] for g in got] == [
        ("package-lock.json", 13, "node-native-addon", False),
        ("package-lock.json", 31, "node-native-addon", False),
    ]
    assert (
        "prebuilt package for linux-x64 (`turbo-x-linux-64`) and none for linux-arm64" in got[0][4]
    )
    assert got[1][4].endswith("transitive, pulled in by `turbo-x`")


def test_yarn_v1_lock(rules):
    got = found("yarn1", rules)
    # esbuild has both linux-64 and linux-arm64 platform packages: no finding
    assert [g[:4] for g in got] == [
        ("package.json", 4, "node-native-addon", True),
        ("yarn.lock", 29, "node-native-addon", False),
    ]
    assert got[1][4] == (
        "npm package `serialport` 7.1.5 predates its Arm64 builds (8.0.5); "
        "asked for by package.json line 4 `^7.1.5`"
    )


def test_yarn_berry_lock(rules):
    got = found("berry", rules)
    assert [g[:4] for g in got] == [
        ("yarn.lock", 16, "node-native-addon", False),
        ("yarn.lock", 27, "node-native-addon", False),
    ]
    assert "(`@fastcodec/linux-x64-gnu`) and none for linux-arm64" in got[0][4]


def test_pnpm_locks(rules):
    got = found("pnpm6", rules)
    assert [g[:4] for g in got] == [
        ("package.json", 3, "node-native-addon", True),
        ("pnpm-lock.yaml", 22, "node-native-addon", False),
        ("pnpm-lock.yaml", 29, "node-native-addon", False),
    ]
    assert got[2][4] == (
        "npm package `x86-helper` 1.0.0 declares `cpu` ['x64']: npm refuses to install it on "
        "arm64; transitive, pulled in by `phantomjs-prebuilt`"
    )
    # v9: an optional linux-x64 package beside a linux-arm64 one is fine
    assert found("pnpm9", rules) == []


def test_gradle_lockfile(rules):
    got = found("gradle", rules)
    assert [g[:4] for g in got] == [
        ("build.gradle", 2, "dependency-too-old", True),
        ("gradle.lockfile", 5, "dependency-too-old", False),
        ("gradle.lockfile", 6, "dependency-too-old", False),
    ]
    assert got[1][4].endswith("; transitive")
    assert got[2][4].endswith("; asked for by build.gradle line 2 `5.+`")


def test_go_mod_selects_go_sum_adds_unlisted_modules(rules):
    got = found("go", rules)
    assert [g[:4] for g in got] == [
        ("go.mod", 6, "dependency-too-old", False),
        ("go.sum", 1, "dependency-too-old", True),  # go.mod's selection is the verdict
        ("go.sum", 4, "dependency-too-old", False),  # v2.3.0 (v2.1.0 too, lower)
    ]


@pytest.mark.parametrize(
    "text, entries",
    [
        # the same name nested twice: each at its own key's version line
        (
            '{"lockfileVersion": 1, "dependencies": {\n"a": {\n"version": "1.0.0",\n'
            '"requires": {"b": "^2"},\n"dependencies": {\n"b": {\n"version": "2.0.0"}}},\n'
            '"b": {\n"version": "1.0.0"}}}',
            [("a", "1.0.0", 3, ""), ("b", "2.0.0", 7, "a"), ("b", "1.0.0", 9, "")],
        ),
        # v2 keeps a v1 `dependencies` copy: read once, from `packages`; links skipped
        (
            '{"lockfileVersion": 2, "packages": {"": {},\n"node_modules/a": {\n'
            '"version": "1.0.0"},\n"node_modules/w": {"link": true}},\n'
            '"dependencies": {"a": {"version": "1.0.0"}}}',
            [("a", "1.0.0", 3, "")],
        ),
    ],
)
def test_package_lock_entries(text, entries):
    assert [(e.name, e.version, e.line, e.via) for e in npm.package_lock(text)] == entries


def test_lock_parsers_give_resolved_version_lines():
    lock = (
        '[[package]]\nname = "lxml"\nversion = "4.9.3"\n\n[[package]]\nname = "x"\nversion = "1"\n'
    )
    assert [(d.name, d.line, d.resolved) for d in python.parse_lock_toml(lock)] == [
        ("lxml", 3, True),
        ("x", 7, True),
    ]
    pipfile = (
        '{"_meta": {"sources": [{"name": "pypi"}]},\n"default": {\n"lxml": {\n"hashes": [],\n'
        '"version": "==4.9.3"}}}'
    )
    assert [(d.name, d.version, d.line) for d in python.parse_pipfile_lock(pipfile)] == [
        ("lxml", "4.9.3", 5)
    ]
    hashed = "lxml==4.9.3 \\\n    --hash=sha256:abc\nnumpy>=1\n"
    assert [(d.name, d.resolved) for d in python.parse_requirements(hashed)] == [
        ("lxml", True),
        ("numpy", False),
    ]
    assert [(d.name, d.resolved) for d in python.parse_requirements("lxml==4.9.3\n")] == [
        ("lxml", False)
    ]
    assert [
        (d.group, d.name, d.version, d.line)
        for d in gradle.parse_lockfile(
            "# comment\na.b:c:1.0=runtimeClasspath\nempty=annotationProcessor\n"
        )
    ] == [("a.b", "c", "1.0", 2)]
    assert [
        (d.name, d.version)
        for d in gomod.parse_gosum("m v1.0.0 h1:x=\nm v1.2.0/go.mod h1:y=\nm v1.1.0 h1:z=\n")
    ] == [("m", "v1.1.0")]


def test_a_lock_file_alone_names_no_origin(tmp_path, rules):
    """Without a manifest beside it a lock file cannot tell direct from transitive."""
    shutil.copy(LOCKS / "py" / "poetry.lock", tmp_path)
    msgs = [f.message for f in scan(tmp_path, rules).findings]
    assert len(msgs) == 2 and not any("transitive" in m or "asked" in m for m in msgs)


def test_an_installed_packages_dev_setup_is_filtered(tmp_path, rules):
    """Under node_modules/, a package's own lock file and devDependencies are never installed;
    its dependencies are."""
    pkg = tmp_path / "node_modules" / "form-data"
    pkg.mkdir(parents=True)
    (pkg / "package.json").write_text(
        '{\n"dependencies": {\n"grpc": "^1.24.0"\n},\n'
        '"devDependencies": {\n"phantomjs-prebuilt": "^2.1.13"\n}\n}\n'
    )
    (pkg / "yarn.lock").write_text('node-sass@^4.0.0:\n  version "4.14.1"\n')
    report = scan(tmp_path, rules, no_filter=True)
    got = [(f.file, f.line, f.filtered, f.filtered_reason) for f in report.findings]
    assert got == [
        ("node_modules/form-data/package.json", 3, False, ""),
        (
            "node_modules/form-data/package.json",
            6,
            True,
            "a devDependency of a package under node_modules/: never installed",
        ),
        (
            "node_modules/form-data/yarn.lock",
            2,
            True,
            "a lock file inside node_modules/: installs never read it",
        ),
    ]


def test_lock_files_are_read_by_name(tmp_path, rules):
    from porting_advisor.engine import walk

    names = ("pdm.lock", "gradle.lockfile", "buildscript-gradle.lockfile", "go.sum")
    assert {walk.language_of(n) for n in names} == {"manifest"}
    assert {walk.language_of(n) for n in ("yarn.lock", "pnpm-lock.yaml")} == {"node"}
    (tmp_path / "pdm.lock").write_text('[[package]]\nname = "numpy"\nversion = "1.15.4"\n')
    assert [(f.file, f.line, f.rule) for f in scan(tmp_path, rules).findings] == [
        ("pdm.lock", 3, "dependency-too-old")
    ]
