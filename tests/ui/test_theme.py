"""Light and dark: the scheme follows the system unless chosen, the choice is kept, and custom colours
and icons change with it."""

from __future__ import annotations

import json
import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget

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


# --- the pages other than the main window: every colour from the theme, the main actions with icons ---

WIRED_PAGES = ("qr_login", "tokens", "settings", "request_log", "test_bench")
HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}\b")
MAIN_ACTIONS = {
    "qr_login": ("start_button", "new_qr_button", "cancel_button", "copy_button", "save_button", "scan_button",
                 "confirm_button", "register_button"),
    "request_log": ("clear_button", "export_button"),
    "tokens": ("refresh_button", "copy_button", "delete_button", "reveal_button"),
    "settings": ("new_button", "delete_button", "import_button", "export_button", "use_button", "save_button",
                 "replace_credential_button", "remove_credential_button", "add_code_button",
                 "reveal_credential_button", "copy_credential_button"),
    "test_bench": ("run_button", "stop_button", "junit_button", "html_button"),
}


def _luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())


def contrast(a: QColor, b: QColor) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _widgets_of(page: QWidget) -> list[QWidget]:
    """The page's widgets, without those of the shared field and response widgets (themed elsewhere)."""
    from qrlogin_desktop.ui.widgets.field_form import FieldForm
    from qrlogin_desktop.ui.widgets.image_preview import ImagePreview
    from qrlogin_desktop.ui.widgets.json_editor import JsonEditor
    from qrlogin_desktop.ui.widgets.response_view import ResponseView

    others = (FieldForm, ImagePreview, JsonEditor, ResponseView)
    out = []
    for widget in page.findChildren(QWidget):
        parent, foreign = widget, False
        while parent is not None and parent is not page:
            foreign = foreign or isinstance(parent, others)
            parent = parent.parentWidget()
        if not foreign:
            out.append(widget)
    return out


@pytest.fixture
def dark_window(qtbot, ctx, profiles):
    window = build_window(profiles, ctx)
    qtbot.addWidget(window)
    pages = {key: window.panels[key] for key in WIRED_PAGES}
    window.show()
    theme.install(theme.DARK)  # a switch after building: what was styled in light must follow
    return window, pages


def test_wired_pages_take_every_colour_from_the_theme_and_stay_readable_in_dark(dark_window):
    _window, pages = dark_window
    fixed, unreadable = [], []
    for key, page in pages.items():
        for widget in _widgets_of(page):
            sheet = widget.styleSheet()
            if HEX_COLOUR.search(sheet) and not widget.property("qrloginStyleTemplate"):
                fixed.append(f"{key}: {widget.objectName() or type(widget).__name__}: {sheet}")
            if isinstance(widget, QLabel):
                widget.ensurePolished()
                pal = widget.palette()
                ratio = contrast(pal.color(widget.foregroundRole()), pal.color(widget.backgroundRole()))
                if ratio < 3:
                    unreadable.append(f"{key}: {widget.objectName() or widget.text()[:30]!r}: {ratio:.1f}")
    assert not fixed, "\n".join(fixed)
    assert not unreadable, "\n".join(unreadable)


def test_main_actions_of_the_wired_pages_have_icons(dark_window):
    _window, pages = dark_window
    missing = [f"{key}.{name}" for key, names in MAIN_ACTIONS.items() for name in names
               if getattr(pages[key], name).icon().isNull()]
    assert not missing


def test_named_colours_are_readable_on_their_scheme():
    for scheme, index in ((theme.Scheme.LIGHT, 0), (theme.Scheme.DARK, 1)):
        pal = theme.palette(scheme)
        for name in ("ok", "error", "warning", "muted", "link"):
            value = QColor(theme.COLORS[name][index])
            for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base):
                assert contrast(value, pal.color(role)) >= 4.5, (scheme, name, role)
        for tint, text in (("ok_bg", "ok"), ("error_bg", "error"), ("warning_bg", "warning"),
                           ("neutral_bg", "muted"), ("live_bg", None), ("header_row", "muted")):
            background = QColor(theme.COLORS[tint][index])
            foreground = QColor(theme.COLORS[text][index]) if text else pal.color(QPalette.ColorRole.Text)
            assert contrast(foreground, background) >= 4.5, (scheme, tint, text)
            assert contrast(pal.color(QPalette.ColorRole.Text), background) >= 4.5, (scheme, tint)


def test_models_and_timeline_colour_rows_from_the_current_scheme(qtbot):
    import time

    from qrlogin_desktop.api.exchange import Exchange
    from qrlogin_desktop.flow.machine import Event, State, Transition
    from qrlogin_desktop.storage.keystore import StoredToken, TokenKey
    from qrlogin_desktop.ui.models.request_log_model import Column as LogColumn
    from qrlogin_desktop.ui.models.request_log_model import RequestLogModel
    from qrlogin_desktop.ui.models.tokens_model import Column as TokenColumn
    from qrlogin_desktop.ui.models.tokens_model import TokensModel
    from qrlogin_desktop.ui.widgets.timeline_view import TimelineView

    log = RequestLogModel()
    log.append(Exchange(started_at=time.time(), endpoint="QRAuthScan", method="POST", url="http://x/y",
                        request_headers=(), request_body=None, status=None, error="connection refused"))
    tokens = TokensModel()
    tokens.set_tokens([StoredToken(TokenKey("sandbox", "demo", "a"), "t", "Bearer", 60, time.time() - 120)])
    timeline = TimelineView()
    qtbot.addWidget(timeline)
    now = time.monotonic()
    timeline.add(Transition(now, State.IDLE, Event.START, State.INITIATING, {}, 1))
    timeline.add(Transition(now + 1, State.INITIATING, Event.FAIL, State.FAILED, {"error": "boom"}, 1))
    for scheme in (theme.LIGHT, theme.DARK):
        theme.install(scheme)
        error = theme.color("error")
        assert log.index(0, LogColumn.STATUS).data(Qt.ItemDataRole.ForegroundRole).color() == error
        assert tokens.index(0, TokenColumn.EXPIRES_IN).data(Qt.ItemDataRole.ForegroundRole).color() == error
        failed = timeline.item(timeline.rowCount() - 1, 0)
        assert failed.foreground().color() == error
        assert failed.background().color() == theme.color("error_bg")
        assert timeline.item(0, 0).background().color() == theme.color("header_row")  # "Attempt 1"
