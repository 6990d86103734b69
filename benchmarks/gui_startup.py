"""Cold start to a shown main window, next to a bare PySide6 window, in the same run.

Each sample is a fresh interpreter (cold imports, no shared state) started with
``QT_QPA_PLATFORM=offscreen``; the clock runs from launching the process to the line the child
prints once its window has been shown and the event loop has turned once (first paint queued).
Our app starts exactly as ``qrlogin-desktop`` does: window first, embedded sandbox right after.

    python benchmarks/gui_startup.py [--runs 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

BARE = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication(sys.argv)
w = QWidget(); w.resize(1280, 820); w.show()
QTimer.singleShot(0, lambda: (print("shown", flush=True), app.quit()))
app.exec()
"""

OURS = """
import sys
from PySide6.QtCore import QTimer
from qrlogin_desktop.ui.app import build_window, create_app
app = create_app(sys.argv)
window = build_window()
window.show()
ctx = window.ctx
QTimer.singleShot(0, lambda: print("shown", flush=True))  # as for the bare window: one turn after show()
window.build_pages_when_idle(first=("qr_login",), then=lambda: ctx.activate(ctx.profiles.active))
# Ready: the QR Login page is built and connected to the embedded sandbox (Start enabled).
def ready():
    panel = window.panels["qr_login"] if window.panels.built("qr_login") else None
    if panel is not None and ctx.client is not None and panel.start_button.isEnabled():
        print("ready", flush=True)
        app.quit()
    else:
        QTimer.singleShot(5, ready)
QTimer.singleShot(0, ready)
app.exec()
ctx.shutdown()
"""


def sample(code: str, env: dict[str, str]) -> tuple[float, float | None]:
    """(ms to "shown", ms to "ready" or None for the bare window)."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            env=env, text=True)
    assert proc.stdout is not None
    marks: dict[str, float] = {}
    for line in proc.stdout:
        marks[line.strip()] = (time.perf_counter() - start) * 1000
    proc.wait(timeout=30)
    if "shown" not in marks:
        raise RuntimeError("the child did not show its window")
    return marks["shown"], marks.get("ready")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as config:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QRLOGIN_CONFIG_DIR=config)
        # Bytecode as an installed app has it (pip compiles .pyc at install time): without this a
        # PYTHONDONTWRITEBYTECODE environment recompiles every module of an editable checkout.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        sample(BARE, env), sample(OURS, env)  # warm the OS file cache for both
        bare, ours, ready = [], [], []
        for _ in range(args.runs):  # interleaved so drift in machine load hits both alike
            bare.append(sample(BARE, env)[0])
            shown, usable = sample(OURS, env)
            ours.append(shown)
            ready.append(usable)
    b, o, r = statistics.median(bare), statistics.median(ours), statistics.median(ready)
    print(f"cold start, median of {args.runs} (min–max), offscreen Qt")
    print(f"  bare PySide6 window shown        {b:7.0f} ms  ({min(bare):.0f}–{max(bare):.0f})")
    print(f"  qrlogin-desktop window shown     {o:7.0f} ms  ({min(ours):.0f}–{max(ours):.0f})")
    print(f"  ... QR Login ready on sandbox    {r:7.0f} ms  ({min(ready):.0f}–{max(ready):.0f})"
          "  (page built, embedded sandbox started, Start enabled)")
    ratio = o / b
    print(f"  shown ratio                      {ratio:7.2f}×  (target ≤ 2.5×: {'PASS' if ratio <= 2.5 else 'MISS'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
