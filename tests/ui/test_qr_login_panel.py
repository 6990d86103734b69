"""The QR login panel, driven by clicks against the embedded sandbox (offscreen Qt, real QR decoding)."""

from __future__ import annotations

import io
import logging
import os
import time
import uuid

import pytest
import zxingcpp
from PIL import Image
from PySide6.QtCore import QBuffer, QIODevice, QPoint, QRect, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QAbstractButton, QPushButton
from ui_support import sandbox_of

from qrlogin_desktop.api.client import QrLoginClient
from qrlogin_desktop.flow.machine import Event, State
from qrlogin_desktop.ui.panels.qr_login import QrLoginPanel
from qrlogin_desktop.ui.widgets.qr_view import Overlay

WAIT_MS = 8000


# --- helpers -------------------------------------------------------------------------------------------


def make_panel(qtbot, ctx, *, fast: bool = True) -> QrLoginPanel:
    if fast:  # poll quickly so the tests do not wait for the production pacing
        ctx.profile.poll_min_interval = 0.05
        ctx.profile.poll_idle_interval = 0.1
    panel = QrLoginPanel(ctx)
    qtbot.addWidget(panel)
    panel.resize(1120, 860)
    panel.show()
    qtbot.waitUntil(panel.start_button.isEnabled, timeout=WAIT_MS)
    return panel


def click(qtbot, widget) -> None:
    # Buttons follow the machine through queued signals: wait for the enabled state, do not race it.
    qtbot.waitUntil(widget.isEnabled, timeout=WAIT_MS)
    if isinstance(widget, QAbstractButton) and widget.isCheckable() and not isinstance(widget, QPushButton):
        # A radio button reacts to its indicator and label only, not to the empty space to the right.
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPoint(8, widget.height() // 2))
    else:
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def shown_state(panel: QrLoginPanel) -> State | None:
    """The state as the panel has shown it (the machine itself may already be a step ahead)."""
    steps = panel.timeline.steps()
    return steps[-1][0] if steps else None


def wait_state(qtbot, panel: QrLoginPanel, state: State, timeout: int = WAIT_MS) -> None:
    qtbot.waitUntil(lambda: shown_state(panel) is state and panel.controller.state() is state, timeout=timeout)


def log_in_automatically(qtbot, panel: QrLoginPanel) -> None:
    """Simulate mode with Auto on: the whole flow runs, as a user's one click on Start does."""
    click(qtbot, panel.simulate_radio)
    click(qtbot, panel.auto_check)
    click(qtbot, panel.start_button)
    wait_state(qtbot, panel, State.AUTHENTICATED)


def start(qtbot, panel: QrLoginPanel, *, simulate: bool) -> int:
    click(qtbot, panel.simulate_radio if simulate else panel.poll_radio)
    click(qtbot, panel.start_button)
    wait_state(qtbot, panel, State.WAITING_FOR_SCAN)
    key = panel.controller.sign_in_key
    assert key is not None
    qtbot.waitUntil(lambda: panel.key_value.text() == str(key), timeout=WAIT_MS)
    return key


def scan_from_another_client(ctx, key: int) -> None:
    """A second client plays the phone in poll mode: it scans the session's QR."""
    conn = ctx.connection

    async def phone_scans() -> None:
        async with QrLoginClient(conn.base_url, conn.app_key, conn.token) as phone:
            await phone.scan(key)

    ctx.run(phone_scans()).result(5)


def scan_and_confirm(qtbot, panel: QrLoginPanel) -> None:
    """A simulated session started, scanned and confirmed through the panel's buttons."""
    start(qtbot, panel, simulate=True)
    click(qtbot, panel.scan_button)
    qtbot.waitUntil(panel.confirm_button.isEnabled, timeout=WAIT_MS)
    click(qtbot, panel.confirm_button)


def to_registration(qtbot, ctx, panel: QrLoginPanel) -> None:
    """A session whose Confirm-Login the sandbox answers 202 (register first): back in SCANNED, the form shown."""
    sandbox_of(ctx).require_registration = True
    scan_and_confirm(qtbot, panel)
    qtbot.waitUntil(lambda: not panel.register_hint.isHidden(), timeout=WAIT_MS)
    wait_state(qtbot, panel, State.SCANNED)


def log_in_by_clicking(qtbot, panel: QrLoginPanel) -> str:
    """A simulated login through the panel's buttons, up to the saved token; the access token."""
    scan_and_confirm(qtbot, panel)
    wait_state(qtbot, panel, State.AUTHENTICATED)
    token = panel.controller.token.access_token
    qtbot.waitUntil(lambda: panel.controller.saved is not None, timeout=WAIT_MS)
    return token


def decode_qr(image: QImage) -> str:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert image.save(buffer, "PNG")
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(bytes(buffer.data()))))
    assert results, "no QR code found in the QrView's image"
    return results[0].text


