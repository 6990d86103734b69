"""The sandbox's phone page and explicit-consent mode, in-process over ASGI (no browser: see
tests/sandbox/test_phone_browser.py for the page driven by a real Chromium).

Covered: the consent lifecycle as the desktop's Confirm-Login sees it (202 until the phone decides, the
token after Confirm, 403 after Decline), the poller's declined outcome, the page's escaping and
security headers, form constraints rendered from the catalogue's rules, the helper routes' checks
(same violations as the API, a body cap, JSON only), language choice, the CLI flag, the profile option
and the phone-page payload preset.
"""

from __future__ import annotations

import asyncio
import html
import json
import re

import httpx
import pytest
from support import APP_KEY, TEST_TOKEN, FakeClock, asgi_client

from qrlogin_desktop.api import catalogue
from qrlogin_desktop.api.errors import ApiError
from qrlogin_desktop.api.models import QRCodePreSignInRequest
from qrlogin_desktop.cli.login import EXIT_REJECTED, exit_code_for
from qrlogin_desktop.flow.driver import Declined, FlowDriver
from qrlogin_desktop.flow.machine import State
from qrlogin_desktop.flow.policy import DEFAULT_CODES, Action, PollPolicy
from qrlogin_desktop.flow.qr import PHONE_PAGE_PAYLOAD_TEMPLATE, check_payload_template, render_payload
from qrlogin_desktop.sandbox import Sandbox, SandboxConfig
from qrlogin_desktop.sandbox.phone import choose_language, input_attributes
from qrlogin_desktop.sandbox.sessions import SessionState

FAST = PollPolicy(min_interval=0.01, idle_interval=0.02, session_ttl=10)


def make_sandbox(**config) -> Sandbox:
    config.setdefault("token", TEST_TOKEN)
    config.setdefault("explicit_consent", True)
    config.setdefault("consent_hold", 0.0)  # answered at once; the hold has tests of its own
    return Sandbox(SandboxConfig(app_key=config.pop("app_key", APP_KEY), **config))


