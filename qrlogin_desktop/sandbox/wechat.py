"""The WeChat side of the sandbox, with the real algorithms.

* JS-SDK signature: SHA-1 hex of ``jsapi_ticket=T&noncestr=N&timestamp=S&url=U`` (url without
  its #fragment), as WeChat's JS-SDK documents it (``api/jssdk.py``, shared with the conformance check).
* Mini-program user data: AES-128-CBC, key = base64 sessionKey, IV = base64 iv, PKCS#7 padding,
  plaintext JSON with ``watermark.appid``.
* code2session: openid / session_key / unionid; a code works once, like WeChat's (errcode 40163).
* Mini-program codes: a real QR of the path (WXACodeGet) or the scene (WXACodeGetUnlimited), JPEG or PNG.

Inputs have already passed the catalogue's rules when these run; what is left to refuse here is
what only the algorithm can know (bad base64, bad padding, a used code).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import secrets
import string
import threading
import time
from collections.abc import Sequence
from typing import Any

from ..api.jssdk import jsconfig_signature
from ..api.models import WechatJSConfigResult
from .sessions import Outcome

# cryptography, PIL and segno are imported where a payload is decrypted or a code drawn: the
# embedded sandbox must be up (the desktop's QR Login usable) before any of them is needed.

DEFAULT_JSAPI_TICKET = "sandbox_jsapi_ticket_HoagFKDcsGMVCIY2vOjf9n"
DEFAULT_KEYWORDS = ("违禁词", "forbidden", "赌博", "gambling")
JS_API_LIST = ("updateAppMessageShareData", "updateTimelineShareData", "chooseImage", "scanQRCode", "getLocation")
_ALNUM = string.ascii_letters + string.digits


class DecryptError(ValueError):
    def __init__(self, field: str, reason: str):
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


def _b64(value: str, field: str, length: int | None = None) -> bytes:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise DecryptError(field, "not valid base64") from None
    if length is not None and len(raw) != length:
        raise DecryptError(field, f"must decode to {length} bytes (got {len(raw)})")
    return raw


def aes_cbc_decrypt(encrypted_data: str, iv: str, session_key: str) -> str:
    """WeChat's user-data decryption; raises DecryptError naming the input at fault."""
    key = _b64(session_key, "sessionKey", 16)
    vector = _b64(iv, "iv", 16)
    cipher_text = _b64(encrypted_data, "encryptedData")
    if not cipher_text or len(cipher_text) % 16:
        raise DecryptError("encryptedData", "length must be a positive multiple of 16 bytes")
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    decryptor = Cipher(algorithms.AES(key), modes.CBC(vector)).decryptor()
    padded = decryptor.update(cipher_text) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        plain = unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        raise DecryptError("encryptedData", "bad PKCS#7 padding (wrong sessionKey or iv?)") from None
    try:
        text = plain.decode("utf-8")
        parsed = json.loads(text)
    except (UnicodeDecodeError, ValueError):
        raise DecryptError("encryptedData", "the plaintext is not JSON (wrong sessionKey or iv?)") from None
    if not isinstance(parsed, dict):
        raise DecryptError("encryptedData", "the plaintext is not a JSON object")
    return text


def aes_cbc_encrypt(plaintext: str, iv: bytes, session_key: bytes) -> str:
    """The phone side of the same scheme (how WeChat encrypts): tests and sample data use it."""
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext.encode()) + padder.finalize()
    encryptor = Cipher(algorithms.AES(session_key), modes.CBC(iv)).encryptor()
    return base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode()


JPEG, PNG = "image/jpeg", "image/png"


