"""Help → About: version, Qt and Python versions, licence, where the configuration and keyring entries live."""

from __future__ import annotations

import platform
from pathlib import Path

import pytest
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QMenu

from qrlogin_desktop import __version__
from qrlogin_desktop.ui import i18n
from qrlogin_desktop.ui.about_dialog import LICENCE, AboutDialog

ROOT = Path(__file__).resolve().parent.parent.parent
WAIT_MS = 5000


def _open_about(qtbot, window) -> AboutDialog:
    help_menu = next(m for m in window.findChildren(QMenu) if m.objectName() == "helpMenu")
    assert help_menu.title() == "&Help"
    assert help_menu.menuAction() in window.menuBar().actions()
    about = next(a for a in help_menu.actions() if a.objectName() == "aboutAction")
    about.trigger()
    dialog = window.findChild(AboutDialog, "aboutDialog")
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    return dialog


def test_about_names_versions_licence_and_where_data_lives(qtbot, window, ctx):
    dialog = _open_about(qtbot, window)
    fields = {key: label.text() for key, label in dialog.fields.items()}
    assert fields["version"] == f"{__version__} (Python package)"
    assert dialog.title.text() == f"qrlogin-desktop {__version__}"
    assert qVersion() in fields["qt"]
    assert fields["python"].startswith(platform.python_version())
    assert fields["licence"] == "MIT"
    assert fields["config"] == str(ctx.profiles.path)
    assert f"service “{ctx.token_store.service}”" in fields["keyring"]
    # The backend line is filled in once the keyring answered (memory_store: no keyring at all).
    qtbot.waitUntil(lambda: dialog.backend is not None, timeout=WAIT_MS)
    assert dialog.fields["backend"].text() == ("No usable keyring: tokens and credentials are kept in memory only, "
                                               "lost when the app exits")
    assert dialog.fields["backend"].toolTip() == ctx.token_store.backend_description()  # keyring's own words


def test_about_renders_the_backend_again_in_the_new_language(qtbot, window):
    dialog = _open_about(qtbot, window)
    qtbot.waitUntil(lambda: dialog.backend is not None, timeout=WAIT_MS)
    i18n.install(i18n.CHINESE)
    assert dialog.fields["backend"].text() == "没有可用的系统密钥环：令牌和凭据仅保存在内存中，应用退出后即丢失"
    i18n.install(i18n.ENGLISH)
    assert dialog.fields["backend"].text().startswith("No usable keyring")


def test_escape_closes_the_about_dialog(qtbot, window):
    from PySide6.QtCore import Qt

    dialog = _open_about(qtbot, window)
    dialog.activateWindow()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)


def test_about_follows_a_language_switch(qtbot, window):
    dialog = _open_about(qtbot, window)
    i18n.install(i18n.CHINESE)
    assert dialog.windowTitle() == "关于 qrlogin-desktop"
    assert window.help_menu.title() == "帮助(&H)"
    assert dialog.fields["version"].text() == f"{__version__}（Python 包）"
    i18n.install(i18n.ENGLISH)
    assert dialog.windowTitle() == "About qrlogin-desktop"


def test_licence_agrees_with_the_package_metadata():
    tomllib = pytest.importorskip("tomllib", reason="Python 3.11+ reads TOML")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert LICENCE == project["license"]["text"]
