"""How the poller treats each answer, and how fast it polls: data a profile can change.

A real server may use other codes than the sandbox, so the meaning of each envelope code is one
table (:class:`CodeTable`), not ``if`` statements scattered through the driver.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType

from ..api.errors import ApiError, ProtocolError, QrLoginError, TransportError, ValidationError


class Action(str, Enum):
    WAIT = "wait"  # not yet (408): keep polling
    SCANNED = "scanned"  # scanned, waiting for the phone user (202): keep polling, faster
    RATE_LIMITED = "rate_limited"  # 429: wait Retry-After, then keep polling
    RETRY = "retry"  # server fault / no answer: back off, retry a bounded number of times
    EXPIRED = "expired"  # 410: the QR is dead; maybe refresh
    DECLINED = "declined"  # 403 (sandbox explicit consent): the phone user said no; stop, no refresh
    STOP = "stop"  # anything else: fail with this error


DEFAULT_CODES: Mapping[int, Action] = MappingProxyType({
    408: Action.WAIT,
    202: Action.SCANNED,
    429: Action.RATE_LIMITED,
    410: Action.EXPIRED,
    403: Action.DECLINED,
    400: Action.STOP,
    401: Action.STOP,
    404: Action.STOP,
    409: Action.STOP,
    500: Action.RETRY,
})


@dataclass(frozen=True)
class CodeTable:
    codes: Mapping[int, Action] = field(default_factory=lambda: DEFAULT_CODES)
    server_errors: Action = Action.RETRY  # any other 5xx
    unknown: Action = Action.STOP  # any other code
    # The contract's "session already used". Right after a Confirm-Login try that went unanswered
    # it means that try was served and its token lost (the driver's AnswerLost), not a conflict.
    already_used: int = 409

    def action_for_code(self, code: int) -> Action:
        if code in self.codes:
            return self.codes[code]
        return self.server_errors if 500 <= code <= 599 else self.unknown

    def classify(self, error: QrLoginError) -> Action:
        if isinstance(error, ApiError):
            return self.action_for_code(error.code)
        if isinstance(error, TransportError):
            return Action.RETRY if error.retryable else Action.STOP
        if isinstance(error, ProtocolError):
            # A proxy's HTML 502 or a half-written body is usually transient; a 4xx page is not.
            if error.code is not None:
                return self.action_for_code(error.code)
            return Action.RETRY
        if isinstance(error, ValidationError):
            return Action.STOP
        return Action.STOP

    def with_codes(self, overrides: Mapping[int, Action | str]) -> CodeTable:
        merged = dict(self.codes)
        merged.update({int(k): Action(v) for k, v in overrides.items()})
        return dataclasses.replace(self, codes=MappingProxyType(merged))

    def to_json(self) -> dict[str, str]:
        return {str(k): v.value for k, v in sorted(self.codes.items())}

    @classmethod
    def from_json(cls, data: Mapping[str, str]) -> CodeTable:
        return cls().with_codes({int(k): Action(v) for k, v in data.items()})


@dataclass(frozen=True)
class PollPolicy:
    """Poll pacing. ``min_interval`` is the configured rate limit: we never poll faster.

    While nobody has scanned, the interval grows by ``growth`` per "not yet" up to
    ``idle_interval`` (a QR that sits unscanned costs the server little). Right after a scan is
    seen (202) it drops to ``min_interval``, because the decision usually follows within seconds.
    """

    min_interval: float = 0.25
    idle_interval: float = 1.0
    growth: float = 1.25
    max_retries: int = 5  # consecutive faults before giving up with the last error
    backoff_base: float = 0.5
    backoff_cap: float = 8.0
    session_ttl: float = 120.0  # the API does not tell us; the profile may
    auto_refresh: int = 0  # new QRs to start after expiry
    rng: random.Random = field(default_factory=random.Random, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.min_interval <= 0 or self.idle_interval < self.min_interval:
            raise ValueError("poll intervals: need 0 < min_interval <= idle_interval")
        if self.growth < 1 or self.max_retries < 0 or self.auto_refresh < 0:
            raise ValueError("poll policy: growth >= 1, max_retries >= 0, auto_refresh >= 0")

    def next_wait_interval(self, current: float) -> float:
        return min(self.idle_interval, max(self.min_interval, current * self.growth))

    def backoff(self, failures: int) -> float:
        """Capped exponential backoff with jitter (half fixed, half random: no thundering herd)."""
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** max(0, failures - 1))
        return max(self.min_interval, ceiling / 2 + self.rng.uniform(0, ceiling / 2))