def mini_program_code(content: str, width: int | None = None, content_type: str = PNG,
                      transparent: bool = False) -> bytes:
    """A QR code of ``content`` at least ``width`` px wide, as WeChat answers: JPEG, or PNG (transparent
    light modules when ``transparent``, WeChat's ``is_hyaline``). Positional arguments only from the
    sandbox: it runs in the drawing process pool, which pickles the call."""
    from PIL import Image

    from .drawing import code_image

    image = code_image(content).convert("L")
    modules = image.size[0]
    size = max(width or 430, modules)
    scale = max(1, -(-size // modules))  # round up: the image is at least the requested width
    image = image.resize((modules * scale, modules * scale), 0)  # 0 = NEAREST: crisp modules
    out = io.BytesIO()
    if content_type == JPEG:
        # Greyscale has no chroma to subsample, and at quality 95 the module edges stay sharp for scanners.
        image.save(out, format="JPEG", quality=95)
    else:
        if transparent:  # black modules, see-through background
            image = Image.merge("LA", (image.point(lambda _: 0), image.point(lambda v: 255 - v)))
        image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def image_type(accept: str | None, transparent: bool) -> str:
    """Content type of a mini-program code: WeChat's JPEG, or PNG for a transparent code; a client whose
    Accept header (q-values included) ranks the other one higher gets that. A header that accepts neither
    gets the default all the same (an image is all these endpoints can answer)."""
    preferred, other = (PNG, JPEG) if transparent else (JPEG, PNG)
    return other if _quality(accept, other) > _quality(accept, preferred) else preferred


def _quality(accept: str | None, media_type: str) -> float:
    """The q-value ``accept`` gives ``media_type``: the most specific matching range decides (RFC 9110 12.5.1)."""
    if not accept or not accept.strip():
        return 1.0
    kind = media_type.split("/", 1)[0]
    best_specificity, best_q = -1, 0.0
    for item in accept.split(","):
        media_range, *params = (part.strip() for part in item.split(";"))
        media_range = media_range.lower()
        specificity = {media_type: 2, f"{kind}/*": 1, "*/*": 0}.get(media_range, -1)
        if specificity <= best_specificity:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0  # an unreadable weight: do not guess a preference
        best_specificity, best_q = specificity, q
    return best_q


class WechatSimulator:
    def __init__(self, *, jsapi_ticket: str = DEFAULT_JSAPI_TICKET, keywords: Sequence[str] = DEFAULT_KEYWORDS,
                 clock: Any = None):
        self.jsapi_ticket = jsapi_ticket
        self.keywords = tuple(k for k in keywords if k)
        self.clock = clock or time.time
        self._lock = threading.Lock()
        self._used_codes: set[str] = set()
        self._links: set[str] = set()
        self.sessions: dict[str, dict[str, str]] = {}  # openid -> code2session answer

    def _unique(self, make: Any) -> str:
        with self._lock:
            while True:
                value = make()
                if value not in self._links:
                    self._links.add(value)
                    return value

    # --- endpoints -------------------------------------------------------------------------------------

    def js_config(self, url: str, app_key: str) -> Outcome:
        noncestr = "".join(secrets.choice(_ALNUM) for _ in range(16))
        timestamp = str(int(self.clock()))
        return Outcome(200, WechatJSConfigResult(
            noncestr=noncestr,
            timestamp=timestamp,
            signature=jsconfig_signature(self.jsapi_ticket, noncestr, timestamp, url),
            appKey=app_key,
            jsApiList=JS_API_LIST,
        ).to_json())

    def decrypt(self, encrypted_data: str, iv: str, session_key: str) -> Outcome:
        try:
            return Outcome(200, aes_cbc_decrypt(encrypted_data, iv, session_key))
        except DecryptError as exc:
            return Outcome(400, error=f"{exc} / 解密失败", violations=[
                {"field": exc.field, "rule": exc.reason, "rule_zh": f"解密失败：{exc.reason}"}])

    def code2session(self, js_code: str) -> Outcome:
        with self._lock:
            if js_code in self._used_codes:
                return Outcome(400, error="js_code: already used (WeChat errcode 40163) / code 已被使用")
            self._used_codes.add(js_code)
        digest = hashlib.sha256(js_code.encode()).hexdigest()
        answer = {
            "openid": "o" + digest[:27],
            "session_key": base64.b64encode(secrets.token_bytes(16)).decode(),
            "unionid": "u" + digest[27:54],
        }
        self.sessions[answer["openid"]] = answer
        return Outcome(200, json.dumps(answer))

    def user_info(self, openid: str) -> Outcome:
        known = self.sessions.get(openid)
        union = known["unionid"] if known else "u" + hashlib.sha256(("oa:" + openid).encode()).hexdigest()[:27]
        return Outcome(200, union)

    def subscribe_send(self, body: dict[str, Any]) -> Outcome:
        return Outcome(200, str(secrets.randbits(52)))  # WeChat answers a msgid

    def subscribe_msg(self, body: dict[str, Any]) -> Outcome:
        return Outcome(200, "ok")

    def url_link(self, body: Any) -> Outcome:
        return Outcome(200, self._unique(lambda: "https://wxaurl.cn/" + "".join(secrets.choice(_ALNUM) for _ in range(12))))

    def scheme(self, body: Any) -> Outcome:
        return Outcome(200, self._unique(
            lambda: "weixin://dl/business/?t=" + "".join(secrets.choice(_ALNUM) for _ in range(13))))

    def msg_sec_check(self, body: dict[str, Any]) -> Outcome:
        content = body["content"]
        hits = [k for k in self.keywords if k.lower() in content.lower()]
        result = {"suggest": "risky" if hits else "pass", "label": 20001 if hits else 100}
        return Outcome(200, {
            "errcode": 0,
            "errmsg": "ok",
            "result": result,
            "detail": [{"strategy": "keyword", "errcode": 0, "suggest": result["suggest"], "label": result["label"],
                        "keyword": k} for k in hits],
        })