def browser(sandbox: Sandbox) -> httpx.AsyncClient:
    """What the page's script is: no bearer, same origin."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox.app), base_url="http://127.0.0.1:8000")


async def phone_call(page: httpx.AsyncClient, action: str, key: int | str, **extra) -> dict:
    answer = await page.post(f"/phone/{action}", json={"appKey": APP_KEY, "signInKey": str(key), **extra})
    return answer.json()


async def initiate(client, **request) -> int:
    return await client.initiate(QRCodePreSignInRequest(**request))


async def test_explicit_consent_answers_202_until_the_phone_confirms():
    sandbox = make_sandbox()
    async with asgi_client(sandbox) as desktop, browser(sandbox) as page:
        key = await initiate(desktop)
        assert (await phone_call(page, "scan", key))["code"] == 200
        for _ in range(3):  # the desktop keeps polling: "scanned, confirm on your phone"
            with pytest.raises(ApiError) as caught:
                await desktop.confirm_login(key)
            assert caught.value.code == 202 and "confirm on your phone" in caught.value.error
        assert await phone_call(page, "confirm", key) == {"code": 200, "data": {"state": "confirmed"}, "error": ""}
        token = await desktop.confirm_login(key)
        assert token.access_token
        assert sandbox.sessions.get(key).state is SessionState.DELIVERED
        # A second tap after the desktop has its token is still a success for the phone.
        assert (await phone_call(page, "confirm", key))["data"] == {"state": "delivered"}


async def test_decline_answers_403_and_a_declined_session_never_turns_expired():
    clock = FakeClock()
    sandbox = make_sandbox(clock=clock, session_ttl=30)
    async with asgi_client(sandbox) as desktop, browser(sandbox) as page:
        key = await initiate(desktop)
        await phone_call(page, "scan", key)
        assert (await phone_call(page, "decline", key))["data"] == {"state": "declined"}
        clock.advance(60)  # past the TTL: the desktop still learns the decision, not "expired"
        with pytest.raises(ApiError) as caught:
            await desktop.confirm_login(key)
        assert caught.value.code == 403 and "declined" in caught.value.error
        assert (await phone_call(page, "confirm", key))["code"] == 403  # no change of mind after a decline


async def test_decline_is_too_late_once_the_desktop_has_the_token():
    sandbox = make_sandbox(explicit_consent=False)  # the default: the scan is the consent
    async with asgi_client(sandbox) as desktop, browser(sandbox) as page:
        key = await initiate(desktop)
        await phone_call(page, "scan", key)
        assert (await desktop.confirm_login(key)).access_token  # no 202 in the default mode
        answer = await phone_call(page, "decline", key)
        assert answer["code"] == 409 and answer["data"] is None


async def test_register_through_the_page_hands_its_token_to_the_desktop():
    sandbox = make_sandbox(require_registration=True)
    async with asgi_client(sandbox) as desktop, browser(sandbox) as page:
        key = await initiate(desktop)
        await phone_call(page, "scan", key)
        confirm = await phone_call(page, "confirm", key)
        assert confirm["code"] == 202  # the page then shows the form
        registered = await phone_call(page, "register", key, unionID="o_page_user", nickName="页面用户01",
                                      phone="13800138000")
        assert registered["code"] == 200
        token = await desktop.confirm_login(key)
        assert token.access_token == registered["data"]["access_token"]


async def test_the_pages_register_violations_are_the_apis():
    sandbox = make_sandbox()
    form = {"unionID": "bad id!", "nickName": "abc", "phone": "123"}
    async with asgi_client(sandbox) as desktop, browser(sandbox) as page:
        key = await initiate(desktop)
        await phone_call(page, "scan", key)
        from_page = await phone_call(page, "register", key, **form)
        direct = await page.post(f"/Wechat/{APP_KEY}/QR-Auth/Confirm-Register", json={"signInKey": key, **form},
                                 headers={"Authorization": f"Bearer {TEST_TOKEN}"})
    assert from_page["code"] == 400
    assert from_page["violations"] == direct.json()["violations"]
    assert {v["field"] for v in from_page["violations"]} == {"unionID", "nickName", "phone"}


async def test_helper_routes_check_key_app_key_body_size_and_media_type():
    sandbox = make_sandbox(max_body_bytes=2048)
    async with browser(sandbox) as page:
        bad_key = await phone_call(page, "scan", "12x")
        assert bad_key["code"] == 400 and bad_key["violations"][0]["field"] == "signInKey"
        other = await page.post("/phone/scan", json={"appKey": "other", "signInKey": "5"})
        assert other.json()["code"] == 404 and "unknown appKey" in other.json()["error"]
        unknown = await phone_call(page, "confirm", 5)
        assert unknown["code"] == 404 and "unknown signInKey" in unknown["error"]
        no_app_key = await page.post("/phone/decline", json={"signInKey": "5"})
        assert no_app_key.json()["violations"][0]["field"] == "appKey"
        big = await page.post("/phone/register", json={"appKey": APP_KEY, "signInKey": "5", "data": "x" * 4000})
        assert big.status_code == 413
        form_post = await page.post("/phone/confirm", data={"appKey": APP_KEY, "signInKey": "5"})
        assert form_post.status_code == 415  # a cross-site HTML form cannot decide for the user
        not_object = await page.post("/phone/scan", json=[1])
        assert not_object.json()["code"] == 400


async def test_the_page_escapes_what_it_embeds_and_never_holds_the_bearer():
    hostile = 'a"</script><img src=x onerror=alert(1)>'
    sandbox = make_sandbox(app_key=hostile)
    async with asgi_client(sandbox, app_key=hostile) as desktop, browser(sandbox) as page:
        key = await initiate(desktop, remark="<b>remark</b>")
        answer = await page.get("/phone", params={"appKey": hostile, "signInKey": str(key)})
        assert answer.status_code == 200
        text = answer.text
        assert "<img src=x" not in text and "</script><img" not in text
        assert TEST_TOKEN not in text
        config = re.search(r'<script type="application/json" id="phone-config">(.*?)</script>', text, re.S)
        assert config is not None and json.loads(config[1])["appKey"] == hostile
        policy = answer.headers["content-security-policy"]
        nonce = re.search(r"'nonce-([^']+)'", policy)[1]
        assert "default-src 'none'" in policy and f'<script nonce="{nonce}">' in text
        assert answer.headers["referrer-policy"] == "no-referrer"
        # Fetching the page is not a scan: a link preview must not use the session up.
        assert sandbox.sessions.get(key).state is SessionState.WAITING
        # The error page escapes the reason it shows.
        wrong = await page.get("/phone", params={"appKey": "<i>x</i>", "signInKey": str(key)})
        assert wrong.status_code == 404 and "<i>" not in wrong.text and html.escape("<i>x</i>") in wrong.text
        broken = await page.get("/phone", params={"appKey": hostile, "signInKey": "<b>1"})
        assert broken.status_code == 400 and "<b>1" not in broken.text


async def test_form_constraints_come_from_the_contracts_rules():
    fields = {f.name: f for f in catalogue.endpoint("QRAuthConfirmRegister").body.fields}
    assert input_attributes(fields["nickName"]) == {"type": "text", "minlength": "4", "maxlength": "32"}
    assert input_attributes(fields["phone"]) == {"type": "text", "pattern": "(?:[0-9]{11})", "inputmode": "numeric"}
    union = input_attributes(fields["unionID"])
    assert union["required"] == "" and union["maxlength"] == "50" and union["pattern"] == r"(?:[A-Za-z0-9_\-]*)"
    sandbox = make_sandbox()
    async with browser(sandbox) as page:
        text = (await page.get("/phone", params={"appKey": APP_KEY, "signInKey": "5"})).text
    assert 'name="nickName" type="text" minlength="4" maxlength="32"' in text
    assert 'name="phone" type="text" inputmode="numeric" pattern="(?:[0-9]{11})"' in text
    # Every registration field but the key has its input: a new contract field shows up by itself.
    assert re.findall(r'<input id="field-(\w+)"', text) == [name for name in fields if name != "signInKey"]


@pytest.mark.parametrize(("header", "override", "expected"), [
    ("zh-CN,zh;q=0.9,en;q=0.8", None, "zh"),
    ("en-US,en;q=0.9,zh-CN;q=0.8", None, "en"),
    ("fr-FR,en;q=0.3,zh-TW;q=0.5", None, "zh"),
    ("de", None, "en"),
    ("", None, "en"),
    ("zh-CN", "en", "en"),
    ("en", "zh", "zh"),
    ("en", "xx", "en"),
])
def test_language_follows_accept_language(header, override, expected):
    assert choose_language(header, override) == expected


async def test_page_is_served_in_the_browsers_language():
    sandbox = make_sandbox()
    async with browser(sandbox) as page:
        zh = await page.get("/phone", params={"appKey": APP_KEY, "signInKey": "5"}, headers={"accept-language": "zh-CN"})
        en = await page.get("/phone", params={"appKey": APP_KEY, "signInKey": "5"}, headers={"accept-language": "en"})
    assert '<html lang="zh-CN">' in zh.text and "确认登录" in zh.text.split("<script")[0]
    assert '<html lang="en">' in en.text and "Confirm login" in en.text.split("<script")[0]


async def test_the_poller_ends_declined_after_the_phone_declines():
    sandbox = make_sandbox()
    async with asgi_client(sandbox) as desktop, browser(sandbox) as page:
        driver = FlowDriver(desktop, policy=FAST)
        key = await driver.start()
        poll = asyncio.create_task(driver.poll_until_done())
        await phone_call(page, "scan", key)
        while driver.state is not State.SCANNED:  # the 202s show as "scanned, confirm on your phone"
            await asyncio.sleep(0.01)
        await phone_call(page, "decline", key)
        result = await asyncio.wait_for(poll, 5)
    assert result.state is State.FAILED and result.declined and isinstance(result.error, Declined)
    assert driver.machine.history[-1].detail["reason"] == "declined"
    assert "declined" in str(result.error) and exit_code_for(result) == EXIT_REJECTED
    assert DEFAULT_CODES[403] is Action.DECLINED


def test_cli_flag_and_profile_option_turn_explicit_consent_on():
    from qrlogin_desktop.cli import build_parser
    from qrlogin_desktop.cli.sandbox import sandbox_config_from_args
    from qrlogin_desktop.flow.session import start_embedded_sandbox
    from qrlogin_desktop.storage.profiles import Profile

    flagged = sandbox_config_from_args(build_parser().parse_args(["sandbox", "--explicit-consent", "--consent-hold", "2"]))
    assert flagged.explicit_consent and flagged.consent_hold == 2.0
    assert not sandbox_config_from_args(build_parser().parse_args(["sandbox"])).explicit_consent
    profile = Profile("sbx", "", "demo", embedded_sandbox=True, sandbox_explicit_consent=True)
    assert Profile.from_json(profile.to_json()).sandbox_explicit_consent
    connection = start_embedded_sandbox(profile)
    try:
        assert connection.sandbox.sandbox.sessions.explicit_consent
    finally:
        connection.close()


def test_phone_page_payload_preset():
    check_payload_template(PHONE_PAGE_PAYLOAD_TEMPLATE)
    url = render_payload(PHONE_PAGE_PAYLOAD_TEMPLATE, sign_in_key=42, app_key="a&b", server="http://127.0.0.1:8000")
    assert url == "http://127.0.0.1:8000/phone?appKey=a%26b&signInKey=42"


async def held_poll(sandbox: Sandbox, desktop, page: httpx.AsyncClient) -> tuple[int, asyncio.Task]:
    """A scanned session and the desktop's Confirm-Login poll on it, once the sandbox holds that poll."""
    key = await initiate(desktop)
    await phone_call(page, "scan", key)
    poll = asyncio.create_task(desktop.confirm_login(key))
    while sandbox.consent.held == 0:
        await asyncio.sleep(0.005)
    return key, poll


