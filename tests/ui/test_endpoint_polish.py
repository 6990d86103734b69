"""Endpoint console polish (issue 11, points 6 and 7): one empty-state message, the same split on every
endpoint page (a drag kept across pages), Send as the page's primary action with Ctrl+Enter, Copy on
the response's toolbar row, no "sent 0 bytes" for a GET."""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QLabel, QSplitter
from test_endpoint_panels import PANEL_ENDPOINTS, TIMEOUT_MS, make_panel, send_and_wait
from test_theme import contrast

from qrlogin_desktop.api import catalogue
from qrlogin_desktop.ui import theme
from qrlogin_desktop.ui.app import create_app
from qrlogin_desktop.ui.main_window import MainWindow
from qrlogin_desktop.ui.panels import endpoint as endpoint_page


@pytest.fixture(autouse=True)
def _light_and_default_split(monkeypatch):
    create_app([])
    theme.install(theme.LIGHT)
    if hasattr(endpoint_page, "SharedSplitter"):  # a drag in one test must not move another's split
        monkeypatch.setattr(endpoint_page.SharedSplitter, "share", endpoint_page.DEFAULT_INPUTS_SHARE)
    yield
    theme.install(theme.LIGHT)


def _top_left(widget, ancestor) -> QPoint:
    return widget.mapTo(ancestor, QPoint(0, 0))


def _empty_state_texts(panel) -> list[str]:
    """Every message the response side shows before a Send: visible labels and the body's placeholder."""
    response = panel.response
    texts = [label.text() for label in response.findChildren(QLabel) if label.isVisible() and label.text()]
    if response.json_view.isVisible() and not response.json_view.toPlainText():
        texts.append(response.json_view.placeholderText())
    return [t for t in texts if t]


@pytest.mark.parametrize("endpoint_id", ["JSCode2Session", "UrlLinkGenerate"])
def test_before_the_first_send_the_response_says_one_thing_with_no_gap(qtbot, ctx, endpoint_id):
    panel = make_panel(qtbot, ctx, endpoint_id)
    qtbot.waitExposed(panel)
    assert _empty_state_texts(panel) == ["No request sent yet."]
    # The body sits right under the "Response" title: no empty status or feedback line between them.
    title, body = panel.response_title, panel.response.json_view
    gap = _top_left(body, panel).y() - (_top_left(title, panel).y() + title.height())
    assert 0 <= gap <= 12, gap


def test_after_a_send_the_status_line_speaks_and_the_placeholder_is_gone(qtbot, ctx):
    panel = make_panel(qtbot, ctx, "JSCode2Session")
    panel.form.set_values({"js_code": f"code-{uuid.uuid4().hex}"})
    send_and_wait(qtbot, panel)
    assert panel.response.status_label.isVisible() and "code 200" in panel.response.status_text()
    assert panel.response.json_view.placeholderText() == ""


def _handle_x(window: MainWindow, page) -> int:
    splitter = page.findChild(QSplitter)
    handle = splitter.handle(1)
    return _top_left(handle, window).x()


