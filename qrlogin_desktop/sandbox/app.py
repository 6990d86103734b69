"""The embedded reference server: an ASGI app implementing all 15 endpoints.

Routes are generated from the catalogue, and requests are validated with the catalogue's rules -
the same objects the client checks with - so the two sides cannot drift. Everything answers
HTTP 200 with an envelope except a missing or bad bearer token (HTTP 401), per the contract's
"Sandbox codes", and the failures of the three endpoints the provider's SDK declares HTTP 400 for
(``Endpoint.error_status``); injected faults use the HTTP statuses a real failing server would.
An error envelope has ``data: null`` and lists broken rules in a top-level ``violations``.
"""

from __future__ import annotations

import hmac
import io
import json
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..api import catalogue
from ..api.catalogue import API_PREFIX, APP_KEY, BEARER_TOKEN, BodyKind, Endpoint
from ..api.errors import ValidationError, shown_value
from ..api.models import UserQRCodeScanResult, is_json_media_type
from ..api.openapi import build_openapi
from .consent import DEFAULT_CONSENT_HOLD, DecisionWaiters
from .faults import FaultInjector, Faults
from .limits import (
    CLOSE_CONNECTION,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_SESSIONS,
    BodyTooLarge,
    read_capped_body,
)
from .offloop import SHARED_POOL, Busy, OffLoop, OffLoopPool
from .sessions import AWAITING_DECISION, FULL_KEY_BITS, JS_SAFE_KEY_BITS, Outcome, QrSession, SessionStore
from .tokens import TokenIssuer, UserDirectory
from .wechat import DEFAULT_JSAPI_TICKET, DEFAULT_KEYWORDS, WechatSimulator, image_type, mini_program_code


@dataclass
class SandboxConfig:
    app_key: str = "demo"
    token: str = field(default_factory=lambda: "sbx_" + secrets.token_urlsafe(24))
    session_ttl: float = 120.0
    token_lifetime: int = 86400
    jsapi_ticket: str = DEFAULT_JSAPI_TICKET
    require_registration: bool = False
    keywords: Sequence[str] = DEFAULT_KEYWORDS
    app_name: str = "沙盒应用 Sandbox App"
    clock: Callable[[], float] = time.time
    faults: Faults = field(default_factory=Faults)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_sessions: int = DEFAULT_MAX_SESSIONS
    pool: OffLoopPool = SHARED_POOL  # draws mini-program codes off the event loop
    full_63_bit_keys: bool = False  # signInKeys above 2^53, which a JavaScript phone cannot hold exactly
    explicit_consent: bool = False  # Confirm-Login answers 202 after a scan until the phone page decides
    consent_hold: float = DEFAULT_CONSENT_HOLD  # s a poll is held while the phone decides (0: answer at once)

    def __post_init__(self) -> None:
        # The client's own rules: an appKey a client may not send, or a bearer it could not put in a
        # header, would make a sandbox nobody can call.
        broken = APP_KEY.violations(self.app_key) + BEARER_TOKEN.violations(self.token)
        if broken:
            raise ValidationError(broken)


@dataclass(frozen=True)
class HeldPoll:
    """A Confirm-Login to answer once the phone decides or the consent hold ends (sandbox/consent.py)."""

    sign_in_key: int


# One encoder for every answer: json.dumps with options would build a new one per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_API_ROOT = API_PREFIX + "/"
_WWW_AUTHENTICATE = [(b"www-authenticate", b'Bearer realm="qrlogin-sandbox"')]


def envelope_bytes(code: int, data: Any = None, error: str = "", violations: list[dict[str, str]] | None = None) -> bytes:
    envelope = {"code": code, "data": data, "error": error}
    if violations is not None:
        envelope["violations"] = violations
    return _ENCODER.encode(envelope).encode()


