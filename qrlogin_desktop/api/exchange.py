"""What one call leaves behind: the redacted exchange (for the request log) and the typed result.

Kept apart from the client so the GUI's log and HAR export can use them without importing httpx.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from . import catalogue
from .catalogue import Endpoint
from .envelope import Envelope
from .outcomes import is_pending_code
from .redact import MASK

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
    # The answer envelope's own code (200, 408, 400, ...), as the client decoded it; None when no
    # envelope came (no answer, a raw image, an answer that is not the API's JSON).
    envelope_code: int | None = None

    @property
    def pending(self) -> bool:
        """A "not yet" answer (408 waiting, 202 scanned): routine while a QR session polls."""
        return self.envelope_code is not None and is_pending_code(self.envelope_code)

    @property
    def failed(self) -> bool:
        """The call did not hand over what it asked for: an error envelope (4xx/5xx or any code the
        contract does not name) that is not a pending answer, no answer, or not the API's answer."""
        return self.error is not None and not self.pending

    @property
    def body_cut(self) -> bool:
        """Only a prefix of the request body was kept (see LOG_BODY_PREFIX)."""
        return self.request_size > LOG_BODY_PREFIX


# Headers the HTTP client sets itself: a copied command lets curl set them as well.
_CURL_SKIPPED = frozenset({"host", "content-length", "accept-encoding", "connection", "user-agent"})


def curl_of(x: Exchange) -> str:
    """The logged request as a curl command. It is the redacted record: the bearer credential
    reads ``$QRLOGIN_TOKEN`` (the shell expands it) and masked values stay ``***``."""
    parts = ["curl", "-X", x.method, shlex.quote(x.url)]
    for name, value in x.request_headers:
        if name.lower() in _CURL_SKIPPED:
            continue
        if name.lower() == "authorization":
            parts += ["-H", '"Authorization: Bearer $QRLOGIN_TOKEN"']
            continue
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    if x.request_body is not None:
        parts += ["--data-raw", shlex.quote(x.request_body)]
    return " ".join(parts)


@dataclass(frozen=True)
class ReplayInputs:
    """What an endpoint page needs to send a logged request again."""

    endpoint: str
    query: dict[str, str]  # the query fields as sent, masked ones left out
    body: Any = None  # the JSON body as sent (None: no body, or it could not be recovered whole)
    masked: tuple[str, ...] = ()  # query fields whose value the log does not hold (secrets)
    body_lost: bool = False  # a body was sent but only a prefix of it was logged


def replay_inputs(x: Exchange) -> ReplayInputs | None:
    """The inputs of a logged request, for its endpoint page; None when the endpoint is unknown."""
    try:
        ep = catalogue.endpoint(x.endpoint)
    except KeyError:
        return None
    names = {f.name for f in ep.query}
    sent = dict(parse_qsl(urlsplit(x.url).query, keep_blank_values=True))
    query = {k: v for k, v in sent.items() if k in names and v != MASK}
    masked = tuple(k for k, v in sent.items() if k in names and v == MASK)
    body: Any = None
    lost = False
    if x.request_body is not None and ep.method != "GET":
        if x.body_cut:
            lost = True
        else:
            try:
                body = json.loads(x.request_body)
            except ValueError:
                lost = True
    return ReplayInputs(ep.id, query, body, masked, lost)


@dataclass(frozen=True)
class CallResult:
    endpoint: Endpoint
    value: Any
    http_status: int
    latency_ms: float
    envelope: Envelope | None = None  # None for raw image answers
    exchange: Exchange | None = field(default=None, repr=False)
