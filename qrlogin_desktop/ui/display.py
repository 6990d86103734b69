"""How values look on screen, one way each: the monospace font, byte sizes, local times, time left."""

from __future__ import annotations

import math

from PySide6.QtCore import QCoreApplication, QDateTime
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


_BINARY_UNITS = ("KiB", "MiB", "GiB", "TiB")
# The method badge's (and the Request Log's method column's) theme colour; any other method is muted.
_METHOD_COLORS = {"GET": "method_get", "POST": "method_post"}


def data_size(n: int) -> str:
    """``n`` bytes in one unit style in both languages: "512 B", "1.5 KiB", "5.0 MiB" (binary units,
    the number in the app's locale). Qt's ``formattedDataSize`` says "bytes" / "字节" below 1 KiB,
    which next to "KiB" reads as two styles in one column."""
    if abs(n) < 1024:
        return f"{n} B"
    value, unit = n / 1024, _BINARY_UNITS[0]
    for larger in _BINARY_UNITS[1:]:
        if round(abs(value), 1) < 1024:  # never "1,024.0 KiB"
            break
        value, unit = value / 1024, larger
    return f"{i18n.locale().toString(value, 'f', 1)} {unit}"


def method_color_name(method: str) -> str:
    """The theme colour name of an HTTP method (see ``theme.COLORS``)."""
    return _METHOD_COLORS.get(method.upper(), "muted")


def local_time(epoch: float, fmt: str = DATE_TIME) -> str:
    """Seconds since the epoch as local time; ValueError for a moment no calendar can show."""
    if not math.isfinite(epoch) or abs(epoch) > LATEST_EPOCH_S:
        raise ValueError(f"not a showable time: {epoch!r}")
    return QDateTime.fromMSecsSinceEpoch(math.floor(epoch * 1000)).toString(fmt)


def time_left(seconds: float) -> str:
    """A token's remaining lifetime in the UI's language, its two largest units: "1 d 2 h",
    "23 h 59 min", "4 min 5 s", "9 s", in Chinese too. The Tokens page and the QR Login page's
    result say it alike; it ticks each second, so the seconds show once less than an hour is left."""
    whole = max(0, int(seconds))
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return QCoreApplication.translate("Display", "{0} d {1} h").format(days, hours)
    if hours:
        return QCoreApplication.translate("Display", "{0} h {1} min").format(hours, minutes)
    if minutes:
        return QCoreApplication.translate("Display", "{0} min {1} s").format(minutes, secs)
    return QCoreApplication.translate("Display", "{0} s").format(secs)


NO_BREAK_SPACE = "\u00a0"
WORD_JOINER = "\u2060"  # invisible; forbids a line break where it stands (Unicode line-breaking class WJ)
FACT_SEPARATOR = " · "


def facts_line(facts: list[str]) -> str:
    """Facts joined into a status line that wraps only between facts, never inside one: no "96" at a
    line's end and "字节" on the next, nor "字" and "节" or "image/" and "png" apart. :func:`plain`
    gives the words back."""
    return FACT_SEPARATOR.join(map(_unbreakable, facts))


def command_html(command: str) -> str:
    """A shell command inside rich text: in code type, never broken at its hyphens or spaces."""
    return f"<code>{facts_line([command])}</code>"


def _unbreakable(fact: str) -> str:
    """Spaces that do not break, and a joiner wherever else a line may break: between two CJK
    characters, after a "/" or a "-" (never inside an ASCII word, where no line breaks anyway)."""
    out: list[str] = []
    for char in fact.replace(" ", NO_BREAK_SPACE):
        if out and NO_BREAK_SPACE not in (out[-1], char) and not (_word_char(out[-1]) and _word_char(char)):
            out.append(WORD_JOINER)
        out.append(char)
    return "".join(out)


def _word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


def plain(text: str) -> str:
    """A :func:`facts_line` as the words it says (for reading, comparing and the accessible name)."""
    return text.replace(WORD_JOINER, "").replace(NO_BREAK_SPACE, " ")
