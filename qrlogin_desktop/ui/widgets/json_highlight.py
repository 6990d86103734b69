"""JSON syntax colours for a text document: keys, strings, numbers, true/false/null.

One highlighter for the body editor and the response view. It colours line by line with one
regular expression, which is all JSON needs (a string never spans lines: newlines in it are
escaped). Lines longer than ``LONG_LINE`` are left plain: a 6 MB string value on one line would
otherwise be scanned again on every slice the response view inserts.
"""

from __future__ import annotations

import re

from PySide6.QtGui import QColor, QGuiApplication, QSyntaxHighlighter, QTextCharFormat, QTextDocument

LONG_LINE = 4096
TOKEN = re.compile(r'("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b')

# (light background, dark background)
COLORS = {"key": ("#1a4fa0", "#8ab4f8"), "string": ("#188038", "#81c995"),
          "number": ("#b06000", "#fcad70"), "literal": ("#a142f4", "#d7aefb")}


def _formats() -> dict[str, QTextCharFormat]:
    dark = QGuiApplication.palette().base().color().lightness() < 128
    formats = {}
    for name, (light_color, dark_color) in COLORS.items():
        fmt = QTextCharFormat()
        fmt.setForeground(QColor(dark_color if dark else light_color))
        formats[name] = fmt
    return formats


class JsonHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument | None = None):
        super().__init__(document)
        self._formats = _formats()

    def highlightBlock(self, text: str) -> None:
        if len(text) > LONG_LINE:
            return
        formats = self._formats
        for match in TOKEN.finditer(text):
            if match.group(1) is not None:
                kind = "key" if match.group(2) else "string"
                self.setFormat(match.start(1), match.end(1) - match.start(1), formats[kind])
            elif match.group(3) is not None:
                self.setFormat(match.start(3), match.end(3) - match.start(3), formats["number"])
            else:
                self.setFormat(match.start(4), match.end(4) - match.start(4), formats["literal"])
