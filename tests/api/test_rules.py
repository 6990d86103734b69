"""Every field rule of the contract ("Models and their rules", the catalogue's query parameters and the
known WeChat fields of the JToken bodies) tested at its boundaries, on both sides of the wire.

Each parametrized case is run twice:

* client side - ``QrLoginClient.call`` with validation on must raise ``ValidationError`` before anything
  is sent (the counting transport sees no request, the request-log listener sees nothing), naming the
  field and the rule, and showing the offending value (``<hidden>`` for secrets);
* server side - the same input with ``validate=False`` reaches the sandbox, which must answer envelope
  code 400 naming the same field and rule, listing it in the envelope's top-level ``violations``
  (``data`` null), read back as ``ApiError.violations``.

Accepted cases go through a validated call and must reach the sandbox's implementation (not a 400).

Expected rule texts and limits below are written from the contract, not read back from the rules.
"""

from __future__ import annotations

import base64
import json
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import APP_KEY, TEST_TOKEN

from qrlogin_desktop.api import catalogue, models
from qrlogin_desktop.api.client import Exchange, QrLoginClient
from qrlogin_desktop.api.errors import ApiError, ValidationError, shown_value
from qrlogin_desktop.sandbox import Sandbox
from qrlogin_desktop.sandbox.wechat import aes_cbc_encrypt

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)

# --- rig: a client over a transport that counts what really leaves the client -------------------------


class CountingTransport(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport):
        self.inner = inner
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class Rig:
    sandbox: Sandbox
    client: QrLoginClient
    transport: CountingTransport
    log: list[Exchange]

    @property
    def sent(self) -> int:
        return len(self.transport.requests)


@pytest.fixture
async def rig(sandbox: Sandbox):
    transport = CountingTransport(httpx.ASGITransport(app=sandbox.app))
    log: list[Exchange] = []
    async with QrLoginClient("http://sandbox.test", APP_KEY, TEST_TOKEN, transport=transport) as c:
        c.add_listener(log.append)
        yield Rig(sandbox, c, transport, log)


# --- cases --------------------------------------------------------------------------------------------

OMIT = object()  # the field is left out of the request entirely


@dataclass(frozen=True)
class Case:
    endpoint: str
    field: str
    value: Any
    rule: str | None  # None: accepted; else a piece of the English rule text the violation must carry
    ok_code: int = 200  # envelope code an accepted case gets (404: a well-formed but unknown signInKey)
    name: str = ""

    @property
    def id(self) -> str:
        verdict = "ok" if self.rule is None else "refused"
        return f"{self.endpoint}-{self.field}-{self.name}-{verdict}"


def ok(endpoint: str, field: str, value: Any, name: str, code: int = 200) -> Case:
    return Case(endpoint, field, value, None, code, name)


def bad(endpoint: str, field: str, value: Any, rule: str, name: str) -> Case:
    return Case(endpoint, field, value, rule, name=name)


def _url_of_length(n: int) -> str:
    head = "https://example.com/"
    return head + "a" * (n - len(head))


# Rule texts (English), as the contract states them.
REQUIRED = "is required"
NOT_INT = "must be an integer"
NOT_INT64 = "signed 64-bit"
PLAIN_DECIMAL = "a JSON number or a plain decimal string"
NOT_STRING = "must be a string"
BLANK = "must not be blank"
ABS_URL = "absolute http:// or https:// URL"
OBJECT = "must be a JSON object"
ONE_OBJECT = "must be a JSON object, or an array holding exactly one object"
CODE_DIGITS = "4 to 8 digits"
PHONE_DIGITS = "exactly 11 digits"


