"""Envelope decoding, Retry-After parsing and redaction: unit tests plus properties over arbitrary input."""

from __future__ import annotations

import asyncio
import json
import math
import string
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import APP_KEY, TEST_TOKEN

from qrlogin_desktop.api import catalogue
from qrlogin_desktop.api.client import CallResult, QrLoginClient
from qrlogin_desktop.api.envelope import SNIPPET_CHARS, Envelope, decode_envelope, parse_retry_after, snippet
from qrlogin_desktop.api.errors import ProtocolError, QrLoginError
from qrlogin_desktop.api.redact import MASK, Redactor

# --- decode_envelope ------------------------------------------------------------------------------------


def test_success_envelope():
    env = decode_envelope(b'{"code": 200, "data": {"a": [1, "\xe4\xb8\xad"]}, "error": ""}')
    assert env == Envelope(code=200, data={"a": [1, "中"]}, error="", has_data=True)
    assert env.ok


def test_error_envelope_and_null_error():
    env = decode_envelope(b'{"code": 409, "data": null, "error": null}')
    assert (env.code, env.data, env.error, env.has_data, env.ok) == (409, None, "", True, False)


def test_absent_data_is_distinguished_from_null():
    assert decode_envelope(b'{"code": 200}').has_data is False
    assert decode_envelope(b'{"code": 200, "data": null}').has_data is True


def test_extra_members_are_ignored_and_whitespace_allowed():
    env = decode_envelope(b'\n  {"code": 201, "data": 1, "error": "x", "traceId": "abc"}  \n')
    assert (env.code, env.data, env.error) == (201, 1, "x")


def test_utf8_bom_and_utf16_bodies():
    assert decode_envelope('{"code": 200, "data": "中"}'.encode("utf-16")).data == "中"


def _reason(body: bytes, **kwargs) -> ProtocolError:
    with pytest.raises(ProtocolError) as err:
        decode_envelope(body, **kwargs)
    return err.value


@pytest.mark.parametrize(("body", "reason"), [
    (b"", "empty body"),
    (b"   \r\n\t ", "empty body"),
    (b"<html><body>502</body></html>", "HTML"),
    (b"   <!DOCTYPE html>", "HTML"),
    (b'{"code": 200, "data": {"x": ', "truncated JSON"),
    (b'{"code": 200, "data": "abc', "truncated JSON"),
    ('{"code": 200, "data": ["中文中文"'.encode(), "truncated JSON"),
    ('{"code": 200, "data": "中文'.encode(), "truncated JSON"),
    (b'{"code": 200 x}', "not JSON"),
    (b"\x00\xff\xfe garbage \x9c", "not JSON"),
    (b"\xff\xfe\xfd", "not JSON"),
    (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
    (b'{"code": ' + b"9" * 10_000 + b"}", "not JSON"),
    (b"[1, 2]", "got list"),
    (b'"str"', "got str"),
    (b"null", "got NoneType"),
    (b"42", "got int"),
    (b'{"data": 1}', "no code"),
    (b'{"code": null}', "got NoneType"),
    (b'{"code": true}', "got bool"),
    (b'{"code": "200"}', "got str"),
    (b'{"code": 200.0}', "got float"),
    (b'{"code": NaN}', "NaN is not JSON"),
    (b'{"code": 200, "data": Infinity}', "Infinity is not JSON"),
    (b'{"code": 200, "data": -Infinity}', "-Infinity is not JSON"),
    (b'{"code": 500, "code": 200, "data": 1}', 'duplicate key "code"'),
    (b'{"code": 200, "data": {"a": 1, "a": 2}}', 'duplicate key "a"'),
    # the same through the large-body (pure-Python) decoder
    (b'{"pad": "' + b"x" * 300_000 + b'", "code": 500, "code": 200}', 'duplicate key "code"'),
    (b'{"pad": "' + b"x" * 300_000 + b'", "code": 200, "data": NaN}', "NaN is not JSON"),
    (b'{"pad": "' + b"x" * 300_000 + b'", "code": ' + b"9" * 10_000 + b"}", "not JSON"),
    (b"[" * 200_000 + b"]" * 200_000, "not JSON"),
    (b'{"code": [200]}', "got list"),
    (b'{"code": 200, "error": 7}', "error must be a string"),
    (b'{"code": 200, "error": {"msg": "x"}}', "error must be a string"),
])
def test_not_an_envelope(body: bytes, reason: str):
    e = _reason(body, http_status=200, endpoint="X", content_type="application/json")
    assert reason in e.reason, e.reason
    assert e.endpoint == "X" and e.http_status == 200 and e.content_type == "application/json"
    assert len(e.snippet) <= SNIPPET_CHARS


def test_html_content_type_wins_even_over_valid_json():
    assert "HTML" in _reason(b'{"code": 200}', content_type="text/html").reason


def test_snippet_is_short_single_line_and_redacted():
    body = b"<html>\n\n  <p>Authorization: Bearer " + TEST_TOKEN.encode() + b"</p>" + b"x" * 1000 + b"</html>"
    r = Redactor([TEST_TOKEN])
    e = _reason(body, http_status=500, redact=r.text)
    assert "\n" not in e.snippet
    assert len(e.snippet) <= SNIPPET_CHARS
    assert TEST_TOKEN not in e.snippet and TEST_TOKEN not in str(e)
    assert "Bearer ***" in e.snippet
    assert e.retryable and e.code == 500


def test_snippet_helper():
    assert snippet(b"  a \n b\t c  ") == "a b c"
    assert snippet(b"\xff ok") == "\ufffd ok"
    assert len(snippet(b"y" * 10_000)) == SNIPPET_CHARS


# --- parse_retry_after ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    (None, None),
    ("", None),
    ("   ", None),
    ("5", 5.0),
    (" 7 ", 7.0),
    ("1.5", 1.5),
    ("0", 0.0),
    ("-3", 0.0),
    ("99999", 3600.0),
    ("inf", 3600.0),
    ("nan", None),
    ("soon", None),
    ("5 seconds", None),
])
def test_parse_retry_after(value: str | None, expected: float | None):
    assert parse_retry_after(value) == expected


