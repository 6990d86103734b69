"""Small building blocks the panels share: the panel base class, the error banner, the Reveal toggle,
the self-clearing status line, the record table, a table with a hint while empty, a middle-eliding
column, split panes and page headings.

Feedback never moves controls: the banner floats over the bottom edge of its page instead of taking
a place in the layout, and the status line keeps its one line of height while it is empty - a click
aimed at a button lands on that button whether or not a message has just appeared. Nor does a banner
hide content: while one shows, the bottom of the page (or of the part the page names) is kept clear
of it, so the widgets there get shorter from below and everything in them can still be scrolled to.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGraphicsDropShadowEffect,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTableWidget,
    QWidget,
)

from .. import icons, theme
from .language import Retranslating

Message = Callable[[], str]  # renders a message in the current language; called again on every switch

BANNER_MARGIN = 6  # px between the floating banner and its page's edges
BANNER_MAX_LINES = 4  # a longer message scrolls inside the banner rather than covering the page


class Panel(Retranslating, QWidget):
    """A page of the main window. Texts are set in ``retranslate()`` so a language switch is live."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx


class ErrorBanner(Retranslating, QFrame):
    """A clear message over the bottom of its page, with a Retry button when the action can be retried.

    A panel adds it to its layout where a banner belongs; on first use the banner leaves the layout
    and floats over the bottom edge of the page's visible part (raised, with a shadow, as a snackbar),
    so showing or clearing it moves nothing under the pointer and never covers the page's actions,
    which sit at the top (Start, New QR, Cancel, Send). Banners of one page stack upwards in the order
    they were made. While any shows, the page's layout (or the one given to :meth:`keep_room_in`)
    gets a bottom margin as high as the stack: what sits above keeps its place, and what the stack
    would cover is laid out above it instead.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("errorBanner")
        theme.styled(self, "#errorBanner {{ background: {banner_bg}; border: 1px solid {banner_border}; "
                           "border-radius: 4px; }} #errorBanner QLabel {{ color: {banner_text}; }}")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.retry_button = QPushButton()
        self.dismiss_button = QPushButton()
        self.dismiss_button.setFlat(True)
        self.dismiss_button.setFixedWidth(28)
        icons.set_icon(self.dismiss_button, "close")
        layout.addWidget(self.label, 1)
        layout.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.dismiss_button, 0, Qt.AlignmentFlag.AlignTop)
        shadow = QGraphicsDropShadowEffect(self)
        shadow.setBlurRadius(12)
        shadow.setOffset(0, 2)
        self.setGraphicsEffect(shadow)
        self._retry: Callable[[], None] | None = None
        self._message: Message | None = None
        self._host: QWidget | None = None
        self._room: QLayout | None = None  # kept clear of the banners; the page's own layout if None
        self.retry_button.clicked.connect(self._on_retry)
        self.dismiss_button.clicked.connect(self.clear)
        self.retranslate()
        self.hide()

    def retranslate(self) -> None:
        self.retry_button.setText(self.tr("Retry"))
        self.dismiss_button.setToolTip(self.tr("Dismiss"))
        self.dismiss_button.setAccessibleName(self.tr("Dismiss"))
        if self._message is not None:
            self._set_message_text(self._message())

    def keep_room_in(self, layout: QLayout) -> None:
        """Clear the banners' stack from the bottom of ``layout`` (a part of the page whose widgets may
        get shorter: a table, a scroll area) rather than from the page's own layout."""
        self._room = layout

    def show_error(self, text: Message | str, retry: Callable[[], None] | None = None) -> None:
        """Show ``text()`` (or ``text``, a message with nothing to translate: a path, a server's own
        words); the callable is kept, not its result, so a language switch says it again."""
        self._message = text if callable(text) else None
        self._set_message_text(text() if callable(text) else text)
        self._retry = retry
        self.retry_button.setVisible(retry is not None)
        if retry is not None:
            icons.set_icon(self.retry_button, "retry")
        self._float()
        self.show()
        self.raise_()
        self.place()

    def _set_message_text(self, text: str) -> None:
        self.label.setText(text)
        self.label.setToolTip(text)  # a message longer than BANNER_MAX_LINES is read in full here

    def clear(self) -> None:
        self._retry = None
        self._message = None
        self.label.clear()
        self.hide()
        self._place_siblings()
        self._keep_room()

    @property
    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""

    def _on_retry(self) -> None:
        retry = self._retry
        self.clear()
        if retry is not None:
            retry()

    # --- floating -------------------------------------------------------------------------------------------

    def _float(self) -> None:
        """Leave the layout (once) and follow the page's size from then on."""
        host = self.parentWidget()
        if host is None or host is self._host:
            return
        if host.layout() is not None:
            _remove_from_layout(host.layout(), self)
        host.installEventFilter(self)
        if host.parentWidget() is not None:  # e.g. the viewport of the scroll area the page is in
            host.parentWidget().installEventFilter(self)
        self._host = host

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show) and self.isVisible():
            # After the event: the page's visible part is known only once every resize is done.
            QTimer.singleShot(0, self.place)
        return False

    def place(self) -> None:
        """Over the bottom of the page's visible part (a page taller or wider than the window scrolls),
        above the banners made before this one that are showing."""
        host = self._host
        if host is None:
            return
        visible = host.visibleRegion().boundingRect()
        if visible.isEmpty():
            visible = host.rect()
        bottom = visible.bottom() - BANNER_MARGIN
        for sibling in _banners_of(host):
            if sibling is self:
                break
            if sibling.isVisible():
                bottom = sibling.geometry().top() - 1 - BANNER_MARGIN
        width = max(0, visible.width() - 2 * BANNER_MARGIN)
        line = self.label.fontMetrics().lineSpacing()
        margins = self.layout().contentsMargins()
        cap = BANNER_MAX_LINES * line + margins.top() + margins.bottom()
        # As high as the message needs at this width (a wrapping label's size hint is for a narrower one:
        # a one-line message would get a banner two or three lines high).
        wanted = self.heightForWidth(width)
        height = min(max(wanted if wanted > 0 else self.sizeHint().height(), self.minimumSizeHint().height()), cap)
        self.setGeometry(visible.left() + BANNER_MARGIN, max(visible.top(), bottom - height + 1), width, height)
        self._keep_room()

    def _keep_room(self) -> None:
        """Give each layout the host's banners keep clear a bottom margin as high as the visible stack.

        The height of the stack, not its overlap with the layout's widget: it does not depend on
        the page's height, so a page taller than the window (which then scrolls) grows once, by the
        stack, and its bottom can be scrolled out from under the banners."""
        host = self._host
        if host is None:
            return
        banners = _banners_of(host)
        shown = [banner for banner in banners if banner.isVisible()]
        stack = 0
        if shown:
            top = min(banner.geometry().top() for banner in shown)
            stack = max(banner.geometry().bottom() for banner in shown) - top + 1 + 2 * BANNER_MARGIN
        for layout in {id(room): room for room in (banner._room_layout() for banner in banners)
                       if room is not None}.values():
            _set_bottom_room(layout, stack)

    def _room_layout(self) -> QLayout | None:
        return self._room if self._room is not None else self._host.layout() if self._host else None

    def _place_siblings(self) -> None:
        if self._host is not None:
            for sibling in _banners_of(self._host):
                if sibling.isVisible():
                    sibling.place()