def fill(qtbot, form, name: str, text: str) -> None:
    editor = form.editors[name]
    editor.clear()
    qtbot.keyClicks(editor, text)


# --- 1. simulate by clicking, token into the real keyring ----------------------------------------------


@pytest.mark.keyring
def test_simulated_login_by_clicking_stores_token_in_keyring(qtbot, keyring_ctx, caplog):
    caplog.set_level(logging.DEBUG)
    ctx = keyring_ctx
    panel = make_panel(qtbot, ctx)
    fill(qtbot, panel.initiate_form, "scopes", "userinfo,phone")
    fill(qtbot, panel.initiate_form, "remark", "desktop test")
    key = start(qtbot, panel, simulate=True)

    payload = decode_qr(panel.qr_view.current_image())
    assert f"signInKey={key}" in payload and payload == panel.payload_value.text()
    assert panel.qr_view.overlay is Overlay.NONE
    assert not panel.confirm_button.isEnabled()  # the machine allows CONFIRM only after a scan

    click(qtbot, panel.scan_button)
    qtbot.waitUntil(lambda: panel.app_card.info is not None, timeout=WAIT_MS)
    assert panel.app_card.name.text() == sandbox_of(ctx).config.app_name
    assert panel.qr_view.overlay is Overlay.SCANNED
    assert panel.controller.state() is State.SCANNED
    assert not panel.scan_button.isEnabled()

    qtbot.waitUntil(panel.confirm_button.isEnabled, timeout=WAIT_MS)
    click(qtbot, panel.confirm_button)
    wait_state(qtbot, panel, State.AUTHENTICATED)
    token = panel.controller.token
    assert token is not None
    card = panel.token_card
    assert card.token_type.text() == "Bearer"
    claims = card.claim_items()
    assert claims["unionid"] and "exp" in claims
    # Redacted until the user explicitly reveals it.
    assert token.access_token not in card.token_text.text()
    click(qtbot, card.reveal_button)
    assert card.token_text.text() == token.access_token
    click(qtbot, card.reveal_button)
    assert token.access_token not in card.token_text.text()

    qtbot.waitUntil(lambda: panel.controller.saved is not None, timeout=WAIT_MS)
    assert panel.controller.saved.result.location == "keyring"
    assert not panel.store_banner.isVisible()
    stored = [t for t in ctx.token_store.list() if t.access_token == token.access_token]
    assert len(stored) == 1
    assert stored[0].key.server == "embedded-sandbox" and stored[0].key.app_key == ctx.connection.app_key
    assert stored[0].key.account == claims["unionid"]
    assert [s for s, _ in panel.timeline.steps()] == [
        State.INITIATING, State.WAITING_FOR_SCAN, State.SCANNED, State.CONFIRMING, State.AUTHENTICATED]
    assert token.access_token not in caplog.text

    shots = os.environ.get("QRLOGIN_SCREENSHOT_DIR")
    if shots:
        panel.grab().save(os.path.join(shots, "qr_login_panel.png"))


# --- 2. registration path with live validation ---------------------------------------------------------


def test_simulated_registration_validates_nickname_live(qtbot, ctx):
    panel = make_panel(qtbot, ctx)
    to_registration(qtbot, ctx, panel)

    form = panel.register_form
    fill(qtbot, form, "unionID", f"u_{uuid.uuid4().hex[:12]}")
    fill(qtbot, form, "nickName", "abc")
    assert "nickName" in form.error_text("nickName")
    assert not panel.register_button.isEnabled()
    qtbot.keyClicks(form.editors["nickName"], "d")
    assert form.error_text("nickName") == ""
    qtbot.waitUntil(panel.register_button.isEnabled, timeout=WAIT_MS)
    click(qtbot, panel.register_button)
    wait_state(qtbot, panel, State.AUTHENTICATED)
    assert panel.token_card.claim_items()["unionid"] == form.editors["unionID"].text()
    # This context has no keyring: the token is kept in memory and the panel says so loudly.
    qtbot.waitUntil(panel.store_banner.isVisible, timeout=WAIT_MS)
    assert "NOT stored" in panel.store_banner.text
    assert panel.controller.token.access_token not in panel.store_banner.text


# --- 3. poll mode with a second client as the phone ----------------------------------------------------


def test_poll_mode_reaches_authenticated_when_another_client_scans(qtbot, ctx):
    panel = make_panel(qtbot, ctx)
    key = start(qtbot, panel, simulate=False)
    assert panel.phone_pane.isHidden()
    scan_from_another_client(ctx, key)
    wait_state(qtbot, panel, State.AUTHENTICATED)
    assert panel.qr_view.overlay is Overlay.DONE
    assert panel.token_card.token_type.text() == "Bearer"


