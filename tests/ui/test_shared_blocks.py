"""The building blocks the pages share behave the same wherever they are used."""

from __future__ import annotations

import base64
import json
import struct
import time
import zlib

from qrlogin_desktop.api import catalogue
from qrlogin_desktop.api.exchange import CallResult, Exchange
from qrlogin_desktop.api.models import ImageResult, TokenModel
from qrlogin_desktop.ui.display import plain
from qrlogin_desktop.ui.models.request_log_model import Column, RequestLogModel
from qrlogin_desktop.ui.widgets.claims_tree import ClaimsTree
from qrlogin_desktop.ui.widgets.response_view import ResponseView
from qrlogin_desktop.ui.widgets.token_card import TokenCard


def _b64url(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _jwt(claims: dict) -> str:
    return f"{_b64url({'alg': 'HS256', 'typ': 'JWT'})}.{_b64url(claims)}.c2lnbmF0dXJl"


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def test_a_size_reads_the_same_in_the_request_log_and_the_image_answer(qtbot):
    """An image answer's size is said once, in the response's status line (the preview gives the
    pixel size only), with the formatter the Request Log uses."""
    data = _png(64, 64) + b"\x00" * 3000  # a few KiB: the unit is where the two formatters differed
    exchange = Exchange(started_at=time.time(), endpoint="WXACodeGet", method="POST", url="http://x/y",
                        request_headers=(), request_body=None, status=200, response_size=len(data),
                        response_content_type="image/png")
    response = ResponseView(lambda coro, done: coro.close())
    qtbot.addWidget(response)
    response.show_result(CallResult(catalogue.endpoint("WXACodeGet"), ImageResult("image/png", data), 200, 5.0,
                                    exchange=exchange))
    model = RequestLogModel()
    model.append(exchange)
    shown = model.index(0, Column.RESPONSE_SIZE).data()
    assert shown.endswith(" KiB")
    status = plain(response.status_label.text())  # the words, without the no-break marks
    assert f"received {shown}" in status, status
    assert response.image_preview.info.text() == "64 × 64 px"
    assert shown not in response.image_preview.info.text()


def test_the_token_card_shows_claims_as_the_tokens_page_does(qtbot):
    now = int(time.time())
    claims = {"unionid": "u-1", "exp": now + 60, "iat": now, "scope": ["userinfo", "phone"], "admin": True}
    card = TokenCard()
    qtbot.addWidget(card)
    card.set_token(TokenModel(access_token=_jwt(claims), token_type="Bearer", expires_in=60))
    page_tree = ClaimsTree()  # what the Tokens page shows for the same claims
    qtbot.addWidget(page_tree)
    page_tree.show_claims(claims)
    shown = card.claim_items()
    assert shown == page_tree.claim_items()
    assert shown["admin"] == "true"  # JSON, as the token holds it (not Python's "True")
    assert shown["exp"].startswith(f"{now + 60}  →  20")  # a timestamp also as local time
    labels = [card.claims.topLevelItem(i).text(0) for i in range(card.claims.topLevelItemCount())]
    assert "exp (expires)" in labels and "scope" in labels


def test_a_token_whose_timestamp_no_calendar_can_show_still_shows(qtbot):
    card = TokenCard()
    qtbot.addWidget(card)
    huge = 10**20
    card.set_token(TokenModel(access_token=_jwt({"exp": huge, "sub": "x"}), token_type="Bearer", expires_in=60))
    assert card.claim_items()["exp"] == str(huge)  # the number alone, and no crash


def test_the_token_cards_redacted_token_names_its_length_in_the_ui_language(qtbot):
    from qrlogin_desktop.ui import i18n

    token = _jwt({"exp": int(time.time()) + 60})
    card = TokenCard()
    qtbot.addWidget(card)
    card.set_token(TokenModel(access_token=token, token_type="Bearer", expires_in=60))
    assert card.token_text.text() == f"{token[:4]}…({len(token)} chars)…{token[-3:]}"
    try:
        i18n.install(i18n.CHINESE)
        assert card.token_text.text() == f"{token[:4]}…（{len(token)} 个字符）…{token[-3:]}"  # as the Tokens page
        card.reveal_button.setChecked(True)
        assert card.token_text.text() == token
    finally:
        i18n.install(i18n.ENGLISH)
