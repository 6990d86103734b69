"""Messages on screen read right: real plural forms, no "got None", no Python repr, in both languages."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from qrlogin_desktop.api import catalogue
from qrlogin_desktop.ui import i18n
from qrlogin_desktop.ui.panels.endpoint import EndpointPanel


@pytest.fixture
def english():
    i18n.install(i18n.ENGLISH)
    yield
    i18n.install(i18n.ENGLISH)


def _page(qtbot, ctx, endpoint_id: str) -> EndpointPanel:
    page = EndpointPanel(ctx, catalogue.endpoint(endpoint_id))
    qtbot.addWidget(page)
    page.show()
    return page


def test_one_problem_is_one_problem_and_a_missing_field_is_required(qtbot, ctx, english):
    page = _page(qtbot, ctx, "JSConfig")
    page.send_button.click()
    assert page.form.error_text("url") == "url: is required"
    assert page.send_hint.text().startswith("Not sent: 1 problem — see the message next to the field")
    i18n.install(i18n.CHINESE)
    page.send_button.click()
    assert page.form.error_text("url") == "url: 必填"
    assert page.send_hint.text().startswith("未发送：有 1 处问题")


def test_two_problems_and_values_shown_as_typed(qtbot, ctx, english):
    page = _page(qtbot, ctx, "MsgSecCheck")
    page.editor.set_text(json.dumps({"content": "x" * 2501, "version": "abc", "scene": 2, "openid": "o"}))
    page.send_button.click()
    hint = page.send_hint.text()
    assert hint.startswith("Not sent: 2 problems — see the messages next to the fields"), hint
    rules = page.editor.rules_label.text()
    assert '(got "abc")' in rules and "'abc'" not in rules and rules.count("(got") == 2, rules
    assert "2,501 characters" in rules


def test_the_field_form_never_says_none(qtbot, ctx, english):
    page = _page(qtbot, ctx, "JSCode2Session")
    editor = page.form.editors["js_code"]
    qtbot.keyClicks(editor, "x")
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)  # typed, then erased: now it counts
    for language in (i18n.ENGLISH, i18n.CHINESE):
        i18n.install(language)
        text = page.form.error_text("js_code")
        assert text in ("js_code: is required", "js_code: 必填"), text
        assert "None" not in text and "got" not in text and "当前值" not in text
