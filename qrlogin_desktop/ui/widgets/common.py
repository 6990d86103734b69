"""Small building blocks the panels share: the panel base class, the in-place error banner, the
Reveal toggle, the self-clearing status line, the record table, split panes and page headings."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QWidget,
)

from .language import Retranslating


class Panel(Retranslating, QWidget):
    """A page of the main window. Texts are set in ``retranslate()`` so a language switch is live."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx


class ErrorBanner(Retranslating, QFrame):
    """A clear message in place, with a Retry button when the action can be retried."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("errorBanner")
        self.setStyleSheet("#errorBanner { background: #fdecea; border: 1px solid #f5c2c0; border-radius: 4px; }"
                           "#errorBanner QLabel { color: #8a1c1c; }")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.retry_button = QPushButton()
        self.dismiss_button = QPushButton("×")
        self.dismiss_button.setFlat(True)
        self.dismiss_button.setFixedWidth(24)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.retry_button)
        layout.addWidget(self.dismiss_button)
        self._retry: Callable[[], None] | None = None
        self.retry_button.clicked.connect(self._on_retry)
        self.dismiss_button.clicked.connect(self.clear)
        self.retranslate()
        self.hide()

    def retranslate(self) -> None:
        self.retry_button.setText(self.tr("Retry"))

    def show_error(self, text: str, retry: Callable[[], None] | None = None) -> None:
        self.label.setText(text)
        self._retry = retry
        self.retry_button.setVisible(retry is not None)
        self.show()

    def clear(self) -> None:
        self._retry = None
        self.label.clear()
        self.hide()

    @property
    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""

    def _on_retry(self) -> None:
        retry = self._retry
        self.clear()
        if retry is not None:
            retry()


class RevealButton(Retranslating, QPushButton):
    """The "Reveal" / "Hide" toggle of a secret shown redacted until the user asks for it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setCheckable(True)
        self.toggled.connect(self.retranslate)  # connected first: the text is right before other slots run
        self.retranslate()

    def conceal(self) -> None:
        """Back to hidden without a ``toggled`` signal (the owner shows the redacted text itself)."""
        self.blockSignals(True)
        self.setChecked(False)
        self.blockSignals(False)
        self.retranslate()

    def retranslate(self, *_checked: bool) -> None:
        self.setText(self.tr("Hide") if self.isChecked() else self.tr("Reveal"))


class StatusFlash(QLabel):
    """A one-line confirmation ("Token copied", "Exported 3 requests") that clears itself."""

    def __init__(self, object_name: str, duration_ms: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(object_name)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(duration_ms)
        self._timer.timeout.connect(self.clear)

    def flash(self, text: str) -> None:
        self.setText(text)
        self._timer.start()


def record_table(object_name: str, model) -> QTableView:
    """A read-only table of records (tokens, requests): whole rows selected one at a time."""
    table = QTableView()
    table.setObjectName(object_name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setTabKeyNavigation(False)  # Tab leaves the table (arrows move inside it): keyboard users never get stuck
    table.verticalHeader().hide()
    return table


def split(orientation: Qt.Orientation, first: QWidget, second: QWidget, *, stretch: tuple[int, int] = (1, 1),
          sizes: list[int] | None = None) -> QSplitter:
    """Two panes the user can resize; neither collapses away; ``stretch`` shares out spare room."""
    splitter = QSplitter(orientation)
    splitter.addWidget(first)
    splitter.addWidget(second)
    splitter.setStretchFactor(0, stretch[0])
    splitter.setStretchFactor(1, stretch[1])
    splitter.setChildrenCollapsible(False)
    if sizes is not None:
        splitter.setSizes(sizes)
    return splitter


def heading_label() -> QLabel:
    """A page's title: bold, a size above the text."""
    label = QLabel()
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.3)
    font.setBold(True)
    label.setFont(font)
    return label
