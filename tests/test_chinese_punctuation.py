"""Chinese text uses Chinese punctuation: "服务器：", "必填，不能为空", "（当前值 3）", never "服务器:" or "必填,不能为空".

Checked where Chinese text comes from: the zh_CN catalogue (every translated form), the Chinese string
literals of the package (rule texts, check titles, the sandbox's messages) and the texts assembled from
several rules at run time. ASCII stays where it is syntax, not prose: a Qt accelerator "帮助(&H)" and a
file-dialog filter "图片 (*.png)" (Qt parses both), and anything after a Latin token ("js_code: 必填",
"https://", "{0}:{1}"), which these patterns never match. See docs/decisions.md, "Chinese punctuation
and endpoint names".
"""

from __future__ import annotations

import ast
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from chinese_text import HAS_CJK, ascii_punctuation

from qrlogin_desktop.api import catalogue
from qrlogin_desktop.api.errors import ValidationError
from qrlogin_desktop.conformance.suite import build_suite

ROOT = Path(__file__).resolve().parent.parent
ZH_TS = ROOT / "resources" / "translations" / "qrlogin_zh_CN.ts"
PACKAGE = ROOT / "qrlogin_desktop"


def _zh_translations() -> list[tuple[str, str]]:
    root = ET.parse(ZH_TS).getroot()
    out = []
    for message in root.iter("message"):
        translation = message.find("translation")
        if translation is None:
            continue
        forms = list(translation.iter("numerusform")) if message.get("numerus") == "yes" else [translation]
        out += [(message.findtext("source", ""), form.text or "") for form in forms]
    return out


def _chinese_literals() -> list[tuple[str, str]]:
    """(``file:line``, text) of every string literal (f-string parts included) holding Chinese."""
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and HAS_CJK.search(node.value):
                out.append((f"{path.relative_to(ROOT)}:{node.lineno}", node.value))
    return out


@pytest.mark.parametrize("text", ["服务器:{0}", "必填,不能为空", "必填(当前值 3)", "是否删除?", "完成!",
                                  "已跳过;请重试", "jsapi_ticket(可选)", "在线 (未连接)"])
def test_the_check_sees_ascii_punctuation_in_chinese(text):
    assert ascii_punctuation(text)


@pytest.mark.parametrize("text", ["服务器：{0}", "帮助(&H)", "PNG 图片 (*.png);;SVG 图片 (*.svg)", "js_code: 必填",
                                  "服务器：http://127.0.0.1:8080", "{0}:{1} 后过期", "耗时（ms）", "code 200（成功）"])
def test_the_check_leaves_syntax_and_latin_tokens_alone(text):
    assert not ascii_punctuation(text)


def test_chinese_translations_use_chinese_punctuation():
    translations = _zh_translations()
    assert len(translations) > 400  # the catalogue was read, not an empty file
    wrong = [f"{source!r} -> {text!r}: {ascii_punctuation(text)}" for source, text in translations
             if ascii_punctuation(text)]
    assert not wrong, f"{len(wrong)} zh_CN translation(s) with ASCII punctuation in Chinese:\n" + "\n".join(wrong)


def test_chinese_texts_of_the_package_use_chinese_punctuation():
    literals = _chinese_literals()
    assert len(literals) > 100
    wrong = [f"{where}: {text!r}" for where, text in literals if ascii_punctuation(text)]
    assert not wrong, "Chinese string literals with ASCII punctuation:\n" + "\n".join(wrong)


def test_texts_assembled_from_rules_use_chinese_punctuation():
    """A field's rules and an input error's problems are joined at run time: "必填，不能为空", "…；…"."""
    fields = [f for ep in catalogue.ENDPOINTS for f in (*ep.query, *(ep.body.fields if ep.body else ()))]
    assert any(f.required and len(f.rules) > 1 for f in fields)
    wrong = [f"{f.name}: {f.rules_zh!r}" for f in fields if ascii_punctuation(f.rules_zh)]
    assert not wrong, "\n".join(wrong)
    ep = catalogue.endpoint("QRAuthConfirmRegister")
    error = ValidationError(ep.violations(None, {"signInKey": 1, "nickName": "abc", "unionID": ""}))
    assert len(error.violations) > 1
    text = error.message("zh")
    assert text.startswith("输入校验失败：") and "；" in text and not ascii_punctuation(text), text


def test_every_conformance_check_is_titled_in_chinese_punctuation():
    """The Test bench's rows: titles and tested rules are assembled from a field, a case and a rule."""
    checks = build_suite()
    wrong = [f"{c.id}: {text!r}" for c in checks for text in (c.title.zh, c.tests.zh) if ascii_punctuation(text)]
    assert not wrong, "\n".join(wrong)
