"""Issue 11 point 1 on the pages themselves: a banner beside the content (never over it), tables whose
columns fit a 1024 px window, status lines that do not break inside a word, placeholders in empty panes."""

from __future__ import annotations

import re
import time

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics, QTextLayout, QTextOption
from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QLineEdit, QStyleOptionViewItem, QWidget
from test_qr_login_panel import WAIT_MS, log_in_automatically
from test_tokens_panel import make_jwt

from qrlogin_desktop.flow.session import EMBEDDED_SERVER_LABEL
from qrlogin_desktop.storage.keystore import StoredToken, TokenKey
from qrlogin_desktop.ui import i18n
from qrlogin_desktop.ui.display import plain
from qrlogin_desktop.ui.models.tokens_model import Column
from qrlogin_desktop.ui.widgets.common import ErrorBanner

SMALLEST = (1024, 640)


def window_rect(widget: QWidget) -> QRect:
    return QRect(widget.mapTo(widget.window(), QPoint(0, 0)), widget.size())


def controls_at(page: QWidget) -> dict[int, tuple[str, QPoint]]:
    """Where each visible control of the page is, in window coordinates (banners' own buttons aside)."""
    banners = page.findChildren(ErrorBanner)
    found = {}
    for widget in page.findChildren(QWidget):
        if (isinstance(widget, QAbstractButton | QLineEdit | QAbstractScrollArea) and widget.isVisible()
                and not any(banner.isAncestorOf(widget) for banner in banners)):
            found[id(widget)] = (type(widget).__name__ + ":" + widget.objectName(), widget.mapTo(page.window(), QPoint()))
    return found


def test_a_banner_keeps_the_timeline_and_result_in_view_and_moves_no_control(qtbot, window):
    window.resize(*SMALLEST)
    panel = window.show_panel("qr_login")
    qtbot.waitUntil(panel.start_button.isEnabled, timeout=WAIT_MS)
    log_in_automatically(qtbot, panel)  # no keyring here: "The token was NOT stored" stays until dismissed
    qtbot.waitUntil(panel.store_banner.isVisible, timeout=WAIT_MS)
    qtbot.wait(50)  # the banner's placement after the page's layout
    banner = window_rect(panel.store_banner)
    with_banner = controls_at(panel)

    timeline = panel.timeline  # it was scrolled to its newest row, and it still shows it
    last = timeline.visualRect(timeline.model().index(timeline.rowCount() - 1, 0))
    last_row = QRect(timeline.viewport().mapTo(window, last.topLeft()), last.size())
    assert last.isValid() and timeline.viewport().rect().contains(last)
    assert last_row.bottom() < banner.top(), (last_row, banner)  # the last step is above the banner
    result_area = panel.token_card.parentWidget().parentWidget()  # the token card's scroll area
    assert window_rect(result_area).bottom() < banner.top()  # the result scrolls above it, too

    panel.store_banner.dismiss_button.click()
    qtbot.wait(50)
    assert not panel.store_banner.isVisible()
    without_banner = controls_at(panel)
    moved = {name: (where, without_banner[key][1]) for key, (name, where) in with_banner.items()
             if key in without_banner and without_banner[key][1] != where}
    assert with_banner.keys() == without_banner.keys() and not moved, moved


@pytest.mark.parametrize("language", [i18n.ENGLISH, i18n.CHINESE])
def test_every_timeline_column_is_in_view_at_1024_px(qtbot, window, language):
    i18n.install(language)
    window.resize(*SMALLEST)
    panel = window.show_panel("qr_login")
    qtbot.waitUntil(panel.start_button.isEnabled, timeout=WAIT_MS)
    log_in_automatically(qtbot, panel)
    qtbot.wait(50)
    timeline = panel.timeline
    header = timeline.horizontalHeader()
    width = timeline.viewport().width()
    for column in range(timeline.columnCount()):
        left = header.sectionViewportPosition(column)
        assert left >= 0 and left + header.sectionSize(column) <= width, (column, left, header.sectionSize(column), width)
        assert header.sectionSize(column) >= 40, column  # in view and wide enough to read something
    assert timeline.horizontalScrollBar().maximum() == 0
    for row in range(timeline.rowCount()):  # a cut cell can be read in full
        for column in range(timeline.columnCount()):
            item = timeline.item(row, column)
            if item is not None and timeline.columnSpan(row, column) == 1:
                assert item.text() in item.toolTip(), (row, column)
    for column in range(timeline.columnCount()):
        assert timeline.horizontalHeaderItem(column).toolTip() == timeline.horizontalHeaderItem(column).text()


LONG_SERVER = "https://qrlogin-gateway.staging.internal.example.com/provider"


