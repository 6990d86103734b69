"""The phone page in a real browser: headless Chromium driven by Selenium plays the phone.

Each test does what a phone's camera app does: the desktop's poller (``FlowDriver.run_poll``) starts a
QR, the QR the app renders for the phone-page payload template is decoded with zxing-cpp, and Chromium
opens the URL it holds. The sandbox runs in explicit-consent mode on 127.0.0.1, so the poller sees
"scanned, confirm on your phone" until the page decides.

Skipped (with the reason) without Debian's ``chromium`` and ``chromium-driver`` or the ``selenium``
package, unless QRLOGIN_REQUIRE_BROWSER=1 (CI), which turns the skip into a failure. Selenium is given
/usr/bin/chromedriver so Selenium Manager never tries to download a driver; the network is loopback only.
"""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Iterator

import pytest
import zxingcpp
from browser_support import chromium, require_browser
from PIL import Image
from support import APP_KEY, TEST_TOKEN

from qrlogin_desktop.api.client import QrLoginClient
from qrlogin_desktop.flow.driver import FlowDriver, FlowResult
from qrlogin_desktop.flow.machine import State, Transition
from qrlogin_desktop.flow.policy import PollPolicy
from qrlogin_desktop.flow.qr import PHONE_PAGE_PAYLOAD_TEMPLATE, render_payload, to_png
from qrlogin_desktop.sandbox import Sandbox, SandboxConfig, SandboxThread
from qrlogin_desktop.sandbox.sessions import SessionState

WAIT = 15.0  # s for any one thing to show in the page: generous, the machine is shared

pytestmark = [pytest.mark.loopback, pytest.mark.timeout(90)]


require_browser()

from selenium import webdriver  # noqa: E402 - only once the skip above is decided
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator:
    with chromium(tmp_path_factory.mktemp("chromium-profile"), page_load_timeout=WAIT, extra_flags=("--disable-quic",),
                  prefs={"intl.accept_languages": "en-US,en"}) as driver:
        yield driver


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxThread]:
    running = SandboxThread(Sandbox(SandboxConfig(app_key=APP_KEY, token=TEST_TOKEN, explicit_consent=True)),
                            host="127.0.0.1").start()
    try:
        yield running
    finally:
        running.stop()


class Desktop:
    """The desktop's poller on its own thread and event loop (Selenium blocks), started with run_poll."""

    def __init__(self, url: str, remark: str = ""):
        from qrlogin_desktop.api.models import QRCodePreSignInRequest

        self.url = url
        self.request = QRCodePreSignInRequest(scopes="userinfo,phone", remark=remark or None)
        self.key: int | None = None
        self.states: list[State] = []
        self.started = threading.Event()
        self.result: FlowResult | None = None
        self.thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)
        self.thread.start()
        assert self.started.wait(WAIT), "the poller did not get a QR"

    async def _run(self) -> None:
        async with QrLoginClient(self.url, APP_KEY, TEST_TOKEN, timeout=5) as client:
            driver = FlowDriver(client, policy=PollPolicy(session_ttl=60), initiate=self.request)

            def seen(t: Transition) -> None:
                self.states.append(t.target)
                if t.target is State.WAITING_FOR_SCAN:
                    self.key = int(t.detail["signInKey"])  # type: ignore[call-overload]
                    self.started.set()

            driver.add_listener(seen)
            self.result = await driver.run_poll()

    def qr_url(self) -> str:
        """What a phone's camera reads from the QR the app draws for the phone-page template."""
        assert self.key is not None
        payload = render_payload(PHONE_PAGE_PAYLOAD_TEMPLATE, sign_in_key=self.key, app_key=APP_KEY, server=self.url)
        codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(to_png(payload))).convert("L"),
                                       formats=zxingcpp.BarcodeFormat.QRCode, text_mode=zxingcpp.TextMode.Plain)
        assert len(codes) == 1
        return codes[0].text

    def wait_for(self, state: State) -> None:
        deadline = WAIT
        while state not in self.states and deadline > 0:
            threading.Event().wait(0.05)
            deadline -= 0.05
        assert state in self.states, f"the poller never reached {state.name}: {self.states}"

    def finish(self) -> FlowResult:
        self.thread.join(WAIT)
        assert self.result is not None, "the poller did not finish"
        return self.result


