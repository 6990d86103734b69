"""Boundary cases of a field, derived from its rule objects: nothing here restates a limit.

Each :class:`Rule` of the catalogue gives the values at and just past its edges (a :class:`Length` its
min - 1, min, max and max + 1; a :class:`Charset` the repetition bounds of its pattern and single
characters put in and left out of its class; an :class:`IntRange` its ends; ...). Whether a case is
to be accepted is not decided here either: it is what the field's own rules say of the value
(:meth:`Field.violations`), so a case can never disagree with the rule it tests.
"""

from __future__ import annotations

import re
import re._parser as sre_parse  # the standard library's own reading of a pattern: its repetition bounds
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..api.models import Field
from ..api.rules import Charset, HttpUrl, IntRange, Kind, Length, NotBlank, OneOf, Rule, VisibleAscii
from .model import Text


class _Omitted:
    def __repr__(self) -> str:
        return "<omitted>"


OMITTED: Any = _Omitted()  # the case leaves the field out of the request

# Characters tried against a character class: a comma and a space (the contract's scopes), the other
# ASCII separators a class may or may not hold, a non-ASCII letter and a non-ASCII digit ("\d" and
# "\w" take them in some regex dialects; the rules say ASCII).
_PROBES: tuple[tuple[str, Text], ...] = (
    (",", Text("with a comma", "含逗号")),
    (" ", Text("with a space", "含空格")),
    ("_", Text("with an underscore", "含下划线")),
    ("-", Text("with a hyphen", "含连字符")),
    ("é", Text("with a non-ASCII letter", "含非 ASCII 字母")),
    ("١", Text("with a non-ASCII digit", "含非 ASCII 数字")),
)


@dataclass(frozen=True)
class Case:
    field: Field
    rule: Rule | None  # None: the field's type or presence
    label: Text
    value: Any
    accepted: bool  # what the field's rules say of the value

    @property
    def rule_text(self) -> Text:
        if self.rule is None:
            return Text(self.field.rules_en or self.field.kind.value, self.field.rules_zh or self.field.kind.value)
        return Text(self.rule.en, self.rule.zh)


def _class_repeat(pattern: str) -> tuple[int, int | None, str] | None:
    """(min, max or None, a member character) of a pattern that is one repeated character class."""
    try:
        parsed = list(sre_parse.parse(pattern))
    except re.error:
        return None
    if len(parsed) != 1 or parsed[0][0] not in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT):
        return None
    low, high, item = parsed[0][1]
    item = list(item)
    if len(item) != 1 or item[0][0] != sre_parse.IN:
        return None
    compiled = re.compile(rf"(?:{pattern})\Z")
    member = next((c for c in "a1A" if compiled.match(c * max(low, 1))), None)
    if member is None:
        return None
    return low, None if high is sre_parse.MAXREPEAT else high, member


def _filler(field: Field) -> str:
    """A character every character-class rule of the field takes: what long values are made of."""
    for rule in field.rules:
        if isinstance(rule, Charset) and (shape := _class_repeat(rule.pattern)):
            return shape[2]
    return "a"


def _lengths(low: int, high: int | None) -> Iterator[tuple[int, Text]]:
    if low > 0:
        yield low - 1, Text("min - 1", "最小值-1")
        yield low, Text("min", "最小值")
    if high is not None:
        yield high, Text("max", "最大值")
        yield high + 1, Text("max + 1", "最大值+1")


def _length_cases(low: int, high: int | None, filler: str) -> Iterator[tuple[Any, Text]]:
    for n, edge in _lengths(low, high):
        yield filler * n, Text(f"{n} characters ({edge.en})", f"{n} 个字符（{edge.zh}）")


def _rule_values(field: Field, rule: Rule) -> Iterator[tuple[Any, Text]]:
    if isinstance(rule, Length):
        yield from _length_cases(rule.minimum, rule.maximum, _filler(field))
    elif isinstance(rule, Charset):
        shape = _class_repeat(rule.pattern)
        if shape is None:
            return
        low, high, member = shape
        if (low, high) != (0, None):
            yield from _length_cases(low, high, member)
        n = low if low else 3
        left = (n - 1) // 2
        for probe, label in _PROBES:
            yield member * left + probe + member * (n - 1 - left), label
        yield member * n + "\n", Text("with a trailing newline", "末尾带换行符")
    elif isinstance(rule, IntRange):
        for n, edge in ((rule.minimum - 1, "min - 1"), (rule.minimum, "min"), (rule.maximum, "max"),
                        (rule.maximum + 1, "max + 1")):
            yield n, Text(f"{n} ({edge})", f"{n}（{edge.replace('min', '最小值').replace('max', '最大值')}）")
    elif isinstance(rule, OneOf):
        yield rule.choices[0], Text(f"{rule.choices[0]!s} (a listed choice)", f"{rule.choices[0]!s}（列出的取值）")
        other = max(rule.choices) + 1 if all(isinstance(c, int) for c in rule.choices) else "qrcheck"
        yield other, Text(f"{other!s} (not listed)", f"{other!s}（未列出的取值）")
    elif isinstance(rule, NotBlank):
        yield "   ", Text("only spaces", "只有空格")
    elif isinstance(rule, HttpUrl):
        yield "https://example.com/qrcheck", Text("an https:// URL", "https:// 网址")
        yield "ftp://example.com/qrcheck", Text("an ftp:// URL", "ftp:// 网址")
    elif isinstance(rule, VisibleAscii):
        yield "1" * rule.maximum, Text(f"{rule.maximum} characters (max)", f"{rule.maximum} 个字符（最大值）")
        yield "1" * (rule.maximum + 1), Text(f"{rule.maximum + 1} characters (max + 1)",
                                              f"{rule.maximum + 1} 个字符（最大值+1）")
        yield "1 1", Text("with a space", "含空格")
    # Utf8Bytes (a QR's capacity) sits beyond its field's Length; PathSegment guards the appKey, which the
    # check does not vary: both have no boundary a client reaches on its own.


def _type_values(field: Field) -> Iterator[tuple[Any, Text]]:
    if field.required:
        yield OMITTED, Text("left out (required)", "缺省（必填）")
    if field.kind is Kind.INT64:
        yield "12a", Text("a string that is not a decimal integer", "不是十进制整数的字符串")
        yield 2**63, Text("2^63 (beyond int64)", "2^63（超出 int64）")
        yield True, Text("true (a boolean)", "true（布尔值）")


def cases(field: Field) -> list[Case]:
    """Every boundary case of ``field``, each value once."""
    out: list[Case] = []
    seen: set[str] = set()

    def add(rule: Rule | None, value: Any, label: Text) -> None:
        key = repr((type(value).__name__, value))
        if key in seen:
            return
        seen.add(key)
        accepted = not field.violations() if value is OMITTED else not field.violations(value)
        out.append(Case(field, rule, label, value, accepted))

    for value, label in _type_values(field):
        add(None, value, label)
    for rule in field.rules:
        for value, label in _rule_values(field, rule):
            add(rule, value, label)
    return out
