"""A JWT's claims as a tree: nested objects and arrays unfold, timestamps also read as local time.

The claims are decoded without verifying the signature (display only), which the header says.
Used by the token card after a login and by the Tokens page.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QModelIndex, QSize, Qt
from PySide6.QtWidgets import (
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from ..display import local_time
from .language import Retranslating

# Registered JWT claims that hold NumericDate values (RFC 7519 §4.1).
TIME_CLAIMS = ("exp", "iat", "nbf", "auth_time")
CLAIM_MIN_EMS = 8  # the claim column's narrowest, in widths of an "M"
NAME_ROLE = Qt.ItemDataRole.UserRole  # a top-level item's claim name (its label may add a meaning)


class _RoomyDelegate(QStyledItemDelegate):
    """Rows a third of a line taller and cells an em wider than their text: the claim column (sized to
    its contents) then ends an em before its value starts ("nbf (not before)" touched its value)."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        metrics = option.fontMetrics
        return size + QSize(metrics.horizontalAdvance("M"), metrics.height() // 3)


class ClaimsTree(Retranslating, QTreeWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("claimsTree")
        self.setColumnCount(2)
        self.setAlternatingRowColors(True)
        self.setUniformRowHeights(True)
        self.setItemDelegate(_RoomyDelegate(self))
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        # Room for a claim's name even while the tree is empty: "Claim" and the value's header never touch.
        self.header().setMinimumSectionSize(self.fontMetrics().horizontalAdvance("M") * CLAIM_MIN_EMS)
        self.header().setStretchLastSection(True)
        self._claims: dict[str, Any] | None = None
        self._showing = False
        self.retranslate()

    def show_claims(self, claims: dict[str, Any] | None) -> None:
        """``claims`` of a JWT, or None for a token that is not one."""
        self._claims, self._showing = claims, True
        self._fill()

    def clear_claims(self) -> None:
        self._claims, self._showing = None, False
        self.clear()

    def claim_items(self) -> dict[str, str]:
        """Top-level claims as shown (claim name → value text)."""
        root = self.invisibleRootItem()
        items = (root.child(i) for i in range(root.childCount()))
        return {item.data(0, NAME_ROLE) or item.text(0): item.text(1) for item in items}

    def retranslate(self) -> None:
        self.setHeaderLabels([self.tr("Claim"), self.tr("Value (signature not verified)")])
        if self._showing:
            self._fill()  # the labels of time claims and the "not a JWT" line are translated

    def _fill(self) -> None:
        self.clear()
        claims = self._claims
        if claims is None:
            self.setRootIsDecorated(False)
            QTreeWidgetItem(self, [self.tr("(not a JWT: no claims to show)"), ""])
            return
        for name, value in claims.items():
            self._add(self.invisibleRootItem(), str(name), value, top_level=True)
        # Branch decorations only when some claim nests (most JWTs are flat: no wasted indent).
        self.setRootIsDecorated(any(isinstance(v, dict | list) for v in claims.values()))
        self.expandAll()

    def _add(self, parent: QTreeWidgetItem, name: str, value: Any, *, top_level: bool = False) -> None:
        if isinstance(value, dict):
            item = QTreeWidgetItem(parent, [name, ""])
            for key, inner in value.items():
                self._add(item, str(key), inner)
        elif isinstance(value, list):
            item = QTreeWidgetItem(parent, [name, f"[{len(value)}]"])
            for index, inner in enumerate(value):
                self._add(item, str(index), inner)
        else:
            item = QTreeWidgetItem(parent, self._leaf(name, value, top_level))
        if top_level:
            item.setData(0, NAME_ROLE, name)
        item.setToolTip(1, item.text(1))  # a long value is cut short in the column: the tooltip has it all

    def _leaf(self, name: str, value: Any, top_level: bool) -> list[str]:
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        if not (top_level and name in TIME_CLAIMS and isinstance(value, int | float) and not isinstance(value, bool)):
            return [name, text]
        meaning = {"exp": self.tr("expires"), "iat": self.tr("issued at"), "nbf": self.tr("not before"),
                   "auth_time": self.tr("authenticated at")}[name]
        try:
            text = f"{text}  →  {local_time(float(value))}"
        except ValueError:
            pass  # a timestamp no calendar can show: the number alone
        # The parentheses are the language's own: full-width around Chinese.
        return [self.tr("{0} ({1})", "a claim and its meaning").format(name, meaning), text]