# --- 4. errors in place, with Retry --------------------------------------------------------------------


def _fault_401(ctx, panel):
    ctx.client.token = "bad-token-123456"
    return lambda: setattr(ctx.client, "token", ctx.connection.token)


def _fault_500(ctx, panel):
    # A burst during polling that outlasts the retries; tiny backoff keeps the test short.
    panel.controller.policy_overrides = {"max_retries": 2, "backoff_base": 0.05, "backoff_cap": 0.1}
    sandbox_of(ctx).faults.script(["500"] * 10)
    return sandbox_of(ctx).faults.clear


def _fault_timeout(ctx, panel):
    # Initiate is retried like every request: few, quick retries so the failure shows soon.
    panel.controller.policy_overrides = {"max_retries": 1, "backoff_base": 0.05, "backoff_cap": 0.1}
    original = ctx.client
    ctx.client = ctx.connection.client(timeout=0.2)
    sandbox_of(ctx).faults.latency_ms = 800

    def undo():
        sandbox_of(ctx).faults.latency_ms = 0
        ctx.run(ctx.client.aclose()).result(5)
        ctx.client = original

    return undo


def _fault_malformed(ctx, panel):
    # More malformed answers in a row than the (few, quick) retries of Initiate.
    panel.controller.policy_overrides = {"max_retries": 2, "backoff_base": 0.05, "backoff_cap": 0.1}
    sandbox_of(ctx).faults.script(["malformed:html"] * 3)
    return sandbox_of(ctx).faults.clear


@pytest.mark.parametrize(("inject", "cause"), [
    (_fault_401, "401"), (_fault_500, "500"), (_fault_timeout, "in time"), (_fault_malformed, "JSON"),
], ids=["401", "500", "timeout", "malformed"])
def test_errors_show_in_place_and_retry_works(qtbot, ctx, inject, cause):
    panel = make_panel(qtbot, ctx)
    fill(qtbot, panel.initiate_form, "remark", "keep me")
    undo = inject(ctx, panel)
    click(qtbot, panel.start_button)
    qtbot.waitUntil(panel.banner.isVisible, timeout=WAIT_MS)
    assert cause in panel.banner.text
    assert "bad-token-123456" not in panel.banner.text
    wait_state(qtbot, panel, State.FAILED)
    # Initiate failed: one "Couldn't get a QR" card, no QR to copy, and a button saying what it does.
    assert panel.qr_view.overlay is Overlay.NO_QR
    assert not panel.copy_button.isEnabled() and panel.key_value.text() == ""
    assert panel.banner.retry_button.isVisible() and panel.banner.retry_button.text() == "New QR"

    # Still responsive, nothing typed is lost.
    qtbot.keyClicks(panel.initiate_form.editors["remark"], "!")
    assert panel.initiate_form.editors["remark"].text() == "keep me!"
    assert panel.start_button.isEnabled()

    undo()
    click(qtbot, panel.banner.retry_button)
    wait_state(qtbot, panel, State.WAITING_FOR_SCAN)
    assert not panel.banner.isVisible()
    assert panel.initiate_form.editors["remark"].text() == "keep me!"
    click(qtbot, panel.cancel_button)
    wait_state(qtbot, panel, State.CANCELLED)


# --- 5. cancel stops the polling -------------------------------------------------------------------------


def test_cancel_during_polling_sends_nothing_more(qtbot, ctx):
    panel = make_panel(qtbot, ctx)
    seen: list[str] = []
    ctx.exchange_logged.connect(lambda exchange: seen.append(exchange.endpoint))
    start(qtbot, panel, simulate=False)
    qtbot.waitUntil(lambda: seen.count("QRAuthConfirmLogin") >= 3, timeout=WAIT_MS)
    click(qtbot, panel.cancel_button)
    wait_state(qtbot, panel, State.CANCELLED)
    sent = len(seen)
    qtbot.wait(700)  # several poll intervals
    assert len(seen) == sent
    assert panel.qr_view.overlay is Overlay.CANCELLED
    assert not panel.cancel_button.isEnabled()


# --- 6. countdown and expiry ---------------------------------------------------------------------------


