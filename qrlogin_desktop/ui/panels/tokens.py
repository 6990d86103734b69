"""Stored tokens: what is in the keyring, when each expires, its claims; reveal, copy and delete on demand.

Every keyring call runs on the worker loop (``ctx.run``), so a locked or hung keyring shows an
error banner with Retry instead of freezing the window. The access token is shown redacted; the
full value appears only after an explicit "Reveal" (a toggle, undone when the selection moves), and
leaves the process only through an explicit "Copy token". Delete on the table deletes the selected
token, after the same confirmation as the button.

Messages on the page keep their facts, not their rendered text: a language switch renders them again.
"""

from __future__ import annotations

import asyncio
import enum

from PySide6.QtCore import QEvent, QModelIndex, QObject, QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut, QTextOption
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...flow.session import EMBEDDED_SERVER_LABEL
from ...storage.keystore import StoredToken, TokenKey
from .. import icons, theme
from ..display import local_time, monospace_font
from ..errors_text import describe_error
from ..keyring_text import backend_text
from ..models.record_table import RECORD_ROLE, SORT_ROLE
from ..models.tokens_model import Column, TokensModel
from ..runner import Outcome
from ..widgets.claims_tree import ClaimsTree
from ..widgets.common import (
    ElideMiddle,
    ErrorBanner,
    Panel,
    RevealButton,
    StatusFlash,
    heading_label,
    record_table,
    split,
)

TICK_MS = 1000
MAX_COLUMN_PX = 160  # the other columns' widest (a longer cell is cut, its tooltip holds it): the server's room
TOKEN_MIN_PX = 96  # the redacted token's narrowest, when it gives way to the server
STATUS_MS = 4000


class ListState(enum.Enum):
    """Where the token list stands, shown next to Refresh."""

    IDLE = enum.auto()  # not loaded yet (the page was never shown)
    LOADING = enum.auto()
    LOADED = enum.auto()
    FAILED = enum.auto()  # the last refresh failed; the banner says why


