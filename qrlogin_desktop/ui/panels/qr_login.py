"""The QR login console: initiate a session, show the QR, follow it to a token and store it.

Left: what to ask for (the Initiate form), how to run (poll for a real phone, or simulate the
phone here), which code to show. Centre: the QR with WeChat-style overlays and its countdown.
Right (simulate only): the phone; a tab beside the settings when the page is narrow. Bottom: the
state timeline and the resulting token. Every column scrolls rather than clips, so the page works
from a 1024x640 window to a 4K screen.

All flow work runs in :class:`~qrlogin_desktop.ui.flow_controller.FlowController` on the worker
loop; this panel only turns its signals into widgets and the user's clicks into its calls. What
the panel says is kept as facts (callables that render the text), so a language switch
re-renders the messages already on screen.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication, QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...api.errors import violations_text
from ...api.models import PRE_SIGN_IN, SIGN_UP, QRCodePreSignInRequest, TokenModel, UserQRCodeScanResult
from ...flow.driver import RegistrationRejected
from ...flow.machine import TERMINAL_STATES, Event, State, Transition
from ...flow.qr import PayloadTemplateError, render_payload, to_png, to_svg
from ...flow.session import fetch_miniprogram_code
from .. import i18n, icons, theme
from ..errors_text import describe_error
from ..flow_controller import FlowController, Mode, NotConnected
from ..runner import Outcome
from ..widgets.app_info_card import AppInfoCard
from ..widgets.common import Panel, split
from ..widgets.fact_banner import FactBanner
from ..widgets.field_form import FieldForm
from ..widgets.qr_view import CLICKABLE, Overlay, QrView
from ..widgets.timeline_view import OUTCOME_COLOR, TimelineView, state_text
from ..widgets.token_card import TokenCard, user_of

if TYPE_CHECKING:  # the keystore (and keyring) load when a token is first stored, not at start-up
    from ...storage.token_records import SavedToken

TICK_MS = 250  # countdown refresh: smooth enough for a seconds display, cheap
LOGO_MAX_BYTES = 1 << 20
# Below this width of the page's upper part the phone becomes a tab beside the settings: three
# columns of at least ~250 px each no longer fit (a 1024 px window leaves the page ~750 px).
PHONE_TAB_BELOW = 960
SIDE_WIDTH = (220, 320)  # min, max of the settings column and of the phone column

OVERLAY_FOR_STATE = {
    State.INITIATING: Overlay.LOADING,
    State.SCANNED: Overlay.SCANNED,
    State.CONFIRMING: Overlay.SCANNED,
    State.REGISTERING: Overlay.SCANNED,
    State.AUTHENTICATED: Overlay.DONE,
    State.EXPIRED: Overlay.EXPIRED,
    State.FAILED: Overlay.FAILED,
    State.CANCELLED: Overlay.CANCELLED,
}
Text = Callable[[], str]


def _group(layout: QVBoxLayout | QFormLayout | QHBoxLayout) -> QGroupBox:
    box = QGroupBox()
    box.setLayout(layout)
    return box


def _scrolling(widget: QWidget, widths: tuple[int, int] | None = None) -> QScrollArea:
    """``widget`` in a frameless scroll area: a short window scrolls it instead of clipping it."""
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    if widths is not None:
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        area.setMinimumWidth(widths[0])
        area.setMaximumWidth(widths[1])
    return area


class QrLoginPanel(Panel):
    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("qrLoginPanel")
        self.controller = FlowController(ctx, self)
        self.banner = FactBanner()  # the flow's errors
        self.store_banner = FactBanner()  # a token that could not be stored: separate, so it stays
        self.app_info: UserQRCodeScanResult | None = None
        self._logo: QPixmap | None = None
        self._mini_code: bytes | None = None  # the mini-program code shown, as the server sent it
        self._stored_result: SavedToken | BaseException | None = None
        self._status: Text | None = None  # the line under the QR ("copied", "QR refreshed, 1 of 2")
        self._rejected: RegistrationRejected | None = None  # the last refused registration
        self._registration_asked = False  # this QR's server wants a registration before a token
        self._confirm_next = False  # a scan just happened: Confirm login gets the focus once enabled

        self.upper = QWidget()
        self._columns = QHBoxLayout(self.upper)
        self._columns.setContentsMargins(0, 0, 0, 0)
        self.side_tabs = QTabWidget()
        self.side_tabs.setObjectName("qrSideTabs")
        self.side_tabs.setDocumentMode(True)
        self.side_tabs.setTabBarAutoHide(True)  # one tab (poll mode, or wide): no tab bar
        self.settings_pane = _scrolling(self._build_left())
        self.side_tabs.addTab(self.settings_pane, "")
        self.side_tabs.setMinimumWidth(SIDE_WIDTH[0])
        self.side_tabs.setMaximumWidth(SIDE_WIDTH[1])
        self.centre_pane = _scrolling(self._build_centre())
        self.phone_pane = _scrolling(self._build_phone(), SIDE_WIDTH)
        self._columns.addWidget(self.side_tabs, 2)
        self._columns.addWidget(self.centre_pane, 3)
        self._columns.addWidget(self.phone_pane, 2)

        self.timeline = TimelineView()
        timeline_layout = QVBoxLayout()
        timeline_layout.addWidget(self.timeline)
        self.timeline_box = _group(timeline_layout)
        self.token_card = TokenCard()
        token_layout = QVBoxLayout()
        token_layout.addWidget(_scrolling(self.token_card, (0, 1 << 24)))  # scrolls down, never sideways
        self.token_box = _group(token_layout)
        # The user may give either more room; by default the timeline is wider (its reason column).
        bottom = split(Qt.Orientation.Horizontal, self.timeline_box, self.token_box, stretch=(3, 2),
                       sizes=[600, 400])

        # The banners float over the page's bottom: the timeline and the result get shorter from below
        # while one shows (their last row and the token's storage stay reachable), the rest stays put.
        self.lower = QWidget()
        lower_layout = QVBoxLayout(self.lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(bottom)
        # The claims tree needs a few rows to be useful.
        self.splitter = split(Qt.Orientation.Vertical, self.upper, self.lower, stretch=(3, 2), sizes=[560, 300])
        root = QVBoxLayout(self)
        root.addWidget(self.banner)
        root.addWidget(self.store_banner)
        for banner in (self.banner, self.store_banner):
            banner.keep_room_in(lower_layout)
        root.addWidget(self.splitter, 1)

        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        self._shortcuts()
        self._connect()
        self.retranslate()
        self._mode_changed()

    # --- building -----------------------------------------------------------------------------------------

    def _build_left(self) -> QWidget:
        self.initiate_form = FieldForm(PRE_SIGN_IN.fields)
        self.start_button = QPushButton()
        self.start_button.setObjectName("startButton")
        self.start_button.setDefault(True)
        initiate = QVBoxLayout()
        initiate.addWidget(self.initiate_form)
        initiate.addWidget(self.start_button)
        self.initiate_box = _group(initiate)

        self.poll_radio, self.simulate_radio = QRadioButton(), QRadioButton()
        self.poll_radio.setChecked(True)
        self.auto_check = QCheckBox()
        self._mode_group = QButtonGroup(self)
        mode = QVBoxLayout()
        for i, radio in enumerate((self.poll_radio, self.simulate_radio)):
            self._mode_group.addButton(radio, i)
            mode.addWidget(radio)
        auto_row = QHBoxLayout()
        auto_row.setContentsMargins(22, 0, 0, 0)  # indented under "Simulate": it belongs to it
        auto_row.addWidget(self.auto_check)
        mode.addLayout(auto_row)
        self.mode_box = _group(mode)

        self.local_radio, self.mini_radio = QRadioButton(), QRadioButton()
        self.local_radio.setChecked(True)
        self._source_group = QButtonGroup(self)
        source = QVBoxLayout()
        for i, radio in enumerate((self.local_radio, self.mini_radio)):
            self._source_group.addButton(radio, i)
            source.addWidget(radio)
        self.source_box = _group(source)

        self.new_qr_button, self.cancel_button = QPushButton(), QPushButton()
        self.new_qr_button.setObjectName("newQrButton")
        self.cancel_button.setObjectName("cancelButton")
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_qr_button)
        buttons.addWidget(self.cancel_button)

        left = QWidget()
        layout = QVBoxLayout(left)
        layout.setContentsMargins(0, 0, 6, 0)
        layout.addLayout(buttons)  # first: never scrolled away by a long form
        for box in (self.initiate_box, self.mode_box, self.source_box):
            layout.addWidget(box)
        layout.addStretch(1)
        return left

    def _build_centre(self) -> QWidget:
        self.state_label = QLabel()
        self.state_label.setObjectName("stateLabel")
        self.state_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.state_label.setWordWrap(True)  # a long state (Chinese, a narrow window) wraps, never clips
        self.state_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        font = self.state_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.state_label.setFont(font)
        self.qr_view = QrView()
        self.countdown_label = QLabel()
        self.countdown_label.setObjectName("countdown")
        self.countdown_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # Its line is kept while empty: the widgets below do not jump when a countdown starts.
        self.countdown_label.setMinimumHeight(self.countdown_label.fontMetrics().height())
        self.countdown_bar = QProgressBar()
        self.countdown_bar.setRange(0, 1000)
        self.countdown_bar.setTextVisible(False)
        self.countdown_bar.setFixedHeight(4)  # a thin line under the QR, as on WeChat's page
        self._countdown_colour: str | None = None  # the theme colour name of the bar's chunk
        self.key_value, self.payload_value = QLineEdit(), QLineEdit()
        for field in (self.key_value, self.payload_value):
            field.setReadOnly(True)  # selectable and copyable, not editable
        self.copy_button, self.save_button = QPushButton(), QPushButton()
        self.file_status = QLabel()
        self.file_status.setObjectName("qrStatus")
        theme.styled(self.file_status, "color: {muted};")
        self.file_status.setWordWrap(True)
        self.file_status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.file_status.setMinimumHeight(self.file_status.fontMetrics().height())

        details = QFormLayout()
        details.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._key_label, self._payload_label = QLabel(), QLabel()
        self._key_label.setBuddy(self.key_value)
        self._payload_label.setBuddy(self.payload_value)
        details.addRow(self._key_label, self.key_value)
        details.addRow(self._payload_label, self.payload_value)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)

        centre = QWidget()
        layout = QVBoxLayout(centre)
        layout.setContentsMargins(6, 0, 6, 0)
        layout.addWidget(self.state_label)
        layout.addWidget(self.qr_view, 1)
        layout.addWidget(self.countdown_bar)
        layout.addWidget(self.countdown_label)
        layout.addLayout(details)
        layout.addLayout(buttons)
        layout.addWidget(self.file_status)
        return centre

    def _build_phone(self) -> QWidget:
        self.scan_button = QPushButton()
        self.scan_button.setObjectName("scanButton")
        self.app_card = AppInfoCard()
        self.confirm_button = QPushButton()
        self.confirm_button.setObjectName("confirmButton")
        # The registration form only when registering: asked for by the server, or chosen here.
        self.register_toggle = QPushButton()
        self.register_toggle.setObjectName("registerToggle")
        self.register_toggle.setCheckable(True)
        self.register_toggle.setFlat(True)
        self.register_hint = QLabel()
        self.register_hint.setWordWrap(True)
        theme.styled(self.register_hint, "color: {warning};")
        self.register_hint.hide()
        self.register_form = FieldForm(SIGN_UP.fields, skip=("signInKey",))
        self.register_button = QPushButton()
        self.register_button.setObjectName("registerButton")
        register = QVBoxLayout()
        register.addWidget(self.register_hint)
        register.addWidget(self.register_button)  # above the form: in view without scrolling
        register.addWidget(self.register_form)
        self.register_box = _group(register)
        self.register_box.hide()
        for button, name in ((self.start_button, "start"), (self.new_qr_button, "new_qr"),
                             (self.cancel_button, "cancel"), (self.copy_button, "copy"),
                             (self.save_button, "save_image"), (self.scan_button, "scan"),
                             (self.confirm_button, "confirm"), (self.register_button, "register")):
            icons.set_icon(button, name)

        phone = QVBoxLayout()
        phone.addWidget(self.scan_button)
        phone.addWidget(self.app_card)
        phone.addWidget(self.confirm_button)
        phone.addWidget(self.register_toggle)
        self.phone_box = _group(phone)

        pane = QWidget()
        layout = QVBoxLayout(pane)
        layout.setContentsMargins(6, 0, 0, 0)
        layout.addWidget(self.phone_box)
        layout.addWidget(self.register_box)
        layout.addStretch(1)
        return pane

    def _shortcuts(self) -> None:
        within = Qt.ShortcutContext.WidgetWithChildrenShortcut
        cancel = QShortcut(QKeySequence(Qt.Key.Key_Escape), self, context=within)
        cancel.activated.connect(lambda: self.cancel_button.isEnabled() and self.cancel_button.click())
        for key in (QKeySequence(Qt.Key.Key_F5), QKeySequence("Ctrl+R")):
            refresh = QShortcut(key, self, context=within)
            refresh.activated.connect(lambda: self.new_qr_button.isEnabled() and self.new_qr_button.click())
        # Enter in a field runs the form's action, as in a dialog (a panel has no default button).
        for form, action in ((self.initiate_form, self.start), (self.register_form, self.register)):
            for editor in form.editors.values():
                if isinstance(editor, QLineEdit):
                    editor.returnPressed.connect(action)

    def _connect(self) -> None:
        c = self.controller
        c.transition.connect(self._on_transition)
        c.qr_changed.connect(self._on_qr)
        c.app_info.connect(self._on_app_info)
        c.authenticated.connect(self._on_authenticated)
        c.failed.connect(self._on_failed)
        c.register_rejected.connect(self._on_register_rejected)
        c.stored.connect(self._on_stored)
        c.busy_changed.connect(lambda _: self._update_buttons())
        self.start_button.clicked.connect(self.start)
        self.new_qr_button.clicked.connect(self.new_qr)
        self.cancel_button.clicked.connect(c.cancel)
        self.scan_button.clicked.connect(c.scan)
        self.confirm_button.clicked.connect(c.confirm)
        self.register_button.clicked.connect(self.register)
        self.register_toggle.toggled.connect(self._show_register_form)
        self.qr_view.refresh_requested.connect(self.new_qr)
        self.copy_button.clicked.connect(self.copy_qr)
        self.save_button.clicked.connect(self.save_qr)
        self.initiate_form.changed.connect(self._update_buttons)
        self.register_form.changed.connect(self._update_buttons)
        self._mode_group.idToggled.connect(lambda _id, on: on and self._mode_changed())
        self._source_group.idToggled.connect(lambda _id, on: on and self._source_changed())
        self.ctx.connection_changed.connect(self._on_connection_changed)

    # --- texts --------------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        if self._stored_result is not None and self.controller.token is not None:
            self._on_stored(self._stored_result)
        self.initiate_box.setTitle(self.tr("Initiate (QR-Auth/Initiate)"))
        self.start_button.setText(self.tr("Start"))
        self.mode_box.setTitle(self.tr("Mode"))
        self.poll_radio.setText(self.tr("Poll — a real phone scans"))
        self.simulate_radio.setText(self.tr("Simulate the phone here"))
        self.auto_check.setText(self.tr("Auto: run the whole flow"))
        self.auto_check.setToolTip(self.tr("Scan and confirm automatically; registers with the form below "
                                           "when the server asks for a registration and the form is valid."))
        self.source_box.setTitle(self.tr("QR source"))
        self.local_radio.setText(self.tr("Local QR"))
        self.mini_radio.setText(self.tr("Mini-program code"))
        self.mini_radio.setToolTip(self.tr("WeChat's own code from WXACodeGetUnlimited, scene = signInKey"))
        self.new_qr_button.setText(self.tr("New QR"))
        self.new_qr_button.setToolTip(self.tr("Another QR in this session (F5)"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.cancel_button.setToolTip(self.tr("Stop this login (Esc)"))
        self._key_label.setText(self.tr("signInKey"))
        self._payload_label.setText(self.tr("Payload"))
        self.copy_button.setText(self.tr("Copy QR"))
        self.save_button.setText(self.tr("Save QR…"))
        self.phone_box.setTitle(self.tr("Phone (simulated)"))
        self.scan_button.setText(self.tr("Scan"))
        self.confirm_button.setText(self.tr("Confirm login"))
        self.register_toggle.setText(self.tr("Register a new user instead…"))
        self.register_box.setTitle(self.tr("Register (QR-Auth/Confirm-Register)"))
        self.register_button.setText(self.tr("Register"))
        self._render_register_hint()
        self.timeline_box.setTitle(self.tr("Timeline"))
        self.token_box.setTitle(self.tr("Result"))
        self.side_tabs.setTabText(0, self.tr("Settings"))
        if self.side_tabs.indexOf(self.phone_pane) >= 0:
            self.side_tabs.setTabText(self.side_tabs.indexOf(self.phone_pane), self.tr("Phone"))
        self._name_controls()
        self.file_status.setText(self._status() if self._status is not None else "")
        self._show_state()
        self._tick()

    def _name_controls(self) -> None:
        """Accessible names: what a screen reader says for each control (buttons say their text too,
        but the fields, the QR, the table and the countdown have no text of their own)."""
        names = {
            self.start_button: self.tr("Start a QR login"),
            self.new_qr_button: self.tr("New QR"),
            self.cancel_button: self.tr("Cancel the login"),
            self.poll_radio: self.tr("Mode: poll, a real phone scans"),
            self.simulate_radio: self.tr("Mode: simulate the phone here"),
            self.auto_check: self.tr("Run the simulated flow automatically"),
            self.local_radio: self.tr("QR source: local QR"),
            self.mini_radio: self.tr("QR source: mini-program code"),
            self.qr_view: self.tr("QR code"),
            self.countdown_bar: self.tr("Time left before the QR expires"),
            self.key_value: self.tr("signInKey"),
            self.payload_value: self.tr("QR payload"),
            self.copy_button: self.tr("Copy the QR code"),
            self.save_button: self.tr("Save the QR code to a file"),
            self.scan_button: self.tr("Scan the QR with the simulated phone"),
            self.confirm_button: self.tr("Confirm the login on the simulated phone"),
            self.register_toggle: self.tr("Show the registration form"),
            self.register_button: self.tr("Register the new user"),
            self.timeline: self.tr("Timeline of the login's states"),
            self.side_tabs: self.tr("Settings and phone"),
        }
        for widget, name in names.items():
            widget.setAccessibleName(name)
        for form, where in ((self.initiate_form, self.tr("Initiate")), (self.register_form, self.tr("Register"))):
            for name, editor in form.editors.items():
                editor.setAccessibleName(self.tr("{0}: {1}").format(where, name))
                editor.setAccessibleDescription(form.hints[name].text())

    # --- user actions -------------------------------------------------------------------------------------

    def _mode(self) -> Mode:
        return Mode.SIMULATE if self.simulate_radio.isChecked() else Mode.POLL

    def _settings(self) -> dict:
        auto = self._mode() is Mode.SIMULATE and self.auto_check.isChecked()
        register = self.register_form.values() if self.register_form.is_valid() else None
        return {"mode": self._mode(), "request": QRCodePreSignInRequest(**self.initiate_form.values()),
                "auto": auto, "auto_register": register}

    def start(self) -> None:
        """A fresh session: clears the previous one's QR, timeline, result and messages."""
        if not self.initiate_form.is_valid():
            self.initiate_form.validate()
            return
        self.banner.clear()
        self.timeline.clear_steps()
        self._reset_result()
        self.controller.start(**self._settings())
        self._show_phone_first()
        self._update_buttons()

    def new_qr(self) -> None:
        """Another QR in the same session (button, a click on an expired QR, F5)."""
        if self.controller.driver is None:
            self.start()
            return
        if not self.initiate_form.is_valid():
            self.initiate_form.validate()
            return
        self.banner.clear()
        self._reset_result()
        self.controller.new_qr(**self._settings())
        self._show_phone_first()
        self._update_buttons()

    def register(self) -> None:
        if not self.register_button.isEnabled():
            self.register_form.validate()  # Enter on an incomplete form: say what is missing
            return
        self._rejected = None
        self._render_register_hint()
        self.controller.register(self.register_form.values())

    def _reset_result(self) -> None:
        """Nothing of the previous QR stays: not its code, key, payload, app, token or messages."""
        self.store_banner.clear()
        self.token_card.clear()
        self.app_card.clear()
        self.app_info, self._logo, self._mini_code = None, None, None
        self._stored_result, self._rejected, self._registration_asked = None, None, False
        self._confirm_next = False
        self._clear_qr()
        self._set_status(None)
        self.register_toggle.setChecked(False)
        self._render_register_hint()

    def _clear_qr(self) -> None:
        self.key_value.clear()
        self.payload_value.clear()
        self.qr_view.set_payload(None)

    def _show_phone_first(self) -> None:
        """A new QR: the phone pane from its top (Scan in view), and the phone tab when it is one."""
        self.phone_pane.verticalScrollBar().setValue(0)
        if self._mode() is Mode.SIMULATE and self.side_tabs.indexOf(self.phone_pane) >= 0:
            self.side_tabs.setCurrentWidget(self.phone_pane)

    def _set_status(self, text: Text | None) -> None:
        self._status = text
        self.file_status.setText(text() if text is not None else "")

    def copy_qr(self) -> None:
        image = self.qr_view.current_image()
        if image is not None:
            QGuiApplication.clipboard().setImage(image)
            self._set_status(lambda: self.tr("QR code copied to the clipboard."))

    def save_qr(self) -> None:
        payload, key = self.qr_view.payload, self.controller.sign_in_key
        if payload is None:
            return
        mini = self._mini_code if self.qr_view.showing_source_image() else None
        filters = (self.tr("Mini-program code (*.png *.jpg)") if mini is not None
                   else self.tr("PNG image (*.png);;SVG image (*.svg)"))
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save QR code"), f"qr-{key}.png", filters)
        if not path:
            return
        target = Path(path)

        def write() -> Path:
            # Rendering and writing are small but still file I/O: kept off the GUI thread.
            if mini is not None:
                target.write_bytes(mini)
            elif target.suffix.lower() == ".svg":
                target.write_text(to_svg(payload), encoding="utf-8")
            else:
                target.write_bytes(to_png(payload))
            return target

        def done(outcome: Outcome) -> None:
            if not shiboken6.isValid(self):
                return  # the panel was closed meanwhile
            if outcome.ok:
                self._set_status(lambda: self.tr("Saved to {0}").format(outcome.value))
            else:
                self.banner.show_fact(lambda: self.tr("Could not save the QR code: {0}").format(outcome.error),
                                      self.save_qr, action_text=lambda: self.tr("Save again"))

        self.ctx.run_blocking(write, done)

    # --- controller signals -------------------------------------------------------------------------------

    def _on_transition(self, t: Transition) -> None:
        self.timeline.add(t)
        if t.event is Event.START:
            self._clear_qr()  # the old QR is dead, whatever this attempt brings
            if "refresh" in t.detail:
                n, total = int(t.detail["refresh"]), int(t.detail["refreshes"])
                self._set_status(lambda: self.tr("QR refreshed, {0} of %n", "", total).format(n))
        elif t.event is Event.REGISTRATION_REQUIRED:
            self._registration_asked = True
            self.register_toggle.setChecked(True)
            self._render_register_hint()
            self._focus_register_form()
        elif t.event is Event.SCANNED and self.controller.mode is Mode.SIMULATE:
            self._confirm_next = True  # focused once the Scan call is over and Confirm is enabled
        self._show_state()
        self._update_buttons()
        if t.target in TERMINAL_STATES:
            self._confirm_next = False
            if t.target is State.FAILED:
                self._clear_qr()  # a failed login's QR is not one to copy or scan
            self._focus_qr_if_lost()

    def _on_qr(self, key: int) -> None:
        connection = self.ctx.connection
        self._mini_code = None
        self.app_card.clear()
        self.app_info = None
        self.key_value.setText(str(key))
        try:
            payload = render_payload(connection.profile.payload_template, sign_in_key=key,
                                     app_key=connection.app_key, server=connection.base_url)
        except (PayloadTemplateError, ValueError) as exc:
            self.banner.show_fact(
                lambda exc=exc: self.tr("The profile's QR payload template is unusable: {0}").format(exc))
            return
        self.payload_value.setText(payload)
        self.payload_value.setCursorPosition(0)
        self.qr_view.set_payload(payload)
        if self.mini_radio.isChecked():
            self._fetch_mini_code(key)
        self._show_state()
        self._update_buttons()

    def _on_app_info(self, info: UserQRCodeScanResult) -> None:
        self.app_info = info
        fetch = self._logo_is_ours(info.logo)
        self.app_card.set_info(info, logo_fetched=fetch)
        if fetch:
            self._fetch_logo(info.logo)
        self._show_state()

    def _on_authenticated(self, token: TokenModel) -> None:
        self.token_card.set_token(token)
        self._stored_result = None
        self.token_card.set_storage(self.tr("Storing the token…"), True)
        self._show_state()

    def _on_failed(self, error: BaseException) -> None:
        def text() -> str:
            return str(error) if isinstance(error, NotConnected) else describe_error(error)

        self.banner.show_fact(text, self.new_qr, action_text=lambda: self.tr("New QR"))
        last = self.timeline.last_transition()
        if last is not None and last.target is State.FAILED:
            self.timeline.explain(last, text)  # the same words as the banner, in the current language
        self._show_state()
        self._update_buttons()

    def _on_register_rejected(self, rejected: RegistrationRejected) -> None:
        """The server (or our check) refused the form: the session waits in Scanned for a corrected one."""
        self._rejected = rejected
        self.register_toggle.setChecked(True)
        self.register_form.refuse(rejected.violations)
        last = self.timeline.last_transition()
        if last is not None and last.event is Event.REGISTER_REJECTED:
            self.timeline.explain(last, lambda: violations_text(rejected.violations, i18n.message_language()))
        self._render_register_hint()
        self._focus_register_form()
        self._update_buttons()

    def _on_stored(self, result: SavedToken | BaseException) -> None:
        # A token that could not be stored must not be dropped quietly: say so, with a way to store it.
        self._stored_result = result  # kept so a language switch can say it again
        if not isinstance(result, BaseException):  # a SavedToken
            where = {"keyring": self.tr("the OS keyring"), "file": self.tr("a PLAIN FILE (insecure)"),
                     "memory": self.tr("memory only")}[result.result.location]
            if result.persistent:
                self.token_card.set_storage(self.tr("Stored in {0} as {1}").format(where, result.token.key), True)
                if result.result.warning:
                    warning = result.result.warning  # the store's own words (English), for a support request
                    self.store_banner.show_fact(
                        lambda: self.tr("The token is stored in a PLAIN FILE (insecure), not in a keyring."),
                        details=lambda: self.tr("The keyring store said: {0}").format(warning))
                else:
                    self.store_banner.clear()
                return
            said = result.result.warning or ""

            def reason() -> str:
                return self.tr("The keyring store said: {0}").format(said) if said else ""
        else:
            def reason() -> str:
                return describe_error(result)  # a typed error: rendered again in each language
        # One sentence; the cause (often several lines from the keyring) behind Details.
        self.store_banner.show_fact(
            lambda: self.tr("The token was NOT stored; it is kept in memory until the app exits."),
            self.controller.store_token, action_text=lambda: self.tr("Store again"), details=reason)
        self.token_card.set_storage(self.tr("Not stored (kept in memory only)"), False)

    def _on_connection_changed(self) -> None:
        """Another profile (or a reconnect): the previous server's QR and result are not this one's."""
        self.controller.connection_changed()
        self.banner.clear()
        self.timeline.clear_steps()
        self._reset_result()
        self._show_state()
        self._update_buttons()

    # --- focus --------------------------------------------------------------------------------------------

    def _focus_confirm(self) -> None:
        self._confirm_next = False
        self._show_phone_first()
        self.confirm_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _focus_register_form(self) -> None:
        if self.side_tabs.indexOf(self.phone_pane) >= 0:
            self.side_tabs.setCurrentWidget(self.phone_pane)
        self.phone_pane.ensureWidgetVisible(self.register_button)
        names = [v.field for v in self._rejected.violations] if self._rejected is not None else []
        bad = next((self.register_form.editors[n] for n in names if n in self.register_form.editors), None)
        (bad or self.register_form.editors["unionID"]).setFocus(Qt.FocusReason.OtherFocusReason)

    def _focus_qr_if_lost(self) -> None:
        """The attempt ended: Enter on the QR starts another. Moved there only from a control that
        has just been disabled (Cancel, Confirm), never away from a field the user is typing in."""
        focus = QGuiApplication.focusObject()
        if isinstance(focus, QWidget) and self.isAncestorOf(focus) and focus.isEnabled():
            return
        if self.qr_view.overlay in CLICKABLE:
            self.qr_view.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- side fetches (mini-program code, logo) -------------------------------------------------------------

    def _fetch_mini_code(self, key: int) -> None:
        client = self.ctx.client
        if client is None:
            return

        def done(outcome: Outcome) -> None:
            if not shiboken6.isValid(self):
                return  # the panel was closed meanwhile
            if key != self.controller.sign_in_key or not self.mini_radio.isChecked():
                return  # a newer QR, or the user went back to the local QR
            if outcome.ok:
                image = QImage.fromData(outcome.value.data)
                if image.isNull():
                    self.banner.show_fact(lambda: self.tr("The mini-program code is not an image I can show."))
                    return
                self._mini_code = outcome.value.data
                self.qr_view.set_image(image)
            elif not outcome.cancelled:
                self.qr_view.set_image(None)  # the local QR stays usable meanwhile
                error = outcome.error
                self.banner.show_fact(
                    lambda: self.tr("Could not get the mini-program code: {0}").format(describe_error(error)),
                    lambda: self._fetch_mini_code(key), action_text=lambda: self.tr("Get it again"))
            self._update_buttons()

        self.ctx.run(fetch_miniprogram_code(client, key), done)

    def _source_changed(self) -> None:
        key = self.controller.sign_in_key
        if self.mini_radio.isChecked() and key is not None:
            self._fetch_mini_code(key)
        else:
            self._mini_code = None
            self.qr_view.set_image(None)

    def _logo_is_ours(self, url: str | None) -> bool:
        """Fetch a logo only from the embedded sandbox itself: an arbitrary URL from a server's
        answer could point anywhere (an intranet host, a tracker), so those are shown, not loaded."""
        connection, client = self.ctx.connection, self.ctx.client
        if connection is None or client is None or not connection.profile.embedded_sandbox:
            return False
        return client.same_origin(url)

    def _fetch_logo(self, url: str) -> None:
        client = self.ctx.client
        if client is None:
            return

        async def get() -> bytes:
            return await client.fetch_asset(url, max_bytes=LOGO_MAX_BYTES)

        def done(outcome: Outcome) -> None:
            if not shiboken6.isValid(self):
                return  # the panel was closed meanwhile
            if self.app_info is None or self.app_info.logo != url:
                return
            pixmap = QPixmap()
            if outcome.ok and pixmap.loadFromData(outcome.value):
                self._logo = pixmap
                self.app_card.set_logo(pixmap)
                self._show_state()
            else:
                self.app_card.logo_url.show()  # could not load it: at least say where it is

        self.ctx.run(get(), done)

    # --- state → widgets --------------------------------------------------------------------------------

    def _show_state(self) -> None:
        state = self.controller.state()
        text = state_text(state)
        self.state_label.setText(text)
        self.state_label.setToolTip(text)
        # A state without an outcome colour takes the palette's text colour (dark text on dark was unreadable).
        colour = OUTCOME_COLOR.get(state)
        theme.styled(self.state_label, f"color: {{{colour}}};" if colour else "")
        overlay = OVERLAY_FOR_STATE.get(state, Overlay.NONE)
        if overlay is Overlay.FAILED and self.controller.sign_in_key is None:
            overlay = Overlay.NO_QR  # Initiate itself failed: there never was a QR in this attempt
        self.qr_view.set_overlay(overlay, self._overlay_detail(overlay), self._logo)

    def _overlay_detail(self, overlay: Overlay) -> str:
        """Who is logging in: the user from the token's claims once logged in, the app after a scan."""
        token = self.token_card.token
        if overlay is Overlay.DONE and token is not None:
            user = user_of(token)
            if user is not None:
                return user
        if overlay in (Overlay.SCANNED, Overlay.DONE) and self.app_info is not None:
            return self.app_info.name or ""
        if overlay is Overlay.SCANNED and self.controller.mode is Mode.POLL:
            return self.tr("Waiting for the phone user's decision")
        return ""

    def _render_register_hint(self) -> None:
        if self._rejected is not None:
            problems = violations_text(self._rejected.violations, i18n.message_language())
            self.register_hint.setText(self.tr("The server refused the registration: {0}. Correct the "
                                               "marked field and press Register again.").format(problems))
        else:
            self.register_hint.setText(self.tr("The server wants a registration before it hands out a token: "
                                               "fill in the form and press Register."))
        self.register_hint.setVisible(self._rejected is not None or self._registration_asked)

    def _show_register_form(self, shown: bool) -> None:
        self.register_box.setVisible(shown)
        if shown:
            QTimer.singleShot(0, lambda: shiboken6.isValid(self) and self.phone_pane.ensureWidgetVisible(
                self.register_button))

    def _mode_changed(self) -> None:
        self.auto_check.setEnabled(self._mode() is Mode.SIMULATE)
        self._place_phone()
        self._update_buttons()

    def _place_phone(self) -> None:
        """The phone pane: a column of its own when there is room, else a tab beside the settings."""
        simulate = self._mode() is Mode.SIMULATE
        as_tab = simulate and self.upper.width() < PHONE_TAB_BELOW
        index = self.side_tabs.indexOf(self.phone_pane)
        if as_tab and index < 0:
            self._columns.removeWidget(self.phone_pane)
            self.side_tabs.addTab(self.phone_pane, self.tr("Phone"))
        elif not as_tab:
            if index >= 0:
                self.side_tabs.removeTab(index)
                self._columns.addWidget(self.phone_pane, 2)
            self.phone_pane.setVisible(simulate)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        QTimer.singleShot(0, lambda: shiboken6.isValid(self) and self._place_phone())  # after the layout ran

    def _update_buttons(self) -> None:
        # Which phone action is possible comes from the machine's own table, not from a copy here.
        c = self.controller
        allowed = c.allowed_events()
        connected = self.ctx.client is not None
        valid = self.initiate_form.is_valid()
        has_flow = c.driver is not None
        self.start_button.setEnabled(connected and valid)
        self.new_qr_button.setEnabled(connected and valid and has_flow)
        self.cancel_button.setEnabled(has_flow and Event.CANCEL in allowed)
        phone = has_flow and c.mode is Mode.SIMULATE and not c.busy
        self.scan_button.setEnabled(phone and Event.SCANNED in allowed)
        self.confirm_button.setEnabled(phone and Event.CONFIRM in allowed)
        self.register_button.setEnabled(phone and Event.REGISTER in allowed and self.register_form.is_valid())
        has_image = self.qr_view.current_image() is not None
        self.copy_button.setEnabled(has_image)
        self.save_button.setEnabled(has_image)
        if self._confirm_next and self.confirm_button.isEnabled():
            self._focus_confirm()

    def _tick(self) -> None:
        left, ttl = self.controller.seconds_left(), self.controller.session_ttl
        if left is None or ttl <= 0:
            self.countdown_label.setText("")  # no QR (or no longer a live one): nothing to count down
            self.countdown_bar.setValue(0)
        else:
            whole = math.ceil(left)
            self.countdown_label.setText(self.tr("Expires in {0:02d}:{1:02d}").format(whole // 60, whole % 60))
            share = left / ttl
            self.countdown_bar.setValue(round(1000 * share))
            colour = "accent" if share > 0.2 else "warning"
            if colour != self._countdown_colour:  # not every second: each new style sheet polishes the bar again
                self._countdown_colour = colour
                theme.styled(self.countdown_bar, "QProgressBar {{ border: 0; background: {card_border}; }}"
                                                 f"QProgressBar::chunk {{{{ background: {{{colour}}}; }}}}")
        self.controller.expire_if_due()
