"""Endpoint pages as an API console (issue 11, point 6): one request bar on every page, Enter sends,
coloured JSON, Wrap and Copy on the response, the Request Log's replay filling a page."""

from __future__ import annotations

import json
import uuid

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPlainTextEdit
from test_endpoint_panels import (
    PANEL_ENDPOINTS,
    TIMEOUT_MS,
    client_answering,
    make_panel,
    send_and_wait,
    shown_text,
)

from qrlogin_desktop.api import catalogue
from qrlogin_desktop.ui import theme
from qrlogin_desktop.ui.widgets import json_view
from qrlogin_desktop.ui.widgets.json_highlight import kind_color_name


def _top(widget, panel) -> int:
    return widget.mapTo(panel, widget.rect().topLeft()).y()


@pytest.mark.parametrize("endpoint_id", PANEL_ENDPOINTS)
def test_send_sits_beside_the_resolved_url_above_the_inputs(qtbot, ctx, endpoint_id):
    panel = make_panel(qtbot, ctx, endpoint_id)
    qtbot.waitUntil(panel.send_button.isVisible)
    send, url, method = panel.send_button, panel.url_field, panel.method_label
    row = url.mapTo(panel, url.rect().center()).y()
    for widget in (send, method):
        assert abs(widget.mapTo(panel, widget.rect().center()).y() - row) <= 4, widget.objectName()
    assert method.mapTo(panel, method.rect().topLeft()).x() < url.mapTo(panel, url.rect().topLeft()).x() \
        < send.mapTo(panel, send.rect().topLeft()).x()
    inputs = panel.editor if panel.editor is not None else panel.form
    assert _top(send, panel) < _top(inputs, panel)  # the same place on query and body pages
    assert url.text() == ctx.client.shown_url(panel.endpoint, panel.form.values())


def test_the_url_follows_the_inputs_with_secret_parameters_masked(qtbot, ctx):
    panel = make_panel(qtbot, ctx, "Decrypt")
    panel.form.set_values({"encryptedData": "abc", "iv": "ivv", "sessionKey": "the-session-key"})
    url = panel.url_field.text()
    assert url.startswith(ctx.client.base_url) and "encryptedData=abc" in url and "iv=ivv" in url
    assert "the-session-key" not in url and "sessionKey=%2A%2A%2A" in url
    assert panel.url_field.isReadOnly()


def test_enter_in_a_query_field_sends(qtbot, ctx):
    panel = make_panel(qtbot, ctx, "JSCode2Session")
    field = panel.form.editors["js_code"]
    field.setFocus()
    qtbot.keyClicks(field, f"code-{uuid.uuid4().hex}")
    with qtbot.waitSignal(panel.finished, timeout=TIMEOUT_MS):
        qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not panel.response.loading, timeout=TIMEOUT_MS)
    assert "code 200" in panel.response.status_text()


def _colours(edit: QPlainTextEdit) -> set[str]:
    """Every foreground colour the highlighter gave the document's text."""
    found = set()
    block = edit.document().begin()
    while block.isValid():
        for fmt in block.layout().formats():
            found.add(fmt.format.foreground().color().name())
        block = block.next()
    return found


def _light(kind: str) -> str:
    """The colour of ``kind`` in the current scheme."""
    return theme.color(kind_color_name(kind)).name()


def test_the_answer_and_the_body_editor_are_coloured_as_json(qtbot, ctx):
    panel = make_panel(qtbot, ctx, "MsgSecCheck")
    send_and_wait(qtbot, panel)
    colours = _colours(panel.response.json_view)
    assert {_light("key"), _light("string"), _light("number")} <= colours, colours
    body_page = make_panel(qtbot, ctx, "WXACodeGet")
    assert {_light("key"), _light("string"), _light("number")} <= _colours(body_page.editor.edit)


def test_wrap_lays_the_answer_out_again_in_slices_and_copy_takes_it_whole(qtbot, ctx):
    long_value = "x" * 3000
    payload = json.dumps({"code": 200, "data": {"items": [{"id": i, "text": long_value} for i in range(40)]},
                          "error": ""}).encode()

    with client_answering(ctx, payload):
        panel = make_panel(qtbot, ctx, "MsgSecCheck")
        send_and_wait(qtbot, panel)
        view, response = panel.response.json_view, panel.response
        before = shown_text(panel)
        assert view.lineWrapMode() is QPlainTextEdit.LineWrapMode.NoWrap and len(before) > json_view.INLINE_LIMIT
        assert response.wrap_box.isVisible() and response.copy_button.isEnabled()

        response.wrap_box.setChecked(True)
        assert view.loading  # not re-laid out in one go: a fresh document, filled slice by slice
        qtbot.waitUntil(lambda: not view.loading, timeout=TIMEOUT_MS)
        assert view.lineWrapMode() is QPlainTextEdit.LineWrapMode.WidgetWidth
        assert shown_text(panel) == before

        response.copy_button.click()
        assert QGuiApplication.clipboard().text() == before
        assert response.copy_feedback.text()
        response.wrap_box.setChecked(False)
        qtbot.waitUntil(lambda: not view.loading, timeout=TIMEOUT_MS)
        assert view.lineWrapMode() is QPlainTextEdit.LineWrapMode.NoWrap and shown_text(panel) == before


def test_a_big_answer_is_shown_uncoloured(qtbot, ctx, monkeypatch):
    """Colouring costs about what inserting does: above the limit the text goes in plain."""
    panel = make_panel(qtbot, ctx, "JSConfig")
    panel.form.set_values({"url": "https://example.com/p"})
    send_and_wait(qtbot, panel)
    assert _colours(panel.response.json_view)  # under the limit
    monkeypatch.setattr(json_view, "HIGHLIGHT_LIMIT", 100)
    send_and_wait(qtbot, panel)
    assert len(shown_text(panel)) > 100
    assert _colours(panel.response.json_view) == set()


def test_copy_on_an_image_answer_copies_the_image(qtbot, ctx):
    panel = make_panel(qtbot, ctx, "WXACodeGetUnlimited")
    panel.editor.set_text(json.dumps({"scene": "copy", "page": "pages/login/login", "width": 280}))
    send_and_wait(qtbot, panel)
    response = panel.response
    assert response.copy_button.isVisible() and not response.wrap_box.isVisible()
    QGuiApplication.clipboard().clear()
    response.copy_button.click()
    copied = QGuiApplication.clipboard().image()
    assert not copied.isNull() and copied.size() == response.image_preview.image.size()


def test_load_inputs_fills_the_query_fields_and_the_body(qtbot, ctx):
    query_page = make_panel(qtbot, ctx, "JSConfig")
    query_page.load_inputs({"url": "https://example.com/replayed"})
    assert query_page.form.values() == {"url": "https://example.com/replayed"}
    assert "replayed" in query_page.url_field.text()

    body_page = make_panel(qtbot, ctx, "UrlLinkGenerate")
    body_page.load_inputs({}, {"path": "pages/replayed", "query": "a=1"})
    assert body_page.editor.value() == {"path": "pages/replayed", "query": "a=1"}
    body_page.editor.edit.undo()  # one undoable edit: what was there comes back
    assert body_page.editor.value() == catalogue.endpoint("UrlLinkGenerate").example_body
