"""THE error policy: for each kind of outcome, whether the poller retries, the command line's exit
code, and which message the user sees. One table, :data:`RULES`, read by all of them:

* the driver's retries (:meth:`CodeTable.classify`) and the errors' ``retryable``;
* ``qrlogin-desktop login``'s exit code (``cli.login.exit_code_for``) and its English advice;
* the GUI's translated text (``ui/errors_text.describe_error`` holds the texts, keyed by
  :class:`Message`, so lupdate still finds its literals; which one is shown is decided here).

An answer that carries a code (an envelope's ``code``, or the HTTP status of an error page that is
not the API's JSON) is first looked up in the profile's :class:`CodeTable`: a real server may use
other codes than the sandbox, so the poller's action for a code is profile data whose defaults
are the rows below. Exit codes and messages follow the outcome, whatever a profile remaps.

No Qt and no I/O here; the errors themselves (api/errors.py, flow/driver.AnswerLost) each name
their :class:`Outcome`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum, IntEnum
from types import MappingProxyType
from typing import Protocol, cast

__all__ = ["Action", "CodeTable", "DEFAULT_CODES", "ExitCode", "Message", "Outcome", "PENDING_ACTIONS",
           "REPEAT_CAN_HELP", "RULES", "Rule", "is_pending_code", "outcome_for_code", "rule_for"]


class Action(str, Enum):
    """What the poller does next."""

    WAIT = "wait"  # not yet (408): keep polling
    SCANNED = "scanned"  # scanned, waiting for the phone user (202): keep polling, faster
    RATE_LIMITED = "rate_limited"  # 429: wait Retry-After, then keep polling
    RETRY = "retry"  # server fault / no answer: back off, retry a bounded number of times
    EXPIRED = "expired"  # 410: the QR is dead; maybe refresh
    DECLINED = "declined"  # 403 (explicit consent): the phone user said no; stop, no refresh
    STOP = "stop"  # anything else: fail with this error


# The next steps after which the very same request, sent again, may be answered otherwise: not yet,
# scanned, rate limited, a fault or no answer. Anything else (bad input, a used or expired
# session, refused credentials) gets the same answer however often it is sent.
REPEAT_CAN_HELP = frozenset({Action.WAIT, Action.SCANNED, Action.RATE_LIMITED, Action.RETRY})


class ExitCode(IntEnum):
    """``qrlogin-desktop login``'s exit status: distinct, so scripts can branch."""

    OK = 0  # authenticated and stored
    EXPIRED = 3  # the QR expired
    REJECTED = 4  # refused: bad input, credentials, conflict, a certificate that fails
    ERROR = 5  # server faults, no answer, malformed answers, a lost answer
    NOT_STORED = 6  # authenticated, but the token could not be stored
    CANCELLED = 130  # Ctrl+C


class Message(str, Enum):
    """Which text the user is shown; ui/errors_text.py holds the translated texts."""

    INVALID_INPUT = "invalid_input"  # the violations, named field by field
    CANNOT_CONNECT = "cannot_connect"
    TIMED_OUT = "timed_out"
    TLS_FAILED = "tls_failed"
    DROPPED = "dropped"
    NETWORK = "network"
    NOT_THE_API = "not_the_api"  # an answer that is not the API's JSON
    CREDENTIALS_REFUSED = "credentials_refused"
    NOT_FOUND = "not_found"
    RATE_LIMITED = "rate_limited"
    SERVER_FAULT = "server_fault"
    INPUT_REFUSED = "input_refused"
    ANSWERED_CODE = "answered_code"  # any other code: shown with the server's own text
    ANSWER_LOST = "answer_lost"
    DECLINED = "declined"


class Outcome(str, Enum):
    """How a request ended, when it did not hand over what was asked for."""

    INVALID_INPUT = "invalid_input"  # our own check (or the sandbox's, same rules) refused it
    CANNOT_CONNECT = "cannot_connect"
    TIMED_OUT = "timed_out"  # the exchange's overall deadline passed
    TLS_FAILED = "tls_failed"
    DROPPED = "dropped"  # the connection broke before a full answer
    NETWORK = "network"  # any other transport failure
    MALFORMED = "malformed"  # an answer, but not the envelope (and no error status)
    ERROR_PAGE = "error_page"  # not the envelope, with an HTTP error status (a proxy's page)
    NOT_YET = "not_yet"  # 408
    SCANNED = "scanned"  # 202
    RATE_LIMITED = "rate_limited"  # 429
    EXPIRED = "expired"  # 410
    INPUT_REFUSED = "input_refused"  # 400
    CREDENTIALS_REFUSED = "credentials_refused"  # 401
    NOT_FOUND = "not_found"  # 404
    ALREADY_USED = "already_used"  # 409
    REFUSED = "refused"  # any other 4xx
    SERVER_FAULT = "server_fault"  # 5xx
    UNKNOWN_CODE = "unknown_code"  # any other code
    ANSWER_LOST = "answer_lost"  # served, but its answer (the token) was lost on the way
    DECLINED = "declined"  # 403: the phone user declined (a server that asks for consent)


