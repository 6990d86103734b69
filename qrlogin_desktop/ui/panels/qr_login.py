"""The QR login console: initiate a session, show the QR, follow it to a token and store it.

Left: what to ask for (the Initiate form), how to run (poll for a real phone, or simulate the
phone here), which code to show. Centre: the QR with WeChat-style overlays and its countdown.
Right (simulate only): the phone. Bottom: the state timeline and the resulting token.

All flow work runs in :class:`~qrlogin_desktop.ui.flow_controller.FlowController` on the worker
loop; this panel only turns its signals into widgets and the user's clicks into its calls.
"""

from __future__ import annotations

import math
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication, QImage, QPixmap
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
    QVBoxLayout,
    QWidget,
)

from ...api.models import PRE_SIGN_IN, SIGN_UP, QRCodePreSignInRequest, TokenModel, UserQRCodeScanResult
from ...flow.machine import Event, State, Transition
from ...flow.qr import PayloadTemplateError, render_payload, to_png, to_svg
from ...flow.session import fetch_miniprogram_code
from ...storage.token_records import SavedToken
from ..errors_text import describe_error
from ..flow_controller import FlowController, Mode, NotConnected
from ..runner import Outcome
from ..widgets.app_info_card import AppInfoCard
from ..widgets.common import ErrorBanner, Panel, split
from ..widgets.field_form import FieldForm
from ..widgets.qr_view import Overlay, QrView
from ..widgets.timeline_view import TimelineView, state_text
from ..widgets.token_card import TokenCard

TICK_MS = 250  # countdown refresh: smooth enough for a seconds display, cheap
LOGO_MAX_BYTES = 1 << 20

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
STATE_COLOR = {State.AUTHENTICATED: "#188038", State.FAILED: "#d93025", State.EXPIRED: "#b06000",
               State.CANCELLED: "#666666"}


def _group(layout: QVBoxLayout | QFormLayout | QHBoxLayout) -> QGroupBox:
    box = QGroupBox()
    box.setLayout(layout)
    return box


def _scrolling(widget: QWidget, width: int) -> QScrollArea:
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setFixedWidth(width)
    return area