async def test_a_held_poll_is_answered_the_moment_the_phone_confirms():
    sandbox = make_sandbox(consent_hold=30.0)
    async with asgi_client(sandbox) as desktop, browser(sandbox) as page:
        key, poll = await held_poll(sandbox, desktop, page)
        await phone_call(page, "confirm", key)
        token = await asyncio.wait_for(poll, 5)  # long before the 30 s hold: woken by the decision
        assert token.access_token and sandbox.consent.held == 0


async def test_a_held_poll_learns_a_decline_and_the_hold_is_bounded_in_time_and_count():
    sandbox = make_sandbox(consent_hold=30.0)
    sandbox.consent.limit = 1
    async with asgi_client(sandbox) as desktop, browser(sandbox) as page:
        key, first = await held_poll(sandbox, desktop, page)
        with pytest.raises(ApiError) as second:  # the limit is reached: answered at once, not held
            await asyncio.wait_for(desktop.confirm_login(key), 5)
        assert second.value.code == 202
        await phone_call(page, "decline", key)
        with pytest.raises(ApiError) as woken:
            await asyncio.wait_for(first, 5)
        assert woken.value.code == 403
    short = make_sandbox(consent_hold=0.2)
    async with asgi_client(short) as desktop, browser(short) as page:
        key = await initiate(desktop)
        await phone_call(page, "scan", key)
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(ApiError) as held:
            await asyncio.wait_for(desktop.confirm_login(key), 5)
        assert held.value.code == 202 and loop.time() - started >= 0.15  # held, then "not yet"
        assert short.consent.held == 0 and not short.consent._events  # nothing left behind