def _signin_key_cases(ep: str) -> list[Case]:
    # A well-formed key nobody issued answers 404: it passed validation and reached the session store.
    return [
        ok(ep, "signInKey", INT64_MAX, "int64-max", 404),
        ok(ep, "signInKey", INT64_MIN, "int64-min", 404),
        ok(ep, "signInKey", 0, "zero", 404),
        bad(ep, "signInKey", INT64_MAX + 1, NOT_INT64, "int64-max-plus-1"),
        bad(ep, "signInKey", INT64_MIN - 1, NOT_INT64, "int64-min-minus-1"),
        bad(ep, "signInKey", True, NOT_INT, "bool"),
        bad(ep, "signInKey", 1.0, NOT_INT, "float-1.0"),
        bad(ep, "signInKey", 1.5, NOT_INT, "float-1.5"),
        # a decimal string is the same int64 (a JavaScript phone cannot hold a 63-bit key as a number)
        ok(ep, "signInKey", "123", "decimal-string", 404),
        ok(ep, "signInKey", str(INT64_MAX), "decimal-string-max", 404),
        ok(ep, "signInKey", str(INT64_MIN), "decimal-string-min", 404),
        ok(ep, "signInKey", "0", "decimal-string-zero", 404),
        bad(ep, "signInKey", str(INT64_MAX + 1), NOT_INT64, "decimal-string-max-plus-1"),
        bad(ep, "signInKey", str(INT64_MIN - 1), NOT_INT64, "decimal-string-min-minus-1"),
        bad(ep, "signInKey", "0123", PLAIN_DECIMAL, "decimal-string-leading-zero"),
        bad(ep, "signInKey", "+123", PLAIN_DECIMAL, "decimal-string-plus"),
        bad(ep, "signInKey", " 123", PLAIN_DECIMAL, "decimal-string-space"),
        bad(ep, "signInKey", "123\n", PLAIN_DECIMAL, "decimal-string-newline"),
        bad(ep, "signInKey", "1e3", PLAIN_DECIMAL, "decimal-string-exponent"),
        bad(ep, "signInKey", "١٢٣", PLAIN_DECIMAL, "decimal-string-arabic-digits"),
        bad(ep, "signInKey", "", PLAIN_DECIMAL, "empty-string"),
        bad(ep, "signInKey", "abc", PLAIN_DECIMAL, "word"),
        bad(ep, "signInKey", OMIT, REQUIRED, "missing"),
        bad(ep, "signInKey", None, REQUIRED, "null"),
    ]


INIT = "QRAuthInitiate"
REG = "QRAuthConfirmRegister"

QR_CASES: list[Case] = [
    # scopes: <= 100 chars, letters, digits and commas only
    ok(INIT, "scopes", "a" * 100, "len-100"),
    bad(INIT, "scopes", "a" * 101, "at most 100 characters", "len-101"),
    ok(INIT, "scopes", "userinfo,phone", "comma"),
    ok(INIT, "scopes", "", "empty"),
    ok(INIT, "scopes", "ABC,xyz,09", "mixed-case-digits"),
    bad(INIT, "scopes", "userinfo phone", "only letters, digits and commas", "space"),
    bad(INIT, "scopes", "userinfo;phone", "only letters, digits and commas", "semicolon"),
    bad(INIT, "scopes", "用户信息", "only letters, digits and commas", "chinese"),
    bad(INIT, "scopes", "userinfo\n", "only letters, digits and commas", "trailing-newline"),
    bad(INIT, "scopes", 5, NOT_STRING, "number"),
    # remark: <= 200 chars (characters, not bytes)
    ok(INIT, "remark", "r" * 200, "len-200"),
    bad(INIT, "remark", "r" * 201, "at most 200 characters", "len-201"),
    ok(INIT, "remark", "备" * 200, "chinese-200"),
    bad(INIT, "remark", "备" * 201, "at most 200 characters", "chinese-201"),
    ok(INIT, "remark", "desktop login - any text, 任意", "free-text"),
    # scheme: <= 50 chars, letters and digits only
    ok(INIT, "scheme", "app", "app"),
    ok(INIT, "scheme", "app1", "app1"),
    ok(INIT, "scheme", "s" * 50, "len-50"),
    ok(INIT, "scheme", "", "empty"),
    bad(INIT, "scheme", "s" * 51, "at most 50 characters", "len-51"),
    bad(INIT, "scheme", "app-1", "only letters and digits", "hyphen"),
    bad(INIT, "scheme", "app,1", "only letters and digits", "comma"),
    bad(INIT, "scheme", "应用", "only letters and digits", "chinese"),
    # Initiate's body must be an object
    ok(INIT, "body", {}, "empty-object"),
    bad(INIT, "body", [], OBJECT, "array"),
    bad(INIT, "body", 7, OBJECT, "number"),
    *_signin_key_cases("QRAuthScan"),
    *_signin_key_cases("QRAuthConfirmLogin"),
    *_signin_key_cases(REG),
    # unionID: required, 1-50 chars of [A-Za-z0-9_-]
    bad(REG, "unionID", "", "1 to 50 characters", "len-0"),
    ok(REG, "unionID", "u", "len-1"),
    ok(REG, "unionID", "u" * 50, "len-50"),
    bad(REG, "unionID", "u" * 51, "1 to 50 characters", "len-51"),
    ok(REG, "unionID", "o6_bmasd-Z9", "underscore-hyphen"),
    bad(REG, "unionID", "user.name", "only letters, digits, _ and -", "dot"),
    bad(REG, "unionID", "user name", "only letters, digits, _ and -", "space"),
    bad(REG, "unionID", "用户", "only letters, digits, _ and -", "chinese"),
    bad(REG, "unionID", OMIT, REQUIRED, "missing"),
    bad(REG, "unionID", None, REQUIRED, "null"),
    # nickName: 4-32 characters (not bytes), nullable
    bad(REG, "nickName", "abc", "4 to 32 characters", "len-3"),
    ok(REG, "nickName", "abcd", "len-4"),
    ok(REG, "nickName", "n" * 32, "len-32"),
    bad(REG, "nickName", "n" * 33, "4 to 32 characters", "len-33"),
    bad(REG, "nickName", "测试用", "4 to 32 characters", "chinese-3"),  # 9 bytes: a byte count would pass
    ok(REG, "nickName", "测试用户", "chinese-4"),
    ok(REG, "nickName", "测" * 32, "chinese-32"),  # 96 bytes: a byte count would refuse
    bad(REG, "nickName", "测" * 33, "4 to 32 characters", "chinese-33"),
    ok(REG, "nickName", None, "null"),
    # avatar <= 999, data <= 9999
    ok(REG, "avatar", _url_of_length(999), "len-999"),
    bad(REG, "avatar", _url_of_length(1000), "at most 999 characters", "len-1000"),
    ok(REG, "data", "d" * 9999, "len-9999"),
    bad(REG, "data", "d" * 10000, "at most 9999 characters", "len-10000"),
    ok(REG, "data", "数" * 9999, "chinese-9999"),
    # email: a string
    ok(REG, "email", "user@example.com", "address"),
    bad(REG, "email", 123, NOT_STRING, "number"),
]

