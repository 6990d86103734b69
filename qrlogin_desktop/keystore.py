"""Token and credential storage in the OS keyring.

Rules this module enforces (from the project brief):

* Tokens live in the OS keyring (Secret Service / KWallet / macOS Keychain /
  Windows Credential Locker, via the ``keyring`` library), never in a file or
  a log -- unless the user explicitly opts into the plain-file fallback.
* Every keyring call has a timeout.  A locked keyring can pop up an unlock
  prompt and a wedged D-Bus service can simply never answer; either must not
  freeze the GUI.  Like GitHub CLI's ``internal/keyring`` each call runs on its
  own worker and the caller waits at most ``timeout`` seconds; a call that
  overruns is abandoned (its daemon thread is left to finish or hang on its
  own, and never blocks interpreter exit).
* With no usable backend the caller gets a clear warning naming the cause and
  the fix, and the token is kept in memory for this process.  Falling back to
  a plain file happens only when the caller passed ``plaintext_fallback_path``
  (explicit opt-in), and it is announced with a loud ``logging.warning``.
  Nothing is ever downgraded silently.
* A token that cannot be stored is never silently dropped: if the backend
  fails or times out during :meth:`TokenStore.save`, the token is kept in
  memory and the raised :class:`KeystoreError` says so (``kept_in_memory``).
* Secrets never appear in ``repr()``, exception messages or log records.

Layout inside the keyring (service name defaults to ``qrlogin-desktop``):

* ``token:<server>|<app_key>|<account>`` -> JSON token record
* ``credential:<profile_id>``            -> JSON ``{"v": 1, "secret": ...}``
* ``__index__``                          -> JSON list of token keys (no secrets),
  because the keyring API has no "list entries" call.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import importlib
import json
import logging
import math
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from .atomic_file import write_json_atomically
from .jwt_claims import decode_jwt_claims

if TYPE_CHECKING:
    import keyring.backend


class _LazyModule:
    """A module imported on first attribute access. keyring (with the D-Bus libraries behind it)
    costs ~40 ms to import; the GUI creates its store at start-up but touches the keyring only
    once its window is on screen."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)


def _read_password(backend: keyring.backend.KeyringBackend, service: str, username: str) -> str | None:
    """``get_password``, where an entry deleted between the backend's search and its read (another
    thread or app deleting it meanwhile; secretstorage raises ItemNotFoundException) is absent."""
    try:
        return backend.get_password(service, username)
    except Exception as exc:
        if type(exc).__name__ == "ItemNotFoundException":
            return None
        raise


async def _to_thread(fn: Callable[..., Any], *args: Any) -> Any:
    import asyncio  # only coroutine callers get here, and they have asyncio loaded already

    return await asyncio.to_thread(fn, *args)


keyring = _LazyModule("keyring")  # noqa: F811 - the runtime stand-in for the module
keyring_errors = _LazyModule("keyring.errors")
chainer = _LazyModule("keyring.backends.chainer")
fail = _LazyModule("keyring.backends.fail")
null = _LazyModule("keyring.backends.null")

__all__ = [
    "DEFAULT_SERVICE",
    "DEFAULT_TIMEOUT",
    "KeystoreBackendError",
    "KeystoreError",
    "KeystoreLocked",
    "KeystoreTimeout",
    "KeystoreUnavailable",
    "StorageResult",
    "StoredToken",
    "TokenKey",
    "TokenStore",
]

log = logging.getLogger(__name__)

DEFAULT_SERVICE = "qrlogin-desktop"
DEFAULT_TIMEOUT = 5.0

INDEX_USERNAME = "__index__"
TOKEN_PREFIX = "token:"
CREDENTIAL_PREFIX = "credential:"
_RECORD_VERSION = 1

# Each timed-out call leaves a thread behind that may never return (a D-Bus
# call waiting on a prompt nobody answers).  Past this many, stop spawning new
# ones and fail fast instead of leaking a thread per GUI refresh.
_MAX_HUNG_WORKERS = 8

