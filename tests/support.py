"""Shared test helpers (importable by name: conftest modules are not, two of them share that name)."""

from __future__ import annotations

import time

import httpx

from qrlogin_desktop.api.client import QrLoginClient
from qrlogin_desktop.sandbox import Sandbox

TEST_TOKEN = "test-bearer-0123456789abcdef"
APP_KEY = "demo"


class FakeClock:
    """Wall-clock-like time that only moves when a test says so."""

    def __init__(self, start: float | None = None):
        self.now = start if start is not None else float(int(time.time()))

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def asgi_client(sandbox: Sandbox, **kwargs) -> QrLoginClient:
    transport = httpx.ASGITransport(app=sandbox.app)
    kwargs.setdefault("token", TEST_TOKEN)
    return QrLoginClient("http://sandbox.test", kwargs.pop("app_key", APP_KEY), transport=transport, **kwargs)
