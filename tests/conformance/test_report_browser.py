"""The HTML report in the real browser (Debian's chromium, driven by Selenium as tests/sandbox/test_phone_browser.py
does): its title and counts, a failing row visible, and the filters hiding rows.

Skipped without chromium, chromium-driver or selenium, unless QRLOGIN_REQUIRE_BROWSER=1 (CI): then it fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import chromium, require_browser
from variants import loose_nickname, run_check, sandbox, served

from qrlogin_desktop.conformance import report_html
from qrlogin_desktop.conformance.model import Options, Verdict

FAILING = "rules.QRAuthConfirmRegister.nickName.33-characters-max-1"
SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
pytestmark = [pytest.mark.loopback, pytest.mark.timeout(120)]


require_browser()

from selenium.webdriver.common.by import By  # noqa: E402


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator:
    with chromium(tmp_path_factory.mktemp("chromium-profile"), page_load_timeout=15) as driver:
        yield driver


def test_the_report_opens_with_its_counts_and_the_failing_row_visible(browser, tmp_path):
    with served(loose_nickname(sandbox())) as url:
        report = run_check(url, options=Options())
    path = tmp_path / "report.html"
    path.write_text(report_html.render(report), encoding="utf-8")
    browser.set_window_size(1280, 900)
    browser.get(path.as_uri())
    passed, na = report.count(Verdict.PASS), report.count(Verdict.NOT_APPLICABLE)
    assert browser.title.startswith(f"Conformance check: 1 failed, {passed} passed, {na} n/a")
    assert browser.find_element(By.ID, "count-fail").text == "1"
    assert browser.find_element(By.ID, "count-pass").text == str(passed)
    row = browser.find_element(By.ID, FAILING)
    assert row.is_displayed() and "4 to 32 characters" in row.text and "长度必须在 4 到 32 个字符之间" in row.text
    assert row.find_element(By.TAG_NAME, "td").value_of_css_property("background-color") != browser.find_element(
        By.CSS_SELECTOR, "tr.pass td").value_of_css_property("background-color")
    exchanges = browser.find_element(By.CSS_SELECTOR, f'tr[id="{FAILING}"] + tr.more')
    assert exchanges.find_element(By.TAG_NAME, "pre").is_displayed()  # a failure's requests are unfolded
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", row)
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SHOTS / "check_report_html.png"))
    # Untick "pass": the passing rows go, the failing one stays, groups without failures fold away.
    browser.find_element(By.CSS_SELECTOR, 'input[data-filter="pass"]').click()
    visible = [r for r in browser.find_elements(By.CSS_SELECTOR, "tr[data-verdict]") if r.is_displayed()]
    assert {r.get_attribute("data-verdict") for r in visible} <= {"fail", "na"} and row in visible
    assert not browser.find_element(By.CSS_SELECTOR, 'section[data-group="auth"]').is_displayed()
