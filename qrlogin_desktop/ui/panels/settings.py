"""Placeholder until the panel lands."""

from __future__ import annotations

from ..widgets.common import Panel


class SettingsPanel(Panel):
    def title(self) -> str:
        return self.tr("SettingsPanel")
