"""Placeholder until the panel lands."""

from __future__ import annotations

from ..widgets.common import Panel


class EndpointPanel(Panel):
    def __init__(self, ctx, endpoint, parent=None):
        super().__init__(ctx, parent)
        self.endpoint = endpoint

    def title(self) -> str:
        return self.endpoint.name_en
