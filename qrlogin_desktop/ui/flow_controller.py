"""The QR login flow for the GUI: one FlowDriver at a time on the worker loop, results as Qt signals.

The driver and its listeners run on the context's asyncio thread. Every public signal of
:class:`FlowController` is emitted on the GUI thread: worker-side events go through private
signals connected with ``QueuedConnection`` to slots of this object (which lives on the GUI
thread), so widgets connected to the public signals never run on the worker thread.

The GUI keeps its own copy of the flow (state, signInKey, deadline), updated from the
transitions it is sent, and never reads the driver's attributes, which the worker thread writes.

A driver that is cancelled stays cancelled (``FlowDriver.cancel`` is final), so a new QR while an
attempt is still live means a new driver; a new QR after a terminal state reuses the driver, which
keeps the earlier attempts in its machine's history. Drivers, QR payloads and the token's storage
all come from the active :class:`~qrlogin_desktop.flow.session.Connection`, as on the command line.
"""

from __future__ import annotations

import asyncio
import enum
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal

from ..api.errors import QrLoginError
from ..api.models import QRCodePreSignInRequest, TokenModel
from ..flow.driver import FlowCancelled, FlowDriver, RegistrationRejected
from ..flow.machine import TERMINAL_STATES, Event, State, Transition, moves_from
from ..flow.qr import qr_matrix
from .runner import Outcome

if TYPE_CHECKING:  # the keystore (and keyring) load when a token is first stored, not at start-up
    from ..storage.token_records import SavedToken


class Mode(str, enum.Enum):
    POLL = "poll"  # a real phone scans; the desktop polls Confirm-Login
    SIMULATE = "simulate"  # the desktop plays the phone too (Scan / Confirm / Register buttons)


class NotConnected(Exception):
    """No active connection yet (still connecting, or the profile failed to connect)."""


@dataclass(frozen=True)
class FlowView:
    """What the GUI knows of the current driver's flow, from the transitions it was sent."""

    state: State = State.IDLE
    sign_in_key: int | None = None
    deadline: float | None = None  # on the driver's clock, from the transition into WAITING_FOR_SCAN
    attempt: int = 0  # the machine's attempt (STARTs so far)

    def after(self, t: Transition, extra: Any) -> FlowView:
        """The view once ``t`` happened; ``extra`` is what :func:`_extra` read with it."""
        if t.event is Event.START:
            # The old key is dead: a failed Initiate must not leave it on screen as if it were live.
            return FlowView(t.target, None, None, t.attempt)
        if t.target is State.WAITING_FOR_SCAN and "signInKey" in t.detail:
            return FlowView(t.target, t.detail["signInKey"], extra, t.attempt)  # type: ignore[arg-type]
        return FlowView(t.target, self.sign_in_key, self.deadline, t.attempt)


