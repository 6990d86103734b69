"""Every page of the main window, in both languages, saved as PNG under test-output/screenshots/."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageChops

from qrlogin_desktop.ui import i18n
from qrlogin_desktop.ui.main_window import MainWindow
from qrlogin_desktop.ui.screenshots import capture, prepare

OUT = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


def test_every_page_renders_in_both_languages(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1440, 900)
    window.show()
    try:
        prepare(window)
        written = capture(window, OUT)
    finally:
        i18n.install(i18n.ENGLISH)
    assert len(written) == 2 * len(window.panels)
    for path in written:
        with Image.open(path) as image:
            assert image.size == (1440, 900), path
            # Not a blank page: a rendered page has many distinct colours.
            assert len(image.convert("RGB").getcolors(maxcolors=1 << 16) or range(1 << 16)) > 16, path
    for key in window.panels:
        stem = key.replace(":", "_")
        with Image.open(OUT / f"{stem}_en.png") as en, Image.open(OUT / f"{stem}_zh_CN.png") as zh:
            assert ImageChops.difference(en.convert("RGB"), zh.convert("RGB")).getbbox() is not None, key
