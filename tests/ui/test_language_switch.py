"""Switching the language live: the open window turns Chinese and back, nothing is rebuilt."""

from __future__ import annotations

import json
import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QGroupBox,
    QHeaderView,
    QLabel,
    QListWidget,
    QWidget,
)

from qrlogin_desktop.ui import i18n
from qrlogin_desktop.ui.main_window import MainWindow

WAIT_MS = 5000
CJK = re.compile(r"[\u3400-\u9fff]")
LETTERS = re.compile(r"[A-Za-z\u3400-\u9fff]")
# Texts that stay as they are in every language: technical identifiers and data, not UI words.
IDENTIFIER = re.compile(r"^[\w.\-/:*\s]+$", re.ASCII)
TYPED = "snsapi_userinfo"


def _header_texts(view: QAbstractItemView) -> list[str]:
    out = []
    for header in view.findChildren(QHeaderView):
        if header.orientation() != Qt.Orientation.Horizontal or not header.isVisible() or header.model() is None:
            continue
        for section in range(header.count()):
            if not header.isSectionHidden(section):
                out.append(str(header.model().headerData(section, Qt.Orientation.Horizontal) or ""))
    return out


def visible_texts(window: MainWindow) -> list[str]:
    """What the user reads right now: title, labels, buttons, group titles, list items, table headers.

    Profile names are the user's data (the built-in one is bilingual, "Sandbox / 沙盒"): left out.
    """
    texts = [window.windowTitle()]
    for widget in window.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if isinstance(widget, QLabel):
            texts.append(widget.text())
        elif isinstance(widget, QAbstractButton):
            texts.append(widget.text())
        elif isinstance(widget, QGroupBox):
            texts.append(widget.title())
        if isinstance(widget, QListWidget):
            texts += [widget.item(row).text() for row in range(widget.count())]
        if isinstance(widget, QAbstractItemView):
            texts += _header_texts(widget)
    for profile in window.ctx.profiles.profiles:
        texts = [t.replace(profile.name, "") for t in texts]
    return [t.strip() for t in texts if LETTERS.search(t or "")]


def words(texts: list[str]) -> list[str]:
    """Texts that are sentences or labels (a translator's job), not identifiers such as appKey."""
    return [t for t in texts if CJK.search(t) or not IDENTIFIER.match(t)]


def cjk_share(texts: list[str]) -> float:
    texts = words(texts)
    return sum(bool(CJK.search(t)) for t in texts) / max(1, len(texts))


def button_texts(window: QWidget) -> list[str]:
    return [b.text() for b in window.findChildren(QAbstractButton) if b.isVisible() and b.text()]


def wait_chinese(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.qr_login.start_button.text() == "开始", timeout=WAIT_MS)


def wait_english(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.qr_login.start_button.text() == "Start", timeout=WAIT_MS)