class FlowController(QObject):
    transition = Signal(object)  # machine Transition
    # object, not int: signInKeys are 63-bit and Qt's int signal argument is 32-bit.
    qr_changed = Signal(object)
    app_info = Signal(object)  # UserQRCodeScanResult from the simulated phone's Scan
    authenticated = Signal(object)  # TokenModel
    failed = Signal(object)  # the error that ended the attempt (or an operation)
    # RegistrationRejected: the form was refused, the session is still scanned (fix it, register again)
    register_rejected = Signal(object)
    stored = Signal(object)  # SavedToken, or the KeystoreError that prevented storing
    busy_changed = Signal(bool)  # a driver operation is in flight

    # Worker thread -> GUI thread. (driver, payload) so answers of a replaced driver can be dropped.
    _worker_transition = Signal(object, object, object)
    _worker_app_info = Signal(object, object)

    def __init__(self, ctx, parent: QObject | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.driver: FlowDriver | None = None  # worker-side: the GUI thread only hands it work
        self.view = FlowView()  # the GUI thread's copy of the current driver's flow
        self._clock: Callable[[], float] = time.monotonic  # the current driver's clock
        self._session_ttl = 0.0
        self._cancel_requested = False  # cancel() was called on the current driver
        self.mode = Mode.POLL
        self.token: TokenModel | None = None  # the last token, kept until it is stored
        self.saved: SavedToken | None = None
        # Extra PollPolicy fields on top of the profile's (tests use tiny retry counts).
        self.policy_overrides: dict[str, Any] = {}
        self._request = QRCodePreSignInRequest()
        self._auto_register: dict[str, Any] | None = None
        self._auto = False
        self._connection = None
        self._forward: tuple[FlowDriver, ...] = ()  # drivers whose transitions reach the GUI
        self._busy = 0
        self._expiring = False
        self._store_tries = 0
        queued = Qt.ConnectionType.QueuedConnection
        self._worker_transition.connect(self._on_transition, queued)
        self._worker_app_info.connect(self._on_app_info, queued)

    # --- what the GUI reads ----------------------------------------------------------------------------

    def state(self) -> State:
        return self.view.state

    def allowed_events(self) -> frozenset[Event]:
        """What the user can do now (a repeat such as a second Scan moves nothing, so is left out)."""
        return moves_from(self.view.state)

    @property
    def busy(self) -> bool:
        return self._busy > 0

    @property
    def sign_in_key(self) -> int | None:
        return self.view.sign_in_key

    def seconds_left(self) -> float | None:
        if self.view.deadline is None or self.view.state in TERMINAL_STATES:
            return None
        return max(0.0, self.view.deadline - self._clock())

    @property
    def session_ttl(self) -> float:
        return self._session_ttl

    # --- starting -------------------------------------------------------------------------------------

    def start(self, mode: Mode, request: QRCodePreSignInRequest, *, auto: bool = False,
              auto_register: dict[str, Any] | None = None) -> None:
        """A fresh session: cancels whatever runs, then a first QR (and polls, or waits for the phone)."""
        self.mode, self._request, self._auto, self._auto_register = Mode(mode), request, auto, auto_register
        self._replace_driver(keep_history=False)

    def new_qr(self, mode: Mode | None = None, request: QRCodePreSignInRequest | None = None, *,
               auto: bool | None = None, auto_register: dict[str, Any] | None = None) -> None:
        """Another QR in this session (the "New QR" button, a click on an expired QR, Retry);
        settings not given stay as they were."""
        self.mode = Mode(mode) if mode is not None else self.mode
        self._request = request if request is not None else self._request
        self._auto = auto if auto is not None else self._auto
        self._auto_register = auto_register if auto is not None else self._auto_register
        driver = self.driver
        # Reuse only a driver that is finished and still on the active client: after a
        # reconnect (or a client swapped for other options) the old client may be closed.
        reusable = (driver is not None and self.view.state in TERMINAL_STATES and not self._cancel_requested
                    and driver.client is self.ctx.client)
        if reusable:
            self.token, self.saved, self._store_tries, self._expiring = None, None, 0, False
            driver.initiate_request = self._request  # read by the driver at each START
            self._launch(driver, self._begin(driver))  # same machine: a new attempt in its history
        else:
            self._replace_driver(keep_history=True)

    def _replace_driver(self, *, keep_history: bool) -> None:
        ctx = self.ctx
        if ctx.client is None or ctx.connection is None:
            self.failed.emit(NotConnected(self.tr("Not connected to a server yet.")))
            return
        old = self.driver
        driver = ctx.connection.driver(ctx.client, initiate=self._request, **self.policy_overrides)
        driver.add_listener(_prewarm_qr(ctx.connection))  # before the GUI hears of the new key
        driver.add_listener(lambda t, d=driver: self._worker_transition.emit(d, t, _extra(d, t)))
        self._connection = ctx.connection
        self.driver, self.token, self.saved, self._store_tries, self._expiring = driver, None, None, 0, False
        self.view, self._clock, self._session_ttl = FlowView(), driver.clock, driver.policy.session_ttl
        self._cancel_requested = False
        # The old driver's CANCEL belongs in the timeline only when the user asked for "another QR".
        self._forward = (driver, old) if keep_history and old is not None else (driver,)

        begin = self._begin(driver)

        async def work() -> Any:
            if old is not None:
                await old.cancel()  # returns once the old driver sends nothing more
            return await begin

        self._launch(driver, work())

    def _begin(self, driver: FlowDriver):
        """The coroutine for a new QR. Settings are read now, on the GUI thread, not when the
        coroutine runs on the worker loop (the user may have clicked again by then)."""
        mode, auto, register = self.mode, self._auto, self._auto_register

        async def begin() -> Any:
            if mode is Mode.POLL:
                return await driver.run_poll()
            await driver.start()
            if auto:
                await self._auto_steps(driver, register)
            return driver.result()

        return begin()

    async def _auto_steps(self, driver: FlowDriver, register: dict[str, Any] | None) -> None:
        """Simulate mode with "Auto": the phone scans and confirms by itself; registers if asked to
        and a valid form was given, otherwise it stops at SCANNED for the user to register."""
        info = await driver.simulate_scan()
        self._worker_app_info.emit(driver, info)
        token = await driver.simulate_confirm()
        if token is None and register:
            await driver.simulate_register(register)

    # --- the simulated phone --------------------------------------------------------------------------

    def scan(self) -> None:
        driver = self._current()
        if driver is not None:
            self._launch(driver, driver.simulate_scan(), on_value=lambda info: self.app_info.emit(info))

    def confirm(self) -> None:
        driver = self._current()
        if driver is not None:
            self._launch(driver, driver.simulate_confirm())

    def register(self, form: dict[str, Any]) -> None:
        driver = self._current()
        if driver is not None:
            self._launch(driver, driver.simulate_register(dict(form)))

    def cancel(self) -> None:
        driver = self.driver
        if driver is not None:
            self._cancel_requested = True
            self.ctx.run(driver.cancel())

    def expire_if_due(self) -> None:
        """Simulate mode has no poll loop to notice the deadline; report EXPIRED once it passed.

        ``poll_until_done`` checks the deadline before it sends anything, so with the deadline
        already behind us it records EXPIRED without a request. Skipped while a phone call is in
        flight: that call gets its own 410 from the server.
        """
        driver = self.driver
        if (driver is None or self.mode is not Mode.SIMULATE or self.busy or self._expiring
                or self.sign_in_key is None or self.seconds_left() != 0):
            return  # (seconds_left is None once the flow is over)
        self._expiring = True
        self._launch(driver, driver.poll_until_done())

    def connection_changed(self) -> None:
        """The driver's client is closed with its connection: stop the flow rather than fail later,
        and forget it: its QR, state and token belong to the previous server, not to this one."""
        driver = self.driver
        if driver is None or self._connection is self.ctx.connection:
            return
        self.ctx.run(driver.cancel())
        self.driver, self.view, self._forward = None, FlowView(), ()
        self.token, self.saved, self._cancel_requested = None, None, False

    def _current(self) -> FlowDriver | None:
        if self.driver is None:
            self.failed.emit(NotConnected(self.tr("Start a QR login first.")))
        return self.driver

    # --- running driver work on the worker loop -------------------------------------------------------

    def _launch(self, driver: FlowDriver, coro, on_value=None) -> None:
        self._set_busy(+1)

        def done(outcome: Outcome) -> None:
            if not shiboken6.isValid(self):
                return  # the panel (and this controller) closed while the work ran
            self._set_busy(-1)
            if driver is not self.driver:
                return  # a replaced driver's late answer
            if outcome.ok:
                if on_value is not None:
                    on_value(outcome.value)
                return
            error = outcome.error
            if outcome.cancelled or isinstance(error, FlowCancelled | asyncio.CancelledError):
                return
            if isinstance(error, RegistrationRejected):
                self.register_rejected.emit(error)
                return
            if isinstance(error, QrLoginError) and self.view.state in (State.FAILED, State.EXPIRED):
                return  # already reported through the FAIL transition, or shown as "expired"
            self.failed.emit(error)

        self.ctx.run(coro, done)

    def _set_busy(self, delta: int) -> None:
        before = self.busy
        self._busy += delta
        if self.busy != before:
            self.busy_changed.emit(self.busy)

    # --- worker events, now on the GUI thread ---------------------------------------------------------

    def _on_transition(self, driver: FlowDriver, t: Transition, extra: Any) -> None:
        if not any(driver is d for d in self._forward):
            return
        if driver is self.driver:  # first, so the signal's receivers read the flow as it now is
            self.view = self.view.after(t, extra)
        self.transition.emit(t)
        if driver is not self.driver:
            return
        if t.target is State.WAITING_FOR_SCAN and "signInKey" in t.detail:
            self._expiring = False
            self.qr_changed.emit(t.detail["signInKey"])
        elif t.target is State.AUTHENTICATED and isinstance(extra, TokenModel):
            self.token = extra
            self.authenticated.emit(extra)
            self.store_token()
        elif t.target is State.FAILED:
            self.failed.emit(extra)

    def _on_app_info(self, driver: FlowDriver, info: Any) -> None:
        if driver is self.driver:
            self.app_info.emit(info)

    # --- storing the token ------------------------------------------------------------------------------

    def store_token(self) -> None:
        """Save the last token in the keyring, off the GUI thread. Also the Retry of a failed save:
        the backend is detected again first, in case the user has just unlocked or started one."""
        token, connection, store = self.token, self._connection, self.ctx.token_store
        if token is None or connection is None:
            return
        retry = self._store_tries > 0
        self._store_tries += 1

        async def work() -> SavedToken:
            if retry:
                await asyncio.to_thread(store.recheck_backend)
            return await connection.save_token(store, token)

        def done(outcome: Outcome) -> None:
            if not shiboken6.isValid(self) or token is not self.token:
                return  # a newer login has replaced this token meanwhile
            if outcome.ok:
                self.saved = outcome.value
                self.stored.emit(outcome.value)
            elif not outcome.cancelled:
                self.stored.emit(outcome.error)
            # Even a token kept only in memory shows in the token list (marked as such).
            self.ctx.tokens_changed.emit()

        self.ctx.run(work(), done)


def _prewarm_qr(connection) -> Callable[[Transition], None]:
    """Encode a new QR on the worker thread: the pure-Python encoder takes ~10 ms, which on the GUI
    thread would be a visible stall; the view then renders from qr.py's cache."""

    def prewarm(t: Transition) -> None:
        if t.target is State.WAITING_FOR_SCAN and "signInKey" in t.detail:
            try:
                qr_matrix(connection.qr_payload(t.detail["signInKey"]))
            except ValueError:
                pass  # the panel reports an unusable template when it renders

    return prewarm


def _extra(driver: FlowDriver, t: Transition) -> Any:
    """Read on the worker thread, at the moment of the transition: the token, the error, or the
    new QR's deadline."""
    if t.target is State.AUTHENTICATED:
        return driver.token
    if t.target is State.FAILED:
        return driver.error
    if t.target is State.WAITING_FOR_SCAN:
        return driver.deadline
    return None
