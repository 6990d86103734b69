"""What an HTTP answer means: the endpoint's typed value, or the typed error it amounts to.

One reading for every transport: the client (httpx, :mod:`.client`) and the Locust users
(geventhttpclient, :mod:`qrlogin_desktop.load.answer`) hand over the status, the headers that matter
and the body they read under their own bounds, and get the same value or the same error.
"""

from __future__ import annotations

from typing import Any

from .catalogue import Endpoint, ResultKind
from .envelope import SNIPPET_CHARS, Envelope, decode_envelope, parse_retry_after
from .errors import ApiError, ProtocolError
from .models import ImageResult, sniff_image
from .redact import Redactor


def interpret_answer(ep: Endpoint, status: int, content_type: str | None, body: bytes, *, redactor: Redactor,
                     retry_after: str | None = None, location: str | None = None) -> tuple[Any, Envelope | None]:
    """The typed value and the envelope (None for a raw image), or one of our errors. ``content_type``,
    ``retry_after`` and ``location`` are the answer's headers as sent (None when absent); ``redactor``
    masks secrets in whatever of the answer an error carries."""
    content_type = (content_type or "").split(";")[0].strip().lower() or None
    if 300 <= status < 400:
        # Redirects are not followed (they would carry the bearer elsewhere), and a 3xx is never
        # the contract's answer, whatever envelope it carries.
        raise ProtocolError(f"a redirect (HTTP {status}) instead of an answer", http_status=status,
                            endpoint=ep.id, content_type=content_type,
                            snippet=redactor.url(location or "")[:SNIPPET_CHARS])
    if ep.result is ResultKind.IMAGE and status == 200:
        sniffed = sniff_image(body)
        if sniffed or (content_type or "").startswith("image/"):
            if not sniffed:
                raise ProtocolError("an image content type with bytes that are no image", http_status=status,
                                    endpoint=ep.id, content_type=content_type)
            return ImageResult(content_type if content_type and content_type.startswith("image/")
                               else sniffed, body), None
    envelope = decode_envelope(body, http_status=status, content_type=content_type, endpoint=ep.id,
                               redact=redactor.text)
    if envelope.code != 200:
        raise ApiError(envelope.code, redactor.text(envelope.error), http_status=status, endpoint=ep.id,
                       retry_after=parse_retry_after(retry_after), data=redactor.json(envelope.data),
                       violations=envelope.violations)
    if status >= 400:
        raise ProtocolError(f"HTTP {status} with a success envelope", http_status=status, endpoint=ep.id)
    if not envelope.has_data and ep.result not in (ResultKind.STRING, ResultKind.JSON):
        raise ProtocolError("the envelope has no data", http_status=status, endpoint=ep.id)
    return ep.decode(envelope.data), envelope