def test_install_switches_the_open_window_to_chinese_and_back(qtbot, ctx, window):
    panel = window.qr_login
    scopes = panel.initiate_form.editors["scopes"]
    scopes.setText(TYPED)  # what the user typed must survive both switches
    qtbot.waitUntil(lambda: isinstance(ctx.health, float), timeout=WAIT_MS)
    english = visible_texts(window)
    assert cjk_share(english) == 0, [t for t in english if CJK.search(t)]

    i18n.install(i18n.CHINESE)
    wait_chinese(qtbot, window)

    # Navigation, window title and the status bar.
    assert window._items["qr_login"].text() == "扫码登录"
    assert window._items["request_log"].text() == "请求日志"
    assert [h.text() for h in window._headers.values()] == ["小程序", "公众号", "工具"]
    assert "扫码登录" in window.windowTitle()
    assert window.status_profile.text().startswith("配置：")
    assert window.status_server.text().startswith(("服务器：", "正在连接"))
    assert "在线" in window.status_health.text()

    # The QR Login panel's buttons, modes and boxes.
    assert panel.new_qr_button.text() == "新二维码"
    assert panel.cancel_button.text() == "取消"
    assert panel.copy_button.text() == "复制二维码"
    assert panel.poll_radio.text().startswith("轮询")
    assert "模拟手机" in panel.simulate_radio.text()
    assert panel.mini_radio.text() == "小程序码"
    assert panel.timeline_box.title() == "状态时间线"
    assert panel.state_label.text() == "空闲"
    assert panel.countdown_label.text() == ""  # no QR: no "--:-- 后过期" either

    chinese = visible_texts(window)
    share = cjk_share(chinese)
    untranslated = [t for t in words(chinese) if not CJK.search(t)]
    assert share >= 0.85, f"only {share:.0%} of the texts are Chinese; still English: {untranslated}"
    buttons = [t for t in button_texts(window) if not IDENTIFIER.match(t)]
    assert buttons and all(CJK.search(t) for t in buttons), buttons

    # The Settings panel, still the same window.
    settings = window.show_panel("settings")
    qtbot.waitUntil(settings.isVisible, timeout=WAIT_MS)
    assert window._items["settings"].text() == "配置与设置"
    assert settings.save_button.text() == "保存"
    assert settings.use_button.text() == "使用此配置"
    assert settings.profile_box.title() == "配置"
    assert settings.language_label.text() == "语言"
    assert settings.keyring_title.text() == "系统密钥环"
    settings_texts = visible_texts(window)
    assert cjk_share(settings_texts) >= 0.85, [t for t in words(settings_texts) if not CJK.search(t)]

    # Back to English without recreating anything.
    window.show_panel("qr_login")
    i18n.install(i18n.ENGLISH)
    wait_english(qtbot, window)
    assert window._items["qr_login"].text() == "QR Login"
    assert window.status_profile.text().startswith("Profile: ")
    assert panel.state_label.text() == "Idle"
    back = visible_texts(window)
    assert not [t for t in button_texts(window) if CJK.search(t)]
    assert cjk_share(back) == 0, [t for t in back if CJK.search(t)]
    window.show_panel("settings")
    qtbot.waitUntil(settings.isVisible, timeout=WAIT_MS)
    assert settings.save_button.text() == "Save"
    assert not [t for t in button_texts(window) if CJK.search(t)]

    assert window.panels["qr_login"] is panel and panel.initiate_form.editors["scopes"] is scopes
    assert scopes.text() == TYPED


def test_live_texts_after_a_flow_are_translated(qtbot, ctx, window):
    """Texts set while running (state, timeline, overlays, token card) follow the language too."""
    from qrlogin_desktop.flow.machine import State

    panel = window.qr_login
    panel.simulate_radio.setChecked(True)
    panel.auto_check.setChecked(True)
    qtbot.waitUntil(lambda: panel.start_button.isEnabled(), timeout=WAIT_MS)
    panel.start_button.click()
    # The timeline is fed by queued signals: wait for its last row, not only the machine's state.
    qtbot.waitUntil(lambda: panel.timeline.steps()[-1:] == [(State.AUTHENTICATED, None)], timeout=15_000)

    i18n.install(i18n.CHINESE)
    wait_chinese(qtbot, window)
    assert panel.state_label.text() == "登录成功"
    steps = [panel.timeline.item(row, 0).text() for row in range(panel.timeline.rowCount())]
    assert "第 1 次尝试" in steps and "登录成功" in steps
    headers = _header_texts(panel.timeline)
    assert headers == ["步骤", "事件", "进入时间", "耗时（ms）", "原因"]
    assert panel.phone_box.title() == "模拟手机"
    assert panel.scan_button.text() == "扫码"
    assert panel.confirm_button.text() == "确认登录"

    i18n.install(i18n.ENGLISH)
    wait_english(qtbot, window)
    assert panel.state_label.text() == "Logged in"
    assert _header_texts(panel.timeline)[0] == "Step"


