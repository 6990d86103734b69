"""Languages: Simplified Chinese and English, following the system locale unless the user chooses.

UI strings go through Qt's ``tr()`` and compiled ``.qm`` catalogues, the one part the package
carries (their sources: the repository's top-level ``resources/translations/*.ts``). Texts that come
from the endpoint catalogue are bilingual data already; :func:`pick` chooses the side for the
current language.

English is the source language, but it has a catalogue too: plural forms only (``lupdate
-pluralonly``), so that ``tr("%n token(s)", "", n)`` reads "1 token" and "2 tokens", as Qt intends.
"""

from __future__ import annotations

from importlib import resources

from PySide6.QtCore import QCoreApplication, QEvent, QLocale, QTranslator

SYSTEM = "system"
ENGLISH = "en"
CHINESE = "zh_CN"
CHOICES = (SYSTEM, ENGLISH, CHINESE)
NATIVE_NAMES = {ENGLISH: "English", CHINESE: "简体中文"}  # each in itself; "System" is translated where shown

_current = ENGLISH
_translator: QTranslator | None = None


def resolve(choice: str | None) -> str:
    if choice in (ENGLISH, CHINESE):
        return choice
    return CHINESE if QLocale.system().language() == QLocale.Language.Chinese else ENGLISH


def current() -> str:
    return _current


def is_chinese() -> bool:
    return _current == CHINESE


def message_language() -> str:
    """The API layer's language code for its own bilingual texts (rules, violations): "zh" or "en"."""
    return "zh" if _current == CHINESE else "en"


def locale() -> QLocale:
    """The locale of the UI language (numbers and sizes written the way the texts around them are)."""
    if _current == CHINESE:
        return QLocale(QLocale.Language.Chinese, QLocale.Country.China)
    return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)


def pick(en: str, zh: str) -> str:
    return zh if _current == CHINESE and zh else en


def qm_path(language: str) -> str:
    return str(resources.files("qrlogin_desktop") / "resources" / "translations" / f"qrlogin_{language}.qm")


def install(choice: str | None) -> str:
    """Switch the running application's language; widgets get a LanguageChange event."""
    global _current, _translator
    language = resolve(choice)
    app = QCoreApplication.instance()
    if _translator is not None and app is not None:
        app.removeTranslator(_translator)
        _translator = None
    _current = language
    if app is not None:
        translator = QTranslator(app)
        if translator.load(qm_path(language)):
            app.installTranslator(translator)
            _translator = translator
            # Qt *posts* the widgets' LanguageChange: deliver it now, so the switch is synchronous
            # in both directions (the English branch below sends it directly).
            QCoreApplication.sendPostedEvents(None, QEvent.Type.LanguageChange)
    if app is not None and _translator is None:
        # No translator to install still has to tell widgets to retranslate (back to English).
        for widget in getattr(app, "allWidgets", lambda: [])():
            QCoreApplication.sendEvent(widget, QEvent(QEvent.Type.LanguageChange))
    return language
