"""Field rules of the contract, written once and read by the client, the sandbox, the GUI and OpenAPI.

A rule is data (a limit, a pattern) plus a check. Each rule can describe itself in English and
Chinese so the same object yields the client's error text, the sandbox's 400 message, the GUI's
live hint and the OpenAPI keyword. Checks return ``None`` when the value passes, else the rule
text; the caller turns that into a :class:`~qrlogin_desktop.api.errors.Violation` naming the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


def _decimal_up_to(limit: int) -> str:
    """Regex of the decimals 1..``limit`` without leading zeros: shorter numbers, then those of the same
    length that are no greater, digit by digit (so a pattern alone can state the int64 range)."""
    top = str(limit)
    shorter = [f"[1-9][0-9]{{0,{len(top) - 2}}}"] if len(top) > 1 else []
    same_length = []
    for i, digit in enumerate(top):
        low = "1" if i == 0 else "0"
        if digit > low:
            below = f"[{low}-{int(digit) - 1}]" if int(digit) - 1 > int(low) else low
            rest = len(top) - i - 1
            same_length.append(top[:i] + below + (f"[0-9]{{{rest}}}" if rest else ""))
    return "|".join(shorter + same_length + [top])


# The int64 wire type. A JSON number, or the same integer as a plain ASCII decimal string: a JavaScript
# phone (a WeChat mini program) holds numbers exactly only up to 2^53, so it keeps a 63-bit key as a
# string. "Plain": an optional minus, no leading zeros, no "+", no spaces, within signed 64 bits - the
# form String(BigInt) and C#'s long.ToString() write. One pattern serves the check and the OpenAPI document.
INT64_DECIMAL_PATTERN = f"0|{_decimal_up_to(INT64_MAX)}|-(?:{_decimal_up_to(-INT64_MIN)})"
_INT64_DECIMAL = re.compile(rf"(?:{INT64_DECIMAL_PATTERN})\Z")


def wire_int64(value: Any) -> int | None:
    """The integer an int64 on the wire stands for (a JSON integer or its decimal string), else None."""
    if isinstance(value, str):
        return int(value) if _INT64_DECIMAL.match(value) else None
    # bool is an int subclass in Python but never a JSON integer.
    if isinstance(value, int) and not isinstance(value, bool) and INT64_MIN <= value <= INT64_MAX:
        return value
    return None


# Python's whitespace (what str.isspace and str.strip mean), spelled out so a pattern in the OpenAPI
# document means the same in every regex dialect (ECMA's and Rust's \s leave out \x1c-\x1f).
WHITESPACE_CLASS = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_NOT_WHITESPACE = re.compile(f"[^{WHITESPACE_CLASS}]")


class Kind(str, Enum):
    """JSON type a field carries on the wire."""

    STRING = "string"
    INT64 = "int64"  # see wire_int64: a number, or its decimal string
    INTEGER = "integer"
    BOOLEAN = "boolean"
    OBJECT = "object"
    STRINGS = "strings"  # an array of strings (jsApiList)
    JSON = "json"  # any JSON value (JToken members)


def type_error(kind: Kind, value: Any) -> str | None:
    """English text of a type mismatch, or None when ``value`` has the JSON type ``kind`` wants."""
    if kind is Kind.STRING:
        return None if isinstance(value, str) else "must be a string"
    if kind is Kind.INT64:
        if wire_int64(value) is not None:
            return None
        if isinstance(value, str):
            return "must be a signed 64-bit integer: a JSON number or a plain decimal string"
        if isinstance(value, int) and not isinstance(value, bool):
            return "must fit in a signed 64-bit integer"
        return "must be an integer (a JSON number or a decimal string)"
    if kind is Kind.INTEGER:
        return None if isinstance(value, int) and not isinstance(value, bool) else "must be an integer"
    if kind is Kind.BOOLEAN:
        return None if isinstance(value, bool) else "must be true or false"
    if kind is Kind.OBJECT:
        return None if isinstance(value, dict) else "must be a JSON object"
    if kind is Kind.STRINGS:
        ok = isinstance(value, list) and all(isinstance(x, str) for x in value)
        return None if ok else "must be an array of strings"
    return None


@dataclass(frozen=True)
class Rule:
    """Base class: a named constraint with bilingual text."""

    def check(self, value: Any) -> str | None:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def en(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def zh(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def openapi(self) -> dict[str, Any]:
        return {}


@dataclass(frozen=True)
class Length(Rule):
    """Length in characters (code points) between ``minimum`` and ``maximum``."""

    minimum: int = 0
    maximum: int | None = None

    def check(self, value: Any) -> str | None:
        if not isinstance(value, str):
            return None
        n = len(value)
        if n < self.minimum or (self.maximum is not None and n > self.maximum):
            return self.en  # the message shows the value (and its length when cut)
        return None

    @property
    def en(self) -> str:
        if self.maximum is None:
            return f"at least {self.minimum} characters"
        if self.minimum == 0:
            return f"at most {self.maximum} characters"
        if self.minimum == self.maximum:
            return f"exactly {self.minimum} characters"
        return f"{self.minimum} to {self.maximum} characters"

    @property
    def zh(self) -> str:
        if self.maximum is None:
            return f"长度至少为 {self.minimum} 个字符"
        if self.minimum == 0:
            return f"长度不能超过 {self.maximum} 个字符"
        if self.minimum == self.maximum:
            return f"长度必须为 {self.minimum} 个字符"
        return f"长度必须在 {self.minimum} 到 {self.maximum} 个字符之间"

    def openapi(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.minimum:
            out["minLength"] = self.minimum
        if self.maximum is not None:
            out["maxLength"] = self.maximum
        return out


@dataclass(frozen=True)
class Charset(Rule):
    """The whole string matches ``pattern`` (a character-class regex such as ``[A-Za-z0-9,]*``)."""

    pattern: str
    en_text: str
    zh_text: str
    _compiled: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # \Z rather than $ so a trailing newline never slips through.
        object.__setattr__(self, "_compiled", re.compile(rf"(?:{self.pattern})\Z"))

    def check(self, value: Any) -> str | None:
        if isinstance(value, str) and not self._compiled.match(value):
            return self.en
        return None

    @property
    def en(self) -> str:
        return self.en_text

    @property
    def zh(self) -> str:
        return self.zh_text

    def openapi(self) -> dict[str, Any]:
        return {"pattern": f"^(?:{self.pattern})$"}


@dataclass(frozen=True)
class IntRange(Rule):
    minimum: int
    maximum: int

    def check(self, value: Any) -> str | None:
        if isinstance(value, int) and not isinstance(value, bool):
            if not self.minimum <= value <= self.maximum:
                return self.en
        return None

    @property
    def en(self) -> str:
        return f"between {self.minimum} and {self.maximum}"

    @property
    def zh(self) -> str:
        return f"必须在 {self.minimum} 到 {self.maximum} 之间"

    def openapi(self) -> dict[str, Any]:
        return {"minimum": self.minimum, "maximum": self.maximum}


@dataclass(frozen=True)
class OneOf(Rule):
    choices: tuple[Any, ...]

    def check(self, value: Any) -> str | None:
        return None if value in self.choices else self.en

    @property
    def en(self) -> str:
        return "one of " + ", ".join(map(str, self.choices))

    @property
    def zh(self) -> str:
        return "必须是以下之一：" + "、".join(map(str, self.choices))

    def openapi(self) -> dict[str, Any]:
        return {"enum": list(self.choices)}


_HTTP_URL_PATTERN = f"[Hh][Tt][Tt][Pp][Ss]?://[^/?#\\[\\]{WHITESPACE_CLASS}]+[^{WHITESPACE_CLASS}]*"
_HTTP_URL = re.compile(rf"(?:{_HTTP_URL_PATTERN})\Z")


@dataclass(frozen=True)
class HttpUrl(Rule):
    """An absolute http(s) URL: WeChat signs the page URL exactly as the browser shows it.

    One pattern is the check and the OpenAPI keyword: the scheme, a non-empty host part, no whitespace. A
    bracketed (IPv6) host is refused: WeChat signs pages of registered domains only, and a pattern cannot
    say which bracketed hosts a URL parser takes. Not "format: uri": RFC 3986 is stricter than a browser."""

    def check(self, value: Any) -> str | None:
        if isinstance(value, str) and not _HTTP_URL.match(value):
            return self.en
        return None

    @property
    def en(self) -> str:
        return "an absolute http:// or https:// URL"

    @property
    def zh(self) -> str:
        return "必须是以 http:// 或 https:// 开头的完整网址"

    def openapi(self) -> dict[str, Any]:
        return {"pattern": f"^(?:{_HTTP_URL_PATTERN})$"}


@dataclass(frozen=True)
class NotBlank(Rule):
    def check(self, value: Any) -> str | None:
        if isinstance(value, str) and not _NOT_WHITESPACE.search(value):
            return self.en
        return None

    @property
    def en(self) -> str:
        return "must not be blank"

    @property
    def zh(self) -> str:
        return "不能为空"

    def openapi(self) -> dict[str, Any]:
        return {"minLength": 1, "pattern": f"[^{WHITESPACE_CLASS}]"}


@dataclass(frozen=True)
class VisibleAscii(Rule):
    """WeChat's ``scene``: at most ``maximum`` visible characters from its allowed set."""

    maximum: int = 32
    allowed: str = "!#$&'()*+,/:;=?@-._~"

    def check(self, value: Any) -> str | None:
        if not isinstance(value, str):
            return None
        if len(value) > self.maximum:
            return f"at most {self.maximum} visible characters"
        if any(not (c.isascii() and (c.isalnum() or c in self.allowed)) for c in value):
            return f"only letters, digits and {self.allowed}"
        return None

    @property
    def en(self) -> str:
        return f"at most {self.maximum} visible characters: letters, digits and {self.allowed}"

    @property
    def zh(self) -> str:
        return f"最多 {self.maximum} 个可见字符，只能包含字母、数字和 {self.allowed}"

    def openapi(self) -> dict[str, Any]:
        allowed = self.allowed.replace("-", "") + ("-" if "-" in self.allowed else "")  # "-" last: a literal
        return {"maxLength": self.maximum, "pattern": f"^[A-Za-z0-9{allowed}]*$"}


