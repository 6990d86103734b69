"""Secondary text (a field's hint, an image's facts) takes its colour from the theme's one declaration,
reads at 4.5:1 or more on the window in light and dark, and follows a scheme switch."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication
from test_theme import contrast

from qrlogin_desktop.api import catalogue
from qrlogin_desktop.api.models import ImageResult
from qrlogin_desktop.ui import theme
from qrlogin_desktop.ui.app import create_app
from qrlogin_desktop.ui.widgets.field_form import FieldForm
from qrlogin_desktop.ui.widgets.image_preview import ImagePreview

SCHEMES = (theme.LIGHT, theme.DARK)


@pytest.fixture(autouse=True)
def _back_to_light():
    create_app([])
    yield
    theme.install(theme.LIGHT)


def _text_colour(label) -> QColor:
    """The colour the label's text is drawn in (its style sheet applied)."""
    label.ensurePolished()
    return label.palette().color(label.foregroundRole())


def _window() -> QColor:
    return QApplication.palette().color(QPalette.ColorRole.Window)


def _form(qtbot) -> FieldForm:
    form = FieldForm(catalogue.endpoint("Decrypt").query)
    qtbot.addWidget(form)
    form.show()
    return form


@pytest.mark.parametrize("scheme", SCHEMES)
def test_field_hints_read_on_the_window(qtbot, scheme):
    theme.install(scheme)
    form = _form(qtbot)
    assert form.hints
    for name, hint in form.hints.items():
        colour = _text_colour(hint)
        assert colour.name() == theme.color("muted").name(), (name, colour.name())
        assert contrast(colour, _window()) >= 4.5, (scheme, name, colour.name())


def test_hint_and_error_colours_follow_a_scheme_switch(qtbot):
    theme.install(theme.LIGHT)
    form = _form(qtbot)
    hint = next(iter(form.hints.values()))
    error = next(iter(form.errors.values()))
    light_hint, light_error = _text_colour(hint).name(), _text_colour(error).name()
    theme.install(theme.DARK)
    assert _text_colour(hint).name() == theme.color("muted", theme.Scheme.DARK).name() != light_hint
    assert _text_colour(error).name() == theme.color("error", theme.Scheme.DARK).name() != light_error
    assert contrast(_text_colour(hint), _window()) >= 4.5


def test_an_invalid_field_is_tinted_from_the_theme_and_readable_in_dark(qtbot):
    theme.install(theme.DARK)
    form = _form(qtbot)
    editor = form.editors["iv"]
    editor.setModified(True)  # touched and left blank: "is required"
    form.validate()
    assert not form.errors["iv"].isHidden()
    sheet = editor.styleSheet()
    assert theme.css("invalid_bg") in sheet and theme.css("error") in sheet, sheet
    editor.setText("aXZpdml2aXZpdml2aXY=")
    assert form.errors["iv"].isHidden() and editor.styleSheet() == ""
    theme.install(theme.LIGHT)
    assert editor.styleSheet() == ""  # a cleared tint does not come back on a switch


@pytest.mark.parametrize("scheme", SCHEMES)
def test_an_images_facts_read_on_the_window(qtbot, scheme):
    theme.install(scheme)
    preview = ImagePreview()
    qtbot.addWidget(preview)
    preview.show()
    preview.show_image(ImageResult(data=_png_bytes(), content_type="image/png"))
    colour = _text_colour(preview.info)
    assert colour.name() == theme.color("muted").name()
    assert contrast(colour, _window()) >= 4.5, (scheme, colour.name())


def _png_bytes() -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QImage

    image = QImage(8, 8, QImage.Format.Format_RGB32)
    image.fill(0xFFFFFF)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data)