def _api_route(scope) -> tuple[str, str]:
    """(appKey, endpoint path) of a request under /Wechat/. Split on the raw path, then percent-decode:
    an appKey may hold an encoded "/" (both clients quote it as one segment), which the decoded path loses."""
    raw = (scope.get("raw_path") or b"").decode("latin-1").split("?", 1)[0]
    path = raw if raw.startswith(_API_ROOT) else scope["path"]  # no raw path, or "/Wechat/" itself encoded
    app_key, _, rest = path[len(_API_ROOT):].partition("/")
    return unquote(app_key), "/" + unquote(rest)


def _code_image(content: str, body: dict[str, Any], scope) -> OffLoop:
    """A mini-program code in the format WeChat would answer (JPEG; PNG when transparent) or Accept asks
    for, to be drawn in the process pool."""
    transparent = body.get("is_hyaline") is True
    accept = b", ".join(value for name, value in scope["headers"] if name == b"accept").decode("latin-1")
    content_type = image_type(accept, transparent)
    return OffLoop(mini_program_code, (content, body.get("width"), content_type, transparent), content_type)


async def _send(send, body: bytes, status: int = 200, content_type: bytes = b"application/json",
                extra: list[tuple[bytes, bytes]] | None = None) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    if extra:
        headers += extra
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _retry_after(seconds: int) -> list[tuple[bytes, bytes]]:
    return [(b"retry-after", str(seconds).encode())]


def own_origin(scope) -> str:
    """Our own origin, from the address the connection reached (ASGI ``server``), for absolute links such as
    the app logo. Never the Host header: a client sets that as it likes, and the link goes to other clients."""
    server = scope.get("server")
    if not server:
        return ""  # no address known: the link stays relative to whoever serves us
    return origin(server[0], server[1], scope.get("scheme", "http"))


def origin(host: str, port: int | None, scheme: str = "http") -> str:
    """``scheme://host[:port]``, an IPv6 address in brackets."""
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}" + (f":{port}" if port is not None else "")


