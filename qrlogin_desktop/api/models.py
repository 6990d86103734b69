"""Request and response types of the contract; each field carries the rules that guard it.

Schemas are data (:class:`Field` lists) so one definition drives the client's pre-send check, the
sandbox's 400 answers, the GUI's forms and hints, and the OpenAPI export. Each wire type of the
QR-Auth endpoints is declared once, as a dataclass whose members are made with :func:`wire`: its
``SCHEMA`` (the field table), its ``to_json`` (what the sandbox sends and the client posts) and its
``from_json`` (the client's decoder) are all read off that one declaration.

Sources of rules: "seed" = the provider's reference; "sdk" = the provider's stricter generated SDK;
"wechat" = what WeChat itself requires of a JToken body the provider forwards.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, fields
from dataclasses import field as dataclass_field
from typing import Any, ClassVar, TypeVar

from .errors import ProtocolError, ValidationError, Violation
from .rules import (
    Charset,
    HttpUrl,
    IntRange,
    Kind,
    Length,
    NotBlank,
    OneOf,
    Rule,
    Utf8Bytes,
    VisibleAscii,
    digits,
    type_error,
    wire_int64,
)

_MISSING = object()


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    en: str = ""
    zh: str = ""
    required: bool = False
    rules: tuple[Rule, ...] = ()
    source: str = "seed"
    secret: bool = False  # never echoed in messages or logs (sessionKey)
    blank_is_absent: bool = False  # "" means "not given" (phone: "exactly 11 digits or empty")
    example: Any = None
    # Answers only (in a request, null is "not given" like absence): what an absent member reads as;
    # whether null is a documented value; whether the client reads an undocumented null as absent; whether
    # a number stands for its text (WeChat's own JSON has a numeric timestamp).
    default: Any = None
    nullable: bool = False
    null_is_absent: bool = False
    accepts_number: bool = False

    def violations(self, value: Any = _MISSING) -> list[Violation]:
        absent = value is _MISSING or value is None or (self.blank_is_absent and value == "")
        if absent:
            if self.required:
                return [self._violation("is required", "必填", None if value is _MISSING else value)]
            return []
        wrong_type = type_error(self.kind, value)
        if wrong_type:
            return [self._violation(wrong_type, _ZH_TYPE.get(self.kind, wrong_type), value)]
        out = []
        for rule in self.rules:
            broken = rule.check(value)
            if broken:
                out.append(self._violation(broken, rule.zh, value))
        return out

    def _violation(self, en: str, zh: str, value: Any) -> Violation:
        return Violation(self.name, en, zh, value, secret=self.secret)

    @property
    def rules_en(self) -> str:
        parts = ["required"] if self.required else []
        return ", ".join(parts + [r.en for r in self.rules])

    @property
    def rules_zh(self) -> str:
        parts = ["必填"] if self.required else []
        return "，".join(parts + [r.zh for r in self.rules])


_ZH_TYPE = {
    Kind.STRING: "必须是字符串",
    Kind.INT64: "必须是 64 位整数（JSON 数字或十进制字符串）",
    Kind.INTEGER: "必须是整数",
    Kind.BOOLEAN: "必须是 true 或 false",
    Kind.OBJECT: "必须是 JSON 对象",
    Kind.STRINGS: "必须是字符串数组",
}


@dataclass(frozen=True)
class Schema:
    name: str
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def violations(self, values: Mapping[str, Any]) -> list[Violation]:
        out: list[Violation] = []
        for f in self.fields:
            out.extend(f.violations(values.get(f.name, _MISSING)))
        return out

    def normalised(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """``values`` with each valid int64 given as a decimal string turned into its int, so whoever reads
        them sees one type (the sandbox's handlers; our client, which sends numbers)."""
        out = dict(values)
        for f in self.fields:
            if f.kind is Kind.INT64 and isinstance(out.get(f.name), str):
                number = wire_int64(out[f.name])
                if number is not None:
                    out[f.name] = number
        return out


# --- query parameters of the GET endpoints ------------------------------------------------------
# The seed marks none of them required, but none of these calls means anything without them; we
# refuse a blank one (rule source "sandbox").

JS_CODE = Field("js_code", Kind.STRING, "login code from wx.login", "wx.login 返回的 code", required=True,
                rules=(NotBlank(), Length(0, 256)), source="sandbox", example="081Kq4Ga1cLrLZ0Xz3Ia1yFqHz3Kq4Gg")
ENCRYPTED_DATA = Field("encryptedData", Kind.STRING, "encrypted data (base64)", "加密的数据", required=True,
                       rules=(NotBlank(),), source="sandbox")
IV = Field("iv", Kind.STRING, "initial vector (base64)", "加密算法的初始向量", required=True, rules=(NotBlank(),),
           source="sandbox")
SESSION_KEY = Field("sessionKey", Kind.STRING, "session key (base64)", "会话密钥", required=True, rules=(NotBlank(),),
                    source="sandbox", secret=True)
OPENID = Field("openid", Kind.STRING, "user's OpenID", "用户的 OpenID", required=True, rules=(NotBlank(), Length(0, 128)),
               source="sandbox", example="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")
PAGE_URL = Field("url", Kind.STRING, "URL of the current page", "当前网页的 URL", required=True, rules=(HttpUrl(),),
                 source="wechat", example="https://example.com/page?x=1")

# --- known fields of the JToken bodies (what WeChat requires; other members pass through) ---------

_NOT_BLANK = (NotBlank(),)
# Members that several bodies share, declared once.
_TOUSER = Field("touser", Kind.STRING, "receiver's openid", "接收者 openid", required=True, rules=_NOT_BLANK, source="wechat")
_TEMPLATE_ID = Field("template_id", Kind.STRING, "template id", "模板 ID", required=True, rules=_NOT_BLANK, source="wechat")
_ENV_VERSION = Field("env_version", Kind.STRING, "version", "小程序版本", rules=(OneOf(("release", "trial", "develop")),),
                     source="wechat")
_EXPIRY = (
    Field("expire_type", Kind.INTEGER, "expiry type", "失效类型", rules=(IntRange(0, 1),), source="wechat"),
    Field("expire_time", Kind.INTEGER, "expiry time (unix)", "失效时间", source="wechat"),
    Field("expire_interval", Kind.INTEGER, "expiry in days", "失效间隔天数", rules=(IntRange(1, 30),), source="wechat"),
)
# How a mini-program code is drawn (both kinds of code).
_CODE_LOOK = (
    Field("width", Kind.INTEGER, "width in px", "二维码宽度", rules=(IntRange(280, 1280),), source="wechat"),
    _ENV_VERSION,
    Field("is_hyaline", Kind.BOOLEAN, "transparent background", "是否透明底色", source="wechat"),
)

SUBSCRIBE_SEND = Schema(
    "SubscribeSendBody",
    (
        _TOUSER,
        _TEMPLATE_ID,
        Field("data", Kind.OBJECT, "template data", "模板内容", required=True, source="wechat"),
        Field("page", Kind.STRING, "page to open", "跳转页面", rules=(Length(0, 1024),), source="wechat"),
        Field("miniprogram_state", Kind.STRING, "mini-program state", "跳转小程序类型",
              rules=(OneOf(("developer", "trial", "formal")),), source="wechat"),
        Field("lang", Kind.STRING, "language", "语言", rules=(OneOf(("zh_CN", "en_US", "zh_HK", "zh_TW")),), source="wechat"),
    ),
)
SUBSCRIBE_MSG = Schema(
    "SubscribeMSGBody",
    (
        _TOUSER,
        _TEMPLATE_ID,
        Field("scene", Kind.INTEGER, "subscribe scene", "订阅场景值", required=True, rules=(IntRange(0, 10000),),
              source="wechat"),
        Field("title", Kind.STRING, "message title", "消息标题", required=True, rules=(NotBlank(), Length(0, 15)),
              source="wechat"),
        Field("data", Kind.OBJECT, "message data", "消息内容", required=True, source="wechat"),
        Field("url", Kind.STRING, "link", "跳转链接", rules=(HttpUrl(),), source="wechat"),
    ),
)
URL_LINK = Schema(
    "UrlLinkGenerateBody",
    (
        Field("path", Kind.STRING, "page path", "页面路径", rules=(Length(0, 1024),), source="wechat"),
        Field("query", Kind.STRING, "query string", "页面参数", rules=(Length(0, 1024),), source="wechat"),
        _ENV_VERSION,
        *_EXPIRY,
    ),
)
GENERATE_SCHEME = Schema(
    "GenerateSchemeBody",
    (
        Field("jump_wxa", Kind.OBJECT, "target page", "跳转到的目标小程序信息", source="wechat"),
        Field("is_expire", Kind.BOOLEAN, "expires", "是否到期失效", source="wechat"),
        *_EXPIRY,
    ),
)
# The most one QR code holds in byte mode (version 40, error correction M, as the sandbox draws):
# a longer path has no code, so it is refused up front rather than failing on the server.
WXACODE_PATH_MAX_BYTES = 2331
WXACODE = Schema(
    "WXACodeGetBody",
    (
        Field("path", Kind.STRING, "page path with query", "扫码进入的小程序页面路径", required=True,
              rules=(NotBlank(), Length(0, 1024), Utf8Bytes(WXACODE_PATH_MAX_BYTES)), source="wechat",
              example="pages/index/index?from=desktop"),
        *_CODE_LOOK,
    ),
)
WXACODE_UNLIMITED = Schema(
    "WXACodeGetUnlimitedBody",
    (
        Field("scene", Kind.STRING, "scene (e.g. the signInKey)", "场景值（如登录密钥）", required=True,
              rules=(NotBlank(), VisibleAscii(32)), source="wechat", example="1234567890123456789"),
        Field("page", Kind.STRING, "page", "页面", rules=(Length(0, 1024),), source="wechat"),
        Field("check_path", Kind.BOOLEAN, "check the page exists", "检查页面是否存在", source="wechat"),
        *_CODE_LOOK,
    ),
)
MSG_SEC_CHECK = Schema(
    "MsgSecCheckBody",
    (
        Field("content", Kind.STRING, "text to check", "需检测的文本内容", required=True,
              rules=(NotBlank(), Length(0, 2500)), source="wechat"),
        Field("version", Kind.INTEGER, "API version", "接口版本号", rules=(OneOf((1, 2)),), source="wechat"),
        Field("scene", Kind.INTEGER, "scene", "场景枚举值", rules=(IntRange(1, 4),), source="wechat"),
        Field("openid", Kind.STRING, "user's openid", "用户的 openid", source="wechat"),
    ),
)


# Media types of a JSON request body, as the provider's SDK lists them (plus any application/*+json);
# no Content-Type at all is read as JSON too.
JSON_BODY_MEDIA_TYPES = ("application/json", "text/json", "application/json-patch+json", "application/*+json")


def is_json_media_type(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return not media or media in JSON_BODY_MEDIA_TYPES or (media.startswith("application/") and media.endswith("+json"))


def jtoken_object(body: Any) -> Any:
    """What a JToken body stands for where WeChat takes an object: the body itself, or the one object of a
    one-object array (the provider's SDK types these bodies as arrays, so that is all it can send)."""
    if isinstance(body, list) and len(body) == 1 and isinstance(body[0], dict):
        return body[0]
    return body


def jtoken_violations(body: Any, schema: Schema | None) -> list[Violation]:
    """A JToken body is any JSON object or array; one with known WeChat fields must stand for an object."""
    if schema is None:
        if isinstance(body, (dict, list)):
            return []
        return [Violation("body", "must be a JSON object or array", "必须是 JSON 对象或数组", body)]
    target = jtoken_object(body)
    if not isinstance(target, dict):
        return [Violation("body", "must be a JSON object, or an array holding exactly one object",
                          "必须是 JSON 对象，或只含一个对象的数组", body)]
    return schema.violations(target)


# --- the QR-Auth wire types ------------------------------------------------------------------------

_WIRE = "wire"  # the dataclass metadata key holding a member's Field (less its name)
Model = TypeVar("Model", bound="WireModel")


def wire(kind: Kind, en: str = "", zh: str = "", *, default: Any = MISSING, **spec: Any) -> Any:
    """A dataclass member that is also a wire field: the member's name is the field's, ``spec`` the rest
    of its :class:`Field`. ``default`` is the Python default and what an absent member of an answer reads as."""
    wire_default = None if default is MISSING else default
    return dataclass_field(default=default, metadata={_WIRE: {"kind": kind, "en": en, "zh": zh,
                                                              "default": wire_default, **spec}})


def wire_type(*, frozen: bool = False) -> Callable[[type[Model]], type[Model]]:
    """Class decorator: a dataclass of :func:`wire` members, with its ``SCHEMA`` (named as the class) derived."""

    def decorate(cls: type[Model]) -> type[Model]:
        cls = dataclass(frozen=frozen)(cls)
        cls.SCHEMA = Schema(cls.__name__, tuple(Field(f.name, **f.metadata[_WIRE]) for f in fields(cls)))  # type: ignore[arg-type]
        return cls

    return decorate


def _shape_error(endpoint: str | None, what: str) -> ProtocolError:
    return ProtocolError(f"wrong shape: {what}", http_status=200, endpoint=endpoint)


def as_int64(value: Any, name: str, endpoint: str | None) -> int:
    """int64 from JSON: a number, or its decimal string (the reference's examples quote int64, "0")."""
    out = wire_int64(value)
    if out is None:
        if isinstance(value, (int, str)) and not isinstance(value, bool):
            raise _shape_error(endpoint, f"{name} must be a signed 64-bit integer, got {value!r:.40}")
        raise _shape_error(endpoint, f"{name} must be an integer, got {type(value).__name__}")
    return out


def _as_str(value: Any, name: str, endpoint: str | None, *, nullable: bool = False) -> str | None:
    if isinstance(value, str) or (nullable and value is None):
        return value
    raise _shape_error(endpoint, f"{name} must be a string, got {type(value).__name__}")


def _as_object(data: Any, model: str, endpoint: str | None) -> Mapping[str, Any]:
    if not isinstance(data, dict):
        raise _shape_error(endpoint, f"data must be a {model} object, got {type(data).__name__}")
    return data


def _decoded(f: Field, obj: Mapping[str, Any], model: str, endpoint: str | None) -> Any:
    """One member of an answer, leniently as the predecessor's clients read it, else a typed error."""
    value = obj.get(f.name, _MISSING)
    if value is _MISSING:
        if f.required:
            raise _shape_error(endpoint, f"{model} without {f.name}")
        value = f.default
    takes_null = f.nullable or f.null_is_absent
    if (value is None and takes_null) or (value == "" and f.blank_is_absent):
        value = f.default
    if value is None and takes_null:
        return None
    if f.kind is Kind.INT64:
        return as_int64(value, f.name, endpoint)
    if f.kind is Kind.STRINGS:
        if not value:
            return ()
        if type_error(Kind.STRINGS, value):
            raise _shape_error(endpoint, f"{f.name} must be an array of strings")
        return tuple(value)
    if f.accepts_number and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    text = _as_str(value, f.name, endpoint)
    if f.required and not text:
        raise _shape_error(endpoint, f"{f.name} is empty")
    return text


class WireModel:
    """A QR-Auth wire type: request bodies are checked and sent, answers built (sandbox) and decoded (client)."""

    SCHEMA: ClassVar[Schema]

    def to_json(self) -> dict[str, Any]:
        """The JSON object, members in declaration order; an array member as a list."""
        return {f.name: list(v) if isinstance(v := getattr(self, f.name), tuple) else v for f in self.SCHEMA.fields}

    @classmethod
    def from_json(cls: type[Model], data: Any, endpoint: str | None = None) -> Model:
        obj = _as_object(data, cls.SCHEMA.name, endpoint)
        return cls(**{f.name: _decoded(f, obj, cls.SCHEMA.name, endpoint) for f in cls.SCHEMA.fields})


class RequestModel(WireModel):
    """Typed request body: ``to_json`` drops unset (None) fields, ``validate`` raises on any rule."""

    def to_json(self) -> dict[str, Any]:
        values = {name: value for name, value in super().to_json().items() if value is not None}
        return self.SCHEMA.normalised(values)  # a key held as a decimal string still goes out as a number

    def violations(self) -> list[Violation]:
        return self.SCHEMA.violations(self.to_json())

    def validate(self) -> None:
        found = self.violations()
        if found:
            raise ValidationError(found, endpoint=self.SCHEMA.name)


def _sign_in_key() -> Any:
    return wire(Kind.INT64, "sign-in key", "登录密钥", required=True, example=1234567890123456789)


@wire_type()
class QRCodePreSignInRequest(RequestModel):
    scopes: str | None = wire(
        Kind.STRING, "authorisation scopes", "授权范围", default=None, example="userinfo,phone",
        rules=(Length(0, 100), Charset("[A-Za-z0-9,]*", "only letters, digits and commas", "只能包含字母、数字和逗号")),
    )
    remark: str | None = wire(Kind.STRING, "remark", "备注", default=None, rules=(Length(0, 200),), example="desktop login")
    scheme: str | None = wire(
        Kind.STRING, "scheme", "方案", default=None, example="app",
        rules=(Length(0, 50), Charset("[A-Za-z0-9]*", "only letters and digits", "只能包含字母和数字")),
    )


@wire_type()
class QRCodeScanRequest(RequestModel):
    signInKey: int = _sign_in_key()


@wire_type()
class QRCodeSignInRequest(RequestModel):
    signInKey: int = _sign_in_key()


_VERIFICATION_CODE = digits(4, 8)


@wire_type()
class QRCodeSignUpRequest(RequestModel):
    signInKey: int = _sign_in_key()
    unionID: str = wire(
        Kind.STRING, "UnionID", "UnionID", required=True, example="o6_bmasdasdsad6_2sgVt7hMZOPfL",
        rules=(Length(1, 50), Charset("[A-Za-z0-9_-]*", "only letters, digits, _ and -", "只能包含字母、数字、下划线和连字符")),
    )
    nickName: str | None = wire(Kind.STRING, "nickname", "用户昵称", default=None, rules=(Length(4, 32),), source="sdk",
                                example="测试用户")
    avatar: str | None = wire(Kind.STRING, "avatar URL", "用户头像 URL", default=None, rules=(Length(0, 999),), source="sdk",
                              example="https://example.com/avatar.png")
    data: str | None = wire(Kind.STRING, "custom data", "自定义数据", default=None, rules=(Length(0, 9999),), source="sdk")
    email: str | None = wire(Kind.STRING, "e-mail", "用户邮箱", default=None, example="user@example.com")
    emailCode: str | None = wire(Kind.STRING, "e-mail code (only when e-mail verification is on)",
                                 "邮箱验证码（仅启用邮箱验证时需要）", default=None, rules=_VERIFICATION_CODE, blank_is_absent=True)
    phone: str | None = wire(Kind.STRING, "phone number", "用户手机号", default=None, rules=digits(11, 11),
                             blank_is_absent=True, example="13800138000")
    phoneCode: str | None = wire(Kind.STRING, "phone code (only when phone verification is on)",
                                 "手机验证码（仅启用手机验证时需要）", default=None, rules=_VERIFICATION_CODE, blank_is_absent=True)


PRE_SIGN_IN = QRCodePreSignInRequest.SCHEMA
SCAN = QRCodeScanRequest.SCHEMA
SIGN_IN = QRCodeSignInRequest.SCHEMA
SIGN_UP = QRCodeSignUpRequest.SCHEMA


# Answers. "required": the client refuses an answer without it (or with it empty); an absent member
# reads as its default.


@wire_type(frozen=True)
class TokenModel(WireModel):
    access_token: str = wire(Kind.STRING, "bearer token", "访问令牌", required=True, secret=True)
    token_type: str = wire(Kind.STRING, "token type", "令牌类型", default="Bearer", blank_is_absent=True, example="Bearer")
    expires_in: int = wire(Kind.INT64, "lifetime in seconds", "有效期（秒）", default=0, example=86400)

    def __repr__(self) -> str:  # the token must never reach a log line through a repr
        return f"TokenModel(token_type={self.token_type!r}, expires_in={self.expires_in}, access_token=<{len(self.access_token)} chars>)"

    __str__ = __repr__


_APP_TEXT = {"kind": Kind.STRING, "default": None, "nullable": True}  # the predecessor sent nulls


@wire_type(frozen=True)
class UserQRCodeScanResult(WireModel):
    appID: int | None = wire(Kind.INT64, "application ID", "应用 ID", null_is_absent=True, example=20260001)
    name: str | None = wire(en="application name", zh="应用名称", **_APP_TEXT)
    logo: str | None = wire(en="logo URL", zh="应用图标 URL", **_APP_TEXT)
    website: str | None = wire(en="website", zh="应用网站", **_APP_TEXT)
    description: str | None = wire(en="description", zh="应用描述", **_APP_TEXT)
    tags: str | None = wire(en="tags", zh="应用标签", **_APP_TEXT)
    scopes: str | None = wire(en="requested scopes", zh="授权范围", **_APP_TEXT)
    remark: str | None = wire(en="remark", zh="备注", **_APP_TEXT)
    scheme: str | None = wire(en="scheme", zh="方案", **_APP_TEXT)

    @property
    def scope_list(self) -> list[str]:
        return [s for s in (self.scopes or "").split(",") if s]


@wire_type(frozen=True)
class WechatJSConfigResult(WireModel):
    noncestr: str = wire(Kind.STRING, "nonce", "随机字符串")
    timestamp: str = wire(Kind.STRING, "timestamp (unix seconds)", "时间戳", accepts_number=True)  # WeChat's JSON: a number
    signature: str = wire(Kind.STRING, "JS-SDK signature", "签名")
    appKey: str = wire(Kind.STRING, "appKey", "应用标识", default="", null_is_absent=True)
    jsApiList: tuple[str, ...] = wire(Kind.STRINGS, "JS APIs", "JS 接口列表", default=())


# The image types a mini-program code comes as: their first bytes, content type and file extension.
_IMAGE_TYPES = (
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"GIF8", "image/gif", "gif"),
)
_EXTENSIONS = {content_type: extension for _, content_type, extension in _IMAGE_TYPES}


@dataclass(frozen=True)
class ImageResult:
    """A mini-program code: the raw image bytes and their content type."""

    content_type: str
    data: bytes

    @property
    def extension(self) -> str:
        return _EXTENSIONS.get(self.content_type, "bin")

    def __repr__(self) -> str:
        return f"ImageResult({self.content_type!r}, {len(self.data)} bytes)"


def sniff_image(data: bytes) -> str | None:
    for magic, content_type, _ in _IMAGE_TYPES:
        if data.startswith(magic):
            return content_type
    return None


def image_from_envelope_data(data: Any, endpoint: str | None) -> ImageResult:
    """Some servers wrap the image in the envelope as base64; accept that, refuse anything else."""
    if isinstance(data, str):
        try:
            raw = base64.b64decode(data.split(",", 1)[-1], validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        content_type = sniff_image(raw)
        if content_type:
            return ImageResult(content_type, raw)
    raise _shape_error(endpoint, "expected image bytes, got a JSON success without an image")


def string_result(data: Any, endpoint: str | None) -> str:
    out = _as_str(data, "data", endpoint, nullable=True)
    return out or ""


def int64_result(data: Any, endpoint: str | None) -> int:
    return as_int64(data, "data (signInKey)", endpoint)


def json_result(data: Any, endpoint: str | None) -> Any:
    return data
