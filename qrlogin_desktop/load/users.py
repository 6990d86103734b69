"""Locust users that play QR logins against a server of this API (``locustfile.py`` ships them).

:class:`QrFlowUser` runs three weighted flows, each reported as ONE Locust request of type
:data:`FLOW_TYPE` beside its steps (each HTTP call its own ``POST`` entry):

* ``simulated-login`` (weight 3, tag ``login``): Initiate -> Scan -> Confirm-Login, the desktop
  playing the phone, as ``qrlogin-desktop login --simulate`` does;
* ``registration`` (weight 1, tag ``register``): Initiate -> Scan -> Confirm-Register with fresh,
  valid fields (checked by the wire model's own rules) -> the desktop's Confirm-Login that picks up
  the registration's token;
* ``polling-desktop`` (weight 1, tag ``poll``): Initiate, then the desktop polls Confirm-Login at
  the poll policy's pace while a phone (its own connection) scans after a think time.

A failure is named by the error-policy table (api/outcomes.py): the step's entry and the flow's
carry the outcome and code (``already_used (code 409)``), never the server's text or a token. The
profile's code table (``--qr-codes``) decides which answers a poll waits through.
"""

from __future__ import annotations

import json
import logging
import os
import random
import time
import uuid
from typing import Any

import gevent
from locust import User, tag, task

from ..api import catalogue
from ..api.catalogue import APP_KEY, BEARER_TOKEN
from ..api.errors import ApiError, QrLoginError
from ..api.models import QRCodePreSignInRequest, QRCodeScanRequest, QRCodeSignInRequest, QRCodeSignUpRequest
from ..api.outcomes import Action, CodeTable
from ..flow.policy import PollPolicy
from .answer import Exchanger, failure_text
from .limits import FLOW_TYPE
from .options import TOKEN_ENV

STEP_TYPE = "POST"
INITIATE, SCAN = catalogue.endpoint("QRAuthInitiate"), catalogue.endpoint("QRAuthScan")
CONFIRM_LOGIN, CONFIRM_REGISTER = catalogue.endpoint("QRAuthConfirmLogin"), catalogue.endpoint("QRAuthConfirmRegister")
POLL_SUFFIX = " (poll)"
_log = logging.getLogger(__name__)
POLL_GOES_ON = (Action.WAIT, Action.SCANNED)  # "not yet" answers: the poll step itself succeeded
POLL_RETRIES = (Action.RETRY, Action.RATE_LIMITED)


class QrFailure(Exception):
    """What Locust records for a failed step or flow; its repr is the text Locust's failure table groups by."""

    def __init__(self, text: str, error: QrLoginError | None = None):
        super().__init__(text)
        self.text = text
        self.error = error

    def __repr__(self) -> str:
        return self.text


class FlowFailed(QrFailure):
    pass


def step_name(ep: catalogue.Endpoint) -> str:
    return ep.path.lstrip("/")


def new_registration(sign_in_key: int, rng: random.Random) -> QRCodeSignUpRequest:
    """Fields a new user could send: a unique unionID, a nickname and phone within the contract's rules."""
    request = QRCodeSignUpRequest(signInKey=sign_in_key, unionID=f"load_{uuid.uuid4().hex}",
                                  nickName=f"load-{rng.randrange(10**6):06d}",
                                  phone="1" + "".join(rng.choice("0123456789") for _ in range(10)))
    request.validate()  # the wire model's rules: a registration the server refuses is the server's finding
    return request


