"""Big answers: decoded by the GIL-yielding path, redacted without a full re-encode, same results."""

from __future__ import annotations

import json

import pytest

from qrlogin_desktop.api import envelope
from qrlogin_desktop.api.errors import ProtocolError
from qrlogin_desktop.api.redact import LARGE_TEXT, MASK, Redactor


def big_document(secret: str = "tok-SECRET-0123456789") -> dict:
    return {
        "code": 200,
        "error": "",
        "data": {
            "items": [{"id": i, "name": f"用户{i}", "score": i * 0.5, "ok": i % 2 == 0, "none": None}
                      for i in range(20_000)],
            "access_token": secret,
            "Token": secret + "-2",
            "inner": json.dumps({"session_key": "KEY-abcdef123456", "openid": "o1"}),
        },
    }


def test_large_bodies_decode_exactly_like_the_c_parser():
    raw = json.dumps(big_document(), ensure_ascii=False).encode()
    assert len(raw) > envelope.LARGE_BODY
    assert envelope.loads(raw) == json.loads(raw)
    decoded = envelope.decode_envelope(raw, http_status=200)
    assert decoded.code == 200 and len(decoded.data["items"]) == 20_000


@pytest.mark.parametrize("cut", [1, 17, 4096])
def test_truncated_large_bodies_are_protocol_errors(cut):
    raw = json.dumps(big_document(), ensure_ascii=False).encode()[:-cut]
    with pytest.raises(ProtocolError) as info:
        envelope.decode_envelope(raw, http_status=200)
    assert "JSON" in info.value.reason


def test_invalid_utf8_in_a_large_body_is_a_protocol_error():
    raw = json.dumps(big_document()).encode() + b"\xff\xfe"
    with pytest.raises(ProtocolError):
        envelope.decode_envelope(raw, http_status=200)


def test_large_bodies_are_redacted_by_name_and_value():
    bearer = "bearer-credential-987654321"
    redactor = Redactor([bearer])
    doc = big_document()
    doc["data"]["echo"] = f"Authorization: Bearer {bearer}"
    text = json.dumps(doc, ensure_ascii=False)
    assert len(text) > LARGE_TEXT
    out = redactor.body(text.encode(), "application/json")
    for secret in ("tok-SECRET-0123456789", "KEY-abcdef123456", bearer):
        assert secret not in out
    assert out.count(MASK) >= 4
    assert "用户19999" in out  # everything else is untouched
    assert json.loads(out)["data"]["items"][5] == doc["data"]["items"][5]


def test_sliced_decoding_and_search_match_the_one_shot_versions():
    from qrlogin_desktop.api.bigtext import SLICE, contains_any_ci, decode_utf8

    text = ("扫码登录" * (SLICE // 3)) + "x" + "Bearer" + "测" * 10
    data = text.encode()
    assert decode_utf8(data) == text  # multi-byte characters straddle the slice boundaries
    assert decode_utf8(data[:-1], errors="replace") == data[:-1].decode("utf-8", "replace")
    with pytest.raises(UnicodeDecodeError):
        decode_utf8(data[:-1])
    needle_at_boundary = "a" * (SLICE - 3) + "BeArEr" + "a" * 10
    assert contains_any_ci(needle_at_boundary, ("bearer",))
    assert not contains_any_ci("a" * (3 * SLICE), ("bearer", "eyj"))


def test_paused_gc_nests_across_threads_and_restores_the_collector():
    import gc
    import threading

    from qrlogin_desktop.api.bigtext import paused_gc

    assert gc.isenabled()
    inner_entered, release = threading.Event(), threading.Event()

    def other_thread() -> None:
        with paused_gc():
            inner_entered.set()
            release.wait(5)

    with paused_gc():
        assert not gc.isenabled()
        worker = threading.Thread(target=other_thread)
        worker.start()
        inner_entered.wait(5)
    assert not gc.isenabled(), "still paused while the other thread builds its structure"
    release.set()
    worker.join(5)
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0  # nothing is left frozen: young objects only moved to the old generation


# --- the request log keeps a bounded prefix of each body ---------------------------------------------------


@pytest.mark.parametrize("straddling", ["known bearer", "access_token member"])
async def test_request_log_keeps_a_bounded_redacted_prefix_of_a_big_answer(straddling: str):
    import httpx

    from qrlogin_desktop.api.client import QrLoginClient
    from qrlogin_desktop.api.exchange import LOG_BODY_PREFIX

    bearer = "bearer-credential-987654321"
    head = '{"code": 200, "pad": "'
    # The secret starts 10 characters before the cut: a prefix cut before masking would show part of it.
    if straddling == "known bearer":
        pad = "f" * (LOG_BODY_PREFIX - 10 - len(head) - len("Bearer "))
        middle = f"Bearer {bearer}"
    else:
        pad = "f" * (LOG_BODY_PREFIX - 10 - len(head) - len('", "access_token": "'))
        middle = '", "access_token": "tok-SECRET-' + "s" * 80
    raw = (head + pad + middle + '", "data": "' + "g" * (3 * 1024 * 1024) + '"}').encode()
    answers = []
    async with QrLoginClient("http://mock.test", "demo", bearer, transport=httpx.MockTransport(
            lambda r: httpx.Response(200, content=raw, headers={"content-type": "application/json"}))) as c:
        c.add_listener(answers.append)
        result = await c.call("SubscribeSend", body={"touser": "o1", "template_id": "t", "data": {}})
    assert len(result.value) == 3 * 1024 * 1024  # the caller gets the whole answer
    (x,) = answers
    assert x.response_size == len(raw)
    assert len(x.response_body) < LOG_BODY_PREFIX + 200
    assert x.response_body.endswith(f"of {len(raw)} bytes]")
    assert "ffff" in x.response_body[-300:]  # the cut is where we think it is
    assert bearer[:6] not in x.response_body and "tok-SE" not in x.response_body
    assert x.request_size > 0
