"""Light and dark: the scheme follows the system unless chosen, the choice is kept, and custom colours
and icons change with it."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from qrlogin_desktop.ui import icons, theme
from qrlogin_desktop.ui.app import build_window, create_app
from qrlogin_desktop.ui.widgets.common import ErrorBanner


@pytest.fixture(autouse=True)
def _back_to_light():
    create_app([])
    yield
    theme.install(theme.LIGHT)


def window_colour() -> int:
    return QApplication.palette().color(QPalette.ColorRole.Window).lightness()


def test_dark_and_light_palettes_are_applied_with_fusion():
    theme.install(theme.DARK)
    assert QApplication.style().name().lower() == "fusion"
    dark = QApplication.palette()
    assert dark.color(QPalette.ColorRole.Window).lightness() < 60
    assert dark.color(QPalette.ColorRole.WindowText).lightness() > 180  # light text on the dark window
    assert dark.color(QPalette.ColorRole.Text).lightness() - dark.color(QPalette.ColorRole.Base).lightness() > 120
    theme.install(theme.LIGHT)
    assert window_colour() > 200
    assert QApplication.palette().color(QPalette.ColorRole.WindowText).lightness() < 80


def test_system_choice_follows_the_desktop_scheme_and_a_fixed_choice_does_not():
    hints = QGuiApplication.styleHints()
    theme.install(theme.SYSTEM)
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert theme.is_dark() and window_colour() < 60
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert not theme.is_dark() and window_colour() > 200
    theme.install(theme.LIGHT)
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert not theme.is_dark()


def test_styled_colours_and_icons_are_redrawn_on_a_switch(qtbot):
    label = QLabel("muted")
    qtbot.addWidget(label)
    theme.install(theme.LIGHT)
    theme.styled(label, "color: {muted}; font-size: 11px;")
    assert theme.COLORS["muted"][0] in label.styleSheet()
    button = QPushButton("Copy")
    qtbot.addWidget(button)
    icons.set_icon(button, "copy")
    light_icon = button.icon().pixmap(24, 24).toImage()
    theme.install(theme.DARK)
    assert theme.COLORS["muted"][1] in label.styleSheet()
    assert "11px" in label.styleSheet()
    dark_icon = button.icon().pixmap(24, 24).toImage()
    assert light_icon != dark_icon  # drawn again in the dark scheme's text colour


def test_error_banner_uses_the_schemes_colours(qtbot):
    banner = ErrorBanner()
    qtbot.addWidget(banner)
    theme.install(theme.DARK)
    assert theme.COLORS["banner_bg"][1] in banner.styleSheet()
    assert theme.COLORS["banner_text"][1] in banner.styleSheet()


def test_every_icon_name_draws_a_visible_icon():
    theme.install(theme.LIGHT)
    for name in icons.NAMES:
        image = icons.icon(name).pixmap(24, 24).toImage()
        drawn = sum(1 for x in range(24) for y in range(24) if image.pixelColor(x, y).alpha() > 0)
        assert drawn > 10, name
    shipped = {path.stem for path in icons.svg_path("start").parent.glob("*.svg")}
    assert shipped == set(icons.NAMES.values())  # no icon file that nothing names
    disabled = icons.icon("start").pixmap(24, 24, icon_mode_disabled()).toImage()
    assert disabled != icons.icon("start").pixmap(24, 24).toImage()


def icon_mode_disabled():
    from PySide6.QtGui import QIcon

    return QIcon.Mode.Disabled


def test_view_menu_choice_applies_at_once_and_is_kept_in_the_settings_file(qtbot, ctx, profiles):
    window = build_window(profiles, ctx)
    qtbot.addWidget(window)
    assert window.view_menu.theme_actions[theme.SYSTEM].isChecked()  # the default
    window.view_menu.theme_actions[theme.DARK].trigger()
    assert theme.is_dark()
    qtbot.waitUntil(lambda: profiles.path.exists()
                    and json.loads(profiles.path.read_text())["settings"].get("theme") == "dark", timeout=5000)
    theme.install(theme.LIGHT)
    again = build_window(profiles, ctx)  # the next start reads it back
    qtbot.addWidget(again)
    assert theme.is_dark() and again.view_menu.theme_actions[theme.DARK].isChecked()


def test_a_widget_with_its_own_style_sheet_takes_the_new_palette(qtbot):
    theme.install(theme.LIGHT)
    title = QLabel("Send mini-program subscribe message")
    title.setStyleSheet("font-size: 16px; font-weight: bold;")  # as page titles do: no colour of its own
    qtbot.addWidget(title)
    title.show()
    qtbot.waitExposed(title)
    theme.install(theme.DARK)
    assert title.palette().color(QPalette.ColorRole.WindowText).lightness() > 180


def test_icons_are_sharp_at_200_percent():
    from PySide6.QtCore import QSize

    pixmap = icons.icon("copy").pixmap(QSize(24, 24), 2.0)
    assert (pixmap.width(), pixmap.devicePixelRatio()) == (48, 2.0)  # drawn at 48 px, not scaled up
