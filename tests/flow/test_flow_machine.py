"""Tests for qrlogin_desktop.flow.machine (the sans-I/O QR login state machine).

The expected transition table below is written independently of the module,
straight from the flow description (grouped by *event*, whereas the module
lists its table by *source state*), so a typo in either one shows up as a
disagreement instead of being read back and trusted.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qrlogin_desktop.flow.machine import (
    TERMINAL_STATES,
    TRANSITIONS,
    Event,
    IllegalTransition,
    QrLoginMachine,
    State,
    TimelineStep,
    Transition,
    moves_from,
)

S, E = State, Event

TERMINAL = frozenset({S.AUTHENTICATED, S.EXPIRED, S.FAILED, S.CANCELLED})
NON_TERMINAL = frozenset(State) - TERMINAL


def _build_expected() -> dict[tuple[State, Event], State]:
    table: dict[tuple[State, Event], State] = {}

    def add(sources: Iterable[State], event: Event, target: State) -> None:
        for source in sources:
            assert (source, event) not in table, f"duplicate expectation {source}/{event}"
            table[(source, event)] = target

    add({S.IDLE} | TERMINAL, E.START, S.INITIATING)
    add({S.INITIATING}, E.INITIATED, S.WAITING_FOR_SCAN)
    add({S.WAITING_FOR_SCAN}, E.SCANNED, S.SCANNED)
    add({S.SCANNED}, E.SCANNED, S.SCANNED)  # a repeat: poll sees a 202 at every try
    add({S.SCANNED}, E.CONFIRM, S.CONFIRMING)
    add({S.SCANNED}, E.REGISTER, S.REGISTERING)
    add({S.REGISTERING}, E.REGISTERED, S.CONFIRMING)
    add({S.REGISTERING}, E.REGISTER_REJECTED, S.SCANNED)
    add({S.CONFIRMING}, E.REGISTRATION_REQUIRED, S.SCANNED)
    add({S.SCANNED, S.CONFIRMING}, E.TOKEN, S.AUTHENTICATED)
    add({S.WAITING_FOR_SCAN, S.SCANNED, S.CONFIRMING, S.REGISTERING}, E.EXPIRED, S.EXPIRED)
    add(NON_TERMINAL - {S.IDLE}, E.FAIL, S.FAILED)
    add(NON_TERMINAL, E.CANCEL, S.CANCELLED)
    return table


EXPECTED = _build_expected()
ALL_PAIRS = [(state, event) for state in State for event in Event]


def find_path(target: State, source: State = S.IDLE) -> list[Event]:
    """Shortest event sequence from ``source`` to ``target`` over EXPECTED (BFS)."""
    previous: dict[State, tuple[State, Event] | None] = {source: None}
    queue = deque([source])
    while queue:
        state = queue.popleft()
        if state is target:
            path: list[Event] = []
            while (step := previous[state]) is not None:
                state, event = step
                path.append(event)
            return path[::-1]
        for event in Event:  # declaration order keeps paths deterministic
            nxt = EXPECTED.get((state, event))
            if nxt is not None and nxt not in previous:
                previous[nxt] = (state, event)
                queue.append(nxt)
    raise AssertionError(f"{target} is unreachable from {source}")


def drive(target: State, machine: QrLoginMachine | None = None, step: float = 1.0) -> QrLoginMachine:
    """Put a machine into ``target`` along a legal path, one ``step`` per event."""
    m = machine if machine is not None else QrLoginMachine(at=0.0)
    for event in find_path(target, m.state):
        m.handle(event, m.entered_at + step)
    assert m.state is target
    return m


def snapshot(m: QrLoginMachine) -> tuple[object, ...]:
    return (
        m.state,
        m.attempt,
        m.history,
        m.entered_at,
        m.is_terminal,
        m.allowed_events(),
        [m.timeline(k) for k in range(m.attempt + 1)],
    )


# --------------------------------------------------------------------------
# The table itself


def test_table_matches_independent_expectation() -> None:
    assert dict(TRANSITIONS) == EXPECTED
    assert len(TRANSITIONS) == 30  # 29 moves and one repeat (SCANNED --SCANNED--> SCANNED)


def test_terminal_states() -> None:
    assert TERMINAL_STATES == TERMINAL
    for state in TERMINAL_STATES:
        # Terminal means: the only way out is a new attempt.
        assert {e for (s, e) in TRANSITIONS if s is state} == {E.START}


def test_table_is_read_only() -> None:
    with pytest.raises(TypeError):
        TRANSITIONS[(S.IDLE, E.TOKEN)] = S.AUTHENTICATED  # type: ignore[index]
    assert (S.IDLE, E.TOKEN) not in TRANSITIONS


@pytest.mark.parametrize("state", list(State), ids=lambda s: s.name)
def test_every_state_is_reachable_and_can_finish(state: State) -> None:
    m = drive(state)
    assert m.state is state
    # No dead ends: from anywhere the user can get to CANCELLED (directly or
    # via a new attempt); find_path raises if not.
    find_path(S.CANCELLED, state)


# --------------------------------------------------------------------------
# Every cell of State x Event


@pytest.mark.parametrize(("state", "event"), ALL_PAIRS, ids=[f"{s.name}-{e.name}" for s, e in ALL_PAIRS])
def test_every_cell(state: State, event: Event) -> None:
    m = drive(state)
    at = m.entered_at + 0.25
    before_history = m.history
    before_attempt = m.attempt
    assert m.can_handle(event) is ((state, event) in EXPECTED)
    assert (event in m.allowed_events()) is ((state, event) in EXPECTED)

    if EXPECTED.get((state, event)) is state:  # a repeat: legal, and nothing changes
        before_entered = m.entered_at
        assert m.handle(event, at, note="cell") is state
        assert (m.state, m.entered_at, m.attempt, m.history) == (state, before_entered, before_attempt, before_history)
        assert event not in moves_from(state)
    elif (state, event) in EXPECTED:
        target = EXPECTED[(state, event)]
        assert event in moves_from(state)
        assert m.handle(event, at, note="cell") is target
        assert m.state is target
        assert m.entered_at == at
        assert m.is_terminal is (target in TERMINAL)
        expected_attempt = before_attempt + (1 if event is E.START else 0)
        assert m.attempt == expected_attempt
        assert m.history[:-1] == before_history
        assert m.history[-1] == Transition(
            at=at, source=state, event=event, target=target, detail={"note": "cell"}, attempt=expected_attempt
        )
    else:
        before = snapshot(m)
        with pytest.raises(IllegalTransition) as info:
            m.handle(event, at, note="cell")
        assert info.value.state is state
        assert info.value.event is event
        assert f"event {event.name} is not allowed in state {state.name}" in str(info.value)
        assert snapshot(m) == before


LEGAL_LATER = sorted(
    ((s, e) for (s, e) in EXPECTED if s is not S.IDLE), key=lambda p: (list(State).index(p[0]), p[1].value)
)


@pytest.mark.parametrize(("state", "event"), LEGAL_LATER, ids=[f"{s.name}-{e.name}" for s, e in LEGAL_LATER])
def test_legal_cells_in_a_later_attempt(state: State, event: Event) -> None:
    # Same cell, but after a whole expired attempt: the table must not care.
    m = drive(S.EXPIRED)
    m.handle(E.START, m.entered_at + 1.0)
    drive(state, m)
    assert m.attempt == 2
    target = m.handle(event, m.entered_at)
    assert target is EXPECTED[(state, event)]
    assert m.history[-1].attempt == (3 if event is E.START else 2)


# --------------------------------------------------------------------------
# Scripted scenarios


def test_error_message_lists_allowed_events() -> None:
    m = drive(S.AUTHENTICATED)
    with pytest.raises(IllegalTransition) as info:
        m.handle(E.SCANNED, m.entered_at)
    assert str(info.value) == "event SCANNED is not allowed in state AUTHENTICATED; allowed: START"
    assert info.value.allowed == frozenset({E.START})


def test_error_message_lists_several_allowed_events_in_declaration_order() -> None:
    m = QrLoginMachine(at=0.0)
    with pytest.raises(IllegalTransition) as info:
        m.handle(E.TOKEN, 1.0)
    assert str(info.value) == "event TOKEN is not allowed in state IDLE; allowed: START, CANCEL"


def test_happy_path_timeline() -> None:
    m = QrLoginMachine(at=0.0)
    m.handle(E.START, 0.0)
    m.handle(E.INITIATED, 0.05, signInKey="k-123")
    m.handle(E.SCANNED, 2.0, appName="demo")
    m.handle(E.CONFIRM, 2.1)
    assert m.handle(E.TOKEN, 2.3, token="t") is S.AUTHENTICATED

    steps = m.timeline()
    assert [s.state for s in steps] == [
        S.INITIATING,
        S.WAITING_FOR_SCAN,
        S.SCANNED,
        S.CONFIRMING,
        S.AUTHENTICATED,
    ]
    assert [s.event for s in steps] == [E.START, E.INITIATED, E.SCANNED, E.CONFIRM, E.TOKEN]
    assert [s.entered_at for s in steps] == [0.0, 0.05, 2.0, 2.1, 2.3]
    durations = [s.duration for s in steps]
    assert durations[:-1] == pytest.approx([0.05, 1.95, 0.1, 0.2])
    assert durations[-1] is None
    assert m.timeline(1) == steps
    assert m.timeline(0) == [TimelineStep(state=S.IDLE, entered_at=0.0, duration=0.0, event=None)]
    assert m.history[1].detail == {"signInKey": "k-123"}
    assert m.entered_at == 2.3
    assert m.is_terminal


def test_simulate_registration_path() -> None:
    m = QrLoginMachine(at=10.0)
    for at, event, expected in [
        (10.0, E.START, S.INITIATING),
        (10.1, E.INITIATED, S.WAITING_FOR_SCAN),
        (11.0, E.SCANNED, S.SCANNED),
        (11.5, E.CONFIRM, S.CONFIRMING),
        (11.6, E.REGISTRATION_REQUIRED, S.SCANNED),
        (12.0, E.REGISTER, S.REGISTERING),
        (12.4, E.REGISTERED, S.CONFIRMING),
        (12.5, E.TOKEN, S.AUTHENTICATED),
    ]:
        assert m.handle(event, at) is expected
    assert [t.source for t in m.history][1:] == [t.target for t in m.history][:-1]
    assert sum(s.duration or 0.0 for s in m.timeline()) == pytest.approx(2.5)


def test_poll_mode_202_recorded_once_and_a_token_needs_a_scan_first() -> None:
    m = drive(S.WAITING_FOR_SCAN)
    m.handle(E.SCANNED, m.entered_at, http=202)
    scanned_at, history = m.entered_at, m.history
    # Every further 202 is the table's self-loop: legal, and it records nothing.
    for i in range(3):
        assert m.can_handle(E.SCANNED)
        assert m.handle(E.SCANNED, scanned_at + i, http=202) is S.SCANNED
    assert m.history == history and m.entered_at == scanned_at and m.last_transition is history[-1]
    assert E.SCANNED in m.allowed_events() and E.SCANNED not in moves_from(S.SCANNED)
    m.handle(E.TOKEN, m.entered_at + 1, http=200)
    assert m.state is S.AUTHENTICATED

    # A token proves a scan: the driver reports SCANNED first, so the table has no shortcut.
    m2 = drive(S.WAITING_FOR_SCAN)
    with pytest.raises(IllegalTransition):
        m2.handle(E.TOKEN, m2.entered_at + 3)


def test_a_refused_registration_goes_back_to_scanned_and_may_register_again() -> None:
    m = drive(S.REGISTERING)
    assert m.handle(E.REGISTER_REJECTED, m.entered_at + 1, error="409") is S.SCANNED
    assert E.REGISTER in moves_from(S.SCANNED)
    assert m.handle(E.REGISTER, m.entered_at + 1) is S.REGISTERING


def test_expiry_then_auto_refresh_starts_a_new_attempt() -> None:
    m = QrLoginMachine(at=0.0)
    m.handle(E.START, 1.0)
    m.handle(E.INITIATED, 1.5, signInKey="old")
    m.handle(E.EXPIRED, 61.5, http=410)
    assert m.is_terminal and m.attempt == 1
    m.handle(E.START, 62.0, reason="auto-refresh")
    m.handle(E.INITIATED, 62.5, signInKey="new")
    assert m.attempt == 2
    assert [t.attempt for t in m.history] == [1, 1, 1, 2, 2]

    first = m.timeline(1)
    assert [s.state for s in first] == [S.INITIATING, S.WAITING_FOR_SCAN, S.EXPIRED]
    # The EXPIRED step lasted until the refresh's START.
    assert [s.duration for s in first] == pytest.approx([0.5, 60.0, 0.5])
    second = m.timeline()
    assert [s.state for s in second] == [S.INITIATING, S.WAITING_FOR_SCAN]
    assert [s.duration for s in second] == [0.5, None]
    assert m.timeline(0) == [TimelineStep(state=S.IDLE, entered_at=0.0, duration=1.0, event=None)]


def test_cancel_before_start_belongs_to_attempt_zero() -> None:
    m = QrLoginMachine(at=5.0)
    m.handle(E.CANCEL, 6.0)
    assert m.attempt == 0 and m.history[0].attempt == 0
    assert [s.state for s in m.timeline()] == [S.IDLE, S.CANCELLED]
    m.handle(E.START, 7.0)
    assert [(s.state, s.duration) for s in m.timeline(0)] == [(S.IDLE, 1.0), (S.CANCELLED, 1.0)]


def test_timeline_rejects_unknown_attempt() -> None:
    m = drive(S.SCANNED)
    for bad in (-1, 2):
        with pytest.raises(ValueError):
            m.timeline(bad)


# --------------------------------------------------------------------------
# Time handling


def test_time_going_backwards_raises_and_changes_nothing() -> None:
    m = QrLoginMachine(at=0.0)
    m.handle(E.START, 1.0)
    m.handle(E.INITIATED, 2.0)
    before = snapshot(m)
    with pytest.raises(ValueError, match="backwards"):
        m.handle(E.SCANNED, 1.999)
    assert snapshot(m) == before
    # Equal times are fine.
    assert m.handle(E.SCANNED, 2.0) is S.SCANNED


def test_time_before_creation_raises() -> None:
    m = QrLoginMachine(at=100.0)
    with pytest.raises(ValueError):
        m.handle(E.START, 99.0)
    assert m.state is S.IDLE and m.history == ()


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, "1.0", None, True])
def test_non_finite_or_non_numeric_times_are_rejected(bad: object) -> None:
    with pytest.raises(ValueError):
        QrLoginMachine(at=bad)  # type: ignore[arg-type]
    m = QrLoginMachine(at=0.0)
    with pytest.raises(ValueError):
        m.handle(E.START, bad)  # type: ignore[arg-type]
    assert m.state is S.IDLE and m.history == ()


def test_non_event_is_a_type_error() -> None:
    m = QrLoginMachine(at=0.0)
    with pytest.raises(TypeError):
        m.handle("START", 1.0)  # type: ignore[arg-type]
    assert m.history == ()


# --------------------------------------------------------------------------
# Records are immutable


def test_history_and_detail_are_immutable() -> None:
    m = QrLoginMachine(at=0.0)
    m.handle(E.START, 0.0)
    m.handle(E.INITIATED, 1.0, signInKey="abc", http=200)
    history = m.history
    assert isinstance(history, tuple)
    t = history[-1]
    assert t.detail == {"signInKey": "abc", "http": 200}
    with pytest.raises(TypeError):
        t.detail["signInKey"] = "evil"  # type: ignore[index]
    with pytest.raises(AttributeError):
        t.target = S.FAILED  # type: ignore[misc]
    assert hash(t) == hash(m.history[-1])  # hashable despite the mapping field
    assert m.history[0].detail == {}


# --------------------------------------------------------------------------
# Property-based: random event sequences


def check_invariants(m: QrLoginMachine, created_at: float, starts: int) -> None:
    assert isinstance(m.state, State)
    history = m.history

    # History chains from IDLE, follows the expected table, ends in the state.
    previous = S.IDLE
    for t in history:
        assert t.source is previous
        assert EXPECTED[(t.source, t.event)] is t.target
        # Terminal states are left only by START.
        if t.source in TERMINAL:
            assert t.event is E.START
        previous = t.target
    assert m.state is previous
    assert m.is_terminal is (m.state in TERMINAL)

    # Times never decrease, starting from the creation time.
    times = [created_at] + [t.at for t in history]
    assert all(a <= b for a, b in pairwise(times))
    assert m.entered_at == times[-1]

    # attempt counts STARTs, and every transition carries its attempt number.
    assert m.attempt == starts == sum(t.event is E.START for t in history)
    seen = 0
    for t in history:
        seen += t.event is E.START
        assert t.attempt == seen

    # allowed_events() and can_handle() agree with each other and the table.
    allowed = m.allowed_events()
    for event in Event:
        assert m.can_handle(event) is (event in allowed) is ((m.state, event) in EXPECTED)

    # Timeline, per attempt.
    assert m.timeline() == m.timeline(m.attempt)
    attempt_start = {0: created_at}
    attempt_start.update({t.attempt: t.at for t in history if t.event is E.START})
    for k in range(m.attempt + 1):
        steps = m.timeline(k)
        own = [t for t in history if t.attempt == k]
        expected_states = ([S.IDLE] if k == 0 else []) + [t.target for t in own]
        assert [s.state for s in steps] == expected_states
        assert steps[0].entered_at == attempt_start[k]
        assert all(s.duration is not None and s.duration >= 0 for s in steps[:-1])
        last_time = own[-1].at if own else attempt_start[k]
        # Up to the attempt's last transition: sum == last - first.
        inner = sum(s.duration for s in steps[:-1])  # type: ignore[misc]
        assert inner == pytest.approx(last_time - attempt_start[k], rel=1e-9, abs=1e-9)
        if k == m.attempt:
            assert steps[-1].duration is None
        else:
            # A finished attempt's last step lasts until the next START.
            assert steps[-1].duration == pytest.approx(attempt_start[k + 1] - last_time, rel=1e-9, abs=1e-9)
            total = sum(s.duration for s in steps)  # type: ignore[misc]
            assert total == pytest.approx(attempt_start[k + 1] - attempt_start[k], rel=1e-9, abs=1e-9)


deltas = st.floats(min_value=0.0, max_value=1e3, allow_nan=False, allow_infinity=False)
origins = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=300)
@given(origin=origins, steps=st.lists(st.tuples(st.sampled_from(list(Event)), deltas), max_size=60))
def test_random_event_sequences_keep_invariants(origin: float, steps: list[tuple[Event, float]]) -> None:
    m = QrLoginMachine(at=origin)
    now, starts = origin, 0
    check_invariants(m, origin, starts)
    for event, delta in steps:
        now += delta
        if m.can_handle(event):
            before_attempt = m.attempt
            assert m.handle(event, now) is m.state
            starts += event is E.START
            assert m.attempt == before_attempt + (event is E.START)
        else:
            before = snapshot(m)
            with pytest.raises(IllegalTransition) as info:
                m.handle(event, now)
            assert (info.value.state, info.value.event) == (m.state, event)
            assert snapshot(m) == before
        check_invariants(m, origin, starts)


@settings(max_examples=300)
@given(origin=origins, data=st.data())
def test_random_legal_walks_keep_invariants(origin: float, data: st.DataObject) -> None:
    # Uniform random events are mostly illegal; this walk picks legal ones
    # (with an occasional illegal probe) so long multi-attempt histories occur.
    m = QrLoginMachine(at=origin)
    now, starts = origin, 0
    for _ in range(data.draw(st.integers(min_value=0, max_value=80), label="length")):
        legal = sorted(m.allowed_events(), key=lambda e: e.value)
        event = data.draw(st.sampled_from(legal) | st.sampled_from(list(Event)), label="event")
        now += data.draw(deltas, label="delta")
        try:
            m.handle(event, now)
        except IllegalTransition:
            assert event not in legal
        else:
            starts += event is E.START
        check_invariants(m, origin, starts)


@given(
    steps=st.lists(st.sampled_from(list(Event)), max_size=30), back=st.floats(min_value=1e-6, max_value=10)
)
def test_backwards_time_always_rejected(steps: list[Event], back: float) -> None:
    m = QrLoginMachine(at=0.0)
    for i, event in enumerate(steps):
        if m.can_handle(event):
            m.handle(event, float(i))
    event = sorted(m.allowed_events(), key=lambda e: e.value)[0]
    before = snapshot(m)
    with pytest.raises(ValueError):
        m.handle(event, m.entered_at - back)
    assert snapshot(m) == before
