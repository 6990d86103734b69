"""A real Secret Service for tests: skip with the reason on a laptop, fail in CI (QRLOGIN_REQUIRE_KEYRING=1).

Shared by tests/storage/test_keystore.py, tests/cli/test_cli_login.py and tests/ui/conftest.py (the tests
directory is on sys.path, so they ``from keyring_support import ...``).
"""

from __future__ import annotations

import functools
import os
import threading
import uuid
from collections.abc import Callable
from typing import Any, NoReturn

import pytest
from keyring.backend import KeyringBackend


def keyring_unavailable(reason: str) -> NoReturn:
    if os.environ.get("QRLOGIN_REQUIRE_KEYRING") == "1":
        pytest.fail(f"QRLOGIN_REQUIRE_KEYRING=1 but the Secret Service is not usable: {reason}")
    pytest.skip(f"no usable Secret Service ({reason}); set QRLOGIN_REQUIRE_KEYRING=1 to make this a failure")


def with_timeout(fn: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Run ``fn`` on a daemon thread so a wedged D-Bus cannot hang the test session."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # re-raised in the caller
            box["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise TimeoutError(f"no answer within {timeout}s")
    if "error" in box:
        raise box["error"]
    return box.get("value")


@functools.cache
def probe_secret_service() -> tuple[KeyringBackend | None, str]:
    """(backend, "") when a Secret Service accepts a write, else (None, why not). Probed once per process."""
    try:
        from keyring.backends import SecretService
    except Exception as exc:  # pragma: no cover - keyring always ships it
        return None, f"cannot import keyring.backends.SecretService: {exc}"
    try:
        priority = with_timeout(lambda: SecretService.Keyring.priority)
    except Exception as exc:
        return None, f"SecretService.Keyring.priority raised {type(exc).__name__}: {exc}"
    backend = SecretService.Keyring()
    # Reachable is not usable: a locked collection still reports priority 5. Probe a real write.
    probe = f"qrlogin-test-probe-{uuid.uuid4().hex}"
    try:
        with_timeout(lambda: backend.set_password(probe, "probe", "probe"))
        with_timeout(lambda: backend.delete_password(probe, "probe"))
    except Exception as exc:
        return None, f"Secret Service reachable (priority {priority}) but unusable: {type(exc).__name__}: {exc}"
    return backend, ""


def secret_service() -> KeyringBackend:
    """A usable Secret Service backend, or skip/fail with the reason."""
    backend, reason = probe_secret_service()
    if backend is None:
        keyring_unavailable(reason)
    return backend


def service_usernames(service: str) -> list[str]:
    """The ``username`` attribute of every item stored under ``service`` (to check what is left)."""
    return _each_item(service, lambda item: item.get_attributes().get("username", ""))


def delete_service_items(service: str) -> None:
    """gnome-keyring persists the collection on disk: remove every item a test made (and its lock file)."""
    from qrlogin_desktop.storage.keystore.service_lock import lock_path

    _each_item(service, lambda item: item.delete())
    lock_path(service).unlink(missing_ok=True)


def _each_item(service: str, action: Callable[[Any], Any]) -> list[Any]:
    """``action`` applied to every item of ``service`` in the default collection, under a timeout."""
    import secretstorage

    def run() -> list[Any]:
        connection = secretstorage.dbus_init()
        try:
            collection = secretstorage.get_default_collection(connection)
            return [action(item) for item in collection.search_items({"service": service})]
        finally:
            connection.close()

    return with_timeout(run)
