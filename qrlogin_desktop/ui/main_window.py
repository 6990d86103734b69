"""The main window: navigation on the left, one page per panel, the connection in the status bar.

Endpoint pages are generated from the catalogue, so the window itself stays small. Pages are built
on first use (or in idle event-loop turns right after the window is shown, one per turn): the
window appears as fast as a bare one would, and no single turn blocks the event loop for long.

The window's chrome fits a 1024x640 screen: the navigation wraps long page names instead of
scrolling sideways and takes a share of the width between two bounds; each page sits in a scroll
area that scrolls when the page asks for more room than the window has, so no page can push the
window past the screen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from PySide6.QtCore import QByteArray, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QStyle,
    QWidget,
)

from ..api import catalogue
from ..api.catalogue import Endpoint, Group
from . import i18n, icons, theme
from .about_dialog import add_help_menu
from .context import AppContext
from .icon import app_icon
from .view_menu import ViewMenu
from .widgets.common import Panel
from .widgets.language import Retranslating

ICON_ROLE = Qt.ItemDataRole.UserRole + 1
NAV_MIN_WIDTH, NAV_MAX_WIDTH = 170, 300  # px: the navigation's share of the width stays between these
NAV_SHARE = 0.2  # of the window's width, until the user drags the splitter
# Exchanges made before the Request Log's page is built (in an idle turn within a second of start-up,
# or when the user opens it) wait here for it; past this many the oldest go, as in the log itself.
# An endpoint page's icon says what the endpoint does (the page names are long; the icons are scanned).
ENDPOINT_ICONS = {
    "SubscribeSend": "message", "JSCode2Session": "session", "Decrypt": "decrypt",
    "UrlLinkGenerate": "link", "GenerateScheme": "scheme", "WXACodeGet": "mini_code",
    "WXACodeGetUnlimited": "mini_code_unlimited", "MsgSecCheck": "content_check",
    "UserInfo": "user", "SubscribeMSG": "message", "JSConfig": "js_config",
}


class MainWindow(Retranslating, QMainWindow):
    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        self.setObjectName("mainWindow")
        self.setWindowIcon(app_icon())
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setIconSize(QSize(18, 18))
        self.nav.setMinimumWidth(NAV_MIN_WIDTH)
        # Long page names wrap onto a second line; the list never scrolls sideways.
        self.nav.setWordWrap(True)
        self.nav.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.setResizeMode(QListView.ResizeMode.Adjust)
        self.nav.setSpacing(1)
        self.stack = QStackedWidget()
        self.stack.addWidget(QWidget())  # shown until the selected page is built
        self.panels = _LazyPanels(self)
        self._items: dict[str, QListWidgetItem] = {}
        self._headers: dict[str, QListWidgetItem] = {}
        self._factories: dict[str, Callable[[], Panel]] = {}
        self._areas: dict[str, QScrollArea] = {}
        self._titles: dict[str, Callable[[], str]] = {}

        self._page("qr_login", _qr_login, lambda: self.tr("QR Login"), "qr_login")
        self._page("tokens", _tokens, lambda: self.tr("Tokens"), "tokens")
        for group in (Group.MINI_PROGRAM, Group.OFFICIAL_ACCOUNT):
            self._header(group.value, group.value)
            for ep in catalogue.by_group(group):
                self._page(f"endpoint:{ep.id}", lambda ctx, ep=ep: _endpoint(ctx, ep),
                           lambda ep=ep: i18n.pick(ep.name_en, ep.name_zh), ENDPOINT_ICONS.get(ep.id, "send"))
        self._header("tools", "tools")
        self._page("request_log", self._request_log_page, lambda: self.tr("Request Log"), "request_log")
        self._page("load", _load, lambda: self.tr("Load"), "load")
        self._page("test_bench", _test_bench, lambda: self.tr("Test Bench"), "test_bench")
        self._page("settings", _settings, lambda: self.tr("Profiles & Settings"), "settings")

        self.splitter = QSplitter()
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.splitterMoved.connect(self._on_splitter_moved)
        self._nav_width_chosen = False  # set once the user drags the splitter: their width is kept
        self._fit_when_shown = False
        self.setCentralWidget(self.splitter)
        self.nav.currentRowChanged.connect(self._on_nav)

        self.status_profile = QLabel()
        self.status_server = QLabel()
        self.status_health = QLabel()
        for w in (self.status_profile, self.status_server):
            # A long profile name or URL is cut in the status bar, not a reason for a wider window.
            w.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            self.statusBar().addWidget(w, 1)
        self.statusBar().addPermanentWidget(self.status_health)

        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        self.addAction(self.quit_action)
        self.view_menu = ViewMenu(self, ctx)
        self.menuBar().addMenu(self.view_menu)
        self.help_menu = add_help_menu(self, ctx)

        theme.notifier().changed.connect(self._retheme)
        ctx.connection_changed.connect(self._update_status)
        ctx.connection_failed.connect(self._on_connection_failed)
        ctx.health_changed.connect(lambda _: self._update_status())
        self.resize(1280, 820)
        self._fit_nav()
        self._retheme()
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
              icon_name: str) -> None:
        self._factories[key] = lambda: factory(self.ctx)
        self._titles[key] = title
        item = QListWidgetItem()
        item.setData(Qt.ItemDataRole.UserRole, key)
        item.setData(ICON_ROLE, icon_name)
        self.nav.addItem(item)
        self._items[key] = item

    def _build(self, key: str) -> Panel:
        panel = self._factories[key]()
        # A page larger than the window scrolls inside its own area instead of growing the window
        # past the screen (pages are made to fit 1024x640; this is the floor under any that do not).
        area = QScrollArea()
        area.setObjectName(f"pageArea:{key}")
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setWidget(panel)
        self._areas[key] = area
        self.stack.addWidget(area)
        if key == self._current_key():
            self.stack.setCurrentWidget(area)  # the selected page arrived: replace the placeholder
        return panel

    def current_page(self) -> Panel | None:
        area = self.stack.currentWidget()
        return area.widget() if isinstance(area, QScrollArea) else None

    def page_area(self, key: str) -> QScrollArea:
        self.panels[key]
        return self._areas[key]

    @property
    def request_log(self) -> Panel:
        return self.panels["request_log"]

    def _request_log_page(self, ctx: AppContext) -> Panel:
        from .panels.request_log import RequestLogPanel

        page = RequestLogPanel(ctx)
        page.replay_available = lambda endpoint_id: f"endpoint:{endpoint_id}" in self._factories
        page.replay_requested.connect(self.open_endpoint)
        return page

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

    def _header(self, key: str, icon_name: str) -> None:
        item = QListWidgetItem()
        item.setFlags(Qt.ItemFlag.NoItemFlags)  # a section title, not a page
        item.setData(ICON_ROLE, icon_name)
        font = item.font()
        font.setBold(True)  # barely visible in Chinese where the CJK font has no bold face (see _retheme)
        item.setFont(font)
        self.nav.addItem(item)
        self._headers[key] = item

    def _retheme(self, *_scheme: object) -> None:
        """The navigation's icons and section colour in the current scheme (items are not widgets)."""
        for item in (*self._headers.values(), *self._items.values()):
            item.setIcon(icons.icon(item.data(ICON_ROLE)))
        # A section title is told from the pages by a band behind it, not by its weight alone: a CJK
        # font without a bold face (WenQuanYi Micro Hei, common on Linux) gets Qt's synthetic bold, less
        # than a pixel wider at this size. Its text is in the normal colour: grey read as "disabled".
        text = QApplication.palette().color(QPalette.ColorRole.WindowText)
        for item in self._headers.values():
            item.setForeground(text)
            item.setBackground(theme.color("header_row"))
        self._update_status()

    # --- size ---------------------------------------------------------------------------------------------

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_nav()

    def _fit_nav(self) -> None:
        """The navigation is as wide as its longest entry, but no more than NAV_SHARE of the width and
        within its bounds (longer entries wrap), until the user sets it."""
        if self._nav_width_chosen:
            return
        total = self.splitter.width() or self.width()
        nav = max(NAV_MIN_WIDTH, min(self._nav_content_width(), NAV_MAX_WIDTH, round(total * NAV_SHARE)))
        self.splitter.setSizes([nav, max(0, total - nav - self.splitter.handleWidth())])

    def _nav_content_width(self) -> int:
        """The width that shows every entry on one line, a vertical scroll bar included (on a low
        window the list scrolls, and the bar must not push the longest entry onto two lines)."""
        bar = self.nav.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self.nav)
        return self.nav.sizeHintForColumn(0) + 2 * (self.nav.frameWidth() + self.nav.spacing()) + bar

    def _on_splitter_moved(self, _pos: int, _index: int) -> None:
        self._nav_width_chosen = True

    def restore_saved_geometry(self, saved: str) -> None:
        """The geometry of the last session, kept on the screen it is on (see fit_to_screen): now, and
        once more after the first show, when the window manager's frame is known."""
        self.restoreGeometry(QByteArray.fromBase64(saved.encode()))
        self.fit_to_screen()
        self._fit_when_shown = True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._fit_when_shown:
            self._fit_when_shown = False
            QTimer.singleShot(0, self.fit_to_screen)

    def fit_to_screen(self) -> None:
        """Shrink and move the window into its screen's available area (taskbars excluded): a geometry
        saved at another scale factor or on a larger monitor must not put the status bar off screen."""
        screen = QGuiApplication.screenAt(self.geometry().center()) or self.screen() or \
            QGuiApplication.primaryScreen()
        if screen is None:
            return
        self.setGeometry(fitted(self.geometry(), self.frameGeometry(), screen.availableGeometry()))

    def _on_nav(self, row: int) -> None:
        item = self.nav.item(row)
        key = item.data(Qt.ItemDataRole.UserRole) if item else None
        if key in self._factories:
            self.stack.setCurrentWidget(self.page_area(key))

    def show_panel(self, key: str) -> Panel:
        self.nav.setCurrentItem(self._items[key])
        page = self.panels[key]
        self.stack.setCurrentWidget(self._areas[key])  # also when the entry was already selected, page unbuilt
        return page

    def open_endpoint(self, inputs) -> Panel:
        """Show an endpoint page filled with ``inputs`` (an api.exchange.ReplayInputs: a logged request's)."""
        page = self.show_panel(f"endpoint:{inputs.endpoint}")
        page.load_inputs(inputs.query, inputs.body, missing=inputs.masked)
        return page

    # --- texts and status ---------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("qrlogin-desktop — QR Login Console"))
        self.nav.setAccessibleName(self.tr("Pages"))
        headers = {Group.MINI_PROGRAM.value: self.tr("Mini Program"),
                   Group.OFFICIAL_ACCOUNT.value: self.tr("Official Account"), "tools": self.tr("Tools")}
        for key, item in self._headers.items():
            item.setText(headers[key])
        for key, item in self._items.items():
            item.setText(self._titles[key]())
            item.setToolTip(self._titles[key]())
        self._fit_nav()  # the entries' widths change with the language
        self._update_status()

    def _update_status(self) -> None:
        ctx = self.ctx
        profile = ctx.profile
        self.status_profile.setText(self.tr("Profile: {0}").format(profile.name if profile else "-"))
        if ctx.connecting:
            self.status_server.setText(self.tr("Connecting…"))
        else:
            self.status_server.setText(self.tr("Server: {0}").format(ctx.connection.base_url if ctx.connection else "-"))
        for label in (self.status_profile, self.status_server):
            label.setToolTip(label.text())  # the full text where the status bar had to cut it
        health = ctx.health
        self.status_health.setToolTip("")
        if ctx.credential_refused:
            text, color = self.tr("● Credential refused (401)"), "warning"
            self.status_health.setToolTip(self.tr("The server answers, but refuses the bearer credential. "
                                                  "Check the profile's credential in Profiles & Settings."))
        elif isinstance(health, float):
            # The state first, then the round trip as a fact beside it (the status bar's " · " separator).
            text, color = self.tr("● Online · {0:.0f} ms").format(health), "ok"
        elif isinstance(health, str):
            text, color = self.tr("● Offline: no answer"), "error"
            self.status_health.setToolTip(health)
        else:
            text, color = self.tr("● Checking…"), "muted"
        self.status_health.setText(text)
        theme.styled(self.status_health, f"color: {{{color}}};")

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


def fitted(geometry: QRect, frame: QRect, available: QRect) -> QRect:
    """``geometry`` (the client area, inside ``frame``) resized and moved so the frame lies in ``available``."""
    left, top = geometry.left() - frame.left(), geometry.top() - frame.top()
    right, bottom = frame.right() - geometry.right(), frame.bottom() - geometry.bottom()
    width = min(geometry.width(), available.width() - left - right)
    height = min(geometry.height(), available.height() - top - bottom)
    x = min(max(geometry.left(), available.left() + left), available.right() - right - width + 1)
    y = min(max(geometry.top(), available.top() + top), available.bottom() - bottom - height + 1)
    return QRect(x, y, width, height)


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


def _test_bench(ctx: AppContext) -> Panel:
    from .panels.test_bench import TestBenchPanel

    return TestBenchPanel(ctx)


def _settings(ctx: AppContext) -> Panel:
    from .panels.settings import SettingsPanel

    return SettingsPanel(ctx)


def _load(ctx: AppContext) -> Panel:
    from .panels.load import LoadPanel

    return LoadPanel(ctx)


def _endpoint(ctx: AppContext, endpoint: Endpoint) -> Panel:
    from .panels.endpoint import EndpointPanel

    return EndpointPanel(ctx, endpoint)
