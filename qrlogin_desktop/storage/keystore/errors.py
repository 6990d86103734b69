"""The errors of the token store. Messages never contain secret values, and an error never changes after it is
built: the store raises a new one (``kept_in_memory_copy``) rather than editing one raised below it."""

from __future__ import annotations

import functools
from typing import Any

FIX_HINT = (
    "install and unlock gnome-keyring or KWallet (any Secret Service provider on the "
    "D-Bus session bus; on Windows/macOS the system keyring works out of the box), "
    "or enable the plain-file fallback (insecure)"
)

KEPT_IN_MEMORY_NOTE = (
    " The value was kept in memory for this process only and will be lost when the app exits."
)


class KeystoreError(Exception):
    """Base class of every error raised by :class:`~qrlogin_desktop.storage.keystore.TokenStore`.

    ``kept_in_memory`` is True when the value being saved could not be persisted and was kept in this
    process's memory instead, so the caller can tell the user it will be lost at exit rather than that it
    is gone. ``message`` is the text without that note; ``str()`` includes it.
    """

    def __init__(self, message: str, *, operation: str | None = None, kept_in_memory: bool = False) -> None:
        super().__init__(message + (KEPT_IN_MEMORY_NOTE if kept_in_memory else ""))
        self._set("message", message)
        self._set("operation", operation)
        self._set("kept_in_memory", kept_in_memory)

    def _set(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        # Dunder attributes (__cause__, __context__, __traceback__, __notes__) belong to the
        # interpreter's raise machinery; everything else is fixed once built.
        if name.startswith("__") and name.endswith("__"):
            super().__setattr__(name, value)
            return
        raise AttributeError(f"{type(self).__name__} is immutable; raise a new error instead")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def _arguments(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """The constructor arguments that rebuild this error (for copies and pickling)."""
        return (self.message,), {"operation": self.operation}

    def kept_in_memory_copy(self) -> KeystoreError:
        """The same error, saying that the value was kept in memory. The caller raises it ``from`` this
        error's ``__cause__`` so the chain stays the one already checked for secrets."""
        args, kwargs = self._arguments()
        return type(self)(*args, **kwargs, kept_in_memory=True)

    def __reduce__(self) -> Any:
        args, kwargs = self._arguments()
        return functools.partial(type(self), **kwargs, kept_in_memory=self.kept_in_memory), args


class KeystoreTimeout(KeystoreError):
    """A keyring call did not answer within the timeout (locked or hung keyring)."""

    def __init__(
        self, operation: str, timeout: float, *, detail: str = "", kept_in_memory: bool = False
    ) -> None:
        message = (
            f"Keyring operation '{operation}' timed out after {timeout:g}s{detail}. "
            "The keyring is probably locked and waiting for an unlock prompt, or its "
            "service is not responding: unlock the keyring (log in to the desktop "
            "session, or open Seahorse / KWalletManager) and try again."
        )
        super().__init__(message, operation=operation, kept_in_memory=kept_in_memory)
        self._set("timeout", timeout)
        self._set("detail", detail)

    def _arguments(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return (self.operation, self.timeout), {"detail": self.detail}


class KeystoreBusy(KeystoreError):
    """Another process (or store) kept the keyring service's write lock longer than the timeout."""

    def __init__(
        self, operation: str, timeout: float, lock_path: str, *, kept_in_memory: bool = False
    ) -> None:
        message = (
            f"Keyring operation '{operation}' waited {timeout:g}s for another qrlogin-desktop process to "
            f"finish writing to the keyring (lock file {lock_path}) and gave up; nothing was written. "
            "Try again once the other process is done."
        )
        super().__init__(message, operation=operation, kept_in_memory=kept_in_memory)
        self._set("timeout", timeout)
        self._set("lock_path", lock_path)

    def _arguments(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return (self.operation, self.timeout, self.lock_path), {}


class KeystoreUnavailable(KeystoreError):
    """No usable keyring backend; the message names the cause and the fix."""

    def __init__(self, cause: str, *, backend: str = "", kept_in_memory: bool = False) -> None:
        super().__init__(
            f"No usable OS keyring: {cause}. Fix: {FIX_HINT}.",
            operation="detect keyring backend",
            kept_in_memory=kept_in_memory,
        )
        self._set("cause", cause)
        self._set("backend", backend)

    def _arguments(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return (self.cause,), {"backend": self.backend}


class KeystoreLocked(KeystoreError):
    """The keyring is locked and could not be unlocked (prompt dismissed or impossible)."""


class KeystoreBackendError(KeystoreError):
    """Any other failure of the keyring backend (or of the plain-file fallback)."""
