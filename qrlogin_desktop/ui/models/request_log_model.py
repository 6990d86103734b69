"""The request log as a table of :class:`Exchange` records, plus the filter the panel puts over it.

Records arrive already redacted by the client, so every role here is safe to show and copy.
Rows are appended with ``beginInsertRows`` (a long session never resets the view) and the oldest
are dropped past ``max_entries`` so memory stays bounded.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QModelIndex, QObject, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush

from ...api.exchange import Exchange
from .. import theme
from ..display import TIME_MS, data_size, local_time, method_color_name
from .record_table import RECORD_ROLE, SORT_ROLE, Index, RecordTableModel

MAX_ENTRIES = 5_000


class Column(IntEnum):
    TIME = 0
    METHOD = 1
    PATH = 2
    STATUS = 3  # HTTP
    CODE = 4  # the envelope's
    LATENCY = 5
    # The answer's size; the request's is in its tooltip (one column less leaves the path the room).
    RESPONSE_SIZE = 6


_NUMERIC = (Column.LATENCY, Column.RESPONSE_SIZE)


def is_failure(x: Exchange) -> bool:
    """Shown red and kept by "Errors only": the API layer's verdict (a pending 408/202 is no failure)."""
    return x.failed


def path_of(x: Exchange) -> str:
    """The URL without scheme and host (the query string kept: it is already redacted)."""
    parts = urlsplit(x.url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def time_of(x: Exchange) -> str:
    return local_time(x.started_at, TIME_MS)


def status_of(x: Exchange) -> str:
    if x.status is not None:
        return str(x.status)
    return (x.error or "").splitlines()[0] if x.error else "—"


def code_of(x: Exchange) -> str:
    return str(x.envelope_code) if x.envelope_code is not None else "—"


def search_text(x: Exchange) -> str:
    """What the filter box matches: method, path, status, code, endpoint (and the error), lower-cased."""
    return " ".join((x.method, path_of(x), str(x.status or ""), str(x.envelope_code or ""), x.endpoint,
                     x.error or "")).lower()


class RequestLogModel(RecordTableModel):
    """Rows of Exchange, oldest first."""

    columns = Column

    def __init__(self, max_entries: int = MAX_ENTRIES, parent: QObject | None = None):
        super().__init__(parent)
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries

    # --- contents ---------------------------------------------------------------------------------

    def append(self, exchange: Exchange) -> None:
        overflow = len(self._rows) + 1 - self.max_entries
        if overflow > 0:
            self.beginRemoveRows(QModelIndex(), 0, overflow - 1)
            del self._rows[:overflow]
            self.endRemoveRows()
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append(exchange)
        self.endInsertRows()

    def prepend(self, older: list[Exchange]) -> None:
        """Records from before the first one shown (the history of earlier runs), oldest first;
        as many as there is room for, the newest of them kept."""
        room = self.max_entries - len(self._rows)
        older = older[-room:] if room > 0 else []
        if not older:
            return
        self.beginInsertRows(QModelIndex(), 0, len(older) - 1)
        self._rows[:0] = older
        self.endInsertRows()

    def clear(self) -> None:
        self.beginResetModel()
        self._rows.clear()
        self.endResetModel()

    # --- cells ------------------------------------------------------------------------------------------

    def header_texts(self) -> dict[Column, str]:
        return {
            Column.TIME: self.tr("Time"),
            Column.METHOD: self.tr("Method"),
            Column.PATH: self.tr("Path"),
            Column.STATUS: self.tr("HTTP"),
            Column.CODE: self.tr("Code"),
            Column.LATENCY: self.tr("Latency"),
            Column.RESPONSE_SIZE: self.tr("Size"),
        }

    def cell(self, x: Exchange, column: Column, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(x, column)
        if role == SORT_ROLE:
            return {Column.TIME: x.started_at, Column.LATENCY: x.latency_ms, Column.RESPONSE_SIZE: x.response_size, Column.STATUS: x.status or 0,
                    Column.CODE: x.envelope_code if x.envelope_code is not None else -1}.get(
                column, self._display(x, column))
        if role == Qt.ItemDataRole.ForegroundRole and is_failure(x) and column in (
                Column.STATUS, Column.CODE, Column.PATH):
            return QBrush(theme.color("error"))  # asked at paint time: the current scheme's
        if role == Qt.ItemDataRole.ForegroundRole and column == Column.METHOD:
            return QBrush(theme.color(method_color_name(x.method)))  # the endpoint pages' badge colour
        if role == Qt.ItemDataRole.ToolTipRole:
            if column in (Column.STATUS, Column.CODE) and x.error:
                return x.error
            if column == Column.CODE and x.envelope_code is None:
                return self.tr("No envelope: no answer, an image, or not the API's JSON")
            if column == Column.PATH:
                return f"{x.endpoint}\n{x.url}" if x.endpoint else x.url
            if column == Column.RESPONSE_SIZE:
                return self.tr("Response: {0} bytes\nRequest: {1} bytes").format(x.response_size, x.request_size)
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.TextAlignmentRole and (
                (column == Column.STATUS and x.status is not None) or column == Column.CODE):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    @staticmethod
    def _display(x: Exchange, column: Column) -> str:
        if column == Column.TIME:
            return time_of(x)
        if column == Column.METHOD:
            return x.method
        if column == Column.PATH:
            return path_of(x)
        if column == Column.STATUS:
            return status_of(x)
        if column == Column.CODE:
            return code_of(x)
        if column == Column.LATENCY:
            return f"{x.latency_ms:,.1f} ms"
        return data_size(x.response_size)


class RequestLogFilter(QSortFilterProxyModel):
    """Case-insensitive text match on method/path/status/code/endpoint, and an "errors only" switch."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._needle = ""
        self._errors_only = False
        self.setSortRole(SORT_ROLE)

    @property
    def text(self) -> str:
        return self._needle

    def set_text(self, text: str) -> None:
        needle = text.strip().lower()
        if needle != self._needle:
            self._change(lambda: setattr(self, "_needle", needle))

    def set_errors_only(self, on: bool) -> None:
        if on != self._errors_only:
            self._change(lambda: setattr(self, "_errors_only", on))

    def _change(self, apply) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.9: the non-deprecated way
            self.beginFilterChange()
            apply()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover - older Qt
            apply()
            self.invalidateFilter()

    def accepts(self, x: Exchange) -> bool:
        if self._errors_only and not is_failure(x):
            return False
        return not self._needle or all(word in search_text(x) for word in self._needle.split())

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        x = model.record_at(source_row) if isinstance(model, RequestLogModel) else None
        return x is not None and self.accepts(x)

    def visible_exchanges(self) -> list[Exchange]:
        """The rows that pass the filter, oldest first (HAR wants chronological order)."""
        model = self.sourceModel()
        if not isinstance(model, RequestLogModel):
            return []
        return [x for x in model.records() if self.accepts(x)]

    def exchange(self, proxy_row: int) -> Exchange | None:
        return self.index(proxy_row, 0).data(RECORD_ROLE) if 0 <= proxy_row < self.rowCount() else None

