"""The main window's chrome: navigation that never scrolls sideways, a size that fits small screens,
a restored geometry kept on the screen, feedback that moves no control, icons and the app icon."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontInfo, QFontMetrics, QGuiApplication
from PySide6.QtWidgets import QApplication, QPushButton, QVBoxLayout, QWidget

from qrlogin_desktop.ui import i18n
from qrlogin_desktop.ui.app import build_window, create_app
from qrlogin_desktop.ui.main_window import MainWindow
from qrlogin_desktop.ui.widgets.common import ErrorBanner, StatusFlash

WIDTHS = (1024, 1440, 1920)
LONGEST_NAME = "Send official-account one-time subscribe message"


def shown_window(qtbot, ctx, size=(1280, 820)) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    return window


def build_every_page(qtbot, window: MainWindow) -> None:
    for key in window.panels:
        window.panels[key]
    qtbot.wait(50)  # the posted layout requests of the new pages


def text_fits(window: MainWindow, item) -> bool:
    """The item's whole text is drawn: inside the list's width, tall enough for its wrapped lines."""
    nav = window.nav
    rect = nav.visualItemRect(item)
    text_width = rect.width() - nav.iconSize().width() - 12  # icon, its gap and the item's margins
    wrapped = QFontMetrics(item.font()).boundingRect(QRect(0, 0, text_width, 10_000),
                                                     int(Qt.TextFlag.TextWordWrap), item.text())
    return rect.right() <= nav.viewport().width() and wrapped.height() <= rect.height()


def test_navigation_wraps_long_names_and_never_scrolls_sideways(qtbot, ctx):
    window = shown_window(qtbot, ctx)
    for language in (i18n.ENGLISH, i18n.CHINESE):
        i18n.install(language)
        for width in WIDTHS:
            window.resize(width, 640 if width == 1024 else 900)
            qtbot.wait(20)
            assert not window.nav.horizontalScrollBar().isVisible(), (language, width)
            for key, item in window._items.items():
                assert item.toolTip() == window._titles[key](), key
                assert text_fits(window, item), (language, width, item.text())
    i18n.install(i18n.ENGLISH)
    assert LONGEST_NAME in [item.text() for item in window._items.values()]


def test_navigation_width_follows_the_window_within_bounds(qtbot, ctx):
    window = shown_window(qtbot, ctx, (1024, 640))
    qtbot.wait(20)
    small = window.nav.width()
    # At 1024 px the page gets nearly all the width: the navigation takes at most a fifth or so.
    assert small <= 240, small
    window.resize(1920, 1080)
    qtbot.wait(20)
    assert window.nav.width() > small
    assert window.nav.width() <= 320


def test_window_can_be_made_1024x640_with_every_page_built(qtbot, ctx):
    window = shown_window(qtbot, ctx)
    build_every_page(qtbot, window)
    for key in window.panels:
        window.show_panel(key)
        window.resize(1024, 640)
        qtbot.wait(10)
        assert (window.width(), window.height()) == (1024, 640), key


def test_restored_geometry_larger_than_the_screen_is_clamped_to_it(qtbot, ctx, profiles):
    create_app([])
    available = QGuiApplication.primaryScreen().availableGeometry()
    big = MainWindow(ctx)
    qtbot.addWidget(big)
    big.setGeometry(QRect(available.x() + 400, available.y() + 300,
                          available.width() * 2, available.height() * 2))
    profiles.settings["window_geometry"] = bytes(big.saveGeometry().toBase64()).decode()
    window = build_window(profiles, ctx)
    qtbot.addWidget(window)
    window.show()
    build_every_page(qtbot, window)  # pages built later must not grow the window past the screen
    qtbot.wait(20)
    assert available.contains(window.frameGeometry()), (window.frameGeometry(), available)
    status = window.statusBar()
    assert available.contains(QRect(status.mapToGlobal(status.rect().topLeft()), status.size()))


class _Page(QWidget):
    """A page laid out as the panels do: a banner and a status line above the controls."""

    def __init__(self):
        super().__init__()
        self.banner = ErrorBanner()
        self.flash = StatusFlash("testFlash", 60_000)
        self.button = QPushButton("Start")
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.flash)
        layout.addWidget(self.button)
        layout.addStretch(1)


def test_banner_and_flash_do_not_move_the_controls(qtbot):
    page = _Page()
    qtbot.addWidget(page)
    page.resize(600, 400)
    page.show()
    qtbot.waitExposed(page)
    before = page.button.geometry()
    page.flash.flash("Copied the token to the clipboard (a long confirmation that does not wrap) " * 3)
    qtbot.wait(20)
    assert page.button.geometry() == before
    page.banner.show_error("The token was NOT stored: no usable OS keyring. " * 4, retry=lambda: None)
    qtbot.wait(20)
    assert page.banner.isVisible() and page.banner.text
    assert page.button.geometry() == before
    assert page.banner.geometry().intersects(page.rect())  # shown over the page, not outside it
    assert not page.banner.geometry().intersects(page.button.geometry())  # the page's actions stay usable
    page.banner.clear()
    page.flash.clear()
    qtbot.wait(20)
    assert page.button.geometry() == before and not page.banner.isVisible()


def test_a_flash_after_a_stretch_shows_its_text(qtbot):
    """As the endpoint pages' "Copied" line: a row of buttons, a stretch, then the flash."""
    from PySide6.QtWidgets import QHBoxLayout

    row = QWidget()
    layout = QHBoxLayout(row)
    button = QPushButton("Copy as cURL")
    flash = StatusFlash("curlFeedback", 60_000)
    layout.addWidget(button)
    layout.addStretch(1)
    layout.addWidget(flash)
    qtbot.addWidget(row)
    row.resize(700, 40)
    row.show()
    before = button.geometry()
    flash.flash("Copied — it contains the real credential.")
    qtbot.wait(20)
    assert flash.width() >= flash.fontMetrics().horizontalAdvance(flash.text())
    assert button.geometry() == before


