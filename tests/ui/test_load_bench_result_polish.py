"""Issue 11 points 1, 5 and 7 on the Load and Test bench pages and the QR Login result pane: chart
labels, intros and placeholders that are not cut and read right in both languages, the same icons
and labels for the same actions, a progress bar that says what it shows, rows with room."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QGraphicsTextItem, QStyle, QStyleOptionFrame
from test_qr_login_panel import WAIT_MS, log_in_automatically

from qrlogin_desktop.conformance.model import GROUP_LABELS, GROUP_TITLES, Group
from qrlogin_desktop.conformance.suite import envelope_checks
from qrlogin_desktop.load.history import FlowFigures, Sample
from qrlogin_desktop.ui import i18n
from qrlogin_desktop.ui.display import plain, time_left
from qrlogin_desktop.ui.screenshots import settle

SMALLEST = (1024, 640)
LANGUAGES = [i18n.ENGLISH, i18n.CHINESE]
ZH_TS = Path(__file__).resolve().parents[2] / "resources" / "translations" / "qrlogin_zh_CN.ts"


def show(qtbot, window, key: str, size=SMALLEST, language: str = i18n.ENGLISH):
    i18n.install(language)
    window.resize(*size)
    page = window.show_panel(key)
    QCoreApplication.processEvents()
    settle(100)
    return page


def chart_texts(chart) -> list[str]:
    """Every text Qt Charts draws on a chart: its title, axis titles and tick labels, as drawn (elided).
    They are Qt Charts' own QGraphicsTextItem subclasses, which PySide sees as bare QGraphicsItems; as
    QGraphicsObjects their meta-object names them text items."""
    objects = [item.toGraphicsObject() for item in chart.scene().items() if item.isVisible()]
    return [o.toPlainText() for o in objects if isinstance(o, QGraphicsTextItem) and o.toPlainText()]


def samples(seconds: int) -> list[Sample]:
    return [Sample(at=1_000_000 + t, users=3,
                   flows={"simulated-login": FlowFigures(per_s=2.0 + t % 3, p50_ms=40.0, p95_ms=90.0, total=t,
                                                         failed=0)})
            for t in range(seconds + 1)]


@pytest.mark.parametrize(("seconds", "ticks"), [(0, {"0", "5", "10"}), (37, {"0", "20"}),
                                               (300, {"0", "100", "200", "300"})])
def test_the_time_axes_show_every_tick_label_whole_at_1024_px(qtbot, window, seconds, ticks):
    page = show(qtbot, window, "load")
    charts = page.charts
    if seconds:
        charts.add_samples(samples(seconds))
        settle(100)
    for chart in (charts.flows_chart, charts.latency_chart):
        texts = chart_texts(chart)
        assert texts and not [t for t in texts if "…" in t or "..." in t], texts
        assert ticks <= set(texts), texts  # whole seconds at round steps


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_intros_show_the_command_as_code_not_markdown(qtbot, window, language):
    for key, command in (("load", "qrlogin-desktop load"), ("test_bench", "qrlogin-desktop check")):
        page = show(qtbot, window, key, language=language)
        text = page.intro.text()
        assert "`" not in text and f"<code>{command}</code>" in plain(text), text
        assert page.intro.textFormat() == Qt.TextFormat.RichText
        assert command in intro_lines(page.intro), intro_lines(page.intro)  # on one line, whole


def intro_lines(label) -> str:
    """The label's rich text laid out at its width, its lines joined by newlines."""
    document = QTextDocument()
    document.setDefaultFont(label.font())
    document.setDocumentMargin(0)
    document.setHtml(label.text())
    document.setTextWidth(label.contentsRect().width())
    document.size()  # lays the document out
    lines = []
    block = document.begin()
    while block.isValid():
        layout = block.layout()
        for n in range(layout.lineCount()):
            line = layout.lineAt(n)
            lines.append(plain(block.text()[line.textStart():line.textStart() + line.textLength()]))
        block = block.next()
    return "\n".join(lines)


@pytest.mark.parametrize("language", LANGUAGES)
def test_load_start_stop_and_export_look_and_read_as_on_the_test_bench(qtbot, window, language):
    bench = show(qtbot, window, "test_bench", language=language)
    load = show(qtbot, window, "load", language=language)
    for button in (load.start_button, load.stop_button, load.export_csv_button, load.export_html_button):
        assert not button.icon().isNull(), button.objectName()
    assert load.start_button.icon().cacheKey() == bench.run_button.icon().cacheKey()
    assert load.stop_button.icon().cacheKey() == bench.stop_button.icon().cacheKey()
    assert load.export_html_button.text() == bench.html_button.text()


def test_the_chinese_load_page_names_locusts_processes_in_chinese(qtbot, window):
    page = show(qtbot, window, "load", language=i18n.CHINESE)
    texts = [page.intro.text(), *(label.text() for label in page._labels)]
    assert not [t for t in texts if re.search(r"\b(master|workers?)\b", t)], texts
    assert "主控进程与工作进程" in page.intro.text() and "Locust" in page.intro.text()
    assert page._labels[3].text() == "本机工作进程数"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_jsapi_ticket_hint_fits_its_box_at_1024_px_and_the_tooltip_says_it_all(qtbot, window, language):
    page = show(qtbot, window, "test_bench", language=language)
    edit = page.ticket_edit
    option = QStyleOptionFrame()
    edit.initStyleOption(option)
    inner = edit.style().subElementRect(QStyle.SubElement.SE_LineEditContents, option, edit).width()
    margins = edit.textMargins()
    room = inner - margins.left() - margins.right() - 4  # QLineEdit's own horizontal margin, 2 px a side
    assert edit.fontMetrics().horizontalAdvance(edit.placeholderText()) <= room, (edit.placeholderText(), room)
    assert "JSConfig" in edit.toolTip() and edit.toolTip() != edit.placeholderText()