class QrFlowUser(User):
    """One desktop (with its phone) doing QR logins in a closed loop."""

    abstract = False

    def wait_time(self) -> float:
        return self.environment.parsed_options.qr_pause if self.environment.parsed_options else 0.0

    def on_start(self) -> None:
        options = self.environment.parsed_options
        token = os.environ.get(TOKEN_ENV, "")
        problems = [v.message() for v in APP_KEY.violations(options.app_key)] if options else ["no options"]
        problems += [v.message() for v in BEARER_TOKEN.violations(token)] if token else [f"{TOKEN_ENV} is not set"]
        if not self.host:
            problems.append("no --host (the server URL)")
        try:
            self.codes = code_table(options.qr_codes) if options else CodeTable()
            self.options = options
            if not problems:
                self.desktop = self._exchanger(token)  # checks the server URL
        except ValueError as exc:
            problems.append(str(exc))
        if problems:
            # A violation never shows a credential (its value preview is hidden).
            _log.error("QR flow user not started: %s", "; ".join(problems))
            self.environment.process_exit_code = 2  # Locust's exit code, even when nothing failed
            # Ends this user the way Locust stops one (StopUser here would be logged with a traceback).
            raise gevent.GreenletExit
        self.policy = PollPolicy()
        self.rng = random.Random()
        self._token = token
        self.phone: Exchanger | None = None

    def on_stop(self) -> None:
        for exchanger in (getattr(self, "desktop", None), getattr(self, "phone", None)):
            if exchanger is not None:
                exchanger.close()

    def _exchanger(self, token: str) -> Exchanger:
        return Exchanger(self.host, self.options.app_key, token, deadline=self.options.qr_call_timeout,
                         verify_tls=not self.options.qr_insecure)

    # --- the flows ------------------------------------------------------------------------------------

    @tag("login")
    @task(3)
    def simulated_login(self) -> None:
        def steps() -> None:
            key = self._step(self.desktop, INITIATE, QRCodePreSignInRequest().to_json())
            self._step(self.desktop, SCAN, QRCodeScanRequest(key).to_json())
            self._step(self.desktop, CONFIRM_LOGIN, QRCodeSignInRequest(key).to_json())

        self._flow("simulated-login", steps)

    @tag("register")
    @task(1)
    def registration(self) -> None:
        def steps() -> None:
            key = self._step(self.desktop, INITIATE, QRCodePreSignInRequest().to_json())
            self._step(self.desktop, SCAN, QRCodeScanRequest(key).to_json())
            self._step(self.desktop, CONFIRM_REGISTER, new_registration(key, self.rng).to_json())
            self._poll_for_token(key, time.monotonic() + self.options.qr_session_ttl)

        self._flow("registration", steps)

    @tag("poll")
    @task(1)
    def polling_desktop(self) -> None:
        if self.phone is None:
            self.phone = self._exchanger(self._token)  # the phone is another device: its own connection
        phone = self.phone

        def steps() -> None:
            key = self._step(self.desktop, INITIATE, QRCodePreSignInRequest().to_json())
            think = self.options.qr_think_time * self.rng.uniform(0.5, 1.5)
            scanner = gevent.spawn_later(think, self._phone_scan, phone, key)
            try:
                self._poll_for_token(key, time.monotonic() + self.options.qr_session_ttl, scanner)
            finally:
                scanner.kill(block=False)

        self._flow("polling-desktop", steps)

    # --- steps ----------------------------------------------------------------------------------------

    def _flow(self, name: str, steps) -> None:
        started, t0 = time.time(), time.perf_counter()
        failure: FlowFailed | None = None
        try:
            steps()
        except FlowFailed as failed:
            failure = failed
        self.environment.events.request.fire(request_type=FLOW_TYPE, name=name, start_time=started,
                                             response_time=(time.perf_counter() - t0) * 1000, response_length=0,
                                             exception=failure, context={})

    def _step(self, exchanger: Exchanger, ep: catalogue.Endpoint, body: dict[str, Any], *, poll: bool = False) -> Any:
        """One exchange, reported as its own Locust request. Returns the value; a failure raises
        :class:`FlowFailed`, except a poll's "not yet", which returns the error's action."""
        name = step_name(ep) + (POLL_SUFFIX if poll else "")
        started, t0 = time.time(), time.perf_counter()
        try:
            value, size = exchanger.call(ep, body)
        except QrLoginError as error:
            took = (time.perf_counter() - t0) * 1000
            action = self.codes.classify(error)
            if poll and action in POLL_GOES_ON:
                self._report(name, started, took, None)
                return action
            text = failure_text(error)
            self._report(name, started, took, QrFailure(text, error))
            if poll and action in POLL_RETRIES:
                return error
            raise FlowFailed(f"{text} at {name}", error) from None
        self._report(name, started, (time.perf_counter() - t0) * 1000, None, size)
        return value

    def _report(self, name: str, started: float, took: float, failure: QrFailure | None, size: int = 0) -> None:
        self.environment.events.request.fire(request_type=STEP_TYPE, name=name, start_time=started, response_time=took,
                                             response_length=size, exception=failure, context={})

    def _phone_scan(self, phone: Exchanger, key: int) -> FlowFailed | None:
        try:
            self._step(phone, SCAN, QRCodeScanRequest(key).to_json())
        except FlowFailed as failed:
            return failed  # returned, not raised: the desktop's poll loop reports it as the flow's end
        return None

    def _poll_for_token(self, key: int, deadline: float, scanner: gevent.Greenlet | None = None) -> None:
        """The desktop polls Confirm-Login until the token comes, at the poll policy's pace."""
        interval, faults = self.policy.min_interval, 0
        body = QRCodeSignInRequest(key).to_json()
        while True:
            answer = self._step(self.desktop, CONFIRM_LOGIN, body, poll=True)
            if not isinstance(answer, (Action, QrLoginError)):
                return  # the token
            if scanner is not None and scanner.ready() and isinstance(scanner.value, FlowFailed):
                raise scanner.value
            if isinstance(answer, QrLoginError):
                faults += 1
                if faults > self.policy.max_retries:
                    raise FlowFailed(f"{failure_text(answer)} at {step_name(CONFIRM_LOGIN)}{POLL_SUFFIX}", answer)
                retry_after = answer.retry_after if isinstance(answer, ApiError) else None
                pause = retry_after if retry_after is not None else self.policy.backoff(faults)
            else:
                faults = 0
                interval = self.policy.min_interval if answer is Action.SCANNED else self.policy.next_wait_interval(interval)
                pause = interval
            if time.monotonic() + pause > deadline:
                # Our own bound, not an answer: named as the table's "expired", with no code.
                raise FlowFailed(f"expired (no token within {self.options.qr_session_ttl:g} s) at "
                                 f"{step_name(CONFIRM_LOGIN)}{POLL_SUFFIX}")
            gevent.sleep(pause)


def code_table(text: str) -> CodeTable:
    """The profile's code table overrides (``--qr-codes``, JSON ``{"401": "expired"}``) on the defaults."""
    if not text:
        return CodeTable()
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError
        return CodeTable.from_json(data)
    except ValueError:
        raise ValueError(f"--qr-codes: must be a JSON object of code -> one of "
                         f"{', '.join(a.value for a in Action)}, got {text[:60]!r}") from None
