"""A whole session through the main window: login by clicking, the token in the Tokens panel and the
keyring, then nothing secret in the config file, the request log or its HAR export."""

from __future__ import annotations

import json
from unittest import mock

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget
from test_qr_login_panel import WAIT_MS, click, log_in_by_clicking

from qrlogin_desktop.ui.main_window import MainWindow


def all_texts(widget: QWidget) -> str:
    """Every text a user could see or copy out of the widget tree (labels, editors, tables, trees)."""
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QLabel,
        QLineEdit,
        QPlainTextEdit,
        QTextEdit,
    )

    parts = []
    for child in widget.findChildren(QWidget):
        if isinstance(child, (QLabel, QAbstractButton)):
            parts.append(child.text())
        elif isinstance(child, QLineEdit):
            parts.append(child.text())
        elif isinstance(child, (QPlainTextEdit, QTextEdit)):
            parts.append(child.toPlainText())
        elif isinstance(child, QAbstractItemView) and child.model() is not None:
            model = child.model()
            stack = [QModelIndex()]
            while stack:
                parent = stack.pop()
                for row in range(model.rowCount(parent)):
                    try:
                        columns = max(1, model.columnCount(parent))
                    except TypeError:  # list models keep columnCount private
                        columns = 1
                    for column in range(columns):
                        index = model.index(row, column, parent)
                        for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                            value = model.data(index, role)
                            if value is not None:
                                parts.append(str(value))
                        if column == 0 and parent == QModelIndex() and columns > 1 and model.rowCount(index) > 0:
                            stack.append(index)
    return "\n".join(parts)


def test_login_then_tokens_panel_keyring_and_no_secret_anywhere(qtbot, keyring_ctx, tmp_path):
    ctx = keyring_ctx
    ctx.profile.poll_min_interval, ctx.profile.poll_idle_interval = 0.05, 0.1
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    panel = window.show_panel("qr_login")
    qtbot.waitUntil(panel.start_button.isEnabled, timeout=WAIT_MS)

    token = log_in_by_clicking(qtbot, panel)

    # In the keyring...
    stored = [t for t in ctx.token_store.list() if t.access_token == token]
    assert len(stored) == 1
    # ...and in the Tokens panel (listed, never shown raw).
    tokens = window.show_panel("tokens")
    qtbot.waitUntil(lambda: any(t.access_token == token for t in tokens.model.records()), timeout=WAIT_MS)
    assert stored[0].key.account in all_texts(tokens)

    # Exercise an endpoint panel too, so the log holds more than the QR calls.
    endpoint = window.show_panel("endpoint:UrlLinkGenerate")
    click(qtbot, endpoint.send_button)
    log = window.request_log
    qtbot.waitUntil(lambda: log.model.rowCount() >= 4, timeout=WAIT_MS)

    bearer = ctx.connection.token
    secrets = [token, bearer]
    # Nothing secret on any page, the request log's details included.
    for row in range(log.model.rowCount()):
        log.table.selectRow(row)
        qtbot.waitUntil(lambda: not log.details_loading, timeout=WAIT_MS)  # the bodies are formatted off-thread
        texts = all_texts(log)
        assert not any(s in texts for s in secrets)
    for key in window.panels:
        page = window.show_panel(key)
        QApplication.processEvents()
        page_text = all_texts(page)
        assert bearer not in page_text, key
        assert token not in page_text, key  # only an explicit Reveal shows it

    # The HAR export and the config file hold no secret either.
    har = tmp_path / "session.har"
    with mock.patch.object(QFileDialog, "getSaveFileName", return_value=(str(har), "")):
        click(qtbot, log.export_button)
    qtbot.waitUntil(har.exists, timeout=WAIT_MS)
    exported = har.read_text(encoding="utf-8")
    assert len(json.loads(exported)["log"]["entries"]) == log.model.rowCount()
    assert not any(s in exported for s in secrets)
    ctx.profiles.save()
    config = ctx.profiles.path.read_text(encoding="utf-8")
    assert not any(s in config for s in secrets)
    for path in ctx.profiles.path.parent.rglob("*"):
        if path.is_file():
            assert not any(s.encode() in path.read_bytes() for s in secrets), path
