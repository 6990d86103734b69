"""Placeholder until the panel lands."""

from __future__ import annotations

from ..widgets.common import Panel


class RequestLogPanel(Panel):
    def title(self) -> str:
        return self.tr("RequestLogPanel")