def test_countdown_runs_down_and_expired_qr_refreshes_on_click(qtbot, ctx):
    ctx.profile.session_ttl = 1.5  # what the driver counts down from
    sandbox_of(ctx).sessions.ttl = 1.5  # what the server enforces
    panel = make_panel(qtbot, ctx)
    key = start(qtbot, panel, simulate=True)
    qtbot.waitUntil(lambda: panel.countdown_bar.value() > 0, timeout=WAIT_MS)
    first = panel.countdown_bar.value()
    assert "00:0" in panel.countdown_label.text()
    qtbot.waitUntil(lambda: panel.countdown_bar.value() < first, timeout=WAIT_MS)

    wait_state(qtbot, panel, State.EXPIRED, timeout=5000)
    assert panel.qr_view.overlay is Overlay.EXPIRED
    assert not panel.scan_button.isEnabled()
    qtbot.mouseClick(panel.qr_view, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.controller.sign_in_key not in (None, key), timeout=WAIT_MS)
    wait_state(qtbot, panel, State.WAITING_FOR_SCAN)
    assert f"signInKey={panel.controller.sign_in_key}" in decode_qr(panel.qr_view.current_image())
    # Both attempts stay in the timeline, the second after the first's EXPIRED.
    states = [s for s, _ in panel.timeline.steps()]
    assert states.count(State.INITIATING) == 2 and State.EXPIRED in states


# --- extra: the mini-program code as the QR source -----------------------------------------------------


def test_mini_program_code_source_shows_server_image(qtbot, ctx):
    panel = make_panel(qtbot, ctx)
    click(qtbot, panel.mini_radio)
    key = start(qtbot, panel, simulate=True)
    qtbot.waitUntil(panel.qr_view.showing_source_image, timeout=WAIT_MS)
    assert decode_qr(panel.qr_view.current_image()) == str(key)  # scene = the signInKey
    click(qtbot, panel.local_radio)
    assert f"signInKey={key}" in decode_qr(panel.qr_view.current_image())


# --- extra: Auto runs the simulated flow, registering with the form when the server asks ----------------


def test_auto_simulation_registers_with_the_form_when_required(qtbot, ctx):
    sandbox_of(ctx).require_registration = True
    panel = make_panel(qtbot, ctx)
    union_id = f"auto_{uuid.uuid4().hex[:10]}"
    fill(qtbot, panel.register_form, "unionID", union_id)
    fill(qtbot, panel.register_form, "nickName", "Auto User")
    log_in_automatically(qtbot, panel)
    assert panel.token_card.claim_items()["unionid"] == union_id
    events = [s for s, _ in panel.timeline.steps()]
    assert State.REGISTERING in events


# --- extra: live language switch -------------------------------------------------------------------------


def test_language_switch_retranslates_live(qtbot, ctx):
    from qrlogin_desktop.ui import i18n

    panel = make_panel(qtbot, ctx)
    hint = panel.initiate_form.hints["scopes"]
    assert "authorisation scopes" in hint.text()
    try:
        i18n.install("zh_CN")
        qtbot.waitUntil(lambda: "授权范围" in hint.text(), timeout=WAIT_MS)
        assert panel.start_button.text()  # retranslated (English source until a .qm ships)
    finally:
        i18n.install("en")
    qtbot.waitUntil(lambda: "authorisation scopes" in hint.text(), timeout=WAIT_MS)


# --- extra: Copy QR and Save QR… (PNG and SVG) -----------------------------------------------------------


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_copy_and_save_qr(qtbot, ctx, tmp_path, suffix):
    from unittest import mock

    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QFileDialog

    panel = make_panel(qtbot, ctx)
    key = start(qtbot, panel, simulate=True)
    click(qtbot, panel.copy_button)
    assert f"signInKey={key}" in decode_qr(QGuiApplication.clipboard().image())
    target = tmp_path / f"code.{suffix}"
    with mock.patch.object(QFileDialog, "getSaveFileName", return_value=(str(target), "")):
        click(qtbot, panel.save_button)
    qtbot.waitUntil(lambda: str(target) in panel.file_status.text(), timeout=WAIT_MS)
    if suffix == "png":
        assert f"signInKey={key}" in zxingcpp.read_barcodes(Image.open(target))[0].text
    else:
        assert target.read_text(encoding="utf-8").startswith("<?xml") and "<svg" in target.read_text()


