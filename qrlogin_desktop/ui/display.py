"""How values look on screen, one way each: the monospace font, byte sizes, local times."""

from __future__ import annotations

import math

from PySide6.QtCore import QDateTime
from PySide6.QtGui import QFont, QFontDatabase

from . import i18n

DATE_TIME = "yyyy-MM-dd HH:mm:ss"
TIME_MS = "HH:mm:ss.zzz"
DATE_TIME_MS = f"{DATE_TIME}.zzz"
# Past 9999-12-31 a four-digit-year format misleads; such a "timestamp" is shown as its number alone.
LATEST_EPOCH_S = 253_402_300_799


def monospace_font() -> QFont:
    """The system's fixed-width font (tokens, bodies, paths)."""
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


def data_size(n: int) -> str:
    """``n`` bytes as the app's language writes it: "512 bytes", "1.5 KiB", "5.0 MiB" (binary units)."""
    return i18n.locale().formattedDataSize(n, 1)


def local_time(epoch: float, fmt: str = DATE_TIME) -> str:
    """Seconds since the epoch as local time; ValueError for a moment no calendar can show."""
    if not math.isfinite(epoch) or abs(epoch) > LATEST_EPOCH_S:
        raise ValueError(f"not a showable time: {epoch!r}")
    return QDateTime.fromMSecsSinceEpoch(math.floor(epoch * 1000)).toString(fmt)
