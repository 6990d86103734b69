"""The sandbox's resource bounds: request body size and live QR sessions (see docs/decisions.md).

A load target must not be talked into unbounded memory: a request body is counted while it is
read from the ASGI stream and refused with HTTP 413 once past the cap (Content-Length is checked
before a byte is read), and the session store refuses new sessions past its cap with HTTP 503.
"""

from __future__ import annotations

DEFAULT_MAX_BODY_BYTES = 1024 * 1024  # 1 MiB: the largest valid body (a registration form) is a few KB
DEFAULT_MAX_SESSIONS = 100_000  # ~500 B each: about 50 MB; ~20 s of the load benchmark's Initiates

# The connection is closed after a refusal so the rest of an oversized upload is never read.
CLOSE_CONNECTION = [(b"connection", b"close")]


class BodyTooLarge(Exception):
    def __init__(self, limit: int, seen: int | None = None):
        self.limit = limit
        self.seen = seen  # bytes declared (Content-Length) or read when the cap was passed
        super().__init__(f"body: at most {limit} bytes (got {'more' if seen is None else seen})")


def declared_length(scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # uvicorn refuses a malformed Content-Length before the app sees it
    return None


async def read_capped_body(scope, receive, limit: int) -> bytes:
    """The whole request body, or BodyTooLarge as soon as it is known to exceed ``limit`` bytes."""
    declared = declared_length(scope)
    if declared is not None and declared > limit:
        raise BodyTooLarge(limit, declared)
    chunks = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:  # chunked uploads declare no length: count what arrives
            raise BodyTooLarge(limit, size)
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)
