"""Tokens panel: real Secret Service listing, redaction, reveal/copy/delete, a hung keyring, memory-only."""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import time

import keyring.backend
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox
from ui_support import in_chinese

from qrlogin_desktop.flow.session import EMBEDDED_SERVER_LABEL
from qrlogin_desktop.storage.keystore import StoredToken, TokenKey, TokenStore
from qrlogin_desktop.ui.models.tokens_model import Column
from qrlogin_desktop.ui.panels.tokens import ListState, TokensPanel

WAIT_MS = 10_000
CJK = re.compile(r"[\u3400-\u9fff]")
TEXT_ROLES = (0, 2, 3, 4, 5)  # Display, Edit, ToolTip, StatusTip, WhatsThis


def _b64url(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def make_jwt(unionid: str, *, iat: int, exp: int) -> str:
    header = _b64url({"alg": "HS256", "typ": "JWT"})
    payload = _b64url({"unionid": unionid, "iat": iat, "exp": exp, "scope": ["userinfo", "phone"]})
    return f"{header}.{payload}.{secrets.token_urlsafe(32)}"


def make_token(account: str, lifetime: int = 7200) -> StoredToken:
    now = int(time.time())
    jwt = make_jwt(account, iat=now, exp=now + lifetime)
    return StoredToken(TokenKey(EMBEDDED_SERVER_LABEL, "demo", account), jwt, "Bearer", lifetime, float(now))


def table_texts(panel: TokensPanel) -> list[str]:
    proxy = panel.proxy
    out = []
    for row in range(proxy.rowCount()):
        for col in range(proxy.columnCount()):
            index = proxy.index(row, col)
            for role in TEXT_ROLES:
                value = index.data(role)
                if value is not None:
                    out.append(str(value))
    return out


def detail_texts(panel: TokensPanel) -> str:
    items = []
    tree = panel.claims_tree
    stack = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    while stack:
        item = stack.pop()
        items.append(f"{item.text(0)}={item.text(1)}")
        stack.extend(item.child(i) for i in range(item.childCount()))
    labels = [panel.key_value.text(), panel.type_value.text(), panel.obtained_value.text(),
              panel.expiry_value.text(), panel.token_view.toPlainText()]
    return "\n".join(labels + items)


def select_account(panel: TokensPanel, account: str) -> StoredToken:
    for row in range(panel.proxy.rowCount()):
        if panel.proxy.index(row, Column.ACCOUNT).data() == account:
            panel.table.selectRow(row)
            assert panel._shown is not None and panel._shown.key.account == account
            return panel._shown
    raise AssertionError(f"no row for {account}")


@pytest.fixture
def two_tokens(keyring_store):
    tokens = [make_token("union_alice"), make_token("union_bob", lifetime=120)]
    for token in tokens:
        assert keyring_store.save(token).location == "keyring"
    return {t.key.account: t for t in tokens}


@pytest.fixture
def tokens_panel(qtbot, keyring_ctx, two_tokens):
    panel = TokensPanel(keyring_ctx)
    qtbot.addWidget(panel)
    panel.resize(1100, 700)
    panel.show()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=WAIT_MS)
    return panel


@pytest.mark.keyring
def test_lists_keyring_tokens_redacted_with_claims(qtbot, tokens_panel, two_tokens):
    panel = tokens_panel
    assert not panel.banner.isVisible()
    assert {panel.proxy.index(r, Column.ACCOUNT).data() for r in range(2)} == {"union_alice", "union_bob"}
    assert all("Sandbox" in panel.proxy.index(r, Column.SERVER).data() for r in range(2))  # the profile's name
    texts = "\n".join(table_texts(panel))
    for token in two_tokens.values():
        assert token.access_token not in texts
        assert token.redacted() in texts
    qtbot.waitUntil(lambda: panel.backend_label.text() == "Stored in: System keyring (Secret Service)",
                    timeout=WAIT_MS)
    assert "SecretService" in panel.backend_label.toolTip()  # keyring's own description, for support
    assert not panel.memory_warning.isVisible()

    alice = select_account(panel, "union_alice")
    details = detail_texts(panel)
    assert "unionid=union_alice" in details
    assert alice.access_token not in details and alice.redacted() in details
    exp = alice.claims["exp"]
    local = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(exp))
    assert f"exp (expires)={exp}  →  {local}" in details  # timestamps also as local time
    assert any(line.startswith("iat (issued at)=") for line in details.splitlines())
    assert "Bearer" == panel.type_value.text()


