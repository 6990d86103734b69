"""The two places values go when no OS keyring is usable, as keyring backends of their own.

Both can also list what they hold (``usernames``), which the OS keyrings cannot. Neither is ever chosen by
the keyring library's own detection (``viable = False``); the store picks them explicitly. Imported only
once a store needs one, because importing ``keyring.backend`` costs ~40 ms.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

from ..atomic_file import write_json_atomically
from .errors import KeystoreBackendError
from .records import RECORD_VERSION, dumps, loads

log = logging.getLogger(__name__)


class ListingKeyring(KeyringBackend):
    """A backend that can list the usernames it holds, so it needs no token index."""

    # Subclasses of KeyringBackend register themselves with the keyring library;
    # not viable keeps its detection (get_keyring, the chainer) from ever picking one.
    priority = 0  # type: ignore[assignment]
    viable = False  # type: ignore[assignment]

    def usernames(self, service: str) -> list[str]:
        raise NotImplementedError


class MemoryKeyring(ListingKeyring):
    """Values held by this process only: the no-keyring mode, and where a value that failed to persist
    is kept until :meth:`TokenStore.flush_memory` moves it."""

    def __init__(self) -> None:
        super().__init__()
        self._values: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def get_password(self, service: str, username: str) -> str | None:
        with self._lock:
            return self._values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._lock:
            self._values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        with self._lock:
            if self._values.pop((service, username), None) is None:
                raise PasswordDeleteError("No such password!")

    def discard(self, service: str, username: str) -> bool:
        """Delete the entry if there is one; True if there was."""
        with self._lock:
            return self._values.pop((service, username), None) is not None

    def usernames(self, service: str) -> list[str]:
        with self._lock:
            return [username for (svc, username) in self._values if svc == service]


class PlainFileKeyring(ListingKeyring):
    """An INSECURE JSON file (mode 0600, written atomically), used only when the user opted in.

    The file holds one service's entries as ``{"entries": {username: record}}``; ``service`` is not part
    of the key. Writes are read-modify-write of the whole file: the store holds its cross-process service
    lock around them, this class serialises the threads of one process.
    """

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._lock = threading.Lock()

    def get_password(self, service: str, username: str) -> str | None:
        entries, _ = self._load()
        record = entries.get(username)
        return None if record is None else dumps(record)

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._transaction() as entries:
            entries[username] = loads(password)

    def delete_password(self, service: str, username: str) -> None:
        with self._transaction() as entries:
            if entries.pop(username, None) is None:
                raise PasswordDeleteError("No such password!")

    def usernames(self, service: str) -> list[str]:
        entries, _ = self._load()
        return list(entries)

    def _load(self) -> tuple[dict[str, Any], bool]:
        """(entries, corrupt) of the file; a missing file is empty."""
        path = self.path
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
            doc = loads(text)
        except ValueError:
            doc = None
        entries = doc.get("entries") if isinstance(doc, dict) else None
        if not isinstance(entries, dict):
            log.warning("Plain-file token store %s is corrupt; ignoring its contents", path)
            return {}, True
        return entries, False

    @contextlib.contextmanager
    def _transaction(self) -> Any:
        """Yield the entries; write them back atomically with mode 0600 when the block succeeds."""
        path = self.path
        with self._lock:
            entries, corrupt = self._load()
            yield entries
            try:
                path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                if corrupt:
                    # Keep the unreadable original for a human instead of
                    # overwriting whatever it held.
                    with contextlib.suppress(OSError):
                        os.replace(path, path.with_name(path.name + f".corrupt-{int(time.time())}"))
                doc = {
                    "warning": "INSECURE plain-text token store of qrlogin-desktop (keyring fallback)",
                    "version": RECORD_VERSION,
                    "entries": entries,
                }
                write_json_atomically(path, doc, indent=1)  # 0600 from the start
            except OSError as exc:
                raise KeystoreBackendError(
                    f"Could not write the plain-file fallback {path}: {exc.strerror or exc}"
                ) from None
