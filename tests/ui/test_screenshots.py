"""Every page at 1024x640, 1440x900 and 1920x1080, in English and Chinese, light and dark, saved as PNG
under test-output/screenshots/ (``<page>_<language>_<theme>_<w>x<h>.png``), and checked.

One window, one login: the matrix is taken by resizing, re-theming and switching the language of
the same window. Checks: no blank shot, English differs from Chinese and light from dark, and at
1024x640 no widget of a page lies outside the window and no label is cut without a tooltip.
"""

from __future__ import annotations

import time
from pathlib import Path

from PIL import Image, ImageChops
from PySide6.QtCore import QCoreApplication, QPoint, QRect
from PySide6.QtWidgets import QAbstractScrollArea, QLabel, QWidget

from qrlogin_desktop.ui import i18n, theme
from qrlogin_desktop.ui.main_window import MainWindow
from qrlogin_desktop.ui.screenshots import SIZES, THEMES, capture_matrix, prepare

OUT = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
REPORT = OUT / "layout-report.txt"
# Pages whose own layouts do not fit 1024x640 yet (issue 11 point 1 is making them fit, page by page).
# Their findings go to REPORT instead of failing the test; a listed page that fits fails it, so
# this set can only shrink.
NOT_FITTED_YET: set[str] = set()
SMALLEST = (1024, 640)
LANGUAGES = (i18n.ENGLISH, i18n.CHINESE)


def window_rect(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def laid_out_widgets(root: QWidget):
    """The visible widgets of a page, not looking into scroll areas' contents (clipped on purpose)."""
    for child in root.findChildren(QWidget, options=_direct()):
        if not child.isVisible():
            continue
        yield child
        if isinstance(child, QAbstractScrollArea):
            continue
        yield from laid_out_widgets(child)


def _direct():
    from PySide6.QtCore import Qt

    return Qt.FindChildOption.FindDirectChildrenOnly


def outside_window(window: MainWindow, page: QWidget) -> list[str]:
    bounds = window.rect()
    found = [] if bounds.contains(window_rect(page, window)) else [f"the page {window_rect(page, window)}"]
    for widget in laid_out_widgets(page):
        rect = window_rect(widget, window)
        if not bounds.contains(rect):
            found.append(f"{type(widget).__name__} {widget.objectName() or ''} {rect}")
    return found


def cut_labels(page: QWidget) -> list[str]:
    """One-line labels narrower than their text, with no tooltip to read it in full."""
    found = []
    for label in page.findChildren(QLabel):
        if (label.isVisible() and label.text() and not label.wordWrap() and not label.toolTip()
                and label.pixmap().isNull()
                and label.width() < label.fontMetrics().horizontalAdvance(label.text().splitlines()[0])):
            found.append(f"{label.objectName() or 'QLabel'}: {label.text()[:40]!r}")
    return found


def test_screenshot_matrix_of_every_page(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    problems: dict[str, list[str]] = {}

    def inspect(win: MainWindow, key: str, language: str, theme_choice: str, size: tuple[int, int]) -> None:
        if size != SMALLEST:
            return
        page = win.current_page()
        cut = cut_labels(page)
        if cut:  # a text set by a reply that just arrived is laid out in the next turn: look again
            QCoreApplication.processEvents()
            cut = [label for label in cut_labels(page) if label in cut]
        for what, found in (("outside the window", outside_window(win, page)), ("cut", cut)):
            if found:
                problems[f"{key} {language} {theme_choice}: {what}"] = found

    started = time.monotonic()
    try:
        prepare(window)
        written = capture_matrix(window, OUT, inspect=inspect)
    finally:
        i18n.install(i18n.ENGLISH)
        theme.install(theme.LIGHT)
    print(f"screenshot matrix: {len(written)} shots in {time.monotonic() - started:.1f} s")
    assert len(written) == len(window.panels) * len(LANGUAGES) * len(THEMES) * len(SIZES)
    for (_key, _language, _theme, size), path in written.items():
        with Image.open(path) as image:
            assert image.size == size, path
            # Not a blank page: a rendered page has many distinct colours.
            assert len(image.convert("RGB").getcolors(maxcolors=1 << 16) or range(1 << 16)) > 16, path
    for key in window.panels:
        for size in SIZES:
            for theme_choice in THEMES:
                assert differs(written[(key, i18n.ENGLISH, theme_choice, size)],
                               written[(key, i18n.CHINESE, theme_choice, size)]), (key, theme_choice, size)
            for language in LANGUAGES:
                assert differs(written[(key, language, theme.LIGHT, size)],
                               written[(key, language, theme.DARK, size)]), (key, language, size)
    REPORT.write_text("".join(f"{where}:\n  " + "\n  ".join(found) + "\n" for where, found in problems.items()),
                      encoding="utf-8")
    failing_pages = {where.split(" ")[0] for where in problems}
    unexpected = {where: found for where, found in problems.items() if where.split(" ")[0] not in NOT_FITTED_YET}
    assert not unexpected, "\n".join(f"{where}: {found}" for where, found in unexpected.items())
    assert NOT_FITTED_YET <= failing_pages, f"these pages fit now: take them out of NOT_FITTED_YET: " \
                                            f"{sorted(NOT_FITTED_YET - failing_pages)}"


def differs(first: Path, second: Path) -> bool:
    with Image.open(first) as a, Image.open(second) as b:
        return ImageChops.difference(a.convert("RGB"), b.convert("RGB")).getbbox() is not None


def test_the_layout_checks_see_a_cut_label_and_a_widget_past_the_window(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(200, 100)
    cut = QLabel("a label far too long for the forty pixels it was given", window)
    cut.setGeometry(0, 0, 40, 20)
    outside = QLabel("x", window)
    outside.setGeometry(180, 80, 50, 50)
    window.show()
    qtbot.waitExposed(window)
    assert [text for text in cut_labels(window) if "far too long" in text]
    assert any("QLabel" in found for found in outside_window(window, window))
    cut.setToolTip(cut.text())  # a cut label whose tooltip has the full text is fine
    assert not [text for text in cut_labels(window) if "far too long" in text]