class QrLoginPanel(Panel):
    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("qrLoginPanel")
        self.controller = FlowController(ctx, self)
        self.banner = ErrorBanner()  # the flow's errors
        self.store_banner = ErrorBanner()  # a token that could not be stored: separate, so it stays
        self.app_info: UserQRCodeScanResult | None = None
        self._logo: QPixmap | None = None
        self._mini_code: bytes | None = None  # the mini-program code shown, as the server sent it

        top = QWidget()
        columns = QHBoxLayout(top)
        columns.setContentsMargins(0, 0, 0, 0)
        columns.addWidget(_scrolling(self._build_left(), 300))
        columns.addWidget(self._build_centre(), 1)
        self.phone_pane = _scrolling(self._build_phone(), 330)
        columns.addWidget(self.phone_pane)

        bottom = QWidget()
        lower = QHBoxLayout(bottom)
        lower.setContentsMargins(0, 0, 0, 0)
        self.timeline = TimelineView()
        timeline_layout = QVBoxLayout()
        timeline_layout.addWidget(self.timeline)
        self.timeline_box = _group(timeline_layout)
        self.token_card = TokenCard()
        token_layout = QVBoxLayout()
        token_layout.addWidget(self.token_card)
        self.token_box = _group(token_layout)
        lower.addWidget(self.timeline_box, 3)
        lower.addWidget(self.token_box, 2)

        # The claims tree needs a few rows to be useful.
        splitter = split(Qt.Orientation.Vertical, top, bottom, stretch=(3, 2), sizes=[560, 300])
        root = QVBoxLayout(self)
        root.addWidget(self.banner)
        root.addWidget(self.store_banner)
        root.addWidget(splitter, 1)

        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
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
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_qr_button)
        buttons.addWidget(self.cancel_button)

        left = QWidget()
        layout = QVBoxLayout(left)
        layout.setContentsMargins(0, 0, 6, 0)
        for box in (self.initiate_box, self.mode_box, self.source_box):
            layout.addWidget(box)
        layout.addLayout(buttons)
        layout.addStretch(1)
        return left

    def _build_centre(self) -> QWidget:
        self.state_label = QLabel()
        self.state_label.setObjectName("stateLabel")
        self.state_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr_view = QrView()
        self.countdown_label = QLabel()
        self.countdown_label.setObjectName("countdown")
        self.countdown_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.countdown_bar = QProgressBar()
        self.countdown_bar.setRange(0, 1000)
        self.countdown_bar.setTextVisible(False)
        self.countdown_bar.setFixedHeight(4)  # a thin line under the QR, as on WeChat's page
        self.key_value, self.payload_value = QLineEdit(), QLineEdit()
        for field in (self.key_value, self.payload_value):
            field.setReadOnly(True)  # selectable and copyable, not editable
        self.copy_button, self.save_button = QPushButton(), QPushButton()
        self.file_status = QLabel()
        self.file_status.setStyleSheet("color: #666;")
        self.file_status.setWordWrap(True)

        details = QFormLayout()
        self._key_label, self._payload_label = QLabel(), QLabel()
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
        self.register_hint = QLabel()
        self.register_hint.setWordWrap(True)
        self.register_hint.setStyleSheet("color: #b06000;")
        self.register_hint.hide()
        self.register_form = FieldForm(SIGN_UP.fields, skip=("signInKey",))
        self.register_button = QPushButton()
        self.register_button.setObjectName("registerButton")
        register = QVBoxLayout()
        register.addWidget(self.register_hint)
        register.addWidget(self.register_form)
        register.addWidget(self.register_button)
        self.register_box = _group(register)

        phone = QVBoxLayout()
        phone.addWidget(self.scan_button)
        phone.addWidget(self.app_card)
        phone.addWidget(self.confirm_button)
        self.phone_box = _group(phone)

        pane = QWidget()
        layout = QVBoxLayout(pane)
        layout.setContentsMargins(6, 0, 0, 0)
        layout.addWidget(self.phone_box)
        layout.addWidget(self.register_box)
        layout.addStretch(1)
        return pane

    def _connect(self) -> None:
        c = self.controller
        c.transition.connect(self._on_transition)
        c.qr_changed.connect(self._on_qr)
        c.app_info.connect(self._on_app_info)
        c.authenticated.connect(self._on_authenticated)
        c.failed.connect(self._on_failed)
        c.stored.connect(self._on_stored)
        c.busy_changed.connect(lambda _: self._update_buttons())
        self.start_button.clicked.connect(self.start)
        self.new_qr_button.clicked.connect(self.new_qr)
        self.cancel_button.clicked.connect(c.cancel)
        self.scan_button.clicked.connect(c.scan)
        self.confirm_button.clicked.connect(c.confirm)
        self.register_button.clicked.connect(lambda: c.register(self.register_form.values()))
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
        if getattr(self, "_stored_result", None) is not None and self.controller.token is not None:
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
        self.cancel_button.setText(self.tr("Cancel"))
        self._key_label.setText(self.tr("signInKey"))
        self._payload_label.setText(self.tr("Payload"))
        self.copy_button.setText(self.tr("Copy QR"))
        self.save_button.setText(self.tr("Save QR…"))
        self.phone_box.setTitle(self.tr("Phone (simulated)"))
        self.scan_button.setText(self.tr("Scan"))
        self.confirm_button.setText(self.tr("Confirm login"))
        self.register_box.setTitle(self.tr("Register (QR-Auth/Confirm-Register)"))
        self.register_hint.setText(self.tr("The server wants a registration before it hands out a token: "
                                           "fill in the form and press Register."))
        self.register_button.setText(self.tr("Register"))
        self.timeline_box.setTitle(self.tr("Timeline"))
        self.token_box.setTitle(self.tr("Result"))
        self._show_state()
        self._tick()

    # --- user actions -------------------------------------------------------------------------------------

    def _mode(self) -> Mode:
        return Mode.SIMULATE if self.simulate_radio.isChecked() else Mode.POLL

    def _settings(self) -> dict:
        auto = self._mode() is Mode.SIMULATE and self.auto_check.isChecked()
        register = self.register_form.values() if self.register_form.is_valid() else None
        return {"mode": self._mode(), "request": QRCodePreSignInRequest(**self.initiate_form.values()),
                "auto": auto, "auto_register": register}

    def start(self) -> None:
        """A fresh session: clears the previous one's timeline, result and messages."""
        if not self.initiate_form.is_valid():
            self.initiate_form.validate()
            return
        self.banner.clear()
        self.timeline.clear_steps()
        self._reset_result()
        self.controller.start(**self._settings())
        self._update_buttons()

    def new_qr(self) -> None:
        """Another QR in the same session (button, a click on an expired QR, Retry)."""
        if self.controller.driver is None:
            self.start()
            return
        if not self.initiate_form.is_valid():
            self.initiate_form.validate()
            return
        self.banner.clear()
        self._reset_result()
        self.controller.new_qr(**self._settings())
        self._update_buttons()

    def _reset_result(self) -> None:
        self.store_banner.clear()
        self.token_card.clear()
        self.app_card.clear()
        self.app_info, self._logo, self._mini_code = None, None, None
        self.register_hint.hide()
        self.file_status.clear()

    def copy_qr(self) -> None:
        image = self.qr_view.current_image()
        if image is not None:
            QGuiApplication.clipboard().setImage(image)
            self.file_status.setText(self.tr("QR code copied to the clipboard."))

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
                self.file_status.setText(self.tr("Saved to {0}").format(outcome.value))
            else:
                self.banner.show_error(self.tr("Could not save the QR code: {0}").format(outcome.error), self.save_qr)

        self.ctx.run_blocking(write, done)

    # --- controller signals -------------------------------------------------------------------------------

    def _on_transition(self, t: Transition) -> None:
        self.timeline.add(t)
        if t.event is Event.REGISTRATION_REQUIRED:
            self.register_hint.show()
        self._show_state()
        self._update_buttons()

    def _on_qr(self, key: int) -> None:
        connection = self.ctx.connection
        self._mini_code = None
        self.app_card.clear()
        self.app_info = None
        self.register_hint.hide()
        self.key_value.setText(str(key))
        try:
            payload = render_payload(connection.profile.payload_template, sign_in_key=key,
                                     app_key=connection.app_key, server=connection.base_url)
        except (PayloadTemplateError, ValueError) as exc:
            self.banner.show_error(self.tr("The profile's QR payload template is unusable: {0}").format(exc))
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

    def _on_failed(self, error: BaseException) -> None:
        text = str(error) if isinstance(error, NotConnected) else describe_error(error)
        self.banner.show_error(text, self.new_qr)
        self._show_state()
        self._update_buttons()

    def _on_stored(self, result: SavedToken | BaseException) -> None:
        # A token that could not be stored must not be dropped quietly: say so, loudly, with Retry.
        self._stored_result = result  # kept so a language switch can say it again
        if isinstance(result, SavedToken):
            where = {"keyring": self.tr("the OS keyring"), "file": self.tr("a PLAIN FILE (insecure)"),
                     "memory": self.tr("memory only")}[result.result.location]
            if result.persistent:
                self.store_banner.clear()
                self.token_card.set_storage(self.tr("Stored in {0} as {1}").format(where, result.token.key), True)
                if result.result.warning:
                    self.store_banner.show_error(result.result.warning)
                return
            reason = result.result.warning or ""
        else:
            reason = describe_error(result)
        text = self.tr("The token was NOT stored: {0} It is kept in memory until the app exits.").format(reason)
        self.store_banner.show_error(text, self.controller.store_token)
        self.token_card.set_storage(self.tr("Not stored (kept in memory only)"), False)

    def _on_connection_changed(self) -> None:
        self.controller.connection_changed()
        self._update_buttons()

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
                    self.banner.show_error(self.tr("The mini-program code is not an image I can show."))
                    return
                self._mini_code = outcome.value.data
                self.qr_view.set_image(image)
            elif not outcome.cancelled:
                self.qr_view.set_image(None)  # the local QR stays usable meanwhile
                self.banner.show_error(self.tr("Could not get the mini-program code: {0}").format(
                    describe_error(outcome.error)), lambda: self._fetch_mini_code(key))
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
        self.state_label.setText(state_text(state))
        color = STATE_COLOR.get(state, "#1a1a1a")
        self.state_label.setStyleSheet(f"font-size: 16px; font-weight: bold; color: {color};")
        overlay = OVERLAY_FOR_STATE.get(state, Overlay.NONE)
        detail = ""
        if overlay in (Overlay.SCANNED, Overlay.DONE) and self.app_info is not None:
            detail = self.app_info.name or ""
        self.qr_view.set_overlay(overlay, detail, self._logo)

    def _mode_changed(self) -> None:
        simulate = self._mode() is Mode.SIMULATE
        self.phone_pane.setVisible(simulate)
        self.auto_check.setEnabled(simulate)
        self._update_buttons()

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

    def _tick(self) -> None:
        left, ttl = self.controller.seconds_left(), self.controller.session_ttl
        if left is None or ttl <= 0:
            self.countdown_label.setText(self.tr("Expires in --:--"))
            self.countdown_bar.setValue(0)
        else:
            whole = math.ceil(left)
            self.countdown_label.setText(self.tr("Expires in {0:02d}:{1:02d}").format(whole // 60, whole % 60))
            share = left / ttl
            self.countdown_bar.setValue(round(1000 * share))
            color = "#07c160" if share > 0.2 else "#f0a020"
            self.countdown_bar.setStyleSheet(f"QProgressBar {{ border: 0; background: #eeeeee; }}"
                                             f"QProgressBar::chunk {{ background: {color}; }}")
        self.controller.expire_if_due()