def test_the_controller_keeps_its_own_copy_of_the_flow(qtbot, ctx) -> None:
    """The GUI thread knows the flow only from the transitions it was sent: it never reads the driver
    that the worker thread is changing (so the panel never shows a state it was not told of)."""
    panel = make_panel(qtbot, ctx)
    controller = panel.controller
    click(qtbot, panel.simulate_radio)
    click(qtbot, panel.start_button)
    driver = controller.driver
    assert driver is not None
    # Block the GUI thread (no Qt events delivered) until the worker's driver has shown its QR.
    give_up = time.monotonic() + WAIT_MS / 1000
    while driver.machine.state is not State.WAITING_FOR_SCAN:
        assert time.monotonic() < give_up, "the driver never got its QR"
        time.sleep(0.01)
    assert driver.sign_in_key is not None
    assert (controller.state(), controller.sign_in_key, controller.seconds_left()) == (State.IDLE, None, None)
    assert Event.SCANNED not in controller.allowed_events()
    wait_state(qtbot, panel, State.WAITING_FOR_SCAN)
    assert controller.sign_in_key == driver.sign_in_key and controller.view.attempt == 1
    assert 0 < controller.seconds_left() <= controller.session_ttl
    assert Event.SCANNED in controller.allowed_events()  # the Scan button's cue
    click(qtbot, panel.scan_button)
    wait_state(qtbot, panel, State.SCANNED)
    # A second Scan would be the table's repeat, which moves nothing: not offered to the user.
    assert Event.SCANNED not in controller.allowed_events() and not panel.scan_button.isEnabled()


# --- issue 11: a page that fits any window ---------------------------------------------------------------


def _rect_in(widget, ancestor):
    from PySide6.QtCore import QRect

    return QRect(widget.mapTo(ancestor, QPoint(0, 0)), widget.size())


def _text_fits(label) -> bool:
    """The label's whole text is drawn inside it (wrapped as the label wraps it), nothing clipped."""
    flags = int(label.alignment()) | (int(Qt.TextFlag.TextWordWrap) if label.wordWrap() else 0)
    box = label.contentsRect()
    needed = label.fontMetrics().boundingRect(box, flags, label.text())
    return box.contains(needed) or (needed.width() <= box.width() and needed.height() <= box.height())


@pytest.mark.parametrize("size", [(1024, 640), (1440, 900)], ids=["1024x640", "1440x900"])
def test_the_page_fits_the_window_without_overlapping_itself(qtbot, ctx, size):
    from qrlogin_desktop.ui.main_window import MainWindow

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    panel = window.show_panel("qr_login")
    qtbot.waitUntil(panel.start_button.isEnabled, timeout=WAIT_MS)
    click(qtbot, panel.simulate_radio)
    window.resize(*size)
    hint = window.minimumSizeHint()
    assert hint.width() <= 1024 and hint.height() <= 640, hint  # the window can go down to 1024x640
    qtbot.waitUntil(lambda: window.size().toTuple() == size, timeout=WAIT_MS)
    start(qtbot, panel, simulate=True)
    click(qtbot, panel.scan_button)
    wait_state(qtbot, panel, State.SCANNED)  # the longest state title: "Scanned — waiting for the phone"
    qtbot.wait(50)  # the layout follows the new texts

    narrow = size[0] < 1440
    # Narrow: the phone is a tab beside the settings; wide: a column of its own.
    assert (panel.side_tabs.indexOf(panel.phone_pane) >= 0) is narrow
    columns = [panel.side_tabs, panel.centre_pane] + ([] if narrow else [panel.phone_pane])
    rects = [_rect_in(w, panel) for w in columns]
    for i, a in enumerate(rects):
        assert panel.rect().contains(a), (columns[i].objectName(), a)
        for b in rects[i + 1:]:
            assert not a.intersects(b), (a, b)
    assert _text_fits(panel.state_label), panel.state_label.text()
    # The QR, its title and its buttons are all in view, none covering another.
    centre = panel.centre_pane
    for widget in (panel.state_label, panel.qr_view, panel.copy_button, panel.key_value):
        assert centre.viewport().rect().contains(_rect_in(widget, centre.viewport())), widget
    assert not _rect_in(panel.state_label, panel).intersects(_rect_in(panel.qr_view, panel))
    assert panel.qr_view.width() >= 140 and panel.qr_view.height() >= 140
    # The timeline's Step column never collapses to "R…": as wide as its longest text where the page
    # has the room; at 1024 px, where every column must be in view, the widest of them (at least 140 px),
    # the whole text in each cell's tooltip.
    timeline = panel.timeline
    steps = [timeline.item(r, 0) for r in range(timeline.rowCount()) if timeline.columnSpan(r, 0) == 1]
    widest = max(QFontMetricsBold(timeline).horizontalAdvance(item.text()) for item in steps)
    if narrow:
        assert timeline.columnWidth(0) >= 140
        assert timeline.columnWidth(0) == max(timeline.columnWidth(c) for c in range(timeline.columnCount()))
        assert all(item.text() in item.toolTip() for item in steps)
    else:
        assert timeline.columnWidth(0) >= widest


def QFontMetricsBold(widget):
    from PySide6.QtGui import QFont, QFontMetrics

    font = QFont(widget.font())
    font.setBold(True)
    return QFontMetrics(font)


# --- issue 11: the page tells the truth ------------------------------------------------------------------


