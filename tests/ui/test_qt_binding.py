"""Guard against a Qt binding that leaks or over-frees references (PySide6 6.12.0 on Python < 3.12
lowers None's reference count on every void call and aborts the app after a few thousand)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import QLabel


class _EmptyModel(QAbstractTableModel):
    def rowCount(self, parent=QModelIndex()):  # noqa: B008 - Qt API
        return 3

    def columnCount(self, parent=QModelIndex()):  # noqa: B008
        return 3

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        return None  # what every model returns for roles it does not handle


def test_void_calls_and_none_returns_keep_reference_counts_level(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    model = _EmptyModel()
    before = sys.getrefcount(None)
    for _ in range(500):
        label.setText("x")  # a void call
        model.data(model.index(0, 0))  # Python returning None to Qt through the binding
        model.index(1, 1).data()  # C++ asking the model: None crosses back
    drift = sys.getrefcount(None) - before
    assert abs(drift) < 50, f"None's reference count drifted by {drift} over 1,500 binding calls"