# Tokens shorter than this are shown only as their length: revealing 7
# characters of a 20-character secret would give away a third of it.
_REDACT_MIN_LEN = 24

FIX_HINT = (
    "install and unlock gnome-keyring or KWallet (any Secret Service provider on the "
    "D-Bus session bus; on Windows/macOS the system keyring works out of the box), "
    "or enable the plain-file fallback (insecure)"
)

Location = Literal["keyring", "memory", "file"]
_T = TypeVar("_T")


# --------------------------------------------------------------------------- errors


class KeystoreError(Exception):
    """Base class of every error raised by :class:`TokenStore`.

    ``kept_in_memory`` is True when the value being saved could not be
    persisted and was kept in this process's memory instead, so the caller can
    tell the user it will be lost at exit rather than that it is gone.
    Messages never contain secret values.
    """

    def __init__(self, message: str, *, operation: str | None = None, kept_in_memory: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.operation = operation
        self.kept_in_memory = kept_in_memory

    def __str__(self) -> str:
        # Computed at str() time because save() sets kept_in_memory after the
        # lower layer has already built the error.
        if self.kept_in_memory:
            return (
                f"{self.message} The value was kept in memory for this process only "
                "and will be lost when the app exits."
            )
        return self.message


class KeystoreTimeout(KeystoreError):
    """A keyring call did not answer within the timeout (locked or hung keyring)."""

    def __init__(self, operation: str, timeout: float, *, detail: str = "") -> None:
        self.timeout = timeout
        message = (
            f"Keyring operation '{operation}' timed out after {timeout:g}s{detail}. "
            "The keyring is probably locked and waiting for an unlock prompt, or its "
            "service is not responding: unlock the keyring (log in to the desktop "
            "session, or open Seahorse / KWalletManager) and try again."
        )
        super().__init__(message, operation=operation)


class KeystoreUnavailable(KeystoreError):
    """No usable keyring backend; the message names the cause and the fix."""

    def __init__(self, cause: str, *, backend: str = "") -> None:
        self.cause = cause
        self.backend = backend
        super().__init__(
            f"No usable OS keyring: {cause}. Fix: {FIX_HINT}.", operation="detect keyring backend"
        )


class KeystoreLocked(KeystoreError):
    """The keyring is locked and could not be unlocked (prompt dismissed or impossible)."""


class KeystoreBackendError(KeystoreError):
    """Any other failure of the keyring backend (or of the plain-file fallback)."""


# ----------------------------------------------------------------------- data types


def _escape(part: str) -> str:
    # '|' separates the key fields in the keyring username; escape it (and the
    # escape character) so ("a|b", "c") and ("a", "b|c") never collide.
    return part.replace("%", "%25").replace("|", "%7C")


@dataclass(frozen=True)
class TokenKey:
    """Identifies one stored token: which server, which app, which account.

    ``account`` is a free label (the unionID, an openid, or ``"default"``).
    """

    server: str
    app_key: str
    account: str = "default"

    def __post_init__(self) -> None:
        for name in ("server", "app_key", "account"):
            if not isinstance(getattr(self, name), str):
                raise TypeError(f"TokenKey.{name} must be a str")

    @property
    def username(self) -> str:
        """The keyring username this token is stored under."""
        return f"{TOKEN_PREFIX}{_escape(self.server)}|{_escape(self.app_key)}|{_escape(self.account)}"

    def to_json(self) -> dict[str, str]:
        return {"server": self.server, "app_key": self.app_key, "account": self.account}

    @classmethod
    def from_json(cls, data: object) -> TokenKey | None:
        """Parse an index/file entry; ``None`` when it is malformed."""
        if not isinstance(data, dict):
            return None
        values = [data.get(name) for name in ("server", "app_key", "account")]
        if not all(isinstance(v, str) for v in values):
            return None
        return cls(*values)  # type: ignore[arg-type]

    def __str__(self) -> str:
        return f"{self.server} / {self.app_key} / {self.account}"


def redact(secret: str) -> str:
    """Short, log-safe form of a secret: ``eyJh…(312 chars)…x9Q``.

    The result is always much shorter than the secret, so it can never contain
    it; secrets shorter than 24 characters are shown only as their length.
    """
    n = len(secret)
    if n == 0:
        return "(empty)"
    if n < _REDACT_MIN_LEN:
        return f"…({n} chars)…"
    return f"{secret[:4]}…({n} chars)…{secret[-3:]}"


@dataclass(repr=False)
class StoredToken:
    """An access token plus what is needed to know when it expires.

    ``__repr__`` (and therefore ``str()``, f-strings, logging and tracebacks)
    shows only :meth:`redacted`, never the token itself.
    """

    key: TokenKey
    access_token: str
    token_type: str
    expires_in: int
    obtained_at: float = field(default_factory=time.time)  # epoch seconds

    @property
    def expires_at(self) -> float:
        return self.obtained_at + self.expires_in

    def seconds_left(self, now: float | None = None) -> float:
        """Seconds until expiry (negative once expired)."""
        return self.expires_at - (time.time() if now is None else now)

    def is_expired(self, now: float | None = None, *, leeway: float = 0.0) -> bool:
        return self.seconds_left(now) <= leeway

    @property
    def claims(self) -> dict[str, Any] | None:
        """Unverified JWT claims when the access token is a JWT, else ``None``."""
        return decode_jwt_claims(self.access_token)

    def redacted(self) -> str:
        return redact(self.access_token)

    def __repr__(self) -> str:
        return (
            f"StoredToken(key={self.key!r}, access_token={self.redacted()!r}, "
            f"token_type={self.token_type!r}, expires_in={self.expires_in!r}, "
            f"obtained_at={self.obtained_at!r})"
        )

    __str__ = __repr__

    # -- serialisation (the only place the secret is written out) --

    def to_record(self) -> dict[str, Any]:
        return {
            "v": _RECORD_VERSION,
            "key": self.key.to_json(),
            "access_token": self.access_token,
            "token_type": self.token_type,
            "expires_in": self.expires_in,
            "obtained_at": self.obtained_at,
        }

    @classmethod
    def from_record(cls, record: object, key: TokenKey | None = None) -> StoredToken | None:
        """Rebuild from :meth:`to_record` output; ``None`` when malformed."""
        if not isinstance(record, dict):
            return None
        key = key or TokenKey.from_json(record.get("key"))
        access_token = record.get("access_token")
        token_type = record.get("token_type")
        expires_in = record.get("expires_in")
        obtained_at = record.get("obtained_at")
        if (
            key is None
            or not isinstance(access_token, str)
            or not isinstance(token_type, str)
            or not isinstance(expires_in, int)
            or isinstance(expires_in, bool)
            or not isinstance(obtained_at, (int, float))
            or isinstance(obtained_at, bool)
        ):
            return None
        return cls(key, access_token, token_type, expires_in, float(obtained_at))


@dataclass(frozen=True)
class StorageResult:
    """Where :meth:`TokenStore.save` put the value, and a warning unless it was the keyring."""

    location: Location
    warning: str | None = None

    @property
    def secure(self) -> bool:
        return self.location == "keyring"

    @property
    def persistent(self) -> bool:
        return self.location != "memory"


# ------------------------------------------------------------------ backend probing


def _backend_name(backend: keyring.backend.KeyringBackend) -> str:
    try:
        return str(type(backend).name)
    except Exception:  # a third-party backend with a broken classproperty
        return type(backend).__qualname__


def _describe_backend(backend: keyring.backend.KeyringBackend) -> str:
    name = _backend_name(backend)
    if isinstance(backend, chainer.ChainerBackend):
        children = ", ".join(_describe_backend(b) for b in backend.backends) or "no backends"
        return f"{name} [{children}]"
    try:
        return f"{name} (priority {float(backend.priority):g})"
    except Exception as exc:
        return f"{name} (not viable: {exc})"


def _secret_service_cause() -> str:
    """Why the Secret Service backend is not viable, for the error message (Linux only)."""
    if not sys.platform.startswith("linux"):
        return ""
    try:
        from keyring.backends import SecretService

        SecretService.Keyring.priority  # noqa: B018 - raises with the reason
    except Exception as exc:
        return f"; Secret Service: {exc}"
    return ""


def _unusable_reason(backend: keyring.backend.KeyringBackend) -> str | None:
    """``None`` when ``backend`` can store secrets, else a human-readable cause.

    Runs on a worker thread: ``priority`` of the Secret Service backend talks
    to D-Bus and could hang like any other keyring call.
    """
    name = _backend_name(backend)
    if isinstance(backend, fail.Keyring):
        return f"the keyring library found no recommended backend ({name}){_secret_service_cause()}"
    if isinstance(backend, null.Keyring):
        return f"{name} discards every secret"
    if isinstance(backend, chainer.ChainerBackend):
        # Not via priority: a chainer wrapping exactly one backend reports
        # priority -1 although it works fine.
        if not list(backend.backends):
            return f"{name} has no backends to chain{_secret_service_cause()}"
        return None
    try:
        priority = float(backend.priority)
    except Exception as exc:
        return f"{name} is not viable: {exc}"
    if math.isnan(priority) or priority <= 0:
        return f"{name} has priority {priority:g}, which the keyring library treats as not usable"
    return None


@dataclass(frozen=True)
class _BackendState:
    backend: keyring.backend.KeyringBackend
    unusable_reason: str | None
    description: str


# ----------------------------------------------------------------------- helpers


def _scrub(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<redacted>")
    return text


def _secret_forms(*secrets: str) -> tuple[str, ...]:
    """The secret as given, as it appears inside a JSON document and inside a repr()."""
    forms: list[str] = []
    for s in secrets:
        if s:
            forms.extend((s, json.dumps(s, ensure_ascii=False)[1:-1], json.dumps(s)[1:-1], repr(s)[1:-1]))
    # Longest first so a whole JSON document is scrubbed before its parts.
    return tuple(sorted(set(forms), key=len, reverse=True))


_LEAK_WINDOW = 16


def _contains_part(text: str, secret: str) -> bool:
    """True if any 16-character run of ``secret`` occurs in ``text``.

    A safety net behind _scrub: a backend may quote the secret in a way we
    did not anticipate (truncated, re-escaped), and a long fragment of a
    token is as bad as the whole of it.
    """
    if len(secret) <= _LEAK_WINDOW:
        return bool(secret) and secret in text
    return any(secret[i : i + _LEAK_WINDOW] in text for i in range(len(secret) - _LEAK_WINDOW + 1))


def _dumps(record: Any) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def _loads(raw: str) -> Any:
    """json.loads that reports any garbage as ValueError."""
    try:
        return json.loads(raw)
    except RecursionError as exc:  # "[[[[..." nested deeper than the parser allows
        raise ValueError("JSON nested too deeply") from exc


# ------------------------------------------------------------------------- store


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

        # Backend detection is deferred to first use: the GUI constructs the
        # store on its main thread and detection may talk to D-Bus.
        self._state: _BackendState | None = None
        self._state_lock = threading.Lock()
        # Serialises read-modify-write of the index, the fallback file and
        # the memory dicts.
        self._lock = threading.RLock()
        self._memory_tokens: dict[TokenKey, StoredToken] = {}
        self._memory_credentials: dict[str, str] = {}
        self._hung: list[threading.Thread] = []
        self._hung_lock = threading.Lock()
        self._warned_memory = False
        self._warned_file = False

    # ------------------------------------------------------------ introspection

    @property
    def service(self) -> str:
        return self._service

    @property
    def timeout(self) -> float:
        return self._timeout

    def mode(self) -> Location:
        """Where new values go: "keyring", or "memory"/"file" when no backend is usable."""
        state = self._backend_state()
        if state.unusable_reason is None:
            return "keyring"
        return "file" if self._fallback_path is not None else "memory"

    def backend_description(self) -> str:
        """Human-readable active backend, e.g. ``SecretService Keyring (priority 5)``. Never raises."""
        try:
            state = self._backend_state()
        except KeystoreError as exc:
            return f"unknown keyring backend ({exc})"
        if state.unusable_reason is None:
            return state.description
        where = (
            f"plain file {self._fallback_path} (INSECURE)"
            if self._fallback_path is not None
            else "memory only"
        )
        return f"{state.description} — not usable: {state.unusable_reason}; storing in {where}"

    def ensure_keyring(self) -> None:
        """Raise :class:`KeystoreUnavailable` unless a real keyring backend is usable."""
        state = self._backend_state()
        if state.unusable_reason is not None:
            raise KeystoreUnavailable(state.unusable_reason, backend=state.description)

    def recheck_backend(self) -> str:
        """Forget the detected backend (e.g. after the user started/unlocked one) and detect again."""
        with self._state_lock:
            self._state = None
        return self.backend_description()

    def pending(self) -> list[StoredToken]:
        """Tokens held only in memory (not persisted) in this process."""
        with self._lock:
            return list(self._memory_tokens.values())

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
        key = token.key

        def remember() -> None:
            self._memory_tokens[key] = token

        def forget() -> None:
            self._memory_tokens.pop(key, None)

        with self._lock:
            result, state = self._store(
                "save token", key.username, token.to_record(), (token.access_token,), remember, forget
            )
            if result.location == "keyring" and state is not None:
                try:
                    self._index_update(state, add=key)
                except KeystoreError as exc:
                    # The token itself is safely in the keyring; only list()
                    # is affected, so report instead of failing the save.
                    warning = f"Token stored in the keyring, but the token index could not be updated ({exc}); list() may not show it."
                    log.warning("%s", warning)
                    return StorageResult("keyring", warning)
            return result

    def get(self, key: TokenKey) -> StoredToken | None:
        """The stored token for ``key``, or ``None``. Raises KeystoreError if the keyring fails."""
        with self._lock:
            held = self._memory_tokens.get(key)
        if held is not None:
            # Only tokens that could not be persisted are held in memory, so
            # this copy is newer than anything the keyring may still have.
            return held
        record = self._fetch("read token", key.username)
        if record is None:
            return None
        token = StoredToken.from_record(record, key)
        if token is None:
            log.warning("Ignoring a malformed token record for %s", key)
        return token

    def list(self) -> list[StoredToken]:
        """All stored tokens (keyring index, fallback file and memory)."""
        state = self._backend_state()
        found: dict[TokenKey, StoredToken] = {}
        if state.unusable_reason is None:
            for key in self._index_read(state):
                raw = self._call("read token", _read_password, state.backend, self._service, key.username)
                token = self._parse_token(raw, key)
                if token is not None:
                    found[key] = token
        elif self._fallback_path is not None:
            for username, record in self._file_entries().items():
                if username.startswith(TOKEN_PREFIX):
                    token = StoredToken.from_record(record)
                    if token is not None:
                        found[token.key] = token
        with self._lock:
            found.update(self._memory_tokens)
        return list(found.values())

    def delete(self, key: TokenKey) -> bool:
        """Remove the token for ``key`` everywhere; True if one existed."""
        with self._lock:
            removed = self._memory_tokens.pop(key, None) is not None
            state = self._backend_state()
            removed = self._remove("delete token", key.username, state) or removed
            if state.unusable_reason is None:
                self._index_update(state, remove=key)
            return removed

    def flush_memory(self) -> int:
        """Try again to persist values held in memory (e.g. after the keyring was unlocked).

        Returns how many were moved; raises the first KeystoreError (the rest stay in memory).
        """
        moved = 0
        for token in self.pending():
            if self.save(token).location != "memory":
                moved += 1
        with self._lock:
            credentials = dict(self._memory_credentials)
        for profile_id, secret in credentials.items():
            if self.save_credential(profile_id, secret).location != "memory":
                moved += 1
        return moved

    # ------------------------------------------------------------- credentials

    def save_credential(self, profile_id: str, secret: str) -> StorageResult:
        """Store the bearer credential of a server profile (same fallback rules as tokens)."""
        self._check_profile_id(profile_id)
        if not isinstance(secret, str) or not secret:
            raise ValueError("credential secret must be a non-empty str")

        def remember() -> None:
            self._memory_credentials[profile_id] = secret

        def forget() -> None:
            self._memory_credentials.pop(profile_id, None)

        with self._lock:
            result, _ = self._store(
                "save credential",
                CREDENTIAL_PREFIX + profile_id,
                {"v": _RECORD_VERSION, "secret": secret},
                (secret,),
                remember,
                forget,
            )
            return result

    def get_credential(self, profile_id: str) -> str | None:
        self._check_profile_id(profile_id)
        with self._lock:
            held = self._memory_credentials.get(profile_id)
        if held is not None:
            return held
        record = self._fetch("read credential", CREDENTIAL_PREFIX + profile_id)
        if isinstance(record, dict) and isinstance(record.get("secret"), str):
            return record["secret"]
        if record is not None:
            log.warning("Ignoring a malformed credential record for profile %r", profile_id)
        return None

    def delete_credential(self, profile_id: str) -> bool:
        self._check_profile_id(profile_id)
        with self._lock:
            removed = self._memory_credentials.pop(profile_id, None) is not None
            state = self._backend_state()
            return self._remove("delete credential", CREDENTIAL_PREFIX + profile_id, state) or removed

    @staticmethod
    def _check_profile_id(profile_id: str) -> None:
        if not isinstance(profile_id, str) or not profile_id:
            raise ValueError("profile_id must be a non-empty str")

    # ------------------------------------------------------------------- async

    # The GUI runs asyncio (qasync); these keep every keyring round-trip off
    # the event loop.  Each sync call returns within ~timeout even when the
    # keyring hangs, so the default executor's threads are never lost.

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

    # ---------------------------------------------------------------- internals

    def _call(
        self,
        operation: str,
        fn: Callable[..., _T],
        *args: Any,
        secrets: tuple[str, ...] = (),
        documents: tuple[str, ...] = (),
        passthrough: tuple[type[BaseException], ...] = (),
    ) -> _T:
        """Run one keyring call on a daemon worker thread, waiting at most ``timeout``.

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
        done, _ = concurrent.futures.wait([future], timeout=self._timeout)
        if not done:
            with self._hung_lock:
                self._hung.append(worker)
            log.warning(
                "Keyring operation %r timed out after %gs; abandoning its worker", operation, self._timeout
            )
            raise KeystoreTimeout(operation, self._timeout)
        exc = future.exception()
        if exc is None:
            return future.result()
        if isinstance(exc, passthrough) or not isinstance(exc, Exception):
            raise exc
        raise self._translate(operation, exc, secrets, documents)

    def _translate(
        self, operation: str, exc: Exception, secrets: tuple[str, ...], documents: tuple[str, ...]
    ) -> KeystoreError:
        """Map a backend exception to a KeystoreError whose message cannot carry ``secrets``.

        ``documents`` (the JSON records holding the secrets) are scrubbed too,
        but only the bare secrets feed the fragment check: a record also holds
        harmless text (server URL, app key) that may legitimately appear.
        """
        forms = _secret_forms(*secrets, *documents)
        original = f"{exc} {exc.args!r}"
        # Every document form contains a secret form, so checking the
        # secret forms alone catches both.
        leaky = any(_contains_part(original, s) for s in _secret_forms(*secrets))
        # Backend messages end in their own punctuation ("...collection!"); ours add one.
        detail = _scrub(str(exc), forms).rstrip(" .!") or type(exc).__name__
        if any(_contains_part(detail, s) for s in secrets):
            detail = "<message withheld: it contained part of the secret>"
        backend = self._state.description if self._state is not None else "keyring backend"
        error: KeystoreError
        if isinstance(exc, keyring_errors.KeyringLocked):
            error = KeystoreLocked(
                f"The keyring is locked ({operation}): {detail}. Unlock it (log in to the desktop "
                "session, or open Seahorse / KWalletManager) and try again.",
                operation=operation,
            )
        elif isinstance(exc, keyring_errors.NoKeyringError):
            error = KeystoreUnavailable(f"{backend}: {detail}")
        else:
            error = KeystoreBackendError(
                f"{backend} failed during '{operation}': {type(exc).__name__}: {detail}",
                operation=operation,
            )
        # Chain the original for debugging only when it cannot carry the
        # secret into a traceback.
        error.__cause__ = None if leaky else exc
        error.__suppress_context__ = True
        return error

    def _check_hung(self, operation: str) -> None:
        with self._hung_lock:
            self._hung = [t for t in self._hung if t.is_alive()]
            stuck = len(self._hung)
        if stuck >= _MAX_HUNG_WORKERS:
            raise KeystoreTimeout(
                operation,
                self._timeout,
                detail=f" ({stuck} earlier keyring calls are still stuck; not starting another)",
            )

    def _backend_state(self) -> _BackendState:
        state = self._state
        if state is not None:
            return state
        with self._state_lock:
            if self._state is None:
                backend = self._explicit_backend
                if backend is None:
                    # get_keyring() probes every backend (D-Bus for Secret
                    # Service), so it gets the same timeout as any call.
                    backend = self._call("detect keyring backend", keyring.get_keyring)
                reason = self._call("check keyring backend", _unusable_reason, backend)
                description = self._call("describe keyring backend", _describe_backend, backend)
                self._state = _BackendState(backend, reason, description)
                if reason is not None:
                    log.warning("No usable OS keyring (%s): %s", description, reason)
            return self._state

    def _store(
        self,
        operation: str,
        username: str,
        record: dict[str, Any],
        secrets: tuple[str, ...],
        remember: Callable[[], None],
        forget: Callable[[], None],
    ) -> tuple[StorageResult, _BackendState | None]:
        """Persist one record; on any failure keep it in memory and re-raise."""
        value = _dumps(record)
        try:
            state = self._backend_state()
            if state.unusable_reason is None:
                self._call(
                    operation,
                    state.backend.set_password,
                    self._service,
                    username,
                    value,
                    secrets=secrets,
                    documents=(value,),
                )
                forget()
                return StorageResult("keyring"), state
            if self._fallback_path is None:
                remember()
                return StorageResult("memory", self._memory_warning(state)), state
            try:
                with self._file_transaction() as entries:
                    entries[username] = record
            except OSError as exc:
                raise KeystoreBackendError(
                    f"Could not write the plain-file fallback {self._fallback_path}: {exc.strerror or exc}",
                    operation=operation,
                ) from None
            forget()
            return StorageResult("file", self._file_warning(state)), state
        except KeystoreError as exc:
            remember()
            exc.kept_in_memory = True
            log.warning("Could not persist %s: %s", username, exc)
            raise

    def _fetch(self, operation: str, username: str) -> Any:
        """The decoded record stored under ``username`` (``None`` if absent or garbled)."""
        state = self._backend_state()
        if state.unusable_reason is None:
            raw = self._call(operation, _read_password, state.backend, self._service, username)
            if raw is None:
                return None
            try:
                return _loads(raw)
            except ValueError:
                log.warning("Ignoring a keyring entry that is not valid JSON: %s", username)
                return None
        if self._fallback_path is not None:
            return self._file_entries().get(username)
        return None

    def _parse_token(self, raw: str | None, key: TokenKey) -> StoredToken | None:
        if raw is None:
            return None  # stale index entry: the token was deleted elsewhere
        try:
            token = StoredToken.from_record(_loads(raw), key)
        except ValueError:
            token = None
        if token is None:
            log.warning("Ignoring a malformed token record for %s", key)
        return token

    def _remove(self, operation: str, username: str, state: _BackendState) -> bool:
        if state.unusable_reason is None:
            try:
                self._call(
                    operation,
                    state.backend.delete_password,
                    self._service,
                    username,
                    passthrough=(keyring_errors.PasswordDeleteError,),
                )
            except keyring_errors.PasswordDeleteError:
                return False  # keyring's way of saying "no such entry"
            return True
        if self._fallback_path is not None:
            with self._file_transaction() as entries:
                return entries.pop(username, None) is not None
        return False

    # -- index: the keyring cannot enumerate entries, so we keep our own list --

    def _index_read(self, state: _BackendState) -> list[TokenKey]:
        raw = self._call("read token index", _read_password, state.backend, self._service, INDEX_USERNAME)
        if raw is None:
            return []
        try:
            data = _loads(raw)
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

    def _index_update(
        self, state: _BackendState, *, add: TokenKey | None = None, remove: TokenKey | None = None
    ) -> None:
        keys = self._index_read(state)
        new = [k for k in keys if k != remove]
        if add is not None and add not in new:
            new.append(add)
        if new != keys:
            self._call(
                "write token index",
                state.backend.set_password,
                self._service,
                INDEX_USERNAME,
                _dumps([k.to_json() for k in new]),
            )

    # -- degraded modes --

    def _memory_warning(self, state: _BackendState) -> str:
        warning = (
            f"{KeystoreUnavailable(state.unusable_reason or 'unknown', backend=state.description)} "
            "The value is kept in memory for this process only and will be lost when the app exits."
        )
        if not self._warned_memory:
            self._warned_memory = True
            log.warning("%s", warning)
        return warning

    def _file_warning(self, state: _BackendState) -> str:
        warning = (
            f"INSECURE: no usable OS keyring ({state.unusable_reason}); tokens and credentials are "
            f"stored in PLAIN TEXT in {self._fallback_path} (mode 0600) because the plain-file "
            f"fallback was enabled. Anyone who can read that file can use them. Fix: {FIX_HINT}."
        )
        if not self._warned_file:
            self._warned_file = True
            log.warning("%s", warning)
        return warning

    def _file_entries(self) -> dict[str, Any]:
        assert self._fallback_path is not None
        if not self._warned_file:
            self._file_warning(self._backend_state())
        entries, _ = self._file_load()
        return entries

    def _file_load(self) -> tuple[dict[str, Any], bool]:
        """(entries, corrupt) of the fallback file; missing file -> empty."""
        path = self._fallback_path
        assert path is not None
        try:
            st = path.stat()
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}, False
        except (OSError, UnicodeDecodeError) as exc:
            raise KeystoreBackendError(f"Could not read the plain-file fallback {path}: {exc}") from None
        if os.name == "posix" and st.st_mode & 0o077:
            log.warning(
                "Plain-file token store %s is readable by other users; it will be rewritten with mode 0600",
                path,
            )
        try:
            doc = _loads(text)
        except ValueError:
            doc = None
        entries = doc.get("entries") if isinstance(doc, dict) else None
        if not isinstance(entries, dict):
            log.warning("Plain-file token store %s is corrupt; ignoring its contents", path)
            return {}, True
        return entries, False

    @contextlib.contextmanager
    def _file_transaction(self) -> Any:
        """Yield the entries dict; write it back atomically with mode 0600 on success."""
        path = self._fallback_path
        assert path is not None
        with self._lock:
            if not self._warned_file:
                self._file_warning(self._backend_state())
            entries, corrupt = self._file_load()
            yield entries
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            if corrupt:
                # Keep the unreadable original for a human instead of
                # overwriting whatever it held.
                with contextlib.suppress(OSError):
                    os.replace(path, path.with_name(path.name + f".corrupt-{int(time.time())}"))
            doc = {
                "warning": "INSECURE plain-text token store of qrlogin-desktop (keyring fallback)",
                "version": _RECORD_VERSION,
                "entries": entries,
            }
            write_json_atomically(path, doc, indent=1)  # 0600 from the start
