"""Keyboard and screen-reader basics on every page of the main window, in both languages.

What counts as a control's name (what a screen reader says for it):

* its ``accessibleName()``, set explicitly;
* for a button or check box, its visible text (Qt's accessible name for it, ``&`` mnemonics dropped);
* the text of a ``QLabel`` whose buddy it is and that shares its parent: Qt's accessibility bridge
  (``buddyString`` in qaccessiblewidget.cpp) announces exactly that label.

Not counted: the title of the group box around a control (Qt falls back to it, so the code table
would be read as "Profile"), a placeholder (that is the description) or a tooltip. Parts of a
compound control are not controls of their own: a spin box's line edit, a table's headers, a
combo box's popup list, an item view's viewport and scroll bars.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableView,
    QTextEdit,
    QTreeView,
    QWidget,
)

from qrlogin_desktop.ui import i18n
from qrlogin_desktop.ui.main_window import MainWindow

INTERACTIVE = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QAbstractItemView, QPlainTextEdit, QTextEdit)
WAIT_MS = 10_000


@pytest.fixture
def window(qtbot, ctx):
    i18n.install(i18n.ENGLISH)
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.resize(1280, 820)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: ctx.client is not None, timeout=WAIT_MS)
    yield win
    i18n.install(i18n.ENGLISH)


def _is_part_of_another_control(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    if isinstance(widget, QHeaderView) or widget.objectName().startswith("qt_"):
        return True  # headers belong to their view; "qt_*" are Qt's own parts (the menu bar's overflow button)
    while parent is not None:
        if isinstance(parent, QAbstractSpinBox | QComboBox):
            return True  # a spin box's line edit, a combo's popup or line edit
        if isinstance(parent, QAbstractItemView) and widget is not parent.viewport():
            return not isinstance(widget, QComboBox | QAbstractButton | QLineEdit)  # a cell's own control counts
        parent = parent.parentWidget()
    return False


def controls(root: QWidget) -> list[QWidget]:
    return [w for w in root.findChildren(QWidget)
            if isinstance(w, INTERACTIVE) and w.isVisibleTo(root) and w.isVisible() and not _is_part_of_another_control(w)]


def spoken_name(widget: QWidget) -> str:
    """The name as defined in the module docstring ("" when there is none)."""
    if widget.accessibleName().strip():
        return widget.accessibleName().strip()
    if isinstance(widget, QAbstractButton) and widget.text().replace("&", "").strip():
        return widget.text().replace("&", "").strip()
    parent = widget.parentWidget()
    if parent is not None:
        for label in parent.findChildren(QLabel, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if label.buddy() is widget and label.text().replace("&", "").strip():
                return label.text().replace("&", "").strip()
    return ""


def describe(widget: QWidget) -> str:
    return f"{type(widget).__name__}#{widget.objectName() or '?'}"


def unnamed_controls(window: MainWindow) -> dict[str, list[str]]:
    """Page key -> the visible controls on it (and around it: navigation, menus) that have no name."""
    missing: dict[str, list[str]] = {}
    for key in window.panels:
        window.show_panel(key)
        found = []
        for widget in controls(window):
            name = spoken_name(widget)
            if not name:
                found.append(describe(widget))
                continue
            # What we count as the name is what Qt's accessibility bridge announces.
            interface = QAccessible.queryAccessibleInterface(widget)
            assert interface is not None and interface.text(QAccessible.Text.Name).strip(), describe(widget)
        if found:
            missing[key] = sorted(found)
    return missing


@pytest.mark.parametrize("language", [i18n.ENGLISH, i18n.CHINESE])
def test_every_control_on_every_page_has_an_accessible_name(qtbot, window, language):
    i18n.install(language)
    missing = unnamed_controls(window)
    assert not missing, "controls without an accessible name:\n" + "\n".join(
        f"{page}: {', '.join(names)}" for page, names in missing.items())


def test_accessible_names_follow_the_language(qtbot, window):
    tokens = window.show_panel("tokens")
    settings = window.show_panel("settings")
    assert tokens.table.accessibleName() == "Stored tokens"
    i18n.install(i18n.CHINESE)
    assert tokens.table.accessibleName() == "已保存的令牌"
    assert settings.code_table.accessibleName() == "业务码处理表"
    page = window.show_panel("endpoint:JSConfig")
    assert page.form.editors["url"].accessibleName() and "url" not in page.form.editors["url"].accessibleName()


def test_tab_never_gets_stuck_in_a_table(qtbot, window):
    """Tab moves focus out of every table and tree of the app; arrows move inside them."""
    for key in window.panels:
        window.show_panel(key)
        for view in window.findChildren(QAbstractItemView):
            if isinstance(view, QTableView | QTreeView) and view.isVisible():
                assert not view.tabKeyNavigation(), f"{key}: {describe(view)} keeps Tab for itself"
    tokens = window.show_panel("tokens")
    tokens.table.setFocus()
    qtbot.waitUntil(tokens.table.hasFocus, timeout=WAIT_MS)
    qtbot.keyClick(tokens.table, Qt.Key.Key_Tab)
    assert not tokens.table.hasFocus()
    settings = window.show_panel("settings")
    settings.code_table.setFocus()
    qtbot.waitUntil(settings.code_table.hasFocus, timeout=WAIT_MS)
    qtbot.keyClick(settings.code_table, Qt.Key.Key_Tab)
    assert not settings.code_table.hasFocus()
