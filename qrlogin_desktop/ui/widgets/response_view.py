"""What came back from one call: a status line (HTTP, code, latency, sizes), one message, the body.

Each fact is shown once: the status line has the facts of the exchange, the message line says what
went wrong (the translated text of ``errors_text``, with Retry when the error-policy table says a
repeat may be answered otherwise), the body is the answer itself. The body is the envelope's
``data`` pretty-printed and coloured (a string holding JSON is shown parsed), the answer as received
when there is no envelope or "Raw body" is ticked (as the client's redacted exchange has it), or for
mini-program codes the image. Values under sensitive names (session_key, tokens) are masked unless
the user ticks "Reveal secrets". "Wrap lines" and "Copy" act on the body as shown, from one toolbar
row with the other view toggles. Before the first Send only the body's placeholder speaks (one
empty-state message, no status line above it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...api.errors import ApiError, ProtocolError, TransportError
from ...api.exchange import CallResult, Exchange
from ...api.models import ImageResult
from ...api.redact import Redactor
from .. import icons, theme
from ..display import data_size, facts_line, plain
from ..errors_text import describe_error
from .common import StatusFlash
from .image_preview import ImagePreview, RunBlocking
from .json_view import JsonView, Run
from .language import Retranslating

OK_COLOR, FAIL_COLOR, NEUTRAL_COLOR = "ok", "error", "muted"  # theme colour names: right in light and dark
COPY_FEEDBACK_MS = 3000
_NOTHING = object()


# What the status line describes: one small type per kind, with the facts it shows (kept so a
# language switch can write the line again).
@dataclass(frozen=True)
class NothingSent:
    pass


@dataclass(frozen=True)
class Sending:
    elapsed_s: float


@dataclass(frozen=True)
class Cancelled:
    pass


@dataclass(frozen=True)
class ImageAnswer:
    http_status: int
    content_type: str
    latency_ms: float
    exchange: Exchange | None


@dataclass(frozen=True)
class EnvelopeAnswer:
    http_status: int
    code: int | None
    error: str
    latency_ms: float
    exchange: Exchange | None


@dataclass(frozen=True)
class Failure:
    error: BaseException
    latency_ms: float | None
    exchange: Exchange | None
    retry: bool = False  # a repeat of the request may be answered otherwise


Status = NothingSent | Sending | Cancelled | ImageAnswer | EnvelopeAnswer | Failure


class ResponseView(Retranslating, QWidget):
    retry_requested = Signal()  # the user pressed Retry beside a failure's message

    def __init__(self, run: Run, run_blocking: RunBlocking | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.status_label = QLabel()
        self.status_label.setObjectName("responseStatus")
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # A long status line wraps rather than widen the window, between its facts only (facts_line).
        self.status_label.setWordWrap(True)
        self.detail_label = QLabel()
        self.detail_label.setObjectName("responseDetail")
        self.detail_label.setTextFormat(Qt.TextFormat.PlainText)
        self.detail_label.setWordWrap(True)
        self.detail_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry_button = QPushButton()
        self.retry_button.setObjectName("responseRetry")
        self.retry_button.clicked.connect(self.retry_requested)
        self.note_label = QLabel()
        theme.styled(self.note_label, f"color: {{{NEUTRAL_COLOR}}}; font-size: 11px;")
        self.note_label.setWordWrap(True)  # beside Copy in a narrow pane
        self.wrap_box = QCheckBox()
        self.wrap_box.setObjectName("responseWrap")
        self.raw_box = QCheckBox()
        self.reveal_box = QCheckBox()
        self.copy_button = QPushButton()
        self.copy_button.setObjectName("responseCopy")
        icons.set_icon(self.copy_button, "copy")
        self.copy_button.clicked.connect(self.copy_body)
        self.copy_feedback = StatusFlash("responseCopyFeedback", COPY_FEEDBACK_MS)
        theme.styled(self.copy_feedback, f"color: {{{NEUTRAL_COLOR}}}; font-size: 11px;")
        self.raw_box.toggled.connect(lambda _: self._render())
        self.reveal_box.toggled.connect(lambda _: self._render())
        self.json_view = JsonView(run)
        self.wrap_box.toggled.connect(self.json_view.set_wrap_lines)
        self.image_preview = ImagePreview(run_blocking)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.json_view)
        self.pages.addWidget(self.image_preview)
        self.json_view.progress.connect(self._on_progress)
        self.json_view.loaded.connect(self._update_note)
        self.json_view.loaded.connect(self._update_options)

        message = QHBoxLayout()
        message.setContentsMargins(0, 0, 0, 0)
        message.addWidget(self.detail_label, 1)
        message.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignTop)
        # The view toggles and Copy on one toolbar row; the note (word-wrapped) on a row of its own,
        # so the row stays narrow enough for a 1024 px window with the navigation shown.
        toolbar = QHBoxLayout()
        toolbar.setContentsMargins(0, 0, 0, 0)
        toolbar.addWidget(self.wrap_box)
        toolbar.addWidget(self.raw_box)
        toolbar.addWidget(self.reveal_box)
        toolbar.addStretch(1)
        toolbar.addWidget(self.copy_feedback)
        toolbar.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.status_label)
        layout.addLayout(message)
        layout.addWidget(self.note_label)
        layout.addLayout(toolbar)
        layout.addWidget(self.pages, 1)

        self._status: Status = NothingSent()
        self._data: Any = _NOTHING
        self._raw: str | None = None
        self._image: ImageResult | None = None
        self._image_stem = "image"
        self._redactor: Redactor | None = None
        self.retranslate()
        self.clear()

    # --- public API -----------------------------------------------------------------------------------

    def status_text(self) -> str:
        return "\n".join(t for t in (plain(self.status_label.text()), self.detail_label.text()) if t)

    @property
    def loading(self) -> bool:
        return self.json_view.loading

    def clear(self) -> None:
        self._set_status(NothingSent())
        self._data, self._raw, self._image = _NOTHING, None, None
        self.json_view.clear_view()
        self.image_preview.clear_image()
        self.pages.setCurrentWidget(self.json_view)
        self._update_options()

    def set_busy(self, elapsed_s: float) -> None:
        """While a request is in flight; the previous answer stays visible below."""
        self._set_status(Sending(elapsed_s))

    def show_cancelled(self) -> None:
        self._set_status(Cancelled())

    def show_result(self, result: CallResult, redactor: Redactor | None = None, image_stem: str = "image") -> None:
        self._redactor = redactor
        exchange = result.exchange
        self._raw = exchange.response_body if exchange else None
        if isinstance(result.value, ImageResult):
            self._image, self._image_stem, self._data = result.value, image_stem, _NOTHING
            self._set_status(ImageAnswer(result.http_status, result.value.content_type, result.latency_ms, exchange))
        else:
            self._image = None
            envelope = result.envelope
            self._data = envelope.data if envelope is not None else result.value
            code = envelope.code if envelope is not None else None
            error = envelope.error if envelope is not None else ""
            self._set_status(EnvelopeAnswer(result.http_status, code, error, result.latency_ms, exchange))
        self._render()

    def show_failure(self, error: BaseException, elapsed_ms: float | None = None, *, retry: bool = False) -> None:
        """What did come back for a failed call (the error's exchange, when an answer arrived).
        ``retry``: offer Retry (``retry_requested``), for a failure a repeat may turn out otherwise."""
        exchange: Exchange | None = getattr(error, "exchange", None)
        self._image, self._data = None, _NOTHING
        self._raw = exchange.response_body if exchange is not None else None
        latency = exchange.latency_ms if exchange is not None else elapsed_ms
        self._set_status(Failure(error, latency, exchange, retry))
        self._render()

    def copy_body(self) -> None:
        """The body as shown (the image, for an image answer) to the clipboard."""
        if self._image is not None:
            if self.image_preview.image.isNull():
                return
            QGuiApplication.clipboard().setImage(self.image_preview.image)
            self.copy_feedback.flash(lambda: self.tr("Image copied."))
            return
        text = self.json_view.shown_text
        if not text:
            return
        QGuiApplication.clipboard().setText(text)
        self.copy_feedback.flash(lambda: self.tr("Copied."))

    # --- status line ----------------------------------------------------------------------------------

    def _set_status(self, status: Status) -> None:
        self._status = status
        self._show_status()

    def _show_status(self) -> None:
        color, detail, retry = NEUTRAL_COLOR, "", False
        match self._status:
            case NothingSent():
                status = self.tr("No request sent yet.")
            case Sending(elapsed_s):
                status = self.tr("Sending… {0:.1f} s").format(elapsed_s)
            case Cancelled():
                status = self.tr("Cancelled — the request was abandoned before an answer arrived.")
                color = FAIL_COLOR
            case ImageAnswer(http_status, content_type, latency, exchange):
                # The content type once, here: the preview below gives the picture's own facts.
                status = facts_line([f"HTTP {http_status}",
                                     self.tr("{0} (an image, no envelope)").format(content_type),
                                     f"{latency:.0f} ms", *self._sizes(exchange, with_type=False)])
                color = OK_COLOR
            case EnvelopeAnswer(http_status, code, error, latency, exchange):
                status = facts_line([f"HTTP {http_status}",
                                     self.tr("code {0}").format(code if code is not None else "—"),
                                     f"{latency:.0f} ms", *self._sizes(exchange)])
                color = OK_COLOR if code in (200, None) else FAIL_COLOR
                detail = self.tr("error: {0}").format(error) if error else ""
            case Failure(error, latency, exchange, can_retry):
                status = self._failure_facts(error, latency, exchange)
                detail, retry, color = describe_error(error), can_retry, FAIL_COLOR
        self.status_label.setText(status)
        self.status_label.setAccessibleName(plain(status))  # a screen reader reads words, not joiners
        nothing_sent = isinstance(self._status, NothingSent)
        self.status_label.setVisible(not nothing_sent)  # the body's placeholder says it, once
        self.json_view.setPlaceholderText(status if nothing_sent else "")
        theme.styled(self.status_label, f"color: {{{color}}}; font-weight: bold;")
        self.detail_label.setText(detail)
        theme.styled(self.detail_label, f"color: {{{color}}};")
        self.detail_label.setVisible(bool(detail))
        self.retry_button.setVisible(retry)

    def _failure_facts(self, error: BaseException, latency: float | None, exchange: Exchange | None) -> str:
        """The status line of a failed call: what came back, if anything (why it failed is the
        message line's, said once)."""
        parts = []
        if exchange is not None and exchange.status is not None:
            parts.append(f"HTTP {exchange.status}")
        if isinstance(error, ApiError):
            parts.append(self.tr("code {0}").format(error.code))
        elif isinstance(error, ProtocolError):
            if not parts and error.http_status is not None:
                parts.append(f"HTTP {error.http_status}")
            parts.append(self.tr("not the API's envelope"))
        elif isinstance(error, TransportError):
            parts.append(self.tr("no answer ({0})").format(error.kind))
        if latency is not None:
            parts.append(f"{latency:.0f} ms")
        parts += self._sizes(exchange)
        return facts_line(parts)

    def _sizes(self, exchange: Exchange | None, *, with_type: bool = True) -> list[str]:
        if exchange is None:
            return []
        # "sent" only for a request with a body: a GET's "sent 0 bytes" says nothing.
        out = [self.tr("sent {0}").format(data_size(exchange.request_size))] if exchange.request_size else []
        out.append(self.tr("received {0}").format(data_size(exchange.response_size)))
        if with_type and exchange.response_content_type:
            out.append(exchange.response_content_type)
        return out

    # --- body -----------------------------------------------------------------------------------------

    def _update_options(self) -> None:
        # The toggles only where they change something: a decoded answer that also has a raw body.
        has_data = self._data is not _NOTHING
        has_text = self._image is None and (has_data or self._raw is not None)
        self.raw_box.setVisible(has_data and self._raw is not None)
        self.reveal_box.setVisible(has_data)
        self.reveal_box.setEnabled(not self.raw_box.isChecked())
        self.wrap_box.setVisible(has_text)
        can_copy = has_text or self._image is not None
        self.copy_button.setVisible(can_copy)
        self.copy_feedback.setVisible(can_copy)  # its line only beside Copy: no gap before the first answer
        self.copy_button.setEnabled(self._image is not None or not self.json_view.loading)
        self.note_label.setVisible(has_data or self._raw is not None)

    def _render(self) -> None:
        self._update_options()
        if self._image is not None:
            self.json_view.clear_view()
            self.image_preview.show_image(self._image, self._image_stem)
            self.pages.setCurrentWidget(self.image_preview)
            self._update_note()
            self._update_options()
            return
        self.image_preview.clear_image()
        self.pages.setCurrentWidget(self.json_view)
        if self._data is not _NOTHING and not self.raw_box.isChecked():
            redactor = self._redactor
            transform = None if (self.reveal_box.isChecked() or redactor is None) else redactor.json
            self.json_view.show_value(self._data, transform)
        elif self._raw is not None:
            self.json_view.show_text(self._raw)
        else:
            self.json_view.clear_view()
        self._update_note()
        self._update_options()  # Copy waits for the text to be in

    def _on_progress(self, percent: int) -> None:
        if percent < 100:
            self.note_label.setText(self.tr("Showing… {0}%").format(percent))

    def _update_note(self) -> None:
        if self._image is not None:
            self.note_label.setText("")
        elif self.json_view.loading:
            self.note_label.setText(self.tr("Formatting…"))
        elif self.raw_box.isChecked() or self._data is _NOTHING:
            self.note_label.setText(self.tr("The body as received (credentials masked)."))
        elif self.json_view.inner_json:
            self.note_label.setText(self.tr("data is a string holding JSON; shown parsed."))
        else:
            self.note_label.setText(self.tr("The envelope's data."))

    # --- texts ----------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.retry_button.setText(self.tr("Retry"))
        self.retry_button.setToolTip(self.tr("Send the same request again"))
        self.wrap_box.setText(self.tr("Wrap lines"))
        self.copy_button.setText(self.tr("Copy"))
        self.copy_button.setToolTip(self.tr("Copy the body as shown"))
        self.raw_box.setText(self.tr("Raw body"))
        self.raw_box.setToolTip(self.tr("Show the answer as received instead of the envelope's data"))
        self.reveal_box.setText(self.tr("Reveal secrets"))
        self.reveal_box.setToolTip(self.tr("Show values such as session_key unmasked"))
        self.json_view.setAccessibleName(self.tr("Response"))
        self._show_status()
        self._update_note()

