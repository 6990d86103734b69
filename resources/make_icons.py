#!/usr/bin/env python3
"""Raster icons from resources/icons/qrlogin-desktop.svg: PNGs, a Windows .ico and a macOS .icns.

    python resources/make_icons.py

Qt's SVG renderer draws the PNGs (Pillow cannot read SVG); Pillow packs them into the .ico and
the .icns. The PNGs go into the Python package (the running app's window icon, the hicolor theme
of the .deb); the .ico and .icns stay here for the Windows and macOS installers. The outputs are
committed so a build needs no display and no extra step; run this again after editing the SVG.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "icons" / "qrlogin-desktop.svg"
PACKAGE_ICONS = ROOT / "qrlogin_desktop" / "resources" / "icons"
ICO = ROOT / "resources" / "icons" / "qrlogin-desktop.ico"
ICNS = ROOT / "resources" / "icons" / "qrlogin-desktop.icns"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)  # the hicolor theme's usual sizes
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # 256 is the largest a .ico holds
ICNS_SIZES = (16, 32, 64, 128, 256, 512)  # Pillow picks the icns slots from the largest image


def png_path(size: int) -> Path:
    return PACKAGE_ICONS / f"qrlogin-desktop-{size}.png"


def render_pngs() -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])  # noqa: F841 - painting needs one
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"{SVG}: not a valid SVG")
    PACKAGE_ICONS.mkdir(parents=True, exist_ok=True)
    made = []
    for size in PNG_SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        if not image.save(str(png_path(size))):
            raise SystemExit(f"could not write {png_path(size)}")
        made.append(png_path(size))
    return made


def pack_ico_and_icns() -> None:
    from PIL import Image

    largest = Image.open(png_path(max(PNG_SIZES))).convert("RGBA")
    largest.save(ICO, sizes=[(s, s) for s in ICO_SIZES])
    icns_images = [Image.open(png_path(s)).convert("RGBA") for s in ICNS_SIZES if s != max(ICNS_SIZES)]
    largest.save(ICNS, append_images=icns_images)


def main() -> int:
    for path in render_pngs():
        print(path.relative_to(ROOT))
    pack_ico_and_icns()
    print(ICO.relative_to(ROOT))
    print(ICNS.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
