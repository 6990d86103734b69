"""One exchange of the Locust users (qrlogin_desktop/load/answer.py): decoded and classified as the
API client does, and bounded: an overall deadline no drip extends, a cap on the answer's size.

It runs on gevent without Locust (importing Locust would monkey-patch this test process)."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from support import APP_KEY, TEST_TOKEN

from qrlogin_desktop.api import catalogue
from qrlogin_desktop.api.errors import ApiError, ProtocolError, TransportError, TransportKind
from qrlogin_desktop.api.models import TokenModel, UserQRCodeScanResult
from qrlogin_desktop.api.outcomes import Outcome
from qrlogin_desktop.load.answer import MAX_ANSWER_BYTES, Exchanger, failure_text

INITIATE, SCAN = catalogue.endpoint("QRAuthInitiate"), catalogue.endpoint("QRAuthScan")
CONFIRM = catalogue.endpoint("QRAuthConfirmLogin")


@pytest.mark.loopback
def test_a_login_against_the_sandbox_decodes_into_the_wire_types(loopback):
    exchanger = Exchanger(loopback.url, APP_KEY, TEST_TOKEN, deadline=5)
    try:
        key, _ = exchanger.call(INITIATE, {})
        assert isinstance(key, int)
        scanned, size = exchanger.call(SCAN, {"signInKey": key})
        assert isinstance(scanned, UserQRCodeScanResult) and size > 0
        token, _ = exchanger.call(CONFIRM, {"signInKey": key})
        assert isinstance(token, TokenModel) and token.access_token
        with pytest.raises(ApiError) as again:
            exchanger.call(SCAN, {"signInKey": key})
    finally:
        exchanger.close()
    assert again.value.outcome is Outcome.ALREADY_USED
    assert failure_text(again.value) == "already_used (code 409)"  # the outcome, never the server's text


@pytest.mark.loopback
def test_a_wrong_credential_is_refused_by_name(loopback):
    exchanger = Exchanger(loopback.url, APP_KEY, "not-the-credential", deadline=5)
    with pytest.raises(ApiError) as refused:
        exchanger.call(INITIATE, {})
    exchanger.close()
    assert failure_text(refused.value) == "credentials_refused (code 401)"


class RawServer:
    """A one-connection HTTP server on 127.0.0.1 that answers with ``answer(conn)``."""

    def __init__(self, answer):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, args=(answer,), daemon=True)
        self.thread.start()

    def _serve(self, answer) -> None:
        conn, _ = self.sock.accept()
        with conn:
            conn.recv(65536)
            answer(conn, self.stop)

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


def drip(conn, stop) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
    while not stop.wait(0.1):  # a byte every 0.1 s: each read succeeds, only an overall deadline ends it
        try:
            conn.sendall(b" ")
        except OSError:
            return


def huge(conn, stop) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 50000000\r\n\r\n")
    try:
        for _ in range(50000000 // 65536):
            if stop.is_set():
                return
            conn.sendall(b" " * 65536)
    except OSError:
        return


def test_a_dripping_answer_ends_at_the_overall_deadline():
    server = RawServer(drip)
    exchanger = Exchanger(server.url, APP_KEY, TEST_TOKEN, deadline=1.0)
    started = time.monotonic()
    try:
        with pytest.raises(TransportError) as late:
            exchanger.call(INITIATE, {})
    finally:
        exchanger.close()
        server.close()
    assert late.value.kind is TransportKind.TIMEOUT
    assert time.monotonic() - started < 1.0 + 1.0  # within the deadline + 1 s
    assert failure_text(late.value) == "timed_out"


def test_an_answer_over_the_cap_is_refused_while_it_is_read():
    server = RawServer(huge)
    exchanger = Exchanger(server.url, APP_KEY, TEST_TOKEN, deadline=10.0)
    try:
        with pytest.raises(ProtocolError) as large:
            exchanger.call(INITIATE, {})
    finally:
        exchanger.close()
        server.close()
    assert f"larger than {MAX_ANSWER_BYTES} bytes" in str(large.value)
    assert failure_text(large.value) == "malformed"


def test_nothing_listening_is_cannot_connect():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}"  # bound, not listening: the connection is refused
        exchanger = Exchanger(url, APP_KEY, TEST_TOKEN, deadline=2.0)
        with pytest.raises(TransportError) as refused:
            exchanger.call(INITIATE, {})
        exchanger.close()
    assert refused.value.kind is TransportKind.CONNECT


def answering(status: str, body: bytes, *headers: str):
    """An ``answer`` for RawServer: one complete HTTP/1.1 answer, then the connection closes."""
    def answer(conn, stop) -> None:
        head = [f"HTTP/1.1 {status}", "Content-Type: application/json", f"Content-Length: {len(body)}",
                "Connection: close", *headers]
        conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)
    return answer


# Each answer is read by the API client (httpx) and by the Locust user (geventhttpclient): one reading
# (api/interpret.py), so the same typed error with the same text, the credential masked in both.
ANSWERS = {
    "error status, success envelope": ("500 Internal Server Error", b'{"code": 200, "data": 1}'),
    "redirect": ("302 Found", b'{"code": 200, "data": 1}', f"Location: http://127.0.0.1:9/?t={TEST_TOKEN}"),
    "refusal echoing the credential": ("429 Too Many Requests",
                                       f'{{"code": 429, "error": "slow down, {TEST_TOKEN}", "data": null}}'.encode(),
                                       "Retry-After: 3"),
    "no data": ("200 OK", b'{"code": 200}'),
    "not JSON": ("200 OK", b"<html>busy</html>"),
}


@pytest.mark.loopback
@pytest.mark.parametrize("answer", ANSWERS.values(), ids=ANSWERS.keys())
def test_the_load_user_reads_an_answer_as_the_client_does(answer):
    import asyncio

    from qrlogin_desktop.api.client import QrLoginClient

    async def by_client(url: str) -> Exception:
        async with QrLoginClient(url, APP_KEY, TEST_TOKEN, timeout=5) as client:
            with pytest.raises((ApiError, ProtocolError)) as raised:
                await client.initiate()
        return raised.value

    client_server, load_server = RawServer(answering(*answer)), RawServer(answering(*answer))
    exchanger = Exchanger(load_server.url, APP_KEY, TEST_TOKEN, deadline=5)
    try:
        from_client = asyncio.run(by_client(client_server.url))
        with pytest.raises((ApiError, ProtocolError)) as from_load:
            exchanger.call(INITIATE, {})
    finally:
        exchanger.close()
        client_server.close()
        load_server.close()
    assert type(from_load.value) is type(from_client)
    assert str(from_load.value) == str(from_client)
    assert TEST_TOKEN not in str(from_load.value)
    assert from_load.value.outcome is from_client.outcome
    assert getattr(from_load.value, "retry_after", None) == getattr(from_client, "retry_after", None)
