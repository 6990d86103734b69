"""The shipped translations: complete, placeholder-safe, plural-aware, compiled, up to date with the UI sources.

The ``.ts`` files under ``resources/translations`` are the source of truth
(``python scripts/i18n.py update|check|compile``); the ``.qm`` next to each is what the app loads.
English is the source language; its catalogue holds the plural forms only (``lupdate -pluralonly``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UI = ROOT / "qrlogin_desktop" / "ui"
SOURCES = ROOT / "resources" / "translations"  # the .ts sources, outside the package
TRANSLATIONS = ROOT / "qrlogin_desktop" / "resources" / "translations"  # the compiled .qm the app loads
TS_FILES = sorted(SOURCES.glob("qrlogin_*.ts"))
LUPDATE = shutil.which("pyside6-lupdate")
LRELEASE = shutil.which("pyside6-lrelease")
PLURAL_ONLY = ("en",)  # the source language's catalogue: numerus messages only
# How many plural forms Qt expects per language (its numerus rules: Chinese has one, English two).
PLURAL_FORMS = {"zh_CN": 1, "en": 2}

# str.format fields ({0}, {1:.1f}, {signInKey}, ...) and Qt's %n / %1 markers. "{{" / "}}" are
# escaped braces, not fields, and are dropped before matching.
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%n|%\d+")


def _shipped_qm(ts: Path) -> Path:
    return TRANSLATIONS / ts.with_suffix(".qm").name


def _language(ts: Path) -> str:
    return ts.stem.removeprefix("qrlogin_")


def _messages(ts: Path) -> list[tuple[str, ET.Element]]:
    root = ET.parse(ts).getroot()
    return [(context.findtext("name", ""), message) for context in root.iter("context")
            for message in context.iter("message")]


def _forms(message: ET.Element) -> list[str]:
    """The translated text(s): one per plural form for a numerus message, else the single text."""
    translation = message.find("translation")
    if translation is None:
        return []
    if message.get("numerus") == "yes":
        return [form.text or "" for form in translation.iter("numerusform")]
    return [translation.text or ""]


def _is_finished(message: ET.Element) -> bool:
    translation = message.find("translation")
    if translation is None or translation.get("type") in ("unfinished", "obsolete", "vanished"):
        return False
    forms = _forms(message)
    return bool(forms) and all(form.strip() for form in forms)


def _placeholders(text: str) -> Counter[str]:
    return Counter(PLACEHOLDER.findall(text.replace("{{", "").replace("}}", "")))


def _ui_sources() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in UI.rglob("*.py"))


def _label(context: str, message: ET.Element) -> str:
    return f"{context}: {message.findtext('source', '')!r}"


def test_translations_are_shipped():
    assert {_language(ts) for ts in TS_FILES} >= {"zh_CN", "en"}, f"a catalogue is missing in {SOURCES}"
    for ts in TS_FILES:
        assert _messages(ts), f"{ts.name} holds no messages"
        assert _shipped_qm(ts).is_file(), f"{ts.name} has no compiled .qm (python scripts/i18n.py compile)"


@pytest.mark.parametrize("ts", TS_FILES, ids=lambda p: p.name)
def test_every_message_is_translated(ts):
    missing = [_label(context, m) for context, m in _messages(ts) if not _is_finished(m)]
    assert not missing, f"{len(missing)} untranslated message(s) in {ts.name}:\n" + "\n".join(missing)


@pytest.mark.parametrize("ts", TS_FILES, ids=lambda p: p.name)
def test_placeholders_match_the_source(ts):
    wrong = []
    for context, message in _messages(ts):
        expected = _placeholders(message.findtext("source", ""))
        for form in _forms(message):
            if _placeholders(form) != expected:
                wrong.append(f"{_label(context, message)} -> {form!r}")
    assert not wrong, "placeholders differ from the source:\n" + "\n".join(wrong)


@pytest.mark.parametrize("ts", TS_FILES, ids=lambda p: p.name)
def test_plural_messages_have_every_form(ts):
    """A ``%n`` message is a numerus one (``tr(text, "", n)``) with as many forms as the language has,
    each keeping ``%n``: "1 token(s)" is never what a reader sees."""
    wanted = PLURAL_FORMS[_language(ts)]
    wrong = []
    for context, message in _messages(ts):
        source = message.findtext("source", "")
        numerus = message.get("numerus") == "yes"
        if "%n" in source and not numerus:
            wrong.append(f"{_label(context, message)}: has %n but is not called with a count (tr(text, '', n))")
        if numerus and len(_forms(message)) != wanted:
            wrong.append(f"{_label(context, message)}: {len(_forms(message))} plural form(s), {wanted} needed")
    assert not wrong, "\n".join(wrong)


def test_every_plural_message_has_english_forms():
    """The English catalogue holds every numerus message of the Chinese one (same sources)."""
    by_language = {_language(ts): ts for ts in TS_FILES}
    plural = {(c, m.findtext("source")) for c, m in _messages(by_language["zh_CN"]) if m.get("numerus") == "yes"}
    english = {(c, m.findtext("source")) for c, m in _messages(by_language["en"]) if m.get("numerus") == "yes"}
    assert plural and plural == english, sorted(plural ^ english)


@pytest.mark.skipif(LRELEASE is None, reason="pyside6-lrelease is not on PATH")
@pytest.mark.parametrize("ts", TS_FILES, ids=lambda p: p.name)
def test_shipped_qm_matches_the_ts(ts, tmp_path):
    shipped = _shipped_qm(ts)
    fresh = tmp_path / shipped.name
    subprocess.run([LRELEASE, str(ts), "-qm", str(fresh)], check=True, capture_output=True)
    if fresh.read_bytes() == shipped.read_bytes():
        return
    # Not byte-identical (another lrelease build may lay the file out differently): then every
    # message has to translate the same through both catalogues.
    from PySide6.QtCore import QTranslator

    ours, theirs = QTranslator(), QTranslator()
    assert ours.load(str(shipped)) and theirs.load(str(fresh))
    stale = []
    for context, message in _messages(ts):
        source = message.findtext("source", "")
        disambiguation = message.findtext("comment")
        counts = (1, 2, 5) if message.get("numerus") == "yes" else (-1,)
        for n in counts:
            got = ours.translate(context, source, disambiguation, n)
            want = theirs.translate(context, source, disambiguation, n)
            if got != want:
                stale.append(f"{_label(context, message)}: shipped {got!r}, .ts says {want!r}")
    assert not stale, f"{shipped.name} is stale (python scripts/i18n.py compile):\n" + "\n".join(stale)


@pytest.mark.skipif(LUPDATE is None, reason="pyside6-lupdate is not on PATH")
@pytest.mark.parametrize("ts", TS_FILES, ids=lambda p: p.name)
def test_ts_is_up_to_date_with_the_sources(ts, tmp_path):
    copy = tmp_path / ts.name
    shutil.copyfile(ts, copy)
    language = _language(ts)
    subprocess.run([LUPDATE, *_ui_sources(), "-no-obsolete", "-locations", "none", "-target-language", language,
                    *(["-pluralonly"] if language in PLURAL_ONLY else []), "-ts", str(copy)],
                   cwd=ROOT, check=True, capture_output=True)
    fresh = _messages(copy)
    new = [_label(context, m) for context, m in fresh if not _is_finished(m)]
    assert not new, (f"UI strings without a translation in {ts.name} — run `python scripts/i18n.py update`, "
                     "translate them, then `python scripts/i18n.py compile`:\n" + "\n".join(new))
    # Nothing stale either: every shipped message is still used by the sources.
    keys = {(context, m.findtext("source"), m.findtext("comment")) for context, m in fresh}
    gone = [_label(context, m) for context, m in _messages(ts)
            if (context, m.findtext("source"), m.findtext("comment")) not in keys]
    assert not gone, f"messages no longer in the sources ({ts.name}; python scripts/i18n.py update):\n" + "\n".join(gone)


def test_chinese_catalogue_loads_from_the_package():
    from PySide6.QtCore import QTranslator

    from qrlogin_desktop.ui import i18n

    translator = QTranslator()
    assert translator.load(i18n.qm_path(i18n.CHINESE))
    assert translator.translate("MainWindow", "QR Login") == "扫码登录"
    assert translator.translate("TokensPanel", "%n token(s)", "", 3) == "%n 个令牌"


def test_english_plurals_read_as_english():
    from PySide6.QtCore import QTranslator

    from qrlogin_desktop.ui import i18n

    translator = QTranslator()
    assert translator.load(i18n.qm_path(i18n.ENGLISH))
    assert translator.translate("TokensPanel", "%n token(s)", "", 1) == "%n token"
    assert translator.translate("TokensPanel", "%n token(s)", "", 2) == "%n tokens"