for _code in ("emailCode", "phoneCode"):
    QR_CASES += [
        bad(REG, _code, "123", CODE_DIGITS, "len-3"),
        ok(REG, _code, "1234", "len-4"),
        ok(REG, _code, "12345678", "len-8"),
        bad(REG, _code, "123456789", CODE_DIGITS, "len-9"),
        bad(REG, _code, "12a4", CODE_DIGITS, "letter"),
        bad(REG, _code, " 1234", CODE_DIGITS, "leading-space"),
        bad(REG, _code, "١٢٣٤", CODE_DIGITS, "arabic-indic-digits"),  # str.isdigit() would pass these
        ok(REG, _code, "", "empty-is-not-given"),
    ]

QR_CASES += [
    bad(REG, "phone", "1380013800", PHONE_DIGITS, "len-10"),
    ok(REG, "phone", "13800138000", "len-11"),
    bad(REG, "phone", "138001380001", PHONE_DIGITS, "len-12"),
    ok(REG, "phone", "", "empty"),
    bad(REG, "phone", "1380013800a", PHONE_DIGITS, "letter"),
    bad(REG, "phone", "+8613800138", PHONE_DIGITS, "plus-sign"),
    bad(REG, "phone", "１３８００１３８０００", PHONE_DIGITS, "fullwidth-digits"),
    bad(REG, "body", ["not", "an", "object"], OBJECT, "array"),
]

