"""The 15 endpoints of the contract as data.

The client, the sandbox, the GUI's generated panels and the OpenAPI export all read this table,
so a path, a parameter or a rule is written once. Order follows the reference's numbering.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any
from urllib.parse import quote

from . import models
from .errors import Violation
from .models import Field, Schema
from .rules import HEADER_SAFE, Kind, Length, NotBlank, PathSegment

API_PREFIX = "/Wechat"

APP_KEY = Field("appKey", Kind.STRING, "application key", "应用密钥", required=True,
                rules=(NotBlank(), Length(0, 128), PathSegment()), source="sandbox",
                example="demo")
# The bearer credential sent as ``Authorization: Bearer <token>``: checked when a client is made or
# given a new one, so a value that would break the header (or leak into httpx's error text) never
# reaches the wire. The GUI's forms and the CLI show the same rule.
BEARER_TOKEN = Field("token", Kind.STRING, "bearer credential", "访问凭证", rules=(HEADER_SAFE,), secret=True,
                     source="sandbox")


class Group(str, Enum):
    QR_AUTH = "qr_auth"
    MINI_PROGRAM = "mini_program"
    OFFICIAL_ACCOUNT = "official_account"


class BodyKind(str, Enum):
    NONE = "none"
    MODEL = "model"  # a typed request model (QR-Auth)
    JTOKEN = "jtoken"  # any JSON object or array; known WeChat members are checked


class ResultKind(str, Enum):
    STRING = "string"
    INT64 = "int64"
    TOKEN = models.TokenModel.SCHEMA.name
    SCAN_RESULT = models.UserQRCodeScanResult.SCHEMA.name
    JSCONFIG = models.WechatJSConfigResult.SCHEMA.name
    IMAGE = "image"
    JSON = "json"


RESULT_DECODERS = {
    ResultKind.STRING: models.string_result,
    ResultKind.INT64: models.int64_result,
    ResultKind.TOKEN: models.TokenModel.from_json,
    ResultKind.SCAN_RESULT: models.UserQRCodeScanResult.from_json,
    ResultKind.JSCONFIG: models.WechatJSConfigResult.from_json,
    ResultKind.IMAGE: models.image_from_envelope_data,
    ResultKind.JSON: models.json_result,
}


@dataclass(frozen=True)
class Endpoint:
    id: str
    method: str
    path: str  # after /Wechat/{appKey}
    group: Group
    name_zh: str
    name_en: str
    summary_zh: str
    summary_en: str
    result: ResultKind
    query: tuple[Field, ...] = ()
    body_kind: BodyKind = BodyKind.NONE
    body: Schema | None = None
    example_body: Any = None
    # HTTP status of an error envelope: 200 per the contract, but the provider's SDK declares HTTP 400
    # for the mini-program codes and MsgSecCheck, and reads a 200 there as an image or a success.
    error_status: int = 200

    @property
    def template(self) -> str:
        return f"{API_PREFIX}/{{appKey}}{self.path}"

    def url_path(self, app_key: str) -> str:
        # appKey is a path segment: quote everything, "/" included, so it cannot reach another route.
        return f"{API_PREFIX}/{quote(app_key, safe='')}{self.path}"

    def violations(self, query: Mapping[str, Any] | None = None, body: Any = None) -> list[Violation]:
        out: list[Violation] = []
        out.extend(Schema("query", self.query).violations(query or {}))
        if self.body_kind is BodyKind.MODEL:
            assert self.body is not None
            if not isinstance(body, dict):
                out.append(Violation("body", "must be a JSON object", "必须是 JSON 对象", body))
            else:
                out.extend(self.body.violations(body))
        elif self.body_kind is BodyKind.JTOKEN:
            out.extend(models.jtoken_violations(body, self.body))
        return out

    def request_object(self, body: Any) -> Any:
        """The body as the implementation reads it (a valid JToken array stands for its one object)."""
        return models.jtoken_object(body) if self.body_kind is BodyKind.JTOKEN else body

    def decode(self, data: Any) -> Any:
        return RESULT_DECODERS[self.result](data, self.id)

    def field(self, name: str) -> Field:
        for f in self.query:
            if f.name == name:
                return f
        if self.body is not None:
            return self.body.field(name)
        raise KeyError(name)


def _wechat(id: str, group: Group, name_zh: str, name_en: str, summary_zh: str, summary_en: str,
            result: ResultKind, *, query: tuple[Field, ...] = (), body: Schema | None = None,
            example_body: Any = None, error_status: int = 200) -> Endpoint:
    """A WeChat endpoint: its path is its id; with a body (a JToken) it is a POST, else a GET."""
    return Endpoint(id, "POST" if body else "GET", f"/{id}", group, name_zh, name_en, summary_zh, summary_en, result,
                    query=query, body_kind=BodyKind.JTOKEN if body else BodyKind.NONE, body=body,
                    example_body=example_body, error_status=error_status)


def _qr_auth(step: str, name_zh: str, name_en: str, summary_zh: str, summary_en: str, result: ResultKind,
             *, body: Schema, example_body: Any) -> Endpoint:
    """A step of the QR session: a typed request model POSTed to /QR-Auth/<step>, id QRAuth<Step>."""
    return Endpoint(f"QRAuth{step.replace('-', '')}", "POST", f"/QR-Auth/{step}", Group.QR_AUTH, name_zh, name_en,
                    summary_zh, summary_en, result, body_kind=BodyKind.MODEL, body=body, example_body=example_body)


_MP, _OA = Group.MINI_PROGRAM, Group.OFFICIAL_ACCOUNT

# In the reference's order (its numbering: position + 1).
ENDPOINTS: tuple[Endpoint, ...] = (
    _wechat(
        "SubscribeSend", _MP,
        "发送小程序订阅消息", "Send mini-program subscribe message",
        "发送小程序订阅消息", "Send a subscribe message to a mini-program user",
        ResultKind.STRING, body=models.SUBSCRIBE_SEND,
        example_body={
            "touser": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
            "template_id": "TEMPLATE_ID",
            "page": "pages/index/index",
            "miniprogram_state": "developer",
            "lang": "zh_CN",
            "data": {"thing1": {"value": "登录提醒"}, "time2": {"value": "2026-11-25 12:00"}},
        },
    ),
    _wechat(
        "JSCode2Session", _MP,
        "校验小程序登录状态", "Check mini-program login (code2session)",
        "校验小程序登录凭证", "Exchange a wx.login code for openid and session_key",
        ResultKind.STRING, query=(models.JS_CODE,),
    ),
    _wechat(
        "Decrypt", _MP,
        "解密小程序用户数据", "Decrypt mini-program user data",
        "解密小程序加密数据", "Decrypt data the mini program received encrypted (AES-128-CBC)",
        ResultKind.STRING, query=(models.ENCRYPTED_DATA, models.IV, models.SESSION_KEY),
    ),
    _wechat(
        "UserInfo", _OA,
        "获取公众号 H5 UnionID", "Official-account H5 UnionID",
        "获取公众号 H5 用户的 UnionID", "Look up the UnionID of an official-account H5 user",
        ResultKind.STRING, query=(models.OPENID,),
    ),
    _wechat(
        "SubscribeMSG", _OA,
        "发送公众号一次性订阅消息", "Send official-account one-time subscribe message",
        "发送公众号 H5 一次性订阅消息", "Send a one-time subscribe message to an official-account user",
        ResultKind.STRING, body=models.SUBSCRIBE_MSG,
        example_body={
            "touser": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
            "template_id": "TEMPLATE_ID",
            "scene": 1000,
            "title": "登录提醒",
            "url": "https://example.com/",
            "data": {"content": {"value": "您的账号已在桌面端登录", "color": "#173177"}},
        },
    ),
    _wechat(
        "JSConfig", _OA,
        "配置公众号 JS SDK", "Official-account JS-SDK config",
        "获取公众号 H5 的 JS SDK 配置", "Signed wx.config parameters for a page URL",
        ResultKind.JSCONFIG, query=(models.PAGE_URL,),
    ),
    _wechat(
        "UrlLinkGenerate", _MP,
        "生成小程序 URL 跳转链接", "Generate mini-program URL link",
        "生成小程序的网页跳转地址", "A web link that opens a mini-program page",
        ResultKind.STRING, body=models.URL_LINK,
        example_body={"path": "pages/index/index", "query": "from=desktop", "env_version": "release",
                      "expire_type": 1, "expire_interval": 7},
    ),
    _wechat(
        "GenerateScheme", _MP,
        "生成小程序 Scheme 码", "Generate mini-program scheme",
        "生成小程序的 scheme 码", "A weixin:// scheme that opens a mini-program page",
        ResultKind.STRING, body=models.GENERATE_SCHEME,
        example_body={"jump_wxa": {"path": "pages/index/index", "query": "from=desktop", "env_version": "release"},
                      "is_expire": True, "expire_type": 1, "expire_interval": 7},
    ),
    _wechat(
        "WXACodeGet", _MP,
        "获取小程序码（普通）", "Get mini-program code (normal)",
        "获取小程序码", "A mini-program code image for a page path",
        ResultKind.IMAGE, body=models.WXACODE,
        example_body={"path": "pages/index/index?from=desktop", "width": 430}, error_status=400,
    ),
    _wechat(
        "WXACodeGetUnlimited", _MP,
        "获取小程序码（无限制）", "Get mini-program code (unlimited)",
        "获取无限制的小程序码", "A mini-program code image for a scene (e.g. a signInKey)",
        ResultKind.IMAGE, body=models.WXACODE_UNLIMITED,
        example_body={"scene": "1234567890123456789", "page": "pages/login/login", "check_path": False, "width": 430},
        error_status=400,
    ),
    _wechat(
        "MsgSecCheck", _MP,
        "小程序内容安全检测", "Mini-program content security check",
        "检测消息内容是否含有违法违规信息", "Check a text for prohibited content",
        ResultKind.JSON, body=models.MSG_SEC_CHECK,
        example_body={"content": "你好，世界", "version": 2, "scene": 2, "openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
        error_status=400,
    ),
    _qr_auth(
        "Initiate",
        "初始化二维码认证会话", "Initiate QR auth session",
        "创建用于微信小程序扫码登录/注册的认证会话", "Create a QR session for mini-program sign-in / sign-up",
        ResultKind.INT64, body=models.PRE_SIGN_IN,
        example_body={"scopes": "userinfo,phone", "remark": "desktop login", "scheme": "app"},
    ),
    _qr_auth(
        "Scan",
        "验证二维码扫描结果", "Verify QR scan",
        "微信小程序扫描二维码并获取应用授权信息", "The phone scanned: returns the app info to show the user",
        ResultKind.SCAN_RESULT, body=models.SCAN,
        example_body={"signInKey": 0},
    ),
    _qr_auth(
        "Confirm-Login",
        "确认二维码登录请求", "Confirm QR login",
        "微信小程序用户确认二维码登录并获取访问令牌", "Confirm the login and get an access token (also the desktop's poll)",
        ResultKind.TOKEN, body=models.SIGN_IN,
        example_body={"signInKey": 0},
    ),
    _qr_auth(
        "Confirm-Register",
        "确认二维码注册请求", "Confirm QR registration",
        "微信小程序用户通过二维码完成注册并获取访问令牌", "Register a new user through the QR session and get a token",
        ResultKind.TOKEN, body=models.SIGN_UP,
        example_body={"signInKey": 0, "unionID": "new_user_001", "nickName": "新用户001", "phone": "13800138000"},
    ),
)

BY_ID: Mapping[str, Endpoint] = {e.id: e for e in ENDPOINTS}


def endpoint(endpoint_id: str) -> Endpoint:
    try:
        return BY_ID[endpoint_id]
    except KeyError:
        raise KeyError(f"unknown endpoint {endpoint_id!r}; known: {', '.join(BY_ID)}") from None


def by_group(group: Group) -> list[Endpoint]:
    return [e for e in ENDPOINTS if e.group is group]