@dataclass(frozen=True)
class PathSegment(Rule):
    """A value sent as one URL path segment (the appKey). It is percent-encoded, but a segment made
    only of dots (``.``, ``..``) is still resolved away by URL normalisation and would send the
    request, bearer included, outside ``/Wechat/``; control characters are never part of a real key
    (a pasted line break, a stray NUL)."""

    def check(self, value: Any) -> str | None:
        if not isinstance(value, str):
            return None
        if value and set(value) == {"."}:
            return "must not be made only of dots"
        if _CONTROL.search(value):
            return "must not contain line breaks or control characters"
        return None

    @property
    def en(self) -> str:
        return "not only dots, no line breaks or control characters"

    @property
    def zh(self) -> str:
        return "不能只由点号组成，不能包含换行或控制字符"

    def openapi(self) -> dict[str, Any]:
        return {"pattern": r"^(?!\.+$)[^\x00-\x1f\x7f]*$"}


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# Header values are bytes on the wire and HTTP allows only (visible) ASCII in practice: a CR/LF
# would split the header, NUL or another control character is refused by httpx with the whole
# value in its message, and a non-ASCII character cannot be encoded at all. So a credential that
# goes into a header is refused with this rule before anything is sent.
HEADER_SAFE = Charset(r"[\x21-\x7e]*",
                      "only visible ASCII characters (no spaces, line breaks, control or non-ASCII characters)",
                      "只能包含可见的 ASCII 字符（不能有空格、换行、控制字符或非 ASCII 字符）")