QUERY_CASES: list[Case] = [
    ok("JSCode2Session", "js_code", "081Kq4Ga1cLrLZ0Xz3Ia1yFqHz3Kq4Gg", "code"),
    ok("JSCode2Session", "js_code", "c" * 256, "len-256"),
    bad("JSCode2Session", "js_code", "c" * 257, "at most 256 characters", "len-257"),
    bad("JSCode2Session", "js_code", "", BLANK, "empty"),
    bad("JSCode2Session", "js_code", "   ", BLANK, "spaces"),
    bad("JSCode2Session", "js_code", OMIT, REQUIRED, "missing"),
    ok("UserInfo", "openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "openid"),
    ok("UserInfo", "openid", "o" * 128, "len-128"),
    bad("UserInfo", "openid", "o" * 129, "at most 128 characters", "len-129"),
    bad("UserInfo", "openid", "", BLANK, "empty"),
    bad("UserInfo", "openid", " \t ", BLANK, "whitespace"),
    bad("UserInfo", "openid", "\x1c\u3000", BLANK, "unicode-whitespace"),
    ok("UserInfo", "openid", "\ufeff", "bom-is-not-whitespace"),
    bad("UserInfo", "openid", OMIT, REQUIRED, "missing"),
    ok("Decrypt", "encryptedData", None, "all-valid"),  # None: keep the valid base value
    *[bad("Decrypt", f, v, rule, name)
      for f in ("encryptedData", "iv", "sessionKey")
      for v, rule, name in (("", BLANK, "empty"), ("  \t  ", BLANK, "whitespace"), (OMIT, REQUIRED, "missing"))],
    ok("JSConfig", "url", "https://example.com/page?x=1#frag", "https-with-fragment"),
    ok("JSConfig", "url", "http://localhost:8080/", "http-port"),
    bad("JSConfig", "url", "example.com/page", ABS_URL, "no-scheme"),
    bad("JSConfig", "url", "/page?x=1", ABS_URL, "relative"),
    bad("JSConfig", "url", "ftp://example.com/file", ABS_URL, "ftp"),
    bad("JSConfig", "url", "https://", ABS_URL, "no-host"),
    bad("JSConfig", "url", "https://exa mple.com/", ABS_URL, "space"),
    bad("JSConfig", "url", "javascript:alert(1)", ABS_URL, "javascript"),
    bad("JSConfig", "url", "", ABS_URL, "empty"),
    ok("JSConfig", "url", "HTTPS://Example.com/a[1]", "upper-case-scheme-brackets-in-path"),
    bad("JSConfig", "url", "http://[::1]/", ABS_URL, "bracketed-ipv6-host"),
    bad("JSConfig", "url", "https://?x=1", ABS_URL, "query-without-host"),
    bad("JSConfig", "url", "https://example.com/\u3000", ABS_URL, "ideographic-space"),
    bad("JSConfig", "url", OMIT, REQUIRED, "missing"),
]

SEND, MSG, LINK, SCHEME = "SubscribeSend", "SubscribeMSG", "UrlLinkGenerate", "GenerateScheme"
CODE, UNLIMITED, SEC = "WXACodeGet", "WXACodeGetUnlimited", "MsgSecCheck"

JTOKEN_CASES: list[Case] = [
    # the body itself: a JSON object, or an array holding exactly one (the provider's SDK sends arrays)
    *[ok(ep, "body", None, "example") for ep in (SEND, MSG, LINK, SCHEME, CODE, UNLIMITED, SEC)],
    *[ok(ep, "body", [catalogue.endpoint(ep).example_body], "example-in-array")
      for ep in (SEND, MSG, LINK, SCHEME, CODE, UNLIMITED, SEC)],
    *[bad(ep, "body", v, ONE_OBJECT, name)
      for ep in (SEND, UNLIMITED, SEC)
      for v, name in ((42, "number"), ("text", "string"), ([], "empty-array"), (True, "bool"),
                      ([catalogue.endpoint(ep).example_body] * 2, "two-object-array"), (["text"], "string-array"))],
    bad(LINK, "body", 3.5, ONE_OBJECT, "number"),
    # SubscribeSend
    bad(SEND, "touser", OMIT, REQUIRED, "missing"),
    bad(SEND, "touser", "", BLANK, "empty"),
    bad(SEND, "touser", 12, NOT_STRING, "number"),
    bad(SEND, "template_id", OMIT, REQUIRED, "missing"),
    bad(SEND, "data", OMIT, REQUIRED, "missing"),
    bad(SEND, "data", "text", OBJECT, "string"),
    bad(SEND, "data", [], OBJECT, "array"),
    ok(SEND, "page", "p" * 1024, "len-1024"),
    bad(SEND, "page", "p" * 1025, "at most 1024 characters", "len-1025"),
    ok(SEND, "miniprogram_state", "formal", "formal"),
    bad(SEND, "miniprogram_state", "release", "one of developer, trial, formal", "release"),
    ok(SEND, "lang", "en_US", "en_US"),
    bad(SEND, "lang", "en", "one of", "en"),
    ok(SEND, "extra_member", {"nested": [1, {"x": None}]}, "unknown-members-pass"),
    # SubscribeMSG
    bad(MSG, "touser", OMIT, REQUIRED, "missing"),
    ok(MSG, "scene", 0, "0"),
    ok(MSG, "scene", 10000, "10000"),
    bad(MSG, "scene", -1, "between 0 and 10000", "minus-1"),
    bad(MSG, "scene", 10001, "between 0 and 10000", "10001"),
    bad(MSG, "scene", "1000", NOT_INT, "string"),
    bad(MSG, "scene", OMIT, REQUIRED, "missing"),
    ok(MSG, "title", "标" * 15, "len-15"),
    bad(MSG, "title", "标" * 16, "at most 15 characters", "len-16"),
    bad(MSG, "title", " ", BLANK, "blank"),
    bad(MSG, "url", "example.com", ABS_URL, "relative"),
    # UrlLinkGenerate / GenerateScheme
    ok(LINK, "expire_interval", 1, "1"),
    ok(LINK, "expire_interval", 30, "30"),
    bad(LINK, "expire_interval", 0, "between 1 and 30", "0"),
    bad(LINK, "expire_interval", 31, "between 1 and 30", "31"),
    bad(LINK, "expire_type", 2, "between 0 and 1", "2"),
    bad(LINK, "env_version", "prod", "one of release, trial, develop", "prod"),
    bad(LINK, "query", "q" * 1025, "at most 1024 characters", "len-1025"),
    bad(SCHEME, "is_expire", "yes", "must be true or false", "string"),
    bad(SCHEME, "jump_wxa", "pages/index", OBJECT, "string"),
    bad(SCHEME, "expire_interval", 31, "between 1 and 30", "31"),
    # WXACodeGet
    ok(CODE, "width", 280, "280"),
    ok(CODE, "width", 1280, "1280"),
    bad(CODE, "width", 279, "between 280 and 1280", "279"),
    bad(CODE, "width", 1281, "between 280 and 1280", "1281"),
    bad(CODE, "path", OMIT, REQUIRED, "missing"),
    bad(CODE, "path", "", BLANK, "empty"),
    bad(CODE, "is_hyaline", 1, "must be true or false", "int"),
    # WXACodeGetUnlimited: WeChat's scene is at most 32 visible characters
    ok(UNLIMITED, "scene", "1" * 32, "len-32"),
    ok(UNLIMITED, "scene", str(INT64_MAX), "signInKey"),
    ok(UNLIMITED, "scene", "a=1&b-2._~!", "allowed-punctuation"),
    bad(UNLIMITED, "scene", "1" * 33, "at most 32 visible characters", "len-33"),
    bad(UNLIMITED, "scene", "a b", "only letters, digits and", "space"),
    bad(UNLIMITED, "scene", "场景", "only letters, digits and", "chinese"),
    bad(UNLIMITED, "scene", "50%off", "only letters, digits and", "percent"),
    bad(UNLIMITED, "scene", "", BLANK, "empty"),
    bad(UNLIMITED, "scene", OMIT, REQUIRED, "missing"),
    bad(UNLIMITED, "scene", 1234, NOT_STRING, "number"),
    # MsgSecCheck
    ok(SEC, "content", "c" * 2500, "len-2500"),
    bad(SEC, "content", "c" * 2501, "at most 2500 characters", "len-2501"),
    bad(SEC, "content", OMIT, REQUIRED, "missing"),
    bad(SEC, "content", "  ", BLANK, "blank"),
    ok(SEC, "version", 1, "1"),
    bad(SEC, "version", 3, "one of 1, 2", "3"),
    ok(SEC, "scene", 4, "4"),
    bad(SEC, "scene", 0, "between 1 and 4", "0"),
    bad(SEC, "scene", 5, "between 1 and 4", "5"),
]

ALL_CASES = QR_CASES + QUERY_CASES + JTOKEN_CASES


def test_case_ids_are_unique() -> None:
    ids = [c.id for c in ALL_CASES]
    assert len(ids) == len(set(ids))


# --- building one request per case ----------------------------------------------------------------------

_KEY = base64.b64decode("tiihtNczf5v6AKRyjwEUhQ==")
_IV = base64.b64decode("r7BXXKkLb8qrSNn05n0qiA==")
_PLAIN = json.dumps({"openId": "oGZUI0egBJY1zhBYw2KhdUfwVJJE", "watermark": {"appid": "wx4f4bc4dec97d474b"}})
DECRYPT_QUERY = {
    "encryptedData": aes_cbc_encrypt(_PLAIN, _IV, _KEY),
    "iv": base64.b64encode(_IV).decode(),
    "sessionKey": base64.b64encode(_KEY).decode(),
}


def _apply(target: dict[str, Any], field: str, value: Any) -> None:
    if value is OMIT:
        target.pop(field, None)
    else:
        target[field] = value


async def build_request(rig: Rig, case: Case) -> tuple[dict[str, Any] | None, Any]:
    """(query, body) with every other input valid, so the case's field is the only thing at fault."""
    ep = catalogue.endpoint(case.endpoint)
    query: dict[str, Any] | None = None
    body: Any = None
    if case.endpoint == "Decrypt":
        query = dict(DECRYPT_QUERY)
    elif ep.query:
        query = {}
    if ep.method != "GET":
        if case.endpoint == REG:
            # A real scanned session, so an accepted registration answers 200.
            key = await rig.client.initiate(scopes="userinfo")
            await rig.client.scan(key)
            body = {"signInKey": key, "unionID": "rules_user_0001"}
        elif case.endpoint in ("QRAuthScan", "QRAuthConfirmLogin"):
            body = {"signInKey": 1}
        elif ep.example_body is not None:
            body = json.loads(json.dumps(ep.example_body))
        else:
            body = {}
    if case.field == "body":
        if case.value is not None or case.rule is not None:
            body = case.value
    elif query is not None and any(f.name == case.field for f in ep.query):
        if case.value is not None or case.rule is not None:
            _apply(query, case.field, case.value)
    else:
        _apply(body, case.field, case.value)
    return query, body


def is_secret(endpoint_id: str, field: str) -> bool:
    try:
        return catalogue.endpoint(endpoint_id).field(field).secret
    except KeyError:
        return False


# --- the two sides ----------------------------------------------------------------------------------------


async def refused_by_client(rig: Rig, case: Case, query: Any, body: Any) -> ValidationError:
    sent, logged, sessions = rig.sent, len(rig.log), len(rig.sandbox.sessions)
    with pytest.raises(ValidationError) as caught:
        await rig.client.call(case.endpoint, query=query, body=body)
    error = caught.value
    assert rig.sent == sent, "a refused call must not reach the transport"
    assert len(rig.log) == logged, "the request log must get nothing for a refused call"
    assert len(rig.sandbox.sessions) == sessions
    assert error.endpoint == case.endpoint
    assert error.violations, "a ValidationError without violations"
    assert {v.field for v in error.violations} == {case.field}, error.violations  # only the case's field
    assert any(case.rule in v.rule_en for v in error.violations), (case.rule, error.violations)
    assert all(v.rule_zh for v in error.violations)
    message = str(error)
    assert case.field in message
    if is_secret(case.endpoint, case.field):
        assert "<hidden>" in message or case.value in (OMIT, None)
        assert repr(case.value) not in message
    elif case.value is OMIT or case.value is None:
        assert "None" not in message and "got" not in message, message  # "is required", nothing more
    else:
        assert shown_value(case.value)[:30] in message, message
        assert repr(case.value) not in message or repr(case.value) == shown_value(case.value), message
    return error


async def refused_by_server(rig: Rig, case: Case, query: Any, body: Any, client_error: ValidationError) -> None:
    sent, logged = rig.sent, len(rig.log)
    with pytest.raises(ApiError) as caught:
        await rig.client.call(case.endpoint, query=query, body=body, validate=False)
    error = caught.value
    assert rig.sent == sent + 1, "validate=False must send the request"
    assert len(rig.log) == logged + 1
    assert error.code == 400
    # HTTP 200 with an envelope, except where the provider's SDK declares HTTP 400
    assert error.http_status == catalogue.endpoint(case.endpoint).error_status
    assert error.data is None  # the provider's SDK types data per endpoint: an error carries none
    listed = error.violations
    assert {v.field for v in listed} == {case.field}, listed
    for violation in client_error.violations:  # both sides apply the same rule and say the same
        assert (violation.field, violation.rule_en, violation.rule_zh) in [(v.field, v.rule_en, v.rule_zh) for v in listed]
        assert f"{violation.field}: {violation.rule_en}" in error.error
    assert case.rule in error.error
    if is_secret(case.endpoint, case.field):
        assert "<hidden>" in error.error or case.value in (OMIT, None)


async def accepted(rig: Rig, case: Case, query: Any, body: Any) -> None:
    ep = catalogue.endpoint(case.endpoint)
    assert rig.client.check(ep, query, body) == []
    sent = rig.sent
    try:
        result = await rig.client.call(case.endpoint, query=query, body=body)
    except ValidationError as exc:  # pragma: no cover - the check above already failed
        pytest.fail(f"client refused a valid input: {exc}")
    except ApiError as exc:
        assert exc.code == case.ok_code, exc
    else:
        assert case.ok_code == 200
        assert result.http_status == 200
    assert rig.sent == sent + 1


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.id)
async def test_rule_boundary_both_sides(rig: Rig, case: Case) -> None:
    query, body = await build_request(rig, case)
    if case.rule is None:
        await accepted(rig, case, query, body)
        if case.endpoint == REG and case.field != "signInKey":
            session = rig.sandbox.sessions.get(body["signInKey"])
            assert session is not None and session.state.value == "registered"
        return
    client_error = await refused_by_client(rig, case, query, body)
    await refused_by_server(rig, case, query, body, client_error)
    if case.endpoint == REG and case.field != "signInKey" and isinstance(body, dict):
        # a refused registration changes nothing: the session is still scanned, no user was added
        session = rig.sandbox.sessions.get(body["signInKey"])
        assert session is not None and session.state.value == "scanned"
        if isinstance(body.get("unionID"), str):
            assert rig.sandbox.users.by_union(body["unionID"]) is None


