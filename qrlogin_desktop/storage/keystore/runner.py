"""Every keyring call on its own worker thread, waited for at most ``timeout`` seconds.

A locked keyring can pop up an unlock prompt and a wedged D-Bus service can simply never answer; neither
may freeze the GUI. A call that overruns is abandoned: its daemon thread is left to finish or hang on its
own and never blocks interpreter exit.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from .errors import KeystoreTimeout

log = logging.getLogger(__name__)

# Each timed-out call leaves a thread behind that may never return (a D-Bus
# call waiting on a prompt nobody answers).  Past this many, stop spawning new
# ones and fail fast instead of leaking a thread per GUI refresh.
MAX_HUNG_WORKERS = 8

_T = TypeVar("_T")


class TimedRunner:
    """Runs calls with a timeout; the exceptions of ``fn`` reach the caller unchanged."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._hung: list[threading.Thread] = []
        self._hung_lock = threading.Lock()

    def run(self, operation: str, fn: Callable[..., _T], *args: Any) -> _T:
        """``fn(*args)`` on a daemon worker; :class:`KeystoreTimeout` if it does not return in time.

        A plain thread per call instead of a shared ThreadPoolExecutor: pool
        threads are joined at interpreter exit, so one call stuck in D-Bus
        would hang the app on quit, and a stuck pool worker would also delay
        every later call queued behind it.
        """
        self._check_hung(operation)
        future: concurrent.futures.Future[_T] = concurrent.futures.Future()

        def work() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                result = fn(*args)
            except BaseException as exc:  # delivered to the waiting caller
                future.set_exception(exc)
            else:
                future.set_result(result)

        worker = threading.Thread(target=work, name=f"qrlogin-keystore: {operation}", daemon=True)
        worker.start()
        # wait() rather than result(timeout): on 3.11 a TimeoutError raised by
        # the backend itself would be indistinguishable from our timeout.
        done, _ = concurrent.futures.wait([future], timeout=self.timeout)
        if not done:
            with self._hung_lock:
                self._hung.append(worker)
            log.warning(
                "Keyring operation %r timed out after %gs; abandoning its worker", operation, self.timeout
            )
            raise KeystoreTimeout(operation, self.timeout)
        return future.result()

    def _check_hung(self, operation: str) -> None:
        with self._hung_lock:
            self._hung = [t for t in self._hung if t.is_alive()]
            stuck = len(self._hung)
        if stuck >= MAX_HUNG_WORKERS:
            raise KeystoreTimeout(
                operation,
                self.timeout,
                detail=f" ({stuck} earlier keyring calls are still stuck; not starting another)",
            )
