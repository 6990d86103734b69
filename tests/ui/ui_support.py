"""GUI test helpers (importable by name, unlike conftest modules)."""

from __future__ import annotations

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
