"""``qrlogin-desktop gui``: the desktop app. ``gui --startup-probe``: start exactly as the app does,
report when it is usable, quit.

The probe is for benchmarks/gui_startup.py, which times a fresh process to these lines: the same probe runs in a
pip install and in a packaged bundle (which cannot run arbitrary ``python -c`` code), so the two
are measured the same way. Prints ``shown`` one event-loop turn after the window is shown (first
paint queued) and ``ready`` once the QR Login page is built and connected to the embedded sandbox
(Start enabled); gives up after ``READY_DEADLINE_S`` with exit status 1.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..sandbox.forked import ForkedSandbox
    from ..storage.profiles import ProfileStore

READY_DEADLINE_S = 60.0
POLL_MS = 5


def run_gui(*, startup_probe: bool = False) -> int:
    from ..flow.session import prestart_embedded_sandbox
    from ..storage.profiles import ProfileStore

    profiles = ProfileStore().load()
    # First of all, while this process is one thread without Qt: the embedded sandbox starts in a
    # forked child on the other core while this one builds the window (sandbox/forked.py).
    prestarted = prestart_embedded_sandbox(profiles.active)
    from ..ui.import_scan import skip_feature_scan

    skip_feature_scan()  # before the app's own modules and every stack after them load
    if startup_probe:
        return run_startup_probe(profiles, prestarted)
    from ..ui.app import run

    return run(profiles=profiles, prestarted_sandbox=prestarted)


def run_startup_probe(profiles: ProfileStore, prestarted: ForkedSandbox | None) -> int:
    from PySide6.QtCore import QTimer

    from ..ui.app import build_window, create_app, start

    app = create_app([sys.argv[0]])
    window = build_window(profiles, prestarted_sandbox=prestarted)
    window.show()
    ctx = window.ctx
    QTimer.singleShot(0, lambda: print("shown", flush=True))
    start(window)
    deadline = time.monotonic() + READY_DEADLINE_S
    outcome = {"status": 1}

    def usable() -> bool:
        if outcome["status"] == 0:
            return True
        panel = window.panels["qr_login"] if window.panels.built("qr_login") else None
        if panel is not None and ctx.client is not None and panel.start_button.isEnabled():
            print("ready", flush=True)
            outcome["status"] = 0
            app.quit()
        return outcome["status"] == 0

    def poll() -> None:
        if usable():
            return
        if time.monotonic() > deadline:
            print(f"not ready within {READY_DEADLINE_S:g} s", file=sys.stderr, flush=True)
            app.quit()
        else:
            QTimer.singleShot(POLL_MS, poll)

    # Checked in the turn right after the connection arrives (the remaining pages are built in the
    # turns queued behind it), and polled meanwhile.
    ctx.connection_changed.connect(lambda: QTimer.singleShot(0, usable))
    QTimer.singleShot(0, poll)
    try:
        app.exec()
    finally:
        ctx.shutdown()
    return outcome["status"]
