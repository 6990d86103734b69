"""The Load page: QR-flow load on Locust against the active profile's server, with live charts.

It runs the same machinery as ``qrlogin-desktop load``: that command, in a process of its own
(a QProcess: no thread of ours waits on it), with ``--csv`` and ``--html`` into a temporary
folder. Every second the page reads the new rows of Locust's stats history on the worker loop
(``ctx.run_blocking``), never on the GUI thread, and feeds the charts. For the embedded sandbox
the run starts a sandbox process of its own (``--sandbox``): the embedded one lives in this
process, and serving the load here would take the window's time.
"""

from __future__ import annotations

import html
import importlib.util
import os
import shutil
import signal
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QProcess, QProcessEnvironment, Qt, QTemporaryDir, QTimer
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...load.history import HistoryReader, Snapshot
from ...load.limits import MAX_DURATION, MAX_SPAWN_RATE, MAX_USERS, MAX_WORKERS
from ...load.run import child_environment, child_environment_without_token, load_command
from .. import icons
from ..display import command_html, monospace_font
from ..runner import Outcome
from ..widgets.common import ErrorBanner, Panel, StatusFlash, heading_label, split

POLL_MS = 1000
OUTPUT_LINES = 2000  # the run's output kept on the page
STOP_WITHIN_MS = 20_000  # after Stop, the process is killed if it has not ended by then
PREFIX = "load"
REPORT = "report.html"


def load_available() -> str | None:
    """None when a run can start here, else the missing part (the optional ``load`` extra)."""
    for module, package in (("locust", "locust"), ("PySide6.QtCharts", "PySide6-Addons")):
        try:
            found = importlib.util.find_spec(module) is not None
        except ImportError:
            found = False
        if not found:
            return package
    return None


