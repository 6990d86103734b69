"""JSON syntax colours for a text document: keys, strings, numbers, true/false/null.

One highlighter for the body editor and the response view. It colours line by line with one
regular expression, which is all JSON needs (a string never spans lines: newlines in it are
escaped). Lines longer than ``LONG_LINE`` are left plain: a 6 MB string value on one line would
otherwise be scanned again on every slice the response view inserts. The colours are the theme's
``json_*`` ones; a scheme switch colours the document again, in slices of ``RECOLOUR_BUDGET_S``
per event-loop turn (``rehighlight()`` of a 1 MB answer blocks the window for about a second).
"""

from __future__ import annotations

import re
import time

from PySide6.QtCore import QTimer
from PySide6.QtGui import QSyntaxHighlighter, QTextCharFormat, QTextDocument

from .. import theme

LONG_LINE = 4096
TOKEN = re.compile(r'("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b')
KINDS = ("key", "string", "number", "literal")
RECOLOUR_BUDGET_S = 0.010  # as the response view's insertion slices


def kind_color_name(kind: str) -> str:
    """The theme's name (``theme.COLORS``) of the colour ``kind`` is drawn in."""
    return f"json_{kind}"


def _formats() -> dict[str, QTextCharFormat]:
    formats = {}
    for kind in KINDS:
        fmt = QTextCharFormat()
        fmt.setForeground(theme.color(kind_color_name(kind)))
        formats[kind] = fmt
    return formats


class JsonHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument | None = None):
        super().__init__(document)
        self._formats = _formats()
        self._next_block = -1  # the first block not coloured again since a scheme switch; -1: all are
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._recolour_some)
        theme.notifier().changed.connect(self._follow_theme)

    @property
    def recolouring(self) -> bool:
        """A scheme switch's colours are not on every line yet."""
        return self._next_block >= 0

    def _follow_theme(self, _scheme: theme.Scheme) -> None:
        self._formats = _formats()
        self._next_block = 0
        self._recolour_some()  # a small document is done at once, in the switch's own turn

    def _recolour_some(self) -> None:
        document = self.document()
        block = document.findBlockByNumber(self._next_block) if document is not None else None
        deadline = time.perf_counter() + RECOLOUR_BUDGET_S
        while block is not None and block.isValid():
            self.rehighlightBlock(block)
            block = block.next()
            if time.perf_counter() >= deadline:
                break
        if block is not None and block.isValid():
            self._next_block = block.blockNumber()
            self._timer.start()
        else:
            self._next_block = -1

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