def test_a_failed_start_clears_the_previous_qr_and_offers_one_retry_card(qtbot, ctx):
    panel = make_panel(qtbot, ctx)
    start(qtbot, panel, simulate=False)
    assert panel.copy_button.isEnabled()
    ctx.client.token = "bad-token-123456"  # the next Start fails at Initiate (401)
    click(qtbot, panel.start_button)
    wait_state(qtbot, panel, State.FAILED)
    assert panel.key_value.text() == "" and panel.payload_value.text() == ""
    assert panel.qr_view.current_image() is None and panel.qr_view.payload is None
    assert not panel.copy_button.isEnabled() and not panel.save_button.isEnabled()
    assert panel.qr_view.overlay is Overlay.NO_QR
    assert panel.qr_view.overlay_text().startswith("Couldn't get a QR")
    assert panel.banner.retry_button.text() == "New QR"
    ctx.client.token = ctx.connection.token
    qtbot.keyClick(panel.qr_view, Qt.Key.Key_Return)  # the card itself retries, from the keyboard too
    wait_state(qtbot, panel, State.WAITING_FOR_SCAN)


def test_poll_mode_shows_scanned_and_the_users_nickname_once_logged_in(qtbot, ctx):
    panel = make_panel(qtbot, ctx)
    key = start(qtbot, panel, simulate=False)
    scan_from_another_client(ctx, key)
    wait_state(qtbot, panel, State.AUTHENTICATED)
    assert [s for s, _ in panel.timeline.steps()] == [
        State.INITIATING, State.WAITING_FOR_SCAN, State.SCANNED, State.AUTHENTICATED]
    nickname = sandbox_of(ctx).users.default_user.nick_name
    assert nickname in panel.qr_view.accessibleDescription()  # "Logged in <nickname>", not the app's name
    assert sandbox_of(ctx).config.app_name not in panel.qr_view.accessibleDescription()


def test_poll_mode_waits_in_scanned_while_the_phone_decides(qtbot, ctx):
    sandbox_of(ctx).sessions.explicit_consent = True  # the phone page decides, as on WeChat
    panel = make_panel(qtbot, ctx)
    key = start(qtbot, panel, simulate=False)
    sandbox_of(ctx).sessions.scan(key)
    wait_state(qtbot, panel, State.SCANNED)
    assert panel.qr_view.overlay is Overlay.SCANNED
    assert "Waiting for the phone user" in panel.qr_view.accessibleDescription()
    sandbox_of(ctx).sessions.phone_confirm(key)
    sandbox_of(ctx).consent.decided(key)
    wait_state(qtbot, panel, State.AUTHENTICATED)


def test_each_auto_refresh_says_so(qtbot, ctx):
    ctx.profile.session_ttl = 0.6
    ctx.profile.auto_refresh = 2
    sandbox_of(ctx).sessions.ttl = 0.6
    panel = make_panel(qtbot, ctx)
    start(qtbot, panel, simulate=False)
    qtbot.waitUntil(lambda: panel.file_status.text() == "QR refreshed, 1 of 2", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: panel.file_status.text() == "QR refreshed, 2 of 2", timeout=WAIT_MS)
    wait_state(qtbot, panel, State.EXPIRED)
    reasons = [panel.timeline.item(r, 4).text() for r in range(panel.timeline.rowCount())
               if panel.timeline.item(r, 4) is not None]
    assert "automatic refresh 1 of 2" in reasons


def test_switching_profile_clears_the_previous_servers_result(qtbot, ctx):
    panel = make_panel(qtbot, ctx)
    log_in_automatically(qtbot, panel)
    assert panel.token_card.token is not None
    ctx.activate(ctx.profile)  # reconnect: another server (a fresh sandbox)
    qtbot.waitUntil(lambda: ctx.client is not None, timeout=15_000)
    assert panel.timeline.rowCount() == 0 and panel.token_card.token is None
    assert panel.key_value.text() == "" and panel.qr_view.payload is None
    assert panel.qr_view.overlay is Overlay.NONE and not panel.copy_button.isEnabled()


