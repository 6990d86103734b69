"""The state timeline under the QR: each state entered, when, and for how long; attempts apart.

Fed with the machine's :class:`~qrlogin_desktop.flow.machine.Transition` records as they arrive
(from one driver or several: "New QR" on a live attempt replaces the driver), so it needs no
access to the machine itself. Durations come from the transitions' own timestamps.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from ...flow.machine import TERMINAL_STATES, State, Transition
from .language import Retranslating


def state_text(state: State) -> str:
    """A machine state in words, in the current language (also used by the panel's state label)."""
    return {
        State.IDLE: QCoreApplication.translate("FlowState", "Idle"),
        State.INITIATING: QCoreApplication.translate("FlowState", "Requesting a QR code"),
        State.WAITING_FOR_SCAN: QCoreApplication.translate("FlowState", "Waiting for a scan"),
        State.SCANNED: QCoreApplication.translate("FlowState", "Scanned — waiting for the phone"),
        State.CONFIRMING: QCoreApplication.translate("FlowState", "Confirming the login"),
        State.REGISTERING: QCoreApplication.translate("FlowState", "Registering"),
        State.AUTHENTICATED: QCoreApplication.translate("FlowState", "Logged in"),
        State.EXPIRED: QCoreApplication.translate("FlowState", "QR expired"),
        State.FAILED: QCoreApplication.translate("FlowState", "Failed"),
        State.CANCELLED: QCoreApplication.translate("FlowState", "Cancelled"),
    }[state]


CURRENT_BRUSH = QBrush(QColor("#e6f7ee"))
HEADER_BRUSH = QBrush(QColor("#f2f2f2"))


def _starts_attempt(t: Transition) -> bool:
    return t.source in (State.IDLE, *TERMINAL_STATES) and t.target is State.INITIATING


class TimelineView(Retranslating, QTableWidget):
    COLUMNS = 4  # step, event, entered at, duration
    MAX_ATTEMPTS = 10  # older attempts scroll away: an operator looping logins must not slow the GUI

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, self.COLUMNS, parent)
        self.setObjectName("timeline")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setTabKeyNavigation(False)  # Tab leaves the table: keyboard users never get stuck in it
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(22)  # compact rows: a log, not a form
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # Fixed widths from sample texts: ResizeToContents would measure every row again on each
        # new row, which made one transition cost milliseconds on the GUI thread.
        metrics = self.fontMetrics()
        for column, sample in ((1, "registration_required"), (2, "00:00:00.000"), (3, "Duration (ms)")):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 24)
        self._transitions: list[Transition] = []
        self._dropped_attempts = 0
        self._bold = QFont(self.font())
        self._bold.setBold(True)
        # Transition.at is the driver's monotonic clock; this turns it into wall-clock time.
        self._wall_offset = time.time() - time.monotonic()
        self.retranslate()

    def clear_steps(self) -> None:
        self._transitions.clear()
        self._dropped_attempts = 0
        self._rebuild()

    def add(self, transition: Transition) -> None:
        self._transitions.append(transition)
        starts = [i for i, t in enumerate(self._transitions) if _starts_attempt(t)]
        if len(starts) > self.MAX_ATTEMPTS:
            cut = starts[-self.MAX_ATTEMPTS]
            dropped = sum(1 for t in self._transitions[:cut] if _starts_attempt(t))
            self._dropped_attempts += dropped
            del self._transitions[:cut]
            for _ in range(cut + dropped):  # those steps' rows and their attempts' separators
                self.removeRow(0)
            starts = [i - cut for i in starts if i >= cut]
        # The common case, a few times per login: patch the previous row and append one. A full
        # rebuild of up to ten attempts costs ~3 ms per transition on the GUI thread.
        if len(self._transitions) > 1 and self.rowCount():
            previous = self._transitions[-2]
            self._fill_row(self.rowCount() - 1, previous, transition.at - previous.at, current=False)
        if _starts_attempt(transition):
            self._separator(self.tr("Attempt {0}").format(self._dropped_attempts + len(starts)))
        row = self.rowCount()
        self.insertRow(row)
        self._fill_row(row, transition, None, current=True)
        self.scrollToBottom()

    def _fill_row(self, row: int, t: Transition, duration: float | None, *, current: bool) -> None:
        entered = time.strftime("%H:%M:%S", time.localtime(t.at + self._wall_offset))
        millis = int(((t.at + self._wall_offset) % 1) * 1000)
        cells = [
            state_text(t.target),
            t.event.value,
            f"{entered}.{millis:03d}",
            "…" if duration is None else f"{duration * 1000:.0f}",
        ]
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if column == 3:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if current:
                item.setBackground(CURRENT_BRUSH)
                item.setFont(self._bold)
            self.setItem(row, column, item)

    def steps(self) -> list[tuple[State, float | None]]:
        """(state, duration in seconds or None while current) for each row; for tests and export."""
        out = []
        for i, t in enumerate(self._transitions):
            nxt = self._transitions[i + 1] if i + 1 < len(self._transitions) else None
            out.append((t.target, None if nxt is None else nxt.at - t.at))
        return out

    def retranslate(self) -> None:
        self.setHorizontalHeaderLabels([self.tr("Step"), self.tr("Event"), self.tr("Entered at"),
                                        self.tr("Duration (ms)")])
        self._rebuild()

    def _rebuild(self) -> None:
        """All rows from the kept transitions (after trimming old attempts or a language switch)."""
        self.clearSpans()
        self.setRowCount(0)
        attempt_number = self._dropped_attempts
        steps = self.steps()
        for i, (t, (_state, duration)) in enumerate(zip(self._transitions, steps, strict=True)):
            if _starts_attempt(t):
                attempt_number += 1  # numbered here: attempts may come from several drivers
                self._separator(self.tr("Attempt {0}").format(attempt_number))
            row = self.rowCount()
            self.insertRow(row)
            self._fill_row(row, t, duration, current=i == len(steps) - 1)
        if self.rowCount():
            self.scrollToBottom()

    def _separator(self, text: str) -> None:
        row = self.rowCount()
        self.insertRow(row)
        item = QTableWidgetItem(text)
        item.setBackground(HEADER_BRUSH)
        item.setForeground(QBrush(QColor("#666666")))
        self.setItem(row, 0, item)
        self.setSpan(row, 0, 1, self.COLUMNS)

