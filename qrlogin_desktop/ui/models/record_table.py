"""What every table of records here shares: one record per row, columns named by an IntEnum.

A subclass names its ``columns``, says what each column is called (``header_texts``) and what a
cell shows (``cell``); the record itself is under ``RECORD_ROLE`` and a sortable raw value under
``SORT_ROLE``, so views and proxies need nothing but the roles.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any, ClassVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

RECORD_ROLE = Qt.ItemDataRole.UserRole  # the record of the row
SORT_ROLE = Qt.ItemDataRole.UserRole + 1  # a sortable raw value per column

Index = QModelIndex | QPersistentModelIndex


class RecordTableModel(QAbstractTableModel):
    columns: ClassVar[type[IntEnum]]

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._rows: list[Any] = []

    # --- for the subclass -----------------------------------------------------------------------------

    def header_texts(self) -> dict[Any, str]:
        """Column → its (translated) title."""
        raise NotImplementedError

    def cell(self, record: Any, column: Any, role: int) -> Any:
        """What ``role`` of ``record``'s ``column`` holds (None: nothing)."""
        raise NotImplementedError

    # --- records --------------------------------------------------------------------------------------

    def record_at(self, row: int) -> Any:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def records(self) -> list[Any]:
        return list(self._rows)

    def retranslate(self) -> None:
        """The language changed: titles and cells (sizes, "expired", ...) are written anew."""
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.columns) - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self.columns) - 1))

    # --- QAbstractTableModel --------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if not 0 <= section < len(self.columns):
            return None
        return self.header_texts()[self.columns(section)]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        record = self.record_at(index.row()) if index.isValid() else None
        if record is None:
            return None
        if role == RECORD_ROLE:
            return record
        return self.cell(record, self.columns(index.column()), role)