@pytest.mark.keyring
def test_reveal_is_explicit_and_hides_on_selection_change(qtbot, tokens_panel, two_tokens):
    panel = tokens_panel
    alice = select_account(panel, "union_alice")
    assert panel.token_view.toPlainText() == alice.redacted()
    panel.reveal_button.click()
    assert panel.token_view.toPlainText() == alice.access_token
    assert panel.reveal_button.isChecked()

    bob = select_account(panel, "union_bob")
    assert not panel.reveal_button.isChecked()
    assert panel.token_view.toPlainText() == bob.redacted()
    assert alice.access_token not in detail_texts(panel)

    # A refresh (e.g. another panel saved a token) keeps a revealed selection as it was.
    panel.reveal_button.click()
    panel.ctx.tokens_changed.emit()
    qtbot.waitUntil(lambda: panel._state is ListState.LOADED and not panel._loading, timeout=WAIT_MS)
    assert panel._shown.key == bob.key and panel.token_view.toPlainText() == bob.access_token
    panel.reveal_button.click()  # Hide
    assert panel.token_view.toPlainText() == bob.redacted()


@pytest.mark.keyring
def test_copy_puts_the_token_on_the_clipboard(qtbot, tokens_panel):
    panel = tokens_panel
    bob = select_account(panel, "union_bob")
    QGuiApplication.clipboard().clear()
    panel.copy_button.click()
    assert QGuiApplication.clipboard().text() == bob.access_token
    assert "copied" in panel.status_label.text().lower()
    assert bob.access_token not in panel.status_label.text()
    QGuiApplication.clipboard().clear()


@pytest.mark.keyring
def test_delete_asks_first(qtbot, tokens_panel, keyring_store, monkeypatch):
    panel = tokens_panel
    alice = select_account(panel, "union_alice")
    asked = []

    def decline(*args, **kwargs):
        asked.append(args[2])
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", decline)
    panel.delete_button.click()
    assert asked and "union_alice" in asked[0] and alice.access_token not in asked[0]
    qtbot.wait(300)
    assert panel.model.rowCount() == 2
    assert {t.key.account for t in keyring_store.list()} == {"union_alice", "union_bob"}

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    panel.delete_button.click()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=WAIT_MS)
    assert [t.key.account for t in keyring_store.list()] == ["union_bob"]
    assert keyring_store.get(alice.key) is None
    assert "Deleted" in panel.status_label.text()
    assert panel._shown is None  # the deleted row's details are gone


@pytest.mark.keyring
def test_countdown_repaints_only_the_expiry_column(qtbot, tokens_panel):
    panel = tokens_panel
    changed: list[tuple[int, int]] = []
    panel.model.dataChanged.connect(lambda tl, br, roles=(): changed.append((tl.column(), br.column())))
    bob = next(r for r in range(2) if panel.proxy.index(r, Column.ACCOUNT).data() == "union_bob")
    before = panel.proxy.index(bob, Column.EXPIRES_IN).data()  # "1m 59s": seconds tick visibly
    qtbot.waitUntil(lambda: len(changed) >= 2, timeout=5000)
    assert set(changed) == {(Column.EXPIRES_IN, Column.EXPIRES_IN)}
    qtbot.waitUntil(lambda: panel.proxy.index(bob, Column.EXPIRES_IN).data() != before, timeout=5000)


# --- no real keyring needed below ---------------------------------------------------------------------


class HungBackend(keyring.backend.KeyringBackend):
    """Answers nothing until released: a keyring waiting on an unlock prompt nobody answers."""

    priority = 1
    viable = False  # class level: keyring's own backend discovery must never pick this up

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service, username):
        self.release.wait(30)
        return None

    def set_password(self, service, username, password):
        self.release.wait(30)

    def delete_password(self, service, username):
        self.release.wait(30)


