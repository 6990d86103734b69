"""CPU-heavy answers (mini-program codes) computed off the event loop, in a small bounded process pool.

Drawing a large QR code takes 100-300 ms of pure-Python work (segno's Reed-Solomon and masking,
Pillow's resize). On the event loop that stalls every other request for as long; on a thread it
still holds the GIL most of the time. So it runs in a separate process: one worker, started on
first use (a sandbox that never draws a code never starts it), at a lower CPU priority so that a
core shared with the server goes to the server first. ``spawn``, not ``fork``: the GUI serves
the sandbox from a multi-threaded Qt process, which must not be forked.

At most ``max_pending`` jobs are queued or running at once; one more is refused at once with
:class:`Busy` (the HTTP layer answers 503 with Retry-After) instead of queueing without bound.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # multiprocessing and the process pool load with the first code drawn, not at start-up
    from concurrent.futures import ProcessPoolExecutor

DEFAULT_WORKERS = 1  # the sandbox's own process needs the other core of a small machine
DEFAULT_MAX_PENDING = 4  # running + queued; a client retrying after 503 waits ~RETRY_AFTER
RETRY_AFTER = 1  # seconds; a large code takes well under that to draw
WORKER_NICENESS = 10  # CFS gives a nice-10 process ~1/10 of a core it shares with a nice-0 one


@dataclass(frozen=True)
class OffLoop:
    """An answer to compute in the pool: ``function(*args)`` returns the body; sent as ``content_type``."""

    function: Callable[..., bytes]
    args: tuple[Any, ...]
    content_type: str


class Busy(Exception):
    def __init__(self, max_pending: int, why: str = ""):
        self.retry_after = RETRY_AFTER
        super().__init__(why or f"{max_pending} images are already being drawn; retry in {RETRY_AFTER} s")


def _lower_priority() -> None:
    try:
        os.nice(WORKER_NICENESS)
    except OSError:  # not permitted (or not Unix): run at normal priority
        pass


class OffLoopPool:
    """A lazily started, bounded process pool shared by every sandbox of this process."""

    def __init__(self, workers: int = DEFAULT_WORKERS, max_pending: int = DEFAULT_MAX_PENDING):
        self.workers = workers
        self.max_pending = max_pending
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()  # sandboxes on different threads (GUI + tests) share the pool
        self._pending = 0

    def _take_slot(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pending >= self.max_pending:
                raise Busy(self.max_pending)
            if self._executor is None:
                import multiprocessing
                from concurrent.futures import ProcessPoolExecutor

                self._executor = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                                     initializer=_lower_priority)
            self._pending += 1
            return self._executor

    def _release_slot(self) -> None:
        with self._lock:
            self._pending -= 1

    async def run(self, job: OffLoop) -> bytes:
        from concurrent.futures.process import BrokenProcessPool

        executor = self._take_slot()
        try:
            return await asyncio.wrap_future(executor.submit(job.function, *job.args))
        except BrokenProcessPool:  # the worker died (killed, out of memory): start afresh next time
            with self._lock:
                if self._executor is executor:
                    self._executor = None
            executor.shutdown(wait=False, cancel_futures=True)
            raise Busy(self.max_pending, "the drawing worker stopped; it restarts on the next request") from None
        finally:
            self._release_slot()

    @property
    def pending(self) -> int:
        return self._pending

    @property
    def started(self) -> bool:
        return self._executor is not None

    def shutdown(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)


SHARED_POOL = OffLoopPool()