class Sandbox:
    """State and ASGI app of one sandbox. ``sandbox.app`` is what uvicorn or ASGITransport serve."""

    def __init__(self, config: SandboxConfig | None = None):
        self.config = config = config or SandboxConfig()
        self.users = UserDirectory()
        self.issuer = TokenIssuer(self.users, lifetime=config.token_lifetime)
        self.sessions = SessionStore(self.issuer, ttl=config.session_ttl, clock=config.clock,
                                     require_registration=config.require_registration, app_info=self._app_info,
                                     max_sessions=config.max_sessions,
                                     key_bits=FULL_KEY_BITS if config.full_63_bit_keys else JS_SAFE_KEY_BITS,
                                     explicit_consent=config.explicit_consent)
        self.consent = DecisionWaiters(config.consent_hold)
        self.wechat = WechatSimulator(jsapi_ticket=config.jsapi_ticket, keywords=config.keywords, clock=config.clock)
        self._auth = f"Bearer {config.token}".encode()
        self._logo: bytes | None = None
        self._openapi: dict[str, Any] | None = None
        implementations = self._implementations()
        self._routes = {ep.path: (ep, implementations[ep.id]) for ep in catalogue.ENDPOINTS}
        from .phone import PhonePage  # it reads this module's envelope and origin helpers

        routes = [
            Route("/", self._home, methods=["GET"]),
            Route("/openapi.json", self._openapi_json, methods=["GET"]),
            Route("/sandbox/logo.png", self._logo_png, methods=["GET"]),
            *PhonePage(self.config, self.sessions, decided=self.consent.decided).routes(),
        ]
        self.starlette = Starlette(routes=routes)
        self.app = FaultInjector(self._asgi, config.faults)

    @property
    def faults(self) -> Faults:
        return self.config.faults

    @property
    def require_registration(self) -> bool:
        return self.sessions.require_registration

    @require_registration.setter
    def require_registration(self, value: bool) -> None:
        self.sessions.require_registration = value

    # --- request handling ------------------------------------------------------------------------------
    # The API paths are served by a plain ASGI dispatcher (a dict lookup, headers read straight from
    # the scope) rather than 15 Starlette routes tried in order: it is the sandbox's hot path, and the
    # load benchmark holds it to at least half a bare Starlette endpoint's throughput.

    async def _asgi(self, scope, receive, send) -> None:
        path = scope["path"] if scope["type"] == "http" else ""
        if not path.startswith(_API_ROOT):
            await self.starlette(scope, receive, send)
            return
        app_key, rest = _api_route(scope)
        route = self._routes.get(rest)
        if route is None:
            await _send(send, envelope_bytes(404, error=f"unknown endpoint {shown_value(path)} / 未知的接口"), 404)
            return
        ep, implementation = route
        if scope["method"] != ep.method:
            await _send(send, envelope_bytes(405, error=f"{ep.path} takes {ep.method}"), 405,
                        extra=[(b"allow", ep.method.encode())])
            return
        try:
            body_bytes = await read_capped_body(scope, receive, self.config.max_body_bytes)
        except BodyTooLarge as exc:
            await _send(send, envelope_bytes(413, error=f"{exc} / 请求体过大"), 413, extra=CLOSE_CONNECTION)
            return
        status, payload, extra = self._answer(scope, ep, implementation, app_key, body_bytes)
        if isinstance(payload, OffLoop):
            status, payload, extra = await self._off_loop(payload)
        elif isinstance(payload, HeldPoll):
            if not await self.consent.wait(payload.sign_in_key, receive):
                return  # the poller hung up: answer nothing, hand out nothing
            status, payload, extra = self._reply(ep, self.sessions.confirm_login(payload.sign_in_key))
        if isinstance(payload, tuple):  # an image: (bytes, content type)
            await _send(send, payload[0], status, payload[1].encode())
        else:
            await _send(send, payload, status, extra=extra)

    def _answer(self, scope, ep: Endpoint, implementation, app_key: str, raw: bytes):
        headers = dict(scope["headers"])
        supplied = headers.get(b"authorization", b"")
        if not hmac.compare_digest(supplied, self._auth):
            why = "missing bearer token" if not supplied else "invalid bearer token"
            return 401, envelope_bytes(401, error=f"{why} / 缺少或无效的访问令牌"), _WWW_AUTHENTICATE
        if app_key != self.config.app_key:
            return self._error(ep, Outcome(404, error=f"unknown appKey {shown_value(app_key)} / 未知的 appKey"))
        query: dict[str, str] = {}
        body = None
        if ep.method == "GET":
            query = dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))
        else:
            if not is_json_media_type(headers.get(b"content-type", b"").decode("latin-1")):
                return self._error(ep, Outcome(400, error="Content-Type: must be application/json / 请求体必须是 JSON"))
            try:
                # No body at all is an empty object: the provider's SDK sends none when its optional body is unset.
                body = json.loads(raw) if raw.strip() else {}
            except (ValueError, RecursionError):
                return self._error(ep, Outcome(400, error="body: must be valid JSON / 请求体不是合法的 JSON", violations=[
                    {"field": "body", "rule": "must be valid JSON", "rule_zh": "必须是合法的 JSON"}]))
        violations = ep.violations(query, body)
        if violations:
            return self._error(ep, Outcome(400, error="; ".join(v.message() for v in violations),
                                           violations=[v.to_json() for v in violations]))
        request = ep.request_object(body)
        if ep.body_kind is BodyKind.MODEL:  # a signInKey sent as a decimal string reaches the handlers as an int
            request = ep.body.normalised(request)
        outcome = implementation(app_key, query, request, scope)
        if isinstance(outcome, (OffLoop, HeldPoll)):
            return 200, outcome, None
        return self._reply(ep, outcome)

    def _reply(self, ep: Endpoint, outcome: Outcome):
        if outcome.retry_after is not None:  # full: a real server's "come back later"
            return 503, envelope_bytes(outcome.code, None, outcome.error), _retry_after(outcome.retry_after)
        if outcome.code != 200:
            return self._error(ep, outcome)
        return 200, envelope_bytes(outcome.code, outcome.data, outcome.error), None

    @staticmethod
    def _error(ep: Endpoint, outcome: Outcome):
        return ep.error_status, envelope_bytes(outcome.code, None, outcome.error, outcome.violations), None

    async def _off_loop(self, job: OffLoop):
        try:
            return 200, (await self.config.pool.run(job), job.content_type), None
        except Busy as exc:
            return 503, envelope_bytes(503, error=f"{exc} / 服务器繁忙"), _retry_after(exc.retry_after)

    def _implementations(self) -> dict[str, Callable[[str, dict[str, str], Any, Any], Outcome | OffLoop]]:
        w, s = self.wechat, self.sessions
        return {
            "SubscribeSend": lambda k, q, b, scope: w.subscribe_send(b),
            "JSCode2Session": lambda k, q, b, scope: w.code2session(q["js_code"]),
            "Decrypt": lambda k, q, b, scope: w.decrypt(q["encryptedData"], q["iv"], q["sessionKey"]),
            "UserInfo": lambda k, q, b, scope: w.user_info(q["openid"]),
            "SubscribeMSG": lambda k, q, b, scope: w.subscribe_msg(b),
            "JSConfig": lambda k, q, b, scope: w.js_config(q["url"], k),
            "UrlLinkGenerate": lambda k, q, b, scope: w.url_link(b),
            "GenerateScheme": lambda k, q, b, scope: w.scheme(b),
            "WXACodeGet": lambda k, q, b, scope: _code_image(b["path"], b, scope),
            "WXACodeGetUnlimited": lambda k, q, b, scope: _code_image(b["scene"], b, scope),
            "MsgSecCheck": lambda k, q, b, scope: w.msg_sec_check(b),
            "QRAuthInitiate": lambda k, q, b, scope: s.initiate(k, b.get("scopes"), b.get("remark"), b.get("scheme")),
            "QRAuthScan": lambda k, q, b, scope: s.scan(b["signInKey"], own_origin(scope)),
            "QRAuthConfirmLogin": lambda k, q, b, scope: self._confirm_login(b["signInKey"]),
            "QRAuthConfirmRegister": lambda k, q, b, scope: s.confirm_register(b["signInKey"], b),
        }

    def _confirm_login(self, key: int) -> Outcome | HeldPoll:
        outcome = self.sessions.confirm_login(key)
        return HeldPoll(key) if outcome is AWAITING_DECISION and self.consent.hold > 0 else outcome

    def _app_info(self, session: QrSession, base_url: str) -> dict[str, Any]:
        return UserQRCodeScanResult(
            appID=20260001,
            name=self.config.app_name,
            logo=base_url.rstrip("/") + "/sandbox/logo.png",
            website="https://example.com/",
            description="qrlogin-desktop 内置沙盒 / the embedded sandbox of qrlogin-desktop",
            tags="sandbox,demo",
            scopes=session.scopes or "",
            remark=session.remark or "",
            scheme=session.scheme or "",
        ).to_json()

    # --- extras ---------------------------------------------------------------------------------------

    async def _home(self, request: Request) -> Response:
        return JSONResponse({"code": 200, "data": {"service": "qrlogin-desktop sandbox", "openapi": "/openapi.json"},
                             "error": ""})

    async def _openapi_json(self, request: Request) -> Response:
        if self._openapi is None:  # the same for every client: nothing in it comes from a request
            self._openapi = build_openapi(app_key=self.config.app_key)
        return JSONResponse(self._openapi)

    async def _logo_png(self, request: Request) -> Response:
        if self._logo is None:
            self._logo = _draw_logo()
        return Response(self._logo, media_type="image/png")


def _draw_logo() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (96, 96), (7, 193, 96))  # WeChat green
    draw = ImageDraw.Draw(image)
    for x, y in ((14, 14), (54, 14), (14, 54)):  # three finder-pattern squares: reads as "QR"
        draw.rectangle((x, y, x + 27, y + 27), outline="white", width=5)
        draw.rectangle((x + 9, y + 9, x + 18, y + 18), fill="white")
    draw.rectangle((62, 62, 72, 72), fill="white")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