@pytest.fixture
def hung_keyring(profiles):
    """A context whose token store waits on a keyring that does not answer (0.3 s timeout) until
    ``backend.release`` is set; released and shut down afterwards."""
    from qrlogin_desktop.ui.context import AppContext

    backend = HungBackend()
    ctx = AppContext(profiles, token_store=TokenStore(backend=backend, service="qrlogin-ui-test-hung", timeout=0.3))
    try:
        yield backend, ctx
    finally:
        backend.release.set()
        ctx.shutdown()


def test_hung_keyring_shows_retry_and_the_window_stays_responsive(qtbot, hung_keyring):
    backend, ctx = hung_keyring
    panel = TokensPanel(ctx)
    qtbot.addWidget(panel)
    ticks = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    started = time.monotonic()
    panel.show()  # first show loads the list
    assert time.monotonic() - started < 0.2  # show() itself did not wait for the keyring
    qtbot.waitUntil(lambda: panel.banner.isVisible(), timeout=5000)
    assert len(ticks) >= 5  # the event loop kept running while the keyring call hung
    assert "did not answer in time" in panel.banner.text
    assert panel.banner.retry_button.isVisible()
    assert panel.refresh_button.isEnabled()

    # Still hung: Retry fails again, in place.
    panel.banner.retry_button.click()
    assert not panel.banner.isVisible()
    qtbot.waitUntil(lambda: panel.banner.isVisible(), timeout=5000)

    # The keyring answers again: Retry recovers.
    backend.release.set()
    panel.banner.retry_button.click()
    qtbot.waitUntil(lambda: panel._state is ListState.LOADED, timeout=5000)
    assert not panel.banner.isVisible()
    assert panel.model.rowCount() == 0
    assert panel.state_label.text() == "No stored tokens"
    timer.stop()


def test_memory_only_tokens_are_listed_with_a_warning(qtbot, ctx):
    token = make_token("union_mem")
    result = ctx.token_store.save(token)
    assert result.location == "memory"
    panel = TokensPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=WAIT_MS)
    assert panel.memory_warning.isVisible()
    assert "memory only" in panel.memory_warning.text()
    qtbot.waitUntil(lambda: panel.backend_label.text().startswith("No usable keyring: tokens and credentials are "
                                                                  "kept in memory only"), timeout=WAIT_MS)
    assert "not usable" in panel.backend_label.toolTip()
    assert token.access_token not in "\n".join(table_texts(panel))
    tooltip = panel.proxy.index(0, Column.ACCOUNT).data(3)
    assert "memory" in tooltip.lower()
    panel.retranslate()  # a language switch re-renders without losing state
    assert panel.model.rowCount() == 1 and panel.memory_warning.isVisible()


def test_refreshes_when_tokens_change_and_only_when_shown(qtbot, ctx):
    panel = TokensPanel(ctx)
    qtbot.addWidget(panel)
    ctx.tokens_changed.emit()  # hidden: nothing is read yet
    assert panel._state is ListState.IDLE
    panel.show()
    qtbot.waitUntil(lambda: panel._state is ListState.LOADED, timeout=WAIT_MS)
    assert panel.model.rowCount() == 0
    ctx.token_store.save(make_token("union_new"))
    ctx.tokens_changed.emit()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=WAIT_MS)


# --- keyboard, plurals and texts in the UI's language ----------------------------------------------------


@pytest.mark.keyring
def test_delete_key_on_the_table_deletes_after_the_confirmation(qtbot, tokens_panel, keyring_store, monkeypatch):
    panel = tokens_panel
    alice = select_account(panel, "union_alice")
    asked = []
    answer = [QMessageBox.StandardButton.No]

    def question(*args, **kwargs):
        asked.append(args[2])
        return answer[0]

    monkeypatch.setattr(QMessageBox, "question", question)
    panel.table.setFocus()
    qtbot.waitUntil(panel.table.hasFocus, timeout=WAIT_MS)
    qtbot.keyClick(panel.table, Qt.Key.Key_Delete)
    assert len(asked) == 1 and "union_alice" in asked[0]  # the same confirmation as the button's
    qtbot.wait(300)
    assert keyring_store.get(alice.key) is not None  # "No" keeps it
    answer[0] = QMessageBox.StandardButton.Yes
    qtbot.keyClick(panel.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=WAIT_MS)
    assert keyring_store.get(alice.key) is None


