"""TokenStore: the policy of where tokens and credentials go, and what the caller is told about it."""

from __future__ import annotations

import contextlib
import logging
import math
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ... import APP_NAME
from .detection import DetectedBackend, detect
from .errors import FIX_HINT, KeystoreError, KeystoreUnavailable
from .guarded import GuardedBackend
from .held import HeldValues
from .index import TokenIndex, index_for
from .records import (
    CREDENTIAL_PREFIX,
    Location,
    StorageResult,
    StoredToken,
    TokenKey,
    credential_from_record,
    credential_record,
    dumps,
    loads,
)
from .runner import TimedRunner
from .service_lock import ServiceLock

if TYPE_CHECKING:
    import keyring.backend

log = logging.getLogger(__name__)

DEFAULT_SERVICE = APP_NAME
DEFAULT_TIMEOUT = 5.0


@dataclass(frozen=True)
class BackendFacts:
    """Where new values go, as facts: ``families`` of the usable OS keyring (see
    :data:`~.detection.FAMILIES`), or else ``fallback`` ("memory"/"file", None when detection itself
    failed) and the plain file's path; ``description`` is :meth:`TokenStore.backend_description`."""

    families: tuple[str, ...]
    fallback: Location | None
    fallback_path: str | None
    description: str


@dataclass(frozen=True)
class _Target:
    """Where new values go: the OS keyring, or (when it is unusable) the plain file or memory."""

    detected: DetectedBackend
    location: Location
    backend: GuardedBackend
    index: TokenIndex
    warning: str | None  # what every StorageResult says when this is not the keyring
    writing: Callable[[str], contextlib.AbstractContextManager[None]]


