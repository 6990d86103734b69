"""The generated endpoint panels against the real embedded sandbox (pytest-qt, offscreen).

Every non-QR endpoint is sent from its panel and the shown answer is checked; images are decoded
for real with zxing-cpp from the pixels on screen. Then: client-side validation, errors in place
with Retry, "Copy as cURL" without the credential, and a 5 MB answer shown completely.
"""

from __future__ import annotations

import base64
import json
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import httpx
import pytest
import zxingcpp
from PIL import Image
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QFileDialog, QLabel

from qrlogin_desktop.api import catalogue
from qrlogin_desktop.api.catalogue import Group
from qrlogin_desktop.api.client import QrLoginClient
from qrlogin_desktop.sandbox.wechat import aes_cbc_encrypt
from qrlogin_desktop.ui import i18n
from qrlogin_desktop.ui.display import plain
from qrlogin_desktop.ui.panels.endpoint import EndpointPanel

PANEL_ENDPOINTS = [e.id for e in catalogue.ENDPOINTS if e.group is not Group.QR_AUTH]
TIMEOUT_MS = 15_000


def sandbox_of(context):
    """The running Sandbox behind the context (same as tests/ui/conftest.py's helper)."""
    return context.connection.sandbox.sandbox


@contextmanager
def client_answering(ctx, payload: bytes) -> Iterator[None]:
    """``ctx.client`` swapped for one whose every call is answered ``payload`` (HTTP 200, JSON); the
    original client is closed afterwards."""
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=payload, headers={"content-type": "application/json"})

    original = ctx.client
    ctx.client = QrLoginClient("http://mock.test", "demo", "mock-token-123456", transport=httpx.MockTransport(handler))
    try:
        yield
    finally:
        ctx.run(original.aclose()).result(5)


def make_panel(qtbot, ctx, endpoint_id: str) -> EndpointPanel:
    panel = EndpointPanel(ctx, catalogue.endpoint(endpoint_id))
    qtbot.addWidget(panel)
    panel.resize(1100, 720)
    panel.show()
    return panel


def send_and_wait(qtbot, panel: EndpointPanel, button=None) -> None:
    with qtbot.waitSignal(panel.finished, timeout=TIMEOUT_MS):
        (button or panel.send_button).click()
    qtbot.waitUntil(lambda: not panel.response.loading, timeout=TIMEOUT_MS)


def shown_text(panel: EndpointPanel) -> str:
    return panel.response.json_view.toPlainText()


def call(ctx, endpoint_id: str, **kwargs):
    return ctx.run(ctx.client.call(endpoint_id, **kwargs)).result(10)


def decode_qr(image: QImage) -> list[str]:
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    pil = Image.frombuffer("L", (gray.width(), gray.height()), bytes(gray.constBits()), "raw", "L",
                           gray.bytesPerLine(), 1)
    found = zxingcpp.read_barcodes(pil, formats=zxingcpp.BarcodeFormat.QRCode, text_mode=zxingcpp.TextMode.Plain)
    return [b.text for b in found]


@pytest.fixture
def logged(ctx):
    exchanges: list = []
    ctx.exchange_logged.connect(exchanges.append)
    return exchanges


# --- 1. every panel, sent for real ----------------------------------------------------------------------


