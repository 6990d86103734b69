"""The provider's own generated SDK (PyPI ``zsgf-client``, package ``ZSGF.Client``) against the sandbox.

A user of that SDK calls ``WechatApi``'s public methods; every one of the 15 endpoints is driven that way
over a real loopback socket, success and error answers both. Each answer must deserialize into the SDK's
pydantic models, and each error must reach the SDK caller readable: either an envelope model whose
``code``/``error`` say what went wrong (HTTP 200 endpoints), or the SDK's own ``ApiException`` with the
status and the envelope in its body (HTTP 400 for the three endpoints the SDK declares so, and 401).
"""

from __future__ import annotations

import base64
import io
import json
import os
import secrets
from collections.abc import Iterator

import httpx
import pytest
import zxingcpp
from PIL import Image
from support import APP_KEY, TEST_TOKEN, FakeClock
from ZSGF.Client import ApiClient, Configuration, WechatApi
from ZSGF.Client.exceptions import BadRequestException, UnauthorizedException
from ZSGF.Client.models import (
    Int64ApiResponse,
    QRCodePreSignInRequest,
    QRCodeScanRequest,
    QRCodeSignInRequest,
    QRCodeSignUpRequest,
    StringApiResponse,
    TokenModel,
    TokenModelApiResponse,
    UserQRCodeScanResult,
    UserQRCodeScanResultApiResponse,
    WechatJSConfigResult,
    WechatJSConfigResultApiResponse,
)

from qrlogin_desktop.api import catalogue
from qrlogin_desktop.api.client import QrLoginClient
from qrlogin_desktop.api.errors import ApiError
from qrlogin_desktop.sandbox import Sandbox, SandboxConfig, SandboxThread
from qrlogin_desktop.sandbox.wechat import aes_cbc_encrypt

pytestmark = pytest.mark.loopback

DEADLINE = 5.0  # seconds: every SDK call carries it as its overall urllib3 timeout
KEYWORD = "xyzzy-banned"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"


@pytest.fixture
def sandbox(clock: FakeClock) -> Sandbox:
    return Sandbox(SandboxConfig(app_key=APP_KEY, token=TEST_TOKEN, clock=clock, keywords=(KEYWORD,)))


def _sdk(url: str, token: str = TEST_TOKEN) -> Iterator[WechatApi]:
    with ApiClient(Configuration(host=url, access_token=token)) as api_client:
        yield WechatApi(api_client)


@pytest.fixture
def sdk(loopback: SandboxThread) -> Iterator[WechatApi]:
    yield from _sdk(loopback.url)


def example(endpoint_id: str) -> dict:
    return dict(catalogue.endpoint(endpoint_id).example_body)


def assert_refused(answer, model: type, *fields: str) -> None:
    """An HTTP 200 error envelope, read through the SDK's model: code and error text, no data."""
    assert isinstance(answer, model)
    assert answer.code == 400
    assert answer.data is None
    for name in fields:
        assert name in answer.error


def bad_request(raised: pytest.ExceptionInfo) -> dict:
    """The SDK's BadRequestException for an HTTP 400 answer: status and the envelope readable."""
    error = raised.value
    assert isinstance(error, BadRequestException)
    assert error.status == 400
    envelope = json.loads(error.body)
    assert envelope["code"] == 400 and envelope["data"] is None and envelope["error"]
    assert envelope["violations"] and all({"field", "rule", "rule_zh"} <= set(v) for v in envelope["violations"])
    return envelope


def decode_qr(image_bytes: bytes) -> str:
    image = Image.open(io.BytesIO(image_bytes))
    image.load()
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode, text_mode=zxingcpp.TextMode.Plain)
    assert found, "no QR code found in the image"
    return found[0].text


# --- the QR-Auth endpoints ---------------------------------------------------------------------------


def test_initiate_without_a_body(sdk: WechatApi) -> None:
    answer = sdk.initiate_qr_auth_session(APP_KEY, _request_timeout=DEADLINE)
    assert isinstance(answer, Int64ApiResponse)
    assert answer.code == 200 and isinstance(answer.data, int) and 0 < answer.data < 2**63


