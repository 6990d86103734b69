"""Secret scans of a GUI session with odd credentials: no credential, token or sessionKey in any file
the app wrote (config dir, the temp dir it was given, the HAR export), any log record at DEBUG (root,
httpx, httpcore), or any text the window shows (every label, editor, table, tooltip, the status bar).

The very long credential is valid: a loopback sandbox is started with it, the profile is made in
the Settings page, a QR login runs through the QR Login page and JSCode2Session/Decrypt carry a real
sessionKey. The credentials with a line break, non-ASCII characters or a tab cannot be sent as a
header: the Settings page refuses them with the rule's name, and one already in the keyring (put
there by another tool) makes the connection fail with a message that names the rule, not the value.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
import tempfile
from pathlib import Path
from unittest import mock
from urllib.parse import quote, quote_plus

import pytest
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget
from test_full_session import all_texts
from test_qr_login_panel import WAIT_MS, click, log_in_by_clicking
from ui_support import CONNECT_TIMEOUT_MS

from qrlogin_desktop.sandbox import Sandbox, SandboxConfig, SandboxThread
from qrlogin_desktop.sandbox.wechat import aes_cbc_encrypt
from qrlogin_desktop.storage.profiles import Profile
from qrlogin_desktop.ui.main_window import MainWindow
from qrlogin_desktop.ui.runner import Outcome

pytestmark = pytest.mark.proof

APP_KEY = "scan-app"
VERY_LONG = 4000  # characters


def fragments(secret: str, window: int = 20) -> set[str]:
    """The secret, as is and percent-encoded (a sessionKey travels in a URL), and enough of their
    ``window``-character runs that any leaked run of 2 x window is caught."""
    found = set()
    for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
        step = 1 if len(form) < 200 else window
        found |= {form} | {form[i:i + window] for i in range(0, max(0, len(form) - window) + 1, step)}
    return found


def assert_absent(text: str, where: str, secrets_by_name: dict[str, str]) -> None:
    for name, secret in secrets_by_name.items():
        for fragment in fragments(secret):
            assert fragment not in text, f"(part of) the {name} appears in {where}"


def files_text(top: Path) -> list[tuple[Path, bytes]]:
    found = []
    for root, _dirs, names in os.walk(top):
        for name in names:
            path = Path(root, name)
            if path.is_file() and not path.is_symlink():
                found.append((path, path.read_bytes()))
    return found


def assert_absent_in_files(top: Path, secrets_by_name: dict[str, str]) -> int:
    files = files_text(top)
    for path, data in files:
        for name, secret in secrets_by_name.items():
            for fragment in fragments(secret):
                assert fragment.encode() not in data, f"(part of) the {name} is in {path}"
    return len(files)


def window_texts(window: MainWindow) -> str:
    """Every page, the status bar (labels, tooltips, the transient message) and any dialog open."""
    parts = [window.windowTitle(), window.statusBar().currentMessage()]
    for key in window.panels:
        page = window.show_panel(key)
        QApplication.processEvents()
        parts.append(all_texts(page))
    parts.append(all_texts(window))
    parts += [w.toolTip() for w in window.findChildren(QWidget)]
    for top in QApplication.topLevelWidgets():
        if top.isVisible():
            parts += [top.windowTitle(), all_texts(top)]
    return "\n".join(parts)


def log_text(caplog: pytest.LogCaptureFixture) -> str:
    return caplog.text + "\n".join(
        f"{r.name} {r.getMessage()} {r.exc_text or ''} {r.args!r}" for r in caplog.records)


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


@pytest.fixture
def app_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temp dir the app is given (tempfile's, and TMPDIR for anything it starts)."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    return tmp


def _run(qtbot, ctx, coro) -> Outcome:
    outcomes: list[Outcome] = []
    ctx.run(coro, outcomes.append)
    qtbot.waitUntil(lambda: bool(outcomes), timeout=WAIT_MS)
    return outcomes[0]


def _new_profile_in_settings(qtbot, window: MainWindow, url: str, credential: str):
    settings = window.show_panel("settings")
    settings.new_button.click()
    settings.name.setText("Scan")
    settings.base_url.setText(url)
    settings.app_key.setText(APP_KEY)
    settings.credential.setText(credential)  # as a paste does
    return settings


def test_a_session_with_a_very_long_credential_leaves_no_secret_anywhere(qtbot, keyring_ctx, tmp_path,
                                                                         app_tmp, debug_logs):
    long_secret = "L-" + secrets.token_urlsafe(VERY_LONG)[: VERY_LONG - 2]
    server = SandboxThread(Sandbox(SandboxConfig(app_key=APP_KEY, token=long_secret))).start()
    ctx = keyring_ctx
    try:
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        window.resize(1400, 900)
        window.show()
        settings = _new_profile_in_settings(qtbot, window, server.url, long_secret)
        settings.poll_min.setValue(0.05)
        settings.poll_idle.setValue(0.1)
        settings.use_button.click()
        qtbot.waitUntil(lambda: ctx.client is not None and ctx.profile.name == "Scan", timeout=CONNECT_TIMEOUT_MS)
        profile = ctx.profile
        assert ctx.token_store.get_credential(profile.id) == long_secret

        panel = window.show_panel("qr_login")
        token = log_in_by_clicking(qtbot, panel)

        session = _run(qtbot, ctx, ctx.client.jscode2session("scan-code-1"))
        assert session.ok, session.error
        session_key = json.loads(session.value)["session_key"]
        iv = secrets.token_bytes(16)
        encrypted = aes_cbc_encrypt('{"phoneNumber": "13800000000"}', iv, base64.b64decode(session_key))
        decrypted = _run(qtbot, ctx, ctx.client.decrypt(encrypted, base64.b64encode(iv).decode(), session_key))
        assert decrypted.ok, decrypted.error
        log = window.request_log
        qtbot.waitUntil(lambda: log.model.rowCount() >= 5, timeout=WAIT_MS)  # Initiate, Scan, Confirm, 2 more
        assert "Online" in window.status_health.text()  # the long credential is taken, not refused

        named = {"credential": long_secret, "token": token, "token body": token.split(".", 1)[1],
                 "sessionKey": session_key}
        for row in range(log.model.rowCount()):  # each request's details pane
            log.table.selectRow(row)
            qtbot.waitUntil(lambda: not log.details_loading, timeout=WAIT_MS)  # the bodies are formatted off-thread
            assert_absent(all_texts(log), f"the request log, row {row}", named)
        assert_absent(window_texts(window), "the window", named)

        har = tmp_path / "export" / "session.har"
        har.parent.mkdir()
        with mock.patch.object(QFileDialog, "getSaveFileName", return_value=(str(har), "")):
            click(qtbot, log.export_button)
        qtbot.waitUntil(har.exists, timeout=WAIT_MS)
        ctx.profiles.save()
        assert assert_absent_in_files(tmp_path, named) >= 2  # profiles.json and the HAR at least
        assert any(r.name.startswith(("httpx", "httpcore")) for r in debug_logs.records), \
            "httpx/httpcore logged nothing at DEBUG: the log check would prove nothing"
        assert_absent(log_text(debug_logs), "the DEBUG log", named)
    finally:
        server.stop()


ODD = {
    "trailing newline": lambda base: base + "\n",
    "non-ASCII": lambda base: base + "é密钥",
    "a tab inside": lambda base: base[:12] + "\t" + base[12:],
}


@pytest.mark.parametrize("kind", list(ODD))
def test_odd_credentials_are_refused_by_name_and_leave_no_trace(qtbot, keyring_ctx, tmp_path, app_tmp,
                                                                debug_logs, kind):
    odd = ODD[kind]("G-" + secrets.token_urlsafe(30))
    server = SandboxThread(Sandbox(SandboxConfig(app_key=APP_KEY, token="the-right-credential-123"))).start()
    ctx = keyring_ctx
    try:
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        window.show()

        # Typed (pasted) into Settings: refused with the rule, not kept in the form, not stored.
        settings = _new_profile_in_settings(qtbot, window, server.url, odd)
        settings.save_button.click()
        assert settings.banner.isVisible()
        assert "token: only visible ASCII characters" in settings.banner.text, settings.banner.text
        assert settings.credential.text() == ""
        profile = ctx.profiles.find("Scan")
        assert profile is None or ctx.token_store.get_credential(profile.id) is None

        # Already in the keyring (another tool wrote it): connecting fails, naming the rule.
        stored = Profile(name="Stored odd", base_url=server.url, app_key=APP_KEY)
        ctx.profiles.upsert(stored)
        ctx.token_store.save_credential(stored.id, odd)
        failures: list[str] = []
        ctx.connection_failed.connect(failures.append)
        ctx.activate(stored)
        qtbot.waitUntil(lambda: bool(failures), timeout=CONNECT_TIMEOUT_MS)
        assert "token: only visible ASCII characters" in failures[0] and "<hidden>" in failures[0]
        assert "Could not connect" in window.statusBar().currentMessage()

        named = {"credential": odd.strip(), "credential core": odd.strip().split("\t")[0][:14]}
        assert_absent(window_texts(window), "the window", named)
        ctx.profiles.save()
        assert_absent_in_files(tmp_path, named)
        assert_absent(log_text(debug_logs), "the DEBUG log", named)
    finally:
        server.stop()
