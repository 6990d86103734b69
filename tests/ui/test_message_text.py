"""Messages on screen read right: real plural forms, no "got None", no Python repr, in both languages."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

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


def _shown_labels(page) -> list[str]:
    return [label.text() for label in page.findChildren(QLabel) if label.isVisibleTo(page) and label.text()]


@pytest.mark.parametrize(("language", "expected"), [
    (i18n.ENGLISH, "The server refused the input (400): js_code: is required"),
    (i18n.CHINESE, "服务器拒绝了输入（400）：js_code: 必填"),
])
def test_a_refusal_the_server_explains_rule_by_rule_reads_in_the_ui_language(qtbot, ctx, english, language, expected):
    """The sandbox lists the broken rules with their Chinese text: a Chinese page shows that, not the
    server's English ``error``."""
    page = _page(qtbot, ctx, "JSCode2Session")
    page.validate_box.setChecked(False)  # let the server judge the empty js_code
    i18n.install(language)
    with qtbot.waitSignal(page.finished, timeout=15_000):
        page.send_button.click()
    refusals = [text for text in _shown_labels(page) if "400" in text and "js_code" in text]
    assert refusals == [expected]


def test_the_not_sent_hint_on_screen_follows_a_language_change(qtbot, ctx, english):
    page = _page(qtbot, ctx, "JSConfig")
    page.send_button.click()
    assert page.send_hint.isVisibleTo(page) and page.send_hint.text().startswith("Not sent: 1 problem")
    i18n.install(i18n.CHINESE)  # no new Send: the hint already shown is written again
    assert page.send_hint.text().startswith("未发送：有 1 处问题")
    assert page.form.error_text("url") == "url: 必填"
