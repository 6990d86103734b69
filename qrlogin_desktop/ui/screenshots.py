"""Screenshots of every page, in every language, after a real login against the embedded sandbox.

Used by ``scripts/screenshots.py`` (README images) and by the GUI tests (``test-output/``), so the
pictures in the README are the app as it is, not as it was drawn once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

from ..flow.machine import State
from . import i18n
from .main_window import MainWindow

SHOWCASE_ENDPOINTS = {"UrlLinkGenerate": None, "WXACodeGetUnlimited": None,
                      "JSConfig": {"url": "https://example.com/page?from=desktop"}}


def wait_until(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    loop = QEventLoop()
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not reach the expected state in time")
        QTimer.singleShot(10, loop.quit)
        loop.exec()


def settle(ms: int = 150) -> None:
    end = time.monotonic() + ms / 1000
    wait_until(lambda: time.monotonic() >= end)


def prepare(window: MainWindow) -> None:
    """Bring the window into an interesting state: a finished simulated login, some endpoint calls."""
    ctx = window.ctx
    wait_until(lambda: ctx.client is not None)
    panel = window.show_panel("qr_login")
    wait_until(panel.start_button.isEnabled)
    panel.initiate_form.set_values({"scopes": "userinfo,phone", "remark": "desktop login"})
    panel.simulate_radio.setChecked(True)
    panel.start_button.click()
    wait_until(lambda: panel.controller.state() is State.WAITING_FOR_SCAN)
    wait_until(panel.scan_button.isEnabled)
    panel.scan_button.click()
    wait_until(panel.confirm_button.isEnabled)
    panel.confirm_button.click()
    wait_until(lambda: panel.controller.state() is State.AUTHENTICATED and panel.controller.saved is not None)
    answers: list[object] = []
    ctx.exchange_logged.connect(answers.append)
    for endpoint_id, query in SHOWCASE_ENDPOINTS.items():
        page = window.show_panel(f"endpoint:{endpoint_id}")
        if query:
            page.form.set_values(query)
        before = len(answers)
        page.send_button.click()
        wait_until(lambda before=before: len(answers) > before)
    ctx.exchange_logged.disconnect(answers.append)
    settle(300)


def capture(window: MainWindow, out_dir: Path, languages: Iterable[str] = (i18n.ENGLISH, i18n.CHINESE),
            pages: Iterable[str] | None = None) -> list[Path]:
    """Save ``<page>_<language>.png`` for each page and language; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    keys = list(pages) if pages is not None else list(window.panels)
    for language in languages:
        i18n.install(language)
        QCoreApplication.processEvents()
        for key in keys:
            window.show_panel(key)
            settle(120)
            path = out_dir / f"{key.replace(':', '_')}_{language}.png"
            if not window.grab().save(str(path)):
                raise OSError(f"could not write {path}")
            written.append(path)
    window.show_panel("qr_login")
    return written
