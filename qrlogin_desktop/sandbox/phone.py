"""The sandbox's phone page: a real phone (or a real browser) plays the phone of the QR flow.

``GET /phone?appKey=K&signInKey=N`` serves a small mobile page (zh/en after Accept-Language, with a
switch) that scans the session, shows the app info as a phone would, and offers Confirm login, Register
and Decline. The page calls four same-origin helper routes, ``POST /phone/{scan,confirm,register,decline}``,
which act on the session store directly and are authorised by the signInKey itself - the secret the QR
already carries - so the sandbox's bearer never reaches a browser, a URL or a log (docs/decisions.md
"Phone page"). Their bodies are checked with the catalogue's own rules, so the page's 400s list the same
violations as the API's; the register form's HTML constraints are rendered from those same rule objects.

Scan runs from the page's script (a POST), not when the page is fetched: a link preview or a prefetch
that GETs the URL must not use up the session.
"""

from __future__ import annotations

import html
import json
import re
import secrets
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from ..api import catalogue
from ..api.errors import Violation, shown_value
from ..api.models import SIGN_UP, Field, is_json_media_type
from ..api.rules import Charset, Length
from .app import SandboxConfig, envelope_bytes, own_origin
from .limits import BodyTooLarge, read_capped_body
from .sessions import Outcome, SessionStore

PHONE_PATH = "/phone"
PAGE_TIMEOUT_MS = 10_000  # the page's own deadline per call: a dead sandbox shows an error, not a spinner
LANGUAGES = ("zh", "en")

_SCAN = catalogue.endpoint("QRAuthScan")
_REGISTER = catalogue.endpoint("QRAuthConfirmRegister")
_FORM_FIELDS = tuple(f for f in SIGN_UP.fields if f.name != "signInKey")

TEXTS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "title": "Sign in with QR code", "switch": "中文", "requests": "wants to sign you in with your account",
        "scopes": "Permissions", "remark": "Note", "confirm": "Confirm login", "register": "Register",
        "decline": "Decline", "registerTitle": "Register a new account", "submit": "Register and sign in",
        "loading": "Checking the QR code…", "confirmed": "Login confirmed. You can go back to the desktop.",
        "declined": "You declined this login.", "registered": "Registered and signed in. You can go back to the desktop.",
        "registerFirst": "This app asks you to register first.", "network": "No answer from the sandbox.",
        "consentNote": "This sandbox treats the scan itself as consent: the desktop may already be signed in.",
        "badLink": "This link is not a sandbox QR login",
    },
    "zh": {
        "title": "扫码登录", "switch": "English", "requests": "请求使用你的账号登录",
        "scopes": "申请的权限", "remark": "备注", "confirm": "确认登录", "register": "注册", "decline": "拒绝",
        "registerTitle": "注册新账号", "submit": "注册并登录", "loading": "正在验证二维码…",
        "confirmed": "已确认登录，请回到电脑端。", "declined": "你已拒绝本次登录。",
        "registered": "注册成功并已登录，请回到电脑端。", "registerFirst": "该应用要求先注册。",
        "network": "沙盒没有响应。", "consentNote": "此沙盒把扫码视为同意：电脑端可能已经登录。",
        "badLink": "这不是沙盒的扫码登录链接",
    },
}


def choose_language(accept_language: str, override: str | None = None) -> str:
    """``zh`` or ``en``: the override when it is one of them, else the best-ranked of the two in
    Accept-Language (RFC 9110 weights), else English."""
    if override in LANGUAGES:
        return override  # type: ignore[return-value]
    best, best_q = "en", 0.0
    for item in accept_language.split(",")[:32]:  # a header is bounded; so is our reading
        tag, _, params = item.strip().partition(";")
        q = 1.0
        match = re.search(r"q=([0-9.]+)", params)
        if match:
            try:
                q = float(match[1])
            except ValueError:
                continue
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and q > best_q:  # ties keep the earlier one: strictly greater
            best, best_q = primary, q
    return best


def html_pattern(pattern: str) -> str:
    """A rule's regex as an HTML ``pattern``: browsers compile it with the ``v`` flag, where a literal
    ``-`` at the edge of a character class must be escaped (else the attribute is ignored)."""
    return pattern.replace("[-", "[\\-").replace("-]", "\\-]")


