"""A JavaScript phone completes QR logins against the sandbox over loopback.

The phone side of a QR login is a WeChat mini program: JavaScript, whose numbers are exact only up to
2^53. ``tests/sandbox/js/phone.mjs`` plays it in Node: it reads the QR payloads the desktop shows, takes the
signInKey out of each (``JSON.parse``, as a phone treating it as a number does, or kept as its decimal
text), then calls Scan and Confirm-Login. The desktop side (our client) initiates the sessions.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from support import APP_KEY, TEST_TOKEN

from qrlogin_desktop.api.client import QrLoginClient
from qrlogin_desktop.flow.qr import DEFAULT_PAYLOAD_TEMPLATE, render_payload
from qrlogin_desktop.sandbox import Sandbox, SandboxConfig
from qrlogin_desktop.sandbox.server import SandboxThread
from qrlogin_desktop.sandbox.sessions import SessionState

pytestmark = pytest.mark.loopback

PHONE = Path(__file__).parent / "js" / "phone.mjs"
NODE = shutil.which("node")
LOGINS = 200
JS_MAX_SAFE_INTEGER = 2**53 - 1
PHONE_DEADLINE_S = 90  # 400 loopback requests take a few seconds; this only stops a hung phone


def _node_major() -> int:
    assert NODE is not None
    out = subprocess.run([NODE, "--version"], capture_output=True, text=True, timeout=10, check=True).stdout
    return int(out.strip().lstrip("v").split(".")[0])


_NO_NODE = ("node is not installed (Debian: apt-get install nodejs)" if NODE is None
            else "the phone script needs Node 18+ (global fetch)" if _node_major() < 18 else None)
if _NO_NODE and os.environ.get("QRLOGIN_REQUIRE_NODE") == "1":  # CI installs Debian's nodejs
    raise RuntimeError(f"QRLOGIN_REQUIRE_NODE=1 but {_NO_NODE}")
if _NO_NODE:  # a developer machine may lack it
    pytestmark = [pytestmark, pytest.mark.skip(reason=_NO_NODE)]


async def _initiate(url: str, count: int) -> list[int]:
    async with QrLoginClient(url, APP_KEY, TEST_TOKEN, timeout=5.0) as desktop:
        return [await desktop.initiate(scopes="userinfo") for _ in range(count)]


async def _phone_logins(sandbox: Sandbox, key_as: str) -> tuple[list[int], list[dict]]:
    """Initiate LOGINS sessions as the desktop, then let the Node phone scan and confirm each one."""
    with SandboxThread(sandbox) as running:
        keys = await _initiate(running.url, LOGINS)
        payloads = "".join(render_payload(DEFAULT_PAYLOAD_TEMPLATE, sign_in_key=k, app_key=APP_KEY) + "\n"
                           for k in keys)
        phone = await asyncio.to_thread(
            subprocess.run, [NODE, str(PHONE), running.url, key_as], input=payloads, capture_output=True,
            text=True, timeout=PHONE_DEADLINE_S, env={**os.environ, "QRLOGIN_TOKEN": TEST_TOKEN})
    assert phone.returncode == 0, phone.stderr
    results = [json.loads(line) for line in phone.stdout.splitlines()]
    assert [int(r["key"]) for r in results] == keys  # one answer per QR, in order
    return keys, results


def _sandbox(**options) -> Sandbox:
    return Sandbox(SandboxConfig(app_key=APP_KEY, token=TEST_TOKEN, **options))


def _assert_logged_in(sandbox: Sandbox, keys: list[int], results: list[dict]) -> None:
    assert [(r["scan"], r["confirm"]) for r in results] == [(200, 200)] * LOGINS
    tokens = [r["token"] for r in results]
    assert len(set(tokens)) == LOGINS
    for token in tokens:
        claims = sandbox.issuer.verify(token)
        assert claims is not None, "not a token this sandbox issued"
        assert (claims["aud"], claims["grant_type"]) == (APP_KEY, "qrcode_login")
    assert all(sandbox.sessions.get(k).state is SessionState.DELIVERED for k in keys)


async def test_js_phone_completes_200_of_200_logins():
    sandbox = _sandbox()
    keys, results = await _phone_logins(sandbox, "number")
    assert all(0 < k <= JS_MAX_SAFE_INTEGER for k in keys)
    # the key went back as the same JSON number: nothing was lost in a JavaScript double
    assert [r["sent"] for r in results] == [json.dumps({"signInKey": k}, separators=(",", ":")) for k in keys]
    _assert_logged_in(sandbox, keys, results)


async def test_js_phone_sending_63_bit_keys_as_decimal_strings_logs_in():
    sandbox = _sandbox(full_63_bit_keys=True)
    keys, results = await _phone_logins(sandbox, "string")
    assert any(k > JS_MAX_SAFE_INTEGER for k in keys)  # all 200 at or below 2^53 - 1: chance 2^-2000
    assert [r["sent"] for r in results] == [json.dumps({"signInKey": str(k)}, separators=(",", ":")) for k in keys]
    _assert_logged_in(sandbox, keys, results)


async def test_js_phone_parsing_63_bit_keys_as_numbers_fails_where_a_double_rounds_them():
    """What the sandbox did before it issued 53-bit keys: a JavaScript phone loses most 63-bit keys."""
    sandbox = _sandbox(full_63_bit_keys=True)
    keys, results = await _phone_logins(sandbox, "number")
    # JSON.parse keeps the nearest IEEE double (as Python's float() does); JSON.stringify writes its shortest
    # round-trip digits (as Python's repr does), padded with zeros: that integer is what the server gets.
    as_sent = [int(Decimal(repr(float(k)))) for k in keys]
    assert [json.loads(r["sent"])["signInKey"] for r in results] == as_sent
    exact = [sent == k for sent, k in zip(as_sent, keys, strict=True)]
    assert [r["scan"] == 200 for r in results] == exact
    # a random 63-bit key survives with chance ~0.6 % (measured over 200,000): ~1.2 of 200; more than 10: ~6e-8
    assert sum(exact) <= 10
    for result, sent in zip(results, as_sent, strict=True):
        if sent != int(result["key"]):
            # another key (unknown: 404) or, rounded up past 2^63 - 1, not an int64 at all (400)
            assert result["scan"] == (400 if sent > 2**63 - 1 else 404) and result["token"] is None, result
    failures = LOGINS - sum(exact)
    rounded_past_int64 = sum(r["scan"] == 400 for r in results)
    print(f"63-bit keys parsed as JavaScript numbers: {failures} of {LOGINS} logins failed "
          f"({failures - rounded_past_int64} unknown key 404, {rounded_past_int64} outside int64 400)")
