"""The check's side of the wire: the API client three times (right, no and wrong bearer), one redactor,
every exchange recorded (redacted, capped) for the check that made it, and the profile's code table
applied to every answer.

Every call is the client's own: its overall deadline and answer caps bound it. ``validate=False``: the
check sends values the rules refuse on purpose, to see the server refuse them too.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import ssl
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..api.client import QrLoginClient
from ..api.envelope import decode_envelope
from ..api.errors import ApiError, ProtocolError, QrLoginError
from ..api.exchange import LOG_BODY_PREFIX, Exchange
from ..api.outcomes import RULES, CodeTable, Outcome, answer_code
from ..api.redact import Redactor
from .model import Options, Text

if TYPE_CHECKING:
    from ..flow.session import Connection

TEXT_CAP = 2000  # characters of each request and each answer a result keeps
SHAPE_PROBLEMS_KEPT = 3  # offending answers an envelope check quotes, per endpoint
EXPIRY_MARGIN = 1.5  # s past a QR's lifetime before its session is taken for expired


class SetupFailed(Exception):
    """A step that only brings a session into the state a check needs did not answer as the contract says."""

    def __init__(self, reason: Text):
        self.reason = reason
        super().__init__(reason.en)


class Unreachable(Exception):
    """The cell a check tests cannot be reached on this server (a registration the run may not make)."""

    def __init__(self, reason: Text):
        self.reason = reason
        super().__init__(reason.en)


@dataclass(frozen=True)
class Answer:
    """How one call ended: a typed value (code 200) or one of the client's errors."""

    endpoint: str
    value: Any = None
    error: QrLoginError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def code(self) -> int | None:
        """The envelope's code (200 on success), an error page's HTTP status, None without an answer."""
        return 200 if self.error is None else answer_code(self.error)

    def names_field(self, name: str) -> bool:
        """Whether a refusal says which field it refused (the contract: ``error`` names the field)."""
        if not isinstance(self.error, ApiError):
            return False
        return name in self.error.error or any(v.field == name for v in self.error.violations)


@dataclass
class ShapeTally:
    """The envelope shape of one endpoint's JSON answers over the whole run."""

    answers: int = 0
    problems: list[tuple[Text, str]] = field(default_factory=list)  # (what is wrong, the answer)


def unknown_sign_in_key() -> int:
    """A signInKey no session has: 63 bits, high bit set, so no sequential or JS-safe key meets it."""
    return secrets.randbits(62) | 1 << 62


def _capped(text: str) -> str:
    return text if len(text) <= TEXT_CAP else text[:TEXT_CAP] + f"\n… [{len(text) - TEXT_CAP} more characters]"


_SHOWN_HEADERS = frozenset({"authorization", "content-type", "accept"})  # the rest is the HTTP stack's own


def sent_text(exchange: Exchange) -> str:
    lines = [f"{exchange.method} {exchange.url}",
             *(f"{k}: {v}" for k, v in exchange.request_headers if k.lower() in _SHOWN_HEADERS)]
    if exchange.request_body:
        lines += ["", exchange.request_body]
    return _capped("\n".join(lines))


def received_text(exchange: Exchange) -> str:
    if exchange.status is None:
        return _capped(f"no answer: {exchange.error or ''}")
    head = (f"HTTP {exchange.status} {exchange.response_content_type or ''} "
            f"({exchange.response_size} bytes, {exchange.latency_ms:.0f} ms)")
    return _capped(head + ("\n" + exchange.response_body if exchange.response_body else ""))