def input_attributes(f: Field) -> dict[str, str]:
    """HTML constraint attributes from a field's rule objects: the rules stay declared once."""
    attrs: dict[str, str] = {"type": "text"}
    if f.required:
        attrs["required"] = ""
    patterns = []
    for rule in f.rules:
        if isinstance(rule, Length):
            if rule.minimum:
                attrs["minlength"] = str(rule.minimum)
            if rule.maximum is not None:
                attrs["maxlength"] = str(rule.maximum)
        elif isinstance(rule, Charset):
            patterns.append(html_pattern(rule.pattern))
            if rule.pattern.startswith("[0-9]"):
                attrs["inputmode"] = "numeric"
    if patterns:  # all of them must hold: every one but the first as a lookahead
        attrs["pattern"] = "".join(f"(?=(?:{p})$)" for p in patterns[1:]) + f"(?:{patterns[0]})"
    return attrs


def _attributes_html(attrs: Mapping[str, str]) -> str:
    return "".join(f' {name}="{html.escape(value)}"' if value else f" {name}" for name, value in attrs.items())


def _script_json(value: Any) -> str:
    """JSON that is safe inside <script>: no "<", ">" or "&" a parser could read as markup."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _texts_with_hints() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for lang, texts in TEXTS.items():
        merged = dict(texts)
        for f in _FORM_FIELDS:
            merged[f"field.{f.name}"] = f.zh if lang == "zh" else f.en
            merged[f"hint.{f.name}"] = f.rules_zh if lang == "zh" else f.rules_en
        out[lang] = merged
    return out


_ALL_TEXTS = _texts_with_hints()


def _security_headers(nonce: str) -> dict[str, str]:
    # Only our own inline script and style (by nonce), images and calls to ourselves: a remark that
    # slipped past escaping still could not run or load anything.
    policy = (f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; img-src 'self'; "
              "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
    return {"content-security-policy": policy, "referrer-policy": "no-referrer", "cache-control": "no-store",
            "x-content-type-options": "nosniff"}


class PhonePage:
    """The page and its helper routes, over one sandbox's config and session store."""

    def __init__(self, config: SandboxConfig, sessions: SessionStore, decided: Callable[[int], None]):
        self.config = config
        self.sessions = sessions
        self._decided = decided  # wakes the desktop's held polls (sandbox/consent.py)

    def routes(self) -> list[Route]:
        return [
            Route(PHONE_PATH, self._page, methods=["GET"]),
            Route(PHONE_PATH + "/scan", self._scan, methods=["POST"]),
            Route(PHONE_PATH + "/confirm", self._confirm, methods=["POST"]),
            Route(PHONE_PATH + "/decline", self._decline, methods=["POST"]),
            Route(PHONE_PATH + "/register", self._register, methods=["POST"]),
        ]

    # --- the page -------------------------------------------------------------------------------------

    async def _page(self, request: Request) -> Response:
        query = dict(parse_qsl(request.url.query, keep_blank_values=True))
        lang = choose_language(request.headers.get("accept-language", ""), query.get("lang"))
        nonce = secrets.token_urlsafe(16)
        refusal = self._refusal(_SCAN, query.get("appKey"), {"signInKey": query.get("signInKey")})
        if refusal is not None:
            return self._error_page(lang, nonce, refusal)
        texts = _ALL_TEXTS[lang]
        config = {"lang": lang, "texts": _ALL_TEXTS, "appKey": query["appKey"], "signInKey": query["signInKey"],
                  "api": PHONE_PATH + "/", "timeoutMs": PAGE_TIMEOUT_MS}
        note = "" if self.config.explicit_consent else '<p class="muted" data-t="consentNote">{}</p>'.format(
            html.escape(texts["consentNote"]))
        page = _fill_page(texts, lang, nonce, note, config)
        return HTMLResponse(page, headers=_security_headers(nonce))

    def _error_page(self, lang: str, nonce: str, refusal: Outcome) -> Response:
        from .phone_assets import CSS, ERROR_PAGE

        message = f"{_ALL_TEXTS[lang]['badLink']}: {refusal.error}"
        body = ERROR_PAGE.substitute(html_lang=_html_lang(lang), title=html.escape(_ALL_TEXTS[lang]["title"]),
                                     nonce=nonce, css=CSS, message=html.escape(message))
        status = 404 if refusal.code == 404 else 400
        return HTMLResponse(body, status, headers=_security_headers(nonce))

    def _refusal(self, endpoint: catalogue.Endpoint, app_key: Any, body: dict[str, Any]) -> Outcome | None:
        """Why a helper call (or the page) cannot act on this session, checked with the rules of the API
        call it stands for."""
        violations = endpoint.violations(None, body)
        if not isinstance(app_key, str):
            violations.insert(0, Violation("appKey", "is required", "必填", None))
        if violations:
            return Outcome(400, error="; ".join(v.message() for v in violations),
                           violations=[v.to_json() for v in violations])
        if app_key != self.config.app_key:
            return Outcome(404, error=f"unknown appKey {shown_value(app_key)} / 未知的 appKey")
        return None

    # --- the helper routes ---------------------------------------------------------------------------

    async def _scan(self, request: Request) -> Response:
        return await self._act(request, lambda key, body: self.sessions.scan(key, own_origin(request.scope)))

    async def _confirm(self, request: Request) -> Response:
        return await self._act(request, lambda key, body: self._deciding(key, self.sessions.phone_confirm(key)))

    async def _decline(self, request: Request) -> Response:
        return await self._act(request, lambda key, body: self._deciding(key, self.sessions.phone_decline(key)))

    async def _register(self, request: Request) -> Response:
        return await self._act(request, lambda key, body: self._deciding(key, self.sessions.confirm_register(key, body)),
                               form=True)

    def _deciding(self, key: int, outcome: Outcome) -> Outcome:
        if outcome.code == 200:
            self._decided(key)
        return outcome

    async def _act(self, request: Request, action, form: bool = False) -> Response:
        try:
            raw = await read_capped_body(request.scope, request.receive, self.config.max_body_bytes)
        except BodyTooLarge as exc:
            return _envelope(Outcome(413, error=f"{exc} / 请求体过大"), 413)
        # JSON only: a cross-site HTML form cannot send it without a CORS preflight, which we never grant.
        if not is_json_media_type(request.headers.get("content-type", "")):
            return _envelope(Outcome(415, error="Content-Type: must be application/json / 请求体必须是 JSON"), 415)
        try:
            sent = json.loads(raw)
        except (ValueError, RecursionError):
            sent = None
        if not isinstance(sent, dict):
            return _envelope(Outcome(400, error="body: must be a JSON object / 请求体必须是 JSON 对象"))
        fields = {f.name for f in _FORM_FIELDS} if form else set()
        body = {k: v for k, v in sent.items() if k == "signInKey" or k in fields}
        body.setdefault("signInKey", None)
        endpoint = _REGISTER if form else _SCAN
        refusal = self._refusal(endpoint, sent.get("appKey"), body)
        if refusal is not None:
            return _envelope(refusal)
        body = endpoint.body.normalised(body)  # type: ignore[union-attr]
        return _envelope(action(body["signInKey"], body))


