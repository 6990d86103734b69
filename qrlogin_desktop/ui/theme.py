"""Light and dark: the Fusion style with one palette per colour scheme, and every custom colour of the UI.

The choice is ``system`` (the default: follow the desktop's colour scheme, which Qt 6.5+ reports and
announces through ``QStyleHints.colorSchemeChanged``), ``light`` or ``dark``. Fusion draws the same on
every platform and takes its colours from the palette alone, so one palette per scheme is the whole
theme (with one tweak, see ``_OUTLINED``). Colours that are not palette roles (success green, error red,
the banner's tint, the JSON highlighter's) are named here once, with a light and a dark value: widgets
ask :func:`color` at paint or data time, or keep a style sheet up to date with :func:`styled`, so a
scheme switch repaints them right; what is neither follows :func:`notifier`.
"""

from __future__ import annotations

import enum
import string

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QWidget

SYSTEM, LIGHT, DARK = "system", "light", "dark"
CHOICES = (SYSTEM, LIGHT, DARK)
SETTING = "theme"  # the key in the profiles file's "settings"
_TEMPLATE_PROPERTY = "qrloginStyleTemplate"


class Scheme(enum.Enum):
    LIGHT = LIGHT
    DARK = DARK


# Named colours: (light, dark). Dark values are lighter tints, readable on the dark window colour.
COLORS: dict[str, tuple[str, str]] = {
    "ok": ("#137333", "#81c995"),  # 4.5:1 on the light window too
    "error": ("#c5221f", "#f28b82"),
    "warning": ("#975200", "#fdd663"),
    # Secondary text (a field's hint, a note, an endpoint's id): 4.5:1 on the window and the base.
    "muted": ("#5f6368", "#9aa0a6"),
    "link": ("#185abc", "#8ab4f8"),
    "accent": ("#07c160", "#2fd47d"),  # WeChat green: the QR's "scanned"/"logged in" marks
    "banner_bg": ("#fdecea", "#3b2120"),
    "banner_border": ("#f5c2c0", "#8c3a36"),
    "banner_text": ("#8a1c1c", "#f6c7c3"),
    "card_bg": ("#ffffff", "#2b2d30"),
    "card_border": ("#e0e0e0", "#45484c"),
    "current_row": ("#e6f7ee", "#1f3a2b"),
    "header_row": ("#f2f2f2", "#303236"),
    "invalid_bg": ("#fde2e1", "#4a2523"),
    "on_accent": ("#ffffff", "#ffffff"),  # text on a coloured chip, and on the primary button
    # A page's main action (Send): the selection's green, a shade darker in light for 4.5:1 white text.
    "primary": ("#26804e", "#2f7d4f"),
    "primary_hover": ("#1f6f44", "#2a7047"),
    # HTTP methods, one colour each: text on the base (the Request Log's column) and the fill of the
    # endpoint pages' badge under "on_method" text, 4.5:1 both ways.
    "method_get": ("#137333", "#81c995"),
    "method_post": ("#1967d2", "#8ab4f8"),
    "on_method": ("#ffffff", "#1f2023"),
    # Row and chip tints behind an outcome's text (a timeline row, a test verdict, a scope chip): the
    # outcome's colour above and the palette's text both read at 4.5:1 or more on them.
    "ok_bg": ("#e6f4ea", "#1e3a28"),
    "error_bg": ("#fce8e6", "#3b2120"),
    "warning_bg": ("#fef3e0", "#3a3016"),
    "neutral_bg": ("#f1f3f4", "#2b2d30"),
    "live_bg": ("#e8f0fe", "#1c2b41"),  # the step in progress
    # The border of a check box, radio button, line edit and spin box: 3:1 on the window and the base
    # (WCAG 1.4.11, non-text contrast); a disabled one is fainter but still seen.
    "outline": ("#7b7b7b", "#787c81"),
    "outline_disabled": ("#a0a0a0", "#4c4f54"),
    # The frame of a text area or item view, whose fill already sets it apart: quieter (2:1), so its
    # grid lines (Fusion draws them a little lighter than the frame) stay lines, not bars.
    "frame": ("#9e9e9e", "#4c4f54"),
    # JSON syntax colours (ui/widgets/json_highlight.py): 4.5:1 or more on the editor's base colour.
    "json_key": ("#1a4fa0", "#8ab4f8"),
    "json_string": ("#188038", "#81c995"),
    "json_number": ("#b06000", "#fcad70"),
    "json_literal": ("#9334e6", "#d7aefb"),  # true, false, null
}

