"""The state timeline under the QR: each state entered, by which event, when, for how long, and why
an attempt ended; attempts apart.

Fed with the machine's :class:`~qrlogin_desktop.flow.machine.Transition` records as they arrive
(from one driver or several: "New QR" on a live attempt replaces the driver), so it needs no
access to the machine itself. Durations come from the transitions' own timestamps; an attempt's
last state (authenticated, failed, ...) has none, since the attempt ended when it was entered.
Rows are coloured by outcome (named colours of :mod:`..theme`), and the texts come from tables keyed by
the machine's enums, so a language or colour-scheme switch re-renders every row.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QBrush, QFont, QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from ...flow.machine import TERMINAL_STATES, Event, State, Transition
from .. import theme
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


def event_text(event: Event) -> str:
    """A machine event in words, in the current language (the timeline's Event column)."""
    return {
        Event.START: QCoreApplication.translate("FlowEvent", "start"),
        Event.INITIATED: QCoreApplication.translate("FlowEvent", "initiated"),
        Event.SCANNED: QCoreApplication.translate("FlowEvent", "scanned"),
        Event.CONFIRM: QCoreApplication.translate("FlowEvent", "confirm"),
        Event.REGISTER: QCoreApplication.translate("FlowEvent", "register"),
        Event.REGISTERED: QCoreApplication.translate("FlowEvent", "registered"),
        Event.REGISTER_REJECTED: QCoreApplication.translate("FlowEvent", "registration refused"),
        Event.REGISTRATION_REQUIRED: QCoreApplication.translate("FlowEvent", "registration required"),
        Event.TOKEN: QCoreApplication.translate("FlowEvent", "token"),
        Event.EXPIRED: QCoreApplication.translate("FlowEvent", "expired"),
        Event.FAIL: QCoreApplication.translate("FlowEvent", "failure"),
        Event.CANCEL: QCoreApplication.translate("FlowEvent", "cancel"),
    }[event]


def reason_text(t: Transition) -> str:
    """Why this step happened, from the transition's facts (an error, the deadline, a refresh)."""
    detail = t.detail
    if "error" in detail:
        return str(detail["error"])
    if detail.get("reason") == "deadline":
        return QCoreApplication.translate("FlowEvent", "the QR's lifetime ran out")
    if detail.get("implied"):
        return QCoreApplication.translate("FlowEvent", "a token arrived, so the QR was scanned")
    if "refresh" in detail:
        return QCoreApplication.translate("FlowEvent", "automatic refresh {0} of {1}").format(
            detail["refresh"], detail["refreshes"])
    if detail.get("code") is not None:
        return QCoreApplication.translate("FlowEvent", "server code {0}").format(detail["code"])
    return ""


# The current row's background, by outcome: a live step is neutral, an ending says how it ended.
# Theme colour names: the text of an attempt's last step, and the tint of the current row.
OUTCOME_COLOR = {State.AUTHENTICATED: "ok", State.FAILED: "error", State.EXPIRED: "warning", State.CANCELLED: "muted"}
OUTCOME_TINT = {State.AUTHENTICATED: "ok_bg", State.FAILED: "error_bg", State.EXPIRED: "warning_bg",
                State.CANCELLED: "neutral_bg"}
LIVE_TINT = "live_bg"  # a step still in progress


MIN_COLUMN = 48  # px: a column narrower than this shows nothing but "…"
REASON_MIN = 56  # px the reason keeps when the other columns must give way (its tooltip has the rest)
CELL_PADDING = 16  # px of a cell's margins and the current row's bold beyond a text's own width


def _starts_attempt(t: Transition) -> bool:
    return t.source in (State.IDLE, *TERMINAL_STATES) and t.target is State.INITIATING


class TimelineView(Retranslating, QTableWidget):
    COLUMNS = 5  # step, event, entered at, duration, reason
    MAX_ATTEMPTS = 10  # older attempts scroll away: an operator looping logins must not slow the GUI

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, self.COLUMNS, parent)
        self.setObjectName("timeline")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setTabKeyNavigation(False)  # Tab leaves the table instead of walking its cells
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(22)  # compact rows: a log, not a form
        header = self.horizontalHeader()
        header.setMinimumSectionSize(MIN_COLUMN)
        header.setTextElideMode(Qt.TextElideMode.ElideRight)  # "Duratio…", not a clipped "uration (m"
        # The reason takes what is left; stretching keeps it at least as wide as it was before.
        header.resizeSection(self.COLUMNS - 1, REASON_MIN)
        header.setStretchLastSection(True)
        # Widths from sample texts, not ResizeToContents: that would measure every row again on each
        # new row, which made one transition cost milliseconds on the GUI thread. The samples are the
        # widest texts of each column (the step's and event's per language, in retranslate()); where
        # they do not all fit, the step and event columns give way (see _fit_columns).
        self._bold = QFont(self.font())
        self._bold.setBold(True)
        self._natural = [0, 0, 0, 0, REASON_MIN]  # each column's width for its widest text
        self._compact_duration = 0
        for column in range(self.COLUMNS - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # every column in view
        self._transitions: list[Transition] = []
        # Reasons the page can say better than the transition's own (English) facts: the error,
        # rendered in the current language (see explain()).
        self._explained: dict[Transition, Callable[[], str]] = {}
        self._dropped_attempts = 0
        # Transition.at is the driver's monotonic clock; this turns it into wall-clock time.
        self._wall_offset = time.time() - time.monotonic()
        # Scrolled to the newest row, the view stays there when it gets shorter (a banner showing below).
        self._following = True
        bar = self.verticalScrollBar()
        bar.valueChanged.connect(lambda value: setattr(self, "_following", value == bar.maximum()))
        bar.rangeChanged.connect(lambda _low, high: bar.setValue(high) if self._following else None)
        self.retranslate()
        theme.notifier().changed.connect(self._rebuild)

    def explain(self, transition: Transition, reason: Callable[[], str]) -> None:
        """Show ``reason()`` (run again on a language switch) as why ``transition`` happened."""
        self._explained[transition] = reason
        if self._transitions and self._transitions[-1] is transition:
            self._fill_row(self.rowCount() - 1, transition, None, current=True)  # the usual case: the last row
        else:
            self._rebuild()

    def clear_steps(self) -> None:
        self._explained.clear()
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
            for gone in self._transitions[:cut]:
                self._explained.pop(gone, None)
            del self._transitions[:cut]
            for _ in range(cut + dropped):  # those steps' rows and their attempts' separators
                self.removeRow(0)
            starts = [i - cut for i in starts if i >= cut]
        # The common case, a few times per login: patch the previous row and append one. A full
        # rebuild of up to ten attempts costs ~3 ms per transition on the GUI thread.
        if len(self._transitions) > 1 and self.rowCount():
            previous = self._transitions[-2]
            self._fill_row(self.rowCount() - 1, previous, _duration(previous, transition), current=False)
        if _starts_attempt(transition):
            self._separator(self.tr("Attempt {0}").format(self._dropped_attempts + len(starts)))
        row = self.rowCount()
        self.insertRow(row)
        self._fill_row(row, transition, None, current=True)
        self.scrollToBottom()

    def _fill_row(self, row: int, t: Transition, duration: float | None, *, current: bool) -> None:
        entered = time.strftime("%H:%M:%S", time.localtime(t.at + self._wall_offset))
        millis = int(((t.at + self._wall_offset) % 1) * 1000)
        ended = t.target in TERMINAL_STATES
        explained = self._explained.get(t)
        reason = explained() if explained is not None else reason_text(t)
        cells = [
            state_text(t.target),
            event_text(t.event),
            f"{entered}.{millis:03d}",
            "—" if ended else "…" if duration is None else f"{duration * 1000:.0f}",
            reason,
        ]
        colour_name = OUTCOME_COLOR.get(t.target)
        foreground = QBrush(theme.color(colour_name)) if colour_name else None
        background = QBrush(theme.color(OUTCOME_TINT.get(t.target, LIVE_TINT)))
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if column == 3:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            # The whole text and the reason, however narrow the column.
            item.setToolTip(text if column == 4 or not reason else f"{text}\n{reason}")
            if foreground is not None:
                item.setForeground(foreground)
            if current:
                item.setBackground(background)
                item.setFont(self._bold)
            self.setItem(row, column, item)

    def last_transition(self) -> Transition | None:
        return self._transitions[-1] if self._transitions else None

    def steps(self) -> list[tuple[State, float | None]]:
        """(state, duration in seconds) for each row; None for the current step and for an attempt's
        end (authenticated, failed, ...), which lasts no time. For tests and export."""
        out = []
        for i, t in enumerate(self._transitions):
            nxt = self._transitions[i + 1] if i + 1 < len(self._transitions) else None
            out.append((t.target, None if nxt is None else _duration(t, nxt)))
        return out

    def retranslate(self) -> None:
        self.setHorizontalHeaderLabels([self.tr("Step"), self.tr("Event"), self.tr("Entered at"),
                                        self.tr("Duration (ms)"), self.tr("Reason")])
        for column in range(self.COLUMNS):
            item = self.horizontalHeaderItem(column)
            item.setToolTip(item.text())  # a header narrowed by _fit_columns is elided
        # Each column's natural width fits its longest text in this language (bold: the current row).
        metrics = QFontMetrics(self._bold)
        header_metrics = self.horizontalHeader().fontMetrics()
        samples = (map(state_text, State), map(event_text, Event), ["00:00:00.000"], ["000000"])
        for column, texts in enumerate(samples):
            widest = max(map(metrics.horizontalAdvance, texts)) + CELL_PADDING
            header_text = self.horizontalHeaderItem(column).text()
            self._natural[column] = max(widest, header_metrics.horizontalAdvance(header_text) + CELL_PADDING)
            if column == 3:
                self._compact_duration = widest  # its numbers; the header ("Duration (ms)") elides
        self._fit_columns()
        self._rebuild()

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._fit_columns()
        return super().viewportEvent(event)

    def _fit_columns(self) -> None:
        """Every column inside the view: the natural widths where they fit. Else the duration narrows to
        its numbers, the entered time keeps its width and the reason REASON_MIN; of what is left, the
        step (what the row says) keeps as much of its width as it can and the event (mostly the same
        news in the machine's words) gives way first. Cut cells are elided, their text in the tooltip;
        no column is narrower than MIN_COLUMN."""
        header = self.horizontalHeader()
        step, event, entered, duration, _reason = self._natural
        available = self.viewport().width() - REASON_MIN
        if step + event + entered + duration > available:
            duration = self._compact_duration
        room = available - entered - duration
        if room < step + event:
            event = max(MIN_COLUMN, room - step)
            step = max(MIN_COLUMN, min(step, room - event))
        for column, width in enumerate((step, event, entered, duration)):
            header.resizeSection(column, width)

    def _rebuild(self, *_scheme: object) -> None:
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
        item.setBackground(QBrush(theme.color("header_row")))
        item.setForeground(QBrush(theme.color("muted")))
        self.setItem(row, 0, item)
        self.setSpan(row, 0, 1, self.COLUMNS)



def _duration(t: Transition, following: Transition) -> float | None:
    """How long the state ``t`` entered lasted: until the next transition, unless it ended its attempt
    (a failed attempt is over when it fails, not when the user retries a minute later)."""
    return None if t.target in TERMINAL_STATES else following.at - t.at
