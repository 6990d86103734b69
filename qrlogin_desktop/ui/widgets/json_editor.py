"""A JSON body editor: syntax colours, live syntax check (line, column), the catalogue's field rules,
example, format.

Edits made by "Reset example" and "Format" go through the undo stack, so Ctrl+Z brings back what
the user had typed: nothing typed is lost.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QColor, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from ...api.errors import Violation
from .. import i18n
from ..display import monospace_font
from .json_highlight import JsonHighlighter
from .language import Retranslating

RulesCheck = Callable[[Any], Sequence[Violation]]

LIVE_CHECK_LIMIT = 256 * 1024  # bigger bodies are checked after a pause in typing, not per keystroke
DEBOUNCE_MS = 300
ERROR_STYLE = "color: #d93025; font-size: 11px;"
RULES_STYLE = "color: #b06000; font-size: 11px;"


class JsonSyntaxError(ValueError):
    def __init__(self, line: int, column: int, message: str):
        self.line, self.column, self.message = line, column, message
        super().__init__(f"line {line}, column {column}: {message}")


def _reject_constant(name: str) -> Any:
    # json.loads accepts NaN/Infinity, which are not JSON; the client would refuse to send them.
    raise ValueError(f"{name} is not valid JSON")


def parse_json(text: str) -> Any:
    """``json.loads`` with NaN/Infinity refused; errors carry a 1-based line and column."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise JsonSyntaxError(exc.lineno, exc.colno, exc.msg) from None
    except ValueError as exc:  # NaN / Infinity
        raise JsonSyntaxError(1, 1, str(exc)) from None
    except RecursionError:
        raise JsonSyntaxError(1, 1, "nested too deeply") from None


def pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


class JsonEditor(Retranslating, QWidget):
    """``editor.value()`` is the parsed body (raises :class:`JsonSyntaxError`); ``changed`` on every check."""

    changed = Signal()

    def __init__(self, example: Any = None, rules: RulesCheck | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.example = {} if example is None else example
        self._rules = rules
        self._error: JsonSyntaxError | None = None
        self._value: Any = None
        self._violations: list[Violation] = []

        self.edit = QPlainTextEdit()
        self.edit.setObjectName("jsonEditor")
        self.edit.setFont(monospace_font())
        self.edit.setTabChangesFocus(True)  # keyboard users can leave the editor
        self.edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.highlighter = JsonHighlighter(self.edit.document())
        self.syntax_label = QLabel()
        self.syntax_label.setObjectName("jsonSyntax")
        self.syntax_label.setStyleSheet(ERROR_STYLE)
        self.syntax_label.setWordWrap(True)
        self.rules_label = QLabel()
        self.rules_label.setObjectName("jsonRules")
        self.rules_label.setStyleSheet(RULES_STYLE)
        self.rules_label.setWordWrap(True)
        self.reset_button = QPushButton()
        self.format_button = QPushButton()
        self.reset_button.clicked.connect(self.reset_example)
        self.format_button.clicked.connect(self.format)

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.syntax_label, 1)
        buttons.addWidget(self.reset_button)
        buttons.addWidget(self.format_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.edit, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.rules_label)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.check)
        self.edit.textChanged.connect(self._on_text_changed)
        self.edit.setPlainText(pretty(self.example))
        self.retranslate()

    # --- values ---------------------------------------------------------------------------------------

    def text(self) -> str:
        return self.edit.toPlainText()

    def set_text(self, text: str) -> None:
        """Replace the text as one undoable edit."""
        cursor = self.edit.textCursor()
        cursor.beginEditBlock()
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(text)
        cursor.endEditBlock()
        self.check()

    def value(self) -> Any:
        self._ensure_checked()
        if self._error is not None:
            raise self._error
        return self._value

    @property
    def is_valid_json(self) -> bool:
        self._ensure_checked()
        return self._error is None

    @property
    def violations(self) -> list[Violation]:
        self._ensure_checked()
        return list(self._violations)

    def reset_example(self) -> None:
        self.set_text(pretty(self.example))

    def format(self) -> None:
        if self.is_valid_json:
            self.set_text(pretty(self._value))

    # --- checking -------------------------------------------------------------------------------------

    def _on_text_changed(self) -> None:
        if self.edit.document().characterCount() <= LIVE_CHECK_LIMIT:
            self.check()
        else:
            self._debounce.start()

    def _ensure_checked(self) -> None:
        if self._debounce.isActive():
            self._debounce.stop()
            self.check()

    def check(self) -> None:
        self._debounce.stop()
        try:
            self._value, self._error = parse_json(self.text()), None
        except JsonSyntaxError as exc:
            self._value, self._error = None, exc
        self._violations = list(self._rules(self._value)) if self._rules and self._error is None else []
        self._show()
        self.changed.emit()

    def _show(self) -> None:
        error = self._error
        selections = []
        if error is not None:
            self.syntax_label.setText(self.tr("JSON error — line {0}, column {1}: {2}").format(
                error.line, error.column, error.message))
            block = self.edit.document().findBlockByNumber(error.line - 1)
            if block.isValid():
                mark = QTextEdit.ExtraSelection()
                mark.format.setBackground(QColor("#fde2e1"))
                mark.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
                mark.cursor = QTextCursor(block)
                selections.append(mark)
        else:
            self.syntax_label.setText("")
        self.edit.setExtraSelections(selections)
        self.format_button.setEnabled(error is None)
        if self._violations:
            lang = "zh" if i18n.is_chinese() else "en"
            self.rules_label.setText("\n".join("⚠ " + v.message(lang) for v in self._violations))
            self.rules_label.show()
        else:
            self.rules_label.clear()
            self.rules_label.hide()

    # --- texts ----------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.reset_button.setText(self.tr("Reset example"))
        self.reset_button.setToolTip(self.tr("Replace the body with the catalogue's example (Ctrl+Z undoes it)"))
        self.format_button.setText(self.tr("Format"))
        self.format_button.setToolTip(self.tr("Pretty-print the body (Ctrl+Z undoes it)"))
        self.edit.setAccessibleName(self.tr("Request body (JSON)"))
        self.check()

