"""AsyncRunner: coroutines on its worker loop, every outcome back on the GUI thread as an Outcome."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from qrlogin_desktop.ui.runner import AsyncRunner, Outcome

WAIT_MS = 5_000


@pytest.fixture
def runner(qtbot):
    r = AsyncRunner()
    yield r
    r.shutdown()


def _collect() -> tuple[list[tuple[Outcome, threading.Thread]], object]:
    seen: list[tuple[Outcome, threading.Thread]] = []
    return seen, lambda outcome: seen.append((outcome, threading.current_thread()))


def test_a_result_comes_back_on_the_gui_thread(qtbot, runner):
    seen, on_done = _collect()

    async def work() -> str:
        return threading.current_thread().name

    runner.submit(work(), on_done)
    qtbot.waitUntil(lambda: bool(seen), timeout=WAIT_MS)
    (outcome, thread), = seen
    assert outcome.ok and outcome.value == "qrlogin-async"  # it ran on the worker...
    assert thread is threading.main_thread()  # ...and was delivered on the GUI thread


def test_an_error_comes_back_as_an_outcome(qtbot, runner):
    seen, on_done = _collect()

    async def work() -> None:
        raise ValueError("field 'x' must be positive")

    future = runner.submit(work(), on_done)
    qtbot.waitUntil(lambda: bool(seen), timeout=WAIT_MS)
    (outcome, thread), = seen
    assert not outcome.ok and not outcome.cancelled and thread is threading.main_thread()
    assert isinstance(outcome.error, ValueError) and "field 'x'" in str(outcome.error)
    assert future.exception() is outcome.error


def test_cancel_comes_back_as_a_cancelled_outcome(qtbot, runner):
    seen, on_done = _collect()
    started, cleaned_up = threading.Event(), threading.Event()

    async def work() -> None:
        started.set()
        try:
            await asyncio.sleep(60)
        finally:
            cleaned_up.set()

    future = runner.submit(work(), on_done)
    assert started.wait(5)
    future.cancel()
    qtbot.waitUntil(lambda: bool(seen), timeout=WAIT_MS)
    (outcome, thread), = seen
    assert outcome.cancelled and not outcome.ok and outcome.error is None
    assert thread is threading.main_thread()
    assert cleaned_up.wait(5)  # the coroutine itself was cancelled, not just forgotten


def test_shutdown_cancels_pending_work_and_stops_the_loop(qtbot):
    runner = AsyncRunner()
    seen, on_done = _collect()
    cleaned_up: list[int] = []
    started = [threading.Event(), threading.Event()]

    async def work(n: int) -> None:
        try:
            started[n].set()
            await asyncio.sleep(60)
        finally:
            cleaned_up.append(n)

    futures = [runner.submit(work(n), on_done) for n in range(2)]
    assert all(event.wait(5) for event in started)
    runner.shutdown(timeout=3)
    assert not runner.loop.is_running() and not runner._thread.is_alive()
    assert sorted(cleaned_up) == [0, 1] and all(f.cancelled() for f in futures)
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=WAIT_MS)
    assert all(outcome.cancelled and thread is threading.main_thread() for outcome, thread in seen)
    runner.shutdown()  # a second shutdown is a no-op


def test_shutdown_is_bounded_when_a_task_refuses_to_stop(qtbot):
    runner = AsyncRunner()
    started = threading.Event()

    async def stubborn() -> None:
        started.set()
        while True:
            try:
                await asyncio.sleep(60)
            except asyncio.CancelledError:
                continue  # swallows every cancellation

    runner.submit(stubborn())
    assert started.wait(5)
    t0 = time.monotonic()
    runner.shutdown(timeout=0.5)
    # Waits for the cancellation, then for the thread: two timeouts at most (+ a generous margin).
    assert time.monotonic() - t0 < 0.5 * 2 + 2
    assert not runner._thread.is_alive()


def test_work_submitted_after_shutdown_is_closed_and_reported_cancelled(qtbot):
    """A panel's timer may still fire while the app closes: its coroutine is closed at once (never
    left unawaited in a stopped loop's queue, which Python reports as a RuntimeWarning) and its
    callback hears "cancelled"."""
    import gc
    import inspect
    import warnings

    runner = AsyncRunner()
    runner.shutdown()
    outcomes: list[Outcome] = []
    late = asyncio.sleep(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        future = runner.submit(late, outcomes.append)
        runner.loop.close()
        gc.collect()
    assert inspect.getcoroutinestate(late) == inspect.CORO_CLOSED and future.cancelled()
    qtbot.waitUntil(lambda: outcomes == [Outcome(cancelled=True)], timeout=2000)
