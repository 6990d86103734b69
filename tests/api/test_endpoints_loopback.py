"""Every endpoint of the catalogue, through the client's typed method, against the sandbox on a real socket.

``ROUND_TRIPS`` maps each endpoint id to a round trip; the parametrized test runs over
``catalogue.ENDPOINTS`` itself, so an endpoint added to the catalogue without a round trip here fails.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl, quote, urlsplit

import httpx
import pytest
import zxingcpp
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from PIL import Image
from support import APP_KEY, TEST_TOKEN, FakeClock

from qrlogin_desktop.api import catalogue
from qrlogin_desktop.api.client import CallResult, Exchange, QrLoginClient
from qrlogin_desktop.api.errors import ApiError
from qrlogin_desktop.api.models import (
    ImageResult,
    QRCodePreSignInRequest,
    QRCodeSignUpRequest,
    TokenModel,
    UserQRCodeScanResult,
    WechatJSConfigResult,
)
from qrlogin_desktop.sandbox import Sandbox, SandboxConfig, SandboxThread

pytestmark = pytest.mark.loopback

JSAPI_TICKET = "loopback_ticket_" + "k" * 20
KEYWORDS = ("xyzzy-banned", "禁止词")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"


@pytest.fixture
def sandbox(clock: FakeClock) -> Sandbox:
    """The conftest sandbox with a known jsapi_ticket and our own MsgSecCheck keywords."""
    return Sandbox(SandboxConfig(app_key=APP_KEY, token=TEST_TOKEN, clock=clock, jsapi_ticket=JSAPI_TICKET,
                                 keywords=KEYWORDS))


class Ctx:
    def __init__(self, client: QrLoginClient, sandbox: Sandbox, loopback: SandboxThread):
        self.client = client
        self.sandbox = sandbox
        self.loopback = loopback
        self.tokens: list[str] = []  # every access_token issued to us
        self.session_keys: list[str] = []


def _encrypt(plaintext: str, key: bytes, iv: bytes) -> str:
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext.encode()) + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return base64.b64encode(enc.update(padded) + enc.finalize()).decode()


def _decode_qr(png: bytes) -> str:
    image = Image.open(io.BytesIO(png))
    image.load()
    results = zxingcpp.read_barcodes(image)
    assert results, "no barcode found in the image"
    return results[0].text


# --- the round trips, one per endpoint ---------------------------------------------------------------


async def rt_initiate(ctx: Ctx) -> None:
    key = await ctx.client.initiate(scopes="userinfo,phone", remark="desktop login", scheme="app")
    assert type(key) is int
    assert 0 < key < 2**63
    other = await ctx.client.initiate()
    assert type(other) is int and other != key


async def rt_scan(ctx: Ctx) -> None:
    key = await ctx.client.initiate(QRCodePreSignInRequest(scopes="userinfo,phone,email", remark="备注 remark",
                                                           scheme="app2"))
    result = await ctx.client.scan(key)
    assert isinstance(result, UserQRCodeScanResult)
    assert result.scopes == "userinfo,phone,email"
    assert result.scope_list == ["userinfo", "phone", "email"]
    assert result.remark == "备注 remark"
    assert result.scheme == "app2"
    assert isinstance(result.appID, int)
    assert result.name
    assert result.logo and result.logo.startswith(ctx.loopback.url)
    async with httpx.AsyncClient(timeout=5) as http:
        logo = await http.get(result.logo)
    assert logo.status_code == 200
    assert logo.headers["content-type"].startswith("image/png")
    assert logo.content.startswith(PNG_MAGIC)
    Image.open(io.BytesIO(logo.content)).verify()


async def rt_confirm_login(ctx: Ctx) -> None:
    key = await ctx.client.initiate()
    with pytest.raises(ApiError) as waiting:
        await ctx.client.confirm_login(key)
    assert waiting.value.code == 408
    await ctx.client.scan(key)
    token = await ctx.client.confirm_login(key)
    assert isinstance(token, TokenModel)
    assert token.token_type == "Bearer"
    assert token.expires_in == 86400
    assert ctx.sandbox.issuer.verify(token.access_token) is not None
    ctx.tokens.append(token.access_token)
    with pytest.raises(ApiError) as again:
        await ctx.client.confirm_login(key)
    assert again.value.code == 409


async def rt_confirm_register(ctx: Ctx) -> None:
    ctx.sandbox.require_registration = True
    key = await ctx.client.initiate(scopes="userinfo")
    await ctx.client.scan(key)
    with pytest.raises(ApiError) as pending:
        await ctx.client.confirm_login(key)
    assert pending.value.code == 202
    union = "new_user_" + secrets.token_hex(4)
    phone_token = await ctx.client.confirm_register(
        QRCodeSignUpRequest(signInKey=key, unionID=union, nickName="新用户名字", phone="13800138000"))
    assert isinstance(phone_token, TokenModel)
    assert phone_token.token_type == "Bearer"
    claims = ctx.sandbox.issuer.verify(phone_token.access_token)
    assert claims is not None and claims["unionid"] == union
    ctx.tokens.append(phone_token.access_token)
    desktop_token = await ctx.client.confirm_login(key)  # the poller now gets the registration's token
    assert isinstance(desktop_token, TokenModel)
    assert desktop_token.access_token == phone_token.access_token


async def rt_jscode2session(ctx: Ctx) -> dict[str, str]:
    answer = await ctx.client.jscode2session("code_" + secrets.token_hex(8))
    assert isinstance(answer, str)
    parsed = json.loads(answer)
    assert set(parsed) >= {"openid", "session_key", "unionid"}
    assert all(isinstance(parsed[k], str) and parsed[k] for k in ("openid", "session_key", "unionid"))
    assert len(base64.b64decode(parsed["session_key"], validate=True)) == 16
    ctx.session_keys.append(parsed["session_key"])
    return parsed


async def rt_decrypt(ctx: Ctx) -> None:
    session = await rt_jscode2session(ctx)
    iv = os.urandom(16)
    plain = json.dumps({"nickName": "张三", "openId": session["openid"], "watermark": {"appid": "wx1234", "timestamp": 1}},
                       ensure_ascii=False)
    encrypted = _encrypt(plain, base64.b64decode(session["session_key"]), iv)
    out = await ctx.client.decrypt(encrypted, base64.b64encode(iv).decode(), session["session_key"])
    assert isinstance(out, str)
    assert json.loads(out) == json.loads(plain)


async def rt_user_info(ctx: Ctx) -> None:
    session = await rt_jscode2session(ctx)
    union = await ctx.client.user_info(session["openid"])
    assert isinstance(union, str)
    assert union == session["unionid"]
    stranger = await ctx.client.user_info("oStrangerOpenId000000000001")
    assert isinstance(stranger, str) and stranger and stranger != union
    assert await ctx.client.user_info("oStrangerOpenId000000000001") == stranger  # stable


async def rt_subscribe_send(ctx: Ctx) -> None:
    msgid = await ctx.client.subscribe_send(catalogue.endpoint("SubscribeSend").example_body)
    assert isinstance(msgid, str) and msgid.isdigit()


async def rt_subscribe_msg(ctx: Ctx) -> None:
    out = await ctx.client.subscribe_msg(catalogue.endpoint("SubscribeMSG").example_body)
    assert isinstance(out, str) and out == "ok"


async def rt_js_config(ctx: Ctx) -> None:
    page = "https://example.com/page?x=1&y=中文"
    cfg = await ctx.client.js_config(page + "#frag")
    assert isinstance(cfg, WechatJSConfigResult)
    assert cfg.appKey == APP_KEY
    assert cfg.jsApiList and all(isinstance(x, str) for x in cfg.jsApiList)
    assert cfg.timestamp == str(int(ctx.sandbox.config.clock()))
    plain = f"jsapi_ticket={JSAPI_TICKET}&noncestr={cfg.noncestr}&timestamp={cfg.timestamp}&url={page}"
    assert cfg.signature == hashlib.sha1(plain.encode()).hexdigest()


async def _links(call: Callable[[], Awaitable[str]], prefix: str) -> None:
    links = [await call() for _ in range(20)]
    assert all(isinstance(x, str) and x.startswith(prefix) and len(x) > len(prefix) for x in links), links
    assert len(set(links)) == 20


async def rt_url_link(ctx: Ctx) -> None:
    body = catalogue.endpoint("UrlLinkGenerate").example_body
    await _links(lambda: ctx.client.url_link_generate(body), "https://wxaurl.cn/")


async def rt_scheme(ctx: Ctx) -> None:
    body = catalogue.endpoint("GenerateScheme").example_body
    await _links(lambda: ctx.client.generate_scheme(body), "weixin://dl/business/?t=")


async def rt_wxacode_get(ctx: Ctx) -> None:
    path = "pages/login/login?from=desktop&k=42"
    image = await ctx.client.wxacode_get({"path": path, "width": 430})
    assert isinstance(image, ImageResult)
    assert image.content_type == "image/jpeg" and image.extension == "jpg"  # WeChat's default format
    assert image.data.startswith(JPEG_MAGIC)
    assert _decode_qr(image.data) == path
    clear = await ctx.client.wxacode_get({"path": path, "is_hyaline": True})
    assert clear.content_type == "image/png" and clear.data.startswith(PNG_MAGIC)  # transparency needs PNG


async def rt_wxacode_unlimited(ctx: Ctx) -> None:
    key = await ctx.client.initiate()
    scene = str(key)
    image = await ctx.client.wxacode_get_unlimited({"scene": scene, "page": "pages/login/login", "check_path": False})
    assert isinstance(image, ImageResult)
    assert image.content_type == "image/jpeg"
    assert image.data.startswith(JPEG_MAGIC)
    assert _decode_qr(image.data) == scene


async def rt_msg_sec_check(ctx: Ctx) -> None:
    ok = await ctx.client.msg_sec_check({"content": "你好,世界 hello", "version": 2, "scene": 2})
    assert ok["errcode"] == 0
    assert ok["result"]["suggest"] == "pass"
    assert ok["detail"] == []
    risky = await ctx.client.msg_sec_check({"content": "买 XYZZY-banned 的东西", "version": 2, "scene": 2})
    assert risky["result"]["suggest"] == "risky"
    assert [d["keyword"] for d in risky["detail"]] == ["xyzzy-banned"]
    risky_zh = await ctx.client.msg_sec_check({"content": "这里有禁止词", "version": 2, "scene": 1})
    assert risky_zh["result"]["suggest"] == "risky"
    # the built-in default keywords were replaced by the configured ones
    assert (await ctx.client.msg_sec_check({"content": "gambling"}))["result"]["suggest"] == "pass"


ROUND_TRIPS: dict[str, Callable[[Ctx], Awaitable[object]]] = {
    "SubscribeSend": rt_subscribe_send,
    "JSCode2Session": rt_jscode2session,
    "Decrypt": rt_decrypt,
    "UserInfo": rt_user_info,
    "SubscribeMSG": rt_subscribe_msg,
    "JSConfig": rt_js_config,
    "UrlLinkGenerate": rt_url_link,
    "GenerateScheme": rt_scheme,
    "WXACodeGet": rt_wxacode_get,
    "WXACodeGetUnlimited": rt_wxacode_unlimited,
    "MsgSecCheck": rt_msg_sec_check,
    "QRAuthInitiate": rt_initiate,
    "QRAuthScan": rt_scan,
    "QRAuthConfirmLogin": rt_confirm_login,
    "QRAuthConfirmRegister": rt_confirm_register,
}


def test_round_trips_cover_the_whole_catalogue():
    assert len(catalogue.ENDPOINTS) == 15
    assert set(ROUND_TRIPS) == {ep.id for ep in catalogue.ENDPOINTS}


@pytest.mark.parametrize("ep", catalogue.ENDPOINTS, ids=lambda ep: ep.id)
async def test_round_trip(ep: catalogue.Endpoint, sandbox: Sandbox, loopback: SandboxThread,
                          loopback_client: QrLoginClient):
    assert ep.id in ROUND_TRIPS, f"no loopback round trip for endpoint {ep.id}"
    assert loopback.url.startswith("http://127.0.0.1:")
    seen: list[Exchange] = []
    loopback_client.add_listener(seen.append)
    await ROUND_TRIPS[ep.id](Ctx(loopback_client, sandbox, loopback))
    # the typed method really went over the wire to this endpoint, and it answered 200
    hits = [x for x in seen if x.endpoint == ep.id]
    assert hits, [x.endpoint for x in seen]
    assert any(x.status == 200 and x.error is None for x in hits)
    assert all(urlsplit(x.url).path == ep.url_path(APP_KEY) for x in hits)
    assert all(x.method == ep.method for x in hits)


# --- the request log ------------------------------------------------------------------------------------


async def test_request_log_gets_one_redacted_exchange_per_call(sandbox: Sandbox, loopback: SandboxThread,
                                                               loopback_client: QrLoginClient):
    seen: list[Exchange] = []
    loopback_client.add_listener(seen.append)
    calls = 0
    real_call = loopback_client.call

    async def counting_call(*args, **kwargs) -> CallResult:
        nonlocal calls
        calls += 1
        return await real_call(*args, **kwargs)

    loopback_client.call = counting_call  # type: ignore[method-assign]
    ctx = Ctx(loopback_client, sandbox, loopback)
    for ep in catalogue.ENDPOINTS:
        await ROUND_TRIPS[ep.id](ctx)
    assert calls >= 15 + 19 * 2  # the link endpoints alone make 40 calls
    assert len(seen) == calls
    assert {x.endpoint for x in seen} == {ep.id for ep in catalogue.ENDPOINTS}
    assert len(ctx.tokens) >= 2 and ctx.session_keys

    secrets_seen = [TEST_TOKEN, *ctx.tokens]
    for x in seen:
        headers = dict((k.lower(), v) for k, v in x.request_headers)
        assert headers["authorization"] == "Bearer ***"
        text = str(x) + repr(x)
        for secret in secrets_seen:
            assert secret not in text, f"{x.endpoint} leaks a secret"
            assert quote(secret, safe="") not in text
    # Confirm-* answers carried tokens: the log shows the masked field, never the value
    token_answers = [x for x in seen if x.endpoint.startswith("QRAuthConfirm") and x.status == 200
                     and x.error is None]
    assert token_answers
    for x in token_answers:
        assert x.response_body is not None
        assert json.loads(x.response_body)["data"]["access_token"] == "***"
    # session keys are secrets too: not in any logged field, including JSCode2Session's JSON-string answer
    for x in seen:
        for key in ctx.session_keys:
            assert key not in str(x), f"{x.endpoint} leaks a session_key"
    code2session = [x for x in seen if x.endpoint == "JSCode2Session" and x.status == 200]
    assert code2session
    for x in code2session:
        assert json.loads(json.loads(x.response_body)["data"])["session_key"] == "***"
    # Decrypt's sessionKey query value is masked in the logged URL
    decrypts = [x for x in seen if x.endpoint == "Decrypt"]
    assert decrypts
    for x in decrypts:
        query = dict(parse_qsl(urlsplit(x.url).query))
        assert query["sessionKey"] == "***"
        assert query["encryptedData"] != "***"  # only the secret is masked
        for key in ctx.session_keys:
            assert key not in x.url and quote(key, safe="") not in x.url


async def test_request_log_on_failure_is_redacted(loopback_client: QrLoginClient):
    seen: list[Exchange] = []
    loopback_client.add_listener(seen.append)
    with pytest.raises(ApiError) as err:
        await loopback_client.scan(12345)
    assert err.value.code == 404
    assert len(seen) == 1
    x = seen[0]
    assert x.status == 200 and x.error and "404" in x.error
    assert TEST_TOKEN not in str(x)
    assert dict((k.lower(), v) for k, v in x.request_headers)["authorization"] == "Bearer ***"