def outcome(browser: webdriver.Chrome, expected: str) -> None:
    WebDriverWait(browser, WAIT).until(lambda b: b.find_element(By.TAG_NAME, "body").get_attribute("data-outcome")
                                       in (expected, "error"))
    body = browser.find_element(By.TAG_NAME, "body")
    assert body.get_attribute("data-outcome") == expected, browser.find_element(By.ID, "status").text


def test_confirm_on_the_page_signs_the_desktop_in(browser, sandbox):
    remark = '<img src=x onerror="document.title=1">桌面登录'
    desktop = Desktop(sandbox.url, remark=remark)
    url = desktop.qr_url()
    assert url == f"{sandbox.url}/phone?appKey={APP_KEY}&signInKey={desktop.key}"
    browser.get(url)
    outcome(browser, "scanned")
    # The app info as a phone shows it; the remark (Initiate's input) as text, never as markup.
    assert browser.find_element(By.ID, "app-name").text == sandbox.sandbox.config.app_name
    assert browser.find_element(By.ID, "app-remark").text == remark
    assert not browser.find_elements(By.CSS_SELECTOR, "#app-remark img")
    assert [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#app-scopes li")] == ["userinfo", "phone"]
    assert browser.execute_script("return document.getElementById('app-logo').naturalWidth") == 96
    assert browser.find_element(By.ID, "confirm").text == "Confirm login"
    browser.find_element(By.ID, "lang-switch").click()  # the page's own language switch
    assert browser.find_element(By.ID, "confirm").text == "确认登录"
    desktop.wait_for(State.SCANNED)  # the desktop shows "scanned, confirm on your phone" meanwhile
    assert sandbox.sandbox.sessions.get(desktop.key).state is SessionState.SCANNED
    browser.find_element(By.ID, "confirm").click()
    outcome(browser, "confirmed")
    result = desktop.finish()
    assert result.state is State.AUTHENTICATED and result.token is not None
    assert desktop.states.index(State.SCANNED) < desktop.states.index(State.AUTHENTICATED)


def test_register_through_the_form(browser, sandbox):
    desktop = Desktop(sandbox.url)
    browser.get(desktop.qr_url())
    outcome(browser, "scanned")
    browser.find_element(By.ID, "register-open").click()
    nick = browser.find_element(By.ID, "field-nickName")
    nick.send_keys("abc")  # 3 characters: the browser itself refuses it (minlength from the rule)
    browser.find_element(By.ID, "register-submit").click()
    assert browser.execute_script("return document.getElementById('field-nickName').validity.tooShort")
    assert sandbox.sandbox.sessions.get(desktop.key).state is SessionState.SCANNED  # nothing was sent
    # Without the browser's check the sandbox's 400 names the field, shown next to it.
    browser.execute_script("document.getElementById('field-nickName').removeAttribute('minlength')")
    browser.find_element(By.ID, "register-submit").click()
    outcome(browser, "register-refused")
    assert "4 to 32 characters" in browser.find_element(By.ID, "error-nickName").text
    nick.clear()
    nick.send_keys("浏览器用户")
    browser.find_element(By.ID, "field-phone").send_keys("13800138000")
    union_id = browser.find_element(By.ID, "field-unionID").get_attribute("value")
    browser.find_element(By.ID, "register-submit").click()
    outcome(browser, "registered")
    result = desktop.finish()
    assert result.state is State.AUTHENTICATED
    assert sandbox.sandbox.users.by_union(union_id).nick_name == "浏览器用户"


def test_decline_ends_the_desktop_declined(browser, sandbox):
    desktop = Desktop(sandbox.url)
    browser.get(desktop.qr_url())
    outcome(browser, "scanned")
    desktop.wait_for(State.SCANNED)
    browser.find_element(By.ID, "decline").click()
    outcome(browser, "declined")
    result = desktop.finish()
    assert result.state is State.FAILED and result.declined
    assert result.token is None
