"""Token and credential storage in the OS keyring.

Rules the package enforces:

* Tokens live in the OS keyring (Secret Service / KWallet / macOS Keychain /
  Windows Credential Locker, via the ``keyring`` library), never in a file or
  a log -- unless the user explicitly opts into the plain-file fallback.
* Every keyring call has a timeout (:mod:`.runner`): a locked or wedged keyring
  must not freeze the GUI.
* With no usable backend the caller gets a clear warning naming the cause and
  the fix, and the token is kept in memory for this process.  Falling back to
  a plain file happens only when the caller passed ``plaintext_fallback_path``
  (explicit opt-in), and it is announced with a loud ``logging.warning``.
  Nothing is ever downgraded silently.
* A token that cannot be stored is never silently dropped: if the backend
  fails or times out during :meth:`TokenStore.save`, the token is kept in
  memory and the raised :class:`KeystoreError` says so (``kept_in_memory``).
* Writes to one keyring service are serialised across processes
  (:mod:`.service_lock`), so a token saved by any process is listed by all.
* Secrets never appear in ``repr()``, exception messages or log records.

Layout inside the keyring (service name defaults to ``qrlogin-desktop``):

* ``token:<server>|<app_key>|<account>`` -> JSON token record
* ``credential:<profile_id>``            -> JSON ``{"v": 1, "secret": ...}``
* ``__index__``                          -> JSON list of token keys (no secrets),
  because the keyring API has no "list entries" call.

Modules: :mod:`.records` (data types), :mod:`.errors`, :mod:`.runner` (timeouts),
:mod:`.detection` and :mod:`.guarded` (the OS backend), :mod:`.fallbacks` (memory
and plain-file backends), :mod:`.index`, :mod:`.service_lock`, :mod:`.store` (policy).
"""

from __future__ import annotations

from .errors import (
    FIX_HINT,
    KeystoreBackendError,
    KeystoreBusy,
    KeystoreError,
    KeystoreLocked,
    KeystoreTimeout,
    KeystoreUnavailable,
)
from .index import INDEX_USERNAME
from .records import CREDENTIAL_PREFIX, TOKEN_PREFIX, Location, StorageResult, StoredToken, TokenKey, redact
from .store import DEFAULT_SERVICE, DEFAULT_TIMEOUT, BackendFacts, TokenStore

__all__ = [
    "BackendFacts",
    "CREDENTIAL_PREFIX",
    "DEFAULT_SERVICE",
    "DEFAULT_TIMEOUT",
    "FIX_HINT",
    "INDEX_USERNAME",
    "TOKEN_PREFIX",
    "KeystoreBackendError",
    "KeystoreBusy",
    "KeystoreError",
    "KeystoreLocked",
    "KeystoreTimeout",
    "KeystoreUnavailable",
    "Location",
    "StorageResult",
    "StoredToken",
    "TokenKey",
    "TokenStore",
    "redact",
]
