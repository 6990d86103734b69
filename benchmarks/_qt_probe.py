"""Measuring GUI event-loop stalls: a 5 ms precise timer records when it actually fires; the
longest gap between two ticks is the longest time the GUI thread could not process events."""

from __future__ import annotations

import statistics
import time

from PySide6.QtCore import QEventLoop, Qt, QTimer

PROBE_MS = 5


class Probe:
    def __init__(self) -> None:
        self.ticks: list[float] = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(PROBE_MS)
        self.timer.timeout.connect(lambda: self.ticks.append(time.perf_counter()))

    def start(self) -> None:
        self.ticks = [time.perf_counter()]
        self.timer.start()

    def stop(self) -> dict[str, float]:
        self.timer.stop()
        self.ticks.append(time.perf_counter())
        gaps = sorted((b - a) * 1000 for a, b in zip(self.ticks, self.ticks[1:], strict=False))
        p99 = gaps[min(len(gaps) - 1, int(len(gaps) * 0.99))]
        return {"max": gaps[-1], "p99": p99, "median": statistics.median(gaps), "ticks": len(gaps),
                "duration": (self.ticks[-1] - self.ticks[0]) * 1000}


def run_until(done, timeout_s: float = 120.0) -> None:
    loop = QEventLoop()
    check = QTimer()
    check.setInterval(1)
    check.timeout.connect(lambda: loop.quit() if done() else None)
    check.start()
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(loop.quit)
    deadline.start(int(timeout_s * 1000))
    loop.exec()
    check.stop()


def settle(ms: int = 100) -> None:
    end = time.perf_counter() + ms / 1000
    run_until(lambda: time.perf_counter() >= end)


