"""Measuring GUI event-loop stalls: a 5 ms precise timer records when it actually fires; the
longest gap between two ticks is the longest time the GUI thread could not process events.

On Linux each tick also reads the GUI thread's own scheduler figures, so a gap splits into the time
the thread ran (the window's own work) and the time it was ready but waited for a core (a busy
machine); the rest it slept (the GIL, a lock, or nothing to do). On a shared machine the longest
gap alone cannot tell the app's work from the neighbours' load. The kernel brings a running thread's
totals up to date at its ticks, so both figures are good to a tick (1-4 ms).
"""

from __future__ import annotations

import os
import statistics
import time

from PySide6.QtCore import QEventLoop, Qt, QTimer

PROBE_MS = 5


SCHEDSTAT = "/proc/thread-self/schedstat"  # ns on a CPU, ns waiting for one, time slices


class Probe:
    def __init__(self) -> None:
        self.ticks: list[float] = []
        self.sched: list[tuple[int, int]] = []  # (ran ns, waited ns) at each tick, Linux only
        # Opened on the GUI thread (thread-self is the opener's thread) and read by the ticks.
        self._schedstat = os.open(SCHEDSTAT, os.O_RDONLY) if os.path.exists(SCHEDSTAT) else None
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(PROBE_MS)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        self.ticks.append(time.perf_counter())
        if self._schedstat is not None:
            ran, waited, _slices = os.pread(self._schedstat, 100, 0).split()
            self.sched.append((int(ran), int(waited)))

    def start(self) -> None:
        self.ticks, self.sched = [], []
        self._tick()
        self.timer.start()

    def stop(self) -> dict[str, float]:
        self.timer.stop()
        self._tick()
        gaps = [(b - a) * 1000 for a, b in zip(self.ticks, self.ticks[1:], strict=False)]
        ordered = sorted(gaps)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        figures = {"max": ordered[-1], "p99": p99, "median": statistics.median(ordered), "ticks": len(gaps),
                   "duration": (self.ticks[-1] - self.ticks[0]) * 1000}
        if self.sched:
            ran = [(b[0] - a[0]) / 1e6 for a, b in zip(self.sched, self.sched[1:], strict=False)]
            waited = [(b[1] - a[1]) / 1e6 for a, b in zip(self.sched, self.sched[1:], strict=False)]
            longest = gaps.index(ordered[-1])
            figures.update(ran_in_max=ran[longest], waited_in_max=waited[longest], max_ran=max(ran))
        return figures


def split_of_longest(figures: dict[str, float]) -> str:
    """How the longest gap splits (Linux), for a report line; empty where the figures are missing."""
    if "ran_in_max" not in figures:
        return ""
    return (f"longest gap: GUI thread ran {figures['ran_in_max']:.1f} ms, waited for a core "
            f"{figures['waited_in_max']:.1f} ms; most it ran in any gap {figures['max_ran']:.1f} ms")


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


