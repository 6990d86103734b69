"""Masking of secrets in every log record of the process, whatever logging configuration is set up.

httpx logs each request's URL at INFO (the Decrypt URL carries ``sessionKey=``) and httpcore logs
headers at DEBUG. A filter on the "httpx" logger misses records of its children, and a handler
filter depends on the user's handlers; a LogRecordFactory sees every record of every logger as it
is made, before any handler. So :func:`install` (run once, when the client module loads) wraps
the current factory: each new record's formatted message, exception text and stack text are
masked with the secrets every :class:`~.redact.Redactor` has learnt (process-wide) and by name
(query parameters, Authorization/Cookie values, JSON members, bearer credentials, JWTs).

Records are only made for enabled levels, so the cost falls on records that would be formatted
anyway (measured in docs/decisions.md: a few microseconds each).
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

from .redact import (
    _AUTH_PARAM_AHEAD,
    _JWT,
    _SENSITIVE_MEMBER,
    MASK,
    SENSITIVE_NAMES,
    known_secrets,
    mask_bearer,
)

_NAMES = "|".join(sorted(map(re.escape, SENSITIVE_NAMES), key=len, reverse=True))
# name=value in a query string or a form (sessionKey=..., access_token=...).
# A value already masked (as is or percent-encoded, as the Redactor writes a URL) is left as it is.
_PARAM = re.compile(rf"(?i)(\b(?:{_NAMES})=)(?!(?:\*\*\*|%2A%2A%2A)(?:[&\s'\"#]|$))[^&\s'\"#]+")
_PARAM_HINTS = tuple(name + "=" for name in SENSITIVE_NAMES)
# A header as text ("Authorization: Bearer x") or as httpcore logs it ((b'authorization', b'Bearer x')).
_HEADER = re.compile(r"(?i)(\b(?:proxy-authorization|authorization|set-cookie|cookie)['\"]?"
                     r"(?:\s*[:=]\s*|,\s*b?)['\"]?)[^'\"\r\n]+")
# Wider than the Redactor's: a log line may quote a credential a server would refuse (non-ASCII).
# The same rules for what is masked (redact.mask_bearer): a credential, not prose or `realm=`.
_BEARER = re.compile(r"(?i)(\bbearer\s+)" + _AUTH_PARAM_AHEAD + r"([^\s'\",;)\]}]*[^\s'\",;)\]}.:!?])")

_lock = threading.Lock()
_MARK = "_qrlogin_masks_secrets"


def mask(text: str) -> str:
    for secret in known_secrets():
        if secret in text:
            text = text.replace(secret, MASK)
    # Cheap substring tests first: most records (httpcore's "connect_tcp.started ...") need no regex.
    low = text.lower()
    if "=" in text and any(hint in low for hint in _PARAM_HINTS):
        text = _PARAM.sub(lambda m: m.group(1) + MASK, text)
    if '"' in text and any(name in low for name in SENSITIVE_NAMES):
        text = _SENSITIVE_MEMBER.sub(lambda m: m.group(1) + m.group(2) + MASK + m.group(4), text)
    if "authorization" in low or "cookie" in low:
        text = _HEADER.sub(lambda m: m.group(1) + MASK, text)
    if "bearer" in low:
        text = mask_bearer(text, _BEARER)
    if "eyj" in low:
        text = _JWT.sub(MASK, text)
    return text


def _mask_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: logging reports it itself when the record is handled
        return
    masked = mask(message)
    if masked != message:
        record.msg, record.args = masked, ()
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        # Formatters reuse exc_text when it is set, so the traceback they print is the masked one.
        record.exc_text = mask(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = mask(record.stack_info)


def install() -> None:
    """Wrap the current LogRecordFactory (idempotent: a second call changes nothing)."""
    with _lock:
        previous = logging.getLogRecordFactory()
        if getattr(previous, _MARK, False):
            return

        def masking_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            _mask_record(record)
            return record

        setattr(masking_factory, _MARK, True)
        logging.setLogRecordFactory(masking_factory)


def installed() -> bool:
    return bool(getattr(logging.getLogRecordFactory(), _MARK, False))
