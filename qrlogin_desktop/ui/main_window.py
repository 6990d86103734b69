"""The main window: navigation on the left, one page per panel, the connection in the status bar.

Endpoint pages are generated from the catalogue, so the window itself stays small. Pages are built
on first use (or in idle event-loop turns right after the window is shown, one per turn): the
window appears as fast as a bare one would, and no single turn blocks the event loop for long.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from ..api import catalogue
from ..api.catalogue import Endpoint, Group
from . import i18n
from .about_dialog import add_help_menu
from .context import AppContext
from .panels.request_log import RequestLogPanel
from .widgets.common import Panel
from .widgets.language import Retranslating

HEADER_ROLE = Qt.ItemDataRole.UserRole + 1


class MainWindow(Retranslating, QMainWindow):
    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        self.setObjectName("mainWindow")
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setIconSize(QSize(16, 16))
        self.nav.setMinimumWidth(260)
        self.stack = QStackedWidget()
        self.stack.addWidget(QWidget())  # shown until the selected page is built
        self.panels = _LazyPanels(self)
        self._items: dict[str, QListWidgetItem] = {}
        self._headers: dict[str, QListWidgetItem] = {}
        self._factories: dict[str, Callable[[], Panel]] = {}
        self._titles: dict[str, Callable[[], str]] = {}

        self._page("qr_login", _qr_login, lambda: self.tr("QR Login"))
        self._page("tokens", _tokens, lambda: self.tr("Tokens"))
        for group in (Group.MINI_PROGRAM, Group.OFFICIAL_ACCOUNT):
            self._header(group.value)
            for ep in catalogue.by_group(group):
                self._page(f"endpoint:{ep.id}", lambda ctx, ep=ep: _endpoint(ctx, ep),
                           lambda ep=ep: i18n.pick(ep.name_en, ep.name_zh), indent=True)
        self._header("tools")
        self._page("request_log", RequestLogPanel, lambda: self.tr("Request Log"))
        self._page("load", _load, lambda: self.tr("Load"))
        self._page("settings", _settings, lambda: self.tr("Profiles & Settings"))
        # Built now: it must see every exchange from the first request on.
        self.request_log = self.panels["request_log"]

        splitter = QSplitter()
        splitter.addWidget(self.nav)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([280, 1160])
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
        self.help_menu = add_help_menu(self, ctx)

        ctx.connection_changed.connect(self._update_status)
        ctx.connection_failed.connect(self._on_connection_failed)
        ctx.health_changed.connect(lambda _: self._update_status())
        self.resize(1280, 820)
        self.retranslate()
        self.profile_warning: QMessageBox | None = None
        if ctx.profiles.load_warnings:
            QTimer.singleShot(0, self._show_profile_warnings)
        # Select the QR Login entry without building its page yet (see build_pages_when_idle).
        self.nav.blockSignals(True)
        self.nav.setCurrentItem(self._items["qr_login"])
        self.nav.blockSignals(False)

    # --- navigation -------------------------------------------------------------------------------------

    def _page(self, key: str, factory: Callable[[AppContext], Panel], title: Callable[[], str],
              indent: bool = False) -> None:
        self._factories[key] = lambda: factory(self.ctx)
        self._titles[key] = title
        item = QListWidgetItem()
        item.setData(Qt.ItemDataRole.UserRole, key)
        if indent:
            item.setData(HEADER_ROLE, "indent")
        self.nav.addItem(item)
        self._items[key] = item

    def _build(self, key: str) -> Panel:
        panel = self._factories[key]()
        self.stack.addWidget(panel)
        if key == self._current_key():
            self.stack.setCurrentWidget(panel)  # the selected page arrived: replace the placeholder
        return panel

    @property
    def qr_login(self) -> Panel:
        return self.panels["qr_login"]

    @property
    def tokens(self) -> Panel:
        return self.panels["tokens"]

    @property
    def settings(self) -> Panel:
        return self.panels["settings"]

    def build_pages_when_idle(self, first: tuple[str, ...] = ("qr_login",),
                              then: Callable[[], None] | None = None) -> None:
        """Build the pages not built yet, one per event-loop turn: the ``first`` ones, then call
        ``then()`` (e.g. connect), then the rest - the window stays responsive while it fills in."""
        queue = [k for k in first if k in self._factories] + [k for k in self._factories if k not in first]
        queue = [k for k in queue if not self.panels.built(k)]
        pending_then = [then] if then is not None else []

        def step() -> None:
            while queue and self.panels.built(queue[0]):
                queue.pop(0)
            if queue:
                key = queue.pop(0)
                self.panels[key]
            if pending_then and not any(k in queue for k in first):
                pending_then.pop()()
            if queue:
                QTimer.singleShot(0, step)

        QTimer.singleShot(0, step)

    def _current_key(self) -> str | None:
        item = self.nav.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

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
        if key in self._factories:
            self.stack.setCurrentWidget(self.panels[key])

    def show_panel(self, key: str) -> Panel:
        self.nav.setCurrentItem(self._items[key])
        page = self.panels[key]
        self.stack.setCurrentWidget(page)  # also when the entry was already selected, page unbuilt
        return page

    # --- texts and status ---------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("qrlogin-desktop — QR Login Console"))
        headers = {Group.MINI_PROGRAM.value: self.tr("Mini Program"),
                   Group.OFFICIAL_ACCOUNT.value: self.tr("Official Account"), "tools": self.tr("Tools")}
        for key, item in self._headers.items():
            item.setText(headers[key])
        for key, item in self._items.items():
            prefix = "    " if item.data(HEADER_ROLE) == "indent" else ""
            item.setText(prefix + self._titles[key]())
            item.setToolTip(self._titles[key]())
        self._update_status()

    def _update_status(self) -> None:
        ctx = self.ctx
        profile = ctx.profile
        self.status_profile.setText(self.tr("Profile: {0}").format(profile.name if profile else "-"))
        if ctx.connecting:
            self.status_server.setText(self.tr("Connecting…"))
        else:
            self.status_server.setText(self.tr("Server: {0}").format(ctx.connection.base_url if ctx.connection else "-"))
        health = ctx.health
        self.status_health.setToolTip("")
        if ctx.credential_refused:
            text, color = self.tr("● credential refused (401)"), "#e37400"
            self.status_health.setToolTip(self.tr("The server answers, but refuses the bearer credential. "
                                                  "Check the profile's credential in Profiles & Settings."))
        elif isinstance(health, float):
            text, color = self.tr("● answers ({0:.0f} ms)").format(health), "#188038"
        elif isinstance(health, str):
            text, color = self.tr("● no answer"), "#d93025"
            self.status_health.setToolTip(health)
        else:
            text, color = self.tr("● checking…"), "#999999"
        self.status_health.setText(text)
        self.status_health.setStyleSheet(f"color: {color};")

    def _show_profile_warnings(self) -> None:
        """The damaged profiles file, once: the list is emptied, so no later window repeats it."""
        lines, self.ctx.profiles.load_warnings = self.ctx.profiles.load_warnings, []
        if not lines:
            return
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Profiles file damaged"),
                          self.tr("The profiles file could not be read in full. A copy of it was kept, "
                                  "and what could be kept was loaded."), QMessageBox.StandardButton.Ok, self)
        box.setObjectName("profileWarning")
        box.setDetailedText("\n".join(lines))
        box.setInformativeText(lines[0])
        box.setModal(False)
        box.show()
        self.profile_warning = box

    def _on_connection_failed(self, message: str) -> None:
        self._update_status()
        self.statusBar().showMessage(self.tr("Could not connect: {0}").format(message), 15000)

    def closeEvent(self, event) -> None:
        self.ctx.profiles.settings["window_geometry"] = bytes(self.saveGeometry().toBase64()).decode()
        super().closeEvent(event)


class _LazyPanels(Mapping[str, Panel]):
    """Every page by key; a page is built the first time it is asked for."""

    def __init__(self, window: MainWindow):
        self._window = window
        self._built: dict[str, Panel] = {}

    def __getitem__(self, key: str) -> Panel:
        if key not in self._built:
            if key not in self._window._factories:
                raise KeyError(key)
            self._built[key] = self._window._build(key)
        return self._built[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._window._factories)

    def __len__(self) -> int:
        return len(self._window._factories)

    def built(self, key: str) -> bool:
        return key in self._built


# Page factories import their modules on first use: most pages are not needed in the first second.
def _qr_login(ctx: AppContext) -> Panel:
    from .panels.qr_login import QrLoginPanel

    return QrLoginPanel(ctx)


def _tokens(ctx: AppContext) -> Panel:
    from .panels.tokens import TokensPanel

    return TokensPanel(ctx)


def _settings(ctx: AppContext) -> Panel:
    from .panels.settings import SettingsPanel

    return SettingsPanel(ctx)


def _load(ctx: AppContext) -> Panel:
    from .panels.load import LoadPanel

    return LoadPanel(ctx)


def _endpoint(ctx: AppContext, endpoint: Endpoint) -> Panel:
    from .panels.endpoint import EndpointPanel

    return EndpointPanel(ctx, endpoint)
