"""Typed errors of the API layer.

Four families that a user must act on differently, kept apart so callers never parse messages:

* :class:`ValidationError` - our own check refused the input before anything was sent
  (or the sandbox refused it with the same rules);
* :class:`TransportError` - no usable answer: refused connection, the exchange's overall deadline
  passed (kind "timeout"), TLS failure, dropped;
* :class:`ProtocolError` - an answer came but is not the contract's envelope (HTML page, empty
  body, truncated or non-strict JSON, wrong types, a redirect, an answer over the size cap, a
  content coding we do not decode); carries a short redacted snippet for the operator;
* :class:`ApiError` - a well-formed envelope whose ``code`` is not 200.

No message ever carries a bearer credential or a token: values shown in messages are truncated,
secret fields (the credential, sessionKey) show ``<hidden>``, and snippets pass through the
redactor before they are stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

_VALUE_PREVIEW = 40


def preview(value: Any, limit: int = _VALUE_PREVIEW) -> str:
    """Short repr of an offending value for messages (long values would flood a dialog)."""
    text = repr(value)
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
        return "<hidden>" if self.secret else preview(self.value)

    def message(self, lang: str = "en") -> str:
        if lang.startswith("zh"):
            return f"{self.field}: {self.rule_zh}(当前值 {self.value_preview})"
        return f"{self.field}: {self.rule_en} (got {self.value_preview})"

    def to_json(self) -> dict[str, str]:
        return {"field": self.field, "rule": self.rule_en, "rule_zh": self.rule_zh}

    @classmethod
    def from_json(cls, item: Any) -> Violation | None:
        """A server's ``{"field", "rule", "rule_zh"}`` entry, or None when it is not one (shown as is)."""
        if not isinstance(item, dict) or not isinstance(item.get("field"), str) or not isinstance(item.get("rule"), str):
            return None
        rule_zh = item.get("rule_zh")
        return cls(item["field"][:_VALUE_PREVIEW], item["rule"], rule_zh if isinstance(rule_zh, str) else item["rule"])


class QrLoginError(Exception):
    """Base of every error the API layer raises."""

    endpoint: str | None = None

    @property
    def retryable(self) -> bool:
        return False


class ValidationError(QrLoginError, ValueError):
    def __init__(self, violations: Sequence[Violation], endpoint: str | None = None):
        self.violations = tuple(violations)
        self.endpoint = endpoint
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        head = "输入校验失败" if lang.startswith("zh") else "invalid input"
        where = f" for {self.endpoint}" if self.endpoint and not lang.startswith("zh") else ""
        return f"{head}{where}: " + "; ".join(v.message(lang) for v in self.violations)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(v.field for v in self.violations)


class TransportError(QrLoginError):
    """No usable answer. ``kind`` is one of: connect, timeout, tls, dropped, other."""

    def __init__(self, kind: str, detail: str, *, endpoint: str | None = None, url: str | None = None):
        self.kind = kind
        self.detail = detail
        self.endpoint = endpoint
        self.url = url
        super().__init__(f"{_TRANSPORT_TEXT.get(kind, kind)} ({endpoint or url}): {detail}")

    @property
    def retryable(self) -> bool:
        return self.kind != "tls"  # a certificate problem does not fix itself


_TRANSPORT_TEXT = {
    "connect": "cannot connect to the server",
    "timeout": "the server did not answer in time",
    "tls": "TLS handshake or certificate verification failed",
    "dropped": "the connection was dropped before a full answer",
    "other": "network error",
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
    def retryable(self) -> bool:
        return bool(self.http_status and self.http_status >= 500)


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
    def retryable(self) -> bool:
        return self.code >= 500 or self.code == 429
