"""The main window: navigation on the left, one page per panel, the connection in the status bar.

Endpoint pages are generated from the catalogue, so the window itself stays small.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSplitter,
    QStackedWidget,
)

from ..api import catalogue
from ..api.catalogue import Group
from .context import AppContext
from .panels.endpoint import EndpointPanel
from .panels.qr_login import QrLoginPanel
from .panels.request_log import RequestLogPanel
from .panels.settings import SettingsPanel
from .panels.tokens import TokensPanel
from .widgets.common import Panel

HEADER_ROLE = Qt.ItemDataRole.UserRole + 1


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        self.setObjectName("mainWindow")
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setIconSize(QSize(16, 16))
        self.nav.setMinimumWidth(200)
        self.stack = QStackedWidget()
        self.panels: dict[str, Panel] = {}
        self._items: dict[str, QListWidgetItem] = {}
        self._headers: dict[str, QListWidgetItem] = {}

        self.qr_login = self._add("qr_login", QrLoginPanel(ctx))
        self.tokens = self._add("tokens", TokensPanel(ctx))
        for group in (Group.MINI_PROGRAM, Group.OFFICIAL_ACCOUNT):
            self._header(group.value)
            for ep in catalogue.by_group(group):
                self._add(f"endpoint:{ep.id}", EndpointPanel(ctx, ep), indent=True)
        self._header("tools")
        self.request_log = self._add("request_log", RequestLogPanel(ctx))
        self.settings = self._add("settings", SettingsPanel(ctx))

        splitter = QSplitter()
        splitter.addWidget(self.nav)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([220, 1000])
        self.setCentralWidget(splitter)
        self.nav.currentRowChanged.connect(self._on_nav)

        self.status_profile = QLabel()
        self.status_server = QLabel()
        self.status_health = QLabel()
        for w in (self.status_profile, self.status_server):
            self.statusBar().addWidget(w)
        self.statusBar().addPermanentWidget(self.status_health)

        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        self.addAction(self.quit_action)

        ctx.connection_changed.connect(self._update_status)
        ctx.connection_failed.connect(self._on_connection_failed)
        ctx.health_changed.connect(lambda _: self._update_status())
        self.resize(1280, 820)
        self.retranslate()
        self.show_panel("qr_login")

    # --- navigation -------------------------------------------------------------------------------------

    def _add(self, key: str, panel: Panel, indent: bool = False) -> Panel:
        self.panels[key] = panel
        self.stack.addWidget(panel)
        item = QListWidgetItem()
        item.setData(Qt.ItemDataRole.UserRole, key)
        if indent:
            item.setData(HEADER_ROLE, "indent")
        self.nav.addItem(item)
        self._items[key] = item
        return panel

    def _header(self, key: str) -> None:
        item = QListWidgetItem()
        item.setFlags(Qt.ItemFlag.NoItemFlags)  # a section title, not a page
        font = item.font()
        font.setBold(True)
        item.setFont(font)
        self.nav.addItem(item)
        self._headers[key] = item

    def _on_nav(self, row: int) -> None:
        item = self.nav.item(row)
        key = item.data(Qt.ItemDataRole.UserRole) if item else None
        if key in self.panels:
            self.stack.setCurrentWidget(self.panels[key])

    def show_panel(self, key: str) -> Panel:
        self.nav.setCurrentItem(self._items[key])
        return self.panels[key]

    # --- texts and status ---------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("qrlogin-desktop — QR Login Console"))
        headers = {Group.MINI_PROGRAM.value: self.tr("Mini Program"),
                   Group.OFFICIAL_ACCOUNT.value: self.tr("Official Account"), "tools": self.tr("Tools")}
        for key, item in self._headers.items():
            item.setText(headers[key])
        for key, item in self._items.items():
            prefix = "    " if item.data(HEADER_ROLE) == "indent" else ""
            item.setText(prefix + self.panels[key].title())
        self._update_status()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _update_status(self) -> None:
        ctx = self.ctx
        profile = ctx.profile
        self.status_profile.setText(self.tr("Profile: {0}").format(profile.name if profile else "-"))
        if ctx.connecting:
            self.status_server.setText(self.tr("Connecting…"))
        else:
            self.status_server.setText(self.tr("Server: {0}").format(ctx.connection.base_url if ctx.connection else "-"))
        health = ctx.health
        if isinstance(health, float):
            text, color = self.tr("● answers ({0:.0f} ms)").format(health), "#188038"
        elif isinstance(health, str):
            text, color = self.tr("● no answer"), "#d93025"
            self.status_health.setToolTip(health)
        else:
            text, color = self.tr("● checking…"), "#999999"
        self.status_health.setText(text)
        self.status_health.setStyleSheet(f"color: {color};")

    def _on_connection_failed(self, message: str) -> None:
        self._update_status()
        self.statusBar().showMessage(self.tr("Could not connect: {0}").format(message), 15000)

    def closeEvent(self, event) -> None:  # noqa: N802
        self.ctx.profiles.settings["window_geometry"] = bytes(self.saveGeometry().toBase64()).decode()
        super().closeEvent(event)

