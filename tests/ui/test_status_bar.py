"""The status bar's health dot tells "the server answers" from "the server takes our credential"."""

from __future__ import annotations

import pytest
from ui_support import CONNECT_TIMEOUT_MS

from qrlogin_desktop.sandbox import Sandbox, SandboxConfig, SandboxThread
from qrlogin_desktop.storage.profiles import Profile
from qrlogin_desktop.ui.context import AppContext
from qrlogin_desktop.ui.main_window import MainWindow
from qrlogin_desktop.ui.runner import Outcome

RIGHT = "status-bar-right-credential-0123"
WRONG = "status-bar-wrong-credential-4567"


@pytest.fixture
def server():
    running = SandboxThread(Sandbox(SandboxConfig(app_key="bar-app", token=RIGHT))).start()
    yield running
    running.stop()


def _initiate(qtbot, ctx: AppContext) -> Outcome:
    outcomes: list[Outcome] = []
    ctx.run(ctx.client.initiate(), outcomes.append)
    qtbot.waitUntil(lambda: bool(outcomes), timeout=10_000)
    return outcomes[0]


def test_a_refused_credential_turns_the_dot_from_green(qtbot, profiles, memory_store, server):
    profile = Profile(name="Bar", base_url=server.url, app_key="bar-app")
    profiles.upsert(profile)
    memory_store.save_credential(profile.id, WRONG)
    ctx = AppContext(profiles, token_store=memory_store)
    try:
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        ctx.activate(profile)
        qtbot.waitUntil(lambda: "Online · " in window.status_health.text(), timeout=CONNECT_TIMEOUT_MS)

        refused = _initiate(qtbot, ctx)
        assert not refused.ok and getattr(refused.error, "code", None) == 401
        qtbot.waitUntil(lambda: "Credential refused (401)" in window.status_health.text(), timeout=5000)
        assert "Online" not in window.status_health.text()
        assert "#188038" not in window.status_health.styleSheet()  # not green
        ctx.check_health()  # the server still answers the ping: that must not turn it green again
        qtbot.wait(300)
        assert "Credential refused (401)" in window.status_health.text()

        ctx.client.token = RIGHT  # the same connection, now with the credential the server takes
        assert _initiate(qtbot, ctx).ok
        qtbot.waitUntil(lambda: "Online · " in window.status_health.text(), timeout=5000)

        # A new connection starts with a clean slate.
        ctx.client.token = WRONG
        assert not _initiate(qtbot, ctx).ok
        qtbot.waitUntil(lambda: ctx.credential_refused, timeout=5000)
        ctx.activate(profile)
        assert not ctx.credential_refused
    finally:
        ctx.shutdown()
