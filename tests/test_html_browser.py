# SPDX-License-Identifier: Apache-2.0
"""The HTML report as a user sees it, in headless Chromium (Debian's chromium and
chromium-driver; `.ci/run` installs them). Skipped, with the reason, where they are absent."""

from __future__ import annotations

import shutil
import time

import pytest

from conftest import ROOT, scan
from porting_advisor import report
from porting_advisor.core.model import Finding, Severity
from porting_advisor.engine import pipeline

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER), reason="Debian's chromium and chromium-driver are not installed"
)


@pytest.fixture(scope="module")
def browser():
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    opts = Options()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1300,2000",
    ):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    yield driver
    driver.quit()


def visible_rows(driver) -> int:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('tr.finding')).filter(r => !r.hidden).length"
    )


def test_report_in_chromium(browser, rules, tmp_path):
    result = scan(ROOT / "sample-projects", rules)
    pipeline.attach_context(result, ROOT / "sample-projects", result.findings)
    page = tmp_path / "report.html"
    page.write_text(report.render("html", result, rules))
    browser.get(page.as_uri())
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    total = len(result.findings)
    assert visible_rows(browser) == total
    from selenium.webdriver.support.ui import Select

    sev = Select(browser.find_element("id", "sev"))
    sev.select_by_value("warning")
    warnings = sum(1 for f in result.findings if f.severity == Severity.WARNING)
    assert visible_rows(browser) == warnings < total
    sev.select_by_value("")
    assert visible_rows(browser) == total
    box = browser.find_element("id", "q")
    box.send_keys("hash.c")
    time.sleep(0.4)  # the text filter waits for typing to pause
    assert visible_rows(browser) == sum(1 for f in result.findings if "hash.c" in f.file)
    first = [r for r in browser.find_elements("css selector", "tr.finding") if r.is_displayed()][0]
    first.click()
    detail = browser.execute_script(
        "return document.querySelector('tr.finding:not([hidden])').nextElementSibling.hidden"
    )
    assert detail is False
    assert "crc = ~crc" in browser.page_source  # the context lines around the finding
    browser.save_screenshot(str(tmp_path / "report.png"))
    assert (tmp_path / "report.png").stat().st_size > 10_000


def test_ten_thousand_findings_stay_usable(browser, rules, tmp_path):
    base = scan(ROOT / "sample-projects" / "c-simd-engine", rules)
    template = base.findings[0]
    many = [
        Finding(
            file=f"src/gen/f{i // 20}.c",
            line=i % 500 + 1,
            column=3,
            rule="c-x86-intrinsic",
            category="intrinsic",
            severity=Severity.ERROR,
            message=f"x86 intrinsic `_mm_add_ps` ({i})",
            suggestion="`vaddq_f32`",
            snippet="x = _mm_add_ps(a, b);",
            language="c",
            key="_mm_add_ps",
        )
        for i in range(10_000)
    ]
    base.findings = sorted(many + [template])
    page = tmp_path / "big.html"
    page.write_text(report.render("html", base, rules))
    start = time.perf_counter()
    browser.get(page.as_uri())
    loaded = time.perf_counter() - start
    assert visible_rows(browser) == 10_000  # the page lists HTML_FINDINGS of 10,001
    notice = browser.find_element("css selector", "#findings .notice").text
    assert notice.startswith("The 10,000 most severe of 10,001 findings are listed here")
    start = time.perf_counter()
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element("id", "sev")).select_by_value("warning")
    assert visible_rows(browser) == 0
    filtered = time.perf_counter() - start
    assert loaded < 10 and filtered < 5, (loaded, filtered)  # generous: CI machines vary


def test_portfolio_in_chromium(browser, rules, tmp_path):
    """`merge` of one report per sample-projects/* directory: the page loads without console
    errors, lists every repository, and its verdict filter and search work."""
    from porting_advisor import cli

    reports = []
    for d in sorted((ROOT / "sample-projects").iterdir()):
        if d.is_dir():
            path = tmp_path / f"{d.name}.json"
            assert cli.main([str(d), "--no-cache", "-q", "--output", str(path)]) == 0
            reports.append(str(path))
    page = tmp_path / "portfolio.html"
    assert cli.main(["merge", *reports, "--output", str(page)]) == 0
    browser.get(page.as_uri())
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []

    def shown() -> int:
        return browser.execute_script(
            "return Array.from(document.querySelectorAll('tr.repo')).filter(r => !r.hidden).length"
        )

    assert shown() == 7
    from selenium.webdriver.support.ui import Select

    verdict = Select(browser.find_element("id", "verdict"))
    verdict.select_by_value("significant")
    assert shown() == 2
    verdict.select_by_value("")
    browser.find_element("id", "q").send_keys("leveldbjni")
    assert shown() == 1
    common = browser.find_elements("css selector", "#common-blockers tbody tr")
    assert common and common[0].text.startswith("build-x86-isa-flag -mavx2 3")