# --- details that do not fit the table --------------------------------------------------------------------


async def test_accepted_initiate_stores_what_was_sent(rig: Rig) -> None:
    key = await rig.client.initiate(scopes="a" * 100, remark="备" * 200, scheme="s" * 50)
    session = rig.sandbox.sessions.get(key)
    assert session is not None
    assert (session.scopes, session.remark, session.scheme) == ("a" * 100, "备" * 200, "s" * 50)


async def test_secret_value_never_shown_even_for_a_type_error(rig: Rig) -> None:
    secret = 987654321987
    with pytest.raises(ValidationError) as caught:
        await rig.client.call("Decrypt", query={**DECRYPT_QUERY, "sessionKey": secret})
    assert caught.value.fields == ("sessionKey",)
    assert "<hidden>" in str(caught.value) and "已隐藏" in caught.value.message("zh")
    for text in (str(caught.value), caught.value.message("zh")):
        assert str(secret) not in text
    assert rig.sent == 0 and rig.log == []


async def test_several_violations_are_all_reported(rig: Rig) -> None:
    body = {"scopes": "a b", "remark": "r" * 201, "scheme": "app-1"}
    with pytest.raises(ValidationError) as caught:
        await rig.client.call("QRAuthInitiate", body=body)
    assert set(caught.value.fields) == {"scopes", "remark", "scheme"}
    assert rig.sent == 0 and rig.log == []
    with pytest.raises(ApiError) as server:
        await rig.client.call("QRAuthInitiate", body=body, validate=False)
    assert server.value.code == 400
    assert {v.field for v in server.value.violations} == {"scopes", "remark", "scheme"}


