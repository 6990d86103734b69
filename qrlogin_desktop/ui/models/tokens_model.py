"""The stored tokens as a table: one row per :class:`StoredToken`, the secret only ever redacted.

No role of this model returns the access token itself: the table, its tooltips and anything a view
may copy out of it carry :meth:`StoredToken.redacted` at most. The panel reads the raw token from
the :class:`StoredToken` object (``RECORD_ROLE``) only for an explicit Reveal or Copy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QBrush, QFont

from ...storage.keystore import StoredToken, TokenKey
from ...storage.keystore.records import redact_parts
from .. import theme
from ..display import local_time, monospace_font, time_left
from .record_table import SORT_ROLE, RecordTableModel

# Under this many seconds left, the countdown turns amber: time to log in again.
EXPIRING_SOON_S = 300


class Column(IntEnum):
    SERVER = 0
    APP_KEY = 1
    ACCOUNT = 2
    OBTAINED = 3
    EXPIRES_IN = 4
    TOKEN = 5


class TokensModel(RecordTableModel):
    """Rows of StoredToken. ``profile_name(server)`` names the profile a server label belongs to."""

    columns = Column

    def __init__(self, profile_name: Callable[[str], str | None] | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._memory_only: set[TokenKey] = set()
        self._profile_name = profile_name or (lambda _server: None)

    # --- contents ---------------------------------------------------------------------------------

    def set_tokens(self, tokens: Iterable[StoredToken], memory_only: Iterable[TokenKey] = ()) -> None:
        self.beginResetModel()
        self._rows = sorted(tokens, key=lambda t: (t.key.server, t.key.app_key, t.key.account))
        self._memory_only = set(memory_only)
        self.endResetModel()

    def row_of(self, key: TokenKey) -> int:
        for row, token in enumerate(self._rows):
            if token.key == key:
                return row
        return -1

    def tick(self) -> None:
        """The countdown moved on: repaint only the "expires in" column."""
        if self._rows:
            top = self.index(0, Column.EXPIRES_IN)
            bottom = self.index(len(self._rows) - 1, Column.EXPIRES_IN)
            self.dataChanged.emit(top, bottom, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole,
                                                SORT_ROLE])

    # --- cells ------------------------------------------------------------------------------------------

    def header_texts(self) -> dict[Column, str]:
        return {
            Column.SERVER: self.tr("Server (profile)"),
            Column.APP_KEY: self.tr("appKey"),
            Column.ACCOUNT: self.tr("Account"),
            Column.OBTAINED: self.tr("Obtained"),
            Column.EXPIRES_IN: self.tr("Expires in"),
            Column.TOKEN: self.tr("Token (redacted)"),
        }

    def cell(self, token: StoredToken, column: Column, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(token, column)
        if role == SORT_ROLE:
            if column == Column.OBTAINED:
                return token.obtained_at
            if column == Column.EXPIRES_IN:
                return token.expires_at
            return self._display(token, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(token, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == Column.EXPIRES_IN:
            left = token.seconds_left()
            if left <= 0:
                return QBrush(theme.color("error"))  # asked at paint time: the current scheme's
            if left < EXPIRING_SOON_S:
                return QBrush(theme.color("warning"))
            return None
        if role == Qt.ItemDataRole.FontRole:
            font = monospace_font() if column == Column.TOKEN else QFont()
            if token.key in self._memory_only:
                font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column == Column.EXPIRES_IN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, token: StoredToken, column: Column) -> str:
        key = token.key
        if column == Column.SERVER:
            profile = self._profile_name(key.server)
            return self.tr("{0} ({1})", "a server and its profile").format(key.server, profile) if profile else key.server
        if column == Column.APP_KEY:
            return key.app_key
        if column == Column.ACCOUNT:
            return key.account
        if column == Column.OBTAINED:
            return local_time(token.obtained_at)
        if column == Column.EXPIRES_IN:
            return self.expires_text(token)
        return self.redacted_text(token)

    def redacted_text(self, token: StoredToken) -> str:
        """:meth:`StoredToken.redacted`'s parts, the length in the UI's language."""
        head, n, tail = redact_parts(token.access_token)
        return self.tr("{0}…({1} chars)…{2}").format(head, n, tail)

    def expires_text(self, token: StoredToken) -> str:
        left = token.seconds_left()
        return time_left(left) if left > 0 else self.tr("expired")

    def _tooltip(self, token: StoredToken, column: Column) -> str | None:
        if column == Column.EXPIRES_IN:
            text = self.tr("Expires at {0}").format(local_time(token.expires_at))
        elif column == Column.TOKEN:
            text = self.tr("Select the row and use Reveal or Copy token to see the full token.")
        else:
            text = self._display(token, column)  # the whole text of a cell the column may cut short
        if token.key in self._memory_only:
            return text + "\n" + self.tr("Kept in memory only: this token is lost when the app exits.")
        return text