# Every role, for both schemes: Fusion's own standard palette follows the platform's scheme on Qt 6.5+,
# so neither scheme may start from it. Light: Fusion's classic colours; dark: a neutral charcoal.
_PALETTES: dict[Scheme, dict[QPalette.ColorRole, str]] = {
    Scheme.LIGHT: {
        QPalette.ColorRole.Window: "#efefef",
        QPalette.ColorRole.WindowText: "#1f1f1f",
        QPalette.ColorRole.Base: "#ffffff",
        QPalette.ColorRole.AlternateBase: "#f5f5f5",
        QPalette.ColorRole.ToolTipBase: "#ffffdc",
        QPalette.ColorRole.ToolTipText: "#1f1f1f",
        QPalette.ColorRole.PlaceholderText: "#80868b",
        QPalette.ColorRole.Text: "#1f1f1f",
        QPalette.ColorRole.Button: "#efefef",
        QPalette.ColorRole.ButtonText: "#1f1f1f",
        QPalette.ColorRole.BrightText: "#ffffff",
        QPalette.ColorRole.Light: "#ffffff",
        QPalette.ColorRole.Midlight: "#cacaca",
        QPalette.ColorRole.Mid: "#b8b8b8",
        QPalette.ColorRole.Dark: "#9f9f9f",
        QPalette.ColorRole.Shadow: "#767676",
        QPalette.ColorRole.Highlight: "#2e8b57",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#1a73e8",
        QPalette.ColorRole.LinkVisited: "#7b1fa2",
    },
    Scheme.DARK: {
        QPalette.ColorRole.Window: "#1f2023",
        QPalette.ColorRole.WindowText: "#e8eaed",
        QPalette.ColorRole.Base: "#17181a",
        QPalette.ColorRole.AlternateBase: "#232427",
        QPalette.ColorRole.ToolTipBase: "#2b2d30",
        QPalette.ColorRole.ToolTipText: "#e8eaed",
        QPalette.ColorRole.PlaceholderText: "#80868b",
        QPalette.ColorRole.Text: "#e8eaed",
        QPalette.ColorRole.Button: "#2b2d30",
        QPalette.ColorRole.ButtonText: "#e8eaed",
        QPalette.ColorRole.BrightText: "#ff8a80",
        QPalette.ColorRole.Light: "#3c3f43",
        QPalette.ColorRole.Midlight: "#33363a",
        QPalette.ColorRole.Mid: "#45484c",
        QPalette.ColorRole.Dark: "#101113",
        QPalette.ColorRole.Shadow: "#000000",
        QPalette.ColorRole.Highlight: "#2f7d4f",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#8ab4f8",
        QPalette.ColorRole.LinkVisited: "#c58af9",
    },
}
_DISABLED: dict[Scheme, dict[QPalette.ColorRole, str]] = {
    Scheme.LIGHT: {role: "#9a9a9a" for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                                                QPalette.ColorRole.ButtonText)}
    | {QPalette.ColorRole.Highlight: "#c8c8c8", QPalette.ColorRole.Base: "#efefef"},
    Scheme.DARK: {role: "#6f7378" for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                                               QPalette.ColorRole.ButtonText)}
    | {QPalette.ColorRole.Highlight: "#3a3d41", QPalette.ColorRole.Base: "#1f2023"},
}


# Fusion draws a widget's border in its "outline" colour, which it derives from the palette's Window
# colour alone (QFusionStylePrivate::outline(): window.darker(140)): near-black on the dark window,
# 1.1:1, so an unchecked check box or an empty field is a hole in the page; on the light window a
# faint 1.7:1 around a check box. The classes below get a palette of their own whose Window is the
# wanted border lightened by the same factor, so Fusion draws its own shapes with that border (the
# named colours for the active and the disabled state). None of them paints its Window colour
# anywhere else. The children of a text area or item view inherit it whole: scroll bars, which paint
# it, keep the scheme's palette; cell widgets (the code table's combo boxes) take the frame colour as
# their border. Buttons and combo boxes are left alone: their fill already sets them apart.
_FUSION_OUTLINE_DARKER = 140
_OUTLINED: dict[str, tuple[str, str]] = {
    **dict.fromkeys(("QCheckBox", "QRadioButton", "QLineEdit", "QAbstractSpinBox"), ("outline", "outline_disabled")),
    **dict.fromkeys(("QPlainTextEdit", "QTextEdit", "QAbstractItemView"), ("frame", "frame")),
}
_NOT_OUTLINED = ("QScrollBar",)