def _prepare(ctx, panel: EndpointPanel, endpoint_id: str):
    """Fill the panel with sensible inputs; return a check of the shown text (or the decoded QR)."""
    tag = uuid.uuid4().hex[:12]
    if endpoint_id == "JSCode2Session":
        panel.form.set_values({"js_code": f"code-{tag}"})
        return lambda text: '"openid"' in text and '"session_key": "***"' in text and '"unionid"' in text
    if endpoint_id == "Decrypt":
        session = json.loads(call(ctx, "JSCode2Session", query={"js_code": f"code-{tag}"}).value)
        iv = os.urandom(16)
        plaintext = json.dumps({"openId": session["openid"], "nickName": f"panel-{tag}",
                                "watermark": {"appid": "demo", "timestamp": 1767225600}})
        encrypted = aes_cbc_encrypt(plaintext, iv, base64.b64decode(session["session_key"]))
        panel.form.set_values({"encryptedData": encrypted, "iv": base64.b64encode(iv).decode(),
                               "sessionKey": session["session_key"]})
        return lambda text: f'"nickName": "panel-{tag}"' in text and '"watermark": {' in text
    if endpoint_id == "UserInfo":
        panel.form.set_values({"openid": f"o{tag}"})
        return lambda text: re.fullmatch(r'"u[0-9a-f]{27}"', text.strip()) is not None
    if endpoint_id == "JSConfig":
        panel.form.set_values({"url": f"https://example.com/page?t={tag}"})
        return lambda text: '"signature"' in text and '"jsApiList"' in text
    if endpoint_id == "WXACodeGet":
        path = f"pages/index/index?case={tag}"
        panel.editor.set_text(json.dumps({"path": path, "width": 430}))
        return path
    if endpoint_id == "WXACodeGetUnlimited":
        panel.editor.set_text(json.dumps({"scene": tag, "page": "pages/login/login", "width": 280}))
        return tag
    expected = {  # the catalogue's example bodies are sent unchanged
        "SubscribeSend": lambda text: re.fullmatch(r'"\d+"', text.strip()) is not None,  # a msgid
        "SubscribeMSG": lambda text: text.strip() == '"ok"',
        "UrlLinkGenerate": lambda text: text.strip().startswith('"https://wxaurl.cn/'),
        "GenerateScheme": lambda text: text.strip().startswith('"weixin://dl/business/?t='),
        "MsgSecCheck": lambda text: '"suggest": "pass"' in text and '"errcode": 0' in text,
    }
    return expected[endpoint_id]


@pytest.mark.parametrize("endpoint_id", PANEL_ENDPOINTS)
def test_every_panel_sends_and_shows_the_answer(qtbot, ctx, logged, tmp_path, endpoint_id):
    panel = make_panel(qtbot, ctx, endpoint_id)
    ep = panel.endpoint
    assert panel.title() == ep.name_en
    assert panel.method_label.text() == ep.method
    expect = _prepare(ctx, panel, endpoint_id)
    # The request bar shows where the request goes, as the client resolves it from the inputs.
    assert panel.url_field.text() == ctx.client.shown_url(ep, panel.form.values())
    assert panel.url_field.text().startswith(f"{ctx.client.base_url}{ep.url_path(ctx.client.app_key)}")
    send_and_wait(qtbot, panel)

    status = panel.response.status_text()
    assert "HTTP 200" in status, status
    assert not panel.banner.isVisible()
    qtbot.waitUntil(lambda: [e.endpoint for e in logged].count(ep.id) == 1, timeout=5000)
    if ep.result is catalogue.ResultKind.IMAGE:
        preview = panel.response.image_preview
        assert panel.response.pages.currentWidget() is preview
        assert "image/jpeg" in status  # WeChat's default format
        # Once: the preview below the status line gives the picture's pixel size only.
        assert (status + preview.info.text()).count("image/jpeg") == 1, (status, preview.info.text())
        assert re.fullmatch(r"\d+ × \d+ px", preview.info.text()), preview.info.text()
        shown = preview.canvas.grab().toImage()
        assert decode_qr(shown) == [expect]
        # Save image…: default name by endpoint and content type, the exact bytes on disk.
        target = tmp_path / "code.jpg"
        with mock.patch.object(QFileDialog, "getSaveFileName", return_value=(str(target), "")) as dialog:
            preview.save_button.click()
        assert dialog.call_args.args[2].endswith(".jpg") and ep.id in dialog.call_args.args[2]
        qtbot.waitUntil(target.exists, timeout=5000)
        qtbot.waitUntil(lambda: "Saved" in preview.message.text(), timeout=5000)
        assert target.read_bytes() == preview.result.data
    else:
        assert "code 200" in status, status
        text = shown_text(panel)
        assert expect(text), text


def test_secrets_in_answers_are_masked_until_revealed(qtbot, ctx):
    panel = make_panel(qtbot, ctx, "JSCode2Session")
    panel.form.set_values({"js_code": f"code-{uuid.uuid4().hex}"})
    send_and_wait(qtbot, panel)
    assert '"session_key": "***"' in shown_text(panel)
    assert panel.response.json_view.inner_json  # data is a string holding JSON, shown parsed
    panel.response.reveal_box.setChecked(True)
    qtbot.waitUntil(lambda: not panel.response.loading and "***" not in shown_text(panel), timeout=5000)
    key = json.loads(shown_text(panel))["session_key"]
    assert len(base64.b64decode(key)) == 16
    panel.response.raw_box.setChecked(True)  # the body as received: the client's redacted exchange
    qtbot.waitUntil(lambda: not panel.response.loading and '"code": 200' in shown_text(panel), timeout=5000)
    assert key not in shown_text(panel)


