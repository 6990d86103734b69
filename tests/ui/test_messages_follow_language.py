"""Issue 11 point 5: messages already on screen follow a language switch; and the Tokens page's polish
(one way to say time left, the keyring warning once, the claims' headers, a wording of the status bar)."""

from __future__ import annotations

import re
import time

import pytest
from PySide6.QtWidgets import QLabel, QWidget
from ui_support import in_chinese

from qrlogin_desktop.api import catalogue
from qrlogin_desktop.api.errors import ApiError
from qrlogin_desktop.api.models import TokenModel
from qrlogin_desktop.flow.machine import State
from qrlogin_desktop.flow.session import EMBEDDED_SERVER_LABEL
from qrlogin_desktop.storage.keystore import StoredToken, TokenKey
from qrlogin_desktop.ui import i18n
from qrlogin_desktop.ui.errors_text import describe_error
from qrlogin_desktop.ui.main_window import MainWindow
from qrlogin_desktop.ui.models.tokens_model import Column
from qrlogin_desktop.ui.panels.endpoint import EndpointPanel
from qrlogin_desktop.ui.panels.qr_login import QrLoginPanel
from qrlogin_desktop.ui.panels.tokens import TokensPanel
from qrlogin_desktop.ui.screenshots import prepare
from qrlogin_desktop.ui.widgets.common import ErrorBanner, StatusFlash
from qrlogin_desktop.ui.widgets.token_card import TokenCard

WAIT_MS = 10_000
CJK = re.compile(r"[\u3400-\u9fff]")
DAY_S = 86_400


def _stored(account: str, lifetime: int) -> StoredToken:
    return StoredToken(TokenKey(EMBEDDED_SERVER_LABEL, "demo", account), "opaque-" + "x" * 40, "Bearer",
                       lifetime, float(time.time()))


# --- banners and flashes ----------------------------------------------------------------------------------


def test_a_banner_of_a_typed_error_and_a_flash_are_said_again_in_the_new_language(qtbot):
    page = QWidget()
    qtbot.addWidget(page)
    banner, flash = ErrorBanner(page), StatusFlash("flash", 60_000, page)
    page.resize(600, 300)
    page.show()
    error = ApiError(500, "database down", http_status=200, endpoint="QRCodePreSignIn")
    banner.show_error(lambda: describe_error(error))
    flash.flash(lambda: describe_error(error))
    assert banner.text == "Server error (500): database down" == flash.text()
    with in_chinese():
        qtbot.waitUntil(lambda: CJK.search(banner.text) is not None, timeout=WAIT_MS)
        assert "500" in banner.text and "database down" in banner.text
        assert flash.text() == banner.text and flash.toolTip() == banner.text
        assert banner.retry_button.text() == "重试"
    qtbot.waitUntil(lambda: banner.text == "Server error (500): database down", timeout=WAIT_MS)
    banner.clear()
    flash.clear()
    with in_chinese():  # a cleared message stays cleared
        qtbot.wait(50)
        assert banner.text == "" and flash.text() == ""


def test_the_token_not_stored_banner_and_its_details_follow_the_language(qtbot, ctx):
    panel = QrLoginPanel(ctx)
    qtbot.addWidget(panel)
    panel.resize(1120, 860)
    panel.show()
    qtbot.waitUntil(panel.start_button.isEnabled, timeout=WAIT_MS)
    panel.simulate_radio.setChecked(True)
    panel.auto_check.setChecked(True)
    panel.start_button.click()
    qtbot.waitUntil(panel.store_banner.isVisible, timeout=WAIT_MS)  # the memory store: NOT stored
    english, details = panel.store_banner.text, panel.store_banner.details_text
    assert "NOT stored" in english and details and CJK.search(details) is None
    with in_chinese():
        qtbot.waitUntil(lambda: CJK.search(panel.store_banner.text) is not None, timeout=WAIT_MS)
        assert CJK.search(panel.store_banner.details_text) is not None  # Details too, not only the sentence
        assert panel.store_banner.retry_button.text() == "重新保存"
    qtbot.waitUntil(lambda: panel.store_banner.details_text == details, timeout=WAIT_MS)
    assert panel.store_banner.text == english


def test_a_failed_start_banner_follows_the_language(qtbot, ctx):
    panel = QrLoginPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(panel.start_button.isEnabled, timeout=WAIT_MS)
    ctx.client.token = "refused-credential-0123456789"
    panel.start_button.click()
    qtbot.waitUntil(lambda: panel.controller.state() is State.FAILED and panel.banner.isVisible(), timeout=WAIT_MS)
    english = panel.banner.text
    assert english.startswith("The server refused the credentials (401)")  # the server's own words follow
    with in_chinese():
        qtbot.waitUntil(lambda: panel.banner.text != english, timeout=WAIT_MS)
        assert CJK.match(panel.banner.text) and "401" in panel.banner.text
        assert panel.banner.retry_button.text() == "新二维码"


