"""The real WeChat algorithms behind the sandbox, checked against independent implementations in the test."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os

import pytest
import zxingcpp
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from PIL import Image
from support import APP_KEY, TEST_TOKEN, FakeClock

from qrlogin_desktop.api.client import QrLoginClient
from qrlogin_desktop.api.errors import ApiError, ValidationError
from qrlogin_desktop.sandbox import Sandbox, SandboxConfig

JSAPI_TICKET = "custom_ticket_for_tests_7Yq3Lw"
KEY = bytes(range(16))
IV = bytes(range(100, 116))


@pytest.fixture
def sandbox(clock: FakeClock) -> Sandbox:
    return Sandbox(SandboxConfig(app_key=APP_KEY, token=TEST_TOKEN, clock=clock, jsapi_ticket=JSAPI_TICKET))


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def encrypt(plaintext: str | bytes, key: bytes = KEY, iv: bytes = IV) -> str:
    """The phone's side of WeChat's scheme: AES-128-CBC with PKCS#7, written here independently."""
    data = plaintext.encode() if isinstance(plaintext, str) else plaintext
    padder = padding.PKCS7(128).padder()
    padded = padder.update(data) + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return b64(enc.update(padded) + enc.finalize())


def _unpads(cipher_b64: str, key: bytes, iv: bytes) -> bool:
    dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    padded = dec.update(base64.b64decode(cipher_b64)) + dec.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        return False
    return True


# --- Decrypt ------------------------------------------------------------------------------------------


USER_DATA = {
    "openId": "oGZUI0egBJY1zhBYw2KhdUfwVJJE",
    "nickName": "微信用户 张三",
    "gender": 1,
    "city": "广州",
    "province": "广东",
    "country": "中国",
    "avatarUrl": "https://thirdwx.qlogo.cn/mmopen/vi_32/x/132",
    "unionId": "ocMvos6NjeKLIBqg5Mr9QjxrP1FA",
    "watermark": {"appid": "wx4f4bc4dec97d474b", "timestamp": 1477314187},
}


@pytest.mark.parametrize("ensure_ascii", [False, True], ids=["utf8", "escaped"])
async def test_decrypt_round_trips_chinese_and_watermark(client: QrLoginClient, ensure_ascii: bool):
    plain = json.dumps(USER_DATA, ensure_ascii=ensure_ascii)
    out = await client.decrypt(encrypt(plain), b64(IV), b64(KEY))
    assert out == plain  # the exact plaintext, not a re-serialisation
    parsed = json.loads(out)
    assert parsed["watermark"]["appid"] == "wx4f4bc4dec97d474b"
    assert parsed["nickName"] == "微信用户 张三"


async def test_decrypt_with_a_session_key_from_code2session(client: QrLoginClient):
    session = json.loads(await client.jscode2session("wx_login_code_1"))
    key = base64.b64decode(session["session_key"])
    iv = os.urandom(16)
    plain = json.dumps({"phoneNumber": "13800138000", "watermark": {"appid": "wxabc"}})
    assert await client.decrypt(encrypt(plain, key, iv), b64(iv), session["session_key"]) == plain


@pytest.mark.parametrize("size", [1, 15, 16, 17, 32, 1000])
async def test_decrypt_every_padding_length(client: QrLoginClient, size: int):
    text = json.dumps({"s": "汉" * size, "watermark": {"appid": "wx1"}}, ensure_ascii=False)
    assert await client.decrypt(encrypt(text), b64(IV), b64(KEY)) == text


async def _decrypt_error(client: QrLoginClient, encrypted: str, iv: str, key: str) -> ApiError:
    with pytest.raises(ApiError) as err:
        await client.decrypt(encrypted, iv, key)
    assert err.value.code == 400
    assert err.value.http_status == 200
    assert err.value.retryable is False
    return err.value


def _named(err: ApiError, field: str) -> None:
    assert err.error.startswith(field + ":"), err.error
    assert err.data is None
    assert [v.field for v in err.violations] == [field]
    assert err.violations[0].rule_en in err.error and err.violations[0].rule_zh


