"""A scripted raw HTTP/1.1 server on 127.0.0.1 that answers as badly as a real server can, and the
client-side runner that measures one call against it in a fresh process.

Server side (used by tests/api/test_hostile_server.py and benchmarks/hostile_answers.py):
``async with HostileServer(ANSWERS["drip_body"]) as server: server.port``. Each answer is a
coroutine ``answer(request: bytes, writer)`` writing whatever bytes it likes.

Client side: ``python tests/hostile_server.py`` reads a JSON case from stdin, makes ONE call with
logging at DEBUG (handlers on the root, "httpx" and "httpcore"), and prints a JSON report: the error,
the time taken, the peak RSS growth during the call, and every text that could leak a secret (the
error, each log record, the request-log Exchange and its HAR export). A fresh process per case is
what makes the RSS figure honest: the test process's own high-water mark is polluted by earlier tests.
"""

from __future__ import annotations

import asyncio
import json
import struct
import sys
import zlib
from collections.abc import Awaitable, Callable

Answer = Callable[[bytes, asyncio.StreamWriter], Awaitable[None]]

MB = 1024 * 1024
BIG = 200 * MB
DRIP_PAUSE = 0.25  # well under any per-read timeout: only an overall deadline stops a drip
DRIP_FOR = 60.0  # a drip gives up after this long, so a client that never stops cannot hang a test


class HostileServer:
    def __init__(self, answer: Answer):
        self.answer = answer
        self.port = 0
        self.requests: list[bytes] = []
        self._server: asyncio.AbstractServer | None = None
        self._handlers: set[asyncio.Task] = set()

    async def __aenter__(self) -> HostileServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in self._handlers:  # a drip still dripping to a client that gave up
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        await self._server.wait_closed()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)
            request = head + (await reader.readexactly(length) if length else b"")
            self.requests.append(request)
            await self.answer(request, writer)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # the client hung up: that is what a bounded client does to us
        except asyncio.CancelledError:
            pass  # the server is shutting down
        finally:
            writer.close()
            self._handlers.discard(task)


def _head(status: str = "200 OK", *headers: str) -> bytes:
    return ("HTTP/1.1 " + status + "\r\n" + "".join(h + "\r\n" for h in headers) + "\r\n").encode()


def fixed(body: bytes, status: str = "200 OK", content_type: str = "application/json", *extra: str) -> Answer:
    async def answer(request: bytes, writer: asyncio.StreamWriter) -> None:
        writer.write(_head(status, f"Content-Type: {content_type}", f"Content-Length: {len(body)}", *extra) + body)

    return answer


async def _drip(writer: asyncio.StreamWriter, data: bytes) -> None:
    loop = asyncio.get_running_loop()
    stop = loop.time() + DRIP_FOR
    for i in range(len(data)):
        if loop.time() > stop:
            return
        writer.write(data[i:i + 1])
        await writer.drain()
        await asyncio.sleep(DRIP_PAUSE)


async def drip_headers(request: bytes, writer: asyncio.StreamWriter) -> None:
    await _drip(writer, _head("200 OK", "Content-Type: application/json", *[f"X-Pad-{i}: {'p' * 50}" for i in range(400)]))


async def drip_body(request: bytes, writer: asyncio.StreamWriter) -> None:
    body = b'{"code": 200, "data": "' + b"d" * 10_000 + b'"}'
    writer.write(_head("200 OK", "Content-Type: application/json", f"Content-Length: {len(body)}"))
    await _drip(writer, body)


async def _stream(writer: asyncio.StreamWriter, total: int, *, chunked: bool) -> None:
    """A success envelope whose string data makes the body ``total`` bytes, sent 64 KiB at a time."""
    head, tail, piece = b'{"code": 200, "data": "', b'"}', b"x" * (64 * 1024)

    def frame(data: bytes) -> bytes:
        return b"%x\r\n%s\r\n" % (len(data), data) if chunked else data

    writer.write(frame(head))
    left = total - len(head) - len(tail)
    while left > 0:
        data = piece[:left]
        writer.write(frame(data))
        await writer.drain()
        left -= len(data)
    writer.write(frame(tail) + (b"0\r\n\r\n" if chunked else b""))


async def big_body(request: bytes, writer: asyncio.StreamWriter) -> None:
    writer.write(_head("200 OK", "Content-Type: application/json", f"Content-Length: {BIG}"))
    await _stream(writer, BIG, chunked=False)


async def big_chunked(request: bytes, writer: asyncio.StreamWriter) -> None:
    writer.write(_head("200 OK", "Content-Type: application/json", "Transfer-Encoding: chunked"))
    await _stream(writer, BIG, chunked=True)


