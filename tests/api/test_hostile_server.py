"""The client against a server that answers as badly as it can, over a real 127.0.0.1 socket.

Each case runs ONE call in a fresh process (tests/hostile_server.py) so its peak RSS growth is its
own, with logging at DEBUG and handlers on the root, "httpx" and "httpcore". Each must end in one
of our error types within the overall deadline + 1 s, grow RSS by less than 64 MB, and leave no
secret in the error, any log record, the request-log Exchange or its HAR export.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from hostile_server import ANSWERS, HostileServer, bomb_answer, fixed, gzip_bomb

pytestmark = [pytest.mark.hostile, pytest.mark.proof]

RUNNER = Path(__file__).resolve().parents[1] / "hostile_server.py"
DEADLINE = 2.0
RSS_GROWTH_LIMIT_MB = 64
# Valid but odd secrets: long, with '=', '+' and '/'; a sessionKey that must be percent-encoded.
TOKEN = "Odd+Cred/" + "x9Y+z/8=" * 60 + "Q7w+/=="
SESSION_KEY = "Sk+/=%2B&?#key:vAlue/42=="
DECRYPT = {"endpoint": "Decrypt", "query": {"encryptedData": "ZW5jcnlwdGVk", "iv": "aXZpdml2aXZpdml2aXZpdg==",
                                             "sessionKey": SESSION_KEY}}
INITIATE = {"endpoint": "QRAuthInitiate", "body": {"scopes": "userinfo"}}
MSG_SEC_CHECK = {"endpoint": "MsgSecCheck", "body": {"content": "hello", "version": 2, "scene": 2}}


def _secret_forms() -> list[str]:
    forms = {TOKEN, TOKEN[:24], TOKEN[-24:], SESSION_KEY}
    for s in (SESSION_KEY,):
        forms |= {quote(s, safe=""), quote_plus(s, safe=""), s[:12]}
    return sorted(forms)


# name: (answer, call, expected error type, words its message must contain)
CASES = {
    "drip_headers": (ANSWERS["drip_headers"], DECRYPT, "TransportError", "overall deadline"),
    "drip_body": (ANSWERS["drip_body"], DECRYPT, "TransportError", "overall deadline"),
    "big_body": (ANSWERS["big_body"], DECRYPT, "AnswerTooLarge", "answer larger than"),
    "big_chunked": (ANSWERS["big_chunked"], DECRYPT, "AnswerTooLarge", "answer larger than"),
    "gzip_bomb": (None, DECRYPT, "AnswerTooLarge", "answer larger than"),
    "invalid_utf8": (ANSWERS["invalid_utf8"], DECRYPT, "ProtocolError", "not JSON"),
    "deep_nesting": (ANSWERS["deep_nesting"], DECRYPT, "ProtocolError", "not JSON"),
    "redirect": (ANSWERS["redirect"], INITIATE, "ProtocolError", "redirect (HTTP 302)"),
    "duplicate_keys": (ANSWERS["duplicate_keys"], INITIATE, "ProtocolError", 'duplicate key "code"'),
    "nan": (ANSWERS["nan"], MSG_SEC_CHECK, "ProtocolError", "NaN is not JSON"),
    "huge_integer": (ANSWERS["huge_integer"], DECRYPT, "ProtocolError", "not JSON"),
    "echo_html": (ANSWERS["echo_html"], DECRYPT, "ProtocolError", "HTML"),
}


@pytest.fixture(scope="module")
def bomb() -> bytes:
    data = gzip_bomb()
    assert len(data) < 1_100_000  # ~1 MB on the wire for 1 GiB inflated
    return data


async def _run_case(url: str, call: dict) -> dict:
    case = {"url": url, "token": TOKEN, "timeout": DEADLINE, **call}
    child = await asyncio.create_subprocess_exec(
        sys.executable, str(RUNNER), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, env=os.environ.copy())
    try:
        out, err = await asyncio.wait_for(child.communicate(json.dumps(case).encode()), DEADLINE + 30)
    except TimeoutError:
        child.kill()
        await child.wait()
        pytest.fail(f"the call did not end within {DEADLINE + 30} s")
    assert child.returncode == 0, err.decode(errors="replace")[-2000:]
    return json.loads(out)


@pytest.mark.parametrize("name", list(CASES))
async def test_hostile_answer_is_bounded_typed_and_leaks_nothing(name: str, bomb: bytes):
    answer, call, expected, words = CASES[name]
    async with HostileServer(answer or bomb_answer(bomb)) as server:
        report = await _run_case(server.url, call)
    assert report["error"] == expected, report.get("message")
    assert words in report["message"]
    assert report["elapsed"] <= DEADLINE + 1.0
    assert report["rss_growth_mb"] < RSS_GROWTH_LIMIT_MB
    if expected == "TransportError":
        assert report["kind"] == "timeout"
    assert server.requests, "the call reached the server"
    # what the server got really carried the secrets, so not finding them below means something
    assert f"Bearer {TOKEN}".encode() in server.requests[0]
    leaks = [(form, text[:200]) for text in report["texts"] for form in _secret_forms() if form in text]
    assert not leaks
    assert any(t.startswith("httpx INFO HTTP Request") for t in report["texts"]) or expected == "TransportError"


async def test_the_bomb_really_is_one_gibibyte(bomb: bytes):
    import zlib

    inflater, total, data = zlib.decompressobj(31), 0, bomb
    while data:
        total += len(inflater.decompress(data, 64 * 1024 * 1024))
        data = inflater.unconsumed_tail
    assert inflater.eof and total == 1024 * 1024 * 1024


# --- in this process: the per-call deadline, the side calls, content codings, log masking --------------------

async def _timed(coro) -> tuple[float, BaseException | object]:
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    try:
        result: BaseException | object = await coro
    except Exception as exc:  # returned for the test to inspect
        result = exc
    return loop.time() - t0, result


async def test_per_call_timeout_overrides_the_clients_deadline():
    from qrlogin_desktop.api.client import QrLoginClient
    from qrlogin_desktop.api.errors import TransportError

    answers = [ANSWERS["drip_body"], fixed(b'{"code": 200, "data": 77}')]

    async def first_drips_then_answers(request: bytes, writer: asyncio.StreamWriter) -> None:
        await answers.pop(0)(request, writer)

    async with HostileServer(first_drips_then_answers) as server, \
            QrLoginClient(server.url, "demo", TOKEN, timeout=60) as client:
        elapsed, error = await _timed(client.initiate(timeout=1.0))
        assert isinstance(error, TransportError) and error.kind == "timeout"
        assert "overall deadline of 1 s" in str(error)
        assert elapsed <= 1.0 + 1.0
        assert await client.initiate(timeout=2.0) == 77  # the dripping connection is not reused


@pytest.mark.parametrize("answer", ["drip_headers", "big_body"])
async def test_ping_is_bounded_and_never_reads_the_body(answer: str):
    from qrlogin_desktop.api.client import QrLoginClient
    from qrlogin_desktop.api.errors import TransportError

    async with HostileServer(ANSWERS[answer]) as server, \
            QrLoginClient(server.url, "demo", TOKEN, timeout=DEADLINE) as client:
        elapsed, result = await _timed(client.ping())
    if answer == "drip_headers":
        assert isinstance(result, TransportError) and result.kind == "timeout"
    else:
        assert isinstance(result, float)  # headers came: the server answers; its 200 MB are not read
    assert elapsed <= DEADLINE + 1.0


@pytest.mark.parametrize("answer", ["drip_body", "big_body", "big_chunked"])
async def test_fetch_asset_stops_at_max_bytes_or_the_deadline(answer: str):
    from qrlogin_desktop.api.client import QrLoginClient
    from qrlogin_desktop.api.errors import ProtocolError, TransportError

    async with HostileServer(ANSWERS[answer]) as server, \
            QrLoginClient(server.url, "demo", TOKEN, timeout=DEADLINE) as client:
        elapsed, result = await _timed(client.fetch_asset(server.url + "/logo.png", max_bytes=100_000))
    if answer == "drip_body":
        assert isinstance(result, TransportError) and result.kind == "timeout"
    else:
        assert isinstance(result, ProtocolError) and "larger than 100000" in str(result)
    assert elapsed <= DEADLINE + 1.0


async def test_only_codings_we_decode_with_bounds_are_accepted():
    from qrlogin_desktop.api.client import QrLoginClient
    from qrlogin_desktop.api.errors import ProtocolError

    brotli = fixed(b"\x0b\x02\x80{}\x03", "200 OK", "application/json", "Content-Encoding: br")
    async with HostileServer(brotli) as server, QrLoginClient(server.url, "demo", TOKEN) as client:
        with pytest.raises(ProtocolError) as err:
            await client.scan(1)
    assert "'br' is not supported" in str(err.value)
    assert b"\r\naccept-encoding: gzip, deflate\r\n" in server.requests[0].lower()


async def test_gzip_and_deflate_answers_still_decode():
    import zlib

    from qrlogin_desktop.api.client import QrLoginClient

    body = b'{"code": 200, "data": 4242}'
    for coding, data in (("gzip", zlib.compress(body, wbits=31)), ("deflate", zlib.compress(body)),
                         ("deflate", zlib.compress(body, wbits=-15))):
        answer = fixed(data, "200 OK", "application/json", f"Content-Encoding: {coding}")
        async with HostileServer(answer) as server, QrLoginClient(server.url, "demo", TOKEN) as client:
            assert await client.initiate() == 4242


def test_log_masking_covers_any_logger_and_handler(caplog: pytest.LogCaptureFixture):
    import logging

    from qrlogin_desktop.api import logmask
    from qrlogin_desktop.api.redact import Redactor

    logmask.install()
    factory = logging.getLogRecordFactory()
    logmask.install()  # idempotent: no second wrapper
    assert logging.getLogRecordFactory() is factory and logmask.installed()
    Redactor([TOKEN])  # a value any Redactor learns is masked in every record
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(logging.Formatter("%(message)s").format(record))

    child = logging.getLogger("httpcore.http11.deeper")
    child.addHandler(Keep())
    child.setLevel(logging.DEBUG)
    try:
        child.debug("headers=[(b'Authorization', b'Bearer %s')]", "anything-unknown-123")
        child.info("GET http://h/x?iv=1&sessionKey=%s&y=2", quote(SESSION_KEY, safe=""))
        child.warning("user pasted %s", TOKEN)
        try:
            raise RuntimeError(f"failed with {TOKEN}")
        except RuntimeError:
            child.exception("call failed")
    finally:
        child.handlers.clear()
    text = "\n".join(seen)
    assert "anything-unknown-123" not in text and "sessionKey=***" in text and "iv=1" in text
    assert not [form for form in _secret_forms() if form in text]
    assert "call failed" in text and "RuntimeError: failed with ***" in text
