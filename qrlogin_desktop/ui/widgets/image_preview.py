"""An image answer (mini-program code) shown crisp, with its pixel size and "Save image…".

QR modules must stay sharp: enlarging uses whole-number factors and nearest-neighbour sampling;
only an image bigger than the space is shrunk, smoothly, to fit.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ...api.models import ImageResult
from .. import theme
from ..runner import Outcome
from .language import Retranslating

PREFERRED_SIDE = 240  # px; what the canvas asks for, not its limit
RunBlocking = Callable[[Callable[[], object], Callable[[Outcome], None]], object]


def target_rect(image: QSize, space: QSize) -> QRect:
    """Where to draw ``image`` centred in ``space``: whole-number enlargement, else shrink to fit."""
    if image.isEmpty() or space.isEmpty():
        return QRect()
    fit = min(space.width() / image.width(), space.height() / image.height())
    scale = float(int(fit)) if fit >= 1 else fit
    w, h = max(1, round(image.width() * scale)), max(1, round(image.height() * scale))
    return QRect((space.width() - w) // 2, (space.height() - h) // 2, w, h)


class ImageCanvas(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.image = QImage()
        self.setMinimumSize(160, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_image(self, image: QImage) -> None:
        self.image = image
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        # Modest on purpose: the canvas expands into whatever room there is, but a page's
        # scroll area sizes it by preferred heights, and a 430 px code asked for more height than
        # a 640 px window has.
        if self.image.isNull():
            return QSize(PREFERRED_SIDE, PREFERRED_SIDE)
        return self.image.size().boundedTo(QSize(PREFERRED_SIDE, PREFERRED_SIDE))

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().base())
        if self.image.isNull():
            return
        rect = target_rect(self.image.size(), self.size())
        smooth = rect.width() < self.image.width()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, smooth)
        painter.drawImage(rect, self.image)


class ImagePreview(Retranslating, QWidget):
    def __init__(self, run_blocking: RunBlocking | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._run_blocking = run_blocking
        self.result: ImageResult | None = None
        self.default_stem = "image"
        self.canvas = ImageCanvas()
        self.canvas.setObjectName("imageCanvas")
        self.info = QLabel()
        theme.styled(self.info, "color: {muted};")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.save_button = QPushButton()
        self.save_button.clicked.connect(self.save)
        row = QHBoxLayout()
        row.addWidget(self.info, 1)
        row.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(row)
        layout.addWidget(self.message)
        self.retranslate()

    @property
    def image(self) -> QImage:
        return self.canvas.image

    def show_image(self, result: ImageResult, default_stem: str = "image") -> bool:
        """Show ``result``; False when Qt cannot decode the bytes."""
        self.result = result
        self.default_stem = default_stem
        image = QImage.fromData(result.data)
        self.canvas.set_image(image)
        self.message.clear()
        self.save_button.setEnabled(True)
        # Only the picture's own facts: the content type and size are the status line's.
        if image.isNull():
            self.info.setText(self.tr("Cannot be decoded for preview."))
            return False
        self.info.setText(self.tr("{0} × {1} px").format(image.width(), image.height()))
        return True

    def clear_image(self) -> None:
        self.result = None
        self.canvas.set_image(QImage())
        self.info.clear()
        self.message.clear()
        self.save_button.setEnabled(False)

    def default_file_name(self) -> str:
        ext = self.result.extension if self.result else "png"
        return f"{self.default_stem}.{ext}"

    def save(self) -> None:
        result = self.result
        if result is None:
            return
        ext = result.extension
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save image"), str(Path.home() / self.default_file_name()),
            self.tr("{0} image (*.{1});;All files (*)").format(ext.upper(), ext))
        if not path:
            return
        data = result.data

        def write() -> str:
            Path(path).write_bytes(data)
            return path

        def done(outcome: Outcome) -> None:
            if outcome.ok:
                self.message.setStyleSheet("color: #188038;")
                self.message.setText(self.tr("Saved to {0}").format(path))
            else:
                self.message.setStyleSheet("color: #d93025;")
                self.message.setText(self.tr("Could not save {0}: {1}").format(path, outcome.error))

        if self._run_blocking is not None:
            self._run_blocking(write, done)
        else:
            try:
                done(Outcome(value=write()))
            except OSError as exc:
                done(Outcome(error=exc))

    def retranslate(self) -> None:
        self.save_button.setText(self.tr("Save image…"))

