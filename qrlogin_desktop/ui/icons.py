"""The UI's icons: Lucide's line icons (ISC licence, resources/icons/actions/LICENSE), drawn in the theme's text colour.

Pages ask by what an icon means, not by its file: ``icons.set_icon(button, "copy")``. The SVGs use
``currentColor``; an icon is drawn when Qt first paints it, at the size, scale and mode (normal,
disabled, selected: the palette's colours for each) it is painted in, and kept - start-up pays
only for the icons on screen, at the sizes on screen. :func:`set_icon` remembers the name on the
widget or action, and a scheme switch draws them again in the new colours.
"""

from __future__ import annotations

from importlib import resources

from PySide6.QtCore import QByteArray, QObject, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QAction, QColor, QIcon, QIconEngine, QPainter, QPalette, QPixmap
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
    "test_bench": "circle-check",
    "load": "activity",
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
    "format": "wand-sparkles",
    "credential": "key-round",
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
    source = _svg.get(name)
    if source is None:
        source = _svg[name] = svg_path(name).read_bytes()
    pal = QApplication.palette()
    colours = {
        QIcon.Mode.Normal: theme.color(tint) if tint else pal.color(QPalette.ColorRole.ButtonText),
        QIcon.Mode.Disabled: pal.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText),
        QIcon.Mode.Selected: pal.color(QPalette.ColorRole.HighlightedText),
    }
    colours[QIcon.Mode.Active] = colours[QIcon.Mode.Normal]
    return QIcon(_SvgIconEngine(source, colours))


class _SvgIconEngine(QIconEngine):
    """One SVG in one colour per icon mode, rendered on demand and kept per size, scale and mode."""

    def __init__(self, source: bytes, colours: dict[QIcon.Mode, QColor]):
        super().__init__()
        self._source = source
        self._colours = colours
        self._pixmaps: dict[tuple[int, int, float, QIcon.Mode], QPixmap] = {}

    def clone(self) -> QIconEngine:
        return _SvgIconEngine(self._source, self._colours)

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        scale = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
        painter.drawPixmap(rect, self.scaledPixmap(rect.size(), mode, state, scale))

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float) -> QPixmap:
        key = (size.width(), size.height(), scale, mode)
        cached = self._pixmaps.get(key)
        if cached is None:
            cached = self._pixmaps[key] = self._render(size, mode, scale)
        return cached

    def _render(self, size: QSize, mode: QIcon.Mode, scale: float) -> QPixmap:
        from PySide6.QtSvg import QSvgRenderer  # first icon painted: nothing before needs QtSvg

        side = min(size.width(), size.height())
        pixels = max(1, round(side * scale))
        pixmap = QPixmap(pixels, pixels)
        pixmap.fill(Qt.GlobalColor.transparent)
        colour = self._colours.get(mode, self._colours[QIcon.Mode.Normal])
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        QSvgRenderer(QByteArray(_coloured(self._source, colour))).render(painter, QRectF(0, 0, pixels, pixels))
        painter.end()
        pixmap.setDevicePixelRatio(scale)
        return pixmap


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
