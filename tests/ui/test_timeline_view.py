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
    separators = [view.item(r, 0).text() for r in range(view.rowCount()) if view.columnSpan(r, 0) == 4]
    assert len(separators) == TimelineView.MAX_ATTEMPTS
    assert separators[0] == "Attempt 4" and separators[-1] == f"Attempt {TimelineView.MAX_ATTEMPTS + 3}"
    assert view.rowCount() == TimelineView.MAX_ATTEMPTS * 4  # a separator and three steps each
