"""A read-only JSON viewer that stays responsive with multi-megabyte answers.

Two costs would freeze the window if done naively (``setPlainText(json.dumps(obj, indent=2))``
on a 5 MB answer stalls the GUI thread for well over a second, see ``benchmarks/gui_json_stall.py``):

* pretty-printing: done on the worker loop (``run`` is ``AppContext.run`` or ``AsyncRunner.submit``)
  inside ``asyncio.to_thread``, so neither the GUI thread nor the network loop waits for it;
* inserting the text into the document: done in slices from a zero-interval timer, each tick
  inserting until a small time budget is used up, so the event loop turns between slices (JSON up
  to ``HIGHLIGHT_LIMIT`` is coloured as it goes in, inside the same budget).

The document is replaced by a fresh one for every new value and undo is off, so the text is stored
once. Dropping a big document is a stall of its own (``clear()`` or deleting a 7 MB document
blocks for 50-100 ms), so a retired document is emptied in budgeted slices too, after the new
text is in, and only deleted once it is small.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QTextCursor, QTextDocument
from PySide6.QtWidgets import QPlainTextDocumentLayout, QPlainTextEdit, QWidget

from ...api.bigtext import paused_gc
from ..display import monospace_font
from ..runner import Outcome
from .json_highlight import JsonHighlighter

Run = Callable[[Coroutine[Any, Any, Any], Callable[[Outcome], None]], Any]

SLICE_CHARS = 16 * 1024  # one insertText call; a 16 KB slice costs a few ms
WRAPPED_SLICE_CHARS = 4 * 1024
RETIRE_SLICE_CHARS = 32 * 1024  # removing text is cheaper than inserting it
TICK_BUDGET_S = 0.010  # stop inserting after this much time in one event-loop turn
INLINE_LIMIT = 64 * 1024  # texts up to this size are inserted in one go
# Bigger texts are shown uncoloured: colouring costs about as much as inserting (a 6 MB answer
# would take twice as long to appear), and nobody reads megabytes by colour.
HIGHLIGHT_LIMIT = 1024 * 1024


@dataclass(frozen=True)
class Rendered:
    text: str
    inner_json: bool = False  # a string value that held JSON was parsed and shown pretty
    wrap: bool = False  # prose (an HTML error page) wraps; JSON keeps its indentation on one line


def render_value(value: Any) -> Rendered:
    """Pretty JSON for ``value``; a string that itself holds a JSON object/array is shown parsed.

    Pure and thread-safe: runs on the worker.
    """
    if isinstance(value, str):
        inner = _parse_container(value)
        if inner is not None:
            return Rendered(json.dumps(inner, indent=2, ensure_ascii=False), inner_json=True)
    return Rendered(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def render_text(text: str) -> Rendered:
    """A body as received: pretty when it is JSON, else verbatim."""
    stripped = text.lstrip()[:1]
    if stripped in ("{", "["):
        try:
            return Rendered(json.dumps(json.loads(text), indent=2, ensure_ascii=False))
        except (ValueError, RecursionError):
            pass
    return Rendered(text, wrap=True)


def _parse_container(text: str) -> Any:
    if text.lstrip()[:1] not in ("{", "["):
        return None
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return parsed if isinstance(parsed, (dict, list)) else None


class JsonView(QPlainTextEdit):
    """``view.show_value(obj)`` / ``view.show_text(body)``; ``loaded`` fires once all text is in."""

    loaded = Signal()
    progress = Signal(int)  # percent of the text inserted so far

    def __init__(self, run: Run, parent: QWidget | None = None):
        """What it says while empty is the owner's (``setPlaceholderText``): it knows why it is."""
        super().__init__(parent)
        self._run = run
        self._generation = 0
        self._pending = ""
        self._offset = 0
        self._cursor: QTextCursor | None = None
        self._formatting = False
        self._retired: list[QTextDocument] = []
        self._document: QTextDocument | None = None
        self._rendered: Rendered | None = None
        self._highlighter: JsonHighlighter | None = None
        self._wrap_lines = False
        self.inner_json = False
        self.setObjectName("jsonView")
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self.setFont(monospace_font())
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._tick)
        self._fresh_document()

    # --- public API -----------------------------------------------------------------------------------

    @property
    def loading(self) -> bool:
        """Formatting or inserting: the text is not complete yet."""
        return self._formatting or self._offset < len(self._pending)

    @property
    def settled(self) -> bool:
        """Nothing left to do, retired documents and colouring after a scheme switch included."""
        recolouring = self._highlighter is not None and self._highlighter.recolouring
        return not self.loading and not self._retired and not recolouring

    def show_value(self, value: Any, transform: Callable[[Any], Any] | None = None) -> None:
        """Show ``value`` (any JSON-able object, or a string that may hold JSON) pretty-printed.

        ``transform`` (e.g. a redactor) is applied first, on the worker as well.
        """
        self._start(lambda: render_value(transform(value) if transform is not None else value))

    def show_text(self, text: str) -> None:
        """Show a body as received (pretty-printed when it is JSON)."""
        self._start(lambda: render_text(text))

    def show_text_made_by(self, make: Callable[[], str]) -> None:
        """Show the body ``make()`` returns, as :meth:`show_text` does: ``make`` (a pure function, e.g.
        one that lays a big body out) runs on the worker in the same trip as the formatting."""
        self._start(lambda: render_text(make()))

    def set_wrap_lines(self, wrap: bool) -> None:
        """Wrap long lines (JSON too; prose always wraps). The text shown is laid out again, as a
        fresh document filled in budgeted slices: re-wrapping a big one in place would stall."""
        if wrap == self._wrap_lines:
            return
        self._wrap_lines = wrap
        rendered = self._rendered
        if rendered is None or self._formatting or rendered.wrap:
            return  # nothing shown yet (the mode applies when it is), or prose, which wraps anyway
        self.clear_view()
        self._insert(rendered)

    @property
    def shown_text(self) -> str:
        """All of the text shown (or being inserted), e.g. for Copy; empty while formatting."""
        return self._rendered.text if self._rendered is not None else ""

    def clear_view(self) -> None:
        self._generation += 1
        self._formatting = False
        self._timer.stop()
        self._pending, self._offset = "", 0
        self._rendered = None
        self.inner_json = False
        self._fresh_document()
        if self._retired:
            self._timer.start()


    # --- the work -------------------------------------------------------------------------------------

    def _start(self, render: Callable[[], Rendered]) -> None:
        self.clear_view()
        generation = self._generation
        self._formatting = True

        def render_without_gc_pauses() -> Rendered:
            with paused_gc():  # formatting a big value allocates a lot: no collector pauses meanwhile
                return render()

        async def work() -> Rendered:
            import asyncio  # not at module level: the Request Log imports this before the first paint

            return await asyncio.to_thread(render_without_gc_pauses)

        def done(outcome: Outcome) -> None:
            if generation != self._generation:
                return  # a newer value replaced this one while it was being formatted
            self._formatting = False
            if not outcome.ok:
                rendered = Rendered(self.tr("Cannot show this value: {0}").format(outcome.error or "cancelled"),
                                    wrap=True)
            else:
                rendered = outcome.value
            self._insert(rendered)

        self._run(work(), done)

    def _insert(self, rendered: Rendered) -> None:
        """Put ``rendered`` into an empty document, in budgeted slices."""
        self._rendered = rendered
        self.inner_json = rendered.inner_json
        # Set while the document is still empty: changing it later would lay out everything again.
        wrap = rendered.wrap or self._wrap_lines
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth if wrap else QPlainTextEdit.LineWrapMode.NoWrap)
        if not rendered.wrap and len(rendered.text) <= HIGHLIGHT_LIMIT:
            # Parented to its document: retired with it, never detached from a big one (a stall).
            self._highlighter = JsonHighlighter(self.document())
        self._pending, self._offset = rendered.text, 0
        self._tick()

    def _fresh_document(self) -> None:
        # The previous one of ours, if any (Qt deletes its default document itself). Not asked of
        # Qt: wrapping the default document's parent costs ~25 ms of PySide set-up per view, on
        # the path to the first shown window (the Request Log has two views).
        old = self._document
        document = QTextDocument(self)
        document.setDocumentLayout(QPlainTextDocumentLayout(document))
        document.setUndoRedoEnabled(False)
        document.setDefaultFont(self.font())
        self.setDocument(document)
        self._document = document
        self._highlighter = None  # the old one goes with its document
        self._cursor = QTextCursor(document)
        if old is not None:
            if old.characterCount() <= INLINE_LIMIT:
                old.deleteLater()
            else:
                self._retired.append(old)
                self._timer.start()

    def _tick(self) -> None:
        deadline = time.perf_counter() + TICK_BUDGET_S
        text, cursor = self._pending, self._cursor
        if cursor is not None and self._offset < len(text):
            if self._offset == 0 and len(text) <= INLINE_LIMIT:
                cursor.insertText(text)
                self._offset = len(text)
            else:
                # Wrapped lines are laid out as they go in, which costs more per character.
                step = WRAPPED_SLICE_CHARS if self.lineWrapMode() is QPlainTextEdit.LineWrapMode.WidgetWidth \
                    else SLICE_CHARS
                while self._offset < len(text):
                    end = min(self._offset + step, len(text))
                    cursor.insertText(text[self._offset:end])
                    self._offset = end
                    if time.perf_counter() >= deadline:
                        break
            if self._offset < len(text):
                self.progress.emit(int(self._offset * 100 / len(text)))
                self._timer.start()
                return
            self.progress.emit(100)
            self.moveCursor(QTextCursor.MoveOperation.Start)  # the reader starts at the top
            self.loaded.emit()
        if self._formatting:
            return  # the worker is busy formatting (and wants the GIL): dispose of old text later
        # Only once the new text is in: empty the retired documents.
        while self._retired and time.perf_counter() < deadline:
            old = self._retired[0]
            size = old.characterCount() - 1
            if size <= RETIRE_SLICE_CHARS:
                self._retired.pop(0).deleteLater()
                continue
            trim = QTextCursor(old)
            trim.setPosition(size - RETIRE_SLICE_CHARS)
            trim.setPosition(size, QTextCursor.MoveMode.KeepAnchor)
            trim.removeSelectedText()
        if self._retired:
            self._timer.start()
