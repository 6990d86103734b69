"""Reading an answer body with a size cap that no server can get past.

httpx's own reader keeps the whole body in memory, and its gzip/deflate decoders inflate a whole
network chunk at once (``zlib.decompress`` without ``max_length``): one 64 KB chunk of a gzip
bomb becomes ~64 MB. Here the raw bytes are read as a stream and inflated in bounded pieces, and
reading stops the moment the DECODED size passes the cap.

Only the codings decoded here are advertised (:data:`ACCEPT_ENCODING`); any other coding in an
answer is refused rather than passed on undecoded.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

from .errors import ProtocolError
from .http_stack import httpx

ACCEPT_ENCODING = "gzip, deflate"
_INFLATE_PIECE = 64 * 1024  # most bytes one zlib call may produce


class AnswerTooLarge(ProtocolError):
    def __init__(self, limit: int, **kwargs: object):
        self.limit = limit
        super().__init__(f"answer larger than {limit} bytes (the client's cap); stopped reading", **kwargs)  # type: ignore[arg-type]


class _Inflater:
    """zlib in pieces of at most :data:`_INFLATE_PIECE` bytes; gzip members may follow each other."""

    def __init__(self, coding: str):
        self._gzip = coding in ("gzip", "x-gzip")
        self._z = self._new()
        self._first = True

    def _new(self) -> zlib._Decompress:
        return zlib.decompressobj(zlib.MAX_WBITS | 16 if self._gzip else zlib.MAX_WBITS)

    def feed(self, data: bytes) -> Iterator[bytes]:
        while True:
            try:
                out = self._z.decompress(data, _INFLATE_PIECE)
            except zlib.error:
                if not (self._first and not self._gzip):
                    raise
                # "deflate" is meant to be zlib-wrapped, but some servers send raw deflate.
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)
                out = self._z.decompress(data, _INFLATE_PIECE)
            self._first = False
            if out:
                yield out
            if self._z.eof:
                data = self._z.unused_data
                if not data:
                    return
                if not self._gzip:
                    raise zlib.error("data after the end of the deflate stream")
                self._z = self._new()  # another gzip member
                continue
            data = self._z.unconsumed_tail
            if not data and len(out) < _INFLATE_PIECE:
                return  # a full piece may leave output inside zlib: then loop on with empty input

    @property
    def complete(self) -> bool:
        return self._z.eof


class BoundedBody:
    """The decoded body of one answer, read up to ``limit`` bytes; what was read stays available
    (``data``) for the request log even when reading fails half-way."""

    def __init__(self, limit: int):
        self.limit = limit
        self.size = 0
        self._chunks: list[bytes] = []

    @property
    def data(self) -> bytes:
        return b"".join(self._chunks)

    def prefix(self, n: int) -> bytes:
        out, left = [], n
        for chunk in self._chunks:
            if left <= 0:
                break
            out.append(chunk[:left])
            left -= len(chunk)
        return b"".join(out)

    async def read(self, response: httpx.Response, *, endpoint: str | None = None) -> bytes:
        status = response.status_code
        content_type = response.headers.get("content-type")

        def too_large() -> AnswerTooLarge:
            return AnswerTooLarge(self.limit, http_status=status, endpoint=endpoint, content_type=content_type)

        codings = [c.strip().lower() for c in response.headers.get("content-encoding", "").split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise ProtocolError(f"content coding {', '.join(codings)!r} is not supported (we accept {ACCEPT_ENCODING})",
                                http_status=status, endpoint=endpoint, content_type=content_type)
        declared = response.headers.get("content-length", "")
        if not codings and declared.isdigit() and int(declared) > self.limit:
            raise too_large()  # refused before reading a byte
        inflater = _Inflater(codings[0]) if codings else None
        raw_size = 0
        # An answer a transport built in memory (httpx.Response(content=...), e.g. MockTransport) is
        # already read by httpx; its raw bytes are still in its (re-iterable) stream.
        raw_chunks = response.stream if response.is_stream_consumed else response.aiter_raw()
        async for raw in raw_chunks:  # type: ignore[union-attr]
            raw_size += len(raw)
            if raw_size > self.limit:  # compressed data that never decodes to anything counts too
                raise too_large()
            try:
                pieces = inflater.feed(raw) if inflater else (raw,)
                for piece in pieces:
                    self.size += len(piece)
                    if self.size > self.limit:
                        raise too_large()
                    self._chunks.append(piece)
            except zlib.error as exc:
                raise ProtocolError(f"the {codings[0]} answer does not decode ({exc})", http_status=status,
                                    endpoint=endpoint, content_type=content_type) from None
        if inflater and raw_size and not inflater.complete:
            raise ProtocolError(f"the {codings[0]} answer is truncated", http_status=status, endpoint=endpoint,
                                content_type=content_type)
        return self.data
