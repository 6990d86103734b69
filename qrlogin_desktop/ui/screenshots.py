"""Screenshots of every page, in every language, theme and size, after a real login on the embedded sandbox.

Used by ``scripts/screenshots.py`` (README images) and by the GUI tests (``test-output/``), so the
pictures in the README are the app as it is, not as it was drawn once. One window serves the whole
matrix: it is resized and re-themed between shots, never rebuilt or logged in again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

from ..flow.machine import State
from . import i18n, theme
from .main_window import MainWindow

SIZES = ((1024, 640), (1440, 900), (1920, 1080))
THEMES = (theme.LIGHT, theme.DARK)

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
    """Bring the window into an interesting state: a finished simulated login, some endpoint calls,
    the Tokens page loaded with the new token."""
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
    # The Tokens page lists the store on first show, off the GUI thread: shot once it has the token.
    tokens = window.show_panel("tokens")
    wait_until(lambda: tokens.loaded and tokens.model.rowCount() > 0)
    settle(300)


def shot_name(key: str, language: str, theme_choice: str, size: tuple[int, int]) -> str:
    return f"{key.replace(':', '_')}_{language}_{theme_choice}_{size[0]}x{size[1]}.png"


def capture_matrix(window: MainWindow, out_dir: Path,
                   languages: Iterable[str] = (i18n.ENGLISH, i18n.CHINESE),
                   themes: Iterable[str] = THEMES, sizes: Iterable[tuple[int, int]] = SIZES,
                   pages: Iterable[str] | None = None,
                   inspect: Callable[[MainWindow, str, str, str, tuple[int, int]], None] | None = None,
                   ) -> dict[tuple[str, str, str, tuple[int, int]], Path]:
    """``<page>_<language>_<theme>_<w>x<h>.png`` for every combination; ``inspect(window, page, language,
    theme, size)`` runs on the live window before each shot (layout checks). Returns the files by key."""
    out_dir.mkdir(parents=True, exist_ok=True)
    keys = list(pages) if pages is not None else list(window.panels)
    written: dict[tuple[str, str, str, tuple[int, int]], Path] = {}
    for theme_choice in themes:
        theme.install(theme_choice)
        for language in languages:
            i18n.install(language)
            for size in sizes:
                window.resize(*size)
                for key in keys:
                    window.show_panel(key)
                    _laid_out()
                    if inspect is not None:
                        inspect(window, key, language, theme_choice, size)
                    path = out_dir / shot_name(key, language, theme_choice, size)
                    # Quality 80: a light zlib level - the shots are for eyes and diffs, not for size.
                    if not window.grab().save(str(path), "PNG", 80):
                        raise OSError(f"could not write {path}")
                    written[(key, language, theme_choice, size)] = path
    window.show_panel("qr_login")
    return written


def _laid_out() -> None:
    """Deliver the posted layout and paint events of a page just shown or resized (no fixed wait)."""
    for _ in range(3):
        QCoreApplication.processEvents()


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