def shape_problem(exchange: Exchange) -> Text | None:
    """Why an answer is not the contract's envelope ``{"code": int, "data": ..., "error": str}`` (an error
    answer with ``data: null``), or None. Images and answers too large to keep are not JSON envelopes to judge."""
    content_type = exchange.response_content_type or ""
    if exchange.status is None or content_type.startswith("image/") or exchange.response_size > LOG_BODY_PREFIX:
        return None
    body = (exchange.response_body or "").encode()
    try:
        envelope = decode_envelope(body, http_status=exchange.status, content_type=content_type)
    except ProtocolError as exc:
        return Text(f"not the envelope: {exc.reason}", f"不是约定的响应结构：{exc.reason}")
    members = json.loads(body)  # the decoder took it: a JSON object
    missing = [name for name in ("code", "data", "error") if name not in members]
    if missing:
        names = ", ".join(missing)
        return Text(f"the envelope lacks its member(s) {names}", f"响应结构缺少成员 {names}")
    if not isinstance(members["error"], str):
        return Text("the envelope's error must be a string", "响应结构的 error 必须是字符串")
    if envelope.code != 200 and members["data"] is not None:
        return Text("an error answer must carry data: null", "错误响应的 data 必须为 null")
    return None


class Meaning:
    """What an answer's code means under the profile's code table.

    A code the profile lists (documents) means its action there; any other code means what the contract
    says of it. So a server that answers 401 where the contract says 404 passes when its profile lists 401
    with the action of 404 ("stop"), and a code the profile gives another action no longer stands for the
    contract's meaning."""

    def __init__(self, codes: CodeTable | None = None, documented: Iterable[int] = ()):
        self.codes = codes or CodeTable()
        self.documented = frozenset(documented)

    def means(self, code: int | None, outcome: Outcome) -> bool:
        if code is None:
            return False
        if code in self.documented:
            return self.codes.action_for_code(code) is RULES[outcome].action
        return code == RULES[outcome].code

    def expected(self, outcome: Outcome) -> str:
        """The codes that pass for ``outcome``, as a reader wants them listed."""
        rule = RULES[outcome]
        codes = [] if rule.code in self.documented else [str(rule.code)]
        codes += [str(c) for c in sorted(self.documented) if self.codes.action_for_code(c) is rule.action]
        return " or ".join(codes) + f" ({outcome.value})"


