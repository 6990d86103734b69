"""Borders that can be seen in both schemes: Fusion derives them from the window colour, which made an
unchecked check box, an empty field or a text area's frame vanish on the dark window. Measured on
the pixels Fusion actually draws (``grab()``), against the window colour around them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QSpinBox,
    QStyle,
    QStyleOptionButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)
from test_theme import contrast

from qrlogin_desktop.ui import theme
from qrlogin_desktop.ui.app import create_app

# WCAG 1.4.11 (3:1) for a control's border; a quieter frame where the fill shows the area too; a
# disabled control fainter still; a radio button's 1 px ring is anti-aliased, so none of its pixels
# gets the full colour: its most contrasting ones (about a ring's worth) are measured instead.
CONTROL, AREA, DISABLED, RING = 3.0, 1.8, 1.5, 2.0


@pytest.fixture(autouse=True)
def _back_to_light():
    create_app([])
    yield
    theme.install(theme.LIGHT)


def _indicator(widget: QCheckBox | QRadioButton) -> QRect:
    option = QStyleOptionButton()
    widget.initStyleOption(option)
    element = (QStyle.SubElement.SE_CheckBoxIndicator if isinstance(widget, QCheckBox)
               else QStyle.SubElement.SE_RadioButtonIndicator)
    return widget.style().subElementRect(element, option, widget)


def _whole(widget: QWidget) -> QRect:
    return widget.rect()


def _drawn_box(image: QImage, rect: QRect, window: QColor) -> QRect:
    """The smallest rectangle inside ``rect`` holding every pixel not of the window colour."""
    drawn = [(x, y) for x in range(rect.left(), rect.right() + 1) for y in range(rect.top(), rect.bottom() + 1)
             if image.pixelColor(x, y) != window]
    xs, ys = [x for x, _ in drawn], [y for _, y in drawn]
    return QRect(QPoint(min(xs), min(ys)), QPoint(max(xs), max(ys)))


def _border(image: QImage, rect: QRect, window: QColor) -> list[float]:
    """The contrast to the window of every pixel of the drawn box's outermost ring, corners left out
    (Fusion rounds them)."""
    box = _drawn_box(image, rect, window)
    top, bottom, left, right = box.top(), box.bottom(), box.left(), box.right()
    ring = [(x, y) for x in range(left + 3, right - 2) for y in (top, bottom)]
    ring += [(x, y) for y in range(top + 3, bottom - 2) for x in (left, right)]
    return [contrast(image.pixelColor(x, y), window) for x, y in ring]


def _ring(image: QImage, rect: QRect, window: QColor) -> list[float]:
    """The contrast to the window of the most contrasting pixels of a round indicator, one ring's worth
    (twice its width: the pixels its 1 px circle mostly covers)."""
    box = _drawn_box(image, rect, window)
    ratios = sorted((contrast(image.pixelColor(x, y), window) for x in range(box.left(), box.right() + 1)
                     for y in range(box.top(), box.bottom() + 1)), reverse=True)
    return ratios[:2 * box.width()]


def _table() -> QTableWidget:
    table = QTableWidget(2, 2)
    table.horizontalHeader().hide()
    table.verticalHeader().hide()
    return table


def _disabled_check_box() -> QCheckBox:
    box = QCheckBox("Verify certificates")
    box.setEnabled(False)
    return box


# name: (make the widget, the part to measure, how to read its edge, the contrast it needs)
WIDGETS: dict[str, tuple[Callable[[], QWidget], Callable, Callable, float]] = {
    "check box": (lambda: QCheckBox("include credential"), _indicator, _border, CONTROL),
    "radio button": (lambda: QRadioButton("Simulate"), _indicator, _ring, RING),
    "line edit": (QLineEdit, _whole, _border, CONTROL),
    "spin box": (QSpinBox, _whole, _border, CONTROL),
    "text area": (QPlainTextEdit, _whole, _border, AREA),
    "item view": (_table, _whole, _border, AREA),
    "disabled check box": (_disabled_check_box, _indicator, _border, DISABLED),
}


@pytest.mark.parametrize("scheme", [theme.LIGHT, theme.DARK])
@pytest.mark.parametrize("name", list(WIDGETS))
def test_an_unchecked_indicator_and_a_fields_border_stand_out_from_the_window(qtbot, scheme, name):
    make, part, edge, needed = WIDGETS[name]
    theme.install(scheme)
    host = QWidget()
    qtbot.addWidget(host)
    layout = QVBoxLayout(host)
    layout.setContentsMargins(12, 12, 12, 12)
    widget = make()
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the resting border, not the focus frame
    layout.addWidget(widget)
    host.resize(240, 120 if isinstance(widget, (QPlainTextEdit, QTableWidget)) else 60)
    host.show()
    qtbot.waitExposed(host)
    image = host.grab().toImage()
    window = image.pixelColor(2, 2)
    assert window == theme.palette(theme.current()).color(QPalette.ColorRole.Window)  # what the page shows
    ratios = edge(image, part(widget).translated(widget.pos()), window)
    faint = [ratio for ratio in ratios if ratio < needed]
    assert len(faint) <= len(ratios) // 10, (name, scheme, f"{len(faint)} of {len(ratios)} pixels below "
                                             f"{needed}:1, the best {max(ratios):.2f}:1")


def test_the_outlined_classes_keep_the_schemes_colours_but_the_window(qtbot):
    """Only the colour Fusion derives the border from changes; text, base and buttons are the scheme's."""
    for scheme in (theme.LIGHT, theme.DARK):
        theme.install(scheme)
        pal = theme.palette(theme.current())
        text_area = QPlainTextEdit()
        for widget in (QCheckBox("x"), QLineEdit(), text_area):
            qtbot.addWidget(widget)
            widget.ensurePolished()
            own = widget.palette()
            for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.Base,
                         QPalette.ColorRole.Button, QPalette.ColorRole.Highlight):
                assert own.color(role) == pal.color(role), (scheme, type(widget).__name__, role)
            assert own.color(QPalette.ColorRole.Window) != pal.color(QPalette.ColorRole.Window)
        scroll_bar = text_area.verticalScrollBar()  # a child that paints the window colour: the scheme's
        scroll_bar.ensurePolished()
        assert scroll_bar.palette().color(QPalette.ColorRole.Window) == pal.color(QPalette.ColorRole.Window)