def test_parse_retry_after_http_dates():
    future = format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    assert 110 <= parse_retry_after(future) <= 121  # type: ignore[operator]
    past = format_datetime(datetime.now(UTC) - timedelta(days=1), usegmt=True)
    assert parse_retry_after(past) == 0.0
    far = format_datetime(datetime.now(UTC) + timedelta(days=30), usegmt=True)
    assert parse_retry_after(far) == 3600.0
    assert parse_retry_after("Wed, 99 Foo 2015 07:28:00 GMT") is None


@given(st.text())
def test_parse_retry_after_never_raises(value: str):
    out = parse_retry_after(value)
    assert out is None or (0.0 <= out <= 3600.0 and not math.isnan(out))


# --- properties: decode_envelope only ever returns an Envelope or raises ProtocolError -------------------------

JSON_SCALARS = (st.none() | st.booleans() | st.integers() | st.integers(min_value=-(2**70), max_value=2**70)
                | st.floats(allow_nan=False, allow_infinity=False) | st.text())
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=20,
)
ENVELOPE_LIKE = st.fixed_dictionaries(
    {"code": JSON_VALUES | st.sampled_from([200, 202, 400, 408, 429, 500])},
    optional={"data": JSON_VALUES, "error": JSON_VALUES | st.text()},
)
CONTENT_TYPES = st.sampled_from([None, "", "application/json", "text/html", "text/plain", "image/png",
                                 "application/json; charset=utf-8", "application/octet-stream", "TEXT/HTML"])


def _decode_or_protocol_error(body: bytes, content_type: str | None) -> None:
    try:
        out = decode_envelope(body, http_status=200, content_type=content_type, endpoint="E", redact=Redactor().text)
    except ProtocolError as e:
        assert e.reason and isinstance(e.snippet, str) and len(e.snippet) <= SNIPPET_CHARS
        str(e)
    else:
        assert isinstance(out, Envelope)
        assert isinstance(out.code, int) and not isinstance(out.code, bool)
        assert isinstance(out.error, str)


