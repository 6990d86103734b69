"""A real Secret Service for tests: skip with the reason on a laptop, fail in CI (QRLOGIN_REQUIRE_KEYRING=1)."""

from __future__ import annotations

import os
import threading
import uuid

import pytest
from keyring.backend import KeyringBackend


def keyring_unavailable(reason: str) -> None:
    if os.environ.get("QRLOGIN_REQUIRE_KEYRING") == "1":
        pytest.fail(f"QRLOGIN_REQUIRE_KEYRING=1 but the Secret Service is not usable: {reason}")
    pytest.skip(f"no usable Secret Service ({reason}); set QRLOGIN_REQUIRE_KEYRING=1 to make this a failure")


def with_timeout(fn, timeout: float = 10.0):
    """Run ``fn`` on a daemon thread so a wedged D-Bus cannot hang the test session."""
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            box["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise TimeoutError(f"no answer within {timeout}s")
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box.get("value")


def secret_service() -> KeyringBackend:
    """A usable Secret Service backend, or skip/fail with the reason."""
    try:
        from keyring.backends import SecretService

        priority = with_timeout(lambda: SecretService.Keyring.priority)
    except Exception as exc:  # noqa: BLE001
        keyring_unavailable(f"SecretService.Keyring.priority raised {type(exc).__name__}: {exc}")
    backend = SecretService.Keyring()
    probe = f"qrlogin-test-probe-{uuid.uuid4().hex}"
    try:  # reachable is not usable: a locked collection still reports priority 5
        with_timeout(lambda: backend.set_password(probe, "probe", "probe"))
        with_timeout(lambda: backend.delete_password(probe, "probe"))
    except Exception as exc:  # noqa: BLE001
        keyring_unavailable(f"Secret Service reachable (priority {priority}) but unusable: {exc}")
    return backend


def delete_service_items(service: str) -> None:
    """gnome-keyring persists the collection on disk: remove every item a test made."""
    import secretstorage

    connection = secretstorage.dbus_init()
    try:
        collection = secretstorage.get_default_collection(connection)
        for item in collection.search_items({"service": service}):
            item.delete()
    finally:
        connection.close()
