"""Decoding of the contract's envelope ``{"code": int, "data": ..., "error": str}``.

Every way a server can answer something else maps to :class:`ProtocolError` with a short,
redacted snippet, so a caller only ever sees an :class:`Envelope` or one of our error types.
"""

from __future__ import annotations

import json
import json.scanner
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .bigtext import decode_utf8, paused_gc
from .errors import ProtocolError, Violation, shown_value

SNIPPET_CHARS = 120
_ABSENT = object()

# Bodies above this size are parsed with the standard library's pure-Python scanner. The C parser
# holds the GIL for the whole document (~100 ms for 5 MB here), which would freeze the GUI thread
# while a worker thread decodes; the Python scanner yields the GIL every few milliseconds.
LARGE_BODY = 256 * 1024


class NotStrictJson(ValueError):
    """Valid for Python's json module but not JSON we accept: an object with a key twice (which
    value counts would be up to the parser: "last key wins" lets a proxy and us disagree) or
    NaN/Infinity (not JSON at all)."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        twice = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise NotStrictJson(f"duplicate key {shown_value(twice)}")
    return obj


def _no_constant(name: str) -> Any:
    raise NotStrictJson(f"{name} is not JSON")


_STRICT = {"object_pairs_hook": _unique_keys, "parse_constant": _no_constant}


def _yielding_decoder() -> json.JSONDecoder:
    decoder = json.JSONDecoder(**_STRICT)  # type: ignore[arg-type]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    return decoder


_FAST = json.JSONDecoder(**_STRICT)  # type: ignore[arg-type]
_YIELDING = _yielding_decoder()


def loads(body: bytes | str) -> object:
    """Strict ``json.loads`` (no duplicate keys, no NaN/Infinity) that never holds the GIL for long
    on large documents."""
    if len(body) <= LARGE_BODY:
        # The same detection of UTF-8/16/32 that json.loads applies to bytes.
        return _FAST.decode(body.decode(json.detect_encoding(body), "surrogatepass") if isinstance(body, bytes) else body)
    text = decode_utf8(body) if isinstance(body, bytes) else body
    with paused_gc():
        return _YIELDING.decode(text)


@dataclass(frozen=True)
class Envelope:
    code: int
    data: Any
    error: str
    has_data: bool
    violations: tuple[Violation, ...] = ()

    @property
    def ok(self) -> bool:
        return self.code == 200


def snippet(body: bytes, redact: Callable[[str], str] | None = None) -> str:
    text = body[: SNIPPET_CHARS * 4].decode("utf-8", errors="replace").strip()
    text = " ".join(text.split())[:SNIPPET_CHARS]
    return redact(text) if redact else text


def decode_envelope(
    body: bytes,
    *,
    http_status: int | None = None,
    content_type: str | None = None,
    endpoint: str | None = None,
    redact: Callable[[str], str] | None = None,
) -> Envelope:
    def fail(reason: str) -> ProtocolError:
        return ProtocolError(reason, http_status=http_status, snippet=snippet(body, redact), endpoint=endpoint,
                             content_type=content_type)

    if not body.strip():
        raise fail("empty body")
    ctype = (content_type or "").lower()
    head = body[:64].lstrip()[:1]  # not body.lstrip(): that would copy a 5 MB answer to read a byte
    if "html" in ctype or head == b"<":
        raise fail("an HTML page instead of JSON")
    try:
        parsed = loads(body)
    except NotStrictJson as exc:
        raise fail(f"not JSON we accept ({exc})") from None
    except json.JSONDecodeError as exc:
        # pos counts characters of the decoded doc; an unterminated string is reported at its start
        truncated = exc.pos >= len(exc.doc.rstrip()) - 1 or exc.msg.startswith("Unterminated string")
        raise fail("truncated JSON" if truncated else f"not JSON ({exc.msg})") from None
    except (ValueError, RecursionError):  # bad encoding, huge integers, absurd nesting
        raise fail("not JSON") from None
    if not isinstance(parsed, dict):
        raise fail(f"the envelope must be a JSON object, got {type(parsed).__name__}")
    code = parsed.get("code", _ABSENT)
    if code is _ABSENT:
        raise fail("the envelope has no code")
    if isinstance(code, bool) or not isinstance(code, int):
        raise fail(f"the envelope's code must be an integer, got {type(code).__name__}")
    error = parsed.get("error")
    if error is not None and not isinstance(error, str):
        raise fail(f"the envelope's error must be a string, got {type(error).__name__}")
    data = parsed.get("data", _ABSENT)
    return Envelope(code=code, data=None if data is _ABSENT else data, error=error or "", has_data=data is not _ABSENT,
                    violations=error_violations(parsed) if code != 200 else ())


def error_violations(envelope: dict[str, Any]) -> tuple[Violation, ...]:
    """The broken rules of an error envelope, from either shape a server may use.

    Ours sends them top-level (``"violations": [...]``, ``data`` null: the provider's SDK types ``data``
    per endpoint and cannot read an object there); older servers put ``{"violations": [...]}`` in ``data``.
    """
    found = envelope.get("violations")
    if not isinstance(found, list):
        data = envelope.get("data")
        found = data.get("violations") if isinstance(data, dict) else None
    if not isinstance(found, list):
        return ()
    return tuple(v for v in map(Violation.from_json, found) if v is not None)


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        from email.utils import parsedate_to_datetime  # rare (HTTP-date form); email is slow to import

        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, min(seconds, 3600.0))
