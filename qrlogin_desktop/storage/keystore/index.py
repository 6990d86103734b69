"""Which tokens a backend holds. The OS keyrings cannot list their entries through the keyring API, so for
them the store keeps a list of token keys (no secrets) in an entry of its own; the fallbacks list directly.
"""

from __future__ import annotations

import logging

from .guarded import GuardedBackend
from .records import TokenKey, dumps, loads

log = logging.getLogger(__name__)

INDEX_USERNAME = "__index__"


class EntryIndex:
    """The ``__index__`` entry: a JSON list of token keys. ``add``/``remove`` read, modify and write it,
    so the caller holds the service's cross-process write lock around them."""

    def __init__(self, backend: GuardedBackend) -> None:
        self._backend = backend

    def keys(self) -> list[TokenKey]:
        raw = self._backend.get("read token index", INDEX_USERNAME)
        if raw is None:
            return []
        try:
            data = loads(raw)
        except ValueError:
            log.warning("The token index in the keyring is corrupt (not JSON); ignoring it")
            return []
        if not isinstance(data, list):
            log.warning("The token index in the keyring is corrupt (not a list); ignoring it")
            return []
        keys: list[TokenKey] = []
        for item in data:
            key = TokenKey.from_json(item)
            if key is None:
                log.warning("Skipping a malformed entry in the token index")
            elif key not in keys:
                keys.append(key)
        return keys

    def add(self, key: TokenKey) -> None:
        keys = self.keys()
        if key not in keys:
            self._write(keys + [key])

    def remove(self, key: TokenKey) -> None:
        keys = self.keys()
        if key in keys:
            self._write([k for k in keys if k != key])

    def _write(self, keys: list[TokenKey]) -> None:
        self._backend.set("write token index", INDEX_USERNAME, dumps([k.to_json() for k in keys]))


class ListedIndex:
    """A backend that lists its own entries is its own index: nothing to maintain."""

    def __init__(self, backend: GuardedBackend) -> None:
        self._backend = backend

    def keys(self) -> list[TokenKey]:
        found = (TokenKey.from_username(u) for u in self._backend.usernames("list tokens"))
        return [key for key in found if key is not None]

    def add(self, key: TokenKey) -> None:
        pass

    def remove(self, key: TokenKey) -> None:
        pass


TokenIndex = EntryIndex | ListedIndex


def index_for(backend: GuardedBackend) -> TokenIndex:
    return ListedIndex(backend) if backend.can_enumerate else EntryIndex(backend)
