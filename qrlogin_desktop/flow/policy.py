"""How fast the poller polls (:class:`PollPolicy`), and how it treats each answer: data a profile can change.

What each answer means (retry, wait, stop) is the one error-policy table in
:mod:`qrlogin_desktop.api.outcomes`; its :class:`CodeTable` (a profile may remap codes) and
:class:`Action` are re-exported here for the flow's readers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from ..api.outcomes import DEFAULT_CODES, Action, CodeTable

__all__ = ["Action", "CodeTable", "DEFAULT_CODES", "PollPolicy"]


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