@settings(max_examples=300)
@given(st.binary(), CONTENT_TYPES)
def test_decode_arbitrary_bytes(body: bytes, content_type: str | None):
    _decode_or_protocol_error(body, content_type)


@settings(max_examples=200, deadline=None)
@given(JSON_VALUES | ENVELOPE_LIKE, st.booleans(), CONTENT_TYPES)
def test_decode_arbitrary_json(value: object, ascii_only: bool, content_type: str | None):
    body = json.dumps(value, ensure_ascii=ascii_only).encode()
    _decode_or_protocol_error(body, content_type)


@settings(deadline=None)
@given(ENVELOPE_LIKE)
def test_decode_well_formed_envelopes_round_trip(value: dict):
    body = json.dumps(value).encode()
    code, error = value["code"], value.get("error")
    good = isinstance(code, int) and not isinstance(code, bool) and (error is None or isinstance(error, str))
    if good:
        env = decode_envelope(body)
        assert env.code == code and env.error == (error or "")
        assert env.has_data == ("data" in value)
        assert env.data == value.get("data")
    else:
        with pytest.raises(ProtocolError):
            decode_envelope(body)


# --- property: the whole client path never lets anything but our errors out -------------------------------

SAMPLE_QUERY = {
    "JSCode2Session": {"js_code": "081Kq4Ga1cLrLZ0Xz3Ia1yFqHz3Kq4Gg"},
    "Decrypt": {"encryptedData": "AAAA", "iv": "AAAA", "sessionKey": "AAAA"},
    "UserInfo": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
    "JSConfig": {"url": "https://example.com/page?x=1"},
}


async def test_sample_inputs_cover_every_get_endpoint():
    # the property below must exercise decoding, not stop at our own input check
    async with QrLoginClient("http://x.test", APP_KEY, TEST_TOKEN) as client:
        for ep in catalogue.ENDPOINTS:
            body = ep.example_body if ep.method != "GET" else None
            assert client.check(ep, SAMPLE_QUERY.get(ep.id), body) == [], ep.id


RESPONSE_BODIES = (
    st.binary(max_size=300)
    | JSON_VALUES.map(lambda v: json.dumps(v).encode())
    | st.fixed_dictionaries({"code": st.sampled_from([200, 200, 200, 408, 429, 500])},
                            optional={"data": JSON_VALUES, "error": st.text()}).map(lambda v: json.dumps(v).encode())
    | st.tuples(st.integers(1, 3000), st.sampled_from(['{"code": 200, "data": %s}', '{"code": 500, "data": %s}',
                                                        "%s", '{"code": 200, "data": "x", "error": %s}']))
    .map(lambda t: (t[1] % ("[" * t[0] + "]" * t[0])).encode())
    | st.sampled_from([b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, b"\xff\xd8\xff\xe0JFIF", b"GIF89a...",
                       b"<html>err</html>", b""])
)
STATUSES = st.sampled_from([200, 200, 201, 202, 204, 301, 400, 401, 403, 404, 408, 429, 500, 502, 503])
RESPONSE_TYPES = st.sampled_from([None, "application/json", "text/json", "text/html", "text/plain", "image/png",
                                  "image/jpeg", "application/octet-stream", "application/json; charset=utf-8"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(catalogue.ENDPOINTS), RESPONSE_BODIES, STATUSES, RESPONSE_TYPES,
       st.sampled_from([None, "1", "abc", "Wed, 21 Oct 2015 07:28:00 GMT"]))
def test_client_only_returns_results_or_our_errors(ep, body: bytes, status: int, content_type: str | None,
                                                   retry_after: str | None):
    headers = {}
    if content_type is not None:
        headers["content-type"] = content_type
    if retry_after is not None:
        headers["retry-after"] = retry_after

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers=headers)

    async def run() -> object:
        async with QrLoginClient("http://mock.test", APP_KEY, TEST_TOKEN,
                                 transport=httpx.MockTransport(handler)) as client:
            try:
                return await client.call(ep, query=SAMPLE_QUERY.get(ep.id),
                                         body=ep.example_body if ep.method != "GET" else None)
            except QrLoginError as e:
                assert TEST_TOKEN not in str(e)
                return e

    out = asyncio.run(run())
    assert isinstance(out, (CallResult, QrLoginError)), type(out)
    if isinstance(out, CallResult):
        assert out.endpoint is ep
        assert out.http_status < 400