def test_settings_language_combo_switches_and_is_stored(qtbot, ctx, window):
    settings = window.show_panel("settings")
    combo = settings.language
    qr_panel = window.qr_login

    combo.setCurrentIndex(combo.findData(i18n.CHINESE))
    assert combo.currentText() == "简体中文"
    wait_chinese(qtbot, window)
    assert ctx.profiles.settings["language"] == i18n.CHINESE
    assert i18n.current() == i18n.CHINESE
    assert settings.save_button.text() == "保存"
    assert window._items["qr_login"].text() == "扫码登录"
    assert qr_panel.new_qr_button.text() == "新二维码"
    assert cjk_share(visible_texts(window)) >= 0.85
    # The choice is written to the profile file too (off the GUI thread).
    qtbot.waitUntil(lambda: ctx.profiles.path.exists()
                    and '"zh_CN"' in ctx.profiles.path.read_text(encoding="utf-8"), timeout=WAIT_MS)
    assert combo.currentText() == "简体中文"  # the combo's own items are native names, never translated

    combo.setCurrentIndex(combo.findData(i18n.ENGLISH))
    wait_english(qtbot, window)
    assert ctx.profiles.settings["language"] == i18n.ENGLISH
    assert settings.save_button.text() == "Save"
    assert not [t for t in button_texts(window) if CJK.search(t)]


def described_in_both_languages(error: Exception) -> tuple[str, str]:
    """The GUI's message for ``error`` in English and in Chinese (English again afterwards)."""
    from qrlogin_desktop.ui.errors_text import describe_error

    try:
        i18n.install(i18n.ENGLISH)
        english = describe_error(error)
        i18n.install(i18n.CHINESE)
        chinese = describe_error(error)
    finally:
        i18n.install(i18n.ENGLISH)
    return english, chinese


def test_a_lost_login_answer_is_explained_in_both_languages(qtbot):
    from qrlogin_desktop.api.errors import ApiError, TransportError
    from qrlogin_desktop.flow.driver import AnswerLost

    lost = AnswerLost(TransportError("dropped", "peer closed", endpoint="QRAuthConfirmLogin"),
                      ApiError(409, "already used", http_status=200, endpoint="QRAuthConfirmLogin"))
    english, chinese = described_in_both_languages(lost)
    assert "answer was lost" in english and "new QR" in english and "AnswerLost" not in english
    assert CJK.search(chinese) and "二维码" in chinese


def test_a_declined_login_is_explained_in_both_languages(qtbot):
    from qrlogin_desktop.api.errors import ApiError
    from qrlogin_desktop.flow.driver import Declined

    declined = Declined(ApiError(403, "declined", http_status=200, endpoint="QRAuthConfirmLogin"))
    english, chinese = described_in_both_languages(declined)
    assert "declined the login on your phone" in english and "new QR" in english
    assert "拒绝登录" in chinese


# --- no raw identifiers in Chinese --------------------------------------------------------------------------

# A snake_case identifier ("rate_limited", "registration_required") is an enum value or a key shown raw.
SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def raw_words() -> set[str]:
    """English words that only reach a Chinese screen untranslated: the flow's and the poller's own
    vocabulary (enum values the UI must put in words) and a few words of the texts around them."""
    from qrlogin_desktop.flow.machine import Event, State
    from qrlogin_desktop.flow.policy import Action

    vocabulary = {member.value for enum in (Action, State, Event) for member in enum}
    return {w for w in vocabulary if "_" not in w} | {
        "priority", "keyring", "backend", "viable", "usable", "memory", "chars", "seconds", "tokens",
        "requests", "problem", "problems", "error", "errors", "loading", "retrying", "waiting", "unknown",
    }


def data_strings(window: MainWindow) -> list[str]:
    """What the user or the server wrote, or the API's own names: shown as they are in every language."""
    from qrlogin_desktop.api import catalogue

    ctx = window.ctx
    out = [p.name for p in ctx.profiles.profiles] + [str(ctx.profiles.path), ctx.token_store.service]
    if ctx.connection is not None:
        out += [ctx.connection.base_url, ctx.connection.app_key]
    for token in ctx.token_store.list():
        out += [str(token.key), token.key.server, token.key.app_key, token.key.account, token.token_type]
        for name, value in (token.claims or {}).items():
            out += [name, str(value), json.dumps(value, ensure_ascii=False)]
    for ep in catalogue.ENDPOINTS:
        out += [ep.id, ep.template, ep.path] + [f.name for f in ep.query]
        out += [f.name for f in ep.body.fields] if ep.body is not None else []
    return sorted({s for s in out if s}, key=len, reverse=True)