def test_initiate_with_a_model_and_a_refusal(sdk: WechatApi) -> None:
    ok = sdk.initiate_qr_auth_session(
        APP_KEY, QRCodePreSignInRequest(scopes="userinfo,phone", remark="sdk", scheme="app"), _request_timeout=DEADLINE)
    assert ok.code == 200 and isinstance(ok.data, int)
    # The SDK's ^...$ lets a trailing newline through; our rule (\Z) does not.
    refused = sdk.initiate_qr_auth_session(APP_KEY, QRCodePreSignInRequest(scopes="userinfo\n"),
                                           _request_timeout=DEADLINE)
    assert_refused(refused, Int64ApiResponse, "scopes", "only letters, digits and commas")


def test_scan_confirm_login(sdk: WechatApi) -> None:
    key = sdk.initiate_qr_auth_session(APP_KEY, _request_timeout=DEADLINE).data
    waiting = sdk.confirm_qr_code_login(APP_KEY, QRCodeSignInRequest(signInKey=key), _request_timeout=DEADLINE)
    assert isinstance(waiting, TokenModelApiResponse)
    assert waiting.code == 408 and waiting.data is None and waiting.error
    scanned = sdk.scan_qr_code_for_auth(APP_KEY, QRCodeScanRequest(signInKey=key), _request_timeout=DEADLINE)
    assert isinstance(scanned, UserQRCodeScanResultApiResponse) and scanned.code == 200
    assert isinstance(scanned.data, UserQRCodeScanResult)
    assert isinstance(scanned.data.app_id, int) and scanned.data.name and scanned.data.logo
    token = sdk.confirm_qr_code_login(APP_KEY, QRCodeSignInRequest(signInKey=key), _request_timeout=DEADLINE)
    assert token.code == 200 and isinstance(token.data, TokenModel)
    assert token.data.token_type == "Bearer" and token.data.expires_in == 86400 and token.data.access_token
    again = sdk.scan_qr_code_for_auth(APP_KEY, QRCodeScanRequest(signInKey=key), _request_timeout=DEADLINE)
    assert again.code == 409 and again.data is None and again.error


def test_scan_unknown_key_and_int64_bound(sdk: WechatApi) -> None:
    unknown = sdk.scan_qr_code_for_auth(APP_KEY, QRCodeScanRequest(signInKey=12345), _request_timeout=DEADLINE)
    assert isinstance(unknown, UserQRCodeScanResultApiResponse)
    assert unknown.code == 404 and unknown.data is None and unknown.error
    # The SDK does not bound int64; we do.
    huge = sdk.scan_qr_code_for_auth(APP_KEY, QRCodeScanRequest(signInKey=2**63), _request_timeout=DEADLINE)
    assert_refused(huge, UserQRCodeScanResultApiResponse, "signInKey", "64-bit")


def test_confirm_register(sdk: WechatApi, sandbox: Sandbox) -> None:
    sandbox.require_registration = True
    key = sdk.initiate_qr_auth_session(APP_KEY, _request_timeout=DEADLINE).data
    sdk.scan_qr_code_for_auth(APP_KEY, QRCodeScanRequest(signInKey=key), _request_timeout=DEADLINE)
    # Arabic-Indic digits pass the SDK's \d{11}; our rule wants ASCII digits.
    form = dict(signInKey=key, unionID="sdk_user_" + secrets.token_hex(4), nickName="SDK用户名")
    foreign = sdk.confirm_qr_code_registration(APP_KEY, QRCodeSignUpRequest(**form, phone="١٣٨٠٠١٣٨٠٠٠"),
                                               _request_timeout=DEADLINE)
    assert_refused(foreign, TokenModelApiResponse, "phone", "exactly 11 digits")
    token = sdk.confirm_qr_code_registration(APP_KEY, QRCodeSignUpRequest(**form, phone="13800138000"),
                                             _request_timeout=DEADLINE)
    assert isinstance(token, TokenModelApiResponse) and token.code == 200
    assert isinstance(token.data, TokenModel) and token.data.access_token
    assert sandbox.issuer.verify(token.data.access_token)["unionid"] == form["unionID"]


