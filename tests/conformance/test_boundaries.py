"""Boundary cases come from the rule objects: change a rule and the cases change with it."""

from __future__ import annotations

from qrlogin_desktop.api import catalogue
from qrlogin_desktop.api.models import Field
from qrlogin_desktop.api.rules import Charset, IntRange, Kind, Length, digits
from qrlogin_desktop.conformance.boundaries import OMITTED, cases


def by_value(field: Field) -> dict[object, bool]:
    return {c.value if c.value is OMITTED else c.value: c.accepted for c in cases(field)}


def lengths(field: Field) -> dict[int, bool]:
    return {len(c.value): c.accepted for c in cases(field) if isinstance(c.value, str) and set(c.value) <= set("a1")}


def test_the_contracts_examples_come_out_of_the_catalogue():
    register = catalogue.endpoint("QRAuthConfirmRegister")
    assert lengths(register.field("nickName")) == {3: False, 4: True, 32: True, 33: False}
    assert lengths(register.field("phone")) == {10: False, 11: True, 12: False}
    scopes = by_value(catalogue.endpoint("QRAuthInitiate").field("scopes"))
    assert scopes["a,a"] is True and scopes["a a"] is False and scopes["aaa\n"] is False


def test_cases_follow_a_changed_rule():
    assert lengths(Field("x", Kind.STRING, rules=(Length(2, 5),))) == {1: False, 2: True, 5: True, 6: False}
    assert lengths(Field("x", Kind.STRING, rules=digits(6, 6))) == {5: False, 6: True, 7: False}
    widened = by_value(Field("x", Kind.STRING, rules=(Charset("[a-z ]*", "letters and spaces", "字母和空格"),)))
    assert widened["a a"] is True and widened["a,a"] is False
    assert set(by_value(Field("n", Kind.INTEGER, rules=(IntRange(1, 4),)))) == {0, 1, 4, 5}


def test_a_required_field_is_also_left_out_and_an_int64_sent_wrong():
    key = cases(catalogue.endpoint("QRAuthScan").field("signInKey"))
    assert [c.value for c in key if not c.accepted] == [OMITTED, "12a", 2**63, True]
