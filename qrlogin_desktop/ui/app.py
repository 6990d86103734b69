"""Starting the desktop app: the window first, then (in the background) the active connection.

On first run there is no configuration: the "Sandbox" profile is active, so the embedded server
starts on a free loopback port while the window is already on screen.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from .. import __version__
from ..storage.profiles import ProfileStore
from . import i18n, theme
from .context import AppContext
from .icon import app_icon
from .main_window import MainWindow


def create_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName("qrlogin-desktop")
    app.setApplicationDisplayName("qrlogin-desktop")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("qrlogin-desktop")
    app.setWindowIcon(app_icon())
    return app


def build_window(profiles: ProfileStore | None = None, ctx: AppContext | None = None) -> MainWindow:
    profiles = profiles or ProfileStore().load()
    i18n.install(profiles.settings.get("language"))
    theme.install(profiles.settings.get(theme.SETTING))
    ctx = ctx or AppContext(profiles)
    window = MainWindow(ctx)
    geometry = profiles.settings.get("window_geometry")
    if geometry:
        window.restore_saved_geometry(geometry)
    return window


def run(argv: list[str] | None = None) -> int:
    app = create_app(argv)
    window = build_window()
    ctx = window.ctx
    window.show()
    # Build the QR Login page, then connect (starting the embedded sandbox on a worker), then the
    # other pages, each in its own event-loop turn after the first paint: nothing delays the window.
    window.build_pages_when_idle(first=("qr_login",), then=lambda: ctx.activate(ctx.profiles.active))
    try:
        return app.exec()
    finally:
        try:
            ctx.profiles.save()
        finally:
            ctx.shutdown()