def _drag(handle, dx: int) -> None:
    """A left-button drag of a splitter handle by ``dx`` pixels, as the mouse does it."""
    start = handle.rect().center()
    for kind, local, buttons in ((QEvent.Type.MouseButtonPress, start, Qt.MouseButton.LeftButton),
                                 (QEvent.Type.MouseMove, start + QPoint(dx, 0), Qt.MouseButton.LeftButton),
                                 (QEvent.Type.MouseButtonRelease, start + QPoint(dx, 0), Qt.MouseButton.NoButton)):
        event = QMouseEvent(kind, QPointF(local), QPointF(handle.mapToGlobal(local)), Qt.MouseButton.LeftButton,
                            buttons, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(handle, event)


@pytest.mark.parametrize("size", [(1440, 900), (1024, 640)])
def test_every_endpoint_page_splits_inputs_and_answer_at_the_same_x(qtbot, ctx, size):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    positions = {}
    for endpoint_id in PANEL_ENDPOINTS:
        page = window.show_panel(f"endpoint:{endpoint_id}")
        qtbot.waitUntil(page.isVisible)
        QApplication.processEvents()
        positions[endpoint_id] = _handle_x(window, page)
    assert len(set(positions.values())) == 1, positions


def test_a_drag_on_one_page_moves_the_split_of_every_endpoint_page(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1440, 900)
    window.show()
    qtbot.waitExposed(window)
    first = window.show_panel("endpoint:JSCode2Session")
    qtbot.waitUntil(first.isVisible)
    before = _handle_x(window, first)
    _drag(first.findChild(QSplitter).handle(1), 120)
    QApplication.processEvents()
    moved = _handle_x(window, first)
    assert moved > before + 60  # the drag took
    for endpoint_id in ("UrlLinkGenerate", "WXACodeGet", "JSCode2Session"):
        page = window.show_panel(f"endpoint:{endpoint_id}")
        qtbot.waitUntil(page.isVisible)
        QApplication.processEvents()
        assert abs(_handle_x(window, page) - moved) <= 1, endpoint_id


def _fill(button) -> tuple:
    """The colour inside the button's left padding, where neither text nor icon is drawn."""
    image = button.grab().toImage()
    return image.pixelColor(6, image.height() // 2)


@pytest.mark.parametrize("scheme", [theme.LIGHT, theme.DARK])
def test_send_is_the_pages_primary_action_filled_with_an_icon_and_its_shortcut(qtbot, ctx, scheme):
    theme.install(scheme)
    panel = make_panel(qtbot, ctx, "UrlLinkGenerate")
    qtbot.waitExposed(panel)
    send, other = panel.send_button, panel.curl_button
    assert send.isDefault() and send.isEnabled()
    assert not send.icon().isNull()
    assert "Ctrl+Enter" in send.toolTip()
    fill = _fill(send)
    assert fill.name() == theme.color("primary").name(), fill.name()
    assert fill.name() != _fill(other).name()  # stands out from the page's other buttons
    assert contrast(theme.color("on_accent"), fill) >= 4.5  # its label reads on the fill
    assert contrast(send.palette().color(send.foregroundRole()), fill) >= 4.5


def test_a_theme_switch_refills_send(qtbot, ctx):
    panel = make_panel(qtbot, ctx, "UrlLinkGenerate")
    qtbot.waitExposed(panel)
    theme.install(theme.DARK)
    assert _fill(panel.send_button).name() == theme.color("primary", theme.Scheme.DARK).name()


@pytest.mark.parametrize("modifiers", [Qt.KeyboardModifier.ControlModifier,
                                       Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.KeypadModifier],
                         ids=["Ctrl+Return", "Ctrl+keypad Enter"])
def test_ctrl_enter_in_the_body_sends_the_page_shown_and_no_other(qtbot, ctx, modifiers):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    other = window.show_panel("endpoint:MsgSecCheck")  # built, then hidden behind the page shown
    page = window.show_panel("endpoint:UrlLinkGenerate")
    qtbot.waitUntil(page.isVisible)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=TIMEOUT_MS)  # a window shortcut needs it
    page.editor.edit.setFocus()
    qtbot.waitUntil(page.editor.edit.hasFocus, timeout=TIMEOUT_MS)
    key = Qt.Key.Key_Enter if modifiers & Qt.KeyboardModifier.KeypadModifier else Qt.Key.Key_Return
    sent_elsewhere = []
    other.finished.connect(lambda: sent_elsewhere.append(True))
    with qtbot.waitSignal(page.finished, timeout=TIMEOUT_MS):
        qtbot.keyClick(page.editor.edit, key, modifiers)
    qtbot.waitUntil(lambda: not page.response.loading, timeout=TIMEOUT_MS)
    assert "code 200" in page.response.status_text()
    assert not sent_elsewhere and not other.in_flight


def _centre_y(widget, ancestor) -> int:
    return widget.mapTo(ancestor, widget.rect().center()).y()


def test_copy_sits_on_the_toolbar_row_with_the_view_toggles(qtbot, ctx):
    panel = make_panel(qtbot, ctx, "JSCode2Session")
    panel.form.set_values({"js_code": f"code-{uuid.uuid4().hex}"})
    send_and_wait(qtbot, panel)
    response = panel.response
    assert response.copy_button.isVisible() and response.wrap_box.isVisible()
    assert abs(_centre_y(response.copy_button, response) - _centre_y(response.wrap_box, response)) <= 4
    assert _top_left(response.copy_button, response).x() > _top_left(response.reveal_box, response).x()


def test_a_get_does_not_say_sent_0_bytes_and_a_post_says_what_it_sent(qtbot, ctx):
    get = make_panel(qtbot, ctx, "JSCode2Session")
    get.form.set_values({"js_code": f"code-{uuid.uuid4().hex}"})
    send_and_wait(qtbot, get)
    status = get.response.status_text()
    assert "received " in status and "sent" not in status, status

    post = make_panel(qtbot, ctx, "UrlLinkGenerate")
    assert catalogue.endpoint("UrlLinkGenerate").method == "POST"
    send_and_wait(qtbot, post)
    assert "sent " in post.response.status_text()