def _banners_of(host: QWidget) -> list[ErrorBanner]:
    return [child for child in host.children() if isinstance(child, ErrorBanner)]


_BASE_BOTTOM = "qrloginBaseBottomMargin"  # a layout's own bottom margin, before any banner's room


def _set_bottom_room(layout: QLayout, room: int) -> None:
    base = layout.property(_BASE_BOTTOM)
    if base is None:
        base = layout.contentsMargins().bottom()
        layout.setProperty(_BASE_BOTTOM, base)
    margins = layout.contentsMargins()
    if margins.bottom() != base + room:  # unchanged: no new layout pass (place() runs on every resize)
        margins.setBottom(base + room)
        layout.setContentsMargins(margins)


def _remove_from_layout(layout: QLayout, widget: QWidget) -> bool:
    if layout.indexOf(widget) >= 0:
        layout.removeWidget(widget)
        return True
    for i in range(layout.count()):
        inner = layout.itemAt(i).layout()
        if inner is not None and _remove_from_layout(inner, widget):
            return True
    return False


class RevealButton(Retranslating, QPushButton):
    """The "Reveal" / "Hide" toggle of a secret shown redacted until the user asks for it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setCheckable(True)
        self.toggled.connect(self.retranslate)  # connected first: the text is right before other slots run
        self.retranslate()

    def conceal(self) -> None:
        """Back to hidden without a ``toggled`` signal (the owner shows the redacted text itself)."""
        self.blockSignals(True)
        self.setChecked(False)
        self.blockSignals(False)
        self.retranslate()

    def retranslate(self, *_checked: bool) -> None:
        self.setText(self.tr("Hide") if self.isChecked() else self.tr("Reveal"))
        icons.set_icon(self, "hide" if self.isChecked() else "reveal")


class StatusFlash(Retranslating, QLabel):
    """A one-line confirmation ("Token copied", "Exported 3 requests") that clears itself, said again
    in the new language if the language changes while it shows.

    It keeps its line's height while empty and does not widen its row for a long message (the full
    text is its tooltip), so a message appearing or clearing moves no control beside or below it.
    """

    def __init__(self, object_name: str, duration_ms: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(1)  # as wide as its text where there is room, never a reason to widen the window
        self.setFixedHeight(self.fontMetrics().height() + 4)
        self.setWordWrap(False)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(duration_ms)
        self._timer.timeout.connect(self.clear)
        self._message: Message | None = None

    def flash(self, text: Message | str) -> None:
        """Show ``text()`` (kept for a language switch) or a plain ``text`` for a while."""
        self._message = text if callable(text) else None
        self._show_text(text() if callable(text) else text)
        self._timer.start()

    def retranslate(self) -> None:
        if self._message is not None:
            self._show_text(self._message())

    def _show_text(self, text: str) -> None:
        self.setText(text)
        self.setToolTip(text)

    def clear(self) -> None:
        self._message = None
        super().clear()
        self.setToolTip("")


class HintedTable(QTableWidget):
    """A table that says what belongs in it while it has no rows ("Press Run check…"), in the
    muted colour across its empty viewport, where the rows will be: nothing else moves when they come."""

    def __init__(self, rows: int, columns: int, parent: QWidget | None = None):
        super().__init__(rows, columns, parent)
        self._empty_hint = ""

    def empty_hint(self) -> str:
        """The text shown now (empty once the table has rows)."""
        return self._empty_hint if self.rowCount() == 0 else ""

    def set_empty_hint(self, text: str) -> None:
        self._empty_hint = text
        self.viewport().update()

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self.empty_hint():
            painter = QPainter(self.viewport())
            painter.setPen(theme.color("muted"))
            painter.drawText(self.viewport().rect().adjusted(12, 12, -12, -12),
                             int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), self._empty_hint)


def record_table(object_name: str, model) -> QTableView:
    """A read-only table of records (tokens, requests): whole rows selected one at a time."""
    table = QTableView()
    table.setObjectName(object_name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setTabKeyNavigation(False)  # Tab leaves the table (arrows move inside it): keyboard users never get stuck
    table.verticalHeader().hide()
    return table


class ElideMiddle(QStyledItemDelegate):
    """A column whose cells lose their middle, not their end, when cut: a URL keeps its host and the
    end of its path (the model's tooltip holds the whole text)."""

    def initStyleOption(self, option: QStyleOptionViewItem, index) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle


def split(orientation: Qt.Orientation, first: QWidget, second: QWidget, *, stretch: tuple[int, int] = (1, 1),
          sizes: list[int] | None = None) -> QSplitter:
    """Two panes the user can resize; neither collapses away; ``stretch`` shares out spare room."""
    splitter = QSplitter(orientation)
    splitter.addWidget(first)
    splitter.addWidget(second)
    splitter.setStretchFactor(0, stretch[0])
    splitter.setStretchFactor(1, stretch[1])
    splitter.setChildrenCollapsible(False)
    if sizes is not None:
        splitter.setSizes(sizes)
    return splitter


def heading_label() -> QLabel:
    """A page's title: bold, a size above the text."""
    label = QLabel()
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.3)
    font.setBold(True)
    label.setFont(font)
    return label
