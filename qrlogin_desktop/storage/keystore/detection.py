"""Which OS keyring backend is active, whether it can store secrets, and how to describe it."""

from __future__ import annotations

import importlib
import math
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .runner import TimedRunner

if TYPE_CHECKING:
    import keyring.backend


class LazyModule:
    """A module imported on first attribute access. keyring (with the D-Bus libraries behind it)
    costs ~40 ms to import; the GUI creates its store at start-up but touches the keyring only
    once its window is on screen."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)


keyring = LazyModule("keyring")  # the runtime stand-in for the module
chainer = LazyModule("keyring.backends.chainer")
fail = LazyModule("keyring.backends.fail")
null = LazyModule("keyring.backends.null")


# keyring's backend modules, by the OS service behind them: a UI names the service in its own words
# (and language) from this, never from keyring's class names, which are English and change.
FAMILIES = {
    "keyring.backends.SecretService": "secret_service",
    "keyring.backends.libsecret": "secret_service",
    "keyring.backends.kwallet": "kwallet",
    "keyring.backends.macOS": "macos",
    "keyring.backends.Windows": "windows",
}


@dataclass(frozen=True)
class DetectedBackend:
    backend: keyring.backend.KeyringBackend
    unusable_reason: str | None  # None when the backend can store secrets
    description: str
    families: tuple[str, ...] = ()  # the family of each backend in use (a chainer's: of each it chains)


def detect(runner: TimedRunner, explicit: keyring.backend.KeyringBackend | None) -> DetectedBackend:
    """Probe ``explicit`` (or keyring's own choice); each probe may talk to D-Bus, so each is timed."""
    backend = explicit if explicit is not None else runner.run("detect keyring backend", keyring.get_keyring)
    reason = runner.run("check keyring backend", unusable_reason, backend)
    description = runner.run("describe keyring backend", describe_backend, backend)
    families = runner.run("describe keyring backend", backend_families, backend)
    return DetectedBackend(backend, reason, description, families)


def backend_families(backend: keyring.backend.KeyringBackend) -> tuple[str, ...]:
    """``FAMILIES``' name for ``backend`` ("other" when unknown), or for each backend a chainer chains."""
    if isinstance(backend, chainer.ChainerBackend):
        return tuple(f for b in backend.backends for f in backend_families(b))
    return (FAMILIES.get(type(backend).__module__, "other"),)


def backend_name(backend: keyring.backend.KeyringBackend) -> str:
    try:
        return str(type(backend).name)
    except Exception:  # a third-party backend with a broken classproperty
        return type(backend).__qualname__


def describe_backend(backend: keyring.backend.KeyringBackend) -> str:
    name = backend_name(backend)
    if isinstance(backend, chainer.ChainerBackend):
        children = ", ".join(describe_backend(b) for b in backend.backends) or "no backends"
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


def unusable_reason(backend: keyring.backend.KeyringBackend) -> str | None:
    """``None`` when ``backend`` can store secrets, else a human-readable cause.

    Runs on a worker thread: ``priority`` of the Secret Service backend talks
    to D-Bus and could hang like any other keyring call.
    """
    name = backend_name(backend)
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