def test_two_banners_of_a_page_stack_instead_of_covering_each_other(qtbot):
    page = _Page()
    second = ErrorBanner(page)
    page.layout().insertWidget(1, second)
    qtbot.addWidget(page)
    page.resize(600, 400)
    page.show()
    page.banner.show_error("first")
    second.show_error("second")
    qtbot.wait(20)
    assert not page.banner.geometry().intersects(second.geometry())
    assert second.geometry().bottom() < page.banner.geometry().top()  # the newer one stacks above
    page.resize(500, 400)  # they follow the page's width
    qtbot.wait(20)
    assert page.banner.width() < 500 and second.width() == page.banner.width()


def test_window_and_navigation_have_icons(qtbot, ctx):
    app = create_app([])
    window = shown_window(qtbot, ctx)
    assert not window.windowIcon().isNull()
    assert app.desktopFileName() == "qrlogin-desktop"
    for item in (*window._items.values(), *window._headers.values()):
        assert not item.icon().isNull(), item.text()
    assert isinstance(QApplication.instance(), QApplication)


def _row_pixels(window: MainWindow, image, item):
    rect = window.nav.visualItemRect(item)
    text_left = rect.left() + window.nav.iconSize().width() + 8
    background = image.pixelColor(rect.right() - 3, rect.center().y())
    darkest = min((image.pixelColor(x, y) for x in range(text_left, text_left + 40)
                   for y in range(rect.top() + 2, rect.bottom() - 1)), key=lambda c: c.lightness())
    return background, darkest


def test_section_titles_stand_out_from_the_pages_in_both_languages(qtbot, ctx):
    """Bold is not enough: a CJK font without a bold face gets Qt's synthetic bold, a fraction of a
    pixel at 9 pt, and the titles looked like disabled entries. They sit on a band of their own."""
    window = shown_window(qtbot, ctx, (1440, 900))
    page_item = window._items["tokens"]
    try:
        for language in (i18n.ENGLISH, i18n.CHINESE):
            i18n.install(language)
            qtbot.wait(20)
            image = window.nav.viewport().grab().toImage()
            page_background, page_text = _row_pixels(window, image, page_item)
            for key, header in window._headers.items():
                assert QFontInfo(header.font()).bold(), (language, key)
                background, text = _row_pixels(window, image, header)
                assert background != page_background, (language, key)  # its band
                # In the pages' text colour (as dark as theirs on a light theme), not a disabled grey.
                assert text.lightness() <= page_text.lightness() + 40, (language, key, text.name())
    finally:
        i18n.install(i18n.ENGLISH)


def test_navigation_is_as_wide_as_its_longest_entry(qtbot, ctx):
    window = shown_window(qtbot, ctx, (1440, 900))
    try:
        i18n.install(i18n.CHINESE)
        qtbot.wait(20)
        items = [*window._items.values(), *window._headers.values()]
        longest = max(QFontMetrics(item.font()).horizontalAdvance(item.text()) for item in items)
        # Icon, margins and a scroll bar's room: ~60 px; not the 278 px of a fifth of the window.
        assert window.nav.width() <= longest + window.nav.iconSize().width() + 60, (window.nav.width(), longest)
        one_line = QFontMetrics(page_font := window._items["tokens"].font()).height()
        assert all(window.nav.visualItemRect(item).height() < 2 * one_line for item in window._items.values()), \
            page_font.family()  # the narrower list still shows every Chinese entry on one line
        i18n.install(i18n.ENGLISH)
        qtbot.wait(20)
        assert window.nav.width() >= 270  # English entries are longer: they keep the wider list
    finally:
        i18n.install(i18n.ENGLISH)
