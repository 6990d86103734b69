"""What this process holds in memory only: everything in the no-keyring mode, and each value whose save
failed, until :meth:`TokenStore.flush_memory` persists it. Lost at exit, which every caller is told."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .records import CREDENTIAL_PREFIX, TOKEN_PREFIX, StoredToken, TokenKey, credential_from_record, loads

if TYPE_CHECKING:
    from .fallbacks import MemoryKeyring


class HeldValues:
    """The serialised values of one service, by keyring username, in a :class:`MemoryKeyring`."""

    def __init__(self, service: str) -> None:
        self._service = service
        self._backend: MemoryKeyring | None = None
        self._lock = threading.Lock()

    @property
    def backend(self) -> MemoryKeyring:
        """The backend behind it (also the store's backend in the no-keyring mode), made on first use."""
        with self._lock:
            if self._backend is None:
                from .fallbacks import MemoryKeyring  # imports keyring.backend: only once needed

                self._backend = MemoryKeyring()
            return self._backend

    def keep(self, username: str, value: str) -> None:
        self.backend.set_password(self._service, username, value)

    def value(self, username: str) -> str | None:
        return self.backend.get_password(self._service, username)

    def forget(self, username: str) -> bool:
        """Drop the copy of ``username`` (it was persisted or deleted); True if there was one."""
        return self.backend.discard(self._service, username)

    def tokens(self) -> list[StoredToken]:
        found = []
        for username, record in self._records(TOKEN_PREFIX):
            key = TokenKey.from_username(username)
            token = StoredToken.from_record(record, key) if key is not None else None
            if token is not None:
                found.append(token)
        return found

    def credentials(self) -> list[tuple[str, str]]:
        """(profile id, secret) pairs."""
        found = []
        for username, record in self._records(CREDENTIAL_PREFIX):
            secret = credential_from_record(record)
            if secret is not None:
                found.append((username[len(CREDENTIAL_PREFIX) :], secret))
        return found

    def _records(self, prefix: str) -> Iterator[tuple[str, Any]]:
        for username in self.backend.usernames(self._service):
            raw = self.value(username)
            if username.startswith(prefix) and raw is not None:
                yield username, loads(raw)