def test_a_taken_unionid_stays_scanned_with_the_error_at_its_field_and_register_again_works(qtbot, ctx):
    panel = make_panel(qtbot, ctx)
    to_registration(qtbot, ctx, panel)
    form = panel.register_form
    fill(qtbot, form, "unionID", sandbox_of(ctx).users.default_user.union_id)  # 409: already registered
    fill(qtbot, form, "nickName", "Second Try")
    click(qtbot, panel.register_button)
    qtbot.waitUntil(lambda: "already registered" in form.error_text("unionID"), timeout=WAIT_MS)
    wait_state(qtbot, panel, State.SCANNED)
    assert not panel.banner.isVisible()  # no "failed, new QR": the session lives on
    assert "refused" in panel.register_hint.text()
    events = [panel.timeline.item(r, 1).text() for r in range(panel.timeline.rowCount())
              if panel.timeline.columnSpan(r, 0) == 1]
    assert events[-2:] == ["register", "registration refused"]
    union_id = f"u_{uuid.uuid4().hex[:12]}"
    fill(qtbot, form, "unionID", union_id)
    assert form.error_text("unionID") == ""  # edited: the server's verdict was about the old value
    qtbot.keyClick(form.editors["unionID"], Qt.Key.Key_Return)  # Enter registers, like the button
    wait_state(qtbot, panel, State.AUTHENTICATED)
    assert panel.token_card.claim_items()["unionid"] == union_id


def test_the_registration_form_shows_only_when_registering_and_the_next_start_scrolls_back(qtbot, ctx):
    from qrlogin_desktop.ui.main_window import MainWindow

    window = MainWindow(ctx)  # the default size
    qtbot.addWidget(window)
    window.show()
    panel = window.show_panel("qr_login")
    qtbot.waitUntil(panel.start_button.isEnabled, timeout=WAIT_MS)
    click(qtbot, panel.simulate_radio)
    start(qtbot, panel, simulate=True)
    assert not panel.register_box.isVisibleTo(panel)  # a plain login needs no form
    click(qtbot, panel.register_toggle)
    assert panel.register_box.isVisibleTo(panel)
    click(qtbot, panel.register_toggle)
    to_registration(qtbot, ctx, panel)
    assert panel.register_box.isVisibleTo(panel)  # asked for by the server: shown by itself
    pane = panel.phone_pane
    if panel.side_tabs.indexOf(pane) >= 0:
        assert panel.side_tabs.currentWidget() is pane
    qtbot.wait(50)
    # Register is above the fold.
    assert pane.viewport().rect().contains(_rect_in(panel.register_button, pane.viewport()))
    pane.verticalScrollBar().setValue(pane.verticalScrollBar().maximum())
    click(qtbot, panel.start_button)
    wait_state(qtbot, panel, State.WAITING_FOR_SCAN)
    assert pane.verticalScrollBar().value() == 0 and not panel.register_box.isVisibleTo(panel)
    assert pane.viewport().rect().contains(_rect_in(panel.scan_button, pane.viewport()))


# --- issue 11: keyboard first ----------------------------------------------------------------------------


def _focus_into(qtbot, panel) -> None:
    panel.activateWindow()
    qtbot.waitUntil(panel.isActiveWindow, timeout=WAIT_MS)


def test_enter_starts_scan_focuses_confirm_and_esc_cancels(qtbot, ctx):
    panel = make_panel(qtbot, ctx)
    _focus_into(qtbot, panel)
    click(qtbot, panel.simulate_radio)
    remark = panel.initiate_form.editors["remark"]
    remark.setFocus()
    qtbot.keyClick(remark, Qt.Key.Key_Return)  # Enter in a field: the page's default action, Start
    wait_state(qtbot, panel, State.WAITING_FOR_SCAN)
    click(qtbot, panel.scan_button)
    wait_state(qtbot, panel, State.SCANNED)
    qtbot.waitUntil(panel.confirm_button.hasFocus, timeout=WAIT_MS)  # the next step has the focus
    qtbot.keyClick(panel.confirm_button, Qt.Key.Key_Escape)
    wait_state(qtbot, panel, State.CANCELLED)
    assert not panel.timeline.tabKeyNavigation()  # Tab leaves the timeline instead of walking its cells


def test_an_expired_qr_is_refreshed_from_the_keyboard(qtbot, ctx):
    ctx.profile.session_ttl = 0.8
    sandbox_of(ctx).sessions.ttl = 0.8
    panel = make_panel(qtbot, ctx)
    _focus_into(qtbot, panel)
    key = start(qtbot, panel, simulate=True)
    wait_state(qtbot, panel, State.EXPIRED, timeout=5000)
    assert panel.qr_view.focusPolicy() & Qt.FocusPolicy.TabFocus  # reachable with Tab
    qtbot.keyClick(panel.qr_view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.controller.sign_in_key not in (None, key), timeout=WAIT_MS)
    second = panel.controller.sign_in_key
    wait_state(qtbot, panel, State.EXPIRED, timeout=5000)
    panel.key_value.setFocus()
    qtbot.keyClick(panel.key_value, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: panel.controller.sign_in_key not in (None, key, second), timeout=WAIT_MS)


