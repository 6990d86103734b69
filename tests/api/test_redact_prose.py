"""Redaction masks secret values only: prose about a bearer token and a challenge's realm stay as written."""

from __future__ import annotations

import pytest
from support import TEST_TOKEN, asgi_client

from qrlogin_desktop.api import logmask
from qrlogin_desktop.api.errors import ApiError
from qrlogin_desktop.api.redact import MASK, Redactor
from qrlogin_desktop.sandbox import Sandbox

NOT_SECRET = [
    "missing bearer token",
    "invalid bearer token.",
    'Bearer realm="qrlogin-sandbox"',
    'WWW-Authenticate: Bearer realm="qrlogin-sandbox", error="invalid_token"',
    "Bearer realm=qrlogin-sandbox",
    "the bearer credential from $QRLOGIN_TOKEN is refused",
]

SECRET = [
    ("Authorization: bearer abc.def-ghi", "abc.def-ghi"),
    (f"Bearer {TEST_TOKEN}", TEST_TOKEN),
    ("bearer dGVzdDp0ZXN0==", "dGVzdDp0ZXN0=="),
    ("sent Bearer AbCdEfGhIjK to it", "AbCdEfGhIjK"),  # mixed case: not a word
    ("bearer abcdefghijklmnopqrstuvwxyz.", "abcdefghijklmnopqrstuvwxyz"),  # too long for a word
]


@pytest.mark.parametrize("text", NOT_SECRET)
def test_prose_and_realm_are_not_masked(text: str) -> None:
    assert Redactor().text(text) == text
    assert logmask.mask(text) == text


@pytest.mark.parametrize(("text", "secret"), SECRET)
def test_credentials_after_bearer_are_still_masked(text: str, secret: str) -> None:
    for masked in (Redactor().text(text), logmask.mask(text)):
        assert secret not in masked and MASK in masked


async def test_a_401_exchange_keeps_the_servers_words(sandbox: Sandbox) -> None:
    """The sandbox's own 401: its error text and its challenge header reach the log as sent."""
    async with asgi_client(sandbox, token=None) as client:
        with pytest.raises(ApiError) as caught:
            await client.call("QRAuthInitiate", body={})
    assert caught.value.code == 401 and caught.value.error.startswith("missing bearer token /")
    exchange = caught.value.exchange
    assert exchange is not None and "missing bearer token" in (exchange.error or "")
    assert "missing bearer token" in (exchange.response_body or "")
    assert ("www-authenticate", 'Bearer realm="qrlogin-sandbox"') in exchange.response_headers