@dataclass(frozen=True)
class Rule:
    # None: the action of the answer's HTTP status in the code table (an error page means what its
    # status means).
    action: Action | None
    exit_code: ExitCode
    message: Message
    # Whether the server may have carried out a request that ended so: then a repeat of a
    # Confirm-Login told "already used" means the token went into the lost answer (AnswerLost).
    maybe_served: bool = False
    code: int | None = None  # the envelope code this row is the default for (CodeTable)
    advice: str = ""  # the command line's English hint on what to do


_NEW_QR = "run the login again for a new QR"
_NOT_API = "check that the server URL points at the QR-login API, not at a web page or a proxy"

RULES: Mapping[Outcome, Rule] = MappingProxyType({
    Outcome.INVALID_INPUT: Rule(Action.STOP, ExitCode.REJECTED, Message.INVALID_INPUT,
                                advice="correct the named field and run again"),
    Outcome.CANNOT_CONNECT: Rule(Action.RETRY, ExitCode.ERROR, Message.CANNOT_CONNECT,
                                 advice="check the server URL and that the server is running"),
    Outcome.TIMED_OUT: Rule(Action.RETRY, ExitCode.ERROR, Message.TIMED_OUT, maybe_served=True,
                            advice="the server is slow or unreachable: run again later, or raise --timeout"),
    # A certificate problem does not fix itself: no retry, and the user must act.
    Outcome.TLS_FAILED: Rule(Action.STOP, ExitCode.REJECTED, Message.TLS_FAILED,
                             advice="fix the certificate, or use --insecure only for a test server you trust"),
    Outcome.DROPPED: Rule(Action.RETRY, ExitCode.ERROR, Message.DROPPED, maybe_served=True, advice=_NEW_QR),
    Outcome.NETWORK: Rule(Action.RETRY, ExitCode.ERROR, Message.NETWORK, maybe_served=True, advice=_NEW_QR),
    # A half-written or garbled body is usually transient (the poller retries it, so it is retryable).
    Outcome.MALFORMED: Rule(Action.RETRY, ExitCode.ERROR, Message.NOT_THE_API, maybe_served=True, advice=_NOT_API),
    Outcome.ERROR_PAGE: Rule(None, ExitCode.ERROR, Message.NOT_THE_API, maybe_served=True, advice=_NOT_API),
    Outcome.NOT_YET: Rule(Action.WAIT, ExitCode.REJECTED, Message.ANSWERED_CODE, code=408),
    Outcome.SCANNED: Rule(Action.SCANNED, ExitCode.ERROR, Message.ANSWERED_CODE, code=202,
                          advice="the server requires a registration: give --register and its fields"),
    Outcome.RATE_LIMITED: Rule(Action.RATE_LIMITED, ExitCode.ERROR, Message.RATE_LIMITED, code=429,
                               advice="the server limits the request rate: run again later"),
    Outcome.EXPIRED: Rule(Action.EXPIRED, ExitCode.REJECTED, Message.ANSWERED_CODE, code=410, advice=_NEW_QR),
    Outcome.INPUT_REFUSED: Rule(Action.STOP, ExitCode.REJECTED, Message.INPUT_REFUSED, code=400,
                                advice="correct the input the server names and run again"),
    Outcome.CREDENTIALS_REFUSED: Rule(Action.STOP, ExitCode.REJECTED, Message.CREDENTIALS_REFUSED, code=401,
                                      advice="check the bearer credential (the profile's, or "
                                             "$QRLOGIN_TOKEN / --token-stdin)"),
    Outcome.NOT_FOUND: Rule(Action.STOP, ExitCode.REJECTED, Message.NOT_FOUND, code=404,
                            advice="check the appKey and the server URL"),
    Outcome.DECLINED: Rule(Action.DECLINED, ExitCode.REJECTED, Message.DECLINED, code=403,
                           advice="the phone user declined; run the login again for a new QR"),
    Outcome.ALREADY_USED: Rule(Action.STOP, ExitCode.REJECTED, Message.ANSWERED_CODE, code=409, advice=_NEW_QR),
    Outcome.REFUSED: Rule(Action.STOP, ExitCode.REJECTED, Message.ANSWERED_CODE),
    Outcome.SERVER_FAULT: Rule(Action.RETRY, ExitCode.ERROR, Message.SERVER_FAULT, code=500,
                               advice="the server failed: run again later"),
    Outcome.UNKNOWN_CODE: Rule(Action.STOP, ExitCode.ERROR, Message.ANSWERED_CODE),
    # Its own message; exit 5 like any error the user answers by running the login again.
    Outcome.ANSWER_LOST: Rule(Action.STOP, ExitCode.ERROR, Message.ANSWER_LOST, advice=_NEW_QR),
})