def test_the_answer_envelope_has_one_chinese_name_everywhere():
    messages = ET.parse(ZH_TS).getroot().iter("message")
    translated = [m.findtext("translation") or "" for m in messages
                  if "envelope" in (m.findtext("source") or "").lower()]
    texts = translated + [GROUP_LABELS[Group.ENVELOPE].zh, GROUP_TITLES[Group.ENVELOPE].zh]
    texts += [c.title.zh for c in envelope_checks()]
    assert translated and all("响应结构" in t for t in texts), texts
    assert not [t for t in texts if "信封" in t]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_progress_bar_at_rest_says_no_run_yet(qtbot, window, language):
    page = show(qtbot, window, "test_bench", language=language)
    bar = page.progress_bar
    expected = {"en": "Not run yet", "zh_CN": "尚未运行"}[language]
    assert bar.isVisible() and bar.isTextVisible() and bar.text() == expected
    assert bar.minimum() == bar.value() == 0 < bar.maximum()  # empty, not the busy indicator


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_result_and_group_columns_fit_their_header_and_every_value_with_room(qtbot, window, language):
    page = show(qtbot, window, "test_bench", language=language)
    table, header = page.table, page.table.horizontalHeader()
    em = header.fontMetrics().horizontalAdvance("M")
    values = {0: [page._verdict_text(v) for v in ("pass", "fail", "n/a")],
              1: [i18n.pick(label.en, label.zh) for label in GROUP_LABELS.values()]}
    for column, words in values.items():
        needed = max(header.fontMetrics().horizontalAdvance(table.horizontalHeaderItem(column).text()),
                     *(table.fontMetrics().horizontalAdvance(w) for w in words))
        assert header.sectionSize(column) >= needed + 2 * em, (column, header.sectionSize(column), needed)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_expiry_value_never_breaks_inside_at_1024_px(qtbot, window, language):
    panel = show(qtbot, window, "qr_login")
    qtbot.waitUntil(panel.start_button.isEnabled, timeout=WAIT_MS)
    log_in_automatically(qtbot, panel)
    i18n.install(language)
    QCoreApplication.processEvents()
    settle(100)
    expiry = panel.token_card.expiry
    lines = expiry.text().split("\n")
    assert not expiry.wordWrap() and len(lines) == 2, expiry.text()
    assert lines[0] == time_left(panel.token_card.seconds_left())  # the one time-left format of every page
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", lines[1])
    assert expiry.width() >= max(expiry.fontMetrics().horizontalAdvance(line) for line in lines)


def test_the_claims_rows_have_room_and_each_claim_ends_before_its_value(qtbot, window):
    panel = show(qtbot, window, "qr_login")
    qtbot.waitUntil(panel.start_button.isEnabled, timeout=WAIT_MS)
    log_in_automatically(qtbot, panel)
    settle(100)
    tree = panel.token_card.claims
    metrics, root = tree.fontMetrics(), tree.invisibleRootItem()
    names = [root.child(i).text(0) for i in range(root.childCount())]
    assert "nbf (not before)" in names
    em = metrics.horizontalAdvance("M")
    assert tree.columnWidth(0) >= max(metrics.horizontalAdvance(n) for n in names) + em
    assert tree.visualItemRect(root.child(0)).height() >= metrics.height() * 4 // 3


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("size", [SMALLEST, (1440, 900)])
def test_the_redacted_access_token_is_never_cut_at_the_fields_edge(qtbot, window, language, size):
    """A read-only field cuts a long text at its edge with no ellipsis: where the redacted form does
    not fit, the field shows the token's ends alone and the tooltip the whole redacted form."""
    panel = show(qtbot, window, "qr_login", size=size, language=language)
    qtbot.waitUntil(panel.start_button.isEnabled, timeout=WAIT_MS)
    log_in_automatically(qtbot, panel)
    settle(100)
    field = panel.token_card.token_text
    room = field.contentsRect().width() - 8
    assert field.fontMetrics().horizontalAdvance(field.text()) <= room, (field.text(), room)
    head_and_tail = field.text().split("…")
    assert len(head_and_tail) in (2, 3) and field.toolTip().startswith(head_and_tail[0] + "…")
    assert field.toolTip().endswith("…" + head_and_tail[-1]) and panel.token_card.token.access_token not in field.text()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_tokens_table_shows_the_redacted_token_whole_where_there_is_room(qtbot, window, language):
    qr = show(qtbot, window, "qr_login", size=(1920, 1080), language=language)
    qtbot.waitUntil(qr.start_button.isEnabled, timeout=WAIT_MS)
    log_in_automatically(qtbot, qr)
    page = show(qtbot, window, "tokens", size=(1920, 1080), language=language)
    qtbot.waitUntil(lambda: page.table.model().rowCount() > 0, timeout=WAIT_MS)
    settle(100)
    from qrlogin_desktop.ui.panels.tokens import Column

    table = page.table
    index = table.model().index(0, Column.TOKEN)
    assert table.columnWidth(Column.TOKEN) >= table.sizeHintForColumn(Column.TOKEN), index.data()
