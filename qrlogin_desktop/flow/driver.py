"""Runs the QR login machine against the client on asyncio: poll or simulate, retries, cancel.

The driver translates answers into machine events and owns timing (interval, backoff, the
session deadline it tracks itself). It never decides legality: an answer that makes no sense in
the current state surfaces as the machine's IllegalTransition instead of being papered over.

Every request goes through :meth:`FlowDriver._request`, the one place that repeats a request after
a transient fault (the code table's RETRY and RATE_LIMITED: capped jittered backoff, Retry-After,
``max_retries``) and that bounds each try and each pause by a deadline: the session's (the QR's
lifetime) once Initiate answered, and for Initiate itself a budget of one session TTL. A slow or
dripping server therefore cannot hold the flow past the QR's lifetime.

Cancel: :meth:`FlowDriver.cancel` marks the driver cancelled *before* it cancels the running
tasks, and every request goes through :meth:`FlowDriver._send`, which checks that mark first -
so once ``cancel()`` returns no request is sent and no task of this driver is left running.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from ..api.errors import ApiError, QrLoginError, TransportError, TransportKind, ValidationError, Violation
from ..api.models import QRCodePreSignInRequest, QRCodeSignUpRequest, TokenModel, UserQRCodeScanResult
from ..api.outcomes import Outcome, rule_for
from .machine import Event, QrLoginMachine, State, Transition
from .policy import Action, CodeTable, PollPolicy

if TYPE_CHECKING:  # the client (and httpx) load when a connection is made, not at import
    from ..api.client import QrLoginClient

T = TypeVar("T")
_BACKSTOP = 0.5  # s past the time left before wait_for cancels a try the client did not end
Listener = Callable[[Transition], None]

INITIATE, SCAN, CONFIRM_LOGIN, CONFIRM_REGISTER = (
    "QRAuthInitiate", "QRAuthScan", "QRAuthConfirmLogin", "QRAuthConfirmRegister")


class FlowCancelled(Exception):
    """Raised inside the driver's own tasks once cancel() has been called."""


class AnswerLost(QrLoginError):
    """A Confirm-Login went out, no answer came back, and its repeat was told "already used".

    The server has then most likely handed this login's token to the lost answer. The contract has
    no call that hands a delivered token out again, so this login cannot be completed: the user
    needs a new QR. ``lost`` is what the unanswered try ended with, ``refusal`` the repeat's answer.
    """

    def __init__(self, lost: QrLoginError, refusal: ApiError):
        self.lost = lost
        self.refusal = refusal
        self.endpoint = refusal.endpoint
        super().__init__("the server completed this login but its answer was lost: start a new QR "
                         f"(the first try ended with: {lost}; its repeat got: {refusal})")

    @property
    def outcome(self) -> Outcome:
        return Outcome.ANSWER_LOST


class Declined(ApiError):
    """The phone user declined the login (the code table's DECLINED). The machine ends FAILED with the
    reason "declined": a terminal outcome of its own for the caller, no new QR started for it."""

    def __init__(self, refusal: ApiError):
        super().__init__(refusal.code, refusal.error, http_status=refusal.http_status, endpoint=refusal.endpoint,
                         retry_after=refusal.retry_after, data=refusal.data, violations=refusal.violations)
        self.args = (f"the phone user declined the login ({refusal})",)


class RegistrationRejected(QrLoginError):
    """Confirm-Register refused the form (or our own check did, before sending): the session is still
    scanned, so the user can fix the named fields and register again. ``violations`` name them: the
    server's own list, else the one field its code stands for (409: the unionID is taken)."""

    def __init__(self, refusal: QrLoginError, violations: tuple[Violation, ...]):
        self.refusal = refusal
        self.violations = violations
        self.endpoint = CONFIRM_REGISTER
        super().__init__(str(refusal))

    @property
    def outcome(self) -> Outcome:
        return self.refusal.outcome


# What Confirm-Register answers when the form is at fault: the user fixes it, the session lives on.
FORM_REFUSALS = frozenset({Outcome.INVALID_INPUT, Outcome.INPUT_REFUSED, Outcome.ALREADY_USED})


