"""Async client for the 15 endpoints: auth, validation, envelope decoding, typed results and errors.

One generic :meth:`QrLoginClient.call` does the work for every endpoint from its catalogue entry;
the named methods (``initiate``, ``scan``, ...) only give callers types. Every exchange, success
or failure, is handed to listeners as a redacted :class:`Exchange` - that is the request log's feed.

Every exchange is bounded whatever the server does: ONE overall deadline covers connecting,
sending and the whole answer (no drip of bytes can extend it), and the answer is read as a stream
with a cap on its decoded size (:mod:`.answer`). Importing this module installs the process-wide
log masking of :mod:`.logmask`, so neither our records nor httpx's/httpcore's carry a secret.
"""

from __future__ import annotations

import asyncio
import json
import shlex
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from .. import APP_NAME
from . import catalogue, logmask
from .answer import ACCEPT_ENCODING, BoundedBody
from .catalogue import APP_KEY, BEARER_TOKEN, Endpoint, ResultKind
from .errors import (
    ApiError,
    ProtocolError,
    QrLoginError,
    TransportError,
    TransportKind,
    ValidationError,
    Violation,
)
from .exchange import LOG_BODY_PREFIX, REDACTION_MARGIN, CallResult, Exchange
from .http_stack import httpx
from .interpret import interpret_answer
from .models import (
    ImageResult,
    QRCodePreSignInRequest,
    QRCodeScanRequest,
    QRCodeSignInRequest,
    QRCodeSignUpRequest,
    TokenModel,
    UserQRCodeScanResult,
    WechatJSConfigResult,
)
from .redact import Redactor

USER_AGENT = APP_NAME
# Size caps on the DECODED answer (see docs/decisions.md, "Limits of the API client"). Real answers
# are a few KB; the GUI's large-answer work is measured at 5 MB. A profile can raise them.
MAX_ANSWER_BYTES = 16 * 1024 * 1024
MAX_IMAGE_BYTES = 8 * 1024 * 1024
PING_DEADLINE = 5.0
ASSET_DEADLINE = 5.0

logmask.install()


Listener = Callable[[Exchange], None]
T = TypeVar("T")


def tls_verification(base_url: str, verify: bool | ssl.SSLContext) -> bool | ssl.SSLContext:
    """What the client verifies TLS with. A plain-http server never gets a TLS handshake from us (no
    redirect is followed; assets must be same-origin), so loading the system's certificate store,
    tens of milliseconds at every start of the embedded sandbox, buys nothing: such a client gets a
    verifying context that trusts no certificate, which fails closed should TLS ever happen."""
    if verify is True and base_url.lower().startswith("http://"):
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED and check_hostname, no CA
    return verify