GOOD = encrypt(json.dumps(USER_DATA))


@pytest.mark.parametrize("field", ["encryptedData", "iv", "sessionKey"])
@pytest.mark.parametrize("bad", ["not base64!!", "abc", "####", "YWJj\x00"])
async def test_decrypt_bad_base64_names_the_field(client: QrLoginClient, field: str, bad: str):
    params = {"encryptedData": GOOD, "iv": b64(IV), "sessionKey": b64(KEY)}
    params[field] = bad
    err = await _decrypt_error(client, params["encryptedData"], params["iv"], params["sessionKey"])
    _named(err, field)
    assert "base64" in err.error
    assert bad not in err.error or field != "sessionKey"  # a session key is never echoed


@pytest.mark.parametrize("length", [0, 8, 15, 17, 24, 32])
async def test_decrypt_key_of_wrong_length(client: QrLoginClient, length: int):
    key = b64(os.urandom(length)) if length else "===="
    err = await _decrypt_error(client, GOOD, b64(IV), key)
    _named(err, "sessionKey")
    if length:
        assert "16 bytes" in err.error and f"got {length}" in err.error


@pytest.mark.parametrize("length", [8, 32])
async def test_decrypt_iv_of_wrong_length(client: QrLoginClient, length: int):
    err = await _decrypt_error(client, GOOD, b64(os.urandom(length)), b64(KEY))
    _named(err, "iv")


async def test_decrypt_ciphertext_not_a_multiple_of_the_block(client: QrLoginClient):
    raw = base64.b64decode(GOOD)
    err = await _decrypt_error(client, b64(raw[:-3]), b64(IV), b64(KEY))
    _named(err, "encryptedData")


async def test_decrypt_wrong_key_is_bad_padding(client: QrLoginClient):
    # pick (deterministically) a wrong key whose decryption does not happen to end in valid padding
    wrong = next(k for k in (bytes([i]) * 16 for i in range(1, 256)) if not _unpads(GOOD, k, IV))
    assert wrong != KEY
    err = await _decrypt_error(client, GOOD, b64(IV), b64(wrong))
    _named(err, "encryptedData")
    assert "padding" in err.error


async def test_decrypt_non_json_plaintext(client: QrLoginClient):
    err = await _decrypt_error(client, encrypt("not json"), b64(IV), b64(KEY))
    _named(err, "encryptedData")
    assert "JSON" in err.error


async def test_decrypt_json_that_is_not_an_object(client: QrLoginClient):
    err = await _decrypt_error(client, encrypt('["a", 1]'), b64(IV), b64(KEY))
    _named(err, "encryptedData")


async def test_decrypt_blank_params_refused_before_sending(client: QrLoginClient):
    with pytest.raises(ValidationError) as err:
        await client.decrypt("", b64(IV), "   ")
    assert set(err.value.fields) == {"encryptedData", "sessionKey"}
    assert "<hidden>" in str(err.value)


# --- JSConfig --------------------------------------------------------------------------------------------


def expected_signature(ticket: str, noncestr: str, timestamp: str, url: str) -> str:
    page = url.split("#")[0]
    return hashlib.sha1(f"jsapi_ticket={ticket}&noncestr={noncestr}&timestamp={timestamp}&url={page}".encode()).hexdigest()


@pytest.mark.parametrize("url", [
    "https://example.com/",
    "http://example.com/page?x=1&y=2",
    "https://mp.weixin.qq.com/s?__biz=MzA&mid=1#wechat_redirect",
    "https://example.com/路径/页面?名字=值#片段",
    "https://example.com/a?b=c%20d&e=f+g#x#y",
])
async def test_jsconfig_signature_recomputed_independently(client: QrLoginClient, clock: FakeClock, url: str):
    cfg = await client.js_config(url)
    assert cfg.timestamp == str(int(clock.now))
    assert len(cfg.noncestr) >= 8 and cfg.noncestr.isalnum()
    assert len(cfg.signature) == 40
    assert cfg.signature == expected_signature(JSAPI_TICKET, cfg.noncestr, cfg.timestamp, url)
    assert cfg.appKey == APP_KEY


