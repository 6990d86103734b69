"""One writer at a time per keyring service, across every process of this user on this machine.

The token index is a read-modify-write of one keyring entry; two processes doing it at once lose each
other's entries. Holding this lock around every write (value and index) makes each save atomic for other
processes, and it also keeps gnome-keyring from seeing our writes concurrently (under concurrent writers it
transiently reports the default collection missing or an item locked).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ... import APP_NAME
from .errors import KeystoreBackendError, KeystoreBusy

# filelock polls a held lock at this interval. After releasing, this process waits as long before taking the
# lock again, so a process polling for it gets its turn instead of starving behind a loop of saves.
POLL_INTERVAL = 0.01


def lock_path(service: str) -> Path:
    """The lock file of ``service`` in the user's cache directory (an empty file, kept between uses)."""
    from platformdirs import user_cache_path

    readable = re.sub(r"[^A-Za-z0-9._-]", "_", service)[:48]
    digest = hashlib.sha256(service.encode("utf-8")).hexdigest()[:12]
    return user_cache_path(APP_NAME, appauthor=False) / "locks" / f"{readable}-{digest}.lock"


class ServiceLock:
    """:class:`filelock.FileLock` on :func:`lock_path`, waited for at most ``timeout`` seconds."""

    def __init__(self, service: str, timeout: float) -> None:
        self.path = lock_path(service)
        self._timeout = timeout
        self._released_at = float("-inf")
        self._file_lock: Any = None
        self._threads = threading.Lock()  # one FileLock object, used by one thread at a time

    @contextlib.contextmanager
    def holding(self, operation: str) -> Iterator[None]:
        """Hold the lock for the block; :class:`KeystoreBusy` if another holder keeps it past the timeout."""
        from filelock import FileLock, Timeout

        with self._threads:
            pause = self._released_at + POLL_INTERVAL - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            try:
                if self._file_lock is None:
                    self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                    self._file_lock = FileLock(
                        self.path, timeout=self._timeout, mode=0o600, poll_interval=POLL_INTERVAL
                    )
                self._file_lock.acquire()
            except Timeout:
                raise KeystoreBusy(operation, self._timeout, str(self.path)) from None
            except OSError as exc:
                raise KeystoreBackendError(
                    f"Could not create the keyring write lock {self.path}: {exc.strerror or exc}",
                    operation=operation,
                ) from None
            try:
                yield
            finally:
                self._file_lock.release()
                self._released_at = time.monotonic()