_BY_CODE: Mapping[int, Outcome] = MappingProxyType(
    {rule.code: outcome for outcome, rule in RULES.items() if rule.code is not None})


def outcome_for_code(code: int) -> Outcome:
    """The outcome an envelope code stands for (a code the contract names, else its class)."""
    if code in _BY_CODE:
        return _BY_CODE[code]
    if 500 <= code <= 599:
        return Outcome.SERVER_FAULT
    if 400 <= code <= 499:
        return Outcome.REFUSED
    return Outcome.UNKNOWN_CODE


# The answers that say "not yet" (408 waiting, 202 scanned): routine while a QR session polls, so
# neither a failure in the request log nor a reason to stop.
PENDING_ACTIONS = frozenset({Action.WAIT, Action.SCANNED})


def is_pending_code(code: int) -> bool:
    """Whether an envelope code is one of the contract's pending answers (by :data:`RULES`)."""
    return RULES[outcome_for_code(code)].action in PENDING_ACTIONS


class Classified(Protocol):
    """What the table reads of an error: its outcome, and the code it carries (if any)."""

    @property
    def outcome(self) -> Outcome: ...


def rule_for(error: Classified) -> Rule:
    return RULES[error.outcome]


def answer_code(error: Classified) -> int | None:
    """The code an error's answer carries: the envelope's, or an error page's HTTP status."""
    code = getattr(error, "code", None)
    return code if isinstance(code, int) else None


# The poller's defaults for the codes the contract names, read off the table above.
DEFAULT_CODES: Mapping[int, Action] = MappingProxyType(
    {rule.code: rule.action for rule in RULES.values() if rule.code is not None and rule.action is not None})


@dataclass(frozen=True)
class CodeTable:
    """The poller's action for each answer code: the defaults of :data:`RULES`, which a profile
    may change code by code (a real server may use other codes than the sandbox)."""

    codes: Mapping[int, Action] = field(default_factory=lambda: DEFAULT_CODES)
    server_errors: Action = RULES[Outcome.SERVER_FAULT].action  # type: ignore[assignment]  # any other 5xx
    unknown: Action = RULES[Outcome.UNKNOWN_CODE].action  # type: ignore[assignment]  # any other code
    # The contract's "session already used". Right after a Confirm-Login try that went unanswered
    # it means that try was served and its token lost (the driver's AnswerLost), not a conflict.
    already_used: int = RULES[Outcome.ALREADY_USED].code  # type: ignore[assignment]

    def action_for_code(self, code: int) -> Action:
        if code in self.codes:
            return self.codes[code]
        return self.server_errors if 500 <= code <= 599 else self.unknown

    def classify(self, error: Classified) -> Action:
        """The poller's next step after ``error``: by its code when it carries one, else by its row."""
        code = answer_code(error)
        if code is not None:
            return self.action_for_code(code)
        return cast(Action, rule_for(error).action)  # only ERROR_PAGE has none, and it carries its code

    def retries(self, error: Classified) -> bool:
        return self.classify(error) in (Action.RETRY, Action.RATE_LIMITED)

    def repeat_can_help(self, error: Classified) -> bool:
        """Whether sending the same request again may get another answer (a "Retry" worth offering)."""
        return self.classify(error) in REPEAT_CAN_HELP

    def with_codes(self, overrides: Mapping[int, Action | str]) -> CodeTable:
        merged = dict(self.codes)
        merged.update({int(k): Action(v) for k, v in overrides.items()})
        return dataclasses.replace(self, codes=MappingProxyType(merged))

    def to_json(self) -> dict[str, str]:
        return {str(k): v.value for k, v in sorted(self.codes.items())}

    @classmethod
    def from_json(cls, data: Mapping[str, str]) -> CodeTable:
        return cls().with_codes({int(k): Action(v) for k, v in data.items()})