# --- Redactor -------------------------------------------------------------------------------------------


def test_redact_authorization_headers():
    r = Redactor()
    out = dict(r.headers([("Authorization", f"Bearer {TEST_TOKEN}"), ("proxy-authorization", "Basic dXNlcjpwdw=="),
                          ("Cookie", "sid=abc"), ("X-Plain", "hello"), ("authorization", "rawtokenvalue")]))
    assert out["Authorization"] == "Bearer ***"
    assert out["proxy-authorization"] == "Basic ***"
    assert out["Cookie"] == MASK
    assert out["X-Plain"] == "hello"
    assert out["authorization"] == MASK


def test_redact_known_secret_inside_other_headers():
    r = Redactor([TEST_TOKEN])
    out = dict(r.headers([("X-Echo", f"you sent {TEST_TOKEN}")]))
    assert out["X-Echo"] == "you sent ***"


def test_redact_sensitive_keys_at_any_depth():
    r = Redactor()
    value = {
        "access_token": "abc",
        "ACCESS_TOKEN": "def",
        "data": {"token": "t1", "list": [{"refresh_token": "r"}, {"session_key": "k", "ok": "visible"}]},
        "deep": [[[{"Authorization": "Bearer x", "sessionKey": "s", "jsapi_ticket": "j", "password": "p"}]]],
        "empty_token": {"token": ""},
        "null_token": {"access_token": None},
        "n": 5,
    }
    out = r.json(value)
    assert out["access_token"] == MASK and out["ACCESS_TOKEN"] == MASK
    assert out["data"]["token"] == MASK
    assert out["data"]["list"][0]["refresh_token"] == MASK
    assert out["data"]["list"][1] == {"session_key": MASK, "ok": "visible"}
    assert set(out["deep"][0][0][0].values()) == {MASK}
    assert out["empty_token"] == {"token": ""} and out["null_token"] == {"access_token": None}
    assert out["n"] == 5
    assert value["access_token"] == "abc"  # the input is not mutated


def test_redact_known_secrets_in_free_text():
    r = Redactor([TEST_TOKEN, None, "", "short"])
    r.add("another-secret-value")
    text = f"a {TEST_TOKEN} b another-secret-value c short"
    assert r.text(text) == "a *** b *** c short"  # secrets under 6 characters are not tracked


def test_redact_longest_secret_first():
    r = Redactor(["abcdefgh", "abcdefghijkl"])
    assert r.text("x abcdefghijkl y abcdefgh") == "x *** y ***"


def test_redact_jwt_and_bearer_in_free_text():
    r = Redactor()
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
    assert r.text(f"token={jwt}; more") == "token=***; more"
    assert r.text("Authorization: bearer abc.def-ghi") == "Authorization: bearer ***"
    assert r.text("eyJ is just a prefix") == "eyJ is just a prefix"


def test_redact_session_key_in_urls():
    r = Redactor()
    out = r.url("http://h.test/Wechat/demo/Decrypt?encryptedData=abc&iv=ZGVm&sessionKey=a%2Bb%2Fc%3D%3D")
    assert "sessionKey=%2A%2A%2A" in out or "sessionKey=***" in out
    assert "a%2Bb" not in out and "a+b" not in out
    assert "encryptedData=abc" in out and "iv=ZGVm" in out
    assert r.url("http://h.test/x?access_token=secret1&SessionKey=zz&a=1").count("secret1") == 0
    assert r.url("http://h.test/x") == "http://h.test/x"


def test_redact_known_secret_in_url_path():
    r = Redactor([TEST_TOKEN])
    assert TEST_TOKEN not in r.url(f"http://h.test/{TEST_TOKEN}/x")


