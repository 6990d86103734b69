"""Live language switching, written once: a widget with this mixin re-sets its texts on LanguageChange.

Qt sends every widget a LanguageChange event when a translator is installed or removed
(:func:`qrlogin_desktop.ui.i18n.install`); a widget that sets its texts in ``retranslate()`` and
lists :class:`Retranslating` before its Qt base class follows the switch without more code.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent


class Retranslating:
    """Mixin for a QWidget subclass: ``class Card(Retranslating, QFrame)``; override ``retranslate``."""

    def retranslate(self) -> None:
        pass

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)  # type: ignore[misc]  # the Qt base class after this mixin
