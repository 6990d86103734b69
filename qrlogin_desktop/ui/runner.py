"""One asyncio event loop on a worker thread; results come back to the GUI thread as Qt signals.

Why not run asyncio on the Qt loop: httpx, the flow driver and the keyring all stay off the GUI
thread this way, so no slow server, hung keyring or big JSON decode can freeze the window, and
the same coroutines run unchanged in the CLI and the tests.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal

if TYPE_CHECKING:  # loaded with asyncio, once the runner starts (after the first paint)
    import concurrent.futures


@dataclass(frozen=True)
class Outcome:
    value: Any = None
    error: BaseException | None = None
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and not self.cancelled

    @classmethod
    def of(cls, future: concurrent.futures.Future) -> Outcome:
        if future.cancelled():
            return cls(cancelled=True)
        import asyncio

        error = future.exception()
        if isinstance(error, asyncio.CancelledError):
            return cls(cancelled=True)
        return cls(error=error) if error is not None else cls(value=future.result())


Callback = Callable[[Outcome], None]


class AsyncRunner(QObject):
    _finished = Signal(object, object)  # (callback, Outcome), delivered on the GUI thread

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        import asyncio  # here, not at module level: the GUI starts its runner after the first paint

        self._asyncio = asyncio
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="qrlogin-async", daemon=True)
        self._thread.start()
        self._ready.wait()
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def _run(self) -> None:
        self._asyncio.set_event_loop(self.loop)
        self.loop.call_soon(self._ready.set)
        self.loop.run_forever()

    def submit(self, coro: Coroutine[Any, Any, Any], on_done: Callback | None = None) -> concurrent.futures.Future:
        """Run ``coro`` on the worker loop; ``on_done(Outcome)`` is called on the GUI thread.
        Once :meth:`shutdown` has begun nothing runs: ``coro`` is closed and the outcome is cancelled
        (queued to a loop about to stop, it would be dropped unawaited when the loop closes)."""
        if self._closing:
            import concurrent.futures

            coro.close()
            future: concurrent.futures.Future = concurrent.futures.Future()
            future.cancel()
        else:
            future = self._asyncio.run_coroutine_threadsafe(coro, self.loop)
        if on_done is not None:
            future.add_done_callback(lambda f: self._finished.emit(on_done, Outcome.of(f)))
        return future

    @staticmethod
    def _deliver(callback: Callback, outcome: Outcome) -> None:
        callback(outcome)

    def shutdown(self, timeout: float = 3.0) -> None:
        self._closing = True
        if not self.loop.is_running():
            return

        import concurrent.futures

        asyncio = self._asyncio

        async def _cancel_all() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        try:
            asyncio.run_coroutine_threadsafe(_cancel_all(), self.loop).result(timeout)
        except (concurrent.futures.TimeoutError, TimeoutError, RuntimeError):
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout)