# --- the GET endpoints -------------------------------------------------------------------------------


def test_jscode2session_decrypt_user_info(sdk: WechatApi) -> None:
    code = "code_" + secrets.token_hex(8)
    answer = sdk.wechat_js_code2_session(APP_KEY, js_code=code, _request_timeout=DEADLINE)
    assert isinstance(answer, StringApiResponse) and answer.code == 200
    session = json.loads(answer.data)
    used = sdk.wechat_js_code2_session(APP_KEY, js_code=code, _request_timeout=DEADLINE)
    assert used.code == 400 and used.data is None and "already used" in used.error

    iv = os.urandom(16)
    plain = json.dumps({"openId": session["openid"], "watermark": {"appid": "wx1", "timestamp": 1}})
    encrypted = aes_cbc_encrypt(plain, iv, base64.b64decode(session["session_key"]))
    decrypted = sdk.wechat_decrypt(APP_KEY, encrypted_data=encrypted, iv=base64.b64encode(iv).decode(),
                                   session_key=session["session_key"], _request_timeout=DEADLINE)
    assert isinstance(decrypted, StringApiResponse) and json.loads(decrypted.data) == json.loads(plain)
    bad_iv = sdk.wechat_decrypt(APP_KEY, encrypted_data=encrypted, iv="AAAA", session_key=session["session_key"],
                                _request_timeout=DEADLINE)
    assert_refused(bad_iv, StringApiResponse, "iv")

    union = sdk.wechat_user_info(APP_KEY, openid=session["openid"], _request_timeout=DEADLINE)
    assert isinstance(union, StringApiResponse) and union.data == session["unionid"]
    missing = sdk.wechat_user_info(APP_KEY, _request_timeout=DEADLINE)  # the SDK's openid is optional
    assert_refused(missing, StringApiResponse, "openid", "is required")


def test_js_config(sdk: WechatApi) -> None:
    cfg = sdk.wechat_js_config(APP_KEY, url="https://example.com/page?x=1", _request_timeout=DEADLINE)
    assert isinstance(cfg, WechatJSConfigResultApiResponse) and cfg.code == 200
    assert isinstance(cfg.data, WechatJSConfigResult)
    assert cfg.data.app_key == APP_KEY and len(cfg.data.signature) == 40 and cfg.data.js_api_list
    refused = sdk.wechat_js_config(APP_KEY, url="not a url", _request_timeout=DEADLINE)
    assert_refused(refused, WechatJSConfigResultApiResponse, "url")


# --- the JToken endpoints: the SDK can only send an array ----------------------------------------------

STRING_JTOKEN_CALLS = {
    "SubscribeSend": ("wechat_subscribe_send", "touser"),
    "SubscribeMSG": ("wechat_subscribe_msg", "touser"),
    "UrlLinkGenerate": ("wechat_url_link_generate", "expire_interval"),
    "GenerateScheme": ("wechat_generate_scheme", "expire_interval"),
}
BROKEN_BODY = {
    "SubscribeSend": {"template_id": "T", "data": {}},
    "SubscribeMSG": {"template_id": "T", "scene": 1, "title": "t", "data": {}},
    "UrlLinkGenerate": {"expire_interval": 99},
    "GenerateScheme": {"expire_interval": 99},
}


@pytest.mark.parametrize("endpoint_id", sorted(STRING_JTOKEN_CALLS))
def test_jtoken_string_endpoints(sdk: WechatApi, endpoint_id: str) -> None:
    method_name, broken_field = STRING_JTOKEN_CALLS[endpoint_id]
    call = getattr(sdk, method_name)
    ok = call(APP_KEY, [example(endpoint_id)], _request_timeout=DEADLINE)
    assert isinstance(ok, StringApiResponse) and ok.code == 200 and ok.data
    refused = call(APP_KEY, [BROKEN_BODY[endpoint_id]], _request_timeout=DEADLINE)
    assert_refused(refused, StringApiResponse, broken_field)
    for not_one_object in ([], [example(endpoint_id), example(endpoint_id)], ["text"]):
        refused = call(APP_KEY, not_one_object, _request_timeout=DEADLINE)
        assert_refused(refused, StringApiResponse, "body", "exactly one object")


