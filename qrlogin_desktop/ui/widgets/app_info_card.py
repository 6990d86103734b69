"""What the phone user sees after a scan: the app's logo, name, requested scopes (as chips), remark."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...api.models import UserQRCodeScanResult
from .. import theme
from .language import Retranslating

CHIP_STYLE = "QLabel {{ background: {ok_bg}; color: {ok}; border: 1px solid {card_border}; border-radius: 9px; padding: 1px 8px; }}"


class AppInfoCard(Retranslating, QFrame):
    LOGO_SIZE = 48

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("appInfoCard")
        theme.styled(self, "#appInfoCard {{ background: {card_bg}; border: 1px solid {card_border}; border-radius: 6px; }}")
        self.info: UserQRCodeScanResult | None = None
        self.logo = QLabel()
        self.logo.setFixedSize(self.LOGO_SIZE, self.LOGO_SIZE)
        self.logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        theme.styled(self.logo, "background: {header_row}; border-radius: 6px; color: {muted}; font-size: 10px;")
        self.logo.setWordWrap(True)
        self.name = QLabel()
        self.name.setObjectName("appName")
        self.name.setStyleSheet("font-weight: bold; font-size: 14px;")
        self.name.setWordWrap(True)
        self.asks = QLabel()
        theme.styled(self.asks, "color: {muted};")
        self.chips = QHBoxLayout()
        self.chips.setSpacing(4)
        self.remark = QLabel()
        self.remark.setWordWrap(True)
        theme.styled(self.remark, "color: {muted};")
        # Shown instead of the image when the logo is on another host (we do not fetch those).
        self.logo_url = QLabel()
        self.logo_url.setWordWrap(True)
        self.logo_url.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        theme.styled(self.logo_url, "color: {muted}; font-size: 10px;")
        for label in (self.name, self.remark):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        head = QHBoxLayout()
        head.addWidget(self.logo, 0, Qt.AlignmentFlag.AlignTop)
        head.addWidget(self.name, 1)
        chips_row = QHBoxLayout()
        chips_row.addLayout(self.chips)
        chips_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addLayout(head)
        layout.addWidget(self.asks)
        layout.addLayout(chips_row)
        layout.addWidget(self.remark)
        layout.addWidget(self.logo_url)
        self.clear()

    def set_info(self, info: UserQRCodeScanResult, *, logo_fetched: bool) -> None:
        """``logo_fetched``: the panel is fetching the logo (same host); otherwise show its URL."""
        self.info = info
        self.name.setText(info.name or "—")
        self._set_chips(info.scope_list)
        self.logo.clear()
        self.logo_url.setVisible(bool(info.logo) and not logo_fetched)
        self.logo_url.setText(info.logo or "")
        self.retranslate()
        self.show()

    def set_logo(self, pixmap: QPixmap) -> None:
        self.logo.setPixmap(pixmap.scaled(self.LOGO_SIZE, self.LOGO_SIZE, Qt.AspectRatioMode.KeepAspectRatio,
                                          Qt.TransformationMode.SmoothTransformation))

    def clear(self) -> None:
        self.info = None
        self.logo.clear()
        self._set_chips([])
        self.hide()

    def _set_chips(self, scopes: list[str]) -> None:
        while self.chips.count():
            item = self.chips.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        for scope in scopes:
            chip = QLabel(scope)
            theme.styled(chip, CHIP_STYLE)
            self.chips.addWidget(chip)

    def retranslate(self) -> None:
        info = self.info
        scopes = info.scope_list if info else []
        self.asks.setText(self.tr("Asks for:") if scopes else self.tr("Asks for no particular scopes."))
        remark = info.remark if info else ""
        self.remark.setText(self.tr("Remark: {0}").format(remark) if remark else "")
        self.remark.setVisible(bool(remark))
        if info is not None and self.logo.pixmap().isNull():
            self.logo.setText(self.tr("logo"))

