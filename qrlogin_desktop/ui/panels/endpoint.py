"""One page per catalogue endpoint, generated from its entry: header, request bar, inputs, the answer.

The request bar is the same on every page, above the inputs: the method, the URL the request goes
to (as the client resolves it from the inputs, secret parameters masked) and Send, the page's
primary action. Enter in a query field sends too, as does Ctrl+Enter anywhere on the page. The
inputs and the answer share the page by one ratio common to every endpoint page (a drag on one page
moves the split on all), so the answer stays put when the user moves from page to page.

Nothing here is specific to an endpoint: query fields come from ``endpoint.query``, the body editor
from ``endpoint.body_kind`` / ``example_body`` / ``violations``, the answer's shape from what the
client returns. The panel never builds a URL or reads an envelope: it calls ``ctx.client.call``,
``ctx.client.shown_url`` and ``ctx.client.curl_for``.

Failures never touch the inputs: what the user typed is exactly what Retry sends again. Retry is
offered only where the error-policy table says a repeat may be answered otherwise (not for a used
js_code, say).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ...api.catalogue import BodyKind, Endpoint
from ...api.errors import ValidationError, Violation, violations_text
from ...api.outcomes import CodeTable
from .. import i18n, theme
from ..display import method_color_name, monospace_font
from ..runner import Outcome
from ..widgets.common import ErrorBanner, Panel, StatusFlash
from ..widgets.field_form import FieldForm
from ..widgets.json_editor import JsonEditor, pretty
from ..widgets.primary_button import make_primary
from ..widgets.response_view import ResponseView

CURL_FEEDBACK_MS = 4000
SEND_KEYS = (QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter"))  # the main and the keypad Enter
DEFAULT_INPUTS_SHARE = 0.5  # of the split's width, for the inputs; the answer has the rest


class SharedSplitter(QSplitter):
    """Inputs | answer, split at the ratio every endpoint page shares (``share``): applied when the
    page is shown or resized, and set by the user's drag on any page. A pane's minimum width still
    wins where the ratio would squeeze it (a narrow window)."""

    share = DEFAULT_INPUTS_SHARE  # one value for the whole application: the pages' common split

    def __init__(self, first: QWidget, second: QWidget):
        super().__init__(Qt.Orientation.Horizontal)
        self.addWidget(first)
        self.addWidget(second)
        self.setChildrenCollapsible(False)
        self.splitterMoved.connect(self._remember)

    def _remember(self, _pos: int, _index: int) -> None:
        sizes = self.sizes()
        if sum(sizes) > 0:
            SharedSplitter.share = sizes[0] / sum(sizes)

    def apply_share(self) -> None:
        total = sum(self.sizes()) or self.width()
        first = round(total * SharedSplitter.share)
        self.setSizes([first, total - first])

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.apply_share()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.apply_share()


class EndpointPanel(Panel):
    finished = Signal()  # a send ended (answer, failure or cancel) and the outcome is shown

    def __init__(self, ctx, endpoint: Endpoint, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.endpoint = endpoint
        self.setObjectName(f"endpoint_{endpoint.id}")
        self._future = None
        self._generation = 0
        self._started = 0.0
        self._problems_at_send = 0  # what the "Not sent" hint counts

        # --- header ---
        self.name_label = QLabel()
        self.name_label.setObjectName("endpointName")
        self.name_label.setStyleSheet("font-size: 16px; font-weight: bold;")
        self.id_label = QLabel()
        theme.styled(self.id_label, "color: {muted};")
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)  # the window's text colour: readable in both themes
        names = QHBoxLayout()
        names.addWidget(self.name_label)
        names.addWidget(self.id_label)
        names.addStretch(1)

        # --- request bar: METHOD  resolved URL  [Send] ---
        self.method_label = QLabel(endpoint.method)
        self.method_label.setObjectName("requestMethod")
        theme.styled(self.method_label, f"background: {{{method_color_name(endpoint.method)}}}; "
                                        "color: {on_method}; font-weight: bold; border-radius: 3px; padding: 3px 8px;")
        self.url_field = QLineEdit()  # read-only, so a long URL scrolls instead of widening the page
        self.url_field.setObjectName("requestUrl")
        self.url_field.setReadOnly(True)
        self.url_field.setFont(monospace_font())
        self.url_field.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        # --- request side ---
        request = QWidget()
        request_layout = QVBoxLayout(request)
        request_layout.setContentsMargins(0, 0, 4, 0)
        self.query_title = QLabel()
        self.query_title.setStyleSheet("font-weight: bold;")
        self.form = FieldForm(endpoint.query)
        self.form.changed.connect(self._on_input_changed)
        for editor in self.form.editors.values():
            if isinstance(editor, QLineEdit):
                editor.returnPressed.connect(self.send)  # Enter in a field is the page's default action
        self.query_title.setVisible(bool(endpoint.query))
        self.form.setVisible(bool(endpoint.query))
        request_layout.addWidget(self.query_title)
        request_layout.addWidget(self.form)
        self.body_title = QLabel()
        self.body_title.setStyleSheet("font-weight: bold;")
        self.editor: JsonEditor | None = None
        if endpoint.body_kind is not BodyKind.NONE:
            query_names = {f.name for f in endpoint.query}
            self.editor = JsonEditor(
                endpoint.example_body,
                rules=lambda body: [v for v in endpoint.violations(None, body) if v.field not in query_names])
            self.editor.changed.connect(self._on_input_changed)
            request_layout.addWidget(self.body_title)
            request_layout.addWidget(self.editor, 1)
        else:
            self.body_title.hide()

        self.validate_box = QCheckBox()
        self.validate_box.setChecked(True)
        self.validate_box.toggled.connect(self._update_actions)
        self.send_button = QPushButton()
        self.send_button.setObjectName("sendButton")
        self.send_button.setDefault(True)
        make_primary(self.send_button, "send")
        self.send_button.clicked.connect(self.send)
        self.cancel_button = QPushButton()
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)  # indeterminate
        self.busy_bar.setMaximumWidth(80)
        self.busy_bar.setMaximumHeight(10)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.hide()
        self.curl_button = QPushButton()
        self.curl_button.clicked.connect(self.copy_curl)
        self.curl_credential = QCheckBox()
        self.send_hint = QLabel()
        self.send_hint.setWordWrap(True)
        theme.styled(self.send_hint, "color: {error};")
        self.send_hint.hide()

        request_bar = QHBoxLayout()
        request_bar.addWidget(self.method_label)
        request_bar.addWidget(self.url_field, 1)
        request_bar.addWidget(self.busy_bar)
        request_bar.addWidget(self.send_button)
        request_bar.addWidget(self.cancel_button)
        # Validation and cURL on rows of their own: side by side they made the request half too wide
        # for the body/response splitter to fit a 1024 px window with the navigation shown.
        curl_row = QHBoxLayout()
        curl_row.addStretch(1)
        curl_row.addWidget(self.curl_credential)
        curl_row.addWidget(self.curl_button)
        self.curl_feedback = StatusFlash("curlFeedback", CURL_FEEDBACK_MS)
        request_layout.addWidget(self.send_hint)
        request_layout.addWidget(self.validate_box)
        request_layout.addLayout(curl_row)
        request_layout.addWidget(self.curl_feedback, 0, Qt.AlignmentFlag.AlignRight)
        if self.editor is None:
            request_layout.addStretch(1)  # the options sit right under the query fields

        # --- response side ---
        response = QWidget()
        response_layout = QVBoxLayout(response)
        response_layout.setContentsMargins(4, 0, 0, 0)
        self.response_title = QLabel()
        self.response_title.setStyleSheet("font-weight: bold;")
        self.banner = ErrorBanner()  # input problems no field of ours shows (the appKey)
        self.response = ResponseView(ctx.run, ctx.run_blocking)
        self.response.retry_requested.connect(self.send)
        response_layout.addWidget(self.response_title)
        response_layout.addWidget(self.banner)
        response_layout.addWidget(self.response, 1)

        self.splitter = SharedSplitter(request, response)

        layout = QVBoxLayout(self)
        layout.addLayout(names)
        layout.addWidget(self.summary_label)
        layout.addLayout(request_bar)
        layout.addWidget(self.splitter, 1)

        self._clock = QTimer(self)
        self._clock.setInterval(100)
        self._clock.timeout.connect(lambda: self.response.set_busy(time.perf_counter() - self._started))
        for keys in SEND_KEYS:
            QShortcut(keys, self, activated=self.send)
        ctx.connection_changed.connect(self._update_actions)
        ctx.connection_changed.connect(self._update_url)
        self._update_url()
        self.retranslate()

    # --- texts ----------------------------------------------------------------------------------------

    def title(self) -> str:
        return i18n.pick(self.endpoint.name_en, self.endpoint.name_zh)

    def retranslate(self) -> None:
        ep = self.endpoint
        # The name in the UI's language, as the navigation shows it; the other language's name is the
        # tooltip, and the endpoint's id (the path's last part) stays as the contract spells it.
        self.name_label.setText(self.title())
        other_name = ep.name_en if i18n.is_chinese() else ep.name_zh
        self.name_label.setToolTip(other_name)
        self.id_label.setText(ep.id)
        self.id_label.setToolTip(other_name)
        self.summary_label.setText(i18n.pick(ep.summary_en, ep.summary_zh))
        self.query_title.setText(self.tr("Query parameters"))
        self.body_title.setText(self.tr("Body (JSON)"))
        self.validate_box.setText(self.tr("Validate before sending"))
        self.validate_box.setToolTip(self.tr("Check the catalogue's rules before sending. Turn off to send "
                                             "bad input on purpose and see what the server says."))
        self.send_button.setToolTip(self.tr("Send the request (Ctrl+Enter)"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.curl_button.setText(self.tr("Copy as cURL"))
        self.curl_credential.setText(self.tr("include credential"))
        self.curl_credential.setToolTip(self.tr("Off: the Authorization header reads $QRLOGIN_TOKEN. "
                                                "On: the real bearer credential is copied."))
        self.response_title.setText(self.tr("Response"))
        self.url_field.setAccessibleName(self.tr("Request URL"))
        self.url_field.setToolTip(self.tr("Where the request goes, from the inputs as they are now"))
        self.method_label.setAccessibleName(self.tr("HTTP method"))
        self._render_send_hint()
        self._update_actions()

    # --- state ----------------------------------------------------------------------------------------

    @property
    def in_flight(self) -> bool:
        return self._future is not None

    def _body_parses(self) -> bool:
        return self.editor is None or self.editor.is_valid_json

    def _update_actions(self) -> None:
        connected = self.ctx.client is not None
        parses = self._body_parses()
        busy = self.in_flight
        self.send_button.setEnabled(connected and parses and not busy)
        self.send_button.setText(self.tr("Sending…") if busy else self.tr("Send"))
        self.curl_button.setEnabled(connected and parses)
        if not connected:
            self.send_button.setToolTip(self.tr("Not connected to a server yet"))
        elif not parses:
            self.send_button.setToolTip(self.tr("Fix the JSON syntax error first"))
        else:
            self.send_button.setToolTip(self.tr("Send the request (Ctrl+Enter)"))
        self.cancel_button.setVisible(busy)
        self.busy_bar.setVisible(busy)

    def _on_input_changed(self) -> None:
        self.send_hint.hide()  # it described the inputs as they were at the last Send
        self._update_actions()
        self._update_url()

    def _update_url(self) -> None:
        client = self.ctx.client
        # Not connected yet: the catalogue's route, its placeholders as they are.
        url = client.shown_url(self.endpoint, self.form.values()) if client is not None else self.endpoint.template
        if url != self.url_field.text():
            self.url_field.setText(url)
            self.url_field.setCursorPosition(0)

    def _inputs(self) -> tuple[dict[str, Any], Any]:
        body = self.editor.value() if self.editor is not None else None
        return self.form.values(), body

    def load_inputs(self, query: Mapping[str, Any], body: Any = None, *, missing: Sequence[str] = ()) -> None:
        """Fill the page with given inputs (a request replayed from the log): the query fields by
        name, the JSON body when given; ``missing`` fields are flagged for the user to fill in."""
        self.form.replace_values(query, missing=missing)
        if self.editor is not None and body is not None:
            self.editor.set_text(pretty(body))  # one undoable edit
        self._on_input_changed()

    # --- actions --------------------------------------------------------------------------------------

    def send(self) -> None:
        client = self.ctx.client
        if client is None or self.in_flight or not self._body_parses():
            return
        query, body = self._inputs()
        validate = self.validate_box.isChecked()
        self.send_hint.hide()
        self.banner.clear()
        if validate:
            problems = client.check(self.endpoint, query, body)
            if problems:
                self._show_violations(problems)
                return
        self._generation += 1
        generation = self._generation
        self._started = time.perf_counter()

        def done(outcome: Outcome) -> None:
            if generation != self._generation:
                return  # cancelled or superseded: that answer is no longer wanted
            self._finish(outcome)

        self._future = self.ctx.run(client.call(self.endpoint, query=query, body=body, validate=validate), done)
        self.response.set_busy(0.0)
        self._clock.start()
        self._update_actions()

    def cancel(self) -> None:
        future = self._future
        if future is None:
            return
        self._generation += 1  # the late answer, if any, is ignored
        future.cancel()
        self._end_flight()
        self.response.show_cancelled()
        self.finished.emit()

    def _end_flight(self) -> None:
        self._future = None
        self._clock.stop()
        self._update_actions()

    def _finish(self, outcome: Outcome) -> None:
        elapsed_ms = (time.perf_counter() - self._started) * 1000
        self._end_flight()
        if outcome.cancelled:
            self.response.show_cancelled()
        elif outcome.ok:
            result = outcome.value
            client = self.ctx.client
            stem = f"{self.endpoint.id}-{time.strftime('%Y%m%d-%H%M%S')}"
            self.response.show_result(result, client.redactor if client is not None else None, stem)
        elif isinstance(outcome.error, ValidationError):
            self._show_violations(outcome.error.violations)
        else:
            self.response.show_failure(outcome.error, elapsed_ms, retry=self._repeat_can_help(outcome.error))
        self.finished.emit()

    def _repeat_can_help(self, error: BaseException | None) -> bool:
        """The error-policy table's word (the profile's code table), for the errors it knows."""
        if not hasattr(error, "outcome"):
            return True  # nothing the table classifies (an unexpected failure): let the user try again
        connection = self.ctx.connection
        codes = connection.codes() if connection is not None else CodeTable()
        return codes.repeat_can_help(error)

    def _show_violations(self, violations: tuple[Violation, ...] | list[Violation]) -> None:
        """Messages next to their fields; anything without a field of ours goes to the banner."""
        query_names = {f.name for f in self.endpoint.query}
        for name in {v.field for v in violations if v.field in query_names}:
            editor = self.form.editors[name]
            if hasattr(editor, "setModified"):
                editor.setModified(True)  # the user pressed Send: a blank required field now counts
        self.form.validate()
        if self.editor is not None:
            self.editor.check()
        elsewhere = [v for v in violations if v.field not in query_names
                     and (self.editor is None or v.field == "appKey")]
        if elsewhere:
            self.banner.show_error(lambda: violations_text(elsewhere, i18n.message_language()))
        self._problems_at_send = len(violations)
        self._render_send_hint()
        self.send_hint.show()

    def _render_send_hint(self) -> None:
        """Written again on a language change: the hint may be on screen when it happens."""
        self.send_hint.setText(self.tr("Not sent: %n problem(s) — see the messages next to the fields, "
                                       "or turn off \"Validate before sending\".", "", self._problems_at_send))

    def copy_curl(self) -> None:
        client = self.ctx.client
        if client is None or not self._body_parses():
            return
        query, body = self._inputs()
        reveal = self.curl_credential.isChecked()
        QGuiApplication.clipboard().setText(client.curl_for(self.endpoint, query=query, body=body,
                                                            reveal_token=reveal))
        if reveal:
            theme.styled(self.curl_feedback, "color: {warning};")
            self.curl_feedback.flash(lambda: self.tr("Copied — it contains the real credential."))
        else:
            theme.styled(self.curl_feedback, "color: {muted};")
            self.curl_feedback.flash(lambda: self.tr("Copied (credential as $QRLOGIN_TOKEN)."))