# --- 2. client-side validation ---------------------------------------------------------------------------


def test_blank_required_query_field_is_reported_and_nothing_is_sent(qtbot, ctx, logged):
    panel = make_panel(qtbot, ctx, "JSCode2Session")
    assert panel.form.error_text("js_code") == ""  # not shouted at before the user did anything
    panel.send_button.click()
    assert "required" in panel.form.error_text("js_code")
    assert panel.send_hint.isVisible() and not panel.in_flight
    qtbot.wait(300)
    assert logged == []
    # Typing fixes it; the hint about the last Send goes away.
    qtbot.keyClicks(panel.form.editors["js_code"], f"code-{uuid.uuid4().hex}")
    assert panel.form.error_text("js_code") == "" and not panel.send_hint.isVisible()
    send_and_wait(qtbot, panel)
    assert "code 200" in panel.response.status_text()
    qtbot.waitUntil(lambda: len(logged) == 1, timeout=5000)


def test_invalid_json_shows_line_and_column_and_disables_send(qtbot, ctx):
    panel = make_panel(qtbot, ctx, "UrlLinkGenerate")
    editor = panel.editor
    assert panel.send_button.isEnabled() and editor.syntax_label.text() == ""
    editor.set_text('{\n  "path": "pages/index/index",\n  "query": \n}')
    assert "line 4, column 1" in editor.syntax_label.text()
    assert not panel.send_button.isEnabled() and not panel.curl_button.isEnabled()
    assert not editor.format_button.isEnabled()
    # Typing is checked live, keystroke by keystroke.
    editor.reset_example()
    assert panel.send_button.isEnabled()
    editor.edit.moveCursor(editor.edit.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor.edit, ",")
    assert "line 7, column 2" in editor.syntax_label.text(), editor.syntax_label.text()
    assert not panel.send_button.isEnabled()
    editor.edit.undo()  # Ctrl+Z takes the comma back
    assert editor.syntax_label.text() == "" and panel.send_button.isEnabled()


def test_scene_rule_is_shown_and_unvalidated_send_shows_the_servers_400(qtbot, ctx, logged):
    panel = make_panel(qtbot, ctx, "WXACodeGetUnlimited")
    body = json.dumps({"scene": "a" * 33, "page": "pages/login/login", "width": 430}, indent=2)
    panel.editor.set_text(body)
    rules = panel.editor.rules_label.text()
    assert "scene" in rules and "at most 32" in rules, rules
    assert panel.send_button.isEnabled()  # valid JSON: sending is possible, the rules stop it
    panel.send_button.click()
    assert panel.send_hint.isVisible() and not panel.in_flight
    qtbot.wait(300)
    assert logged == []

    panel.validate_box.setChecked(False)  # the operator sends bad input on purpose
    send_and_wait(qtbot, panel)
    message = panel.response.detail_label.text()
    assert "400" in message and "scene" in message, message
    assert not panel.banner.isVisible()
    status = plain(panel.response.status_label.text())  # the words, without the no-break marks
    assert "HTTP 400" in status and "code 400" in status, status  # the provider's SDK declares HTTP 400 here
    assert "scene" not in status  # the server's words once, in the message line
    assert not panel.response.retry_button.isVisible()  # the same bad input gets the same 400
    assert '"code": 400' in shown_text(panel)  # what came back: the whole envelope
    assert panel.editor.text() == body
    qtbot.waitUntil(lambda: len(logged) == 1, timeout=5000)


# --- 3. errors in place, with Retry ------------------------------------------------------------------------


def _fault_401(ctx):
    ctx.client.token = "wrong-token-123456"
    return lambda: setattr(ctx.client, "token", ctx.connection.token)


def _fault_500(ctx):
    sandbox_of(ctx).faults.script(["500"])
    return lambda: None  # the script is used up by the failed call