class LoadPanel(Panel):
    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.process: QProcess | None = None
        self.folder: QTemporaryDir | None = None
        self.reader: HistoryReader | None = None
        self._reading = False
        self._read_again = False  # a poll came while a read was in flight: read once more after it
        self._finished_code: int | None = None
        self.missing = load_available()

        self.heading = heading_label()
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.setTextFormat(Qt.TextFormat.RichText)  # the command in code type
        self.target_label = QLabel()
        self.target_label.setObjectName("loadTarget")
        self.target_label.setWordWrap(True)
        self.banner = ErrorBanner()

        self.users = QSpinBox()
        self.users.setObjectName("loadUsers")
        self.users.setRange(1, MAX_USERS)
        self.users.setValue(10)
        self.spawn_rate = QDoubleSpinBox()
        self.spawn_rate.setObjectName("loadSpawnRate")
        self.spawn_rate.setRange(0.1, MAX_SPAWN_RATE)
        self.spawn_rate.setValue(10.0)
        self.duration = QSpinBox()
        self.duration.setObjectName("loadDuration")
        self.duration.setRange(1, int(MAX_DURATION))
        self.duration.setValue(30)
        self.workers = QSpinBox()
        self.workers.setObjectName("loadWorkers")
        self.workers.setRange(0, MAX_WORKERS)
        self.form = QFormLayout()
        self._labels = [QLabel() for _ in range(4)]
        for label, field in zip(self._labels, (self.users, self.spawn_rate, self.duration, self.workers), strict=True):
            self.form.addRow(label, field)

        self.start_button = QPushButton()
        self.start_button.setObjectName("startLoad")
        self.stop_button = QPushButton()
        self.stop_button.setObjectName("stopLoad")
        self.export_csv_button = QPushButton()
        self.export_csv_button.setObjectName("exportLoadCsv")
        self.export_html_button = QPushButton()
        self.export_html_button.setObjectName("exportLoadHtml")
        for button, name in ((self.start_button, "start"), (self.stop_button, "cancel"),
                             (self.export_csv_button, "export"), (self.export_html_button, "export")):
            icons.set_icon(button, name)  # the Test bench's icons for the same actions
        buttons = QHBoxLayout()
        for button in (self.start_button, self.stop_button, self.export_csv_button, self.export_html_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.state_label = QLabel()
        self.state_label.setObjectName("loadState")
        self.exported = StatusFlash("loadExported", 5000)

        self.output = QPlainTextEdit()
        self.output.setObjectName("loadOutput")
        self.output.setReadOnly(True)
        self.output.setMaximumBlockCount(OUTPUT_LINES)
        self.output.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)  # Locust's tables stay tables
        self.output.setFont(monospace_font())
        if self.missing is None:
            from ..widgets.load_charts import LoadCharts  # Qt Charts: only once this page is built

            self.charts: QWidget = LoadCharts()
        else:
            self.charts = QWidget()

        controls = QWidget()
        top = QVBoxLayout(controls)
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.heading)
        top.addWidget(self.intro)
        top.addWidget(self.target_label)
        top.addWidget(self.banner)
        top.addLayout(self.form)
        top.addLayout(buttons)
        top.addWidget(self.state_label)
        top.addWidget(self.exported)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(controls)
        column.addWidget(self.output, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(split(Qt.Orientation.Horizontal, left, self.charts, stretch=(2, 5), sizes=[380, 780]))

        self.poll_timer = QTimer(self)
        self.poll_timer.setInterval(POLL_MS)
        self.poll_timer.timeout.connect(self._poll)
        self.stop_timer = QTimer(self)
        self.stop_timer.setSingleShot(True)
        self.stop_timer.setInterval(STOP_WITHIN_MS)
        self.stop_timer.timeout.connect(self._kill)
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        self.export_csv_button.clicked.connect(self._ask_export_csv)
        self.export_html_button.clicked.connect(self._ask_export_html)
        ctx.connection_changed.connect(self._update)
        if (app := QCoreApplication.instance()) is not None:
            app.aboutToQuit.connect(self.shutdown)
        self.retranslate()  # ends with _update()

    # --- texts and state ------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Load (Locust)"))
        self.intro.setText(html.escape(self.tr(
            "QR-flow users on Locust against the active profile's server: simulated logins, registrations "
            "and polling desktops, each flow one Locust request beside its HTTP calls. The same run as "
            "{0}; across machines, run Locust's master and workers (README).")).format(
            command_html("qrlogin-desktop load")))
        self.output.setPlaceholderText(self.tr("Locust's output appears here once a run starts."))
        fields = (self.users, self.spawn_rate, self.duration, self.workers)
        texts = (self.tr("Users"), self.tr("Spawn rate (users/s)"), self.tr("Duration (s)"), self.tr("Local workers"))
        for label, field, text in zip(self._labels, fields, texts, strict=True):
            label.setText(text)
            field.setAccessibleName(text)  # what a screen reader says for the spin box: its row's label
        self.output.setAccessibleName(self.tr("Locust output"))
        self.start_button.setText(self.tr("Start"))
        self.stop_button.setText(self.tr("Stop"))
        self.export_csv_button.setText(self.tr("Export CSV…"))
        self.export_html_button.setText(self.tr("Export HTML…"))  # as on the Test bench
        self._update()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.state() != QProcess.ProcessState.NotRunning

    def _update(self) -> None:
        profile, connection = self.ctx.profile, self.ctx.connection
        if self.missing is not None:
            self.target_label.setText(self.tr("Load needs the optional extra: pip install 'qrlogin-desktop[load]' "
                                              "(missing: {0}).").format(self.missing))
        elif profile is not None and profile.embedded_sandbox:
            self.target_label.setText(self.tr("Target: a sandbox process of its own on 127.0.0.1 (the embedded "
                                              "sandbox shares this window's process)."))
        elif connection is not None:
            self.target_label.setText(self.tr("Target: {0} (appKey {1})").format(connection.base_url,
                                                                                 connection.app_key))
        else:
            self.target_label.setText(self.tr("Target: not connected yet."))
        ready = self.missing is None and profile is not None and (profile.embedded_sandbox or connection is not None)
        self.start_button.setEnabled(ready and not self.running)
        self.stop_button.setEnabled(self.running)
        for w in (self.users, self.spawn_rate, self.duration, self.workers):
            w.setEnabled(not self.running)
        done = not self.running and self.folder is not None
        self.export_csv_button.setEnabled(done and bool(self._csv_files()))
        self.export_html_button.setEnabled(done and self._report().is_file())
        if self.running:
            self.state_label.setText(self.tr("Running…"))
        elif self._finished_code is not None:
            self.state_label.setText(self.tr("Finished (exit code {0}: {1})").format(
                self._finished_code, self._exit_meaning(self._finished_code)))
        else:
            self.state_label.setText("")

    def _exit_meaning(self, code: int) -> str:
        return {0: self.tr("no failure"), 1: self.tr("some flows failed")}.get(code, self.tr("the run broke"))

    # --- the run --------------------------------------------------------------------------------------

    def start(self) -> None:
        if self.running or self.missing is not None:
            return
        profile, connection = self.ctx.profile, self.ctx.connection
        if profile is None or (not profile.embedded_sandbox and connection is None):
            self.banner.show_error(lambda: self.tr("Not connected: choose a profile first."))
            return
        self.banner.clear()
        self.folder = QTemporaryDir()  # removed with the next run, or when the app quits
        prefix = str(Path(self.folder.path()) / PREFIX)
        sandbox = profile.embedded_sandbox
        command = load_command(users=self.users.value(), spawn_rate=self.spawn_rate.value(),
                               duration=self.duration.value(), workers=self.workers.value(), csv_prefix=prefix,
                               html_file=str(self._report()),
                               server=None if sandbox else connection.base_url,
                               app_key=None if sandbox else connection.app_key)
        env = (child_environment_without_token() if sandbox or not connection.token
               else child_environment(connection.token, connection.app_key))
        environment = QProcessEnvironment()
        for key, value in env.items():
            environment.insert(key, value)
        self.reader = HistoryReader(prefix)
        self.charts.clear()
        self.output.clear()
        self._finished_code = None
        process = QProcess(self)
        process.setProcessEnvironment(environment)
        process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        process.readyReadStandardOutput.connect(self._read_output)
        process.finished.connect(self._on_finished)
        process.errorOccurred.connect(self._on_process_error)
        self.process = process
        process.start(command[0], command[1:])
        self.poll_timer.start()
        self._update()

    def stop(self) -> None:
        """Ask the run to stop: Locust still prints its summary and writes its reports."""
        if not self.running:
            return
        assert self.process is not None
        pid = self.process.processId()
        if os.name == "posix" and pid:
            os.kill(pid, signal.SIGINT)  # the command stops its Locust processes in order on an interrupt
        else:
            self.process.terminate()
        self.stop_timer.start()

    def _kill(self) -> None:
        if self.running:
            assert self.process is not None
            self.process.kill()

    def shutdown(self) -> None:
        """The app is closing: end a run at once."""
        self.poll_timer.stop()
        if self.running:
            assert self.process is not None
            self.stop()
            self.process.waitForFinished(STOP_WITHIN_MS)
            self._kill()

    def _read_output(self) -> None:
        assert self.process is not None
        text = bytes(self.process.readAllStandardOutput().data()).decode("utf-8", "replace")
        self.output.appendPlainText(text.rstrip("\n"))

    def _on_process_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self.banner.show_error(lambda: self.tr("The load run could not start."))
            self.poll_timer.stop()
            self._update()

    def _on_finished(self, code: int, _status) -> None:
        self.stop_timer.stop()
        self.poll_timer.stop()
        self._finished_code = code
        self._poll()  # the last second's figures
        self._update()

    def _poll(self) -> None:
        reader = self.reader
        if reader is None:
            return
        if self._reading:
            self._read_again = True  # e.g. the run's last figures, written as Locust quits
            return
        self._reading = True

        def done(outcome: Outcome) -> None:
            self._reading = False
            if outcome.ok and reader is self.reader:
                self._show(outcome.value)
            if self._read_again:
                self._read_again = False
                self._poll()

        self.ctx.run_blocking(reader.read, done)

    def _show(self, snapshot: Snapshot) -> None:
        self.charts.add_samples(snapshot.samples)
        self.charts.set_outcomes(snapshot.outcomes)

    # --- export ---------------------------------------------------------------------------------------

    def _report(self) -> Path:
        return Path(self.folder.path()) / REPORT if self.folder is not None else Path()

    def _csv_files(self) -> list[Path]:
        return sorted(Path(self.folder.path()).glob(f"{PREFIX}_*.csv")) if self.folder is not None else []

    def export_csv(self, directory: Path) -> list[Path]:
        """Locust's CSV files of the last run, copied into ``directory``."""
        return [Path(shutil.copy2(f, directory / f.name)) for f in self._csv_files()]

    def export_html(self, path: Path) -> Path:
        return Path(shutil.copy2(self._report(), path))

    def _ask_export_csv(self) -> None:
        directory = QFileDialog.getExistingDirectory(self, self.tr("Export Locust's CSV files to"))
        if directory:
            written = self.export_csv(Path(directory))
            self.exported.flash(lambda: self.tr("Exported %n file(s)", "", len(written)))

    def _ask_export_html(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export Locust's HTML report"), "load-report.html",
                                              "HTML (*.html)")
        if path:
            self.export_html(Path(path))
            self.exported.flash(lambda: self.tr("Exported the HTML report"))
