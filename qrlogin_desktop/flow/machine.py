"""Sans-I/O state machine for one desktop QR-login session.

Design
======

This module follows the approach of h11's ``_state.py``: the legal moves of
the QR login flow live in *one* table, :data:`TRANSITIONS`, mapping
``(State, Event) -> State``.  The rule is **everything that affects
transitions lives here**: if a move is not in the table it is illegal, and no
other module gets to decide otherwise.  That keeps the flow auditable (the GUI
and the tests read the very same table) and stops legality checks from being
scattered over HTTP callbacks.

The machine does no I/O, knows nothing about asyncio or HTTP, and has no clock
of its own.  Callers translate what happened on the wire into an
:class:`Event` and pass the time it happened as ``at`` (seconds, from whatever
monotonic clock they use, e.g. ``time.monotonic()`` or ``loop.time()``).  So
the machine is deterministic and can be tested exhaustively without a server,
an event loop or sleeps.  For the same reason it never *decides* that a QR code
has expired: the caller observes a 410 (or its own deadline passing) and
reports :attr:`Event.EXPIRED`.

The two ways of driving the flow map onto the same table:

* **poll**: Initiate -> ``INITIATED``; Confirm-Login answers 408 (no event:
  still waiting), 202 (``SCANNED``, at every 202: the table's SCANNED->SCANNED
  self-loop takes the repeats), a token (``TOKEN``; ``SCANNED`` first when no
  202 came before it: a token proves the scan) or 410 (``EXPIRED``).
* **simulate** (the desktop plays the phone): Scan -> ``SCANNED``; then
  Confirm-Login as the phone (``CONFIRM``) or Confirm-Register (``REGISTER``,
  then ``REGISTERED``, or ``REGISTER_REJECTED`` back to SCANNED when the form
  was refused); a 202 from the phone's Confirm-Login means the server
  wants a registration first (``REGISTRATION_REQUIRED``); finally the
  desktop's Confirm-Login yields the token (``TOKEN``).

Diagram (main paths; the fan-in edges are listed below it)::

                    START
      IDLE -------------------> INITIATING
                                    |
                                    | INITIATED
                                    v
                             WAITING_FOR_SCAN
                                    |
                                    | SCANNED (poll: a 202, or implied by a token)
                                    v
             +-----------------> SCANNED <------------------+
             |                      |  /                     |
   REGISTRATION_REQUIRED    CONFIRM |  / REGISTER            | REGISTER_REJECTED
             |                      v    v                   |
             +------------------ CONFIRMING <-- REGISTERING --+
                                    |      REGISTERED
                                    | TOKEN
                                    v
                              AUTHENTICATED

      also: SCANNED --TOKEN--> AUTHENTICATED  (poll: the user decided on a real phone)
            SCANNED --SCANNED--> SCANNED  (a repeat: poll sees a 202 at every try)
            WAITING_FOR_SCAN, SCANNED, CONFIRMING, REGISTERING --EXPIRED--> EXPIRED
            every non-terminal state except IDLE --FAIL--> FAILED  (the phone user declining - the
                sandbox's explicit consent, 403 - is a FAIL with detail reason="declined")
            every non-terminal state, IDLE included --CANCEL--> CANCELLED
            every terminal state --START--> INITIATING  (a new attempt)

Terminal states (:data:`TERMINAL_STATES`) are AUTHENTICATED, EXPIRED, FAILED
and CANCELLED; the only way out of them is ``START``, which begins a new
*attempt* in the same machine so the history of earlier attempts (e.g. an
expired QR followed by an auto-refresh) stays visible.

A self-loop in the table is a *repeat*, as h11 models them (SEND_BODY --Data--> SEND_BODY): legal,
and it changes nothing - no :class:`Transition` is recorded, so the history and the timeline say
when the state was first entered. :func:`moves_from` lists the events that do move a state on.

Every other accepted event is recorded as a :class:`Transition`;
:meth:`QrLoginMachine.timeline` turns that history into the per-step
"entered at / took how long" view the GUI shows.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = [
    "Event",
    "IllegalTransition",
    "QrLoginMachine",
    "State",
    "TERMINAL_STATES",
    "TRANSITIONS",
    "TimelineStep",
    "Transition",
    "moves_from",
]


class State(enum.Enum):
    """Where one QR login attempt currently is."""

    IDLE = "idle"
    INITIATING = "initiating"
    WAITING_FOR_SCAN = "waiting_for_scan"
    SCANNED = "scanned"
    CONFIRMING = "confirming"
    REGISTERING = "registering"
    AUTHENTICATED = "authenticated"
    EXPIRED = "expired"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Event(enum.Enum):
    """Something the caller observed (or is about to do) that may move the flow."""

    START = "start"  # begin a new attempt (first QR, "new QR" button, auto-refresh)
    INITIATED = "initiated"  # Initiate returned a signInKey
    SCANNED = "scanned"  # simulate: Scan returned app info; poll: first 202 seen
    CONFIRM = "confirm"  # simulate: sending Confirm-Login as the phone
    REGISTER = "register"  # simulate: sending Confirm-Register
    REGISTERED = "registered"  # Confirm-Register succeeded; desktop still needs its token
    # Confirm-Register refused the form (400, or 409 "unionID already registered"): the session is
    # still scanned, so the user fixes the named field and registers again.
    REGISTER_REJECTED = "register_rejected"
    REGISTRATION_REQUIRED = "registration_required"  # phone's Confirm-Login answered 202
    TOKEN = "token"  # a token arrived
    EXPIRED = "expired"  # the signInKey expired (410 or caller's deadline)
    FAIL = "fail"  # transport/protocol error, unexpected answer
    CANCEL = "cancel"  # user (or app shutdown) abandoned the attempt


# Terminal: nothing more happens in this attempt; only START leaves these.
TERMINAL_STATES: frozenset[State] = frozenset(
    {State.AUTHENTICATED, State.EXPIRED, State.FAILED, State.CANCELLED}
)

# THE transition table.  Everything that affects transitions lives here.
# Written out literally, grouped by source state, so a reader (or a reviewer of
# a diff) sees every legal move without evaluating any code.
_TABLE: dict[tuple[State, Event], State] = {
    # Nothing has been sent yet.  FAIL is deliberately absent: nothing was
    # attempted, so nothing can have failed.  CANCEL is allowed so closing the
    # window is always a legal thing to report on a live machine.
    (State.IDLE, Event.START): State.INITIATING,
    (State.IDLE, Event.CANCEL): State.CANCELLED,
    # Initiate is in flight.  No EXPIRED: there is no signInKey yet that could
    # expire; a timeout of the Initiate call itself is a FAIL.
    (State.INITIATING, Event.INITIATED): State.WAITING_FOR_SCAN,
    (State.INITIATING, Event.FAIL): State.FAILED,
    (State.INITIATING, Event.CANCEL): State.CANCELLED,
    # QR is on screen.  No TOKEN straight from here: a token proves a scan, so
    # a poll that jumps from 408 to a token (the sandbox treats the scan itself
    # as consent) reports SCANNED first, as WeChat's own page shows it.
    (State.WAITING_FOR_SCAN, Event.SCANNED): State.SCANNED,
    (State.WAITING_FOR_SCAN, Event.EXPIRED): State.EXPIRED,
    (State.WAITING_FOR_SCAN, Event.FAIL): State.FAILED,
    (State.WAITING_FOR_SCAN, Event.CANCEL): State.CANCELLED,
    # Scanned; the phone user decides.  TOKEN is legal here because in poll
    # mode the decision is made on a real phone and the desktop never sends
    # CONFIRM itself.
    (State.SCANNED, Event.SCANNED): State.SCANNED,  # repeat: every 202 while the phone user decides
    (State.SCANNED, Event.CONFIRM): State.CONFIRMING,
    (State.SCANNED, Event.REGISTER): State.REGISTERING,
    (State.SCANNED, Event.TOKEN): State.AUTHENTICATED,
    (State.SCANNED, Event.EXPIRED): State.EXPIRED,
    (State.SCANNED, Event.FAIL): State.FAILED,
    (State.SCANNED, Event.CANCEL): State.CANCELLED,
    # Confirm-Login sent (or registration done); the desktop collects its
    # token.  A 202 here means "register first": back to SCANNED, where the
    # phone side can choose REGISTER.
    (State.CONFIRMING, Event.TOKEN): State.AUTHENTICATED,
    (State.CONFIRMING, Event.REGISTRATION_REQUIRED): State.SCANNED,
    (State.CONFIRMING, Event.EXPIRED): State.EXPIRED,
    (State.CONFIRMING, Event.FAIL): State.FAILED,
    (State.CONFIRMING, Event.CANCEL): State.CANCELLED,
    # Confirm-Register in flight.  Success does not yield a token by itself:
    # the desktop still has to collect it via Confirm-Login, hence CONFIRMING.
    (State.REGISTERING, Event.REGISTERED): State.CONFIRMING,
    (State.REGISTERING, Event.REGISTER_REJECTED): State.SCANNED,  # fix the form, register again
    (State.REGISTERING, Event.EXPIRED): State.EXPIRED,
    (State.REGISTERING, Event.FAIL): State.FAILED,
    (State.REGISTERING, Event.CANCEL): State.CANCELLED,
    # Terminal states: only a new attempt leaves them.  START is not allowed
    # from a live state on purpose: the caller must end the running attempt
    # (usually CANCEL) so the history records *why* it ended.
    (State.AUTHENTICATED, Event.START): State.INITIATING,
    (State.EXPIRED, Event.START): State.INITIATING,
    (State.FAILED, Event.START): State.INITIATING,
    (State.CANCELLED, Event.START): State.INITIATING,
}

#: Read-only view of the transition table, for tests and the GUI.
TRANSITIONS: Mapping[tuple[State, Event], State] = MappingProxyType(_TABLE)

# Derived from the table (never written by hand) so it cannot disagree with it.
# Ordered by Event declaration order so error messages are stable.
_ALLOWED: Mapping[State, tuple[Event, ...]] = MappingProxyType(
    {state: tuple(ev for ev in Event if (state, ev) in _TABLE) for state in State}
)




def moves_from(state: State) -> frozenset[Event]:
    """The events that take ``state`` somewhere else (its repeats left out): what a user can do."""
    return frozenset(ev for ev in _ALLOWED[state] if _TABLE[(state, ev)] is not state)


class IllegalTransition(Exception):
    """An event was reported that the table does not allow in the current state."""

    def __init__(self, state: State, event: Event, allowed: frozenset[Event] | tuple[Event, ...]) -> None:
        self.state = state
        self.event = event
        self.allowed = frozenset(allowed)
        names = ", ".join(ev.name for ev in Event if ev in self.allowed) or "nothing"
        super().__init__(f"event {event.name} is not allowed in state {state.name}; allowed: {names}")


@dataclass(frozen=True)
class Transition:
    """One accepted event, as recorded in :attr:`QrLoginMachine.history`."""

    at: float
    source: State
    event: Event
    target: State
    # Free-form facts for display/debugging (signInKey, http code, error text).
    # hash=False: a mapping is unhashable, but Transition should stay hashable.
    detail: Mapping[str, object] = field(hash=False)
    # Which START this belongs to (1-based); 0 for moves before the first START
    # (only IDLE --CANCEL--> CANCELLED can happen then).
    attempt: int


@dataclass(frozen=True)
class TimelineStep:
    """One state as the GUI shows it: when it was entered and how long it lasted."""

    state: State
    entered_at: float
    # Time until the next transition; None while this is the current state.
    duration: float | None
    # The event that entered this state; None for the initial IDLE.
    event: Event | None


_NO_DETAIL: Mapping[str, object] = MappingProxyType({})


class QrLoginMachine:
    """State of one QR login session (possibly spanning several attempts).

    Feed it events with :meth:`handle`; it validates them against
    :data:`TRANSITIONS`, records them, and never performs I/O.
    """

    def __init__(self, at: float) -> None:
        _check_time(at)
        self._created_at = float(at)
        self._state = State.IDLE
        self._entered_at = self._created_at
        self._attempt = 0
        self._history: list[Transition] = []

    def __repr__(self) -> str:
        return (
            f"<QrLoginMachine state={self._state.name} attempt={self._attempt} entered_at={self._entered_at}>"
        )

    # -- read-only views ---------------------------------------------------

    @property
    def state(self) -> State:
        return self._state

    @property
    def attempt(self) -> int:
        """Number of STARTs handled so far (0 before the first one)."""
        return self._attempt

    @property
    def created_at(self) -> float:
        return self._created_at

    @property
    def entered_at(self) -> float:
        """Time the current state was entered (creation time while still IDLE)."""
        return self._entered_at

    @property
    def is_terminal(self) -> bool:
        return self._state in TERMINAL_STATES

    @property
    def last_transition(self) -> Transition | None:
        return self._history[-1] if self._history else None

    @property
    def history(self) -> tuple[Transition, ...]:
        # A tuple copy: callers must not be able to rewrite the record.
        return tuple(self._history)

    def allowed_events(self) -> frozenset[Event]:
        return frozenset(_ALLOWED[self._state])

    def can_handle(self, event: Event) -> bool:
        return (self._state, event) in _TABLE

    # -- the one mutator ---------------------------------------------------

    def handle(self, event: Event, at: float, **detail: object) -> State:
        """Apply ``event`` observed at time ``at``; return the new state.

        Raises :class:`IllegalTransition` if the table has no entry for
        (current state, event), and :class:`ValueError` if ``at`` is not a
        finite number or is earlier than the current state's entry time.  In
        both cases the machine is left exactly as it was.
        """
        if not isinstance(event, Event):
            raise TypeError(f"event must be an Event, not {type(event).__name__}")
        target = _TABLE.get((self._state, event))
        if target is None:
            raise IllegalTransition(self._state, event, _ALLOWED[self._state])
        _check_time(at)
        # Time must not run backwards: durations in the timeline would turn
        # negative and the GUI's latencies would be nonsense.  Equal times are
        # fine (two events observed within one clock tick).
        if at < self._entered_at:
            raise ValueError(
                f"time went backwards: at={at!r} is earlier than the last transition at {self._entered_at!r}"
            )

        if target is self._state:
            return target  # a repeat: legal, and nothing changes (not even the entry time)
        # All checks passed; only now mutate, so a failed call changes nothing.
        attempt = self._attempt + 1 if event is Event.START else self._attempt
        self._history.append(
            Transition(
                at=float(at),
                source=self._state,
                event=event,
                target=target,
                detail=MappingProxyType(dict(detail)) if detail else _NO_DETAIL,
                attempt=attempt,
            )
        )
        self._attempt = attempt
        self._state = target
        self._entered_at = float(at)
        return target

    # -- derived views -----------------------------------------------------

    def timeline(self, attempt: int | None = None) -> list[TimelineStep]:
        """Steps of one attempt (default: the current one), oldest first.

        Attempt ``n >= 1`` starts with the INITIATING step entered by its
        START; attempt 0 is the initial IDLE step (plus CANCELLED if the
        machine was cancelled before ever starting).  Each step's duration
        runs until the next transition in the whole history, so the last step
        of a finished attempt lasts until the START of the following one, and
        the current state's duration is None.
        """
        if attempt is None:
            attempt = self._attempt
        if not 0 <= attempt <= self._attempt:
            raise ValueError(f"attempt must be between 0 and {self._attempt}, got {attempt!r}")
        # (state, entered_at, entering event, attempt) for every state ever
        # entered, starting with the IDLE the machine was created in.
        entries: list[tuple[State, float, Event | None, int]] = [(State.IDLE, self._created_at, None, 0)]
        entries.extend((t.target, t.at, t.event, t.attempt) for t in self._history)
        steps: list[TimelineStep] = []
        for i, (state, entered_at, event, entry_attempt) in enumerate(entries):
            if entry_attempt != attempt:
                continue
            duration = entries[i + 1][1] - entered_at if i + 1 < len(entries) else None
            steps.append(TimelineStep(state=state, entered_at=entered_at, duration=duration, event=event))
        return steps


def _check_time(at: float) -> None:
    # NaN would silently defeat the "non-decreasing" check (every comparison
    # with NaN is False), and inf would poison every later duration.
    if isinstance(at, bool) or not isinstance(at, (int, float)) or not math.isfinite(at):
        raise ValueError(f"at must be a finite number of seconds, got {at!r}")