@pytest.mark.loopback
async def test_a_poll_abandoned_while_held_hands_out_nothing():
    """A poller that gives up on a held poll (its timeout) must not have the token sent into the closed
    connection when the phone confirms later: its next poll gets the token."""
    from qrlogin_desktop.api.client import QrLoginClient
    from qrlogin_desktop.api.errors import TransportError
    from qrlogin_desktop.sandbox import SandboxThread

    running = SandboxThread(make_sandbox(consent_hold=30.0), host="127.0.0.1").start()
    try:
        consent = running.sandbox.consent
        async with QrLoginClient(running.url, APP_KEY, TEST_TOKEN, timeout=0.5) as impatient, \
                QrLoginClient(running.url, APP_KEY, TEST_TOKEN, timeout=5) as desktop, \
                httpx.AsyncClient(base_url=running.url, timeout=5) as page:
            key = await initiate(desktop)
            await phone_call(page, "scan", key)
            with pytest.raises(TransportError):
                await impatient.confirm_login(key)
            for _ in range(500):  # the sandbox notices the hang-up and lets the poll go
                if consent.held == 0:
                    break
                await asyncio.sleep(0.01)
            assert consent.held == 0
            await phone_call(page, "confirm", key)
            token = await desktop.confirm_login(key)
        assert token.access_token
    finally:
        running.stop()