class TokenStore:
    """Tokens and server-profile credentials in the OS keyring, with timeouts.

    All methods are thread-safe and block for at most about ``timeout`` seconds
    per keyring call; the ``a*`` coroutines run them off the event loop.
    """

    def __init__(
        self,
        *,
        backend: keyring.backend.KeyringBackend | None = None,
        service: str = DEFAULT_SERVICE,
        timeout: float = DEFAULT_TIMEOUT,
        plaintext_fallback_path: Path | None = None,
    ) -> None:
        if not (isinstance(timeout, (int, float)) and math.isfinite(timeout) and timeout > 0):
            raise ValueError("timeout must be a positive number of seconds")
        if not service:
            raise ValueError("service must be a non-empty string")
        self._explicit_backend = backend
        self._service = service
        self._timeout = float(timeout)
        self._fallback_path = Path(plaintext_fallback_path) if plaintext_fallback_path is not None else None
        self._runner = TimedRunner(self._timeout)
        self._service_lock = ServiceLock(service, self._timeout)
        # Backend detection is deferred to first use: the GUI constructs the
        # store on its main thread and detection may talk to D-Bus.
        self._target_cache: _Target | None = None
        self._target_lock = threading.Lock()
        # Serialises the writes of this process (the service lock serialises processes).
        self._lock = threading.RLock()
        self._held = HeldValues(service)
        self._announced: set[Location] = set()

    # ------------------------------------------------------------ introspection

    @property
    def service(self) -> str:
        return self._service

    @property
    def timeout(self) -> float:
        return self._timeout

    def mode(self) -> Location:
        """Where new values go: "keyring", or "memory"/"file" when no backend is usable."""
        return self._target().location

    def backend_description(self) -> str:
        """Human-readable active backend, e.g. ``SecretService Keyring (priority 5)``. Never raises."""
        try:
            target = self._target()
        except KeystoreError as exc:
            return f"unknown keyring backend ({exc})"
        detected = target.detected
        if detected.unusable_reason is None:
            return detected.description
        where = f"plain file {self._fallback_path} (INSECURE)" if target.location == "file" else "memory only"
        return f"{detected.description} — not usable: {detected.unusable_reason}; storing in {where}"

    def backend_facts(self) -> BackendFacts:
        """The active backend as facts a UI renders in its own language. Never raises."""
        try:
            target = self._target()
        except KeystoreError:
            return BackendFacts((), None, None, self.backend_description())
        detected = target.detected
        fallback = str(self._fallback_path) if target.location == "file" else None
        return BackendFacts(detected.families if detected.unusable_reason is None else (),
                            None if detected.unusable_reason is None else target.location, fallback,
                            self.backend_description())

    def ensure_keyring(self) -> None:
        """Raise :class:`KeystoreUnavailable` unless a real keyring backend is usable."""
        detected = self._target().detected
        if detected.unusable_reason is not None:
            raise KeystoreUnavailable(detected.unusable_reason, backend=detected.description)

    def recheck_backend(self) -> str:
        """Forget the detected backend (e.g. after the user started/unlocked one) and detect again."""
        with self._target_lock:
            self._target_cache = None
        return self.backend_description()

    def pending(self) -> list[StoredToken]:
        """Tokens held only in memory (not persisted) in this process."""
        return self._held.tokens()

    # ------------------------------------------------------------------ tokens

    def save(self, token: StoredToken) -> StorageResult:
        """Store ``token``; the result says where it went.

        Raises :class:`KeystoreError` (with ``kept_in_memory=True``) when the
        keyring fails or times out; the token is then kept in memory.
        """
        if not isinstance(token, StoredToken):
            raise TypeError("save() expects a StoredToken")
        if not token.access_token:
            raise ValueError("refusing to store an empty access token")
        return self._put("save token", token.key.username, token.to_record(), (token.access_token,), token.key)

    def get(self, key: TokenKey) -> StoredToken | None:
        """The stored token for ``key``, or ``None``. Raises KeystoreError if the keyring fails."""
        record = self._fetch("read token", key.username)
        if record is None:
            return None
        token = StoredToken.from_record(record, key)
        if token is None:
            log.warning("Ignoring a malformed token record for %s", key)
        return token

    def list(self) -> list[StoredToken]:
        """All stored tokens: those the active backend holds, and those held in memory."""
        target = self._target()
        found: dict[TokenKey, StoredToken] = {}
        for key in target.index.keys():
            token = self._parse_token(target.backend.get("read token", key.username), key)
            if token is not None:
                found[key] = token
        found.update((token.key, token) for token in self._held.tokens())
        return list(found.values())

    def delete(self, key: TokenKey) -> bool:
        """Remove the token for ``key`` everywhere; True if one existed."""
        return self._remove("delete token", key.username, key)

    def flush_memory(self) -> int:
        """Try again to persist values held in memory (e.g. after the keyring was unlocked).

        Returns how many were moved; raises the first KeystoreError (the rest stay in memory).
        """
        moved = 0
        for token in self.pending():
            if self.save(token).location != "memory":
                moved += 1
        for profile_id, secret in self._held.credentials():
            if self.save_credential(profile_id, secret).location != "memory":
                moved += 1
        return moved

    # ------------------------------------------------------------- credentials

    def save_credential(self, profile_id: str, secret: str) -> StorageResult:
        """Store the bearer credential of a server profile (same fallback rules as tokens)."""
        self._check_profile_id(profile_id)
        if not isinstance(secret, str) or not secret:
            raise ValueError("credential secret must be a non-empty str")
        return self._put("save credential", CREDENTIAL_PREFIX + profile_id, credential_record(secret), (secret,))

    def get_credential(self, profile_id: str) -> str | None:
        self._check_profile_id(profile_id)
        record = self._fetch("read credential", CREDENTIAL_PREFIX + profile_id)
        if record is None:
            return None
        secret = credential_from_record(record)
        if secret is None:
            log.warning("Ignoring a malformed credential record for profile %r", profile_id)
        return secret

    def delete_credential(self, profile_id: str) -> bool:
        self._check_profile_id(profile_id)
        return self._remove("delete credential", CREDENTIAL_PREFIX + profile_id)

    @staticmethod
    def _check_profile_id(profile_id: str) -> None:
        if not isinstance(profile_id, str) or not profile_id:
            raise ValueError("profile_id must be a non-empty str")

    # ------------------------------------------------------------------- async

    # For asyncio callers (the GUI's event loop): every keyring round-trip runs
    # off the loop. Each sync call returns within ~timeout even when the keyring
    # hangs, so the default executor's threads are never lost.

    async def asave(self, token: StoredToken) -> StorageResult:
        return await _to_thread(self.save, token)

    async def aget(self, key: TokenKey) -> StoredToken | None:
        return await _to_thread(self.get, key)

    async def alist(self) -> list[StoredToken]:
        return await _to_thread(self.list)

    async def adelete(self, key: TokenKey) -> bool:
        return await _to_thread(self.delete, key)

    async def asave_credential(self, profile_id: str, secret: str) -> StorageResult:
        return await _to_thread(self.save_credential, profile_id, secret)

    async def aget_credential(self, profile_id: str) -> str | None:
        return await _to_thread(self.get_credential, profile_id)

    async def adelete_credential(self, profile_id: str) -> bool:
        return await _to_thread(self.delete_credential, profile_id)

    async def abackend_description(self) -> str:
        return await _to_thread(self.backend_description)

    async def abackend_facts(self) -> BackendFacts:
        return await _to_thread(self.backend_facts)

    # ---------------------------------------------------------------- internals

    def _put(
        self,
        operation: str,
        username: str,
        record: dict[str, Any],
        secrets: tuple[str, ...],
        token_key: TokenKey | None = None,
    ) -> StorageResult:
        """Write one record (and index its token); on any failure keep it in memory and raise."""
        value = dumps(record)
        with self._lock:
            try:
                target = self._target()
                with target.writing(operation):
                    target.backend.set(operation, username, value, secrets=secrets)
                    if token_key is not None:
                        # After the value: an index entry never points at a token that is not there.
                        target.index.add(token_key)
            except KeystoreError as error:
                self._held.keep(username, value)
                kept = error.kept_in_memory_copy()
                log.warning("Could not persist %s: %s", username, kept)
                # Chained to what the error below was chained to: a cause already checked for secrets.
                raise kept from error.__cause__
            if target.location != "memory":
                self._held.forget(username)
            return StorageResult(target.location, target.warning)

    def _fetch(self, operation: str, username: str) -> Any:
        """The decoded record stored under ``username`` (``None`` if absent or garbled).

        A copy held in memory comes first: only values that could not be persisted are held there,
        so it is newer than anything the keyring may still have.
        """
        raw = self._held.value(username)
        if raw is None:
            raw = self._target().backend.get(operation, username)
        if raw is None:
            return None
        try:
            return loads(raw)
        except ValueError:
            log.warning("Ignoring an entry that is not valid JSON: %s", username)
            return None

    def _remove(self, operation: str, username: str, token_key: TokenKey | None = None) -> bool:
        with self._lock:
            target = self._target()
            with target.writing(operation):
                removed = target.backend.delete(operation, username)
                if token_key is not None:
                    target.index.remove(token_key)
            # Only once the delete went through: a failed delete leaves everything as it was.
            return self._held.forget(username) or removed

    def _parse_token(self, raw: str | None, key: TokenKey) -> StoredToken | None:
        if raw is None:
            return None  # stale index entry: the token was deleted elsewhere
        try:
            token = StoredToken.from_record(loads(raw), key)
        except ValueError:
            token = None
        if token is None:
            log.warning("Ignoring a malformed token record for %s", key)
        return token

    # -- the active backend --

    def _target(self) -> _Target:
        target = self._target_cache
        if target is not None:
            return target
        with self._target_lock:
            if self._target_cache is None:
                target = self._resolve_target()
                if target.warning is not None and target.location not in self._announced:
                    self._announced.add(target.location)  # once per store, not per save or recheck
                    log.warning("%s", target.warning)
                self._target_cache = target
            return self._target_cache

    def _resolve_target(self) -> _Target:
        detected = detect(self._runner, self._explicit_backend)
        reason = detected.unusable_reason
        location: Location
        if reason is None:
            location, backend, warning = "keyring", detected.backend, None
        elif self._fallback_path is not None:
            from .fallbacks import PlainFileKeyring

            location, backend = "file", PlainFileKeyring(self._fallback_path)
            warning = (
                f"INSECURE: no usable OS keyring ({reason}); tokens and credentials are "
                f"stored in PLAIN TEXT in {self._fallback_path} (mode 0600) because the plain-file "
                f"fallback was enabled. Anyone who can read that file can use them. Fix: {FIX_HINT}."
            )
        else:
            location, backend = "memory", self._held.backend
            warning = (
                f"{KeystoreUnavailable(reason, backend=detected.description)} "
                "The value is kept in memory for this process only and will be lost when the app exits."
            )
        guarded = GuardedBackend(backend, self._runner, self._service, detected.description)
        # Memory is private to this process; anything persistent is shared with other processes.
        writing = _not_shared if location == "memory" else self._service_lock.holding
        return _Target(detected, location, guarded, index_for(guarded), warning, writing)


@contextlib.contextmanager
def _not_shared(operation: str) -> Iterator[None]:
    yield


async def _to_thread(fn: Callable[..., Any], *args: Any) -> Any:
    import asyncio  # only coroutine callers get here, and they have asyncio loaded already

    return await asyncio.to_thread(fn, *args)