class QrLoginClient:
    """``async with QrLoginClient(base_url, app_key, token) as client: key = await client.initiate()``."""

    def __init__(
        self,
        base_url: str,
        app_key: str,
        token: str | None = None,
        *,
        timeout: float = 10.0,
        connect_timeout: float | None = None,
        verify: bool | ssl.SSLContext = True,
        validate: bool = True,
        transport: httpx.AsyncBaseTransport | None = None,
        redactor: Redactor | None = None,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
        max_image_bytes: int = MAX_IMAGE_BYTES,
    ):
        """``timeout`` is the OVERALL deadline of one exchange in seconds (connect, send and the
        whole answer); ``connect_timeout`` can shorten the connect phase within it. Answers whose
        decoded size passes ``max_answer_bytes`` (JSON) or ``max_image_bytes`` (a raw image) are
        refused as soon as the cap is passed."""
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.connect_timeout = connect_timeout or timeout
        self.max_answer_bytes = max_answer_bytes
        self.max_image_bytes = max_image_bytes
        self.app_key = app_key
        self.validate = validate
        self.redactor = redactor or Redactor()
        self._token: str | None = None
        self.token = token
        self._listeners: list[Listener] = []
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=connect_timeout or timeout),
            verify=tls_verification(self.base_url, verify),
            transport=transport,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json, image/*",
                     "Accept-Encoding": ACCEPT_ENCODING},
            follow_redirects=False,  # a redirect would carry the bearer elsewhere
        )

    # --- configuration ---------------------------------------------------------------------------

    @property
    def token(self) -> str | None:
        return self._token

    @token.setter
    def token(self, value: str | None) -> None:
        """Refuses (ValidationError naming ``token``, never showing it) a credential that cannot be
        sent as a header value, whatever ``validate`` says: nothing of it may reach the wire."""
        broken = BEARER_TOKEN.violations(value) if value else []
        if broken:
            raise ValidationError(broken)
        self._token = value or None
        self.redactor.add(value, pin=True)  # the credential is masked for the client's whole life

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> QrLoginClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # --- request building (also used for "copy as cURL") -------------------------------------------

    def url_for(self, ep: Endpoint, query: Mapping[str, Any] | None = None) -> str:
        request = self._http.build_request(ep.method, ep.url_path(self.app_key), params=_query_params(query))
        return str(request.url)

    def shown_url(self, ep: Endpoint, query: Mapping[str, Any] | None = None) -> str:
        """The URL a call with ``query`` goes to, for display: secret parameters (sessionKey) masked."""
        return self.url_for(ep, _mask_secret_fields(ep, query))

    def headers_for(self, ep: Endpoint) -> dict[str, str]:
        headers = {}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        if ep.method != "GET":
            headers["Content-Type"] = "application/json"
        return headers

    def check(self, ep: Endpoint, query: Mapping[str, Any] | None = None, body: Any = None) -> list[Violation]:
        """Every broken rule of a prospective call, the path's appKey included; empty when fine."""
        return APP_KEY.violations(self.app_key) + ep.violations(query, body)

    def _check_route(self, ep: Endpoint) -> None:
        """The appKey routes the request (and carries the bearer to that route), so it is checked
        even when ``validate`` is off: ``validate=False`` tests the server's rules, not our path."""
        found = APP_KEY.violations(self.app_key)
        if found:
            raise ValidationError(found, endpoint=ep.id)

    def curl_for(self, endpoint: Endpoint | str, *, query: Mapping[str, Any] | None = None, body: Any = None,
                 reveal_token: bool = False) -> str:
        """The same request as a shell command. Unless ``reveal_token``, the bearer credential becomes
        ``$QRLOGIN_TOKEN`` and secret parameters (sessionKey) are masked."""
        ep = catalogue.endpoint(endpoint) if isinstance(endpoint, str) else endpoint
        if not reveal_token:
            query = _mask_secret_fields(ep, query)
        parts = ["curl", "-X", ep.method, shlex.quote(self.url_for(ep, query))]
        for name, value in self.headers_for(ep).items():
            if name == "Authorization" and not reveal_token:
                # Masked as a shell variable (double quotes so the shell expands it).
                parts += ["-H", '"Authorization: Bearer $QRLOGIN_TOKEN"']
                continue
            parts += ["-H", shlex.quote(f"{name}: {value}")]
        if ep.method != "GET":
            parts += ["--data-raw", shlex.quote(json.dumps(body, ensure_ascii=False))]
        return " ".join(parts)

    def same_origin(self, url: str | None) -> bool:
        """Whether ``url`` points at this client's own server (scheme, host and port)."""
        if not url:
            return False
        try:
            target, ours = httpx.URL(url), httpx.URL(self.base_url)
        except (httpx.InvalidURL, TypeError):
            return False
        return target.scheme in ("http", "https") and (target.scheme, target.host, target.port) == (
            ours.scheme, ours.host, ours.port)

    async def fetch_asset(self, url: str, *, max_bytes: int = 512 * 1024, timeout: float | None = None) -> bytes:
        """An image the server links to (the app logo of a Scan answer), from the same origin only:
        a URL inside an answer could point anywhere (an intranet host, a tracker). Reading stops at
        ``max_bytes``; the whole fetch has one overall deadline."""
        if not self.same_origin(url):
            raise ValidationError([Violation("logo", "must be on the same server", "必须来自同一服务器", url)])
        deadline = self._deadline(timeout, ASSET_DEADLINE)
        where = self.redactor.url(url)

        async def fetch() -> tuple[int, bytes]:
            async with self._http.stream("GET", url, timeout=self._httpx_timeout(deadline)) as response:
                if response.status_code != 200:
                    return response.status_code, b""
                return 200, await BoundedBody(max_bytes).read(response, endpoint="asset")

        try:
            status, data = await _within(deadline, fetch())
        except TimeoutError:
            raise _deadline_error(deadline, "asset", where) from None
        except httpx.HTTPError as exc:
            raise _transport_error(exc, "asset", where) from None
        except ProtocolError as exc:
            raise ProtocolError(f"asset unavailable: {exc.reason}", http_status=exc.http_status,
                                endpoint="asset") from None
        if status != 200:
            raise ProtocolError("asset unavailable", http_status=status, endpoint="asset")
        return data

    async def ping(self, *, timeout: float | None = None) -> float:
        """Whether the server answers at all: milliseconds until the status line and headers of any
        HTTP answer to GET of the base URL (the body is not read)."""
        deadline = self._deadline(timeout, PING_DEADLINE)
        t0 = time.perf_counter()

        async def head() -> None:
            async with self._http.stream("GET", "/", timeout=self._httpx_timeout(deadline)):
                pass

        try:
            await _within(deadline, head())
        except TimeoutError:
            raise _deadline_error(deadline, "ping", self.base_url) from None
        except httpx.HTTPError as exc:
            raise _transport_error(exc, "ping", self.base_url) from None
        return (time.perf_counter() - t0) * 1000

    def _httpx_timeout(self, deadline: float) -> httpx.Timeout:
        """httpx's per-phase timeouts, never longer than the overall deadline (which is ours to
        enforce: httpx restarts its read timeout on every byte)."""
        return httpx.Timeout(deadline, connect=min(self.connect_timeout, deadline))

    def _deadline(self, timeout: float | None, ceiling: float | None = None) -> float:
        """The overall deadline of one exchange: the per-call value, else the client's (capped by
        ``ceiling`` for the side calls that have their own)."""
        if timeout is not None:
            return max(0.0, float(timeout))
        return min(self.timeout, ceiling) if ceiling is not None else self.timeout

    # --- the one generic call ----------------------------------------------------------------------

    async def call(
        self,
        endpoint: Endpoint | str,
        *,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
        validate: bool | None = None,
        timeout: float | None = None,
    ) -> CallResult:
        """One exchange with ``endpoint``. ``timeout`` (seconds) overrides the client's overall
        deadline for this call, e.g. with the time left in a QR session."""
        ep = catalogue.endpoint(endpoint) if isinstance(endpoint, str) else endpoint
        if self.validate if validate is None else validate:
            found = self.check(ep, query, body)
            if found:
                raise ValidationError(found, endpoint=ep.id)
        self._check_route(ep)
        for f in ep.query:
            if f.secret and query and isinstance(query.get(f.name), str):
                self.redactor.add_url_value(query[f.name])  # masked wherever it turns up (logs, echoes)
        content = None
        if ep.method != "GET":
            try:
                content = json.dumps(body, ensure_ascii=False, allow_nan=False).encode()
            except (TypeError, ValueError) as exc:
                raise ValidationError([Violation("body", f"must be JSON ({exc})", "必须是合法的 JSON", None)], ep.id) from None
        deadline = self._deadline(timeout)
        request = self._http.build_request(
            ep.method, ep.url_path(self.app_key), params=_query_params(query), content=content,
            headers=self.headers_for(ep), timeout=self._httpx_timeout(deadline),
        )
        started = time.time()
        t0 = time.perf_counter()
        answer: list[httpx.Response] = []  # set once the status line and headers are in
        reader = BoundedBody(self.max_answer_bytes)

        async def exchange() -> bytes:
            response = await self._http.send(request, stream=True)
            answer.append(response)
            try:
                if ep.result is ResultKind.IMAGE and _content_type(response).startswith("image/"):
                    reader.limit = self.max_image_bytes
                return await reader.read(response, endpoint=ep.id)
            finally:
                await response.aclose()

        try:
            body_bytes = await _within(deadline, exchange())
        except TimeoutError:
            error: QrLoginError = _deadline_error(deadline, ep.id, self.redactor.url(str(request.url)))
        except httpx.HTTPError as exc:
            error = _transport_error(exc, ep.id, self.redactor.url(str(request.url)))
        except ProtocolError as exc:  # too large, undecodable coding
            error = exc
        else:
            error = None
        response = answer[0] if answer else None
        if error is not None:
            error.exchange = self._emit(ep, request, content, started, t0, response, reader, error)
            raise error from None
        assert response is not None
        try:
            value, envelope = interpret_answer(ep, response.status_code, response.headers.get("content-type"),
                                               body_bytes, redactor=self.redactor,
                                               retry_after=response.headers.get("retry-after"),
                                               location=response.headers.get("location"))
        except QrLoginError as error:
            code = error.code if isinstance(error, ApiError) else None
            error.exchange = self._emit(ep, request, content, started, t0, response, reader, error, code)
            raise
        if isinstance(value, TokenModel):
            self.redactor.add(value.access_token)  # from now on it is masked wherever it appears
        exchange_record = self._emit(ep, request, content, started, t0, response, reader, None,
                                     envelope.code if envelope is not None else None)
        return CallResult(ep, value, response.status_code, exchange_record.latency_ms, envelope, exchange_record)

    def _emit(self, ep: Endpoint, request: httpx.Request, content: bytes | None, started: float, t0: float,
              response: httpx.Response | None, body: BoundedBody, error: QrLoginError | None,
              envelope_code: int | None = None) -> Exchange:
        r = self.redactor
        content_type = response.headers.get("content-type", "").split(";")[0].strip() if response is not None else None
        exchange = Exchange(
            started_at=started,
            endpoint=ep.id,
            method=request.method,
            url=r.url(str(request.url)),
            request_headers=tuple(r.headers(request.headers.items())),
            request_body=r.body_prefix(content, "application/json", LOG_BODY_PREFIX),
            request_size=len(content or b""),
            status=response.status_code if response is not None else None,
            response_headers=tuple(r.headers(response.headers.items())) if response is not None else (),
            response_body=(r.body_prefix(body.prefix(LOG_BODY_PREFIX + REDACTION_MARGIN), content_type,
                                         LOG_BODY_PREFIX, total=body.size) if response is not None else None),
            response_size=body.size,
            response_content_type=content_type,
            latency_ms=(time.perf_counter() - t0) * 1000,
            error=r.text(str(error)) if error else None,
            envelope_code=envelope_code,
        )
        for listener in list(self._listeners):
            listener(exchange)
        return exchange

    # --- typed methods, one per endpoint -------------------------------------------------------------

    async def _value(self, endpoint_id: str, **kwargs: Any) -> Any:
        return (await self.call(endpoint_id, **kwargs)).value

    # Each takes ``timeout=`` (seconds, overall) for this call only; see :meth:`call`.

    async def initiate(self, request: QRCodePreSignInRequest | None = None, *, timeout: float | None = None, **fields: Any) -> int:
        body = (request or QRCodePreSignInRequest(**fields)).to_json()
        return await self._value("QRAuthInitiate", body=body, timeout=timeout)

    async def scan(self, sign_in_key: int, *, timeout: float | None = None) -> UserQRCodeScanResult:
        return await self._value("QRAuthScan", body=QRCodeScanRequest(sign_in_key).to_json(), timeout=timeout)

    async def confirm_login(self, sign_in_key: int, *, timeout: float | None = None) -> TokenModel:
        return await self._value("QRAuthConfirmLogin", body=QRCodeSignInRequest(sign_in_key).to_json(), timeout=timeout)

    async def confirm_register(self, request: QRCodeSignUpRequest, *, timeout: float | None = None) -> TokenModel:
        return await self._value("QRAuthConfirmRegister", body=request.to_json(), timeout=timeout)

    async def subscribe_send(self, body: Any, *, timeout: float | None = None) -> str:
        return await self._value("SubscribeSend", body=body, timeout=timeout)

    async def jscode2session(self, js_code: str, *, timeout: float | None = None) -> str:
        return await self._value("JSCode2Session", query={"js_code": js_code}, timeout=timeout)

    async def decrypt(self, encrypted_data: str, iv: str, session_key: str, *, timeout: float | None = None) -> str:
        return await self._value("Decrypt", query={"encryptedData": encrypted_data, "iv": iv, "sessionKey": session_key}, timeout=timeout)

    async def user_info(self, openid: str, *, timeout: float | None = None) -> str:
        return await self._value("UserInfo", query={"openid": openid}, timeout=timeout)

    async def subscribe_msg(self, body: Any, *, timeout: float | None = None) -> str:
        return await self._value("SubscribeMSG", body=body, timeout=timeout)

    async def js_config(self, url: str, *, timeout: float | None = None) -> WechatJSConfigResult:
        return await self._value("JSConfig", query={"url": url}, timeout=timeout)

    async def url_link_generate(self, body: Any, *, timeout: float | None = None) -> str:
        return await self._value("UrlLinkGenerate", body=body, timeout=timeout)

    async def generate_scheme(self, body: Any, *, timeout: float | None = None) -> str:
        return await self._value("GenerateScheme", body=body, timeout=timeout)

    async def wxacode_get(self, body: Any, *, timeout: float | None = None) -> ImageResult:
        return await self._value("WXACodeGet", body=body, timeout=timeout)

    async def wxacode_get_unlimited(self, body: Any, *, timeout: float | None = None) -> ImageResult:
        return await self._value("WXACodeGetUnlimited", body=body, timeout=timeout)

    async def msg_sec_check(self, body: Any, *, timeout: float | None = None) -> Any:
        return await self._value("MsgSecCheck", body=body, timeout=timeout)


def _mask_secret_fields(ep: Endpoint, query: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    if not query:
        return query
    secret = {f.name for f in ep.query if f.secret}
    return {k: ("***" if k in secret and v else v) for k, v in query.items()}


def _query_params(query: Mapping[str, Any] | None) -> dict[str, str] | None:
    if not query:
        return None
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in query.items() if v is not None}


def _content_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


async def _within(deadline: float, work: Awaitable[T]) -> T:
    """``work`` under one overall deadline (asyncio.TimeoutError when passed: the builtin TimeoutError
    only from Python 3.11). ``wait_for`` cancels it once, so its clean-up (closing the connection)
    still runs."""
    return await asyncio.wait_for(work, deadline)


def _deadline_error(deadline: float, endpoint: str, url: str) -> TransportError:
    return TransportError(TransportKind.TIMEOUT, f"no complete answer within the overall deadline of {deadline:g} s",
                          endpoint=endpoint, url=url)


def _transport_error(exc: httpx.HTTPError, endpoint: str, url: str) -> TransportError:
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return TransportError(TransportKind.TIMEOUT, detail, endpoint=endpoint, url=url)
    if isinstance(exc, httpx.ConnectError):
        cause: BaseException | None = exc
        while cause is not None:
            if isinstance(cause, ssl.SSLError):
                return TransportError(TransportKind.TLS, detail, endpoint=endpoint, url=url)
            cause = cause.__cause__ or cause.__context__
        if "CERTIFICATE" in detail.upper() or "SSL" in detail.upper():
            return TransportError(TransportKind.TLS, detail, endpoint=endpoint, url=url)
        return TransportError(TransportKind.CONNECT, detail, endpoint=endpoint, url=url)
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
        return TransportError(TransportKind.DROPPED, detail, endpoint=endpoint, url=url)
    if isinstance(exc, (httpx.InvalidURL, httpx.UnsupportedProtocol)):
        return TransportError(TransportKind.CONNECT, f"invalid server URL: {detail}", endpoint=endpoint, url=url)
    return TransportError(TransportKind.OTHER, detail, endpoint=endpoint, url=url)
