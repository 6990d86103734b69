"""A form generated from catalogue :class:`~qrlogin_desktop.api.models.Field` specs, with live validation.

Each field gets an editor, a hint with its rules (in the current language) and an error line that
updates as the user types, using the very rule objects the client and the sandbox enforce.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ...api.errors import Violation, violations_text
from ...api.models import Field
from ...api.rules import Kind
from .. import i18n, theme
from .language import Retranslating

# Theme templates (theme.styled): the colours follow a scheme switch.
INVALID_STYLE = "QLineEdit {{ border: 1px solid {error}; background: {invalid_bg}; }}"
HINT_STYLE = "color: {muted}; font-size: 11px;"  # secondary text: 4.5:1 on the window in both schemes
ERROR_STYLE = "color: {error}; font-size: 11px;"


class FieldForm(Retranslating, QWidget):
    changed = Signal()

    def __init__(self, fields: Sequence[Field], parent: QWidget | None = None, *, skip: Sequence[str] = ()):
        super().__init__(parent)
        self.fields = [f for f in fields if f.name not in skip]
        self.editors: dict[str, QLineEdit | QCheckBox] = {}
        self.labels: dict[str, QLabel] = {}
        self.hints: dict[str, QLabel] = {}
        self.errors: dict[str, QLabel] = {}
        # What a server refused in a field (e.g. "already registered"), kept until the field is edited.
        self._refused: dict[str, Violation] = {}
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for f in self.fields:
            editor: QLineEdit | QCheckBox
            if f.kind is Kind.BOOLEAN:
                editor = QCheckBox()
                editor.toggled.connect(lambda _=None, name=f.name: self._on_edit(name))
            else:
                editor = QLineEdit()
                editor.setObjectName(f"field_{f.name}")
                if f.secret:
                    editor.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
                editor.textChanged.connect(lambda _=None, name=f.name: self._on_edit(name))
            self.editors[f.name] = editor
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(1)
            column.addWidget(editor)
            hint, error = QLabel(), QLabel()
            theme.styled(hint, HINT_STYLE)
            theme.styled(error, ERROR_STYLE)
            hint.setWordWrap(True)
            error.setWordWrap(True)
            error.hide()
            column.addWidget(hint)
            column.addWidget(error)
            self.hints[f.name], self.errors[f.name] = hint, error
            self.labels[f.name] = QLabel()
            layout.addRow(self.labels[f.name], box)
        self.retranslate()

    # --- texts ------------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        for f in self.fields:
            label = i18n.pick(f.en, f.zh) or f.name
            self.labels[f.name].setText(f"{f.name}{' *' if f.required else ''}")
            self.labels[f.name].setToolTip(label)
            self.editors[f.name].setAccessibleName(label)  # what a screen reader says: the field's meaning
            rules = i18n.pick(f.rules_en, f.rules_zh)
            self.hints[f.name].setText(f"{label}" + (f" — {rules}" if rules else ""))
            editor = self.editors[f.name]
            if isinstance(editor, QLineEdit) and f.example is not None:
                editor.setPlaceholderText(str(f.example))
        self.validate()


    # --- values -----------------------------------------------------------------------------------------

    def _value(self, f: Field) -> Any:
        editor = self.editors[f.name]
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        text = editor.text()
        if text == "":
            return None  # blank means "not given"; a required field then reports "is required"
        if f.kind in (Kind.INT64, Kind.INTEGER):
            try:
                return int(text.strip())
            except ValueError:
                return text  # kept as text so the rule check says "must be an integer"
        return text

    def values(self) -> dict[str, Any]:
        out = {}
        for f in self.fields:
            value = self._value(f)
            if value is not None and not (isinstance(value, bool) and not value):
                out[f.name] = value
        return out

    def set_values(self, values: Mapping[str, Any]) -> None:
        for name, value in values.items():
            editor = self.editors.get(name)
            if isinstance(editor, QCheckBox):
                editor.setChecked(bool(value))
            elif editor is not None:
                editor.setText("" if value is None else str(value))

    def replace_values(self, values: Mapping[str, Any], *, missing: Sequence[str] = ()) -> None:
        """Every field from ``values`` (one not named there is emptied), e.g. a logged request's.
        ``missing`` fields (a secret the log does not hold) count as touched: their "is required"
        shows at once."""
        self.set_values({f.name: values.get(f.name) for f in self.fields})
        for name in missing:
            editor = self.editors.get(name)
            if isinstance(editor, QLineEdit):
                editor.setModified(True)
        self.validate()

    def violations(self) -> list[Violation]:
        out: list[Violation] = []
        for f in self.fields:
            out.extend(f.violations(self._value(f)))
        return out

    def validate(self) -> list[Violation]:
        found = self.violations()
        by_field: dict[str, list[Violation]] = {}
        for v in found:
            by_field.setdefault(v.field, []).append(v)
        for f in self.fields:
            self._show(f.name, by_field.get(f.name, []))
        return found

    def refuse(self, violations: Sequence[Violation]) -> None:
        """Show a server's refusal at its fields, like a rule's error, until the user edits them."""
        for v in violations:
            if v.field in self.editors:
                self._refused[v.field] = v
        self.validate()

    def _show(self, name: str, violations: list[Violation]) -> None:
        editor, error = self.editors[name], self.errors[name]
        if name in self._refused:
            violations = [*violations, self._refused[name]]
        # Empty required fields are not shouted at while the user has not typed yet.
        pristine = (isinstance(editor, QLineEdit) and not editor.isModified() and editor.text() == ""
                    and name not in self._refused)
        if violations and not pristine:
            error.setText(violations_text(violations, i18n.message_language()))
            error.show()
            if isinstance(editor, QLineEdit):
                theme.styled(editor, INVALID_STYLE)
        else:
            error.hide()
            if isinstance(editor, QLineEdit):
                theme.styled(editor, "")

    def _on_edit(self, name: str) -> None:
        self._refused.pop(name, None)  # edited: the server's verdict was about the old value
        f = next(f for f in self.fields if f.name == name)
        self._show(name, f.violations(self._value(f)))
        self.changed.emit()

    def is_valid(self) -> bool:
        return not self.violations()

    def error_text(self, name: str) -> str:
        label = self.errors[name]
        return label.text() if not label.isHidden() else ""
