"""One keyring backend as the store sees it: every call timed, every failure a KeystoreError without secrets."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from .detection import LazyModule
from .errors import KeystoreBackendError, KeystoreError, KeystoreLocked, KeystoreUnavailable
from .runner import TimedRunner

if TYPE_CHECKING:
    import keyring.backend

keyring_errors = LazyModule("keyring.errors")

_T = TypeVar("_T")

# A backend may quote the secret in a way we did not anticipate (truncated, re-escaped);
# a 16-character run of a token in a message is as bad as the whole of it.
_LEAK_WINDOW = 16

# Retrying a write whose collection vanished for a moment (gnome-keyring reloading its file).
_RELOAD_PAUSES = (0.05, 0.1, 0.2)
_INSTANT = 0.5  # seconds; a failure faster than this came from no human at a prompt


class GuardedBackend:
    """``get``/``set``/``delete`` (and ``usernames`` for backends that can enumerate) of one service."""

    def __init__(
        self, backend: keyring.backend.KeyringBackend, runner: TimedRunner, service: str, description: str
    ) -> None:
        self.backend = backend
        self._runner = runner
        self._service = service
        self._description = description

    @property
    def can_enumerate(self) -> bool:
        from .fallbacks import ListingKeyring  # keyring.backend is loaded by now: self.backend is one

        return isinstance(self.backend, ListingKeyring)

    def get(self, operation: str, username: str) -> str | None:
        return self._call(operation, _read_password, self.backend, self._service, username)

    def set(self, operation: str, username: str, value: str, *, secrets: tuple[str, ...] = ()) -> None:
        self._call(
            operation,
            self.backend.set_password,
            self._service,
            username,
            value,
            secrets=secrets,
            documents=(value,),
        )

    def delete(self, operation: str, username: str) -> bool:
        """True if an entry was deleted."""
        try:
            self._call(
                operation,
                self.backend.delete_password,
                self._service,
                username,
                passthrough=(keyring_errors.PasswordDeleteError,),
            )
        except keyring_errors.PasswordDeleteError:
            return False  # keyring's way of saying "no such entry"
        return True

    def usernames(self, operation: str) -> list[str]:
        return self._call(operation, self.backend.usernames, self._service)  # type: ignore[attr-defined]

    def _call(
        self,
        operation: str,
        fn: Callable[..., _T],
        *args: Any,
        secrets: tuple[str, ...] = (),
        documents: tuple[str, ...] = (),
        passthrough: tuple[type[BaseException], ...] = (),
    ) -> _T:
        try:
            return self._run_riding_out_reloads(operation, fn, *args)
        except KeystoreError:
            raise  # our own (a timeout, or the plain-file backend): already without secrets
        except passthrough:
            raise
        except Exception as exc:
            failure = exc
        # Raised outside the except block so a leaky original is not even the hidden __context__.
        error, cause = self._translate(operation, failure, secrets, documents)
        raise error from cause

    def _run_riding_out_reloads(self, operation: str, fn: Callable[..., _T], *args: Any) -> _T:
        """``fn`` through the timed runner, tried again when gnome-keyring briefly lost its collection.

        gnome-keyring reloads a keyring file that changed on disk, and for that moment its default
        collection does not exist: a write then fails at once with "Failed to create the collection:
        Prompt dismissed" (secretstorage tried to create a new default collection and no prompter
        answered) or ItemNotFoundException. Seen under load in the test suite and with two
        processes saving at once. A human dismissing a real prompt takes far longer than ``_INSTANT``, so only
        an instant failure is tried again, a few times within the call's timeout.
        """
        started = time.monotonic()
        for pause in (*_RELOAD_PAUSES, None):
            attempt = time.monotonic()
            try:
                return self._runner.run(operation, fn, *args)
            except Exception as exc:
                instant = time.monotonic() - attempt < _INSTANT
                in_time = pause is not None and time.monotonic() + pause - started < self._runner.timeout
                if not (instant and in_time and _collection_vanished(exc)):
                    raise
            time.sleep(pause)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _translate(
        self, operation: str, exc: Exception, secrets: tuple[str, ...], documents: tuple[str, ...]
    ) -> tuple[KeystoreError, Exception | None]:
        """A KeystoreError whose message cannot carry ``secrets``, and the cause safe to chain to it.

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
        error: KeystoreError
        if isinstance(exc, keyring_errors.KeyringLocked):
            error = KeystoreLocked(
                f"The keyring is locked ({operation}): {detail}. Unlock it (log in to the desktop "
                "session, or open Seahorse / KWalletManager) and try again.",
                operation=operation,
            )
        elif isinstance(exc, keyring_errors.NoKeyringError):
            error = KeystoreUnavailable(f"{self._description}: {detail}")
        else:
            error = KeystoreBackendError(
                f"{self._description} failed during '{operation}': {type(exc).__name__}: {detail}",
                operation=operation,
            )
        # Chain the original for debugging only when it cannot carry the secret into a traceback.
        return error, None if leaky else exc


def _collection_vanished(exc: BaseException) -> bool:
    """gnome-keyring's momentary "no default collection" while it reloads its file (see above)."""
    text = str(exc)
    return type(exc).__name__ == "ItemNotFoundException" or (
        type(exc).__name__ == "InitError" and "Failed to create the collection" in text)


def _read_password(backend: keyring.backend.KeyringBackend, service: str, username: str) -> str | None:
    """``get_password``, where an entry deleted between the backend's search and its read (another
    thread or app deleting it meanwhile; secretstorage raises ItemNotFoundException) is absent."""
    try:
        return backend.get_password(service, username)
    except Exception as exc:
        if type(exc).__name__ == "ItemNotFoundException":
            return None
        raise


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


def _contains_part(text: str, secret: str) -> bool:
    """True if any 16-character run of ``secret`` occurs in ``text`` (a safety net behind _scrub)."""
    if len(secret) <= _LEAK_WINDOW:
        return bool(secret) and secret in text
    return any(secret[i : i + _LEAK_WINDOW] in text for i in range(len(secret) - _LEAK_WINDOW + 1))
