"""The contract's QR session lifecycle, as one table, and a check for each cell a client can reach.

The table is the contract's "Sandbox session lifecycle" (calls x session states) written as data: each
cell names the :class:`~qrlogin_desktop.api.outcomes.Outcome` a server answers, so the code it stands
for is the error-policy table's (and a profile's code table applies). ``flow/machine.py`` is the
desktop's side of the same flow (what the poller makes of these answers); it has no server states, so
the server's table lives here, where it is tested, and ``sandbox/sessions.py`` implements it.

Every state is reached the way a client reaches it (Initiate, Scan, Confirm-Register, Confirm-Login,
or waiting out the QR's lifetime); a signInKey nobody issued stands for an unknown session.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType

from ..api.models import TokenModel
from ..api.outcomes import Outcome
from .model import Check, Finding, Group, Needs, Text, failed, passed
from .probe import Answer, Probe, unknown_sign_in_key


class Call(str, Enum):
    SCAN = "QRAuthScan"
    CONFIRM_LOGIN = "QRAuthConfirmLogin"
    CONFIRM_REGISTER = "QRAuthConfirmRegister"


class SessionState(str, Enum):
    UNKNOWN = "unknown signInKey"
    WAITING = "waiting"
    SCANNED = "scanned"
    SCANNED_UNION_TAKEN = "scanned, unionID taken"
    REGISTERED = "registered"
    DELIVERED = "delivered"
    EXPIRED = "expired"


_STATE_ZH = {SessionState.UNKNOWN: "未知的登录密钥", SessionState.WAITING: "等待扫码", SessionState.SCANNED: "已扫码",
             SessionState.SCANNED_UNION_TAKEN: "已扫码，UnionID 已被注册", SessionState.REGISTERED: "已注册",
             SessionState.DELIVERED: "已交付令牌", SessionState.EXPIRED: "已过期"}

SUCCESS = None  # a cell whose answer is code 200 and the call's result


@dataclass(frozen=True)
class Cell:
    answers: tuple[Outcome | None, ...]  # SUCCESS or outcomes; the first is the contract's main answer
    en: str
    zh: str


# THE lifecycle table of the contract, cell by cell.
LIFECYCLE: Mapping[tuple[Call, SessionState], Cell] = MappingProxyType({
    (Call.SCAN, SessionState.WAITING): Cell((SUCCESS,), "-> scanned, 200 + app info", "-> 已扫码，200 + 应用信息"),
    (Call.SCAN, SessionState.SCANNED): Cell((Outcome.ALREADY_USED,), "409 (scanned twice)", "409（重复扫码）"),
    (Call.SCAN, SessionState.REGISTERED): Cell((Outcome.ALREADY_USED,), "409", "409"),
    (Call.SCAN, SessionState.DELIVERED): Cell((Outcome.ALREADY_USED,), "409", "409"),
    (Call.SCAN, SessionState.EXPIRED): Cell((Outcome.EXPIRED,), "410", "410"),
    (Call.SCAN, SessionState.UNKNOWN): Cell((Outcome.NOT_FOUND,), "404", "404"),
    (Call.CONFIRM_LOGIN, SessionState.WAITING): Cell((Outcome.NOT_YET,), "408 (confirm before a scan)",
                                                     "408（扫码前确认）"),
    (Call.CONFIRM_LOGIN, SessionState.SCANNED): Cell(
        (SUCCESS, Outcome.SCANNED), "token, -> delivered, 200 (202 while a registration is required)",
        "令牌，-> 已交付，200（要求注册时为 202）"),
    (Call.CONFIRM_LOGIN, SessionState.REGISTERED): Cell((SUCCESS,), "the registration's token, -> delivered, 200",
                                                        "注册时签发的令牌，-> 已交付，200"),
    (Call.CONFIRM_LOGIN, SessionState.DELIVERED): Cell((Outcome.ALREADY_USED,), "409 (confirm after delivery)",
                                                       "409（交付后再次确认）"),
    (Call.CONFIRM_LOGIN, SessionState.EXPIRED): Cell((Outcome.EXPIRED,), "410", "410"),
    (Call.CONFIRM_LOGIN, SessionState.UNKNOWN): Cell((Outcome.NOT_FOUND,), "404", "404"),
    (Call.CONFIRM_REGISTER, SessionState.WAITING): Cell((Outcome.NOT_YET,), "408", "408"),
    (Call.CONFIRM_REGISTER, SessionState.SCANNED): Cell((SUCCESS,), "new user, token, -> registered, 200",
                                                        "新用户，令牌，-> 已注册，200"),
    (Call.CONFIRM_REGISTER, SessionState.SCANNED_UNION_TAKEN): Cell((Outcome.ALREADY_USED,),
                                                                    "409 (the unionID exists)", "409（UnionID 已存在）"),
    (Call.CONFIRM_REGISTER, SessionState.REGISTERED): Cell((Outcome.ALREADY_USED,), "409", "409"),
    (Call.CONFIRM_REGISTER, SessionState.DELIVERED): Cell((Outcome.ALREADY_USED,), "409", "409"),
    (Call.CONFIRM_REGISTER, SessionState.EXPIRED): Cell((Outcome.EXPIRED,), "410", "410"),
    (Call.CONFIRM_REGISTER, SessionState.UNKNOWN): Cell((Outcome.NOT_FOUND,), "404", "404"),
})

_EXPIRY_CALLS = tuple(Call)  # one expired session per call, all waited for at once


@dataclass(frozen=True)
class _Prepared:
    key: int
    union_id: str | None = None  # the unionID the call registers with
    token: TokenModel | None = None  # the registration's token, when the cell hands it on


async def _prepare(probe: Probe, call: Call, state: SessionState) -> _Prepared:
    if state is SessionState.UNKNOWN:
        # Not a key anyone issued: the sandbox's keys are random 53-bit ones, a real server's no likelier.
        return _Prepared(unknown_sign_in_key())
    if state is SessionState.WAITING:
        return _Prepared(await probe.waiting())
    if state is SessionState.SCANNED:
        return _Prepared(await probe.scanned())
    if state is SessionState.SCANNED_UNION_TAKEN:
        taken = probe.new_union_id()
        await probe.register(await probe.scanned(), taken)
        return _Prepared(await probe.scanned(), union_id=taken)
    if state is SessionState.REGISTERED:
        key = await probe.scanned()
        return _Prepared(key, token=await probe.register(key))
    if state is SessionState.DELIVERED:
        return _Prepared(await probe.delivered(may_register=probe.options.register))
    keys = await probe.expired(len(_EXPIRY_CALLS))
    return _Prepared(keys[_EXPIRY_CALLS.index(call)])


def _body(probe: Probe, call: Call, prepared: _Prepared) -> dict[str, object]:
    body: dict[str, object] = {"signInKey": prepared.key}
    if call is Call.CONFIRM_REGISTER:
        body.update(unionID=prepared.union_id or probe.new_union_id(), nickName="qrcheck")
    return body


def _judge(probe: Probe, cell: Cell, answer: Answer, prepared: _Prepared) -> Finding:
    said = probe.describe(answer)
    if answer.ok:
        if SUCCESS not in cell.answers:
            return failed(f"answered {said.en}; the cell says {cell.en}", f"返回 {said.zh}；该单元格应为 {cell.zh}")
        if prepared.token is not None and isinstance(answer.value, TokenModel) and \
                answer.value.access_token != prepared.token.access_token:
            return failed("answered a token, but not the one the registration was given",
                          "返回了令牌，但不是注册时签发的那个")
        return passed(f"answered {said.en}", f"返回 {said.zh}")
    for outcome in cell.answers:
        if outcome is not SUCCESS and probe.meaning.means(answer.code, outcome):
            return passed(f"answered {said.en}", f"返回 {said.zh}")
    wanted = " or ".join("200" if o is SUCCESS else probe.meaning.expected(o) for o in cell.answers)
    return failed(f"answered {said.en}; expected {wanted}: {cell.en}", f"返回 {said.zh}；应为 {wanted}：{cell.zh}")


def _runner(call: Call, state: SessionState) -> Callable[[Probe], Awaitable[Finding]]:
    async def run(probe: Probe) -> Finding:
        prepared = await _prepare(probe, call, state)
        answer = await probe.call(call.value, body=_body(probe, call, prepared))
        return _judge(probe, LIFECYCLE[call, state], answer, prepared)

    return run


def _needs(call: Call, state: SessionState) -> frozenset[Needs]:
    needs = set()
    if call is Call.CONFIRM_REGISTER or state in (SessionState.REGISTERED, SessionState.SCANNED_UNION_TAKEN):
        needs.add(Needs.REGISTER)
    if state is SessionState.EXPIRED:
        needs.add(Needs.EXPIRY)
    return frozenset(needs)


def lifecycle_checks() -> list[Check]:
    """One check per cell; the expired column in a group of its own (it waits a QR's lifetime)."""
    out = []
    for (call, state), cell in LIFECYCLE.items():
        group = Group.EXPIRY if state is SessionState.EXPIRED else Group.LIFECYCLE
        slug = state.name.lower()
        out.append(Check(
            id=f"{group.value}.{call.value}.{slug}",
            group=group,
            title=Text(f"{call.value} on a session: {state.value}", f"{call.value}：会话{_STATE_ZH[state]}"),
            tests=Text(f"lifecycle table, row {call.value}, column {state.value}: {cell.en}",
                       f"生命周期表，{call.value} 行，{_STATE_ZH[state]} 列：{cell.zh}"),
            run=_runner(call, state),
            needs=_needs(call, state),
        ))
    return out
