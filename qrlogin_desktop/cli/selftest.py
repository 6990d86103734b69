"""``qrlogin-desktop --self-test``: prove an installed copy (a pip install or a packaged bundle) works.

One pass through the parts a broken bundle loses first: the embedded sandbox (uvicorn's string-loaded
modules), a simulated QR login end to end, the token stored in and removed from the keyring (keyring
finds its backends through package metadata, which freezing tends to drop), and the Qt UI switched
to Chinese and back (the compiled ``.qm`` catalogue must be in the bundle). Each step uses the app's
own code; the verdict is one line and the exit status 0 or 1.

The token goes to a keyring service of its own (:data:`SELF_TEST_SERVICE`), never the user's, and
every entry the test wrote is removed again before the verdict, whatever the outcome.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from .. import __version__

SELF_TEST_SERVICE = "qrlogin-desktop-self-test"
SELF_TEST_ACCOUNT = "self-test"
LOGIN_DEADLINE = 30.0  # s: a simulated login on loopback takes well under a second
KEYRING_DEADLINE = 10.0  # s: per keyring call (detection may wait for D-Bus activation)


class SelfTestFailure(Exception):
    """One step did not do what it must; the message names the step."""


@dataclass(frozen=True)
class Verdict:
    ok: bool
    text: str

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1


def use_offscreen_without_display() -> None:
    """No X11/Wayland display (CI, ssh, a container): run Qt offscreen instead of failing to start."""
    if os.environ.get("QT_QPA_PLATFORM") or not sys.platform.startswith("linux"):
        return
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


def _bounded(fn: Callable[[], Any], what: str) -> Any:
    """A keyring call outside the store, with the store's own per-call timeout runner: a wedged D-Bus
    must not hang the self-test (or its exit). Its timeout is a KeystoreError, reported as one."""
    from ..storage.keystore.runner import TimedRunner

    return TimedRunner(KEYRING_DEADLINE).run(what, fn)


def default_backend():
    import keyring

    return _bounded(keyring.get_keyring, "detect keyring backend")


# --- step 1 and 2: the sandbox login and the keyring round trip -----------------------------------------


async def _login_and_store(store) -> tuple[str, str]:
    """(where the token went: "keyring"/"memory"/"file", what happened)."""
    from ..flow.driver import FlowDriver
    from ..flow.session import start_embedded_sandbox
    from ..storage.profiles import sandbox_profile
    from ..storage.token_records import save_login_token

    connection = await asyncio.to_thread(start_embedded_sandbox, sandbox_profile())
    try:
        client = connection.client()
        try:
            driver = FlowDriver(client, policy=connection.policy(), codes=connection.codes())
            try:
                result = await asyncio.wait_for(driver.run_simulated(), LOGIN_DEADLINE)
            except TimeoutError:
                await driver.cancel()
                raise SelfTestFailure(f"sandbox login: not done within {LOGIN_DEADLINE:g} s") from None
        finally:
            await client.aclose()
        if not result.ok or result.token is None:
            raise SelfTestFailure(f"sandbox login ended {result.state.value}: {result.error or 'no token'}")
        saved = await save_login_token(store, connection, result.token, account=SELF_TEST_ACCOUNT)
    finally:
        await asyncio.to_thread(connection.close)
    try:
        read_back = await store.aget(saved.token.key)
        if read_back is None or read_back.access_token != saved.token.access_token:
            raise SelfTestFailure(f"token storage: the token saved to {saved.result.location} did not read back")
    finally:
        removed = await store.adelete(saved.token.key)
    if not removed or await store.aget(saved.token.key) is not None:
        raise SelfTestFailure(f"token storage: the token in {saved.result.location} was not removed")
    where = (f"the keyring ({await store.abackend_description()})" if saved.result.location == "keyring"
             else f"{saved.result.location} (no usable keyring: {saved.result.warning})")
    return saved.result.location, f"sandbox login OK ({result.requests} requests), token stored in and removed from {where}"


def _remove_leftovers(backend, service: str) -> None:
    """TokenStore keeps an index entry next to the tokens (the keyring API cannot list): drop it too."""
    from keyring.errors import PasswordDeleteError

    from ..storage.keystore import INDEX_USERNAME

    if _bounded(lambda: backend.get_password(service, INDEX_USERNAME), "read the token index") is None:
        return
    try:
        _bounded(lambda: backend.delete_password(service, INDEX_USERNAME), "delete the token index")
    except PasswordDeleteError:
        pass  # gone already: nothing left behind


# --- step 3: the UI in Chinese and back ----------------------------------------------------------------


def _switch_languages(store) -> str:
    from PySide6.QtWidgets import QApplication

    from ..storage.profiles import ProfileStore
    from ..ui import i18n
    from ..ui.app import create_app
    from ..ui.context import AppContext
    from ..ui.main_window import MainWindow

    app = QApplication.instance() or create_app([sys.argv[0]])
    before = i18n.current()
    with tempfile.TemporaryDirectory(prefix="qrlogin-self-test-") as config:
        # A throw-away config: the self-test never reads or rewrites the user's profiles.
        ctx = AppContext(ProfileStore(Path(config) / "profiles.json").load(), token_store=store)
        window = MainWindow(ctx)
        try:
            window.show()
            app.processEvents()
            i18n.install(i18n.ENGLISH)
            english = window.windowTitle()
            if i18n.install(i18n.CHINESE) != i18n.CHINESE:
                raise SelfTestFailure("translations: could not select Chinese")
            chinese = window.windowTitle()
            if chinese == english or not any("\u4e00" <= ch <= "\u9fff" for ch in chinese):
                raise SelfTestFailure(f"translations: the window title stayed {chinese!r} in Chinese "
                                      f"(is {i18n.qm_path(i18n.CHINESE)} in the package?)")
            i18n.install(i18n.ENGLISH)
            if window.windowTitle() != english:
                raise SelfTestFailure(f"translations: back in English the title is {window.windowTitle()!r}")
        finally:
            i18n.install(before)
            window.close()
            ctx.shutdown()
            window.deleteLater()
    return f"UI switched to {i18n.CHINESE} and back ({app.platformName()} Qt platform)"


# --- the whole run ------------------------------------------------------------------------------------


def run(*, service: str = SELF_TEST_SERVICE, backend=None, require_keyring: bool = False) -> Verdict:
    """Run every step; never raises (a failure becomes the verdict). ``backend``: a keyring backend
    to use instead of the detected one (tests)."""
    from ..storage.keystore import KeystoreError, TokenStore

    use_offscreen_without_display()
    parts: list[str] = []
    try:
        try:
            backend = backend if backend is not None else default_backend()
            store = TokenStore(backend=backend, service=service, timeout=KEYRING_DEADLINE)
            if store.mode() == "keyring":
                for left in store.list():  # an earlier self-test that was killed half-way
                    store.delete(left.key)
            try:
                location, done = asyncio.run(_login_and_store(store))
            finally:
                if store.mode() == "keyring":  # with no usable keyring nothing was written to one
                    _remove_leftovers(backend, service)
        except KeystoreError as exc:
            raise SelfTestFailure(f"token storage: {exc}") from None
        if require_keyring and location != "keyring":
            raise SelfTestFailure(f"token storage: a keyring was required; {done}")
        parts.append(done)
        parts.append(_switch_languages(store))
    except SelfTestFailure as exc:
        return Verdict(False, f"qrlogin-desktop {__version__} self-test FAILED: {exc}")
    except Exception as exc:  # a broken bundle raises anything (ImportError first)
        return Verdict(False, f"qrlogin-desktop {__version__} self-test FAILED: {type(exc).__name__}: {exc}")
    return Verdict(True, f"qrlogin-desktop {__version__} self-test PASSED: " + "; ".join(parts))


def main(*, require_keyring: bool = False, out: TextIO | None = None) -> int:
    verdict = run(require_keyring=require_keyring)
    stream = out or sys.stdout
    if stream is not None:  # a windowed Windows executable has no stdout
        print(verdict.text, file=stream, flush=True)
    return verdict.exit_code
