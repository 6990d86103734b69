"""Fault injection for operator testing: latency, 500s, 429s, malformed bodies, dropped connections.

``drop`` cuts the connection before the request is served; ``drop-after`` serves it (the session
moves on, a token may be handed out) and then cuts the answer off, as a proxy that loses an
answer does. ``hang`` holds the request for ``hang_seconds`` before serving it.

All off by default. Rates are shares of API requests (0..1); a scripted queue forces the next
faults in order, so tests get exact bursts ("500, 500, then fine") without relying on chance.
The injector is a plain ASGI wrapper (no Starlette middleware) to keep the fast path fast.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any

KINDS = ("500", "429", "malformed", "drop", "drop-after", "hang")
MALFORMED_VARIANTS = ("html", "empty", "truncated", "wrong_types", "missing_code", "garbage")


class DropConnection(Exception):
    """Raised after a partial answer: uvicorn then closes the socket without finishing the body."""


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DropConnection)


logging.getLogger("uvicorn.error").addFilter(_QuietDrops())


_RULE = "rule"  # the field metadata key of a setting's (check, rule text)


def _share() -> Any:
    """A share of the API requests, off by default."""
    return field(default=0.0, metadata={_RULE: (lambda v: 0.0 <= v <= 1.0, "must be between 0 and 1")})


def _not_negative(default: float) -> Any:
    return field(default=default, metadata={_RULE: (lambda v: v >= 0, "must not be negative")})


@dataclass
class Faults:
    latency_ms: float = _not_negative(0.0)
    error_rate: float = _share()
    rate_limit_rate: float = _share()
    malformed_rate: float = _share()
    drop_rate: float = _share()
    retry_after: float = _not_negative(1.0)
    hang_seconds: float = 30.0
    rng: random.Random = field(default_factory=random.Random, repr=False)
    _script: deque[str] = field(default_factory=deque, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        for f in fields(self):
            if _RULE in f.metadata:
                holds, rule = f.metadata[_RULE]
                value = getattr(self, f.name)
                if not holds(value):
                    raise ValueError(f"{f.name}: {rule} (got {value})")

    def script(self, kinds: Iterable[str]) -> None:
        """Force the next answers, e.g. ``["500", "500", "malformed:html", "drop"]``."""
        kinds = list(kinds)
        for kind in kinds:
            base, _, variant = kind.partition(":")
            if base not in KINDS or (variant and variant not in MALFORMED_VARIANTS):
                raise ValueError(f"unknown fault {kind!r}; known: {', '.join(KINDS)} (malformed:{'|'.join(MALFORMED_VARIANTS)})")
        with self._lock:
            self._script.extend(kinds)

    def clear(self) -> None:
        with self._lock:
            self._script.clear()

    @property
    def active(self) -> bool:
        return bool(self._script or self.latency_ms or self.error_rate or self.rate_limit_rate
                    or self.malformed_rate or self.drop_rate)

    def next(self) -> str | None:
        with self._lock:
            if self._script:
                return self._script.popleft()
        roll = self.rng.random()
        for kind, rate in (("500", self.error_rate), ("429", self.rate_limit_rate),
                           ("malformed", self.malformed_rate), ("drop", self.drop_rate)):
            if roll < rate:
                return kind
            roll -= rate
        return None


def _malformed_body(variant: str) -> tuple[bytes, str]:
    if variant == "html":
        return b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>", "text/html"
    if variant == "empty":
        return b"", "application/json"
    if variant == "truncated":
        return b'{"code": 200, "data": {"access_token": "eyJhbGciOi', "application/json"
    if variant == "wrong_types":
        return json.dumps({"code": "200", "data": 5, "error": 7}).encode(), "application/json"
    if variant == "missing_code":
        return json.dumps({"data": None, "error": ""}).encode(), "application/json"
    return b"\x00\xff\xfe garbage \x9c", "application/octet-stream"


class FaultInjector:
    """ASGI wrapper applying :class:`Faults` to API paths (``/Wechat/...``) only."""

    def __init__(self, app, faults: Faults, prefix: str = "/Wechat/"):
        self.app = app
        self.faults = faults
        self.prefix = prefix

    async def __call__(self, scope, receive, send) -> None:
        faults = self.faults
        if scope["type"] != "http" or not faults.active or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        kind = faults.next()
        if kind is None:
            await self.app(scope, receive, send)
            return
        base, _, variant = kind.partition(":")
        if base == "500":
            await _send(send, 500, json.dumps({"code": 500, "data": None, "error": "injected server fault / 注入的服务器错误"}).encode())
        elif base == "429":
            body = json.dumps({"code": 429, "data": None, "error": "rate limited / 请求过于频繁"}).encode()
            await _send(send, 429, body, extra=[(b"retry-after", str(faults.retry_after).encode())])
        elif base == "malformed":
            body, ctype = _malformed_body(variant or faults.rng.choice(MALFORMED_VARIANTS))
            await _send(send, 200, body, ctype)
        elif base == "hang":
            await asyncio.sleep(faults.hang_seconds)
            await self.app(scope, receive, send)
        elif base == "drop-after":
            await self.app(scope, receive, _discard)  # served for real; the answer goes nowhere
            await _drop(send)
        else:
            await _drop(send)


async def _discard(message) -> None:
    pass


async def _drop(send) -> None:
    """Promise a body, send part of it, then abort the connection."""
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")]})
    await send({"type": "http.response.body", "body": b'{"code": 200, "da', "more_body": True})
    raise DropConnection("injected dropped connection")


async def _send(send, status: int, body: bytes, content_type: str = "application/json",
                extra: list[tuple[bytes, bytes]] | None = None) -> None:
    headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers + (extra or [])})
    await send({"type": "http.response.body", "body": body})