def _rejection(error: QrLoginError, form: Mapping[str, Any]) -> RegistrationRejected | None:
    """The refusal as a rejected form, or None when the form is not what the server refused."""
    if error.outcome not in FORM_REFUSALS:
        return None
    violations = tuple(getattr(error, "violations", ()))
    if not violations and error.outcome is Outcome.ALREADY_USED:
        # The session was scanned when Register went out, so "conflict" can only mean the unionID.
        violations = (Violation("unionID", "is already registered", "已被注册", form.get("unionID")),)
    return RegistrationRejected(error, violations)


@dataclass(frozen=True)
class FlowResult:
    state: State
    sign_in_key: int | None
    token: TokenModel | None = None
    error: QrLoginError | None = None
    app_info: UserQRCodeScanResult | None = None
    attempts: int = 1
    requests: int = 0

    @property
    def ok(self) -> bool:
        return self.state is State.AUTHENTICATED

    @property
    def answer_lost(self) -> bool:
        """FAILED because the server delivered the token into an answer that never arrived."""
        return isinstance(self.error, AnswerLost)

    @property
    def declined(self) -> bool:
        """FAILED because the phone user declined (sandbox explicit consent: Confirm-Login's 403)."""
        return isinstance(self.error, Declined)


class FlowDriver:
    def __init__(
        self,
        client: QrLoginClient,
        *,
        phone: QrLoginClient | None = None,
        policy: PollPolicy | None = None,
        codes: CodeTable | None = None,
        initiate: QRCodePreSignInRequest | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ):
        self.client = client
        self.phone = phone or client  # the simulated phone may use its own credentials
        self.policy = policy or PollPolicy()
        self.codes = codes or CodeTable()
        self.initiate_request = initiate or QRCodePreSignInRequest()
        self.clock = clock
        self._sleep = sleep
        self.machine = QrLoginMachine(clock())
        self.sign_in_key: int | None = None
        self.deadline: float | None = None
        self.app_info: UserQRCodeScanResult | None = None
        self.token: TokenModel | None = None
        self.error: QrLoginError | None = None
        self.requests = 0
        self._listeners: list[Listener] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._cancelled = False

    # --- observation ---------------------------------------------------------------------------------

    @property
    def state(self) -> State:
        return self.machine.state

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def seconds_left(self) -> float | None:
        if self.deadline is None or self.machine.is_terminal:
            return None
        return max(0.0, self.deadline - self.clock())

    def result(self) -> FlowResult:
        return FlowResult(self.state, self.sign_in_key, self.token, self.error, self.app_info,
                          self.machine.attempt, self.requests)

    def _event(self, event: Event, **detail: Any) -> None:
        before = self.machine.last_transition
        self.machine.handle(event, self.clock(), **detail)
        transition = self.machine.last_transition
        if transition is before or transition is None:
            return  # a repeat (the table's self-loop): nothing moved, nothing to tell
        for listener in list(self._listeners):
            listener(transition)

    # --- plumbing -----------------------------------------------------------------------------------------

    async def _send(self, make: Callable[[float], Awaitable[T]], timeout: float) -> T:
        if self._cancelled:
            raise FlowCancelled()
        self.requests += 1
        try:
            return await make(timeout)
        except ValidationError:
            self.requests -= 1  # refused by our own check: nothing went on the wire
            raise

    async def _request(self, make: Callable[[float], Awaitable[T]], endpoint: str, deadline: float) -> T:
        """One request, sent again after each transient fault, every try and pause within ``deadline``.

        Transient is what the code table calls RETRY (at most ``max_retries`` in a row, capped
        jittered backoff) or RATE_LIMITED (Retry-After, else the backoff; not counted: the server
        asked us to come back, and the deadline bounds it). Any other error is raised for the
        caller to read. :class:`_DeadlineReached` when the deadline passes first; :class:`AnswerLost`
        when a Confirm-Login try may have been served but went unanswered and its repeat is told
        "already used".
        """
        failures = rate_limits = 0
        last: QrLoginError | None = None
        unanswered: QrLoginError | None = None  # a try that the server may have carried out
        while True:
            left = deadline - self.clock()
            if left <= 0:
                raise _DeadlineReached(last or _no_answer(endpoint))
            try:
                # The client's own overall deadline (the time left, at most its timeout) ends the
                # exchange and logs it; wait_for is the backstop for a client that ignores it.
                per_try = min(left, getattr(self.client, "timeout", left))
                return await asyncio.wait_for(self._send(make, per_try), left + _BACKSTOP)
            except TimeoutError:  # wait_for gave up (asyncio.TimeoutError is this builtin since 3.11)
                raise _DeadlineReached(_no_answer(endpoint)) from None
            except QrLoginError as exc:
                if (endpoint == CONFIRM_LOGIN and unanswered is not None and isinstance(exc, ApiError)
                        and exc.code == self.codes.already_used):
                    raise AnswerLost(unanswered, exc) from None
                action = self.codes.classify(exc)
                if action is Action.RATE_LIMITED:
                    rate_limits += 1
                    retry_after = exc.retry_after if isinstance(exc, ApiError) else None
                    delay = max(self.policy.min_interval,
                                retry_after if retry_after is not None else self.policy.backoff(rate_limits))
                elif action is Action.RETRY and failures < self.policy.max_retries:
                    failures += 1
                    delay = self.policy.backoff(failures)
                else:
                    raise
                last = exc
                if _maybe_served(exc):
                    unanswered = exc
            await self._pause(delay, deadline)

    async def _pause(self, delay: float, deadline: float) -> None:
        # Never sleep past the deadline: expiry shows on time even when the server is slow.
        await self._sleep(max(0.0, min(delay, deadline - self.clock())))

    async def _guard(self, work: Callable[[], Awaitable[T]]) -> T:
        """Run one public operation as a tracked task so cancel() can stop it."""
        if self._cancelled:
            raise FlowCancelled()
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            return await work()
        finally:
            self._tasks.discard(task)

    def _fail(self, error: QrLoginError) -> FlowResult:
        self.error = error
        if self.machine.can_handle(Event.FAIL):
            detail: dict[str, Any] = {"error": str(error), "code": getattr(error, "code", None)}
            if isinstance(error, AnswerLost):
                detail["reason"] = "answer_lost"
            elif isinstance(error, Declined):
                detail["reason"] = "declined"
            self._event(Event.FAIL, **detail)
        return self.result()

    async def cancel(self) -> None:
        """Stop everything; after this returns, no request is sent and no driver task runs."""
        self._cancelled = True
        current = asyncio.current_task()
        tasks = [t for t in self._tasks if t is not current]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if self.machine.can_handle(Event.CANCEL):
            self._event(Event.CANCEL)

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    @property
    def _startable(self) -> bool:
        return self.state is State.IDLE or self.machine.is_terminal

    # --- initiate -----------------------------------------------------------------------------------------

    async def start(self) -> int:
        """A new QR: Initiate; returns the signInKey. Also used for "New QR" and auto-refresh."""
        return await self._guard(self._start)

    async def _start(self, **detail: Any) -> int:
        self._event(Event.START, **detail)
        self.app_info = self.token = self.error = None
        self.deadline = None
        # No session exists yet; Initiate gets one session TTL, like any later step of the login:
        # a first step slower than a QR lives is not worth waiting for. Repeating it is safe (see
        # docs/decisions.md): a session created by a lost answer is never shown and just expires.
        budget = self.clock() + self.policy.session_ttl
        try:
            key = await self._request(lambda t: self.client.initiate(self.initiate_request, timeout=t), INITIATE, budget)
        except _DeadlineReached as reached:
            self._fail(reached.error)
            raise reached.error from None
        except QrLoginError as exc:
            self._fail(exc)
            raise
        self.sign_in_key = key
        self.deadline = self.clock() + self.policy.session_ttl
        self._event(Event.INITIATED, signInKey=key)
        return key

    # --- poll mode ----------------------------------------------------------------------------------------

    async def run_poll(self) -> FlowResult:
        """Initiate (unless already waiting) and poll until a terminal state; refresh on expiry."""
        return await self._guard(self._run_poll)

    async def _run_poll(self) -> FlowResult:
        refreshes = self.policy.auto_refresh
        if self._startable:
            await self._start_or_result()
            if self.machine.is_terminal:
                return self.result()
        refresh = 0
        while True:
            result = await self._poll_until_done()
            if result.state is not State.EXPIRED or refresh >= refreshes:
                return result
            refresh += 1
            # The START says it is the driver's own refresh, and which: the GUI tells the user so.
            await self._start_or_result(refresh=refresh, refreshes=refreshes)
            if self.machine.is_terminal:
                return self.result()

    async def _start_or_result(self, **detail: Any) -> None:
        try:
            await self._start(**detail)
        except QrLoginError:
            pass  # recorded as FAILED by _start

    async def poll_until_done(self) -> FlowResult:
        return await self._guard(self._poll_until_done)

    async def _poll_until_done(self) -> FlowResult:
        assert self.sign_in_key is not None and self.deadline is not None, "start() first"
        key, deadline = self.sign_in_key, self.deadline
        interval = self.policy.min_interval
        while not self.machine.is_terminal:
            try:
                token = await self._request(lambda t: self.client.confirm_login(key, timeout=t), CONFIRM_LOGIN, deadline)
            except _DeadlineReached:
                self._event(Event.EXPIRED, reason="deadline")
                break
            except QrLoginError as exc:
                action = self.codes.classify(exc)
                if action is Action.WAIT:
                    delay = interval
                    interval = self.policy.next_wait_interval(interval)
                elif action is Action.SCANNED:
                    # Every 202 is a SCANNED event; the table's self-loop makes the repeats no-ops.
                    self._event(Event.SCANNED, code=getattr(exc, "code", None))
                    interval = delay = self.policy.min_interval
                elif action is Action.EXPIRED:
                    self._event(Event.EXPIRED, code=getattr(exc, "code", None))
                    break
                elif action is Action.DECLINED and isinstance(exc, ApiError):
                    return self._fail(Declined(exc))
                else:
                    return self._fail(exc)
                await self._pause(delay, deadline)
                continue
            self._accept_token(token)
        return self.result()

    def _accept_token(self, token: TokenModel) -> None:
        if self.state is State.WAITING_FOR_SCAN:
            # A poll jumped from 408 to a token (the sandbox treats the scan as consent): the token
            # proves the scan, so the flow shows it, as WeChat's page shows "scanned" before "done".
            self._event(Event.SCANNED, implied=True)
        self.token = token
        self._event(Event.TOKEN, token_type=token.token_type, expires_in=token.expires_in)

    # --- simulate mode (the desktop plays the phone) ---------------------------------------------------

    async def simulate_scan(self) -> UserQRCodeScanResult:
        return await self._guard(self._simulate_scan)

    async def _simulate_scan(self) -> UserQRCodeScanResult:
        info = await self._phone_call(lambda t: self.phone.scan(self.sign_in_key, timeout=t), SCAN)  # type: ignore[arg-type]
        self.app_info = info
        self._event(Event.SCANNED, name=info.name, scopes=info.scopes)
        return info

    async def simulate_confirm(self) -> TokenModel | None:
        """The phone confirms. Returns the token, or None when the server wants a registration (202)."""
        return await self._guard(self._simulate_confirm)

    async def _simulate_confirm(self) -> TokenModel | None:
        self._event(Event.CONFIRM)
        try:
            token = await self._phone_call(
                lambda t: self.phone.confirm_login(self.sign_in_key, timeout=t), CONFIRM_LOGIN)  # type: ignore[arg-type]
        except _NeedsRegistration:
            self._event(Event.REGISTRATION_REQUIRED)
            return None
        # In the sandbox's lifecycle the phone's Confirm-Login is the one that delivers the token.
        self._accept_token(token)
        return token

    async def simulate_register(self, form: QRCodeSignUpRequest | Mapping[str, Any]) -> TokenModel:
        """The phone registers; then the desktop collects its token with Confirm-Login."""
        return await self._guard(lambda: self._simulate_register(form))

    async def _simulate_register(self, form: QRCodeSignUpRequest | Mapping[str, Any]) -> TokenModel:
        """Raises :class:`RegistrationRejected` (the machine back in SCANNED) when the form is refused."""
        try:
            request = _signup(form, self.sign_in_key)  # type: ignore[arg-type]
        except ValidationError as exc:
            raise RegistrationRejected(exc, exc.violations) from None  # nothing sent: still SCANNED
        self._event(Event.REGISTER, unionID=request.unionID)
        await self._phone_call(lambda t: self.phone.confirm_register(request, timeout=t), CONFIRM_REGISTER,
                               refused=lambda exc: _rejection(exc, request.to_json()))
        self._event(Event.REGISTERED)
        token = await self._phone_call(
            lambda t: self.client.confirm_login(self.sign_in_key, timeout=t), CONFIRM_LOGIN)  # type: ignore[arg-type]
        self._accept_token(token)
        return token

    async def _phone_call(self, make: Callable[[float], Awaitable[T]], endpoint: str, *,
                          refused: Callable[[QrLoginError], RegistrationRejected | None] | None = None) -> T:
        """One simulated-phone step within the session: records how it ended unless it succeeded.
        ``refused`` turns an error that the user can correct into the error to raise instead of failing."""
        # Without a session (before Initiate answered) no time is left: nothing is sent, and the
        # machine says whether EXPIRED is legal here (IllegalTransition if not).
        deadline = self.deadline if self.deadline is not None else self.clock()
        try:
            return await self._request(make, endpoint, deadline)
        except _DeadlineReached as reached:
            self._event(Event.EXPIRED, reason="deadline")
            self.error = reached.error
            raise reached.error from None
        except QrLoginError as exc:
            action = self.codes.classify(exc)
            if action is Action.SCANNED:
                raise _NeedsRegistration() from None
            if action is Action.EXPIRED:
                self._event(Event.EXPIRED, code=getattr(exc, "code", None))
                self.error = exc
                raise
            rejection = refused(exc) if refused is not None else None
            if rejection is not None:
                self._event(Event.REGISTER_REJECTED, error=str(exc), code=getattr(exc, "code", None))
                raise rejection from None
            self._fail(exc)
            raise

    async def run_simulated(self, register: QRCodeSignUpRequest | Mapping[str, Any] | None = None) -> FlowResult:
        """Fully automatic: Initiate, Scan, then Confirm-Login, or Confirm-Register when a form is
        given or the server asks for one (without a form that ends FAILED with a clear error)."""
        return await self._guard(lambda: self._run_simulated(register))

    async def _run_simulated(self, register: QRCodeSignUpRequest | Mapping[str, Any] | None) -> FlowResult:
        try:
            if self._startable:
                await self._start()
            await self._simulate_scan()
            if register is None:
                token = await self._simulate_confirm()
                if token is None:
                    return self._fail(ApiError(202, "the server requires a registration; give a registration form",
                                               http_status=200, endpoint=CONFIRM_LOGIN))
            else:
                await self._simulate_register(register)
        except RegistrationRejected as rejected:
            return self._fail(rejected.refusal)  # nobody here to correct the form: the run ends
        except QrLoginError:
            pass  # already recorded as FAILED / EXPIRED
        return self.result()


