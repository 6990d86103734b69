"""Typed errors of the API layer.

Four families that a user must act on differently, kept apart so callers never parse messages:

* :class:`ValidationError` - our own check refused the input before anything was sent
  (or the sandbox refused it with the same rules);
* :class:`TransportError` - no usable answer: refused connection, the exchange's overall deadline
  passed, TLS failure, dropped (its :class:`TransportKind`, as httpx's exception classes tell them apart);
* :class:`ProtocolError` - an answer came but is not the contract's envelope (HTML page, empty
  body, truncated or non-strict JSON, wrong types, a redirect, an answer over the size cap, a
  content coding we do not decode); carries a short redacted snippet for the operator;
* :class:`ApiError` - a well-formed envelope whose ``code`` is not 200.

No message ever carries a bearer credential or a token: values shown in messages are truncated,
secret fields (the credential, sessionKey) show ``<hidden>``, and snippets pass through the
redactor before they are stored.

Whether an error is worth retrying, the command line's exit code and the message the user sees
are not decided here but in one table, :mod:`qrlogin_desktop.api.outcomes`: each error names its
:class:`~qrlogin_desktop.api.outcomes.Outcome`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from .outcomes import CodeTable, Outcome, outcome_for_code

if TYPE_CHECKING:
    from .exchange import Exchange

_VALUE_PREVIEW = 40


# Shown as escapes: control characters, and lone surrogates (they have no UTF-8 form to send or print).
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


def shown_value(value: Any, limit: int = _VALUE_PREVIEW) -> str:
    """An offending value as the user wrote it, for a message (never a Python repr): text in plain
    double quotes, its unprintable characters escaped so a pasted line break shows; anything else as
    JSON (``3``, ``true``, ``null``, ``[1, 2]``); cut to ``limit`` characters."""
    if isinstance(value, str):
        inner = _UNPRINTABLE.sub(lambda m: json.dumps(m.group())[1:-1], value)
        return f'"{inner}"' if len(inner) <= limit else f'"{inner[: limit - 1]}…"'
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, default=str)
    except (TypeError, ValueError, RecursionError):
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Violation:
    """One broken rule: which field, which rule (en/zh), and the value that broke it."""

    field: str
    rule_en: str
    rule_zh: str
    value: Any = None
    secret: bool = False  # secret fields (sessionKey) never show their value

    @property
    def value_preview(self) -> str:
        return "<hidden>" if self.secret else shown_value(self.value)

    def message(self, lang: str = "en") -> str:
        """``field: rule``, then the value given; nothing about a value when none was given (a
        missing field "is required", it did not "get None")."""
        zh = lang.startswith("zh")
        head = f"{self.field}: {self.rule_zh if zh else self.rule_en}"
        if self.value is None:
            return head
        if self.secret:
            return head + ("（当前值已隐藏）" if zh else " (got <hidden>)")
        shown = self.value_preview
        cut = isinstance(self.value, str) and shown.endswith('…"')
        if zh:
            return head + (f"（当前值 {shown}，共 {len(self.value)} 个字符）" if cut else f"（当前值 {shown}）")
        return head + (f" (got {shown}, {len(self.value):,} characters)" if cut else f" (got {shown})")

    def to_json(self) -> dict[str, str]:
        return {"field": self.field, "rule": self.rule_en, "rule_zh": self.rule_zh}

    @classmethod
    def from_json(cls, item: Any) -> Violation | None:
        """A server's ``{"field", "rule", "rule_zh"}`` entry, or None when it is not one (shown as is)."""
        if not isinstance(item, dict) or not isinstance(item.get("field"), str) or not isinstance(item.get("rule"), str):
            return None
        rule_zh = item.get("rule_zh")
        return cls(item["field"][:_VALUE_PREVIEW], item["rule"], rule_zh if isinstance(rule_zh, str) else item["rule"])


_DEFAULT_CODES = CodeTable()


class QrLoginError(Exception):
    """Base of every error the API layer raises."""

    endpoint: str | None = None
    # The redacted record of the exchange that ended so, attached by the client (None when the
    # error came before anything was sent, e.g. our own input check).
    exchange: Exchange | None = None

    @property
    def outcome(self) -> Outcome:
        raise NotImplementedError

    @property
    def retryable(self) -> bool:
        """Whether the poller (with the default code table) tries again after this error."""
        return _DEFAULT_CODES.retries(self)