async def test_typed_method_validates_before_sending(rig: Rig) -> None:
    with pytest.raises(ValidationError) as caught:
        await rig.client.initiate(scopes="a" * 101)
    assert caught.value.fields == ("scopes",)
    assert '(got "aaaa' in str(caught.value) and "'aaaa" not in str(caught.value)
    assert rig.sent == 0 and rig.log == []


@pytest.mark.parametrize("app_key", ["", "   ", "k" * 129])
async def test_blank_or_long_app_key_refused_by_client(sandbox: Sandbox, app_key: str) -> None:
    transport = CountingTransport(httpx.ASGITransport(app=sandbox.app))
    async with QrLoginClient("http://sandbox.test", app_key, TEST_TOKEN, transport=transport) as c:
        with pytest.raises(ValidationError) as caught:
            await c.initiate()
    assert caught.value.fields == ("appKey",)
    assert transport.requests == []


async def test_client_level_validate_false_sends_anyway(sandbox: Sandbox) -> None:
    transport = CountingTransport(httpx.ASGITransport(app=sandbox.app))
    async with QrLoginClient("http://sandbox.test", APP_KEY, TEST_TOKEN, transport=transport, validate=False) as c:
        with pytest.raises(ApiError) as caught:
            await c.initiate(scopes="a b")
    assert caught.value.code == 400
    assert len(transport.requests) == 1


