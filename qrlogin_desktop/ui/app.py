"""Starting the desktop app: the window first, then (in the background) the active connection.

On first run there is no configuration: the "Sandbox" profile is active, so the embedded server
starts on a free loopback port while the window is being built: in a child process forked at
launch (cli/gui.py, sandbox/forked.py), or where that cannot be on a worker thread once the window
is on screen.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from .. import APP_NAME, __version__
from ..storage.profiles import ProfileStore
from . import i18n, theme
from .context import AppContext
from .icon import app_icon
from .main_window import MainWindow

if TYPE_CHECKING:
    from ..sandbox.forked import ForkedSandbox

# Qt's raster engine splits a large fill (a scroll bar's gradient, a page's background) and a smooth
# image scale across a pool of threads and blocks the GUI thread until all of them have run. On a busy
# machine those threads wait for a core, and the window waits with them: paints of the QR Login page
# took up to twice as long in wall time as with the pool off, for no CPU saved (issue 11, GUI stalls).
# Read by Qt once, when the pool is first wanted; an operator's own setting wins.
GUI_THREAD_POOL_OFF = ("QT_NO_GUI_THREADPOOL", "1")


def create_app(argv: list[str] | None = None) -> QApplication:
    os.environ.setdefault(*GUI_THREAD_POOL_OFF)
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_NAME)
    app.setWindowIcon(app_icon())
    return app


def build_window(profiles: ProfileStore | None = None, ctx: AppContext | None = None,
                 prestarted_sandbox: ForkedSandbox | None = None) -> MainWindow:
    profiles = profiles or ProfileStore().load()
    i18n.install(profiles.settings.get("language"))
    theme.install(profiles.settings.get(theme.SETTING))
    ctx = ctx or AppContext(profiles, prestarted_sandbox=prestarted_sandbox)
    window = MainWindow(ctx)
    geometry = profiles.settings.get("window_geometry")
    if geometry:
        window.restore_saved_geometry(geometry)
    return window


def start(window: MainWindow) -> None:
    """What follows the first paint, each step in its own event-loop turn: the connection (the
    embedded sandbox starts on a worker), the QR Login page, and only once the connection is up (or
    failed) the other pages. Building a page holds the GIL for tens of milliseconds, which would slow the
    worker's imports and sandbox start-up that make the QR Login page usable."""
    ctx = window.ctx
    # Connecting first: the worker's imports overlap the page's construction (much of it C++).
    QTimer.singleShot(0, lambda: ctx.activate(ctx.profiles.active, on_done=lambda _: window.build_pages_when_idle()))
    QTimer.singleShot(0, lambda: window.panels["qr_login"])


def run(argv: list[str] | None = None, profiles: ProfileStore | None = None,
        prestarted_sandbox: ForkedSandbox | None = None) -> int:
    app = create_app(argv)
    window = build_window(profiles, prestarted_sandbox=prestarted_sandbox)
    ctx = window.ctx
    window.show()
    start(window)
    try:
        return app.exec()
    finally:
        try:
            ctx.profiles.save()
        finally:
            ctx.shutdown()