class _Notifier(QObject):
    changed = Signal(object)  # the new Scheme


_choice = SYSTEM
_scheme = Scheme.LIGHT
_notifier: _Notifier | None = None
_following = False


def notifier() -> _Notifier:
    """Emits ``changed(Scheme)`` after a switch (for icons and item colours that are not style sheets)."""
    global _notifier
    if _notifier is None:
        _notifier = _Notifier()
    return _notifier


def current() -> Scheme:
    return _scheme


def choice() -> str:
    return _choice


def is_dark() -> bool:
    return _scheme is Scheme.DARK


def color(name: str, scheme: Scheme | None = None) -> QColor:
    """A named colour of ``scheme``, by default the current one (see ``COLORS``)."""
    light, dark = COLORS[name]
    return QColor(dark if (scheme or _scheme) is Scheme.DARK else light)


def css(name: str) -> str:
    return color(name).name()


def styled(widget: QWidget, template: str) -> None:
    """``widget.setStyleSheet(template)`` with ``{name}`` replaced by named colours, kept right on a switch.

    ``styled(label, "color: {muted}; font-size: 11px;")`` - literal braces of a selector are doubled,
    as in ``str.format``.
    """
    widget.setProperty(_TEMPLATE_PROPERTY, template)
    widget.setStyleSheet(_render(template))


def _render(template: str) -> str:
    names = {field for _, field, _, _ in string.Formatter().parse(template) if field}
    return template.format(**{name: css(name) for name in names})


def resolve(choice_: str | None, system_scheme: Qt.ColorScheme | None = None) -> Scheme:
    """The scheme a choice stands for; ``system`` asks the platform (Unknown counts as light)."""
    if choice_ == DARK:
        return Scheme.DARK
    if choice_ == LIGHT:
        return Scheme.LIGHT
    if system_scheme is None:
        system_scheme = QGuiApplication.styleHints().colorScheme()
    return Scheme.DARK if system_scheme == Qt.ColorScheme.Dark else Scheme.LIGHT


def palette(scheme: Scheme) -> QPalette:
    pal = QPalette()
    for role, value in _PALETTES[scheme].items():
        pal.setColor(QPalette.ColorGroup.All, role, QColor(value))
    for role, value in _DISABLED[scheme].items():
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor(value))
    return pal


def outlined_palette(scheme: Scheme, outline: str, disabled: str) -> QPalette:
    """``scheme``'s palette with the Window colour from which Fusion draws an ``outline`` border
    (``disabled`` when the widget is); for the ``_OUTLINED`` classes."""
    pal = palette(scheme)
    for group, name in ((QPalette.ColorGroup.Active, outline), (QPalette.ColorGroup.Inactive, outline),
                        (QPalette.ColorGroup.Disabled, disabled)):
        pal.setColor(group, QPalette.ColorRole.Window, color(name, scheme).lighter(_FUSION_OUTLINE_DARKER))
    return pal


def install(choice_: str | None) -> Scheme:
    """Apply a choice to the running application: Fusion, the scheme's palette, the style sheets kept
    by :func:`styled`; ``system`` also follows later changes of the desktop's scheme."""
    global _choice, _following
    _choice = choice_ if choice_ in CHOICES else SYSTEM
    app = QApplication.instance()
    if app is None:
        raise RuntimeError("theme.install needs a QApplication")
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    if not _following:
        QGuiApplication.styleHints().colorSchemeChanged.connect(_on_system_scheme)
        _following = True
    _apply(resolve(_choice))
    return _scheme


def _on_system_scheme(scheme: Qt.ColorScheme) -> None:
    if _choice == SYSTEM:
        _apply(resolve(SYSTEM, scheme))


def _apply(scheme: Scheme) -> None:
    global _scheme
    changed = scheme is not _scheme
    _scheme = scheme
    QApplication.setPalette(palette(scheme))
    for class_name, (outline, disabled) in _OUTLINED.items():
        QApplication.setPalette(outlined_palette(scheme, outline, disabled), class_name)
    for class_name in _NOT_OUTLINED:
        QApplication.setPalette(palette(scheme), class_name)
    if changed:
        for widget in QApplication.allWidgets():
            template = widget.property(_TEMPLATE_PROPERTY)
            if template:
                widget.setStyleSheet(_render(template))
            elif widget.styleSheet():
                # A widget with a style sheet keeps the palette it was polished with: setting the
                # sheet again polishes it with the new one (a bold title must not stay dark on dark).
                widget.setStyleSheet(widget.styleSheet())
        notifier().changed.emit(scheme)
