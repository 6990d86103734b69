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


def test_a_failed_row_is_coloured_by_outcome_ends_when_it_failed_and_says_why(qtbot):
    from qrlogin_desktop.flow.machine import State
    from qrlogin_desktop.ui import theme
    from qrlogin_desktop.ui.widgets.timeline_view import OUTCOME_TINT

    view = TimelineView()
    qtbot.addWidget(view)
    machine = QrLoginMachine(0.0)
    machine.handle(Event.START, 1.0)
    machine.handle(Event.FAIL, 1.5, error="Initiate answered code 500: injected server fault")
    for transition in machine.history:
        view.add(transition)
    failed_row = view.rowCount() - 1
    current = view.item(failed_row, 0)
    assert current.text() == "Failed"
    assert current.background().color() == theme.color(OUTCOME_TINT[State.FAILED])  # not the "live" green
    assert view.item(failed_row, 4).text() == "Initiate answered code 500: injected server fault"
    assert "injected server fault" in current.toolTip()
    machine.handle(Event.START, 51.0)  # the user retries fifty seconds later
    view.add(machine.history[-1])
    assert _cells(view)[failed_row][3] == "—"  # the failed attempt ended when it failed
    assert view.item(failed_row, 0).background().color() != theme.color(OUTCOME_TINT[State.AUTHENTICATED])
    assert [d for s, d in view.steps() if s is State.FAILED] == [None]
    assert _cells(view)[failed_row - 1][3] == "500"  # the step before it lasted until the failure


def test_event_names_come_from_a_table_keyed_by_the_machine_and_are_translated(qtbot):
    from qrlogin_desktop.ui import i18n
    from qrlogin_desktop.ui.widgets.timeline_view import event_text

    view = TimelineView()
    qtbot.addWidget(view)
    machine = QrLoginMachine(0.0)
    for at, event in enumerate((Event.START, Event.INITIATED, Event.SCANNED, Event.CONFIRM,
                                Event.REGISTRATION_REQUIRED), start=1):
        machine.handle(event, float(at))
        view.add(machine.history[-1])
    assert [c[1] for c in _cells(view)[1:]] == ["start", "initiated", "scanned", "confirm", "registration required"]
    assert all(event_text(e) for e in Event)  # every event of the machine has a name
    try:
        i18n.install(i18n.CHINESE)
        qtbot.waitUntil(lambda: _cells(view)[1][1] == "开始", timeout=5000)
        assert [c[1] for c in _cells(view)[1:]] == ["开始", "已发起", "已扫码", "确认", "需要注册"]
        assert view.horizontalHeaderItem(4).text() == "原因"
    finally:
        i18n.install(i18n.ENGLISH)
