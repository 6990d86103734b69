"""Profiles and settings: servers, appKeys, credentials (keyring), options, language.

The profile file holds no secret: the bearer credential typed here goes straight to the keyring
(off the GUI thread) and the file only ever sees the profile's id. A stored credential is never
loaded back into the form: the page only learns *whether* one is stored (a bool from the worker
thread). Saving with the field empty keeps the stored one; only "Remove credential", confirmed,
deletes it. Its value is read only on an explicit Reveal or Copy (from the keyring, off the GUI
thread; the embedded sandbox's from its running connection), shown in a read-only field that is
masked again whenever the profile changes, and never logged.

Messages on the page keep their facts, not their rendered text: a language switch renders them again.

Layout: the profile list beside a splitter; the profile's name and its actions (Use, Save) above three
tabs (connection, polling, code table), each of which fits a 1024x640 window without scrolling.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...api.catalogue import BEARER_TOKEN
from ...api.errors import ValidationError, violations_text
from ...flow.policy import Action
from ...storage.profiles import Profile
from .. import i18n, icons, theme
from ..errors_text import describe_error
from ..keyring_text import backend_text
from ..runner import Outcome
from ..widgets.common import ErrorBanner, Panel, RevealButton, StatusFlash
from ..widgets.language import Retranslating

STATUS_MS = 4000
NUMBER_FIELD_MAX_WIDTH = 160  # px: "3600" or "300.00" and the arrows; a wider box is only empty space
CODE_TABLE_ROWS_SHOWN = 12  # the code table grows to this many rows (the built-in table has 10), then scrolls
LANGUAGE_MAX_WIDTH = 240  # px: the longest choice and the arrow
PROFILE_LIST_WIDTH = 240  # px: the profile list's first width; the splitter beside it resizes it
PROFILE_LIST_MIN_WIDTH = 160
MASK = "•" * 12  # what the stored-credential field shows until Reveal: nothing of the secret itself


def _spin(minimum: float, maximum: float, step: float, decimals: int = 2) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(minimum, maximum)
    box.setSingleStep(step)
    box.setDecimals(decimals)
    return box


def _row(stretched: QWidget, *buttons: QWidget) -> QWidget:
    """One line of a form: ``stretched`` takes the width the ``buttons`` after it leave."""
    layout = QHBoxLayout()
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(stretched, 1)
    for button in buttons:
        layout.addWidget(button)
    row = QWidget()
    row.setLayout(layout)
    return row


class _TabPage(QScrollArea):
    """A tab of the profile form: as tall as its content, scrolling only in a window too small for it."""

    def __init__(self, layout: QVBoxLayout):
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes from the tab bar to the first field
        content = QWidget()
        content.setLayout(layout)
        self.setWidget(content)

    def sizeHint(self) -> QSize:
        return self.widget().sizeHint()  # QScrollArea's own hint is capped at a few dozen lines


class _Column(QWidget):
    """The profile list's column: ``width`` px to start with (the splitter's first split), never less
    than PROFILE_LIST_MIN_WIDTH; the user drags it wider or narrower."""

    def __init__(self, layout: QVBoxLayout, width: int):
        super().__init__()
        self.setLayout(layout)
        self._width = width
        self.setMinimumWidth(PROFILE_LIST_MIN_WIDTH)

    def sizeHint(self) -> QSize:
        return QSize(self._width, super().sizeHint().height())


class CodeTableEditor(Retranslating, QTableWidget):
    """Envelope code → what the poller does; starts from the built-in table, edits override it.

    Each action is shown in words (and the current language); the stored value stays the
    :class:`Action`'s own (``"retry"``), kept as the combo item's data.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, 2, parent)
        self.setObjectName("codeTable")
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)  # the words need room
        self.verticalHeader().hide()
        self.setTabKeyNavigation(False)  # Tab leaves the table; arrows move inside it
        # As tall as its rows (up to CODE_TABLE_ROWS_SHOWN): the built-in table shows whole, no scroll bar.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # the action column stretches
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        # Rows as tall as the action combo in them, not Fusion's roomier default: ten rows fit 640 px.
        self.verticalHeader().setDefaultSectionSize(max(QComboBox().sizeHint().height(),
                                                        self.fontMetrics().height() + 6))
        self.model().rowsInserted.connect(self.updateGeometry)
        self.model().rowsRemoved.connect(self.updateGeometry)
        self.itemChanged.connect(self._on_item_changed)
        self.retranslate()

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self._height_for(CODE_TABLE_ROWS_SHOWN))

    def minimumSizeHint(self) -> QSize:
        return QSize(super().minimumSizeHint().width(), self._height_for(3))

    def _height_for(self, rows: int) -> int:
        shown = range(min(rows, self.rowCount()))
        return (self.horizontalHeader().sizeHint().height() + sum(self.rowHeight(row) for row in shown)
                + 2 * self.frameWidth())

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        combo = self.cellWidget(item.row(), 1)
        if item.column() == 0 and isinstance(combo, QComboBox):
            self._name_combo(item.row(), combo)  # the combo's name says which code it is for

    def action_texts(self) -> dict[str, str]:
        return {
            Action.WAIT.value: self.tr("Keep waiting"),
            Action.SCANNED.value: self.tr("Scanned: poll faster"),
            Action.RATE_LIMITED.value: self.tr("Rate limited: wait, then poll"),
            Action.RETRY.value: self.tr("Retry with backoff"),
            Action.EXPIRED.value: self.tr("QR expired"),
            Action.DECLINED.value: self.tr("Declined on the phone"),
            Action.STOP.value: self.tr("Stop with the error"),
        }

    def retranslate(self) -> None:
        self.setHorizontalHeaderLabels([self.tr("Code"), self.tr("Poller action")])
        self.setAccessibleName(self.tr("Code table"))
        texts = self.action_texts()
        for row in range(self.rowCount()):
            combo = self.cellWidget(row, 1)
            if isinstance(combo, QComboBox):
                for index in range(combo.count()):
                    combo.setItemText(index, texts[combo.itemData(index)])
                self._name_combo(row, combo)

    def _name_combo(self, row: int, combo: QComboBox) -> None:
        item = self.item(row, 0)
        combo.setAccessibleName(self.tr("Poller action for code {0}").format(item.text() if item else ""))

    def set_table(self, overrides: dict[str, str]) -> None:
        from ...flow.policy import DEFAULT_CODES

        merged = {str(k): v.value for k, v in DEFAULT_CODES.items()}
        merged.update(overrides)
        self.setRowCount(0)
        for code, action in sorted(merged.items(), key=lambda kv: int(kv[0]) if kv[0].isdigit() else 0):
            self.add_row(code, action)

    def add_row(self, code: str = "", action: str = Action.STOP.value) -> None:
        row = self.rowCount()
        self.insertRow(row)
        self.setItem(row, 0, QTableWidgetItem(code))
        combo = QComboBox()
        texts = self.action_texts()
        for a in Action:
            combo.addItem(texts[a.value], a.value)
        combo.setCurrentIndex(max(0, combo.findData(action)))
        self.setCellWidget(row, 1, combo)
        self._name_combo(row, combo)

    def add_code(self) -> None:
        """A new row, its code cell in edit mode (in sight also when the table scrolls)."""
        self.add_row()
        item = self.item(self.rowCount() - 1, 0)
        self.scrollToItem(item)
        self.setCurrentItem(item)
        self.editItem(item)

    def table(self) -> dict[str, str]:
        from ...flow.policy import DEFAULT_CODES

        defaults = {str(k): v.value for k, v in DEFAULT_CODES.items()}
        out = {}
        for row in range(self.rowCount()):
            item = self.item(row, 0)
            code = item.text().strip() if item else ""
            combo = self.cellWidget(row, 1)
            action = combo.currentData() if isinstance(combo, QComboBox) else ""
            if code and defaults.get(code) != action:
                out[code] = action  # only what differs from the built-in table is stored
        return out


