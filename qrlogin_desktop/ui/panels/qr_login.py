"""Placeholder until the panel lands."""

from __future__ import annotations

from ..widgets.common import Panel


class QrLoginPanel(Panel):
    def title(self) -> str:
        return self.tr("QrLoginPanel")
