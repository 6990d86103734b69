"""The Profiles & Settings page fits the window: actions in sight at 1024x640, compact fields at 1920."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QAbstractButton, QLabel, QSplitter, QTabBar, QTabWidget, QWidget
from ui_support import in_chinese

from qrlogin_desktop.ui import i18n, theme
from qrlogin_desktop.ui.main_window import MainWindow
from qrlogin_desktop.ui.panels.settings import SettingsPanel

NUMBER_FIELD_LIMIT = 200  # px: wide enough for "3600" or "300.00" and the arrows, far from 1100
PROFILE_LIST_RANGE = range(200, 301)  # px: a list of a few names, not a third of the page
DEFAULT_ROWS = 10  # the built-in code table (flow.policy.DEFAULT_CODES)


def settings_page(qtbot, ctx, size: tuple[int, int]) -> tuple[MainWindow, SettingsPanel]:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    page = window.show_panel("settings")
    qtbot.wait(30)  # the posted layout requests of the new page
    return window, page


def select_tab_of(page: QWidget, widget: QWidget) -> None:
    """Bring a field's tab to the front when the page has tabs (a click, not a scroll)."""
    for tabs in page.findChildren(QTabWidget):
        for index in range(tabs.count()):
            if tabs.widget(index).isAncestorOf(widget):
                tabs.setCurrentIndex(index)


def in_sight(qtbot, window: MainWindow, page: QWidget, widget: QWidget) -> bool:
    """Shown whole, inside the window, with nothing scrolled (no scroll area clips any of it)."""
    select_tab_of(page, widget)
    qtbot.wait(10)
    if not widget.isVisible():
        return False
    ancestor = widget.parentWidget()
    while ancestor is not None:  # a scroll area's viewport is one of them: it clips what is scrolled away
        if not ancestor.rect().contains(widget.rect().translated(widget.mapTo(ancestor, QPoint(0, 0)))):
            return False
        if ancestor is window:
            return True
        ancestor = ancestor.parentWidget()
    return False


@pytest.mark.parametrize("language", [i18n.ENGLISH, i18n.CHINESE])
@pytest.mark.parametrize("scheme", [theme.LIGHT, theme.DARK])
def test_save_use_and_add_code_are_in_sight_at_1024x640(qtbot, ctx, language, scheme):
    theme.install(scheme)
    i18n.install(language)
    try:
        window, page = settings_page(qtbot, ctx, (1024, 640))
        for button in (page.save_button, page.use_button, page.add_code_button):
            assert in_sight(qtbot, window, page, button), (button.text(), language, scheme)
        area = window.page_area("settings")
        assert not area.verticalScrollBar().isVisible()  # the page itself fits: nothing to scroll to
    finally:
        i18n.install(i18n.ENGLISH)
        theme.install(theme.LIGHT)


@pytest.mark.parametrize("size", [(1024, 640), (1440, 900)])
def test_the_code_table_is_as_tall_as_its_rows(qtbot, ctx, size):
    window, page = settings_page(qtbot, ctx, size)
    table = page.code_table
    select_tab_of(page, table)
    qtbot.wait(10)
    assert table.rowCount() == DEFAULT_ROWS
    assert not table.verticalScrollBar().isVisible(), size
    last = table.visualRect(table.model().index(DEFAULT_ROWS - 1, 0))
    assert table.viewport().rect().contains(last), (size, last)  # every row shown, none cut
    assert in_sight(qtbot, window, page, table), size
    # Past a dozen rows it scrolls on its own instead of growing the page without end.
    for _ in range(6):
        page.add_code_button.click()
    qtbot.wait(10)
    assert table.verticalScrollBar().isVisible()
    assert in_sight(qtbot, window, page, page.add_code_button)


def test_numeric_fields_and_the_profile_list_stay_compact_on_a_wide_window(qtbot, ctx):
    window, page = settings_page(qtbot, ctx, (1920, 1080))
    for spin in (page.timeout, page.poll_min, page.poll_idle, page.session_ttl, page.auto_refresh):
        select_tab_of(page, spin)
        qtbot.wait(10)
        assert spin.isVisible() and spin.width() <= NUMBER_FIELD_LIMIT, (spin.objectName(), spin.width())
    for size in ((1440, 900), (1920, 1080)):
        window.resize(*size)
        qtbot.wait(20)
        assert page.profile_list.width() in PROFILE_LIST_RANGE, (size, page.profile_list.width())
    # The user can still make it wider, with the splitter beside it.
    splitters = [s for s in page.findChildren(QSplitter) if s.widget(0).isAncestorOf(page.profile_list)]
    assert splitters, "the profile list has no splitter beside it"
    before = page.profile_list.width()
    splitters[0].moveSplitter(before + 120, 1)
    qtbot.wait(10)
    assert page.profile_list.width() >= before + 100


LATIN_CODE = re.compile(r"\bcode\b", re.IGNORECASE)


def page_texts(page: SettingsPanel) -> list[str]:
    texts = [w.text() for w in page.findChildren(QLabel) + page.findChildren(QAbstractButton) if w.text()]
    texts += [bar.tabText(i) for bar in page.findChildren(QTabBar) for i in range(bar.count())]
    table = page.code_table
    texts += [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    texts += [table.accessibleName(), table.cellWidget(0, 1).accessibleName()]
    return texts


def test_the_code_table_speaks_chinese_and_the_language_choice_the_ui_language(qtbot, ctx):
    panel = SettingsPanel(ctx)
    qtbot.addWidget(panel)
    system = panel.language.findData(i18n.SYSTEM)
    assert panel.language.itemText(system) == "System"
    with in_chinese():
        half = [text for text in page_texts(panel) if LATIN_CODE.search(text)]
        assert not half, half  # 业务码, as the Request Log says: never "code 处理表", "添加 code"
        assert panel.add_code_button.text() == "添加业务码"
        assert panel.code_table.horizontalHeaderItem(0).text() == "业务码"
        assert "业务码处理表" in page_texts(panel)
        assert panel.language.itemText(system) == "跟随系统"
        # Each language keeps its own name, so a user who cannot read the current one finds theirs.
        assert panel.language.itemText(panel.language.findData(i18n.ENGLISH)) == "English"
    assert panel.language.itemText(system) == "System"
    assert panel.language.itemText(panel.language.findData(i18n.CHINESE)) == "简体中文"


def test_a_refused_field_on_another_tab_is_brought_to_the_front(qtbot, ctx):
    window, page = settings_page(qtbot, ctx, (1024, 640))
    page.poll_min.setValue(2.0)
    page.poll_idle.setValue(1.0)  # below the fastest interval: refused
    select_tab_of(page, page.base_url)
    page.save_button.click()
    qtbot.waitUntil(lambda: page.poll_idle.hasFocus(), timeout=2000)
    assert page.poll_idle.isVisible() and "poll_idle_interval" in page.banner.text
