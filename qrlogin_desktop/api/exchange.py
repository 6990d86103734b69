"""What one call leaves behind: the redacted exchange (for the request log) and the typed result.

Kept apart from the client so the GUI's log and HAR export can use them without importing httpx.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .catalogue import Endpoint
from .envelope import Envelope


@dataclass(frozen=True)
class Exchange:
    """One request and its answer (or failure), already redacted: safe to log, show and export."""

    started_at: float  # epoch seconds
    endpoint: str
    method: str
    url: str
    request_headers: tuple[tuple[str, str], ...]
    request_body: str | None
    status: int | None = None
    response_headers: tuple[tuple[str, str], ...] = ()
    response_body: str | None = None
    response_size: int = 0
    response_content_type: str | None = None
    latency_ms: float = 0.0
    error: str | None = None

    @property
    def request_size(self) -> int:
        return len(self.request_body.encode()) if self.request_body else 0


@dataclass(frozen=True)
class CallResult:
    endpoint: Endpoint
    value: Any
    http_status: int
    latency_ms: float
    envelope: Envelope | None = None  # None for raw image answers
    exchange: Exchange | None = field(default=None, repr=False)
