"""The UI's icons: Lucide's line icons (ISC licence, resources/icons/actions/LICENSE), drawn in the theme's text colour.

Pages ask by what an icon means, not by its file: ``icons.set_icon(button, "copy")``. The SVGs use
``currentColor``; each icon is drawn once per scheme (normal, disabled and selected colours of the
palette, a few sizes for 100-200 % scale) on first use, so start-up pays only for the icons on
screen. :func:`set_icon` remembers the name on the widget or action, and a scheme switch draws
them again in the new colours.
"""

from __future__ import annotations

from importlib import resources

from PySide6.QtCore import QByteArray, QObject, QRectF, Qt
from PySide6.QtGui import QAction, QColor, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QAbstractButton, QApplication

from . import theme

# meaning -> Lucide file name (resources/icons/actions/<file>.svg)
NAMES: dict[str, str] = {
    # navigation
    "qr_login": "qr-code",
    "tokens": "key-round",
    "mini_program": "layout-grid",
    "official_account": "megaphone",
    "tools": "wrench",
    "request_log": "scroll-text",
    "settings": "settings",
    # endpoint pages, by what the endpoint does
    "message": "message-square-text",
    "session": "shield-check",
    "decrypt": "lock-open",
    "link": "link",
    "scheme": "square-arrow-out-up-right",
    "mini_code": "scan-qr-code",
    "mini_code_unlimited": "infinity",
    "content_check": "shield-alert",
    "user": "user-round",
    "js_config": "braces",
    # actions
    "start": "play",
    "cancel": "circle-stop",
    "new_qr": "refresh-cw",
    "refresh": "refresh-cw",
    "retry": "rotate-ccw",
    "copy": "copy",
    "save": "save",
    "download": "download",
    "export": "file-output",
    "import": "file-input",
    "send": "send",
    "delete": "trash-2",
    "clear": "eraser",
    "add": "plus",
    "scan": "scan-line",
    "confirm": "check",
    "reject": "x",
    "close": "x",
    "register": "user-plus",
    "reveal": "eye",
    "hide": "eye-off",
    "curl": "terminal",
    "open": "external-link",
    "filter": "list-filter",
    "save_image": "image-down",
    "phone": "smartphone",
    # states and feedback
    "info": "info",
    "error": "circle-alert",
    "warning": "triangle-alert",
    "success": "circle-check",
    # View menu
    "theme_system": "sun-moon",
    "theme_light": "sun",
    "theme_dark": "moon",
    "language": "languages",
}

SIZES = (16, 20, 24, 32, 48)  # 48: a 24 px icon at 200 %
_NAME_PROPERTY = "qrloginIcon"
_cache: dict[tuple[str, str | None, theme.Scheme], QIcon] = {}
_svg: dict[str, bytes] = {}


def svg_path(name: str):
    return resources.files("qrlogin_desktop") / "resources" / "icons" / "actions" / f"{NAMES[name]}.svg"


def icon(name: str, tint: str | None = None) -> QIcon:
    """The icon for ``name`` (a key of ``NAMES``) in the current scheme; ``tint``: a colour name of
    :mod:`theme` (e.g. ``"error"``) instead of the text colour."""
    key = (name, tint, theme.current())
    cached = _cache.get(key)
    if cached is None:
        cached = _cache[key] = _draw(name, tint)
    return cached


def set_icon(target: QAbstractButton | QAction, name: str, tint: str | None = None) -> None:
    """Give a button or action its icon and keep it in the theme's colours after a switch."""
    target.setProperty(_NAME_PROPERTY, f"{name}:{tint or ''}")
    target.setIcon(icon(name, tint))


def _draw(name: str, tint: str | None) -> QIcon:
    from PySide6.QtSvg import QSvgRenderer  # first icon only: QtSvg is not needed before the window

    source = _svg.get(name)
    if source is None:
        source = _svg[name] = svg_path(name).read_bytes()
    pal = QApplication.palette()
    colours = {
        QIcon.Mode.Normal: theme.color(tint) if tint else pal.color(QPalette.ColorRole.ButtonText),
        QIcon.Mode.Disabled: pal.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText),
        QIcon.Mode.Selected: pal.color(QPalette.ColorRole.HighlightedText),
    }
    result = QIcon()
    for mode, colour in colours.items():
        renderer = QSvgRenderer(QByteArray(_coloured(source, colour)))
        for size in SIZES:
            pixmap = QPixmap(size, size)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            renderer.render(painter, QRectF(0, 0, size, size))
            painter.end()
            result.addPixmap(pixmap, mode)
    return result


def _coloured(source: bytes, colour: QColor) -> bytes:
    return source.replace(b"currentColor", colour.name().encode())


def _redraw(_scheme: theme.Scheme) -> None:
    """After a scheme switch: every button and action given an icon by :func:`set_icon`, drawn again."""
    for widget in QApplication.allWidgets():
        for target in (widget, *widget.actions()):
            _refresh(target)


def _refresh(target: QObject) -> None:
    value = target.property(_NAME_PROPERTY)
    if value and hasattr(target, "setIcon"):
        name, _, tint = str(value).partition(":")
        target.setIcon(icon(name, tint or None))


theme.notifier().changed.connect(_redraw)