def test_the_tokens_server_column_takes_the_room_and_cuts_a_long_url_in_the_middle(qtbot, window, ctx):
    now = int(time.time())
    for server in (EMBEDDED_SERVER_LABEL, LONG_SERVER):
        token = StoredToken(TokenKey(server, "demo", "sandbox_user_0001"),
                            make_jwt("sandbox_user_0001", iat=now, exp=now + 7200), "Bearer", 7200, float(now))
        ctx.token_store.save(token)
    window.resize(*SMALLEST)
    panel = window.show_panel("tokens")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=WAIT_MS)
    qtbot.wait(50)
    table, proxy = panel.table, panel.proxy
    header = table.horizontalHeader()
    widths = [header.sectionSize(column) for column in range(proxy.columnCount())]
    assert sum(widths) <= table.viewport().width() and table.horizontalScrollBar().maximum() == 0
    assert widths[Column.SERVER] == max(widths)
    texts = {proxy.index(row, Column.SERVER).data(): row for row in range(proxy.rowCount())}
    embedded = next(text for text in texts if text.startswith(EMBEDDED_SERVER_LABEL))
    # The embedded sandbox's label and its profile are read whole, with room for the cell's margins.
    assert widths[Column.SERVER] >= table.fontMetrics().horizontalAdvance(embedded) + 12, (widths, embedded)
    long_text = next(text for text in texts if text.startswith(LONG_SERVER))
    option = QStyleOptionViewItem()
    server_index = proxy.index(texts[long_text], Column.SERVER)
    table.itemDelegateForColumn(Column.SERVER).initStyleOption(option, server_index)
    assert option.textElideMode == Qt.TextElideMode.ElideMiddle  # host and path end stay readable
    assert proxy.index(texts[long_text], Column.SERVER).data(Qt.ItemDataRole.ToolTipRole).startswith(long_text)


def line_breaks(text: str, font: QFont, width: int) -> list[int]:
    """Where a word-wrapped label of ``width`` px breaks ``text``: the index each new line starts at."""
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    layout.setTextOption(option)
    layout.beginLayout()
    starts = []
    while (line := layout.createLine()).isValid():
        line.setLineWidth(width)
        starts.append(line.textStart())
    layout.endLayout()
    return starts[1:]


@pytest.mark.parametrize("language", [i18n.ENGLISH, i18n.CHINESE])
def test_the_status_line_of_an_image_answer_wraps_between_its_facts_only(qtbot, window, language):
    i18n.install(language)
    window.resize(*SMALLEST)
    page = window.show_panel("endpoint:WXACodeGetUnlimited")
    qtbot.waitUntil(page.send_button.isEnabled, timeout=WAIT_MS)
    page.send_button.click()
    label = page.response.status_label
    qtbot.waitUntil(lambda: "HTTP 200" in page.response.status_text(), timeout=WAIT_MS)
    text = label.text()
    assert plain(text).count(" · ") >= 4  # HTTP, the type, the time, the sizes sent and received
    # At the page's own width and at every narrower one the widest fact fits in: a break comes only
    # after a plain space, and the only plain spaces are those around the facts' separator dots.
    widest_fact = max(map(QFontMetrics(label.font()).horizontalAdvance, plain(text).split(" · ")))
    widths = {label.contentsRect().width(), *range(widest_fact + 1, label.contentsRect().width(), 7)}
    for width in sorted(widths):
        for start in line_breaks(text, label.font(), width):
            assert text[start - 1] == " " and "·" in text[start - 2:start + 1], (width, text[:start], text[start:])


CJK = re.compile(r"[\u3400-\u9fff]")


def distinct_colours(widget: QWidget) -> int:
    image = widget.grab().toImage()
    return len({image.pixel(x, y) for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)})


@pytest.mark.parametrize("language", [i18n.ENGLISH, i18n.CHINESE])
def test_the_load_charts_titles_fit_and_the_empty_outcome_chart_says_why(qtbot, window, language):
    i18n.install(language)
    window.resize(*SMALLEST)
    page = window.show_panel("load")
    qtbot.wait(50)
    charts = page.charts
    for chart in charts.charts:
        view = chart.scene().views()[0]
        title_width = QFontMetrics(chart.titleFont()).horizontalAdvance(chart.title())
        assert title_width <= view.width() - 8, (chart.title(), title_width, view.width())  # not elided
    assert "p50" in charts.latency_view.toolTip() and "p95" in charts.latency_view.toolTip()
    hint = charts.outcomes_hint
    assert hint.isVisible() and (CJK.search(hint.text()) if language == i18n.CHINESE else "Start" in hint.text())
    assert charts.outcomes_chart.plotArea().contains(hint.sceneBoundingRect())  # whole, in the empty plot
    assert page.output.placeholderText()
    charts.set_outcomes({"authenticated": 2})
    assert not hint.isVisible() and charts.outcomes_x.categories()  # the flows' own outcomes instead
    charts.clear()
    assert hint.isVisible() and not charts.outcomes_x.categories()


@pytest.mark.parametrize("language", [i18n.ENGLISH, i18n.CHINESE])
def test_the_request_logs_empty_details_say_what_goes_there(qtbot, window, language):
    i18n.install(language)
    window.resize(*SMALLEST)
    log = window.show_panel("request_log")
    qtbot.wait(50)
    assert log.table.selectionModel().currentIndex().isValid() is False
    for pane in (log.request_headers, log.request_body, log.response_headers, log.response_body):
        text = pane.text.placeholderText()
        assert text and pane.text.toPlainText() == "", pane.text.objectName()
        assert CJK.search(text) if language == i18n.CHINESE else "Select a request" in text



@pytest.mark.parametrize("language", [i18n.ENGLISH, i18n.CHINESE])
def test_the_test_benchs_empty_table_says_what_goes_there(qtbot, window, language):
    i18n.install(language)
    window.resize(*SMALLEST)
    bench = window.show_panel("test_bench")
    qtbot.wait(50)
    assert bench.table.rowCount() == 0
    assert distinct_colours(bench.table.viewport()) > 2  # text drawn on the empty table, not a blank box
    hint = bench.table.empty_hint()
    assert CJK.search(hint) if language == i18n.CHINESE else "Run check" in hint
    assert bench.details.placeholderText()
    bench.table.setRowCount(1)  # a row: the hint goes
    assert bench.table.empty_hint() == ""
    bench.table.setRowCount(0)
