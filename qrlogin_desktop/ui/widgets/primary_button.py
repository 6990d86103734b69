"""A page's main action drawn as one: filled with the theme's primary colour, its icon and text in white.

One declaration of that look, so every page's main action (Send on the endpoint pages, and any page
that adopts it) reads the same in light and dark; the colours are theme names (``primary``,
``primary_hover``, ``on_accent``), kept right on a scheme switch by :func:`theme.styled` and
:func:`icons.set_icon`. The border is always 2 px (the focus ring only recolours it), so focus never
changes the button's size.
"""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton

from .. import icons, theme

PRIMARY_STYLE = (
    "QPushButton {{ background: {primary}; color: {on_accent}; border: 2px solid {primary};"
    " border-radius: 4px; padding: 3px 14px; font-weight: bold; }}"
    " QPushButton:hover, QPushButton:pressed {{ background: {primary_hover}; border-color: {primary_hover}; }}"
    " QPushButton:focus {{ border-color: {link}; }}"
    " QPushButton:disabled {{ background: {neutral_bg}; color: {muted}; border-color: {frame}; }}"
)


def make_primary(button: QPushButton, icon_name: str) -> None:
    """Give ``button`` the primary look and the icon ``icon_name`` (a key of ``icons.NAMES``) in white."""
    theme.styled(button, PRIMARY_STYLE)
    icons.set_icon(button, icon_name, tint="on_accent")
