"""One QR-Auth exchange over geventhttpclient, bounded and decoded as the project's client decodes it.

The Locust users cannot run the asyncio client (Locust is gevent), so the transport is
geventhttpclient, the library under Locust's own FastHttpUser; everything above the bytes is the
API layer's: the wire models build the body, :func:`~qrlogin_desktop.api.interpret.interpret_answer`
(the client's own reading) makes the answer a value or an error, and a failure is the same typed error
(:class:`~qrlogin_desktop.api.errors.ApiError`, ``ProtocolError``, ``TransportError``) naming its
:class:`~qrlogin_desktop.api.outcomes.Outcome`. Bounds as in the client: one overall deadline per
exchange (gevent's Timeout, so no drip of bytes extends it) and a cap on the answer's size.
"""

from __future__ import annotations

import json
from typing import Any

import gevent
from geventhttpclient import HTTPClient
from geventhttpclient.response import HTTPParseError

from .. import APP_NAME
from ..api.catalogue import Endpoint
from ..api.errors import ProtocolError, QrLoginError, TransportError, TransportKind, shown_value
from ..api.interpret import interpret_answer
from ..api.outcomes import Outcome
from ..api.redact import Redactor

# QR-Auth answers are a few hundred bytes; the client's general cap (16 MiB) is for the other endpoints.
MAX_ANSWER_BYTES = 64 * 1024
READ_PIECE = 4096


class _Deadline(Exception):
    """Raised by gevent.Timeout inside an exchange that outlived its deadline."""


class Exchanger:
    """Keep-alive HTTP to one server for one Locust user, one exchange at a time."""

    def __init__(self, base_url: str, app_key: str, token: str, *, deadline: float, verify_tls: bool = True):
        from urllib.parse import urlsplit

        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"server URL: must be http:// or https:// with a host, got {shown_value(base_url)}")
        self._base_url = base_url.rstrip("/")
        self._prefix = parts.path.rstrip("/")
        self.app_key = app_key
        self.deadline = deadline
        self._verify_tls = verify_tls
        self._redactor = Redactor([token])  # what an error carries of the answer never shows the credential
        self._headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                         "Accept": "application/json", "Accept-Encoding": "identity",
                         "User-Agent": f"{APP_NAME}-load"}
        self._http = self._connect()

    def _connect(self) -> HTTPClient:
        return HTTPClient.from_url(self._base_url, concurrency=1, connection_timeout=self.deadline,
                                   network_timeout=self.deadline, insecure=not self._verify_tls)

    def close(self) -> None:
        self._http.close()

    def call(self, ep: Endpoint, body: Any) -> tuple[Any, int]:
        """The decoded value of ``ep``'s answer and the answer's size; raises a :class:`QrLoginError`."""
        payload = json.dumps(body, ensure_ascii=False, allow_nan=False).encode()
        try:
            with gevent.Timeout(self.deadline, _Deadline):
                response = self._http.request(ep.method, self._prefix + ep.url_path(self.app_key), body=payload,
                                              headers=self._headers)
                try:
                    answer = _read_bounded(response, ep.id)
                finally:
                    response.release()
        except _Deadline:
            self._reset()
            raise TransportError(TransportKind.TIMEOUT, f"no full answer within {self.deadline:g} s",
                                 endpoint=ep.id) from None
        except ProtocolError:
            self._reset()  # a body left half-read cannot stay on a kept-alive connection
            raise
        except ConnectionRefusedError as exc:
            self._reset()
            raise TransportError(TransportKind.CONNECT, exc.strerror or "refused", endpoint=ep.id) from None
        except (HTTPParseError, ConnectionError) as exc:
            self._reset()
            raise TransportError(TransportKind.DROPPED, type(exc).__name__, endpoint=ep.id) from None
        except OSError as exc:
            self._reset()
            raise TransportError(TransportKind.OTHER, exc.strerror or type(exc).__name__, endpoint=ep.id) from None
        value, _envelope = interpret_answer(ep, response.status_code, response.get("content-type"), answer,
                                            redactor=self._redactor, retry_after=response.get("retry-after"),
                                            location=response.get("location"))
        return value, len(answer)

    def _reset(self) -> None:
        self._http.close()
        self._http = self._connect()


def _read_bounded(response, endpoint: str) -> bytes:
    pieces: list[bytes] = []
    size = 0
    while piece := response.read(READ_PIECE):
        size += len(piece)
        if size > MAX_ANSWER_BYTES:
            raise ProtocolError(f"answer larger than {MAX_ANSWER_BYTES} bytes (the load user's cap); stopped reading",
                                http_status=response.status_code, endpoint=endpoint)
        pieces.append(piece)
    return b"".join(pieces)


def failure_text(error: QrLoginError) -> str:
    """What Locust's failure table shows: the outcome's name (the code table's row) and the code, no server text."""
    outcome: Outcome = error.outcome
    code = getattr(error, "code", None)
    return f"{outcome.value} (code {code})" if isinstance(code, int) else outcome.value