def _fault_timeout(ctx):
    original = ctx.client
    ctx.client = ctx.connection.client(timeout=0.1)
    sandbox_of(ctx).faults.latency_ms = 500

    def clear():
        sandbox_of(ctx).faults.latency_ms = 0
        ctx.run(original.aclose()).result(5)  # the fixture closes the client now in ctx.client

    return clear


def _fault_malformed(ctx):
    sandbox_of(ctx).faults.script(["malformed:html"])
    return lambda: None


FAULTS = {  # (inject, message, status line, whether a repeat may be answered otherwise)
    "401": (_fault_401, "401", ["HTTP 401", "code 401"], False),
    "500": (_fault_500, "Server error (500)", ["HTTP 500", "code 500"], True),
    "timeout": (_fault_timeout, "did not answer in time", ["no answer (timeout)"], True),
    "malformed": (_fault_malformed, "HTML", ["HTTP 200", "not the API's envelope"], True),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_errors_are_shown_once_in_place_and_retry_succeeds(qtbot, ctx, fault):
    inject, message, status_parts, can_retry = FAULTS[fault]
    panel = make_panel(qtbot, ctx, "UrlLinkGenerate")
    panel.editor.set_text('{"path": "pages/typed/by/hand", "query": "x=1"}')
    typed = panel.editor.text()
    clear = inject(ctx)
    send_and_wait(qtbot, panel)

    # The message once, in the response's message line; the status line has the facts only.
    shown = panel.response.detail_label
    assert shown.isVisible() and message in shown.text(), shown.text()
    assert not panel.banner.isVisible()
    status = plain(panel.response.status_label.text())  # the words, without the no-break marks
    for part in status_parts:
        assert part in status, status
    assert "error:" not in panel.response.status_text() and shown.text() not in status, status
    assert panel.response.retry_button.isVisible() is can_retry
    if fault == "malformed":
        assert "502 Bad Gateway" in shown_text(panel)  # what did come back
    assert panel.editor.text() == typed  # nothing typed is lost
    assert panel.send_button.isEnabled()

    clear()
    send_and_wait(qtbot, panel, panel.response.retry_button if can_retry else panel.send_button)
    assert not panel.response.detail_label.isVisible() and not panel.response.retry_button.isVisible()
    assert "code 200" in panel.response.status_text()
    assert shown_text(panel).strip().startswith('"https://wxaurl.cn/')
    assert panel.editor.text() == typed


def test_a_used_js_code_is_shown_once_with_no_retry(qtbot, ctx):
    """A js_code works once: its second use is refused, and sending it again cannot change that."""
    panel = make_panel(qtbot, ctx, "JSCode2Session")
    panel.form.set_values({"js_code": f"code-{uuid.uuid4().hex}"})
    send_and_wait(qtbot, panel)
    assert "code 200" in panel.response.status_text()
    send_and_wait(qtbot, panel)
    response = panel.response
    assert "already used" in response.detail_label.text()
    assert response.status_text().count("already used") == 1  # not in the status line as well
    assert not panel.banner.isVisible()
    assert not response.retry_button.isVisible()
    assert '"code": 400' in shown_text(panel)  # the body is the raw answer


def test_cancel_abandons_a_slow_request_and_keeps_the_inputs(qtbot, ctx):
    panel = make_panel(qtbot, ctx, "JSConfig")
    panel.form.set_values({"url": "https://example.com/slow"})
    sandbox_of(ctx).faults.latency_ms = 1500
    panel.send_button.click()
    assert panel.in_flight and panel.cancel_button.isVisible() and not panel.send_button.isEnabled()
    qtbot.waitUntil(lambda: "Sending" in panel.response.status_text(), timeout=2000)
    with qtbot.waitSignal(panel.finished, timeout=2000):
        panel.cancel_button.click()
    assert "Cancelled" in panel.response.status_text()
    assert not panel.in_flight and panel.send_button.isEnabled() and not panel.cancel_button.isVisible()
    assert panel.form.values() == {"url": "https://example.com/slow"}
    sandbox_of(ctx).faults.latency_ms = 0


# --- 4. Copy as cURL ---------------------------------------------------------------------------------------


def test_copy_as_curl_masks_the_credential_unless_asked(qtbot, ctx):
    panel = make_panel(qtbot, ctx, "UrlLinkGenerate")
    token = ctx.client.token
    assert token and not panel.curl_credential.isChecked()
    panel.curl_button.click()
    text = QGuiApplication.clipboard().text()
    assert f"/Wechat/{ctx.client.app_key}/UrlLinkGenerate" in text
    assert "$QRLOGIN_TOKEN" in text and token not in text
    assert '"path":"pages/index/index"' in text.replace(" ", "")
    panel.curl_credential.setChecked(True)
    panel.curl_button.click()
    text = QGuiApplication.clipboard().text()
    assert f"Bearer {token}" in text and "$QRLOGIN_TOKEN" not in text

    get_panel = make_panel(qtbot, ctx, "JSConfig")
    get_panel.form.set_values({"url": "https://example.com/a b"})
    get_panel.curl_button.click()
    text = QGuiApplication.clipboard().text()
    assert "/Wechat/" in text and "JSConfig?url=https" in text and token not in text


# --- 5. a 5 MB answer ----------------------------------------------------------------------------------------


def test_five_megabyte_answer_is_shown_completely(qtbot, ctx):
    items = [{"id": i, "name": f"item {i}", "tags": ["a", "b", "c"], "text": "lorem ipsum dolor sit amet " * 3}
             for i in range(38_000)]
    payload = json.dumps({"code": 200, "data": {"items": items, "end": "THE-END-MARKER"}, "error": ""}).encode()
    assert len(payload) > 5 * 1024 * 1024

    with client_answering(ctx, payload):
        panel = make_panel(qtbot, ctx, "MsgSecCheck")
        with qtbot.waitSignal(panel.finished, timeout=TIMEOUT_MS):
            panel.send_button.click()
        qtbot.waitUntil(lambda: not panel.response.loading, timeout=60_000)
        text = shown_text(panel)
        assert text.rstrip().endswith('"end": "THE-END-MARKER"\n}')
        assert f'"name": "item {len(items) - 1}"' in text[-2000:]
        assert text.count('"id": ') == len(items)
        assert "code 200" in panel.response.status_text() and " MiB" in panel.response.status_text()


# --- language ----------------------------------------------------------------------------------------------


def test_title_and_header_follow_the_language(qtbot, ctx):
    panel = make_panel(qtbot, ctx, "WXACodeGetUnlimited")
    try:
        i18n.install(i18n.CHINESE)
        assert panel.title() == "获取小程序码（无限制）"
        assert panel.name_label.text() == "获取小程序码（无限制）"
        assert panel.id_label.text() == "WXACodeGetUnlimited"
        assert panel.name_label.toolTip() == "Get mini-program code (unlimited)"
        assert panel.summary_label.text() == panel.endpoint.summary_zh
    finally:
        i18n.install(i18n.ENGLISH)
    assert panel.title() == "Get mini-program code (unlimited)"
    assert panel.name_label.text() == panel.title()
    assert panel.name_label.toolTip() == "获取小程序码（无限制）"


CJK = re.compile("[\u3400-\u9fff]")


@pytest.mark.parametrize("language", [i18n.CHINESE, i18n.ENGLISH])
def test_every_header_names_its_endpoint_in_one_language_as_the_navigation_does(window, language):
    """The header shows the name in the UI's language only (the other one is its tooltip), the same
    text as the page's navigation entry; the id is the contract's own spelling."""
    try:
        i18n.install(language)
        for ep in catalogue.by_group(Group.MINI_PROGRAM) + catalogue.by_group(Group.OFFICIAL_ACCOUNT):
            panel = window.show_panel(f"endpoint:{ep.id}")
            own, other = (ep.name_zh, ep.name_en) if language == i18n.CHINESE else (ep.name_en, ep.name_zh)
            shown = [label.text() for label in panel.findChildren(QLabel) if label.isVisibleTo(panel)]
            assert not [text for text in shown if other in text], f"{ep.id} shows its name in both languages"
            assert panel.name_label.text() == own == window._items[f"endpoint:{ep.id}"].text()
            assert panel.name_label.toolTip() == other
            assert panel.id_label.text() == ep.id
            if language == i18n.ENGLISH:
                assert not CJK.search(f"{panel.name_label.text()} {panel.id_label.text()}")
    finally:
        i18n.install(i18n.ENGLISH)
