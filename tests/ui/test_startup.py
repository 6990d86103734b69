"""Start-up: what is imported before the first paint, and the order of the steps after it (issue 11,
point 9). The figures themselves are benchmarks/gui_startup.py's business; these tests hold the
structure that makes them: nothing slow on the path to the shown window, the connection before the
other pages."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from ui_support import CONNECT_TIMEOUT_MS

from qrlogin_desktop.storage.profiles import ProfileStore

ROOT = Path(__file__).resolve().parents[2]
# Not needed to draw the window: the HTTP and server stacks, the worker loop, keyring backends
# (their entry-point scan), images and QR codes.
NOT_BEFORE_THE_WINDOW = ("httpx", "httpcore", "trio", "uvicorn", "starlette", "cryptography", "asyncio",
                         "keyring", "PIL", "qrcode", "segno",
                         # nor the keystore package, nor the Request Log's page (built in an idle turn)
                         "qrlogin_desktop.storage.keystore", "qrlogin_desktop.ui.panels.request_log")


def _run(code: str, tmp_path: Path) -> str:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
               QT_QPA_PLATFORM="offscreen", QRLOGIN_CONFIG_DIR=str(tmp_path / "config"))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_the_window_is_shown_before_any_slow_stack_is_imported(tmp_path):
    """As ``qrlogin-desktop gui`` starts: the command line's parser first (it reads the sandbox's
    defaults), then the window."""
    code = ("import sys\n"
            "from qrlogin_desktop.cli import build_parser\n"
            "build_parser().parse_args(['gui'])\n"
            "from qrlogin_desktop.ui.app import build_window, create_app\n"
            "app = create_app(['probe']); window = build_window(); window.show()\n"
            f"print(sorted(m for m in {NOT_BEFORE_THE_WINDOW!r} if m in sys.modules))")
    assert _run(code, tmp_path) == "[]"


@pytest.mark.skipif(importlib.util.find_spec("trio") is None or importlib.util.find_spec("rich") is None,
                    reason="trio and rich are not installed here, so there is nothing for the client to skip")
def test_the_api_client_loads_the_http_stack_without_its_optional_extras(tmp_path):
    """httpcore imports trio, and httpx its command line (rich, pygments), when they are installed:
    the client skips both, and trio can still be imported afterwards by whoever wants it."""
    code = ("import sys\n"
            "from qrlogin_desktop.api.client import QrLoginClient\n"
            "QrLoginClient('http://127.0.0.1:9', 'demo')\n"
            "loaded = sorted(m for m in ('trio', 'rich', 'pygments', 'httpx._main') if m in sys.modules)\n"
            "import trio\n"
            "print(loaded, 'httpcore' in sys.modules, trio.__name__)")
    assert _run(code, tmp_path) == "[] True trio"


def test_the_other_pages_are_built_once_the_connection_is_up(qtbot, tmp_path, memory_store):
    """Building a page holds the GIL for tens of milliseconds: none is built while the worker
    starts the sandbox, except the QR Login page the user sees; then all of them."""
    from qrlogin_desktop.ui.app import build_window, start
    from qrlogin_desktop.ui.context import AppContext

    profiles = ProfileStore(tmp_path / "config" / "profiles.json").load()
    window = build_window(profiles, AppContext(profiles, token_store=memory_store))
    qtbot.addWidget(window)
    ctx = window.ctx
    built_while_connecting: set[str] = set()

    def note_pages() -> None:
        if ctx.client is None:
            built_while_connecting.update(k for k in window.panels if window.panels.built(k))

    ctx.connection_changed.connect(note_pages)
    with_the_window = {k for k in window.panels if window.panels.built(k)}  # the Request Log logs from the start
    window.show()
    start(window)
    try:
        qtbot.waitUntil(lambda: window.panels.built("qr_login"), timeout=CONNECT_TIMEOUT_MS)
        note_pages()
        qtbot.waitUntil(lambda: ctx.client is not None, timeout=CONNECT_TIMEOUT_MS)
        note_pages()
        assert built_while_connecting == with_the_window | {"qr_login"}
        qtbot.waitUntil(lambda: all(window.panels.built(k) for k in window.panels), timeout=CONNECT_TIMEOUT_MS)
    finally:
        ctx.shutdown()


def test_the_request_log_records_exchanges_made_before_its_page_is_built(qtbot, tmp_path, memory_store):
    """Its page is built lazily, but the log still starts with the first request."""
    from qrlogin_desktop.ui.app import build_window
    from qrlogin_desktop.ui.context import AppContext

    profiles = ProfileStore(tmp_path / "config" / "profiles.json").load()
    window = build_window(profiles, AppContext(profiles, token_store=memory_store))
    qtbot.addWidget(window)
    ctx = window.ctx
    ctx.activate(ctx.profiles.active)  # the embedded sandbox, on a real loopback socket
    try:
        qtbot.waitUntil(lambda: ctx.client is not None, timeout=CONNECT_TIMEOUT_MS)
        keys = []
        ctx.run(ctx.client.initiate(), lambda outcome: keys.append(outcome.value))
        qtbot.waitUntil(lambda: bool(keys), timeout=CONNECT_TIMEOUT_MS)
        qtbot.wait(50)  # the exchange's queued signal
        assert not window.panels.built("request_log")
        log = window.request_log
        assert "QRAuthInitiate" in [x.endpoint for x in log.model.records()]
        ctx.run(ctx.client.scan(keys[0]))  # and, the page built, it hears the next one itself
        qtbot.waitUntil(lambda: "QRAuthScan" in [x.endpoint for x in log.model.records()], timeout=CONNECT_TIMEOUT_MS)
    finally:
        ctx.shutdown()


def test_pyside_reads_no_source_of_the_modules_imported_after_it(tmp_path):
    """PySide's per-import scan (it reads each new module's source, looking for "PySide6") is
    answered without a file read once skip_feature_scan() ran; Qt works as before."""
    code = ("import linecache, sys\n"
            "from qrlogin_desktop.ui.import_scan import skip_feature_scan\n"
            "applied = skip_feature_scan()\n"
            "linecache.clearcache()\n"
            "import colorsys\n"
            "from PySide6.QtCore import QObject, Signal\n"
            "class Probe(QObject):\n"
            "    fired = Signal(int)\n"
            "got = []\n"
            "p = Probe(); p.fired.connect(got.append); p.fired.emit(3)\n"
            "print(applied, colorsys.__file__ in linecache.cache, got)")
    assert _run(code, tmp_path) == "True False [3]"


def test_the_embedded_sandbox_starts_without_its_image_and_cipher_libraries(tmp_path):
    """PIL, segno and cryptography load when a code is drawn or a payload decrypted, not before."""
    code = ("import sys\n"
            "from qrlogin_desktop.sandbox import SandboxThread\n"
            "from qrlogin_desktop.sandbox.wechat import mini_program_code\n"
            "running = SandboxThread().start()\n"
            "loaded = sorted(m for m in ('PIL', 'segno', 'cryptography') if m in sys.modules)\n"
            "running.stop()\n"
            "drawn = mini_program_code('pages/index', 64)[:4]\n"
            "print(loaded, drawn)")
    assert _run(code, tmp_path) == r"[] b'\x89PNG'"


def test_the_startup_probe_reports_shown_then_ready(tmp_path):
    """What benchmarks/gui_startup.py times: the installed command's probe, in a fresh process."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
               QT_QPA_PLATFORM="offscreen", QRLOGIN_CONFIG_DIR=str(tmp_path / "config"))
    done = subprocess.run([sys.executable, "-m", "qrlogin_desktop", "gui", "--startup-probe"], cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=90)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["shown", "ready"]


def test_the_embedded_sandbox_starts_without_a_websocket_library(tmp_path):
    """It serves no WebSocket; uvicorn's default would import wsproto/websockets on every start."""
    code = ("import sys\n"
            "from qrlogin_desktop.sandbox import SandboxThread\n"
            "running = SandboxThread().start()\n"
            "loaded = sorted(m for m in ('wsproto', 'websockets') if m in sys.modules)\n"
            "running.stop()\n"
            "print(loaded)")
    assert _run(code, tmp_path) == "[]"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the app forks its sandbox on Linux only")
def test_the_app_serves_its_embedded_sandbox_from_a_child_forked_at_launch(tmp_path):
    """``qrlogin-desktop gui`` as it starts (the probe quits once QR Login is usable): the sandbox it
    connects to runs in a child process, so the server stack never loads in the app's own."""
    code = ("import os, sys\n"
            "from qrlogin_desktop.cli.gui import run_gui\n"
            "status = run_gui(startup_probe=True)\n"
            "server_stack = sorted(m for m in ('starlette', 'uvicorn', 'qrlogin_desktop.sandbox.app') if m in sys.modules)\n"
            "print(status, server_stack)")
    assert _run(code, tmp_path) == "0 []"