def shown_texts(window: MainWindow) -> list[tuple[str, str]]:
    """(widget, text) for what is on screen now: labels, buttons, group titles, combo items, the headers
    and cells of tables and trees. Views of wire data (the request log's rows, JSON bodies) are left out."""
    from PySide6.QtWidgets import QComboBox, QTableView, QTreeView

    from qrlogin_desktop.ui.widgets.claims_tree import ClaimsTree

    out = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisible():
            continue
        where = f"{type(widget).__name__}#{widget.objectName() or '?'}"
        if isinstance(widget, QLabel | QAbstractButton):
            out.append((where, widget.text()))
        elif isinstance(widget, QGroupBox):
            out.append((where, widget.title()))
        elif isinstance(widget, QComboBox):
            out += [(where, widget.itemText(i)) for i in range(widget.count())]
        if isinstance(widget, QTableView | QTreeView):
            out += [(where, text) for text in _header_texts(widget)]
            model = widget.model()
            if model is None or widget.objectName() == "requestTable" or isinstance(widget, ClaimsTree):
                continue  # the request log's rows are the wire's; claims are the token's own
            for row in range(min(model.rowCount(), 50)):
                for column in range(model.columnCount()):
                    out.append((where, str(model.index(row, column).data() or "")))
    return out


def raw_identifiers(window: MainWindow) -> list[str]:
    data = data_strings(window)
    words = raw_words()
    found = []
    for where, text in shown_texts(window):
        for known in data:
            text = text.replace(known, "")
        # Hyphenated names ("gnome-keyring") are names, not the English word inside them.
        raw = set(SNAKE_CASE.findall(text)) | {w for w in re.findall(r"[A-Za-z][A-Za-z-]*", text) if w.lower() in words}
        if raw:
            found.append(f"{where}: {text!r} ({', '.join(sorted(raw))})")
    return found


@pytest.mark.parametrize("store", ["ctx", "keyring_ctx"])
def test_no_raw_identifiers_on_any_page_in_chinese(qtbot, request, store):
    """Every page in zh_CN, a stored token on the Tokens page: no enum value, no keyring jargon shown raw."""
    from test_tokens_panel import make_token

    context = request.getfixturevalue(store)
    i18n.install(i18n.ENGLISH)
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    try:
        context.token_store.save(make_token("union_alice"))
        i18n.install(i18n.CHINESE)
        found = {}
        for key in window.panels:
            page = window.show_panel(key)
            if key == "tokens":
                qtbot.waitUntil(lambda page=page: page.model.rowCount() == 1 and page._backend is not None,
                                timeout=WAIT_MS * 2)
                page.table.selectRow(0)
            if key == "settings":
                qtbot.waitUntil(lambda page=page: page._keyring_facts is not None, timeout=WAIT_MS * 2)
            if raw := raw_identifiers(window):
                found[key] = raw
        assert not found, "\n".join(f"{page}: {line}" for page, lines in found.items() for line in lines)
    finally:
        i18n.install(i18n.ENGLISH)
        for token in context.token_store.list():
            context.token_store.delete(token.key)


def test_no_raw_identifiers_after_a_login_in_chinese(qtbot, keyring_ctx):
    """The same check with every page in use: a simulated login, endpoint calls, the token stored."""
    from qrlogin_desktop.ui.screenshots import prepare

    i18n.install(i18n.ENGLISH)
    window = MainWindow(keyring_ctx)
    qtbot.addWidget(window)
    window.show()
    try:
        prepare(window)
        i18n.install(i18n.CHINESE)
        found = []
        for key in window.panels:
            window.show_panel(key)
            found += [f"{key}: {line}" for line in raw_identifiers(window)]
        assert not found, "\n".join(found)
    finally:
        i18n.install(i18n.ENGLISH)
