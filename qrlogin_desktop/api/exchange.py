"""What one call leaves behind: the redacted exchange (for the request log) and the typed result.

Kept apart from the client so the GUI's log and HAR export can use them without importing httpx.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .catalogue import Endpoint
from .envelope import Envelope

# The request log keeps this much of each body (redacted) and notes the full size: a log of many
# large answers must not hold them all. The margin is read past the cut so a secret straddling it is
# still recognised (and masked) whole before the text is cut.
LOG_BODY_PREFIX = 256 * 1024
REDACTION_MARGIN = 16 * 1024


@dataclass(frozen=True)
class Exchange:
    """One request and its answer (or failure), already redacted: safe to log, show and export."""

    started_at: float  # epoch seconds
    endpoint: str
    method: str
    url: str
    request_headers: tuple[tuple[str, str], ...]
    request_body: str | None  # a redacted prefix of at most LOG_BODY_PREFIX characters, see response_body
    request_size: int = 0  # bytes of the whole request body
    status: int | None = None
    response_headers: tuple[tuple[str, str], ...] = ()
    response_body: str | None = None  # redacted; a cut body ends with a note of its full size
    response_size: int = 0  # decoded bytes of the answer (as far as it was read)
    response_content_type: str | None = None
    latency_ms: float = 0.0
    error: str | None = None


@dataclass(frozen=True)
class CallResult:
    endpoint: Endpoint
    value: Any
    http_status: int
    latency_ms: float
    envelope: Envelope | None = None  # None for raw image answers
    exchange: Exchange | None = field(default=None, repr=False)
