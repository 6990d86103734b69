"""Violation messages read as text for people: no Python reprs, no "got None", no doubled "(got ...)"."""

from __future__ import annotations

import pytest

from qrlogin_desktop.api import catalogue
from qrlogin_desktop.api.errors import Violation, shown_value


def _messages(endpoint_id: str, query=None, body=None) -> dict[str, tuple[str, str]]:
    found = catalogue.endpoint(endpoint_id).violations(query, body)
    return {v.field: (v.message("en"), v.message("zh")) for v in found}


def test_a_missing_field_is_required_and_nothing_more() -> None:
    en, zh = _messages("JSConfig", query={})["url"]
    assert en == "url: is required"
    assert zh == "url: 必填"
    en, zh = _messages("JSCode2Session", query={})["js_code"]
    assert (en, zh) == ("js_code: is required", "js_code: 必填")


def test_a_broken_length_names_the_value_once_as_typed() -> None:
    en, zh = _messages("QRAuthConfirmRegister", body={"signInKey": 1, "nickName": "abc"})["nickName"]
    assert en == 'nickName: 4 to 32 characters (got "abc")'
    assert en.count("got") == 1 and "'" not in en
    assert zh == 'nickName: 长度必须在 4 到 32 个字符之间（当前值 "abc"）'


def test_a_long_value_is_cut_and_its_length_said() -> None:
    en, zh = _messages("QRAuthInitiate", body={"scopes": "a" * 101})["scopes"]
    assert en.startswith('scopes: at most 100 characters (got "aaaa') and en.endswith('…", 101 characters)')
    assert zh.endswith('…"，共 101 个字符）')


@pytest.mark.parametrize(("value", "shown"), [
    ("abc", '"abc"'), ("it's", '"it\'s"'), ("a\nb", '"a\\nb"'), ("中文", '"中文"'), (3, "3"), (True, "true"),
    ([1, "x"], '[1, "x"]'), ({"a": None}, '{"a": null}'), ("\ud800", '"\\ud800"'),
])
def test_values_are_shown_as_written_not_as_python_reprs(value, shown) -> None:
    assert shown_value(value) == shown
    assert Violation("f", "rule", "规则", value).message() == f"f: rule (got {shown})"


def test_a_secret_value_stays_hidden_in_both_languages() -> None:
    v = Violation("sessionKey", "must not be blank", "不能为空", "   ", secret=True)
    assert v.message() == "sessionKey: must not be blank (got <hidden>)"
    assert v.message("zh") == "sessionKey: 不能为空（当前值已隐藏）"
