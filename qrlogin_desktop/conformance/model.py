"""What a check is and what it found: bilingual texts, verdicts, results and the whole report."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .probe import Probe


@dataclass(frozen=True)
class Text:
    """One text in English and Chinese, like the rules carry theirs."""

    en: str
    zh: str

    def pick(self, lang: str) -> str:
        return self.zh if lang.startswith("zh") else self.en

    def both(self) -> str:
        return self.en if self.en == self.zh else f"{self.en} / {self.zh}"


class Verdict(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "n/a"


class Group(str, Enum):
    """Which part of the contract a check tests; the reports group by it."""

    RULES = "rules"
    AUTH = "auth"
    LIFECYCLE = "lifecycle"
    EXPIRY = "expiry"
    IMAGES = "images"
    WECHAT = "wechat"
    ENVELOPE = "envelope"


GROUP_TITLES = {
    Group.RULES: Text("Field rules at their boundaries", "字段规则边界"),
    Group.AUTH: Text("Bearer authentication", "访问凭证认证"),
    Group.LIFECYCLE: Text("QR session lifecycle", "二维码会话生命周期"),
    Group.EXPIRY: Text("QR session expiry", "二维码会话过期"),
    Group.IMAGES: Text("Mini-program code images", "小程序码图片"),
    Group.WECHAT: Text("WeChat algorithms", "微信算法"),
    Group.ENVELOPE: Text("Answer envelope shape", "响应结构"),
}


GROUP_LABELS = {  # short names, for a table column
    Group.RULES: Text("rules", "规则"), Group.AUTH: Text("auth", "认证"), Group.LIFECYCLE: Text("lifecycle", "生命周期"),
    Group.EXPIRY: Text("expiry", "过期"), Group.IMAGES: Text("images", "图片"), Group.WECHAT: Text("wechat", "微信"),
    Group.ENVELOPE: Text("envelope", "响应结构"),
}


@dataclass(frozen=True)
class Finding:
    verdict: Verdict
    reason: Text


def passed(en: str, zh: str) -> Finding:
    return Finding(Verdict.PASS, Text(en, zh))


def failed(en: str, zh: str) -> Finding:
    return Finding(Verdict.FAIL, Text(en, zh))


def not_applicable(en: str, zh: str) -> Finding:
    return Finding(Verdict.NOT_APPLICABLE, Text(en, zh))


class Needs(str, Enum):
    """What a check needs beyond a server and a credential; without it the check is not applicable."""

    REGISTER = "register"  # it registers users (Confirm-Register): left out by --no-register
    EXPIRY = "expiry"  # it waits one QR lifetime: only with --expiry
    JSAPI_TICKET = "jsapi_ticket"  # it recomputes JSConfig's signature: only with --jsapi-ticket


@dataclass(frozen=True)
class Check:
    id: str  # stable and unique: JUnit test names and the HTML anchors use it
    group: Group
    title: Text
    tests: Text  # the rule or the lifecycle table cell it tests
    run: Callable[[Probe], Awaitable[Finding]] = field(repr=False, compare=False)
    needs: frozenset[Needs] = frozenset()


@dataclass(frozen=True)
class Result:
    check: Check
    verdict: Verdict
    reason: Text
    sent: tuple[str, ...] = ()  # each request, redacted and capped
    received: tuple[str, ...] = ()  # each answer, redacted and capped
    seconds: float = 0.0


@dataclass(frozen=True)
class Report:
    server: str
    app_key: str
    results: tuple[Result, ...]
    started_at: float  # epoch seconds
    seconds: float
    planned: int  # checks in the suite; more than len(results) when the run stopped early
    stopped: Text | None = None  # why the run ended before its last check

    def count(self, verdict: Verdict) -> int:
        return sum(1 for r in self.results if r.verdict is verdict)

    @property
    def ok(self) -> bool:
        """Every check passed (or does not apply) and every check ran."""
        return self.stopped is None and self.count(Verdict.FAIL) == 0

    def groups(self) -> list[tuple[Group, Sequence[Result]]]:
        return [(g, [r for r in self.results if r.check.group is g]) for g in Group
                if any(r.check.group is g for r in self.results)]


@dataclass(frozen=True)
class Options:
    register: bool = True  # False: --no-register, checks that create users are left out
    expiry: bool = False  # True: --expiry, the checks that wait a QR's lifetime run
    jsapi_ticket: str | None = None

    def missing(self, needs: frozenset[Needs]) -> Finding | None:
        """Why a check with these needs does not apply in this run, or None."""
        if Needs.REGISTER in needs and not self.register:
            return not_applicable("left out by --no-register: this check registers users (Confirm-Register)",
                                  "已按 --no-register 跳过：此检查会注册用户（Confirm-Register）")
        if Needs.EXPIRY in needs and not self.expiry:
            return not_applicable("left out: it waits one QR lifetime; run with --expiry",
                                  "已跳过：需要等待一个二维码有效期；使用 --expiry 运行")
        if Needs.JSAPI_TICKET in needs and not self.jsapi_ticket:
            return not_applicable("no jsapi_ticket given (--jsapi-ticket): the signature cannot be recomputed",
                                  "未提供 jsapi_ticket（--jsapi-ticket）：无法重新计算签名")
        return None
