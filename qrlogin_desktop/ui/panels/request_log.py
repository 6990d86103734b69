"""The request log: every call the client makes, filterable, with headers and bodies, exportable as HAR.

The client hands over :class:`~qrlogin_desktop.api.client.Exchange` records that are redacted when
they are made (bearer credential and tokens masked), so this panel shows them as they are and an
export cannot carry a secret the log did not have. Writing the HAR file happens off the GUI thread,
and so does formatting a body for the details pane (:class:`JsonView`, as on the endpoint pages):
a logged body can be a 256 KiB prefix, too big to parse and lay out between two repaints.

The log is a history: the newest records are kept on disk (:mod:`~qrlogin_desktop.storage.request_history`,
read and written on a worker thread), so a restart shows the requests of earlier runs. A row's
context menu copies it (cURL, URL, response) or opens its endpoint page with the same inputs.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...api.exchange import LOG_BODY_PREFIX, Exchange, curl_of, replay_inputs
from ...api.har import to_har
from ...storage.atomic_file import write_json_atomically
from ...storage.request_history import RequestHistory
from .. import icons, theme
from ..display import DATE_TIME_MS, data_size, local_time, monospace_font
from ..errors_text import describe_error
from ..models.record_table import RECORD_ROLE
from ..models.request_log_model import MAX_ENTRIES, Column, RequestLogFilter, RequestLogModel, is_failure
from ..runner import Outcome
from ..widgets.common import ErrorBanner, Message, Panel, StatusFlash, heading_label, record_table, split
from ..widgets.json_view import JsonView

STATUS_MS = 6000
ALL, ERRORS_ONLY = 0, 1
# A burst of requests (a QR session polls several times a second) is written once per this interval.
SAVE_DELAY_MS = 1000
# What each fixed-width column must fit besides its title (the Path column takes the rest).
_WIDEST_SIZE = data_size(1023 * 1024 + 900)  # "1,023.9 KiB"
COLUMN_SAMPLES = {Column.TIME: "00:00:00.000", Column.METHOD: "POST", Column.STATUS: "000",
                  Column.CODE: "000", Column.LATENCY: "9,999.9 ms", Column.RESPONSE_SIZE: _WIDEST_SIZE}
PATH_MIN_WIDTH = 120  # the Path column shrinks to this before the table scrolls sideways


def headers_text(headers: tuple[tuple[str, str], ...]) -> str:
    return "\n".join(f"{name}: {value}" for name, value in headers)


# A JSON token: a string (maybe cut short), a structural character, or a run of anything else.
_JSON_TOKEN = re.compile(r'"(?:\\.|[^"\\])*"?|[{}\[\],:]|[^"{}\[\],:]+')
_CUT_NOTE = "\n… [cut:"


def reflow_cut_json(body: str) -> str:
    """A cut JSON body (the kept prefix of a bigger answer, which no parser reads) laid out one
    member per line, indented as far as it goes. Why: compact JSON is one line, and Qt lays a
    256 KiB line out anew for every slice the view inserts, stalling the window for ~200 ms.
    Pure (runs on a worker); the text itself is unchanged but for whitespace between tokens."""
    head, note = body, ""
    at = body.rfind(_CUT_NOTE)
    if at >= 0:
        head, note = body[:at], body[at:]
    out: list[str] = []
    depth = 0
    for token in _JSON_TOKEN.findall(head):
        if token in ("{", "["):
            depth += 1
            out.append(token + "\n" + "  " * depth)
        elif token in ("}", "]"):
            depth = max(depth - 1, 0)
            out.append("\n" + "  " * depth + token)
        elif token == ",":
            out.append(",\n" + "  " * depth)
        elif token == ":":
            out.append(": ")
        elif token.isspace():
            continue
        else:
            out.append(token.strip() if not token.startswith('"') else token)
    return "".join(out) + note


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
    # "Open in its endpoint page": a ReplayInputs for the main window to show and fill that page.
    replay_requested = Signal(object)

    def __init__(self, ctx, parent: QWidget | None = None, *, max_entries: int = MAX_ENTRIES,
                 history: RequestHistory | None = None):
        super().__init__(ctx, parent)
        self._shown: Exchange | None = None
        self._scroll_pending = False
        self.history = history if history is not None else RequestHistory()
        self.history_loaded = False
        self._saving = False  # one write at a time, so they land in order
        self._dirty = False  # records changed since the last write began

        self.heading = heading_label()
        self.count_label = QLabel()
        self.count_label.setObjectName("requestCount")
        theme.styled(self.count_label, "color: {muted};")

        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("requestFilter")
        self.filter_edit.setClearButtonEnabled(True)
        self.status_filter = QComboBox()
        self.status_filter.setObjectName("statusFilter")
        self.status_filter.addItems(["", ""])  # texts set in retranslate()
        self.clear_button = QPushButton()
        self.clear_button.setObjectName("clearHistory")
        self.export_button = QPushButton()
        self.export_button.setObjectName("exportHar")
        icons.set_icon(self.clear_button, "clear")
        icons.set_icon(self.export_button, "export")
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
        header.setMinimumSectionSize(24)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(Column.PATH, QHeaderView.ResizeMode.Stretch)  # widths: _size_columns
        # Chronological until the user clicks a header: no sort indicator, no sorting.
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._open_row_menu)
        self.row_menu = QMenu(self)
        self.row_menu.setObjectName("requestRowMenu")
        self.copy_curl_action = QAction(self)
        self.copy_url_action = QAction(self)
        self.copy_response_action = QAction(self)
        self.replay_action = QAction(self)
        self.copy_curl_action.triggered.connect(lambda: self._copy(
            curl_of(self._menu_row), lambda: self.tr("Copied as cURL (the credential as $QRLOGIN_TOKEN).")))
        self.copy_url_action.triggered.connect(lambda: self._copy(self._menu_row.url, lambda: self.tr("URL copied.")))
        self.copy_response_action.triggered.connect(
            lambda: self._copy(self._menu_row.response_body or "", lambda: self.tr("Response copied.")))
        self.replay_action.triggered.connect(lambda: self.replay(self._menu_row))
        self.row_menu.addActions([self.copy_curl_action, self.copy_url_action, self.copy_response_action])
        self.row_menu.addSeparator()
        self.row_menu.addAction(self.replay_action)
        self._menu_row: Exchange | None = None
        # Which endpoints have a page to replay in (the main window says; alone, none has).
        self.replay_available: Callable[[str], bool] = lambda _endpoint_id: False

        # --- details of the selected exchange ---
        self.summary = QLabel()
        self.summary.setObjectName("requestSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.request_headers = _TextPane("requestHeaders")
        self.request_body = _TextPane("requestBody", JsonView(ctx.run))
        self.response_headers = _TextPane("responseHeaders")
        self.response_body = _TextPane("responseBody", JsonView(ctx.run))
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
        self.clear_button.clicked.connect(self.clear_history)
        self.export_button.clicked.connect(self.export_har)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved, self.proxy.modelReset,
                       self.proxy.layoutChanged):
            signal.connect(self._render_count)
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self._save)
        # Every exchange from the first request on: those before this page was built, then the feed.
        for exchange in ctx.take_log_backlog():
            self.append(exchange)
        ctx.exchange_logged.connect(self.append)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.flush_history)
        self.retranslate()
        # Read on a worker. At start-up, once the connection starts (no request comes before it,
        # and the worker thread is not started before the window is painted); later, right away.
        self._history_requested = False
        if ctx.connection is not None or ctx.connecting:
            QTimer.singleShot(0, self._load_history)
        else:
            ctx.connection_changed.connect(self._load_history)


    # --- texts --------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Request log"))
        self.filter_edit.setPlaceholderText(self.tr("Filter by method, path, status or endpoint…"))
        self.status_filter.setItemText(ALL, self.tr("All requests"))
        self.status_filter.setItemText(ERRORS_ONLY, self.tr("Errors only"))
        self.status_filter.setAccessibleName(self.tr("Which requests to show"))
        self.filter_edit.setAccessibleName(self.tr("Filter requests"))
        self.table.setAccessibleName(self.tr("Requests"))
        self.clear_button.setText(self.tr("Clear history…"))
        self.clear_button.setToolTip(self.tr("Remove every request from the log and from the saved history"))
        self.export_button.setText(self.tr("Export HAR…"))
        self.export_button.setToolTip(self.tr("Save the requests shown (filter applied) as a HAR 1.2 file"))
        self.request_box.setTitle(self.tr("Request"))
        self.response_box.setTitle(self.tr("Response"))
        # Under the "Request" / "Response" titles English says "Headers" / "Body" twice; Chinese names
        # each pane in full (请求头, 响应体), as the endpoint pages say 请求体: hence the disambiguations.
        for pane, caption in ((self.request_headers, self.tr("Headers", "request")),
                              (self.request_body, self.tr("Body", "request")),
                              (self.response_headers, self.tr("Headers", "response")),
                              (self.response_body, self.tr("Body", "response"))):
            pane.caption.setText(caption)
        self.count_label.setToolTip(self.tr("The log keeps the newest {0} requests; the newest {1} are saved "
                                            "(redacted) for the next start.").format(self.model.max_entries,
                                                                                    self.history.max_entries))
        self.copy_curl_action.setText(self.tr("Copy as cURL"))
        self.copy_url_action.setText(self.tr("Copy URL"))
        self.copy_response_action.setText(self.tr("Copy response"))
        self.replay_action.setText(self.tr("Open in its endpoint page"))
        self.model.retranslate()
        self._size_columns()
        self._render_count()
        self._render_summary()

    def _size_columns(self) -> None:
        """Each fixed column as wide as its title or its widest value (in this language and font),
        whichever is wider; Path stretches over the rest."""
        header = self.table.horizontalHeader()
        cells, titles = self.table.fontMetrics(), header.fontMetrics()
        for column, sample in COLUMN_SAMPLES.items():
            title = str(self.model.headerData(column, Qt.Orientation.Horizontal) or "")
            # Room for the cell's margins, and in the title for the sort arrow.
            header.resizeSection(column, max(cells.horizontalAdvance(sample) + 14,
                                             titles.horizontalAdvance(title) + 22))
        self.table.setMinimumWidth(sum(header.sectionSize(c) for c in COLUMN_SAMPLES) + PATH_MIN_WIDTH)

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
        self._changed()
        if follow and not self._scroll_pending:
            # After Qt has laid out the new rows; a burst of appends scrolls once.
            self._scroll_pending = True
            QTimer.singleShot(0, self._scroll_to_bottom)

    def _scroll_to_bottom(self) -> None:
        self._scroll_pending = False
        self.table.scrollToBottom()

    def clear(self) -> None:
        """Empty the log and its saved history (no question asked: see clear_history)."""
        self.model.clear()
        self._show_details(None)
        self._changed()

    def clear_history(self) -> None:
        answer = QMessageBox.question(
            self, self.tr("Clear history"),
            self.tr("Remove all %n request(s) from the log and from the saved history? This cannot be undone.",
                    "", self.model.rowCount()),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        if answer == QMessageBox.StandardButton.Yes:
            self.clear()
            self.status_label.flash(lambda: self.tr("History cleared."))

    # --- the history on disk ---------------------------------------------------------------------------

    def _load_history(self) -> None:
        if self._history_requested:
            return
        self._history_requested = True
        history = self.history

        def done(outcome: Outcome) -> None:
            self.history_loaded = True
            if outcome.ok:
                self.model.prepend(outcome.value)
                if history.warnings:
                    unread = "; ".join(history.warnings)  # the next load() starts a new list
                    self.status_label.flash(lambda: self.tr("Part of the saved history could not be read: {0}").format(
                        unread))
            elif not outcome.cancelled:
                self.status_label.flash(lambda: self.tr("The saved history could not be read: {0}").format(
                    describe_error(outcome.error)))

        self.ctx.run_blocking(history.load, done)

    def _changed(self) -> None:
        self._dirty = True
        if not self._save_timer.isActive():
            self._save_timer.start()  # not restarted by each new row: a steady poll still gets written

    def _save(self) -> None:
        if self._saving or not self._dirty:
            return
        self._saving, self._dirty = True, False
        records = self.model.records()[-self.history.max_entries:]
        history = self.history

        def write() -> None:
            if records:
                history.save(records)
            else:
                history.clear()

        def done(outcome: Outcome) -> None:
            self._saving = False
            if not outcome.ok and not outcome.cancelled:
                detail = outcome.error.strerror if isinstance(outcome.error, OSError) and outcome.error.strerror \
                    else describe_error(outcome.error)
                self.status_label.flash(lambda: self.tr("The request history could not be saved: {0}").format(detail))
            if self._dirty:
                self._changed()

        self.ctx.run_blocking(write, done)

    @property
    def saving(self) -> bool:
        """A write is pending or under way."""
        return self._saving or self._save_timer.isActive()

    def flush_history(self) -> None:
        """On quit: write what the pending save would have (here, on the GUI thread: the app is closing)."""
        if self._dirty and not self._saving:
            self._save_timer.stop()
            self._dirty = False
            records = self.model.records()[-self.history.max_entries:]
            try:
                if records:
                    self.history.save(records)
                else:
                    self.history.clear()
            except OSError:
                pass  # nothing left to tell it to on the way out

    # --- the row menu -----------------------------------------------------------------------------------

    def _open_row_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        self.table.selectRow(index.row())
        self.show_row_menu(index.data(RECORD_ROLE), self.table.viewport().mapToGlobal(pos))

    def show_row_menu(self, x: Exchange, at: QPoint) -> None:
        self._menu_row = x
        self.copy_response_action.setEnabled(bool(x.response_body))
        self.replay_action.setEnabled(replay_inputs(x) is not None and self.replay_available(x.endpoint))
        self.row_menu.popup(at)

    def _copy(self, text: str, done: Message) -> None:
        QGuiApplication.clipboard().setText(text)
        self.status_label.flash(done)

    def replay(self, x: Exchange | None) -> None:
        """Ask the window to open ``x``'s endpoint page with the same inputs. The log holds no
        secret, so a masked field (sessionKey) is left for the user to type again."""
        inputs = replay_inputs(x) if x is not None else None
        if inputs is None or not self.replay_available(inputs.endpoint):
            return
        self.replay_requested.emit(inputs)

        def notes() -> str:
            said = []
            if inputs.masked:
                said.append(self.tr("Not in the log (secret): {0}. Type it again on the endpoint page.")
                            .format(", ".join(inputs.masked)))
            if inputs.body_lost:
                said.append(self.tr("The log holds only the start of the body: the page keeps its own."))
            return " ".join(said)

        if notes():
            self.status_label.flash(notes)

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
        for pane, body, cut in (
                (self.request_body, x.request_body if x is not None else None,
                 x is not None and x.request_size > LOG_BODY_PREFIX),
                (self.response_body, x.response_body if x is not None else None,
                 x is not None and x.response_size > LOG_BODY_PREFIX)):
            if body and cut and body.lstrip()[:1] in ("{", "["):
                # Broken into lines first (see reflow_cut_json), on the worker, in the formatting's trip.
                pane.text.show_text_made_by(lambda body=body: reflow_cut_json(body))
            elif body:
                pane.text.show_text(body)  # pretty when it is JSON; formatted off the GUI thread
            else:
                pane.text.clear_view()

    def _render_summary(self) -> None:
        """The texts of the details pane that depend on the language (the bodies do not)."""
        x = self._shown
        if x is None:
            theme.styled(self.summary, "color: {muted};")
            self.summary.setText(self.tr("Select a request above to see its headers and bodies."))
            # Each empty box says what it waits for, not only the line above it.
            for pane in (self.request_headers, self.request_body, self.response_headers, self.response_body):
                pane.text.setPlaceholderText(self.tr("Select a request to see its details."))
            return
        status = str(x.status) if x.status is not None else self.tr("no response")
        code = str(x.envelope_code) if x.envelope_code is not None else "—"
        text = self.tr("{0} {1}\n{2} · HTTP {3} · code {4} · {5:,.1f} ms · {6}").format(
            x.method, x.url, x.endpoint or "-", status, code, x.latency_ms, local_time(x.started_at, DATE_TIME_MS))
        if x.error:
            text += "\n" + self.tr("Error: {0}").format(x.error)
        theme.styled(self.summary, "color: {error};" if is_failure(x) else "")
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
            self.status_label.flash(lambda: self.tr("Nothing to export: no request matches the filter."))
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
                self.status_label.flash(lambda: self.tr("Exported %n request(s) to {0}.", "", outcome.value).format(path))
            elif not outcome.cancelled:
                detail = outcome.error.strerror if isinstance(outcome.error, OSError) and outcome.error.strerror \
                    else describe_error(outcome.error)
                self.banner.show_error(lambda: self.tr("Could not write {0}: {1}").format(path, detail),
                                       retry=lambda: self._write_har(path, exchanges))

        self.export_button.setEnabled(False)
        self.ctx.run_blocking(write, done)