def test_every_control_has_a_translated_accessible_name(qtbot, ctx):
    from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QProgressBar, QTabWidget

    from qrlogin_desktop.ui import i18n
    from qrlogin_desktop.ui.widgets.qr_view import QrView

    panel = make_panel(qtbot, ctx)
    kinds = (QAbstractButton, QLineEdit, QAbstractItemView, QProgressBar, QrView, QTabWidget)
    # Every control, the token card's and the banners' included; a table's own parts (its headers
    # and corner button) are named by the table.
    tables = panel.findChildren(QAbstractItemView)
    ours = [w for w in panel.findChildren(QWidgetType()) if isinstance(w, kinds)
            and not any(t.isAncestorOf(w) for t in tables) and not type(w).__name__.startswith("QTabBar")]
    unnamed = [f"{type(w).__name__}:{w.objectName()}" for w in ours if not w.accessibleName()]
    assert not unnamed, unnamed
    try:
        i18n.install(i18n.CHINESE)
        qtbot.waitUntil(lambda: panel.start_button.accessibleName() == "开始扫码登录", timeout=WAIT_MS)
        assert panel.qr_view.accessibleName() == "二维码"
    finally:
        i18n.install(i18n.ENGLISH)


def QWidgetType():
    from PySide6.QtWidgets import QWidget

    return QWidget


# --- issue 11: one short banner for a token that was not stored ------------------------------------------


def test_a_token_not_stored_says_so_in_one_sentence_with_details_and_keeps_the_buttons_in_view(qtbot, ctx):
    panel = make_panel(qtbot, ctx)
    log_in_automatically(qtbot, panel)
    qtbot.waitUntil(panel.store_banner.isVisible, timeout=WAIT_MS)
    text = panel.store_banner.text
    assert text.count("NOT stored") == 1 and text.count(".") == 1 and "\n" not in text
    reason = panel.store_banner.details_text
    assert "keyring" in reason.lower() and reason not in text  # the cause is behind Details
    assert panel.store_banner.details_button.isVisible() and not panel.store_banner.details_label.isVisible()
    click(qtbot, panel.store_banner.details_button)
    assert panel.store_banner.details_label.isVisible()
    click(qtbot, panel.store_banner.details_button)
    qtbot.wait(50)
    pane = panel.settings_pane
    for button in (panel.new_qr_button, panel.cancel_button):
        assert pane.viewport().rect().contains(_rect_in(button, pane.viewport())), button.text()
        # ...and the floating banner does not cover them either
        banner = panel.store_banner
        assert not QRect(banner.mapTo(panel, QPoint(0, 0)), banner.size()).intersects(
            QRect(button.mapTo(panel, QPoint(0, 0)), button.size())), button.text()


# --- issue 11: messages on screen follow a language switch ----------------------------------------------


def test_messages_already_on_screen_are_rerendered_in_the_new_language(qtbot, ctx):
    from qrlogin_desktop.ui import i18n

    panel = make_panel(qtbot, ctx)
    assert panel.countdown_label.text() == ""  # no QR: no "Expires in --:--"
    ctx.client.token = "bad-token-123456"
    click(qtbot, panel.start_button)
    wait_state(qtbot, panel, State.FAILED)
    english = panel.banner.text
    try:
        i18n.install(i18n.CHINESE)
        qtbot.waitUntil(lambda: panel.banner.text != english, timeout=WAIT_MS)
        assert "401" in panel.banner.text and panel.banner.retry_button.text() == "新二维码"
        events = [panel.timeline.item(r, 1).text() for r in range(panel.timeline.rowCount())
                  if panel.timeline.columnSpan(r, 0) == 1]
        assert events == ["开始", "失败"]
    finally:
        i18n.install(i18n.ENGLISH)
    qtbot.waitUntil(lambda: panel.banner.text == english, timeout=WAIT_MS)


def test_the_timeline_says_why_an_attempt_failed_in_the_current_language(qtbot, ctx):
    from qrlogin_desktop.ui import i18n

    panel = make_panel(qtbot, ctx)
    ctx.client.token = "bad-token-123456"
    click(qtbot, panel.start_button)
    wait_state(qtbot, panel, State.FAILED)
    row = panel.timeline.rowCount() - 1
    qtbot.waitUntil(lambda: panel.timeline.item(row, 4).text() == panel.banner.text, timeout=WAIT_MS)
    assert "401" in panel.timeline.item(row, 4).text() and "bad-token" not in panel.timeline.item(row, 4).text()
    try:
        i18n.install(i18n.CHINESE)
        qtbot.waitUntil(lambda: panel.timeline.item(row, 4).text() == panel.banner.text != "", timeout=WAIT_MS)
        assert "401" in panel.timeline.item(row, 4).text()
    finally:
        i18n.install(i18n.ENGLISH)