def test_jtoken_without_known_fields_accepts_object_or_array_only() -> None:
    assert models.jtoken_violations({}, None) == []
    assert models.jtoken_violations([1, {"a": [None]}], None) == []
    for value in (5, 1.5, "text", True, None):
        found = models.jtoken_violations(value, None)
        assert [v.field for v in found] == ["body"]
        assert "object or array" in found[0].rule_en


# --- property tests: the rules agree with independent predicates --------------------------------------------

_ALLOWED_SCOPES = set(string.ascii_letters + string.digits + ",")
_ALLOWED_UNION = set(string.ascii_letters + string.digits + "_-")


def _scopes_ok(value: str) -> bool:
    return len(value) <= 100 and all(c in _ALLOWED_SCOPES for c in value)


def _union_ok(value: str) -> bool:
    return 1 <= len(value) <= 50 and all(c in _ALLOWED_UNION for c in value)


def _phone_ok(value: str) -> bool:
    return value == "" or (len(value) == 11 and all(c in "0123456789" for c in value))


def _mixed(allowed: str, max_size: int, min_size: int = 0) -> st.SearchStrategy[str]:
    """Strings mostly of allowed characters (so lengths near the limit occur) with arbitrary intruders."""
    return st.text(
        alphabet=st.one_of(st.sampled_from(allowed), st.characters()),
        min_size=min_size,
        max_size=max_size,
    )


