"""GUI test helpers (importable by name, unlike conftest modules)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

CONNECT_TIMEOUT_MS = 15_000


def make_context(qtbot, profiles, store):
    from qrlogin_desktop.ui.context import AppContext

    ctx = AppContext(profiles, token_store=store)
    ctx.activate(profiles.active)
    qtbot.waitUntil(lambda: ctx.client is not None, timeout=CONNECT_TIMEOUT_MS)
    return ctx


def sandbox_of(context):
    """The running Sandbox object behind the context (for faults, require_registration, ...)."""
    return context.connection.sandbox.sandbox


@contextmanager
def in_chinese() -> Iterator[None]:
    """The UI in Simplified Chinese for the block, back in English afterwards whatever happens."""
    from qrlogin_desktop.ui import i18n

    i18n.install(i18n.CHINESE)
    try:
        yield
    finally:
        i18n.install(i18n.ENGLISH)