async def test_jsconfig_fragment_does_not_change_the_signature_input(client: QrLoginClient):
    a = await client.js_config("https://example.com/p?q=1#one")
    b = await client.js_config("https://example.com/p?q=1")
    for cfg in (a, b):
        assert cfg.signature == expected_signature(JSAPI_TICKET, cfg.noncestr, cfg.timestamp, "https://example.com/p?q=1")
    assert a.noncestr != b.noncestr  # a fresh nonce per call


async def test_jsconfig_timestamp_follows_the_clock(client: QrLoginClient, clock: FakeClock):
    first = await client.js_config("https://example.com/")
    clock.advance(3600.7)
    second = await client.js_config("https://example.com/")
    assert int(second.timestamp) - int(first.timestamp) == 3600
    assert second.timestamp == str(int(clock.now))


async def test_jsconfig_default_ticket_differs(clock: FakeClock):
    # the signature depends on the configured ticket: a default sandbox signs differently
    import httpx

    other = Sandbox(SandboxConfig(app_key=APP_KEY, token=TEST_TOKEN, clock=clock))
    async with QrLoginClient("http://x.test", APP_KEY, TEST_TOKEN,
                             transport=httpx.ASGITransport(app=other.app)) as c:
        cfg = await c.js_config("https://example.com/")
    assert cfg.signature != expected_signature(JSAPI_TICKET, cfg.noncestr, cfg.timestamp, "https://example.com/")
    assert cfg.signature == expected_signature(other.config.jsapi_ticket, cfg.noncestr, cfg.timestamp,
                                               "https://example.com/")


# --- WXACode ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [280, 300, 430, 500, 777, 1280])
async def test_wxacode_width_honoured(client: QrLoginClient, width: int):
    path = "pages/index/index?from=desktop"
    image = await client.wxacode_get({"path": path, "width": width})
    picture = Image.open(io.BytesIO(image.data))
    w, h = picture.size
    assert w == h
    assert width <= w <= width * 1.25, (width, w)
    assert zxingcpp.read_barcodes(picture)[0].text == path


async def test_wxacode_unlimited_width_and_default(client: QrLoginClient):
    default = Image.open(io.BytesIO((await client.wxacode_get_unlimited({"scene": "a=1&b=2"})).data))
    assert default.size[0] >= 430  # WeChat's default width
    wide = Image.open(io.BytesIO((await client.wxacode_get_unlimited({"scene": "a=1&b=2", "width": 900})).data))
    assert 900 <= wide.size[0] <= 900 * 1.25
    assert zxingcpp.read_barcodes(wide)[0].text == "a=1&b=2"


async def test_wxacode_width_out_of_range_refused(client: QrLoginClient):
    with pytest.raises(ValidationError) as err:
        await client.wxacode_get({"path": "pages/index/index", "width": 100})
    assert err.value.fields == ("width",)
    with pytest.raises(ApiError) as api:  # the sandbox applies the same rule
        await client.call("WXACodeGet", body={"path": "pages/index/index", "width": 5000}, validate=False)
    assert api.value.code == 400 and "width" in api.value.error


# --- JSCode2Session --------------------------------------------------------------------------------------


async def test_jscode2session_code_is_single_use(client: QrLoginClient):
    first = json.loads(await client.jscode2session("one_time_code"))
    assert first["openid"] and first["session_key"] and first["unionid"]
    with pytest.raises(ApiError) as err:
        await client.jscode2session("one_time_code")
    assert err.value.code == 400
    assert "js_code" in err.value.error
    other = json.loads(await client.jscode2session("another_code"))
    assert other["openid"] != first["openid"]
    assert other["session_key"] != first["session_key"]
