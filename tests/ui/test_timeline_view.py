"""The timeline keeps the last attempts only (a looping operator must not slow the GUI down)."""

from __future__ import annotations

from qrlogin_desktop.flow.machine import Event, QrLoginMachine
from qrlogin_desktop.ui.widgets.timeline_view import TimelineView


def test_old_attempts_scroll_away_and_numbering_continues(qtbot):
    view = TimelineView()
    qtbot.addWidget(view)
    machine = QrLoginMachine(0.0)
    machine.handle(Event.CANCEL, 0.0)
    at = 0.0
    for _ in range(TimelineView.MAX_ATTEMPTS + 3):
        for event in (Event.START, Event.INITIATED, Event.EXPIRED):
            at += 1.0
            machine.handle(event, at)
    for transition in machine.history:
        view.add(transition)
    separators = [view.item(r, 0).text() for r in range(view.rowCount()) if view.columnSpan(r, 0) == TimelineView.COLUMNS]
    assert len(separators) == TimelineView.MAX_ATTEMPTS
    assert separators[0] == "Attempt 4" and separators[-1] == f"Attempt {TimelineView.MAX_ATTEMPTS + 3}"
    assert view.rowCount() == TimelineView.MAX_ATTEMPTS * 4  # a separator and three steps each


def _cells(view: TimelineView) -> list[tuple[str, ...]]:
    return [tuple(view.item(r, c).text() if view.item(r, c) else "" for c in range(TimelineView.COLUMNS)) for r in range(view.rowCount())]


def test_rows_added_one_by_one_equal_a_full_rebuild(qtbot):
    view = TimelineView()
    qtbot.addWidget(view)
    machine = QrLoginMachine(0.0)
    script = [Event.START, Event.INITIATED, Event.SCANNED, Event.CONFIRM, Event.REGISTRATION_REQUIRED,
              Event.REGISTER, Event.REGISTERED, Event.TOKEN]
    script += [Event.START, Event.INITIATED, Event.EXPIRED] * (TimelineView.MAX_ATTEMPTS + 2)  # trims too
    for at, event in enumerate(script, start=1):
        machine.handle(event, at * 0.25)
        view.add(machine.history[-1])
        incremental = _cells(view)
        view._rebuild()
        assert _cells(view) == incremental
    assert incremental[-1][0] == "QR expired" and incremental[-1][3] == "—"  # an attempt's end lasts no time
    assert incremental[0][0] == f"Attempt {3 + 1}"  # the oldest three scrolled away, numbering kept
    assert incremental[-2][3] == "250"  # the previous step got its duration when the next arrived