def test_msg_sec_check(sdk: WechatApi) -> None:
    clean = sdk.wechat_msg_sec_check(APP_KEY, [{"content": "你好"}], _request_timeout=DEADLINE)
    assert clean["code"] == 200 and clean["data"]["result"]["suggest"] == "pass"
    risky = sdk.wechat_msg_sec_check(APP_KEY, [{"content": f"a {KEYWORD} b"}], _request_timeout=DEADLINE)
    assert risky["data"]["result"]["suggest"] == "risky"
    with pytest.raises(BadRequestException) as raised:
        sdk.wechat_msg_sec_check(APP_KEY, [{"content": "x" * 2501}], _request_timeout=DEADLINE)
    envelope = bad_request(raised)
    assert raised.value.data == envelope  # the SDK deserialized the 400 answer as its declared object
    assert "content" in envelope["error"] and envelope["violations"][0]["field"] == "content"


def test_wxacode_get(sdk: WechatApi) -> None:
    answer = sdk.wechat_wxa_code_get_with_http_info(APP_KEY, [{"path": "pages/index/index?from=sdk"}],
                                                    _request_timeout=DEADLINE)
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/jpeg"
    assert bytes(answer.data).startswith(JPEG_MAGIC)
    assert decode_qr(bytes(answer.data)) == "pages/index/index?from=sdk"
    with pytest.raises(BadRequestException) as raised:
        sdk.wechat_wxa_code_get(APP_KEY, [{"width": 430}], _request_timeout=DEADLINE)
    assert "path" in bad_request(raised)["error"]


def test_wxacode_get_unlimited(sdk: WechatApi) -> None:
    image = sdk.wechat_wxa_code_get_unlimited(APP_KEY, [{"scene": "1234567890123456789", "width": 280}],
                                              _request_timeout=DEADLINE)
    assert isinstance(image, (bytes, bytearray)) and bytes(image).startswith(JPEG_MAGIC)
    assert Image.open(io.BytesIO(image)).width >= 280
    assert decode_qr(bytes(image)) == "1234567890123456789"
    with pytest.raises(BadRequestException) as raised:
        sdk.wechat_wxa_code_get_unlimited(APP_KEY, [{"scene": "s" * 33}], _request_timeout=DEADLINE)
    assert "scene" in bad_request(raised)["error"]
    with pytest.raises(BadRequestException) as raised:  # not one object: refused with HTTP 400 too
        sdk.wechat_wxa_code_get_unlimited(APP_KEY, [{"scene": "a"}, {"scene": "b"}], _request_timeout=DEADLINE)
    assert bad_request(raised)["violations"][0]["field"] == "body"


@pytest.mark.parametrize(("accept", "hyaline", "expected"), [
    ("image/jpeg", False, "image/jpeg"),  # the SDK's own header
    (None, False, "image/jpeg"),  # WeChat's default
    ("image/png", False, "image/png"),  # only PNG is acceptable
    ("image/jpeg;q=0, image/*", False, "image/png"),
    ("image/png;q=0.5, image/jpeg;q=0.9", False, "image/jpeg"),
    ("image/*;q=0.2, image/png", False, "image/png"),
    ("*/*", True, "image/png"),  # a transparent code is a PNG
    ("application/json, image/*", True, "image/png"),  # our own client's header
    ("application/json, image/*", False, "image/jpeg"),
])
def test_image_format_negotiation(sdk: WechatApi, accept: str | None, hyaline: bool, expected: str) -> None:
    headers = {"Accept": accept} if accept else {"Accept": ""}
    answer = sdk.wechat_wxa_code_get_with_http_info(APP_KEY, [{"path": "p/q", "is_hyaline": hyaline}],
                                                    _headers=headers, _request_timeout=DEADLINE)
    assert answer.headers["content-type"] == expected
    data = bytes(answer.data)
    assert data.startswith(PNG_MAGIC if expected == "image/png" else JPEG_MAGIC)
    image = Image.open(io.BytesIO(data))
    if hyaline:
        assert image.mode in ("LA", "RGBA") and image.getextrema()[-1][0] == 0  # some pixels are see-through
        image = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image.convert("RGBA"))
        out = io.BytesIO()
        image.save(out, format="PNG")
        data = out.getvalue()
    assert decode_qr(data) == "p/q"