def violations_text(violations: Sequence[Violation], lang: str = "en") -> str:
    """The broken rules one after another, punctuated as the language is ("；" between Chinese ones)."""
    return ("；" if lang.startswith("zh") else "; ").join(v.message(lang) for v in violations)


class ValidationError(QrLoginError, ValueError):
    def __init__(self, violations: Sequence[Violation], endpoint: str | None = None):
        self.violations = tuple(violations)
        self.endpoint = endpoint
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        if lang.startswith("zh"):
            return "输入校验失败：" + violations_text(self.violations, lang)
        where = f" for {self.endpoint}" if self.endpoint else ""
        return f"invalid input{where}: " + violations_text(self.violations, lang)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(v.field for v in self.violations)

    @property
    def outcome(self) -> Outcome:
        return Outcome.INVALID_INPUT


class TransportKind(str, Enum):
    """Why no usable answer came (a str, so it compares and prints as its name)."""

    CONNECT = "connect"
    TIMEOUT = "timeout"
    TLS = "tls"
    DROPPED = "dropped"
    OTHER = "other"

    def __str__(self) -> str:
        return self.value


class TransportError(QrLoginError):
    """No usable answer; ``kind`` says why."""

    def __init__(self, kind: TransportKind | str, detail: str, *, endpoint: str | None = None,
                 url: str | None = None):
        self.kind = TransportKind(kind)
        self.detail = detail
        self.endpoint = endpoint
        self.url = url
        super().__init__(f"{_TRANSPORT_TEXT[self.kind]} ({endpoint or url}): {detail}")

    @property
    def outcome(self) -> Outcome:
        return _TRANSPORT_OUTCOME[self.kind]


_TRANSPORT_TEXT = {
    TransportKind.CONNECT: "cannot connect to the server",
    TransportKind.TIMEOUT: "the server did not answer in time",
    TransportKind.TLS: "TLS handshake or certificate verification failed",
    TransportKind.DROPPED: "the connection was dropped before a full answer",
    TransportKind.OTHER: "network error",
}
_TRANSPORT_OUTCOME = {
    TransportKind.CONNECT: Outcome.CANNOT_CONNECT,
    TransportKind.TIMEOUT: Outcome.TIMED_OUT,
    TransportKind.TLS: Outcome.TLS_FAILED,
    TransportKind.DROPPED: Outcome.DROPPED,
    TransportKind.OTHER: Outcome.NETWORK,
}


class ProtocolError(QrLoginError):
    """An answer that is not the contract's envelope."""

    def __init__(
        self,
        reason: str,
        *,
        http_status: int | None = None,
        snippet: str = "",
        endpoint: str | None = None,
        content_type: str | None = None,
    ):
        self.reason = reason
        self.http_status = http_status
        self.snippet = snippet
        self.endpoint = endpoint
        self.content_type = content_type
        status = f"HTTP {http_status}" if http_status is not None else "no status"
        text = f"unexpected answer from {endpoint or 'server'} ({status}): {reason}"
        if snippet:
            text += f" - starts with {snippet!r}"
        super().__init__(text)

    @property
    def code(self) -> int | None:
        """A code for the poller's table: the HTTP status when it is an error status."""
        return self.http_status if self.http_status and self.http_status >= 400 else None

    @property
    def outcome(self) -> Outcome:
        return Outcome.MALFORMED if self.code is None else Outcome.ERROR_PAGE


class ApiError(QrLoginError):
    """A well-formed envelope with ``code != 200``."""

    def __init__(
        self,
        code: int,
        error: str,
        *,
        http_status: int,
        endpoint: str | None = None,
        retry_after: float | None = None,
        data: Any = None,
        violations: Sequence[Violation] = (),
    ):
        self.code = code
        self.error = error
        self.http_status = http_status
        self.endpoint = endpoint
        self.retry_after = retry_after
        self.data = data
        self.violations = tuple(violations)  # the server's own list of broken rules, when it sent one
        super().__init__(f"{endpoint or 'server'} answered code {code} (HTTP {http_status}): {error or '(no error text)'}")

    @property
    def outcome(self) -> Outcome:
        return outcome_for_code(self.code)
