"""Shared fixtures: a sandbox with an injectable clock, reached in-process or over real loopback."""

from __future__ import annotations

import os
import time

import httpx
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qrlogin_desktop.api.client import QrLoginClient  # noqa: E402
from qrlogin_desktop.sandbox import Sandbox, SandboxConfig, SandboxThread  # noqa: E402

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


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(clock: FakeClock) -> Sandbox:
    return Sandbox(SandboxConfig(app_key=APP_KEY, token=TEST_TOKEN, clock=clock))


def asgi_client(sandbox: Sandbox, **kwargs) -> QrLoginClient:
    transport = httpx.ASGITransport(app=sandbox.app)
    kwargs.setdefault("token", TEST_TOKEN)
    return QrLoginClient("http://sandbox.test", kwargs.pop("app_key", APP_KEY), transport=transport, **kwargs)


@pytest.fixture
async def client(sandbox: Sandbox):
    async with asgi_client(sandbox) as c:
        yield c


@pytest.fixture
def loopback(sandbox: Sandbox):
    """The same sandbox served by uvicorn on 127.0.0.1 with a free port."""
    with SandboxThread(sandbox) as running:
        yield running


@pytest.fixture
async def loopback_client(loopback: SandboxThread):
    async with QrLoginClient(loopback.url, APP_KEY, TEST_TOKEN, timeout=5.0) as c:
        yield c