# --- the bearer token and the appKey segment -----------------------------------------------------------


def test_bad_bearer_reaches_the_sdk_as_its_exception(loopback: SandboxThread) -> None:
    for api in _sdk(loopback.url, token="wrong"):
        with pytest.raises(UnauthorizedException) as raised:
            api.wechat_js_config(APP_KEY, url="https://example.com/", _request_timeout=DEADLINE)
    assert raised.value.status == 401
    assert json.loads(raised.value.body)["code"] == 401 and "bearer" in json.loads(raised.value.body)["error"]


def test_reserved_characters_in_the_app_key(clock: FakeClock) -> None:
    sandbox = Sandbox(SandboxConfig(app_key="de/mo %ü", token=TEST_TOKEN, clock=clock))
    with SandboxThread(sandbox) as running:
        for api in _sdk(running.url):
            answer = api.initiate_qr_auth_session("de/mo %ü", _request_timeout=DEADLINE)
            assert answer.code == 200 and isinstance(answer.data, int)
            other = api.initiate_qr_auth_session("de", _request_timeout=DEADLINE)  # not a prefix match
            assert other.code == 404 and "appKey" in other.error


def test_an_encoded_api_prefix_still_routes(loopback: SandboxThread) -> None:
    """Only the appKey segment is read raw; a path whose "/Wechat/" itself is percent-encoded still routes."""
    response = httpx.post(loopback.url + "/%57echat/demo/QR-Auth/Initiate", json={}, timeout=DEADLINE,
                          headers={"Authorization": f"Bearer {TEST_TOKEN}"})
    assert response.status_code == 200 and response.json()["code"] == 200


async def test_our_client_with_reserved_characters_in_the_app_key(clock: FakeClock) -> None:
    sandbox = Sandbox(SandboxConfig(app_key="de/mo", token=TEST_TOKEN, clock=clock))
    with SandboxThread(sandbox) as running:
        async with QrLoginClient(running.url, "de/mo", TEST_TOKEN, timeout=DEADLINE) as client:
            key = await client.initiate()
            assert (await client.scan(key)).name


# --- our own client reads the new error shapes ------------------------------------------------------


async def test_our_client_reads_violations_and_http_400(loopback_client: QrLoginClient) -> None:
    with pytest.raises(ApiError) as raised:
        await loopback_client.call("WXACodeGetUnlimited", body={"scene": "s" * 33}, validate=False)
    assert raised.value.code == 400 and raised.value.http_status == 400
    assert [v.field for v in raised.value.violations] == ["scene"]
    assert raised.value.violations[0].rule_zh
    with pytest.raises(ApiError) as raised:
        await loopback_client.call("SubscribeSend", body=[{}, {}], validate=False)
    assert raised.value.http_status == 200 and [v.field for v in raised.value.violations] == ["body"]
    image = await loopback_client.call("WXACodeGetUnlimited", body=[{"scene": "abc"}])  # a one-object array
    assert image.value.content_type == "image/jpeg" and decode_qr(image.value.data) == "abc"


async def test_our_client_reads_violations_under_data_too() -> None:
    """A server of the old shape (violations under data) still yields ApiError.violations."""
    def old_server(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"code": 400, "data": {"violations": [
            {"field": "touser", "rule": "is required", "rule_zh": "必填"}]}, "error": "touser: is required"})

    async with QrLoginClient("http://old.test", APP_KEY, TEST_TOKEN, transport=httpx.MockTransport(old_server)) as c:
        with pytest.raises(ApiError) as raised:
            await c.call("SubscribeSend", body={}, validate=False)
    assert [(v.field, v.rule_en, v.rule_zh) for v in raised.value.violations] == [("touser", "is required", "必填")]