@pytest.mark.keyring
def test_escape_in_the_delete_confirmation_keeps_the_token(qtbot, tokens_panel, keyring_store):
    """A real QMessageBox: Esc answers No."""
    from PySide6.QtWidgets import QApplication

    panel = tokens_panel
    alice = select_account(panel, "union_alice")
    seen = []

    def press_escape() -> None:
        box = QApplication.activeModalWidget()
        if box is None:
            QTimer.singleShot(20, press_escape)
            return
        seen.append(box.text() if isinstance(box, QMessageBox) else "")
        qtbot.keyClick(box, Qt.Key.Key_Escape)

    QTimer.singleShot(20, press_escape)
    panel.delete_button.click()  # returns once the box is closed
    assert seen and "union_alice" in seen[0]
    qtbot.wait(300)
    assert keyring_store.get(alice.key) is not None and panel.model.rowCount() == 2


@pytest.mark.keyring
def test_token_count_has_real_plural_forms(qtbot, tokens_panel, keyring_store):
    panel = tokens_panel
    qtbot.waitUntil(lambda: panel._state is ListState.LOADED, timeout=WAIT_MS)
    assert panel.state_label.text() == "2 tokens"
    keyring_store.delete(select_account(panel, "union_alice").key)
    panel.refresh()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=WAIT_MS)
    assert panel.state_label.text() == "1 token"
    with in_chinese():
        assert panel.state_label.text() == "1 个令牌"


def test_memory_warning_has_real_plural_forms(qtbot, ctx):
    ctx.token_store.save(make_token("union_mem"))
    panel = TokensPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=WAIT_MS)
    assert panel.memory_warning.text().startswith("⚠ 1 token is kept in memory only")
    assert "(s)" not in panel.memory_warning.text() + panel.state_label.text()


@pytest.mark.keyring
def test_backend_and_redacted_token_read_in_chinese(qtbot, tokens_panel, two_tokens):
    panel = tokens_panel
    qtbot.waitUntil(lambda: panel.backend_label.text().endswith("(Secret Service)"), timeout=WAIT_MS)
    alice = select_account(panel, "union_alice")
    with in_chinese():
        assert panel.backend_label.text() == "保存于：系统密钥环（Secret Service）"
        length = len(alice.access_token)
        assert panel.token_view.toPlainText() == f"{alice.access_token[:4]}…（{length} 个字符）…{alice.access_token[-3:]}"
        assert "chars" not in "\n".join(table_texts(panel))
    assert panel.token_view.toPlainText() == alice.redacted()


def test_a_shown_error_and_status_follow_a_language_switch(qtbot, hung_keyring):
    """The banner keeps the error, not its English text: a switch renders it again."""
    from qrlogin_desktop.ui import i18n

    _, ctx = hung_keyring
    try:
        panel = TokensPanel(ctx)
        qtbot.addWidget(panel)
        panel.show()
        qtbot.waitUntil(lambda: panel.banner.isVisible(), timeout=5000)
        assert panel.banner.text.startswith("Could not list the stored tokens.")
        assert "did not answer in time" in panel.banner.text
        i18n.install(i18n.CHINESE)
        assert panel.banner.isVisible() and CJK.search(panel.banner.text)
        assert "Could not list" not in panel.banner.text and "did not answer" not in panel.banner.text
        assert CJK.search(panel.state_label.text())
        i18n.install(i18n.ENGLISH)
        assert panel.banner.text.startswith("Could not list the stored tokens.")
    finally:
        i18n.install(i18n.ENGLISH)


@pytest.mark.keyring
def test_a_shown_confirmation_follows_a_language_switch(qtbot, tokens_panel):
    from qrlogin_desktop.ui import i18n

    panel = tokens_panel
    select_account(panel, "union_bob")
    panel.copy_button.click()
    assert panel.status_label.text().startswith("Token copied to the clipboard")
    try:
        i18n.install(i18n.CHINESE)
        assert CJK.search(panel.status_label.text()) and "copied" not in panel.status_label.text()
    finally:
        i18n.install(i18n.ENGLISH)
        QGuiApplication.clipboard().clear()
