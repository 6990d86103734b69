"""The big QR in the middle of the login panel, with WeChat-style overlays (scanned, expired, …).

The local QR is rendered for the widget's actual size and device pixel ratio with an integer
number of device pixels per module, so it stays crisp on any screen and re-renders on resize.
A mini-program code arrives as image bytes from the server and is drawn as it is.
"""

from __future__ import annotations

import enum
import math

from PySide6.QtCore import QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from ...flow.qr import qr_matrix
from .. import theme
from ..qr_image import to_qimage_hidpi
from .language import Retranslating

MARGIN = 8


class Overlay(enum.Enum):
    NONE = "none"
    LOADING = "loading"  # Initiate in flight
    SCANNED = "scanned"  # the phone scanned: dim the QR, "confirm on your phone"
    DONE = "done"  # logged in
    EXPIRED = "expired"  # click to refresh
    FAILED = "failed"  # the login failed after its QR was shown: click for a new QR
    NO_QR = "no_qr"  # Initiate failed, so there is no QR at all: click to try again
    CANCELLED = "cancelled"  # click for a new QR


CLICKABLE = frozenset({Overlay.EXPIRED, Overlay.FAILED, Overlay.NO_QR, Overlay.CANCELLED})
REFRESH_KEYS = frozenset({Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space, Qt.Key.Key_R})


