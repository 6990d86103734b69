"""The window opens on the embedded sandbox and every panel is reachable."""

from __future__ import annotations

from qrlogin_desktop.ui.main_window import MainWindow


def test_main_window_connects_to_embedded_sandbox(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    assert ctx.connection.base_url.startswith("http://127.0.0.1:")
    qtbot.waitUntil(lambda: isinstance(ctx.health, float), timeout=5000)
    assert "Sandbox" in window.status_profile.text()
    for key in window.panels:
        assert window.show_panel(key) is window.current_page()
