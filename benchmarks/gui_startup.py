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
QTimer.singleShot(0, lambda: ctx.activate(ctx.profiles.active))
QTimer.singleShot(0, lambda: (print("shown", flush=True), app.quit()))
app.exec()
ctx.shutdown()
"""


def sample(code: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            env=env, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    proc.wait(timeout=30)
    if line.strip() != "shown":
        raise RuntimeError("the child did not show its window")
    return elapsed * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as config:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QRLOGIN_CONFIG_DIR=config)
        sample(BARE, env), sample(OURS, env)  # warm the OS file cache for both
        bare, ours = [], []
        for _ in range(args.runs):  # interleaved so drift in machine load hits both alike
            bare.append(sample(BARE, env))
            ours.append(sample(OURS, env))
    b, o = statistics.median(bare), statistics.median(ours)
    print(f"cold start to a shown window, median of {args.runs} (min–max), offscreen Qt")
    print(f"  bare PySide6 window   {b:7.0f} ms  ({min(bare):.0f}–{max(bare):.0f})")
    print(f"  qrlogin-desktop       {o:7.0f} ms  ({min(ours):.0f}–{max(ours):.0f})")
    ratio = o / b
    print(f"  ratio                 {ratio:7.2f}×  (target ≤ 2.5×: {'PASS' if ratio <= 2.5 else 'MISS'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
