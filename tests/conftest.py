"""Shared fixtures: a sandbox with an injectable clock, reached in-process or over real loopback."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from support import APP_KEY, TEST_TOKEN, FakeClock, asgi_client

from qrlogin_desktop.api.client import QrLoginClient
from qrlogin_desktop.sandbox import Sandbox, SandboxConfig, SandboxThread

# No per-example deadline: these machines are noisy, and how long one example takes is not behaviour.
settings.register_profile("no-deadline", deadline=None)
settings.load_profile("no-deadline")


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory, monkeypatch):
    """The user's data directory (the request history) is a throw-away one in every test."""
    monkeypatch.setenv("QRLOGIN_DATA_DIR", str(tmp_path_factory.mktemp("data")))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(clock: FakeClock) -> Sandbox:
    return Sandbox(SandboxConfig(app_key=APP_KEY, token=TEST_TOKEN, clock=clock))


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