class _NeedsRegistration(Exception):
    pass


class _DeadlineReached(Exception):
    """The deadline passed before a request got an answer; ``error`` says what was seen last."""

    def __init__(self, error: QrLoginError):
        super().__init__(str(error))
        self.error = error


def _no_answer(endpoint: str) -> TransportError:
    return TransportError(TransportKind.TIMEOUT, "no answer before the deadline (one session TTL)", endpoint=endpoint)


def _maybe_served(error: QrLoginError) -> bool:
    """Whether the server may have carried out a request that ended with ``error`` (the table's
    answer: anything but a well-formed envelope, which says what happened, or a connection that
    was never made)."""
    return rule_for(error).maybe_served


def _signup(form: QRCodeSignUpRequest | Mapping[str, Any], sign_in_key: int) -> QRCodeSignUpRequest:
    if isinstance(form, QRCodeSignUpRequest):
        values = form.to_json()
    else:
        values = {k: v for k, v in form.items() if v is not None}
    values["signInKey"] = sign_in_key
    # A form missing unionID or carrying unknown fields is invalid input, not a TypeError crash.
    schema = QRCodeSignUpRequest.SCHEMA
    known = {f.name for f in schema.fields}
    problems = [Violation(k, "is not a registration field", "不是注册字段", v) for k, v in values.items()
                if k not in known]
    problems += [Violation(f.name, "is required", "必填", None) for f in schema.fields
                 if f.required and f.name not in values]
    if problems:
        raise ValidationError(problems, endpoint="QRAuthConfirmRegister")
    return QRCodeSignUpRequest(**values)
