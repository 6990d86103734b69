"""The application icon from the package's own PNGs (rendered from resources/icons/qrlogin-desktop.svg).

An installed .deb also puts them into the hicolor theme; a pip install or a Windows/macOS bundle
has only these, so the theme lookup falls back to them.
"""

from __future__ import annotations

from importlib import resources

from PySide6.QtGui import QIcon

from .. import APP_NAME

ICON_NAME = APP_NAME  # the hicolor theme's name for it, as the .deb installs it
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def icon_path(size: int) -> str:
    return str(resources.files("qrlogin_desktop") / "resources" / "icons" / f"{ICON_NAME}-{size}.png")


def app_icon() -> QIcon:
    """The theme's icon when the desktop has one installed, else the packaged PNGs."""
    packaged = QIcon()
    for size in SIZES:
        packaged.addFile(icon_path(size))
    return QIcon.fromTheme(ICON_NAME, packaged)