def test_an_endpoint_pages_copied_message_follows_the_language(qtbot, ctx):
    panel = EndpointPanel(ctx, catalogue.endpoint("JSConfig"))
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(panel.curl_button.isEnabled, timeout=WAIT_MS)
    panel.curl_button.click()
    english = panel.curl_feedback.text()
    assert english.startswith("Copied")
    with in_chinese():
        qtbot.waitUntil(lambda: CJK.search(panel.curl_feedback.text()) is not None, timeout=WAIT_MS)
        assert "$QRLOGIN_TOKEN" in panel.curl_feedback.text()


# --- time left, said one way ------------------------------------------------------------------------------


@pytest.mark.parametrize(("seconds", "english", "chinese"), [
    (DAY_S + 2 * 3600 + 5, "1 d 2 h", "1 天 2 小时"),
    (DAY_S - 1, "23 h 59 min", "23 小时 59 分"),
    (245, "4 min 5 s", "4 分 5 秒"),
    (9.7, "9 s", "9 秒"),
])
def test_time_left_reads_in_the_ui_language(qtbot, seconds, english, chinese):
    from qrlogin_desktop.ui.display import time_left

    assert time_left(seconds) == english
    with in_chinese():
        assert time_left(seconds) == chinese


def test_the_tokens_page_and_the_login_result_say_time_left_alike_in_both_languages(qtbot, ctx):
    ctx.token_store.save(_stored("union_alike", DAY_S))
    panel = TokensPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=WAIT_MS)
    card = TokenCard()
    qtbot.addWidget(card)
    card.set_token(TokenModel(access_token="opaque-" + "y" * 40, token_type="Bearer", expires_in=DAY_S))

    def cell() -> str:
        return panel.proxy.index(0, Column.EXPIRES_IN).data()

    for words in (re.compile(r"^23 h 59 min$"), re.compile(r"^23 小时 59 分$")):
        if words.pattern.startswith("^23 小时"):
            i18n.install(i18n.CHINESE)
            card.retranslate()  # as the LanguageChange event does
        try:
            assert words.match(cell()), cell()
            assert words.match(card.expiry.text().splitlines()[0]), card.expiry.text()
        finally:
            if i18n.current() == i18n.CHINESE:
                i18n.install(i18n.ENGLISH)


# --- the Tokens page says each thing once, with room ----------------------------------------------------------


def test_the_keyring_warning_is_shown_once(qtbot, ctx):
    ctx.token_store.save(_stored("union_once", 7200))  # the memory store: a token kept in memory only
    panel = TokensPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1 and panel.memory_warning.isVisible(), timeout=WAIT_MS)
    qtbot.wait(200)  # the backend's facts arrive separately
    shown = [label.text() for label in panel.findChildren(QLabel) if label.isVisible()]
    assert sum("keyring" in text.lower() for text in shown) == 1, shown
    assert not panel.backend_label.isVisible()
    assert "No usable keyring" in panel.memory_warning.toolTip()  # the backend line is still at hand


def test_the_claims_tree_has_clear_headers_with_room(qtbot, ctx):
    panel = TokensPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    tree = panel.claims_tree
    with in_chinese():
        headers = [tree.headerItem().text(0), tree.headerItem().text(1)]
        assert headers == ["声明", "值（未验证签名）"]
        room = tree.header().sectionSize(0)
        assert room >= tree.fontMetrics().horizontalAdvance("M") * 8 > tree.fontMetrics().horizontalAdvance("声明") * 2


# --- the screenshot helper ------------------------------------------------------------------------------------


def test_the_screenshot_window_has_the_tokens_page_loaded(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    prepare(window)
    tokens = window.panels["tokens"]
    assert tokens.model.rowCount() >= 1
    assert tokens.state_label.text() not in ("Loading…", "")


# --- the status bar ---------------------------------------------------------------------------------------


def test_the_status_bar_says_online_with_the_round_trip(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    ctx.check_health()
    qtbot.waitUntil(lambda: isinstance(ctx.health, float), timeout=WAIT_MS)
    window._update_status()
    assert re.fullmatch(r"● Online · \d+ ms", window.status_health.text()), window.status_health.text()
    with in_chinese():
        assert re.fullmatch(r"● 在线 · \d+ ms", window.status_health.text()), window.status_health.text()
    ctx.health = "connection refused"
    window._update_status()
    assert window.status_health.text() == "● Offline: no answer"
    assert window.status_health.toolTip() == "connection refused"
    ctx.credential_refused = True
    window._update_status()
    assert window.status_health.text() == "● Credential refused (401)"