def test_redact_bodies():
    r = Redactor([TEST_TOKEN])
    body = json.dumps({"code": 200, "data": {"access_token": "xyz", "echo": TEST_TOKEN}}).encode()
    out = json.loads(r.body(body, "application/json"))  # type: ignore[arg-type]
    assert out["data"] == {"access_token": MASK, "echo": MASK}
    assert r.body(f"<p>{TEST_TOKEN}</p>".encode(), "text/html") == "<p>***</p>"
    assert r.body(b"\x89PNG....", "image/png") == "<8 bytes image/png>"
    assert r.body(None) is None
    assert r.body('"just a string"') == '"just a string"'


ALNUM = string.ascii_letters + string.digits


@given(st.text(alphabet=ALNUM, min_size=6, max_size=40), st.text(), st.text())
def test_redact_property_known_secret_never_survives(secret: str, before: str, after: str):
    r = Redactor([secret])
    text = before + secret + after + secret
    assert secret not in r.text(text)
    assert secret not in json.dumps(r.json({"x": [text], "y": {"z": text}}), ensure_ascii=False)
    assert secret not in (r.body(json.dumps({"m": text}).encode(), "application/json") or "")


@pytest.mark.parametrize("depth", [100, 400, 700, 900, 960, 985, 1000, 1500, 20_000])
@pytest.mark.parametrize("template", ['{"code": 200, "data": %s}', '{"code": 500, "data": %s}', "%s"],
                         ids=["ok", "error", "bare"])
async def test_client_survives_deeply_nested_answers(depth: int, template: str):
    body = (template % ("[" * depth + "]" * depth)).encode()
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    async with QrLoginClient("http://mock.test", APP_KEY, TEST_TOKEN, transport=httpx.MockTransport(handler)) as c:
        c.add_listener(seen.append)
        try:
            result = await c.call("MsgSecCheck", body={"content": "hello"})
        except QrLoginError as e:
            assert not isinstance(e, ProtocolError) or e.snippet
        else:
            assert isinstance(result, CallResult)
    assert len(seen) == 1 and isinstance(seen[0].response_body, str)


def test_redact_sensitive_keys_inside_json_strings():
    r = Redactor()
    answer = json.dumps({"openid": "oABC", "session_key": "c2Vzc2lvbmtleTEyMzQ1Ng==", "unionid": "uXYZ"})
    out = r.json({"code": 200, "data": answer})
    assert json.loads(out["data"]) == {"openid": "oABC", "session_key": MASK, "unionid": "uXYZ"}
    body = r.body(json.dumps({"code": 200, "data": answer}).encode(), "application/json")
    assert "c2Vzc2lvbmtleTEyMzQ1Ng==" not in body  # type: ignore[operator]
    # strings without anything sensitive are left exactly as they were
    plain = json.dumps({"nickName": "张三", "n": [1, 2]})
    assert r.json({"data": plain}) == {"data": plain}
    assert r.json({"data": "[not json"}) == {"data": "[not json"}


def test_redact_too_deep_to_inspect_is_hidden_not_raised():
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    assert Redactor().json({"data": deep}) == MASK
    nested_text = "[" * 900 + "]" * 900
    out = Redactor().body(('{"access_token": "secret-value-123", "d": ' + nested_text + "}").encode(), "application/json")
    assert out is not None and "secret-value-123" not in out


def test_a_redactor_keeps_its_credential_and_a_bounded_number_of_learned_secrets():
    from qrlogin_desktop.api.redact import KNOWN_SECRETS_LIMIT, MASK

    credential = "the-bearer-credential-0001"
    redactor = Redactor([credential])
    learned = [f"token-{i:06d}-abcdefgh" for i in range(KNOWN_SECRETS_LIMIT + 10)]
    for token in learned:
        redactor.add(token)
    # The credential never ages out; the newest learned tokens stay masked; the oldest are let go
    # (unbounded, every answer would be searched for every token of a long session).
    assert redactor.text(f"x {credential} y") == f"x {MASK} y"
    assert redactor.text(learned[-1]) == MASK
    assert redactor.text(learned[0]) == learned[0]
    assert len(redactor._pinned) + len(redactor._learned) == 1 + KNOWN_SECRETS_LIMIT