def _agrees(field: models.Field, predicate: Callable[[str], bool], value: str) -> None:
    found = field.violations(value)
    assert (not found) == predicate(value), (value, found)
    assert all(v.field == field.name for v in found)


@settings(max_examples=400, deadline=None)
@given(st.one_of(_mixed(string.ascii_letters + string.digits + ",", 110),
                 st.text(alphabet=string.ascii_letters + string.digits + ",", min_size=95, max_size=105),
                 st.text()))
def test_scopes_rule_agrees_with_independent_predicate(value: str) -> None:
    _agrees(models.PRE_SIGN_IN.field("scopes"), _scopes_ok, value)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_mixed(string.ascii_letters + string.digits + "_-", 55),
                 st.text(alphabet=string.ascii_letters + string.digits + "_-", min_size=45, max_size=55)))
def test_union_id_rule_agrees_with_independent_predicate(value: str) -> None:
    _agrees(models.SIGN_UP.field("unionID"), _union_ok, value)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_mixed("0123456789", 13), st.text(alphabet="0123456789", min_size=9, max_size=13)))
def test_phone_rule_agrees_with_independent_predicate(value: str) -> None:
    _agrees(models.SIGN_UP.field("phone"), _phone_ok, value)


def _int64_text_ok(value: str) -> bool:
    """A plain decimal: ASCII digits, an optional minus, no leading zeros (str(int) gives it back), int64."""
    if not value.isascii() or not value.lstrip("-").isdigit() or value.count("-") > 1 or value[1:].count("-"):
        return False
    return str(int(value)) == value and INT64_MIN <= int(value) <= INT64_MAX


_NEAR_BOUNDS = st.one_of(st.integers(INT64_MAX - 10**4, INT64_MAX + 10**4),
                         st.integers(INT64_MIN - 10**4, INT64_MIN + 10**4),
                         st.integers(-(10**20), 10**20), st.integers(-1000, 1000))


@settings(max_examples=500, deadline=None)
@given(st.one_of(_NEAR_BOUNDS.map(str), _NEAR_BOUNDS.map(lambda n: f"0{n}"),
                 st.text(alphabet="-+0123456789 e.", max_size=21), st.text(max_size=5)))
def test_int64_decimal_string_rule_agrees_with_independent_predicate(value: str) -> None:
    """The sandbox's check and the OpenAPI document's pattern both accept exactly the plain int64 decimals."""
    from qrlogin_desktop.api.openapi import field_schema

    key = models.SCAN.field("signInKey")
    _agrees(key, _int64_text_ok, value)
    documented_as_text = next(s for s in field_schema(key)["oneOf"] if s["type"] == "string")
    assert bool(re.fullmatch(documented_as_text["pattern"], value)) == _int64_text_ok(value), value
    if _int64_text_ok(value):
        assert models.SCAN.normalised({"signInKey": value}) == {"signInKey": int(value)}


def test_whitespace_class_is_pythons_whitespace() -> None:
    """The class the OpenAPI patterns spell out is exactly what str.isspace (and so "blank") means."""
    import sys

    from qrlogin_desktop.api.rules import WHITESPACE_CLASS, NotBlank

    spelled_out = re.compile(f"[{WHITESPACE_CLASS}]")
    assert [c for c in range(sys.maxunicode + 1) if bool(spelled_out.match(chr(c))) != chr(c).isspace()] == []
    for text in ("", " ", "\x1c\u3000\t", "\ufeff", " a "):
        assert (NotBlank().check(text) is None) == bool(text.strip()), repr(text)