class Probe:
    """One run's connection to the server under test. ``token`` is the operator's bearer credential."""

    def __init__(self, base_url: str, app_key: str, token: str | None, *, meaning: Meaning | None = None,
                 timeout: float = 10.0, verify: bool | ssl.SSLContext = True, session_ttl: float = 120.0,
                 client_options: dict[str, Any] | None = None):
        self.base_url = base_url
        self.app_key = app_key
        self.meaning = meaning or Meaning()
        self.session_ttl = session_ttl
        self.options = Options()  # the run's (run_suite sets them)
        self.redactor = Redactor()
        options = dict(timeout=timeout, verify=verify, validate=False, redactor=self.redactor,
                       **(client_options or {}))
        # A credential nobody issued: long and random, so no server takes it for a real one.
        self.wrong_token = "qrcheck-wrong-" + secrets.token_hex(16)
        self._clients = {"good": QrLoginClient(base_url, app_key, token, **options),
                         "none": QrLoginClient(base_url, app_key, None, **options),
                         "wrong": QrLoginClient(base_url, app_key, self.wrong_token, **options)}
        for client in self._clients.values():
            client.add_listener(self._record)
        self._trace: list[Exchange] = []
        self.shapes: dict[str, ShapeTally] = {}
        self._expired: list[int] | None = None
        self._expired_lock = asyncio.Lock()

    @property
    def client(self) -> QrLoginClient:
        return self._clients["good"]

    def add_secret(self, secret: str | None) -> None:
        """Mask ``secret`` (the operator's jsapi_ticket) in everything the run writes."""
        if secret:
            self.redactor.add(secret, pin=True)

    async def ping(self, timeout: float = 5.0) -> float:
        return await self.client.ping(timeout=timeout)

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()

    # --- recording ---------------------------------------------------------------------------------

    def _record(self, exchange: Exchange) -> None:
        self._trace.append(exchange)
        if exchange.status is None or (exchange.response_content_type or "").startswith("image/"):
            return
        tally = self.shapes.setdefault(exchange.endpoint, ShapeTally())
        tally.answers += 1
        problem = shape_problem(exchange)
        if problem is not None and len(tally.problems) < SHAPE_PROBLEMS_KEPT:
            tally.problems.append((problem, received_text(exchange)))

    def take_trace(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """What was sent and what came back since the last call (one check's exchanges), redacted."""
        trace, self._trace = self._trace, []
        return tuple(sent_text(e) for e in trace), tuple(received_text(e) for e in trace)

    # --- calls -------------------------------------------------------------------------------------

    async def call(self, endpoint_id: str, *, body: Any = None, query: dict[str, Any] | None = None,
                   auth: str = "good") -> Answer:
        try:
            result = await self._clients[auth].call(endpoint_id, body=body, query=query)
        except QrLoginError as exc:
            return Answer(endpoint_id, error=exc)
        return Answer(endpoint_id, value=result.value)

    def describe(self, answer: Answer) -> Text:
        """One line on how a call ended, redacted."""
        error = answer.error
        if error is None:
            return Text("code 200 (success)", "code 200（成功）")
        if isinstance(error, ApiError):
            text = self.redactor.text(error.error)[:200] or "-"
            return Text(f"code {error.code} (HTTP {error.http_status}): {text}",
                        f"code {error.code}(HTTP {error.http_status}):{text}")
        text = self.redactor.text(str(error))[:300]
        return Text(text, text)

    # --- reaching the lifecycle's states -----------------------------------------------------------

    def new_union_id(self) -> str:
        return "qrcheck_" + secrets.token_hex(8)

    async def _step(self, endpoint_id: str, body: dict[str, Any], what: Text) -> Answer:
        answer = await self.call(endpoint_id, body=body)
        if not answer.ok:
            said = self.describe(answer)
            raise SetupFailed(Text(f"setup: {what.en} answered {said.en}", f"准备步骤：{what.zh}返回 {said.zh}"))
        return answer

    async def waiting(self) -> int:
        answer = await self._step("QRAuthInitiate", {}, Text("Initiate", "Initiate（发起会话）"))
        return answer.value

    async def scanned(self) -> int:
        key = await self.waiting()
        await self._step("QRAuthScan", {"signInKey": key}, Text("Scan", "Scan（扫码）"))
        return key

    async def register(self, key: int, union_id: str | None = None) -> Any:
        body = {"signInKey": key, "unionID": union_id or self.new_union_id(), "nickName": "qrcheck"}
        return (await self._step("QRAuthConfirmRegister", body, Text("Confirm-Register", "Confirm-Register（注册）"))).value

    async def delivered(self, *, may_register: bool) -> int:
        """A session whose token went to the desktop; on a server that requires a registration first,
        only when the run may register."""
        key = await self.scanned()
        answer = await self.call("QRAuthConfirmLogin", body={"signInKey": key})
        if answer.ok:
            return key
        if not self.meaning.means(answer.code, Outcome.SCANNED):
            said = self.describe(answer)
            raise SetupFailed(Text(f"setup: Confirm-Login answered {said.en}", f"准备步骤：Confirm-Login 返回 {said.zh}"))
        if not may_register:
            raise Unreachable(Text("the server requires a registration before a login, and --no-register is set",
                                   "服务器要求先注册才能登录，而已设置 --no-register"))
        await self.register(key)
        await self._step("QRAuthConfirmLogin", {"signInKey": key}, Text("Confirm-Login", "Confirm-Login（确认登录）"))
        return key

    async def expired(self, count: int) -> list[int]:
        """``count`` sessions past their lifetime, made together and waited for once, however many
        checks ask for them (each check takes its own)."""
        async with self._expired_lock:
            if self._expired is None:
                keys = [await self.waiting() for _ in range(count)]
                await asyncio.sleep(self.session_ttl + EXPIRY_MARGIN)
                self._expired = keys
        return self._expired


def probe_for(connection: Connection) -> Probe:
    """A probe of ``connection``'s server with its credential, its profile's limits and code table (the codes
    the profile lists are the ones it documents)."""
    profile = connection.profile
    return Probe(connection.base_url, connection.app_key, connection.token,
                 meaning=Meaning(connection.codes(), (int(code) for code in profile.code_table)),
                 timeout=profile.timeout, verify=profile.verify_tls, session_ttl=profile.session_ttl,
                 client_options={"max_answer_bytes": profile.max_answer_mib * 1024 * 1024,
                                 "max_image_bytes": profile.max_image_mib * 1024 * 1024})
