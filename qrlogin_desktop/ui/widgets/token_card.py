"""The result of a login: token type, time to expiry, JWT claims, and the token itself redacted.

The token is shown in full only while the user holds the explicit "Reveal" toggle on; a new token
always arrives hidden. The claims are decoded without verifying the signature: display only.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...api.models import TokenModel
from ...storage.jwt_claims import decode_jwt_claims
from ...storage.keystore.records import redact_parts
from .. import theme
from ..display import local_time, time_left
from .claims_tree import ClaimsTree
from .common import RevealButton
from .language import Retranslating

# Where a provider's JWT names its user, most specific first (the sandbox uses unique_name).
TEXT_MARGIN_PX = 4  # a line edit's own room on each side of its text, inside the frame
NICKNAME_CLAIMS = ("nickname", "nickName", "unique_name", "name", "preferred_username")


def user_of(token: TokenModel) -> str | None:
    """The logged-in user's name from the token's claims (display only, unverified), if it has one."""
    claims = decode_jwt_claims(token.access_token) or {}
    return next((str(claims[c]) for c in NICKNAME_CLAIMS if isinstance(claims.get(c), str) and claims[c]), None)


class TokenCard(Retranslating, QFrame):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("tokenCard")
        self.token: TokenModel | None = None
        self._obtained_at = 0.0
        self.token_type = QLabel()
        self.expiry = QLabel()
        self.token_text = QLineEdit()
        self.token_text.setObjectName("tokenText")
        self.token_text.setReadOnly(True)
        self.token_text.installEventFilter(self)  # re-fitted to its width (see _show_token)
        self.reveal_button = RevealButton()
        self.reveal_button.toggled.connect(self._show_token)
        self.storage = QLabel()
        self.storage.setWordWrap(True)
        self.claims = ClaimsTree()
        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)  # a narrow result column wraps it rather than scrolling sideways
        # No wrap inside the value: the countdown on its line, the absolute time on the next.
        self.expiry.setObjectName("tokenExpiry")
        self.expiry.setWordWrap(False)
        theme.styled(self.empty, "color: {muted};")

        self.form = QFormLayout()
        self.form.setContentsMargins(0, 0, 0, 0)
        self._type_label, self._expiry_label, self._token_label = QLabel(), QLabel(), QLabel()
        token_row = QHBoxLayout()
        token_row.addWidget(self.token_text, 1)
        token_row.addWidget(self.reveal_button)
        self.form.addRow(self._type_label, self.token_type)
        self.form.addRow(self._expiry_label, self.expiry)
        self.form.addRow(self._token_label, token_row)
        self.details = QWidget()
        details = QVBoxLayout(self.details)
        details.setContentsMargins(0, 0, 0, 0)
        details.addLayout(self.form)
        details.addWidget(self.storage)
        details.addWidget(self.claims, 1)
        # Two pages of one stack rather than show()/hide(): the card keeps one size, so a new token
        # does not make the whole window lay itself out again (measured: ~40 ms per login).
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty)
        self.pages.addWidget(self.details)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages, 1)

        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        self.clear()
        self.retranslate()

    # --- content ----------------------------------------------------------------------------------------

    def set_token(self, token: TokenModel) -> None:
        self.token, self._obtained_at = token, time.time()
        self.reveal_button.conceal()  # a new token always arrives hidden
        self._show_token(False)
        self.claims.show_claims(decode_jwt_claims(token.access_token))
        self.token_type.setText(token.token_type)
        self.storage.setText("")
        self._show_page(self.details)
        self._tick()
        self._timer.start()

    def set_storage(self, text: str, ok: bool) -> None:
        self.storage.setText(text)
        theme.styled(self.storage, "color: {ok};" if ok else "color: {error}; font-weight: bold;")

    def clear(self) -> None:
        self.token = None
        self._timer.stop()
        self.token_text.clear()
        self.claims.clear_claims()
        self.storage.clear()
        self.reveal_button.conceal()
        self._show_page(self.empty)

    def seconds_left(self) -> float | None:
        if self.token is None:
            return None
        return self._obtained_at + self.token.expires_in - time.time()

    def claim_items(self) -> dict[str, str]:
        """Top-level claims as shown (name → text); for tests."""
        return self.claims.claim_items()

    # --- texts ------------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self._type_label.setText(self.tr("Token type"))
        self._expiry_label.setText(self.tr("Expires in"))
        self._token_label.setText(self.tr("Access token"))
        self.empty.setText(self.tr("No token yet: complete a QR login."))
        self.reveal_button.setToolTip(self.tr("Show the whole access token on screen"))
        self.reveal_button.setAccessibleName(self.tr("Reveal the access token"))
        self.token_text.setAccessibleName(self.tr("Access token (redacted)"))
        self.claims.setAccessibleName(self.tr("Claims of the token (not verified)"))
        if not self.reveal_button.isChecked():
            self._show_token(False)  # the redacted form names its length in words of the language
        self._tick()

    # --- internals --------------------------------------------------------------------------------------

    def _show_page(self, page: QWidget) -> None:
        # The hidden page does not count towards the card's minimum size (QStackedLayout skips
        # Ignored widgets): an empty card in a short window shows its message, not a scroll bar.
        for other in (self.empty, self.details):
            ignored = QSizePolicy.Policy.Ignored
            other.setSizePolicy(QSizePolicy.Policy.Preferred if other is page else ignored,
                                QSizePolicy.Policy.Preferred if other is page else ignored)
        self.pages.setCurrentWidget(page)

    def _show_token(self, revealed: bool) -> None:
        token = self.token.access_token if self.token else ""
        if revealed or not token:
            self.token_text.setText(token)
            self.token_text.setToolTip("")
        else:
            head, n, tail = redact_parts(token)
            # The redacted form with its length in the UI's language (as on the Tokens page), where
            # the field shows it whole; else its ends alone, the tooltip keeping the count: a
            # read-only field would otherwise cut it at its edge, without an ellipsis.
            redacted = self.tr("{0}…({1} chars)…{2}").format(head, n, tail)
            room = self.token_text.contentsRect().width() - 2 * TEXT_MARGIN_PX
            fits = self.token_text.fontMetrics().horizontalAdvance(redacted) <= room
            self.token_text.setText(redacted if fits else f"{head}…{tail}")
            self.token_text.setToolTip(redacted)
        self.token_text.setCursorPosition(0)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.token_text and event.type() == QEvent.Type.Resize and not self.reveal_button.isChecked():
            self._show_token(False)
        return super().eventFilter(watched, event)

    def _tick(self) -> None:
        left = self.seconds_left()
        if left is None:
            self.expiry.setText("")
        elif left <= 0:
            self.expiry.setText(self.tr("expired"))
            self._timer.stop()
        else:
            self.expiry.setText(time_left(left) + "\n" + self.tr("at {0}", "when the token expires").format(
                local_time(time.time() + left)))
