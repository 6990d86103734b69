"""The request log: every call the client makes, filterable, with headers and bodies, exportable as HAR.

The client hands over :class:`~qrlogin_desktop.api.client.Exchange` records that are redacted when
they are made (bearer credential and tokens masked), so this panel shows them as they are and an
export cannot carry a secret the log did not have. Writing the HAR file happens off the GUI thread,
and so does formatting a body for the details pane (:class:`JsonView`, as on the endpoint pages):
a logged body can be a 256 KiB prefix, too big to parse and lay out between two repaints.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...api.exchange import Exchange
from ...api.har import to_har
from ...storage.atomic_file import write_json_atomically
from ..display import DATE_TIME_MS, data_size, local_time, monospace_font
from ..errors_text import describe_error
from ..models.record_table import RECORD_ROLE
from ..models.request_log_model import MAX_ENTRIES, Column, RequestLogFilter, RequestLogModel, is_failure
from ..runner import Outcome
from ..widgets.common import ErrorBanner, Panel, StatusFlash, heading_label, record_table, split
from ..widgets.json_view import JsonView

STATUS_MS = 6000
ALL, ERRORS_ONLY = 0, 1


def headers_text(headers: tuple[tuple[str, str], ...]) -> str:
    return "\n".join(f"{name}: {value}" for name, value in headers)


class _TextPane(QWidget):
    """A caption over a read-only monospace text box: ``text`` is a plain one, or the given JsonView."""

    def __init__(self, object_name: str, text: QPlainTextEdit | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.caption = QLabel()
        if text is None:
            text = QPlainTextEdit()
            text.setReadOnly(True)
            text.setFont(monospace_font())
            text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.text = text
        self.text.setObjectName(object_name)
        self.caption.setBuddy(self.text)  # the caption is the box's accessible name
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.caption)
        layout.addWidget(self.text, 1)


class RequestLogPanel(Panel):
    def __init__(self, ctx, parent: QWidget | None = None, *, max_entries: int = MAX_ENTRIES):
        super().__init__(ctx, parent)
        self._shown: Exchange | None = None
        self._scroll_pending = False

        self.heading = heading_label()
        self.count_label = QLabel()
        self.count_label.setObjectName("requestCount")
        self.count_label.setStyleSheet("color: #555;")

        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("requestFilter")
        self.filter_edit.setClearButtonEnabled(True)
        self.status_filter = QComboBox()
        self.status_filter.setObjectName("statusFilter")
        self.status_filter.addItems(["", ""])  # texts set in retranslate()
        self.clear_button = QPushButton()
        self.export_button = QPushButton()
        self.export_button.setObjectName("exportHar")
        self.banner = ErrorBanner()

        self.model = RequestLogModel(max_entries, self)
        self.proxy = RequestLogFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = record_table("requestTable", self.proxy)
        # Fixed row heights and column widths: no per-row measuring, so a 5,000-row log stays cheap.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        metrics = self.table.fontMetrics()
        widest_size = data_size(1023 * 1024 + 1000)  # "1,023.9 KiB"
        for column, sample in ((Column.TIME, "00:00:00.000"), (Column.METHOD, "DELETE"), (Column.STATUS, "Status"),
                               (Column.LATENCY, "Latency (ms)"), (Column.REQUEST_SIZE, widest_size),
                               (Column.RESPONSE_SIZE, widest_size)):
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 28)
        header.setSectionResizeMode(Column.PATH, QHeaderView.ResizeMode.Stretch)
        # Chronological until the user clicks a header: no sort indicator, no sorting.
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)

        # --- details of the selected exchange ---
        self.summary = QLabel()
        self.summary.setObjectName("requestSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.request_headers = _TextPane("requestHeaders")
        self.request_body = _TextPane("requestBody", JsonView(ctx.run, placeholder=False))
        self.response_headers = _TextPane("responseHeaders")
        self.response_body = _TextPane("responseBody", JsonView(ctx.run, placeholder=False))
        self.request_box, self.response_box = QGroupBox(), QGroupBox()
        for box, headers, body in ((self.request_box, self.request_headers, self.request_body),
                                   (self.response_box, self.response_headers, self.response_body)):
            box_layout = QVBoxLayout(box)
            box_layout.setContentsMargins(6, 6, 6, 6)
            box_layout.addWidget(split(Qt.Orientation.Vertical, headers, body))
        details = QWidget()
        boxes = QHBoxLayout()
        boxes.addWidget(self.request_box)
        boxes.addWidget(self.response_box)
        details_layout = QVBoxLayout(details)
        details_layout.setContentsMargins(0, 0, 0, 0)
        details_layout.addWidget(self.summary)
        details_layout.addLayout(boxes, 1)

        self.status_label = StatusFlash("requestLogStatus", STATUS_MS)

        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.count_label)
        tools = QHBoxLayout()
        tools.addWidget(self.filter_edit, 1)
        tools.addWidget(self.status_filter)
        tools.addSpacing(12)
        tools.addWidget(self.clear_button)
        tools.addWidget(self.export_button)
        splitter = split(Qt.Orientation.Vertical, self.table, details, sizes=[320, 380])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(tools)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status_label)

        self.filter_edit.textChanged.connect(self.proxy.set_text)
        self.status_filter.currentIndexChanged.connect(lambda i: self.proxy.set_errors_only(i == ERRORS_ONLY))
        self.clear_button.clicked.connect(self.clear)
        self.export_button.clicked.connect(self.export_har)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved, self.proxy.modelReset,
                       self.proxy.layoutChanged):
            signal.connect(self._render_count)
        ctx.exchange_logged.connect(self.append)
        self.retranslate()


    # --- texts --------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Request log"))
        self.filter_edit.setPlaceholderText(self.tr("Filter by method, path, status or endpoint…"))
        self.status_filter.setItemText(ALL, self.tr("All requests"))
        self.status_filter.setItemText(ERRORS_ONLY, self.tr("Errors only"))
        self.clear_button.setText(self.tr("Clear"))
        self.export_button.setText(self.tr("Export HAR…"))
        self.export_button.setToolTip(self.tr("Save the requests shown (filter applied) as a HAR 1.2 file"))
        self.request_box.setTitle(self.tr("Request"))
        self.response_box.setTitle(self.tr("Response"))
        for pane, caption in ((self.request_headers, self.tr("Headers")), (self.request_body, self.tr("Body")),
                              (self.response_headers, self.tr("Headers")), (self.response_body, self.tr("Body"))):
            pane.caption.setText(caption)
        self.count_label.setToolTip(self.tr("The log keeps the newest {0} requests.").format(self.model.max_entries))
        self.model.retranslate()
        self._render_count()
        self._render_summary()

    def _render_count(self, *_args) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        if shown == total:
            self.count_label.setText(self.tr("%n request(s)", "", total))
        else:
            self.count_label.setText(self.tr("%n of {0} request(s) shown", "", shown).format(total))


    # --- the feed -----------------------------------------------------------------------------------

    def append(self, exchange: Exchange) -> None:
        bar = self.table.verticalScrollBar()
        follow = bar.value() >= bar.maximum() - 2 and self.proxy.sortColumn() < 0
        self.model.append(exchange)
        if follow and not self._scroll_pending:
            # After Qt has laid out the new rows; a burst of appends scrolls once.
            self._scroll_pending = True
            QTimer.singleShot(0, self._scroll_to_bottom)

    def _scroll_to_bottom(self) -> None:
        self._scroll_pending = False
        self.table.scrollToBottom()

    def clear(self) -> None:
        self.model.clear()
        self._show_details(None)

    # --- details ------------------------------------------------------------------------------------

    @property
    def details_loading(self) -> bool:
        """A body of the selected request is still being formatted or inserted."""
        return self.request_body.text.loading or self.response_body.text.loading

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_details(current.data(RECORD_ROLE) if current.isValid() else None)

    def _show_details(self, x: Exchange | None) -> None:
        self._shown = x
        self._render_summary()
        self.request_headers.text.setPlainText(headers_text(x.request_headers) if x is not None else "")
        self.response_headers.text.setPlainText(headers_text(x.response_headers) if x is not None else "")
        for pane, body in ((self.request_body, x.request_body if x is not None else None),
                           (self.response_body, x.response_body if x is not None else None)):
            if body:
                pane.text.show_text(body)  # pretty when it is JSON; formatted off the GUI thread
            else:
                pane.text.clear_view()

    def _render_summary(self) -> None:
        """The texts of the details pane that depend on the language (the bodies do not)."""
        x = self._shown
        if x is None:
            self.summary.setStyleSheet("color: #555;")
            self.summary.setText(self.tr("Select a request above to see its headers and bodies."))
            for pane in (self.request_headers, self.request_body, self.response_headers, self.response_body):
                pane.text.setPlaceholderText("")
            return
        status = str(x.status) if x.status is not None else self.tr("no response")
        text = self.tr("{0} {1}\n{2} · status {3} · {4:.1f} ms · {5}").format(
            x.method, x.url, x.endpoint or "-", status, x.latency_ms, local_time(x.started_at, DATE_TIME_MS))
        if x.error:
            text += "\n" + self.tr("Error: {0}").format(x.error)
        self.summary.setStyleSheet("color: #c5221f;" if is_failure(x) else "")
        self.summary.setText(text)
        # Placeholders (greyed, never copied) say why a box is empty.
        self.request_body.text.setPlaceholderText(self.tr("(no body)"))
        no_answer = self.tr("(no response)") if x.status is None else ""
        self.response_headers.text.setPlaceholderText(no_answer)
        self.response_body.text.setPlaceholderText(no_answer or self.tr("(empty body)"))

    # --- export -------------------------------------------------------------------------------------

    def export_har(self) -> None:
        exchanges = self.proxy.visible_exchanges()
        if not exchanges:
            self.status_label.flash(self.tr("Nothing to export: no request matches the filter."))
            return
        default = f"qrlogin-{time.strftime('%Y%m%d-%H%M%S')}.har"
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export HAR"), default,
                                              self.tr("HAR files (*.har);;All files (*)"))
        if path:
            self._write_har(Path(path), exchanges)

    def _write_har(self, path: Path, exchanges: list[Exchange]) -> None:
        def write() -> int:
            # Built and serialised on the worker too: thousands of entries take a moment.
            write_json_atomically(path, to_har(exchanges), make_parents=False)  # never half a HAR file
            return len(exchanges)

        def done(outcome: Outcome) -> None:
            self.export_button.setEnabled(True)
            if outcome.ok:
                self.banner.clear()
                self.status_label.flash(self.tr("Exported %n request(s) to {0}.", "", outcome.value).format(path))
            elif not outcome.cancelled:
                detail = outcome.error.strerror if isinstance(outcome.error, OSError) and outcome.error.strerror \
                    else describe_error(outcome.error)
                self.banner.show_error(self.tr("Could not write {0}: {1}").format(path, detail),
                                       retry=lambda: self._write_har(path, exchanges))

        self.export_button.setEnabled(False)
        self.ctx.run_blocking(write, done)