@dataclass(frozen=True)
class Utf8Bytes(Rule):
    """At most ``maximum`` bytes once encoded as UTF-8 (what a QR code's byte mode holds)."""

    maximum: int

    def check(self, value: Any) -> str | None:
        if not isinstance(value, str):
            return None
        try:
            n = len(value.encode("utf-8"))
        except UnicodeEncodeError:  # a lone surrogate ("\ud800" in JSON) has no UTF-8 form
            return "must be valid Unicode text (a lone surrogate has no UTF-8 form)"
        # The byte count is not what the message's value shows (its characters): said here.
        return f"{self.en}, not {n}" if n > self.maximum else None

    @property
    def en(self) -> str:
        return f"at most {self.maximum} bytes in UTF-8"

    @property
    def zh(self) -> str:
        return f"UTF-8 编码后不能超过 {self.maximum} 字节"


def digits(minimum: int, maximum: int) -> tuple[Rule, ...]:
    """Verification codes and phone numbers: only ASCII digits, a fixed length range."""
    if minimum == maximum:
        en, zh = f"exactly {minimum} digits", f"必须为 {minimum} 位数字"
        pattern = rf"[0-9]{{{minimum}}}"
    else:
        en, zh = f"{minimum} to {maximum} digits", f"长度为 {minimum} 到 {maximum} 位的数字"
        pattern = rf"[0-9]{{{minimum},{maximum}}}"
    return (Charset(pattern, en, zh),)