class QrView(Retranslating, QWidget):
    refresh_requested = Signal()  # the user clicked (or pressed Enter on) an expired / failed / cancelled QR

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("qrView")
        self.setMinimumSize(140, 140)  # it scales: 1024x640 windows and 4K screens alike
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._payload: str | None = None
        self._source_image: QImage | None = None  # a mini-program code instead of the local QR
        self._cache: tuple[tuple[str, float, int], QImage] | None = None
        self.overlay = Overlay.NONE
        self._detail = ""  # e.g. the app and user shown under "Scanned"
        self._logo: QPixmap | None = None

    def sizeHint(self) -> QSize:
        # Small on purpose: the page's layout (word-wrapped labels make it height-for-width) asks
        # for the preferred height, and the code grows into whatever room is left (Expanding).
        return QSize(160, 160)

    # No heightForWidth: the code is drawn as the largest square that fits whatever room the page
    # gives, so a wide, short window shrinks it instead of scrolling it out of view.

    # --- content ----------------------------------------------------------------------------------------

    def set_payload(self, payload: str | None) -> None:
        """Show the local QR of ``payload`` (None: nothing yet)."""
        self._payload, self._source_image, self._cache = payload, None, None
        self.update()

    def set_image(self, image: QImage | None) -> None:
        """Show a server-made code (the mini-program code) instead of the local QR."""
        self._source_image = image if image is not None and not image.isNull() else None
        self.update()

    def set_overlay(self, overlay: Overlay, detail: str = "", logo: QPixmap | None = None) -> None:
        self.overlay, self._detail, self._logo = overlay, detail, logo
        clickable = overlay in CLICKABLE
        self.setCursor(Qt.CursorShape.PointingHandCursor if clickable else Qt.CursorShape.ArrowCursor)
        # Reachable by Tab only when Enter on it does something (refresh the QR).
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus if clickable else Qt.FocusPolicy.NoFocus)
        self.setAccessibleDescription(" ".join(t for t in self._texts()[overlay] if t))
        self.update()

    @property
    def payload(self) -> str | None:
        return self._payload

    def current_image(self) -> QImage | None:
        """The code as shown, without overlays: for Copy, Save and tests."""
        if self._source_image is not None:
            return self._source_image
        if self._payload is None:
            return None
        return self._rendered(self._side())

    def showing_source_image(self) -> bool:
        return self._source_image is not None

    # --- drawing ----------------------------------------------------------------------------------------

    def _side(self) -> int:
        return max(1, min(self.width(), self.height()) - 2 * MARGIN)

    def _rendered(self, side: int) -> QImage:
        """The local QR at the largest whole number of device pixels per module that fits ``side``."""
        assert self._payload is not None
        dpr = self.devicePixelRatioF()
        key = (self._payload, dpr, side)
        if self._cache is None or self._cache[0] != key:
            modules = len(qr_matrix(self._payload))
            per_module = max(1, math.floor(side * dpr / modules))
            # to_qimage_hidpi rounds pixels-per-module up; ask for just under per_module * modules
            # device pixels so it lands exactly on per_module (no resampling, no blur).
            logical = (per_module * modules - 0.5) / dpr
            self._cache = (key, to_qimage_hidpi(self._payload, dpr, logical))
        return self._cache[1]

    def resizeEvent(self, event) -> None:
        self._cache = None  # re-render at the new size on the next paint
        super().resizeEvent(event)

    def retranslate(self) -> None:
        self.setAccessibleDescription(" ".join(t for t in self._texts()[self.overlay] if t))
        self.update()  # overlay texts are translated at paint time

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = self._side()
        box = QRect((self.width() - side) // 2, (self.height() - side) // 2, side, side)
        painter.fillRect(box, QColor("#ffffff"))
        painter.setPen(QPen(QColor("#dcdcdc"), 1))
        painter.drawRect(box.adjusted(0, 0, -1, -1))
        image = self.current_image()
        if image is not None:
            if self._source_image is None:
                # Drawn 1:1 (the image carries the device pixel ratio), centred on whole pixels.
                width = round(image.width() / image.devicePixelRatio())
                painter.drawImage(box.x() + (side - width) // 2, box.y() + (side - width) // 2, image)
            else:
                painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
                painter.drawImage(_fit(image.size(), box), image)
        elif self.overlay is Overlay.NONE:  # one message at a time: an overlay replaces this hint
            self._draw_text(painter, box, self.tr("Press Start to show a QR code"), "", QColor("#888888"))
        self._draw_overlay(painter, box)
        if self.hasFocus():
            painter.setPen(QPen(self.palette().highlight().color(), 2))
            painter.drawRect(box.adjusted(1, 1, -2, -2))
        painter.end()

    def _texts(self) -> dict[Overlay, tuple[str, str]]:
        return {
            Overlay.NONE: ("", ""),
            Overlay.LOADING: (self.tr("Requesting a QR code…"), ""),
            # 扫描成功,请在手机上确认 is what WeChat's own web login says here.
            Overlay.SCANNED: (self.tr("Scanned — confirm on your phone"), self._detail),
            Overlay.DONE: (self.tr("Logged in"), self._detail),
            Overlay.EXPIRED: (self.tr("QR expired — click or press Enter to refresh"), ""),
            Overlay.FAILED: (self.tr("Login failed — click or press Enter for a new QR"), self._detail),
            Overlay.NO_QR: (self.tr("Couldn't get a QR — click or press Enter to retry"), self._detail),
            Overlay.CANCELLED: (self.tr("Cancelled — click or press Enter for a new QR"), ""),
        }

    def overlay_text(self) -> str:
        """The overlay's title as drawn (for tests and the accessible description)."""
        return self._texts()[self.overlay][0]

    def _draw_overlay(self, painter: QPainter, box: QRect) -> None:
        if self.overlay is Overlay.NONE:
            return
        painter.fillRect(box, QColor(255, 255, 255, 225))
        title, detail = self._texts()[self.overlay]
        color = {Overlay.DONE: "#07c160", Overlay.SCANNED: "#07c160", Overlay.FAILED: "#d93025",
                 Overlay.NO_QR: "#d93025"}.get(self.overlay, "#333333")
        if self._logo is not None and self.overlay is Overlay.SCANNED:
            logo = self._logo.scaled(56, 56, Qt.AspectRatioMode.KeepAspectRatio,
                                     Qt.TransformationMode.SmoothTransformation)
            path = QPainterPath()
            spot = QRect(box.center().x() - 28, box.center().y() - 80, 56, 56)
            path.addRoundedRect(QRectF(spot), 8, 8)
            painter.save()
            painter.setClipPath(path)
            painter.drawPixmap(spot, logo)
            painter.restore()
        self._draw_text(painter, box, title, detail, QColor(color))

    def _draw_text(self, painter: QPainter, box: QRect, title: str, detail: str, color: QColor) -> None:
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(color)
        inner = box.adjusted(16, 0, -16, 0)
        flags = Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap
        top = int(flags | Qt.AlignmentFlag.AlignTop)
        # Measure first: a long title wraps (narrow window, Chinese), and the detail goes below it.
        title_rect = painter.boundingRect(QRect(inner.left(), box.center().y() - 12, inner.width(), 200), top, title)
        painter.drawText(title_rect, top, title)
        if detail:
            painter.setFont(self.font())
            # The overlay's card is white in either scheme (drawn over the QR): the light secondary text.
            painter.setPen(theme.color("muted", theme.Scheme.LIGHT))
            painter.drawText(QRect(inner.left(), title_rect.bottom() + 6, inner.width(), 60), top, detail)

    # --- clicks -----------------------------------------------------------------------------------------

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.overlay in CLICKABLE:
            self.refresh_requested.emit()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.overlay in CLICKABLE and event.key() in REFRESH_KEYS and not event.modifiers():
            self.refresh_requested.emit()
            return
        super().keyPressEvent(event)


def _fit(size: QSize, box: QRect) -> QRectF:
    """The largest rectangle of ``size``'s aspect ratio centred in ``box``."""
    scaled = size.scaled(box.size(), Qt.AspectRatioMode.KeepAspectRatio)
    return QRectF(box.x() + (box.width() - scaled.width()) / 2, box.y() + (box.height() - scaled.height()) / 2,
                  scaled.width(), scaled.height())
