"""An error banner with folded details and an action button named by what it does.

Like every :class:`ErrorBanner`, it keeps the facts behind its message, not the rendered text: each
part (the message, the button's label, the details) is a callable that renders it in the current
language, run again on every switch. The message is one sentence; anything longer goes behind "Details", so
the banner stays one line high and never pushes the page's buttons out of view. The action button
says what it does ("New QR", "Store again"), not a generic "Retry".
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from .common import ErrorBanner

Text = Callable[[], str]


class FactBanner(ErrorBanner):
    def __init__(self, parent: QWidget | None = None):
        self._action_text: Text | None = None
        self._details: Text | None = None
        super().__init__(parent)
        self.details_label = QLabel()
        self.details_label.setWordWrap(True)
        self.details_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details_label.hide()
        self.details_button = QPushButton()
        self.details_button.setCheckable(True)
        self.details_button.setFlat(True)
        self.details_button.toggled.connect(self.details_label.setVisible)
        # The message and its details one above the other, where the base class has the message.
        layout = self.layout()
        layout.removeWidget(self.label)
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.label)
        column.addWidget(self.details_label)
        layout.insertLayout(0, column, 1)
        layout.insertWidget(1, self.details_button, 0, Qt.AlignmentFlag.AlignTop)  # in line with the action
        self.retranslate()

    def show_fact(self, text: Text, action: Callable[[], None] | None = None, *,
                  action_text: Text | None = None, details: Text | None = None) -> None:
        """Show ``text()``; ``action`` behind a button labelled ``action_text()``; ``details()`` folded."""
        self._action_text, self._details = action_text, details
        self.details_button.setChecked(False)
        self.show_error(text, action)
        self._render()

    def clear(self) -> None:
        self._action_text = self._details = None
        super().clear()

    def retranslate(self) -> None:
        super().retranslate()
        if hasattr(self, "details_button"):  # the base class's __init__ calls this before ours ran
            self.details_button.setText(self.tr("Details"))
            self.details_button.setAccessibleName(self.tr("Show the details"))
            self.dismiss_button.setAccessibleName(self.tr("Dismiss the message"))
            self.retry_button.setAccessibleName(self.retry_button.text())
            self._render()

    def _render(self) -> None:
        """The parts beside the message (which the base class renders)."""
        if self._message is None:
            return
        if self._action_text is not None:
            self.retry_button.setText(self._action_text())
        self.retry_button.setAccessibleName(self.retry_button.text())
        details = self._details() if self._details is not None else ""
        self.details_label.setText(details)
        self.details_button.setVisible(bool(details))
        self.label.setToolTip(details)

    @property
    def details_text(self) -> str:
        return self.details_label.text() if self.isVisible() else ""