def gzip_bomb(inflated_mib: int = 1024) -> bytes:
    """A valid gzip stream of ``inflated_mib`` MiB of zeros (1 GiB from ~1 MB by default), built
    without ever holding the inflated bytes: after a full flush deflate forgets its history, so the
    compressed form of each further MiB is the same ~1 KB block, repeated."""
    mib = bytes(MB)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    first = deflate.compress(mib) + deflate.flush(zlib.Z_FULL_FLUSH)
    repeat = deflate.compress(mib) + deflate.flush(zlib.Z_FULL_FLUSH)
    end = deflate.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(inflated_mib):
        crc = zlib.crc32(mib, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    trailer = struct.pack("<II", crc, (inflated_mib * MB) & 0xFFFFFFFF)
    return header + first + repeat * (inflated_mib - 1) + end + trailer


def bomb_answer(bomb: bytes) -> Answer:
    return fixed(bomb, "200 OK", "application/json", "Content-Encoding: gzip")


async def echo_html(request: bytes, writer: asyncio.StreamWriter) -> None:
    """An error page that shows the request it got, headers and all (as some proxies do)."""
    body = b"<html><body><h1>400 Bad Request</h1><pre>" + request + b"</pre></body></html>"
    writer.write(_head("200 OK", "Content-Type: text/html", f"Content-Length: {len(body)}") + body)


ANSWERS: dict[str, Answer] = {
    "drip_headers": drip_headers,
    "drip_body": drip_body,
    "big_body": big_body,
    "big_chunked": big_chunked,
    "invalid_utf8": fixed(b'{"code": 200, "data": "\xff\xfe\xc3("}'),
    "deep_nesting": fixed(b"[" * 100_000 + b"]" * 100_000),
    "redirect": fixed(b'{"code": 200, "data": 5}', "302 Found", "application/json", "Location: http://elsewhere.test/"),
    "duplicate_keys": fixed(b'{"code": 500, "error": "refused", "code": 200, "data": 5}'),
    "nan": fixed(b'{"code": 200, "data": NaN}'),
    "huge_integer": fixed(b'{"code": 200, "data": ' + b"9" * 100_000 + b"}"),
    "echo_html": echo_html,
}


# --- the client side: one call in this (fresh) process ------------------------------------------------------

def _status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))


def reset_peak_rss() -> int:
    """Reset the kernel's RSS high-water mark (VmHWM) to the current RSS and return it (bytes):
    the peak of the call alone, not of the imports before it."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    return _status_kb("VmRSS") * 1024


def peak_rss() -> int:
    return _status_kb("VmHWM") * 1024


async def _one_call(case: dict) -> dict:
    import logging
    import time

    texts: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            texts.append(self.format(record))

    fmt = logging.Formatter("%(name)s %(levelname)s %(message)s")
    logging.basicConfig(level=logging.DEBUG, handlers=[Capture()], force=True)
    logging.getLogger().handlers[0].setFormatter(fmt)
    for name in ("httpx", "httpcore"):
        handler = Capture()
        handler.setFormatter(fmt)
        logging.getLogger(name).addHandler(handler)
        logging.getLogger(name).setLevel(logging.DEBUG)

    from qrlogin_desktop.api.client import QrLoginClient
    from qrlogin_desktop.api.errors import QrLoginError
    from qrlogin_desktop.api.har import to_har

    exchanges = []
    report: dict = {}
    async with QrLoginClient(case["url"], "demo", case["token"], timeout=case["timeout"]) as client:
        client.add_listener(exchanges.append)
        baseline = reset_peak_rss()
        t0 = time.perf_counter()
        try:
            await client.call(case["endpoint"], query=case.get("query"), body=case.get("body"))
            report["error"] = None
        except QrLoginError as error:
            report.update(error=type(error).__name__, message=str(error), kind=getattr(error, "kind", None))
            texts.extend([str(error), repr(error.args), getattr(error, "snippet", "")])
        except BaseException as error:  # the report says what escaped
            report.update(error=f"untyped {type(error).__name__}", message=str(error)[:300])
        report["elapsed"] = time.perf_counter() - t0
        peak = peak_rss()
    report["rss_growth_mb"] = max(0, peak - baseline) / MB
    report["peak_rss_mb"] = peak / MB
    for x in exchanges:
        texts.append(json.dumps(x.__dict__, ensure_ascii=False, default=str))
    texts.append(json.dumps(to_har(exchanges), ensure_ascii=False))
    report["texts"] = texts
    return report


if __name__ == "__main__":
    import os
    import resource

    # A safety net for running against old code: a client that reads everything fails with a
    # MemoryError here instead of making the machine swap.
    cap = int(os.environ.get("HOSTILE_AS_LIMIT_MB", "3072")) * MB
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    print(json.dumps(asyncio.run(_one_call(json.load(sys.stdin)))))