class TokensPanel(Panel):
    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self._loading = False
        self._reload_queued = False
        self._stale = True  # loaded on first show: no keyring prompt for a page nobody opened
        self._state = ListState.IDLE
        self._restoring = False
        self._shown: StoredToken | None = None
        self._pending: list[StoredToken] = []
        self._backend = None  # BackendFacts once the keyring answered

        self.heading = heading_label()
        self.refresh_button = QPushButton()
        self.refresh_button.setObjectName("refreshTokens")
        self.backend_label = QLabel()
        self.backend_label.setWordWrap(True)
        self.backend_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        theme.styled(self.backend_label, "color: {muted};")
        self.memory_warning = QLabel()
        self.memory_warning.setObjectName("memoryWarning")
        self.memory_warning.setWordWrap(True)
        theme.styled(self.memory_warning, "QLabel {{ color: {warning}; background: {warning_bg};"
                                          " border: 1px solid {card_border}; border-radius: 4px; padding: 6px; }}")
        self.memory_warning.hide()
        self.banner = ErrorBanner()
        self.state_label = QLabel()
        theme.styled(self.state_label, "color: {muted};")

        self.model = TokensModel(self._profile_name, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = record_table("tokensTable", self.proxy)
        # The server (a URL) is what tells tokens apart: it takes the room the others leave, and a URL
        # too long even for that loses its middle, not its host or its path's end (the tooltip has it all).
        self.table.setItemDelegateForColumn(Column.SERVER, ElideMiddle(self.table))
        self.table.horizontalHeader().setSectionResizeMode(Column.SERVER, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setHighlightSections(False)
        self.table.viewport().installEventFilter(self)  # a new width shares the columns out again
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(Column.SERVER, Qt.SortOrder.AscendingOrder)

        # --- details of the selected token ---
        self.details_box = QGroupBox()
        self.key_value, self.type_value = QLabel(), QLabel()
        self.obtained_value, self.expiry_value = QLabel(), QLabel()
        for label in (self.key_value, self.type_value, self.obtained_value, self.expiry_value):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
        self.token_view = QPlainTextEdit()
        self.token_view.setObjectName("tokenView")
        self.token_view.setReadOnly(True)
        self.token_view.setFont(monospace_font())
        self.token_view.setWordWrapMode(QTextOption.WrapMode.WrapAnywhere)
        self.token_view.setFixedHeight(self.token_view.fontMetrics().lineSpacing() * 4 + 12)
        self.token_view.setTabChangesFocus(True)
        self.reveal_button = RevealButton()
        self.reveal_button.setObjectName("revealToken")
        self.copy_button = QPushButton()
        self.copy_button.setObjectName("copyToken")
        self.delete_button = QPushButton()
        self.delete_button.setObjectName("deleteToken")
        for button, name in ((self.refresh_button, "refresh"), (self.copy_button, "copy"), (self.delete_button, "delete")):
            icons.set_icon(button, name)
        buttons = QHBoxLayout()
        for b in (self.reveal_button, self.copy_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addStretch(1)

        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._form_labels: dict[str, QLabel] = {}
        for key, widget in (("key", self.key_value), ("type", self.type_value), ("obtained", self.obtained_value),
                            ("expiry", self.expiry_value), ("token", self.token_view)):
            label = QLabel()
            self._form_labels[key] = label
            self.form.addRow(label, widget)
        self.form.addRow(buttons)

        self.claims_label = QLabel()
        self.claims_tree = ClaimsTree()
        claims = QVBoxLayout()
        claims.setContentsMargins(0, 0, 0, 0)
        claims.addWidget(self.claims_label)
        claims.addWidget(self.claims_tree, 1)

        details = QHBoxLayout(self.details_box)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(self.form)
        left_layout.addStretch(1)  # rows keep their natural height; spare room goes below them
        right = QWidget()
        right.setLayout(claims)
        details.addWidget(left, 3)
        details.addWidget(right, 2)

        self.status_label = StatusFlash("tokensStatus", STATUS_MS)

        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.state_label)
        top.addWidget(self.refresh_button)
        splitter = split(Qt.Orientation.Vertical, self.table, self.details_box, sizes=[260, 360])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.backend_label)
        layout.addWidget(self.memory_warning)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status_label)

        # The countdown: only the "expires in" column and the expiry line repaint each second.
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)

        self.refresh_button.clicked.connect(self.refresh)
        self.reveal_button.toggled.connect(self._on_reveal)
        self.copy_button.clicked.connect(self._copy)
        self.delete_button.clicked.connect(self._confirm_delete)
        self.delete_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.table)
        self.delete_shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)  # only while the table has focus
        self.delete_shortcut.activated.connect(self._confirm_delete)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        ctx.tokens_changed.connect(self._on_tokens_changed)
        self.retranslate()
        self._show_details(None)


    # --- texts --------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Stored tokens"))
        self.refresh_button.setText(self.tr("Refresh"))
        self.details_box.setTitle(self.tr("Selected token"))
        labels = {"key": self.tr("Key"), "type": self.tr("Type"), "obtained": self.tr("Obtained"),
                  "expiry": self.tr("Expires"), "token": self.tr("Token")}
        for key, label in self._form_labels.items():
            label.setText(labels[key])
        self.copy_button.setText(self.tr("Copy token"))
        self.copy_button.setToolTip(self.tr("Copy the full token to the clipboard"))
        self.delete_button.setText(self.tr("Delete…"))
        self.claims_label.setText(self.tr("JWT claims (unverified)"))
        self.table.setAccessibleName(self.tr("Stored tokens"))
        self.claims_tree.setAccessibleName(self.tr("JWT claims (unverified)"))
        self.token_view.setAccessibleName(self.tr("Token"))
        self.model.retranslate()
        self._render_backend()
        self._render_state()
        self._show_details(self._shown)

    def _render_backend(self) -> None:
        if self._backend is not None:
            text = backend_text(self._backend)
            usable = self._backend.families and self._backend.fallback is None
            self.backend_label.setText(self.tr("Stored in: {0}").format(text) if usable else text)
            self.backend_label.setToolTip(self._backend.description)  # keyring's own words, for support
        else:
            self.backend_label.setText(self.tr("Keyring: checking…"))
        n = len(self._pending)
        # Said once: with tokens in memory only, the warning (which says why and what to do) stands
        # in for the backend line, which would say "no usable keyring" a second time above it.
        self.memory_warning.setVisible(n > 0)
        self.backend_label.setVisible(n == 0)
        self.memory_warning.setToolTip(self.backend_label.text() if n else "")  # the backend line, still at hand
        if n:
            self.memory_warning.setText(self.tr(
                "⚠ %n token(s) are kept in memory only and will be lost when the app exits: the keyring "
                "could not store them. Unlock or install a keyring (gnome-keyring, KWallet), then log in again.",
                "", n))

    def _render_state(self) -> None:
        n = self.model.rowCount()
        texts = {
            ListState.IDLE: "",
            ListState.LOADING: self.tr("Loading…"),
            ListState.FAILED: self.tr("Could not refresh"),
            ListState.LOADED: self.tr("%n token(s)", "", n) if n else self.tr("No stored tokens"),
        }
        self.state_label.setText(texts[self._state])


    # --- loading ------------------------------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        """The list on screen is the store's answer (not "Loading…", not a failure)."""
        return self._state is ListState.LOADED and not self._loading

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.timer.start()
        if self._stale:
            self.refresh()

    def hideEvent(self, event) -> None:
        self.timer.stop()
        super().hideEvent(event)

    def _on_tokens_changed(self) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def refresh(self) -> None:
        """List the tokens and describe the backend, both off the GUI thread."""
        self._stale = False
        if self._loading:
            self._reload_queued = True  # one more pass once this one is done; never a pile of them
            return
        self._loading = True
        self._state = ListState.LOADING
        self._render_state()
        self.refresh_button.setEnabled(False)
        store = self.ctx.token_store

        async def load() -> tuple[list[StoredToken], list[StoredToken]]:
            tokens = await store.alist()
            pending = await asyncio.to_thread(store.pending)  # takes the store's lock: not on the GUI thread
            return tokens, pending

        self.ctx.run(load(), self._on_loaded)
        self.ctx.run(store.abackend_facts(), self._on_backend)

    def _on_backend(self, outcome: Outcome) -> None:
        if outcome.ok:
            self._backend = outcome.value
            self._render_backend()

    def _on_loaded(self, outcome: Outcome) -> None:
        self._loading = False
        self.refresh_button.setEnabled(True)
        if self._reload_queued:
            self._reload_queued = False
            QTimer.singleShot(0, self.refresh)
        if outcome.cancelled:
            return
        if not outcome.ok:
            self._state = ListState.FAILED
            self._render_state()
            error = outcome.error
            self.banner.show_error(
                lambda: self.tr("Could not list the stored tokens. {0}").format(describe_error(error)), retry=self.refresh)
            return
        self.banner.clear()
        tokens, pending = outcome.value
        selected = self._shown.key if self._shown is not None else None
        self._restoring = True
        try:
            self.model.set_tokens(tokens, [t.key for t in pending])
            row = self.model.row_of(selected) if selected is not None else -1
            if row >= 0:
                self.table.selectRow(self.proxy.mapFromSource(self.model.index(row, 0)).row())
        finally:
            self._restoring = False
        self._pending = pending
        self._state = ListState.LOADED
        self._render_backend()
        self._render_state()
        self._fit_columns()
        self._show_details(self._current_token())

    def _fit_columns(self) -> None:
        """Each column as wide as its contents, at most MAX_COLUMN_PX but for the redacted token (a few
        characters and a count, whole where there is room); the server's column stretches
        over the rest (see __init__), and where that is too little for the server, the redacted token
        (whose tooltip sends the user to Reveal) gives way, down to TOKEN_MIN_PX."""
        table, header = self.table, self.table.horizontalHeader()
        for column in range(self.proxy.columnCount()):
            if column != Column.SERVER:  # as resizeColumnToContents measures, without a second pass
                wanted = max(table.sizeHintForColumn(column), header.sectionSizeHint(column))
                # The redacted token has a bounded length of its own: its natural width, not the cap.
                table.setColumnWidth(column, wanted if column == Column.TOKEN else min(wanted, MAX_COLUMN_PX))
        others = sum(table.columnWidth(column) for column in range(self.proxy.columnCount())
                     if column not in (Column.SERVER, Column.TOKEN))
        room_for_token = table.viewport().width() - others - table.sizeHintForColumn(Column.SERVER)
        token = table.columnWidth(Column.TOKEN)
        table.setColumnWidth(Column.TOKEN, max(TOKEN_MIN_PX, min(token, room_for_token)))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_columns()
        return super().eventFilter(watched, event)

    # --- selection and details ----------------------------------------------------------------------

    def _current_token(self) -> StoredToken | None:
        index = self.table.selectionModel().currentIndex()
        if not index.isValid() or not self.table.selectionModel().isRowSelected(index.row(), QModelIndex()):
            return None
        return index.data(RECORD_ROLE)

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not self._restoring:
            self._show_details(current.data(RECORD_ROLE) if current.isValid() else None)

    def _show_details(self, token: StoredToken | None) -> None:
        if token is None or self._shown is None or token.key != self._shown.key:
            self.reveal_button.conceal()  # another token (or none): whatever was revealed is hidden again
        self._shown = token
        for b in (self.reveal_button, self.copy_button, self.delete_button):
            b.setEnabled(token is not None)
        self.reveal_button.setToolTip(self.tr("Show the full token until another row is selected"))
        if token is None:
            placeholder = self.tr("Select a token above to see its details.")
            self.key_value.setText(placeholder)
            for label in (self.type_value, self.obtained_value, self.expiry_value):
                label.setText("—")
            self.token_view.setPlainText("")
            self.claims_tree.clear_claims()
            return
        self.key_value.setText(str(token.key))
        self.type_value.setText(token.token_type)
        self.obtained_value.setText(local_time(token.obtained_at))
        self._render_expiry(token)
        self.token_view.setPlainText(token.access_token if self.reveal_button.isChecked()
                                     else self.model.redacted_text(token))
        self.claims_tree.show_claims(token.claims)

    def _render_expiry(self, token: StoredToken) -> None:
        self.expiry_value.setText(self.tr("{0} — {1} ({2} s lifetime)").format(
            local_time(token.expires_at), self.model.expires_text(token), token.expires_in))

    def _tick(self) -> None:
        self.model.tick()
        if self._shown is not None:
            self._render_expiry(self._shown)

    # --- actions ------------------------------------------------------------------------------------

    def _on_reveal(self, checked: bool) -> None:
        self._show_details(self._shown)
        if checked and self._shown is not None:
            self.status_label.flash(lambda: self.tr("The full token is shown until you select another row or press Hide."))

    def _copy(self) -> None:
        token = self._shown
        if token is None:
            return
        QGuiApplication.clipboard().setText(token.access_token)
        self.status_label.flash(lambda: self.tr("Token copied to the clipboard ({0}).").format(token.key))

    def _confirm_delete(self) -> None:
        token = self._shown
        if token is None:
            return
        answer = QMessageBox.question(
            self, self.tr("Delete token"),
            self.tr("Delete the stored token for {0}?\n\nIt is removed from the keyring; "
                    "a new one needs another QR login.").format(token.key),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer == QMessageBox.StandardButton.Yes:
            self._delete(token.key)

    def _delete(self, key: TokenKey) -> None:
        self.delete_button.setEnabled(False)

        def done(outcome: Outcome) -> None:
            self.delete_button.setEnabled(self._shown is not None)
            if outcome.ok:
                self.status_label.flash(lambda: self.tr("Deleted the token for {0}.").format(key))
                self.ctx.tokens_changed.emit()  # refreshes this panel and tells the others
            elif not outcome.cancelled:
                error = outcome.error
                self.banner.show_error(
                    lambda: self.tr("Could not delete the token for {0}. {1}").format(key, describe_error(error)),
                    retry=lambda: self._delete(key))

        self.ctx.run(self.ctx.token_store.adelete(key), done)

    # --- helpers ------------------------------------------------------------------------------------

    def _profile_name(self, server: str) -> str | None:
        for profile in self.ctx.profiles.profiles:
            label = EMBEDDED_SERVER_LABEL if profile.embedded_sandbox else profile.base_url.rstrip("/")
            if label == server:
                return profile.name
        return None
