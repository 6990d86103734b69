"""The Test bench page: the conformance check of the active connection's server, run on the worker thread,
its table filling in as each check finishes; a details pane per check; Stop; export as JUnit or HTML.

The suite, its runner and the reports are the command line's (``qrlogin_desktop.conformance``), loaded
when a run starts: this page only shows their results.
"""

from __future__ import annotations

import html
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
)

from .. import i18n, icons, theme
from ..display import command_html
from ..runner import Outcome
from ..widgets.common import ErrorBanner, HintedTable, Panel, heading_label, split

if TYPE_CHECKING:
    import concurrent.futures

    from ...conformance.model import Report, Result

# verdict -> theme colour names of its cell: (background, text)
_COLOURS = {"pass": ("ok_bg", "ok"), "fail": ("error_bg", "error"), "n/a": ("neutral_bg", "muted")}


class TestBenchPanel(Panel):
    __test__ = False  # a page of the app, not a pytest class (its name starts with "Test")
    _progress = Signal(object, int, int)  # (Result, done, total), emitted on the worker thread
    _counted = Signal(int)  # how many checks the run holds, emitted on the worker thread before the first

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.setObjectName("testBenchPanel")
        self.results: list[Result] = []
        self.report: Report | None = None  # the last run's, finished or stopped
        self._future: concurrent.futures.Future | None = None
        self._planned = 0
        self._started_at = 0.0
        self._started = 0.0

        self.heading = heading_label()
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.setTextFormat(Qt.TextFormat.RichText)  # the command in code type
        self.server_label = QLabel()
        self.server_label.setObjectName("testBenchServer")
        self.register_box = QCheckBox()
        self.register_box.setChecked(True)
        self.expiry_box = QCheckBox()
        self.ticket_edit = QLineEdit()
        self.ticket_edit.setEchoMode(QLineEdit.EchoMode.Password)  # the operator's jsapi_ticket: a secret
        self.ticket_edit.setObjectName("jsapiTicket")
        self.run_button = QPushButton()
        self.run_button.setObjectName("runCheck")
        self.stop_button = QPushButton()
        self.stop_button.setEnabled(False)
        self.junit_button = QPushButton()
        self.html_button = QPushButton()
        for button in (self.junit_button, self.html_button):
            button.setEnabled(False)
        for button, name in ((self.run_button, "start"), (self.stop_button, "cancel"),
                             (self.junit_button, "export"), (self.html_button, "export")):
            icons.set_icon(button, name)
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("testBenchProgress")
        self.progress_bar.setTextVisible(True)  # its words say "not run yet" at rest, "n / m" in a run
        self.counts = QLabel()
        self.counts.setObjectName("testBenchCounts")
        self.banner = ErrorBanner()

        self.table = HintedTable(0, 4)
        self.table.setObjectName("testBenchTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table instead of walking its cells
        header = self.table.horizontalHeader()
        # Result and Group: as wide as their widest possible word (known in advance) plus padding, set in
        # _size_short_columns; the text columns share the rest.
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.details = QPlainTextEdit()
        self.details.setObjectName("testBenchDetails")
        self.details.setReadOnly(True)

        options = QHBoxLayout()
        options.addWidget(self.register_box)
        options.addWidget(self.expiry_box)
        options.addWidget(self.ticket_edit, 1)
        buttons = QHBoxLayout()
        for button in (self.run_button, self.stop_button):
            buttons.addWidget(button)
        buttons.addWidget(self.progress_bar, 1)
        buttons.addWidget(self.counts)
        buttons.addWidget(self.junit_button)
        buttons.addWidget(self.html_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.intro)
        layout.addWidget(self.server_label)
        layout.addLayout(options)
        layout.addLayout(buttons)
        layout.addWidget(self.banner)
        layout.addWidget(split(Qt.Orientation.Vertical, self.table, self.details, stretch=(3, 2)), 1)

        self._progress.connect(self._on_progress)  # queued: the signal comes from the worker thread
        self._counted.connect(self._on_counted)
        self.run_button.clicked.connect(self.run_check)
        self.stop_button.clicked.connect(self.stop)
        self.junit_button.clicked.connect(lambda: self._export_dialog("junit"))
        self.html_button.clicked.connect(lambda: self._export_dialog("html"))
        self.table.itemSelectionChanged.connect(self._show_details)
        ctx.connection_changed.connect(self._on_connection)
        theme.notifier().changed.connect(self._refill_rows)
        self.retranslate()
        self.progress_bar.setRange(0, 1)  # at rest: empty, not busy
        self.progress_bar.setValue(0)
        self._on_connection()

    # --- texts -------------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Test bench"))
        self.intro.setText(html.escape(self.tr(
            "Checks the server of the active profile against the contract: every field rule at its boundaries, "
            "bearer authentication, the QR session lifecycle cell by cell, the envelope of every answer, the "
            "mini-program code images and JSConfig's signature. The same suite as {0}.")).format(
            command_html("qrlogin-desktop check")))
        self.register_box.setText(self.tr("Include checks that register users (Confirm-Register)"))
        self.expiry_box.setText(self.tr("Check expiry (waits one QR lifetime)"))
        # A short hint the field has room for at 1024 px; what the ticket is for, in its tooltip.
        self.ticket_edit.setPlaceholderText(self.tr("jsapi_ticket (optional)"))
        self.ticket_edit.setToolTip(self.tr("jsapi_ticket (optional): with it, the check also verifies "
                                            "JSConfig's signature"))
        self.ticket_edit.setAccessibleName(self.tr("jsapi_ticket"))
        self.table.setAccessibleName(self.tr("Checks"))
        self.details.setAccessibleName(self.tr("Details of the selected check"))
        self.table.set_empty_hint(self.tr("No checks run yet. Press Run check to test the server of the "
                                          "active profile; each check gets a row here."))
        self.details.setPlaceholderText(self.tr("Select a check to see what it sent, what came back and why "
                                                "it passed or failed."))
        self.run_button.setText(self.tr("Run check"))
        self.stop_button.setText(self.tr("Stop"))
        self.junit_button.setText(self.tr("Export JUnit…"))
        self.html_button.setText(self.tr("Export HTML…"))
        self.table.setHorizontalHeaderLabels([self.tr("Result"), self.tr("Group"), self.tr("Check"),
                                              self.tr("Tests (rule or table cell)")])
        self._size_short_columns()
        self._word_progress()
        self._refill_rows()
        self._update_counts()

    def _size_short_columns(self) -> None:
        """Result and Group as wide as their header or widest value in this language, with an em of
        padding each side (the header's own margin left the Chinese headers touching)."""
        from ...conformance.model import GROUP_LABELS

        header, cells = self.table.horizontalHeader().fontMetrics(), self.table.fontMetrics()
        padding = 2 * header.horizontalAdvance("M")
        words = {0: [self._verdict_text(v) for v in _COLOURS],
                 1: [i18n.pick(label.en, label.zh) for label in GROUP_LABELS.values()]}
        for column, values in words.items():
            widest = max(header.horizontalAdvance(self.table.horizontalHeaderItem(column).text()),
                         *(cells.horizontalAdvance(v) for v in values))
            self.table.horizontalHeader().resizeSection(column, widest + padding)

    def _refill_rows(self, *_scheme: object) -> None:
        """Every row again: texts in the current language, verdict colours of the current scheme."""
        for row, result in enumerate(self.results):
            self._fill_row(row, result)
        self._on_connection()
        self._show_details()

    def _verdict_text(self, verdict: str) -> str:
        return {"pass": self.tr("pass"), "fail": self.tr("fail"), "n/a": self.tr("n/a")}[verdict]

    # --- the connection ---------------------------------------------------------------------------------

    def _on_connection(self) -> None:
        connection = self.ctx.connection
        running = self._future is not None
        self.run_button.setEnabled(connection is not None and not running)
        if connection is None:
            self.server_label.setText(self.tr("Not connected: choose a profile in Profiles & Settings."))
        else:
            self.server_label.setText(self.tr("Server: {0} · appKey {1}").format(connection.base_url,
                                                                                connection.app_key))

    # --- running ----------------------------------------------------------------------------------------

    def run_check(self) -> None:
        connection = self.ctx.connection
        if connection is None or self._future is not None:
            return
        from ...conformance.model import Options
        from ...conformance.runner import check_connection

        options = Options(register=self.register_box.isChecked(), expiry=self.expiry_box.isChecked(),
                          jsapi_ticket=self.ticket_edit.text() or None)
        self.results = []
        self.report = None
        self.table.setRowCount(0)
        self.details.clear()
        self.banner.clear()
        # The suite is built with the run, on the worker: the bar is busy until it says how many checks.
        self._planned = 0
        self.progress_bar.setRange(0, 0)
        self._started_at, self._started = time.time(), time.perf_counter()
        self._set_running(True)
        self._future = self.ctx.run(check_connection(connection, options, progress=self._progress.emit,
                                                     counted=self._counted.emit),
                                    self._on_done)
        self._word_progress()

    def stop(self) -> None:
        if self._future is not None:
            self._future.cancel()

    def _set_running(self, running: bool) -> None:
        self.stop_button.setEnabled(running)
        for widget in (self.register_box, self.expiry_box, self.ticket_edit):
            widget.setEnabled(not running)
        self.junit_button.setEnabled(not running and bool(self.results))
        self.html_button.setEnabled(not running and bool(self.results))
        self.run_button.setEnabled(not running and self.ctx.connection is not None)

    def _word_progress(self) -> None:
        """The bar's words: before the first run it says so (bare, it looked like an empty text field
        in light and vanished in dark); from a run on, how many checks of how many."""
        ran = self._future is not None or self.report is not None
        self.progress_bar.setFormat(self.tr("%v of %m checks") if ran else self.tr("Not run yet"))

    def _on_counted(self, planned: int) -> None:
        self._planned = planned
        self.progress_bar.setRange(0, planned)
        self.progress_bar.setValue(len(self.results))

    def _on_progress(self, result: Result, done: int, total: int) -> None:
        self.results.append(result)
        row = self.table.rowCount()
        self.table.insertRow(row)
        self._fill_row(row, result)
        self.progress_bar.setMaximum(total)
        self.progress_bar.setValue(done)
        self._update_counts()
        if self.table.currentRow() < 0 and result.verdict.value == "fail":
            self.table.selectRow(row)  # the first failure, shown at once

    def _on_done(self, outcome: Outcome) -> None:
        self._future = None
        if self._planned == 0:
            self.progress_bar.setRange(0, 1)  # not busy any more: the run ended before the suite was counted
        from ...conformance.model import Report, Text

        if outcome.ok:
            self.report = outcome.value
        else:
            stopped = Text("stopped by the operator", "已由操作员停止") if outcome.cancelled else Text(
                str(outcome.error), str(outcome.error))
            if not outcome.cancelled:
                self.banner.show_error(lambda: self.tr("The check could not run: {0}").format(outcome.error))
            server = self.ctx.connection.base_url if self.ctx.connection else ""
            app_key = self.ctx.connection.app_key if self.ctx.connection else ""
            self.report = Report(server, app_key, tuple(self.results), self._started_at,
                                 time.perf_counter() - self._started, self._planned, stopped)
        self._set_running(False)
        self._update_counts()

    # --- showing ----------------------------------------------------------------------------------------

    def _fill_row(self, row: int, result: Result) -> None:
        from ...conformance.model import GROUP_LABELS, GROUP_TITLES

        background, foreground = _COLOURS[result.verdict.value]
        group = GROUP_LABELS[result.check.group]
        cells = (self._verdict_text(result.verdict.value), i18n.pick(group.en, group.zh),
                 i18n.pick(result.check.title.en, result.check.title.zh),
                 i18n.pick(result.check.tests.en, result.check.tests.zh))
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            title = GROUP_TITLES[result.check.group]
            item.setToolTip(i18n.pick(title.en, title.zh) if column == 1 else text)
            if column == 0:
                item.setBackground(QBrush(theme.color(background)))
                item.setForeground(QBrush(theme.color(foreground)))
            self.table.setItem(row, column, item)

    def _update_counts(self) -> None:
        passed = sum(r.verdict.value == "pass" for r in self.results)
        failed = sum(r.verdict.value == "fail" for r in self.results)
        na = sum(r.verdict.value == "n/a" for r in self.results)
        text = self.tr("{0} passed · {1} failed · {2} n/a").format(passed, failed, na)
        if self.report is not None and self.report.stopped is not None:
            text += " · " + self.tr("stopped after {0} of {1}").format(len(self.results), self.report.planned)
        self.counts.setText(text)

    def _show_details(self) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.results):
            self.details.clear()
            return
        result = self.results[row]
        lines = [i18n.pick(result.check.title.en, result.check.title.zh), result.check.id, "",
                 self.tr("Tests: {0}").format(i18n.pick(result.check.tests.en, result.check.tests.zh)),
                 self.tr("Result: {0}").format(self._verdict_text(result.verdict.value)),
                 i18n.pick(result.reason.en, result.reason.zh)]
        for n, (sent, received) in enumerate(zip(result.sent, result.received, strict=True), 1):
            lines += ["", self.tr("— request {0} —").format(n), sent, self.tr("— answer {0} —").format(n), received]
        self.details.setPlainText("\n".join(lines))

    # --- export ----------------------------------------------------------------------------------------

    def export(self, kind: str, path: str | Path) -> None:
        """Write the last run's report: ``kind`` "junit" (XML) or "html" (the self-contained page)."""
        if self.report is None:
            return
        from ...conformance import report_html, report_junit

        lang = "zh" if i18n.is_chinese() else "both"
        data = report_junit.render(self.report) if kind == "junit" else report_html.render(self.report, lang=lang).encode()
        try:
            Path(path).write_bytes(data)
        except OSError as exc:
            reason = exc.strerror or str(exc)  # ``exc`` is unbound after the except block; the banner renders later
            self.banner.show_error(lambda: self.tr("Could not write {0}: {1}").format(path, reason))

    def _export_dialog(self, kind: str) -> None:
        title = self.tr("Export JUnit XML") if kind == "junit" else self.tr("Export HTML report")
        pattern = self.tr("JUnit XML (*.xml)") if kind == "junit" else self.tr("HTML page (*.html)")
        path, _ = QFileDialog.getSaveFileName(self, title, "qrlogin-check." + ("xml" if kind == "junit" else "html"),
                                              pattern)
        if path:
            self.export(kind, path)
