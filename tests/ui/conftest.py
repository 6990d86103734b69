"""GUI fixtures: an AppContext on the embedded sandbox, offscreen Qt, a throw-away config dir."""

from __future__ import annotations

import os
import uuid

import pytest
from keyring.backends import fail

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from keyring_support import delete_service_items, secret_service, with_timeout
from ui_support import make_context

from qrlogin_desktop.storage.keystore import TokenStore
from qrlogin_desktop.storage.profiles import ProfileStore


@pytest.fixture(autouse=True)
def _english_catalogue(qapp):
    """As the app does at start-up (ui/app.py): English has a catalogue too (its plural forms)."""
    from qrlogin_desktop.ui import i18n

    if i18n.current() == i18n.ENGLISH:
        i18n.install(i18n.ENGLISH)


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path, monkeypatch):
    monkeypatch.setenv("QRLOGIN_CONFIG_DIR", str(tmp_path / "config"))


@pytest.fixture
def profiles(tmp_path) -> ProfileStore:
    return ProfileStore(tmp_path / "config" / "profiles.json").load()


@pytest.fixture
def memory_store() -> TokenStore:
    """No keyring at all: tokens stay in memory (with the store's loud warning)."""
    return TokenStore(backend=fail.Keyring(), service=f"qrlogin-ui-test-{uuid.uuid4().hex}")


@pytest.fixture
def keyring_store():
    """A real Secret Service (skip on a laptop without one; CI makes it fail instead)."""
    backend = secret_service()
    service = f"qrlogin-ui-test-{uuid.uuid4().hex}"
    yield TokenStore(backend=backend, service=service, timeout=10)
    with_timeout(lambda: delete_service_items(service))


def shut_down(context) -> None:
    """The context's workers stopped, then the test's garbage collected at once. Left to a later
    collection, the cycles of Qt wrappers a test leaves were freed in the middle of the next test's
    start-up, while its sandbox thread ran, and the process crashed there twice in a full run (a
    segmentation fault in the garbage collector, not reproduced since)."""
    import gc

    context.shutdown()
    gc.collect()


@pytest.fixture
def ctx(qtbot, profiles, memory_store):
    """Connected to a fresh embedded sandbox; tokens go to memory (no keyring needed)."""
    context = make_context(qtbot, profiles, memory_store)
    yield context
    shut_down(context)


@pytest.fixture
def keyring_ctx(qtbot, profiles, keyring_store):
    """Connected to a fresh embedded sandbox; tokens go to the real Secret Service."""
    context = make_context(qtbot, profiles, keyring_store)
    yield context
    shut_down(context)


@pytest.fixture
def window(qtbot, ctx):
    """The main window on ``ctx``, shown, in English; English again afterwards (other tests expect it)."""
    from qrlogin_desktop.ui import i18n
    from qrlogin_desktop.ui.main_window import MainWindow

    i18n.install(i18n.ENGLISH)
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    i18n.install(i18n.ENGLISH)