class SettingsPanel(Panel):
    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self._editing: Profile | None = None
        self.banner = ErrorBanner()
        self.profile_list = QListWidget()
        self.profile_list.setObjectName("profileList")
        self.new_button, self.delete_button = QPushButton(), QPushButton()
        self.import_button, self.export_button = QPushButton(), QPushButton()
        self.use_button, self.save_button = QPushButton(), QPushButton()
        self.save_button.setObjectName("saveProfile")
        self.use_button.setObjectName("useProfile")

        self.name = QLineEdit()
        self.base_url = QLineEdit()
        self.base_url.setObjectName("baseUrl")
        self.app_key = QLineEdit()
        self.app_key.setObjectName("appKey")
        self.credential = QLineEdit()
        self.credential.setEchoMode(QLineEdit.EchoMode.Password)
        self.credential.setObjectName("credential")
        self.show_credential = QCheckBox()
        self.credential_state = QLabel()
        self.credential_state.setObjectName("credentialState")
        self.credential_state.setWordWrap(True)
        self.replace_credential_button, self.remove_credential_button = QPushButton(), QPushButton()
        self.remove_credential_button.setObjectName("removeCredential")
        self.credential_stored: bool | None = None  # None: not known yet (the keyring is asked off the GUI thread)
        self.credential_row = _row(self.credential_state, self.replace_credential_button, self.remove_credential_button)
        # The stored credential, masked until Reveal; read on demand, forgotten on Hide.
        self.stored_credential = QLineEdit(MASK)
        self.stored_credential.setObjectName("storedCredential")
        self.stored_credential.setReadOnly(True)
        self.reveal_credential_button = RevealButton()
        self.reveal_credential_button.setObjectName("revealCredential")
        self.copy_credential_button = QPushButton()
        self.copy_credential_button.setObjectName("copyCredential")
        self.stored_row = _row(self.stored_credential, self.reveal_credential_button, self.copy_credential_button)
        self.status_label = StatusFlash("settingsStatus", STATUS_MS)
        self.verify_tls = QCheckBox()
        self.timeout = _spin(0.5, 300, 1)
        self.poll_min = _spin(0.05, 60, 0.05)
        self.poll_idle = _spin(0.05, 60, 0.25)
        self.session_ttl = _spin(1, 3600, 10, 0)
        self.auto_refresh = QSpinBox()
        self.auto_refresh.setRange(0, 20)
        self.payload_template = QLineEdit()
        self.code_table = CodeTableEditor()
        self.add_code_button = QPushButton()
        for button, name in ((self.new_button, "add"), (self.delete_button, "delete"), (self.import_button, "import"),
                             (self.export_button, "export"), (self.use_button, "confirm"), (self.save_button, "save"),
                             (self.replace_credential_button, "credential"),
                             (self.remove_credential_button, "delete"), (self.copy_credential_button, "copy"),
                             (self.add_code_button, "add")):
            icons.set_icon(button, name)  # the Reveal buttons draw their own (eye / eye-off)
        self.http_warning = QLabel()
        theme.styled(self.http_warning, "color: {warning};")
        self.http_warning.setWordWrap(True)
        self.sandbox_note = QLabel()
        self.sandbox_note.setWordWrap(True)
        theme.styled(self.sandbox_note, "color: {muted};")

        self.language = QComboBox()
        self.language.setObjectName("language")
        self.language.setMaximumWidth(LANGUAGE_MAX_WIDTH)
        self.language.addItem("", i18n.SYSTEM)  # "System", in the current language (see retranslate)
        for choice in (i18n.ENGLISH, i18n.CHINESE):
            self.language.addItem(i18n.NATIVE_NAMES[choice], choice)  # a language is named in itself
        self.keyring_label = QLabel()
        self.keyring_label.setWordWrap(True)

        self._labels: dict[str, QLabel] = {}
        # The profile's fields in three tabs, so that each fits a 1024x640 window without scrolling; the
        # actions (Use, Save) sit above the tabs, always in sight and never under a floating banner.
        self.form = self._form((("base_url", self.base_url), ("app_key", self.app_key),
                                ("credential", self.credential), ("", self.show_credential),
                                ("", self.credential_row), ("stored_credential", self.stored_row),
                                ("verify_tls", self.verify_tls), ("timeout", self.timeout)))
        self.polling_form = self._form((("poll_min", self.poll_min), ("poll_idle", self.poll_idle),
                                        ("session_ttl", self.session_ttl), ("auto_refresh", self.auto_refresh),
                                        ("payload_template", self.payload_template)))
        for spin in (self.timeout, self.poll_min, self.poll_idle, self.session_ttl, self.auto_refresh):
            spin.setMaximumWidth(NUMBER_FIELD_MAX_WIDTH)
        connection = QVBoxLayout()
        connection.addWidget(self.sandbox_note)
        connection.addLayout(self.form)
        connection.addWidget(self.http_warning)  # last: appearing while the URL is typed, it moves no field
        polling = QVBoxLayout()
        polling.addLayout(self.polling_form)
        codes = QVBoxLayout()
        self.code_note = QLabel()
        self.code_note.setWordWrap(True)
        theme.styled(self.code_note, "color: {muted};")
        above_table = QHBoxLayout()  # beside the note, not under the table: the tab fits 1024x640
        above_table.addWidget(self.code_note, 1)
        above_table.addWidget(self.add_code_button, 0, Qt.AlignmentFlag.AlignTop)
        codes.addLayout(above_table)
        codes.addWidget(self.code_table)
        self.profile_tabs = QTabWidget()
        self.profile_tabs.setObjectName("profileTabs")
        for layout in (connection, polling, codes):
            layout.addStretch(1)
            self.profile_tabs.addTab(_TabPage(layout), "")

        left = QVBoxLayout()
        left.setContentsMargins(0, 0, 0, 0)
        left.addWidget(self.profile_list, 1)
        row = QHBoxLayout()
        for b in (self.new_button, self.delete_button):
            row.addWidget(b)
        left.addLayout(row)
        row = QHBoxLayout()
        for b in (self.import_button, self.export_button):
            row.addWidget(b)
        left.addLayout(row)
        self.profiles_column = _Column(left, PROFILE_LIST_WIDTH)

        self.profile_box = QGroupBox()
        right = QVBoxLayout(self.profile_box)
        top = QHBoxLayout()
        self.name_label = QLabel()
        self.name_label.setBuddy(self.name)
        top.addWidget(self.name_label)
        top.addWidget(self.name, 3)
        top.addWidget(self.status_label, 2)  # beside the buttons: a confirmation moves no control
        top.addWidget(self.use_button)
        top.addWidget(self.save_button)
        right.addLayout(top)
        right.addWidget(self.profile_tabs)

        self.app_box = QGroupBox()
        app_form = QFormLayout(self.app_box)
        self.language_label = QLabel()
        self.keyring_title = QLabel()
        app_form.addRow(self.language_label, self.language)
        app_form.addRow(self.keyring_title, self.keyring_label)
        self.language_label.setBuddy(self.language)

        form_column = QVBoxLayout()
        form_column.setContentsMargins(0, 0, 0, 0)
        form_column.addWidget(self.profile_box)
        form_column.addWidget(self.app_box)
        form_column.addStretch(1)  # on a tall screen the boxes keep their own height
        form_side = QWidget()
        form_side.setLayout(form_column)
        self.splitter = QSplitter()
        self.splitter.setObjectName("settingsSplitter")
        self.splitter.addWidget(self.profiles_column)
        self.splitter.addWidget(form_side)
        self.splitter.setStretchFactor(0, 0)  # a wider window widens the form, not the list
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        outer = QVBoxLayout(self)
        outer.addWidget(self.banner)
        outer.addWidget(self.splitter)

        self.profile_list.currentItemChanged.connect(self._on_select)
        self.new_button.clicked.connect(self.new_profile)
        self.delete_button.clicked.connect(self.delete_profile)
        self.import_button.clicked.connect(self.import_profiles)
        self.export_button.clicked.connect(self.export_profiles)
        self.save_button.clicked.connect(lambda: self.save_profile())
        self.use_button.clicked.connect(self.use_profile)
        self.replace_credential_button.clicked.connect(self.credential.setFocus)
        self.reveal_credential_button.toggled.connect(self._on_reveal_credential)
        self.copy_credential_button.clicked.connect(self.copy_credential)
        self.remove_credential_button.clicked.connect(self.remove_credential)
        self.add_code_button.clicked.connect(self.code_table.add_code)
        self.show_credential.toggled.connect(
            lambda on: self.credential.setEchoMode(QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password))
        self.base_url.textChanged.connect(self._update_warning)
        self.language.currentIndexChanged.connect(self._on_language)
        # Enter in any field of the profile form saves it (the page's default action).
        for field in (self.name, self.base_url, self.app_key, self.credential, self.payload_template):
            field.returnPressed.connect(self._save_from_keyboard)
        for spin in (self.timeout, self.poll_min, self.poll_idle, self.session_ttl, self.auto_refresh):
            spin.lineEdit().returnPressed.connect(self._save_from_keyboard)  # a spin box passes Enter on
        ctx.profiles_changed.connect(self.reload)
        ctx.connection_changed.connect(self._on_connection_changed)
        self._error: tuple[Callable[[], str], Callable[[], None] | None] | None = None
        self._flash: Callable[[], str] | None = None  # the confirmation shown beside Save, as facts
        self._keyring_facts = None  # BackendFacts once the keyring answered
        self._keyring_error: Exception | None = None

        current = ctx.profiles.settings.get("language", i18n.SYSTEM)
        self.language.setCurrentIndex(max(0, self.language.findData(current)))
        self.retranslate()
        self.reload()
        self.refresh_keyring()

    def _form(self, rows: tuple[tuple[str, QWidget], ...]) -> QFormLayout:
        """A form of ``(label key, field)`` rows; an empty key: a row without a label of its own."""
        form = QFormLayout()
        for key, widget in rows:
            label = QLabel()
            if key:
                self._labels[key] = label
                label.setBuddy(self.stored_credential if widget is self.stored_row else widget)
            form.addRow(label, widget)
        return form

    # --- texts --------------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        texts = {
            "base_url": self.tr("Base URL"), "app_key": self.tr("appKey"),
            "credential": self.tr("Bearer credential"), "verify_tls": self.tr("TLS"),
            "timeout": self.tr("Timeout (s)"), "poll_min": self.tr("Fastest poll interval (s)"),
            "poll_idle": self.tr("Idle poll interval (s)"), "session_ttl": self.tr("QR lifetime (s)"),
            "auto_refresh": self.tr("Auto-refresh expired QRs"), "payload_template": self.tr("QR payload template"),
            "stored_credential": self.tr("Stored credential"),
        }
        for key, label in self._labels.items():
            label.setText(texts[key])
        self.name_label.setText(self.tr("Name"))
        for index, text in enumerate((self.tr("Connection"), self.tr("Polling"), self.tr("Code table"))):
            self.profile_tabs.setTabText(index, text)
        self.code_note.setText(self.tr("What the poller does when an answer carries this envelope code. Only "
                                       "the rows that differ from the built-in table are saved."))
        self.language.setItemText(self.language.findData(i18n.SYSTEM), self.tr("System"))
        self.show_credential.setText(self.tr("Show credential"))
        self.verify_tls.setText(self.tr("Verify certificates"))
        self.payload_template.setToolTip(self.tr("Placeholders: {signInKey}, {appKey}, {server}"))
        self.add_code_button.setText(self.tr("Add code"))
        self.new_button.setText(self.tr("New"))
        self.delete_button.setText(self.tr("Delete…"))
        self.import_button.setText(self.tr("Import…"))
        self.export_button.setText(self.tr("Export…"))
        self.use_button.setText(self.tr("Use this profile"))
        self.replace_credential_button.setText(self.tr("Replace"))
        self.remove_credential_button.setText(self.tr("Remove credential…"))
        self.save_button.setText(self.tr("Save"))
        self.profile_box.setTitle(self.tr("Profile"))
        self.app_box.setTitle(self.tr("Application"))
        self.language_label.setText(self.tr("Language"))
        self.keyring_title.setText(self.tr("Keyring"))
        self.sandbox_note.setText(self.tr("The embedded sandbox: its address and credential are filled in at "
                                          "launch, on a free loopback port."))
        self.copy_credential_button.setText(self.tr("Copy credential"))
        self.copy_credential_button.setToolTip(self.tr("Copy the full credential to the clipboard"))
        self.reveal_credential_button.setToolTip(self.tr("Show the stored credential until another profile "
                                                         "is selected"))
        self.profile_list.setAccessibleName(self.tr("Profiles"))
        self.language.setAccessibleName(self.tr("Language"))
        self._update_warning()
        self._show_credential_state()
        self._show_address()
        self._render_keyring()
        if self._error is not None and self.banner.isVisible():
            self.banner.show_error(self._error[0](), self._error[1])  # the same facts, in the new language
        if self._flash is not None and self.status_label.text():
            self.status_label.setText(self._flash())

    # --- list ----------------------------------------------------------------------------------------------

    def reload(self) -> None:
        selected = self._editing.id if self._editing else self.ctx.profiles.active_id
        self.profile_list.blockSignals(True)
        self.profile_list.clear()
        for profile in self.ctx.profiles.profiles:
            item = QListWidgetItem(profile.name + ("  ✓" if profile.id == self.ctx.profiles.active_id else ""))
            item.setData(Qt.ItemDataRole.UserRole, profile.id)
            self.profile_list.addItem(item)
            if profile.id == selected:
                self.profile_list.setCurrentItem(item)
        self.profile_list.blockSignals(False)
        current = self.profile_list.currentItem()
        self._load(self.ctx.profiles.get(current.data(Qt.ItemDataRole.UserRole)) if current else None)

    def _on_select(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        self._load(self.ctx.profiles.get(current.data(Qt.ItemDataRole.UserRole)) if current else None)

    def _load(self, profile: Profile | None) -> None:
        self._editing = profile
        self.profile_box.setEnabled(profile is not None)
        if profile is None:
            return
        self.reveal_credential_button.setChecked(False)  # another profile: whatever was revealed is hidden
        self.name.setText(profile.name)
        self.credential.clear()
        embedded = profile.embedded_sandbox
        for w in (self.credential, self.show_credential):
            w.setEnabled(not embedded)
        for w in (self.base_url, self.app_key):
            w.setReadOnly(embedded)  # the sandbox's are made at launch: shown, selectable, not editable
        if embedded:
            self._show_address()
        else:
            self.base_url.setText(profile.base_url)
            self.app_key.setText(profile.app_key)
            self.base_url.setPlaceholderText("https://api.example.com")
        # The sandbox's credential is made at launch: no field to type one, nothing to replace or remove.
        for row in (self.credential, self.show_credential, self.credential_row):
            self.form.setRowVisible(row, not embedded)
        self.sandbox_note.setVisible(embedded)
        self.delete_button.setEnabled(not embedded)
        self.verify_tls.setChecked(profile.verify_tls)
        self.timeout.setValue(profile.timeout)
        self.poll_min.setValue(profile.poll_min_interval)
        self.poll_idle.setValue(profile.poll_idle_interval)
        self.session_ttl.setValue(profile.session_ttl)
        self.auto_refresh.setValue(profile.auto_refresh)
        self.payload_template.setText(profile.payload_template)
        self.code_table.set_table(profile.code_table)
        self.credential_stored = None
        if not embedded:
            self.refresh_credential_state()
        self._show_credential_state()
        self._update_warning()

    def _show_address(self) -> None:
        """The embedded sandbox's real URL and appKey once it is up (its profile stores neither)."""
        profile = self._editing
        if profile is None or not profile.embedded_sandbox:
            return
        connection = self._sandbox_connection()
        self.base_url.setText(connection.base_url if connection is not None else "")
        self.app_key.setText(connection.app_key if connection is not None else profile.app_key)
        self.base_url.setPlaceholderText(self.tr("filled in when the sandbox is up"))

    def _sandbox_connection(self):
        """The running connection of the profile being edited when it is the embedded sandbox, else None."""
        connection = self.ctx.connection
        profile = self._editing
        if profile is None or not profile.embedded_sandbox or connection is None:
            return None
        return connection if connection.profile.id == profile.id else None

    def _on_connection_changed(self) -> None:
        if self._editing is not None and self._editing.embedded_sandbox:
            self.reveal_credential_button.setChecked(False)  # a new sandbox has a new credential
            self._show_address()
            self._show_credential_state()

    def refresh_credential_state(self) -> None:
        """Ask the keyring (on the worker loop) whether the profile has a credential: only a bool comes back."""
        if self._editing is None or self._editing.embedded_sandbox:
            return
        profile_id, store = self._editing.id, self.ctx.token_store

        async def is_stored() -> bool:
            return await store.aget_credential(profile_id) is not None

        def known(outcome: Outcome) -> None:
            if self._editing is None or self._editing.id != profile_id:
                return  # the user moved on to another profile meanwhile
            if outcome.ok:
                self.credential_stored = bool(outcome.value)
                self._show_credential_state()
            elif not outcome.cancelled:
                self._show_error(lambda: describe_error(outcome.error), self.refresh_credential_state)

        self.ctx.run(is_stored(), known)

    def _show_credential_state(self) -> None:
        stored = self.credential_stored
        if stored is None:
            self.credential_state.setText(self.tr("Asking the keyring…"))
            self.credential.setPlaceholderText(self.tr("kept in the OS keyring, never in the config file"))
        elif stored:
            self.credential_state.setText(self.tr("A credential is stored in the keyring."))
            self.credential.setPlaceholderText(self.tr("type a new credential to replace the stored one"))
        else:
            self.credential_state.setText(self.tr("No credential is stored."))
            self.credential.setPlaceholderText(self.tr("kept in the OS keyring, never in the config file"))
        self.replace_credential_button.setVisible(bool(stored))
        self.remove_credential_button.setVisible(bool(stored))
        self._show_stored_credential()

    def _credential_available(self) -> bool:
        if self._editing is not None and self._editing.embedded_sandbox:
            return self._sandbox_connection() is not None
        return bool(self.credential_stored)

    def _show_stored_credential(self) -> None:
        available = self._credential_available()
        for b in (self.reveal_credential_button, self.copy_credential_button):
            b.setEnabled(available)
        if not available:
            self.reveal_credential_button.setChecked(False)
        if not self.reveal_credential_button.isChecked():
            self.stored_credential.setText(MASK if available else "")
        embedded = self._editing is not None and self._editing.embedded_sandbox
        self.stored_credential.setPlaceholderText(
            self.tr("the sandbox is not up yet") if embedded else self.tr("none stored"))
        self.stored_credential.setAccessibleName(self.tr("Stored credential"))

    def _form_profile(self) -> Profile:
        assert self._editing is not None
        embedded = self._editing.embedded_sandbox  # its URL and appKey on screen are the running sandbox's
        return dataclasses.replace(
            self._editing, name=self.name.text().strip(),
            base_url=self._editing.base_url if embedded else self.base_url.text().strip(),
            app_key=self._editing.app_key if embedded else self.app_key.text().strip(), verify_tls=self.verify_tls.isChecked(),
            timeout=self.timeout.value(), poll_min_interval=self.poll_min.value(),
            poll_idle_interval=self.poll_idle.value(), session_ttl=self.session_ttl.value(),
            auto_refresh=self.auto_refresh.value(), payload_template=self.payload_template.text(),
            code_table=self.code_table.table())

    def _update_warning(self) -> None:
        if self._editing is None or self._editing.embedded_sandbox:
            self.http_warning.hide()
            return
        warning = dataclasses.replace(self._editing, base_url=self.base_url.text().strip()).plain_http_warning
        if warning:
            self.http_warning.setText(self.tr("⚠ The bearer credential would travel unencrypted over http:// to a "
                                              "host that is not this machine. Use https://."))
        self.http_warning.setVisible(bool(warning))

    # --- actions -------------------------------------------------------------------------------------------

    def new_profile(self) -> None:
        profile = Profile(name=self.tr("New profile"), base_url="https://", app_key="")
        self.ctx.profiles.profiles.append(profile)
        self._editing = profile
        self.reload()

    def save_profile(self, then=None) -> None:
        if self._editing is None:
            return
        profile = self._form_profile()
        found = profile.violations()
        if found:
            self._show_error(lambda: violations_text(found, i18n.message_language()))
            self._go_to_field(found[0].field)
            return
        # An empty field means "keep what is stored": the field is never filled from the keyring.
        credential = self.credential.text() or None
        if credential and (broken := BEARER_TOKEN.violations(credential)):
            # The client could never send it (a pasted line break, non-ASCII): refuse it here, and do
            # not keep it in the form either; the message names the rule, never the value.
            self.credential.clear()
            self._show_error(lambda: describe_error(ValidationError(broken)))
            return
        self._clear_error()
        self.ctx.profiles.upsert(profile)
        self._editing = profile
        store, profiles = self.ctx.token_store, self.ctx.profiles
        memory_only = self.tr("the credential is only kept in memory")  # translated here, on the GUI thread

        async def persist() -> None:
            import asyncio

            if credential is not None and not profile.embedded_sandbox:
                result = await store.asave_credential(profile.id, credential)
                if not result.persistent:
                    raise RuntimeError(result.warning or memory_only)
            await asyncio.to_thread(profiles.save)

        def done(outcome: Outcome) -> None:
            if not outcome.ok:
                self._show_error(lambda: describe_error(outcome.error), self.save_profile)
                return
            self.reload()  # also empties the credential field and asks the keyring again
            self.ctx.profiles_changed.emit()
            if then is not None:
                then()
            elif profile.id == profiles.active_id:
                self.ctx.activate(profile)  # options changed: reconnect with them

        self.ctx.run(persist(), done)

    def _go_to_field(self, field: str) -> None:
        """Bring a refused field's tab to the front and focus it: the banner names it, the user fixes it."""
        widget = {"name": self.name, "base_url": self.base_url, "app_key": self.app_key, "timeout": self.timeout,
                  "poll_min_interval": self.poll_min, "poll_idle_interval": self.poll_idle,
                  "session_ttl": self.session_ttl, "payload_template": self.payload_template,
                  "code_table": self.code_table}.get(field)
        if widget is None:
            return
        for index in range(self.profile_tabs.count()):
            if self.profile_tabs.widget(index).isAncestorOf(widget):
                self.profile_tabs.setCurrentIndex(index)
        widget.setFocus()

    def use_profile(self) -> None:
        if self._editing is None:
            return
        self.save_profile(then=lambda: (self.ctx.activate(self._editing), self.reload()))

    def remove_credential(self) -> None:
        """The one way to delete a profile's stored credential (short of deleting the profile)."""
        profile = self._editing
        if profile is None or profile.embedded_sandbox:
            return
        answer = QMessageBox.question(
            self, self.tr("Remove credential"),
            self.tr("Remove the bearer credential of “{0}” from the keyring? Calls with this profile will "
                    "be refused until you enter one again.").format(profile.name))
        if answer != QMessageBox.StandardButton.Yes:
            return

        def removed(outcome: Outcome) -> None:
            if not outcome.ok:
                self._show_error(lambda: describe_error(outcome.error), self.remove_credential)
            self.refresh_credential_state()
            if outcome.ok and profile.id == self.ctx.profiles.active_id:
                self.ctx.activate(profile)  # the live client must not keep using it either

        self.ctx.run(self.ctx.token_store.adelete_credential(profile.id), removed)

    def delete_profile(self) -> None:
        profile = self._editing
        if profile is None or profile.embedded_sandbox:
            return
        answer = QMessageBox.question(self, self.tr("Delete profile"),
                                      self.tr("Delete the profile “{0}” and its credential?").format(profile.name))
        if answer != QMessageBox.StandardButton.Yes:
            return
        was_active = profile.id == self.ctx.profiles.active_id
        self.ctx.profiles.remove(profile.id)
        self._editing = None
        store, profiles = self.ctx.token_store, self.ctx.profiles

        async def persist() -> None:
            import asyncio

            await store.adelete_credential(profile.id)
            await asyncio.to_thread(profiles.save)

        self.ctx.run(persist(), lambda o: None if o.ok else self._show_error(lambda: describe_error(o.error)))
        if was_active and profiles.active is not None:
            self.ctx.activate(profiles.active)
        self.reload()

    def export_profiles(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export profiles"), "qrlogin-profiles.json",
                                              "JSON (*.json)")
        if path:
            self.ctx.run_blocking(lambda: self.ctx.profiles.export(Path(path)), self._file_done)

    def import_profiles(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Import profiles"), "", "JSON (*.json)")
        if not path:
            return

        def work():
            imported = self.ctx.profiles.import_file(Path(path))
            self.ctx.profiles.save()
            return imported

        def done(outcome: Outcome) -> None:
            self._file_done(outcome)
            if outcome.ok:
                self.reload()

        self.ctx.run_blocking(work, done)

    def _file_done(self, outcome: Outcome) -> None:
        if not outcome.ok:
            self._show_error(lambda: describe_error(outcome.error))

    def _show_error(self, render: Callable[[], str], retry: Callable[[], None] | None = None) -> None:
        """Show ``render()`` in the banner; a language switch calls it again (facts kept, not the text)."""
        self._error = (render, retry)
        self.banner.show_error(render(), retry)

    def _clear_error(self) -> None:
        self._error = None
        self.banner.clear()

    def refresh_keyring(self) -> None:
        def known(outcome: Outcome) -> None:
            self._keyring_facts = outcome.value if outcome.ok else None
            self._keyring_error = None if outcome.ok else outcome.error
            self._render_keyring()

        self.ctx.run(self.ctx.token_store.abackend_facts(), known)

    def _render_keyring(self) -> None:
        if self._keyring_error is not None:
            self.keyring_label.setText(describe_error(self._keyring_error))
        elif self._keyring_facts is None:
            self.keyring_label.setText(self.tr("Asking the keyring…"))
        else:
            self.keyring_label.setText(backend_text(self._keyring_facts))
            self.keyring_label.setToolTip(self._keyring_facts.description)  # keyring's own words, for support

    # --- the stored credential, on demand ------------------------------------------------------------------

    def _on_reveal_credential(self, on: bool) -> None:
        if not on:
            self.stored_credential.setText(MASK if self._credential_available() else "")
            return

        def show(secret: str) -> None:
            if self.reveal_credential_button.isChecked():  # not hidden again while the keyring answered
                self.stored_credential.setText(secret)

        self._read_credential(show)

    def copy_credential(self) -> None:
        def copy(secret: str) -> None:
            QGuiApplication.clipboard().setText(secret)
            self._flash = lambda: self.tr("Credential copied to the clipboard.")
            self.status_label.flash(self._flash())

        self._read_credential(copy)

    def _read_credential(self, use: Callable[[str], None]) -> None:
        """Hand the current profile's credential to ``use``: the sandbox's from its connection, any other
        from the keyring (on the worker loop). Dropped if the user moved to another profile meanwhile."""
        profile = self._editing
        if profile is None:
            return
        if profile.embedded_sandbox:
            connection = self._sandbox_connection()
            if connection is not None and connection.token:
                use(connection.token)
            else:
                self.reveal_credential_button.setChecked(False)
            return

        def known(outcome: Outcome) -> None:
            if self._editing is None or self._editing.id != profile.id:
                return
            if outcome.ok and outcome.value:
                use(outcome.value)
                return
            self.reveal_credential_button.setChecked(False)
            if outcome.ok:  # deleted meanwhile (another window, the CLI)
                self.credential_stored = False
                self._show_credential_state()
            elif not outcome.cancelled:
                self._show_error(lambda: describe_error(outcome.error))

        self.ctx.run(self.ctx.token_store.aget_credential(profile.id), known)

    def _save_from_keyboard(self) -> None:
        if self._editing is not None and self.save_button.isEnabled():
            self.save_profile()

    def _on_language(self, _index: int) -> None:
        choice = self.language.currentData()
        if choice is None or choice == self.ctx.profiles.settings.get("language", i18n.SYSTEM):
            return
        self.ctx.profiles.settings["language"] = choice
        i18n.install(choice)
        self.ctx.run_blocking(self.ctx.profiles.save, self._file_done)