def _envelope(outcome: Outcome, status: int = 200) -> Response:
    return Response(envelope_bytes(outcome.code, outcome.data, outcome.error, outcome.violations), status,
                    media_type="application/json", headers={"cache-control": "no-store"})


def _html_lang(lang: str) -> str:
    return "zh-CN" if lang == "zh" else "en"


def _fill_page(texts: Mapping[str, str], lang: str, nonce: str, note: str, config: dict[str, Any]) -> str:
    from .phone_assets import CSS, FIELD, JS, PAGE

    fields = "\n".join(
        FIELD.substitute(name=html.escape(f.name), label=html.escape(texts[f"field.{f.name}"]),
                         hint=html.escape(texts[f"hint.{f.name}"]),
                         attributes=_attributes_html({**input_attributes(f), **_prefill(f)}))
        for f in _FORM_FIELDS)
    esc = {k: html.escape(texts[k]) for k in ("title", "switch", "requests", "scopes", "remark", "confirm",
                                              "register", "decline", "submit", "loading")}
    return PAGE.substitute(
        html_lang=_html_lang(lang), nonce=nonce, css=CSS, js=JS, consent_note=note, fields=fields,
        register_title=html.escape(texts["registerTitle"]), status=esc.pop("loading"), config=_script_json(config),
        **esc)


def _prefill(f: Field) -> dict[str, str]:
    # A real phone knows its user's unionID from WeChat; the sandbox's phone makes one up.
    if f.name == "unionID":
        return {"value": "o_phone_" + secrets.token_hex(8)}
    return {}
