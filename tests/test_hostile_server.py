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
from hostile_server import ANSWERS, HostileServer, bomb_answer, gzip_bomb

pytestmark = pytest.mark.hostile

RUNNER = Path(__file__).with_name("hostile_server.py")
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
    "duplicate_keys": (ANSWERS["duplicate_keys"], INITIATE, "ProtocolError", "duplicate key 'code'"),
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
