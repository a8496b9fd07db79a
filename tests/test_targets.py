# SPDX-License-Identifier: Apache-2.0
"""The Arm targets of other clouds: SVE/SVE2 availability per target, their ISA facts, and the
instance-type advice for Google Cloud and Azure."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES, ROOT
from porting_advisor.gate.settings import TARGETS

SVE2 = FIXTURES / "c" / "sve2-ampere-altra" / "sve2_unavailable.c"


@pytest.mark.parametrize(
    ("target", "count"),
    [("axion", 0), ("cobalt100", 0), ("graviton4", 0), ("ampere-altra", 11), ("ampereone", 11)],
)
def test_sve_and_sve2_intrinsics_per_target(run_cli, target, count):
    data = run_cli(SVE2, "--target", target, "--format", "json", "--no-cache").json()
    assert data["target"] == target
    assert len(data["findings"]) == count
    assert {f["rule"] for f in data["findings"]} <= {"c-sve-unavailable"}
    if count:  # sveor3 (SVE2) on line 17, with the three loads inside it
        line17 = [f["column"] for f in data["findings"] if f["line"] == 17]
        assert line17 == [24, 35, 57, 79]


def test_profiles_agree_with_the_facts(run_cli):
    profiles = json.loads((ROOT / "rules" / "generated" / "target-profiles.json").read_text())
    assert sorted(profiles["linux"]) == sorted(TARGETS)
    for name, profile in profiles["linux"].items():
        facts, macros = profile["features"], profile["macros"]
        assert ("__ARM_FEATURE_SVE" in macros) == (facts["sve"] != "none"), name
        assert ("__ARM_FEATURE_SVE2" in macros) == (facts["sve"] == "SVE2"), name
        assert ("__ARM_FEATURE_ATOMICS" in macros) == facts["lse"], name
        assert facts["source"], name
    out = run_cli("--list-targets").out.splitlines()
    assert [line.split()[0] for line in out] == list(TARGETS)
    axion = next(line for line in out if line.startswith("axion "))
    assert "Neoverse V2, armv9.0-a, SVE2 128-bit" in axion and "-mcpu=neoverse-v2" in axion
    altra = next(line for line in out if line.startswith("ampere-altra "))
    assert "no SVE" in altra and "-mcpu=neoverse-n1 (GCC 9+)" in altra


def test_unknown_target_is_usage_error(run_cli):
    res = run_cli(ROOT / "sample-projects", "--target", "graviton9")
    assert res.code == 2 and "graviton9" in res.err


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (
            "axion",
            {
                (3, 19): ("n2-standard-8", "n4a-standard-8", "Google Axion"),
                (8, 33): ("c3-highcpu-22", "c4a-highcpu-22", "Google Axion"),
                (18, 11): ("Standard_D8s_v5", "Standard_D8ps_v6", "Azure Cobalt 100"),
                (23, 34): ("Standard_E16ads_v5", "Standard_E16pds_v6", "Azure Cobalt 100"),
            },
        ),
        (
            "ampere-altra",
            {
                (3, 19): ("n2-standard-8", "t2a-standard-8", "Ampere Altra"),
                (8, 33): ("c3-highcpu-22", "t2a-highcpu-22", "Ampere Altra"),
                (18, 11): ("Standard_D8s_v5", "Standard_D8ps_v5", "Ampere Altra"),
                (23, 34): ("Standard_E16ads_v5", "Standard_E16pds_v5", "Ampere Altra"),
            },
        ),
    ],
)
def test_google_cloud_and_azure_machine_types(run_cli, target, expected):
    tf = FIXTURES / "deploy" / "terraform-gcp-azure"
    data = run_cli(tf, "--target", target, "--format", "json", "--no-cache").json()
    got = {
        (f["line"], f["column"]): f
        for f in data["findings"]
        if f["rule"] == "deploy-x86-instance-type"
    }
    assert set(got) == set(expected)
    for where, (x86, arm, cpu) in expected.items():
        f = got[where]
        assert f["message"] == f"x86 instance type `{x86}`"
        assert f"`{arm}` ({cpu}," in f["suggestion"]


def test_ec2_advice_for_another_clouds_target_names_graviton(run_cli):
    tf = FIXTURES / "deploy" / "terraform" / "main.tf"
    data = run_cli(tf, "--target", "cobalt100", "--format", "json", "--no-cache").json()
    f = next(f for f in data["findings"] if f["rule"] == "deploy-x86-instance-type")
    assert "`c8g.2xlarge` (same category, graviton4)" in f["suggestion"]
