"""Turning a fresh login's token into a keyring entry: one recipe for the CLI and the GUI.

Both front ends must label a token the same way (server label, appKey, the account from the JWT),
or ``qrlogin-desktop tokens`` and the GUI's token list would disagree about who a token belongs to.
No Qt here: the CLI imports it too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..api.models import TokenModel
from .jwt_claims import decode_jwt_claims
from .keystore import StorageResult, StoredToken, TokenKey, TokenStore

if TYPE_CHECKING:  # a connection calls in here (Connection.save_token), not the other way round
    from ..flow.session import Connection

__all__ = ["SavedToken", "account_for", "human_duration", "save_login_token", "stored_token_for"]


def account_for(token_claims: dict[str, Any] | None) -> str:
    """Label a stored token by who it belongs to, when the JWT says so."""
    claims = token_claims or {}
    for name in ("unionid", "unique_name", "nameid", "sub"):
        value = claims.get(name)
        if isinstance(value, str) and value:
            return value
    return "default"


def stored_token_for(connection: Connection, token: TokenModel, account: str | None = None,
                     obtained_at: float | None = None) -> StoredToken:
    """The keyring record for ``token`` obtained through ``connection`` (not yet saved)."""
    key = TokenKey(connection.server_label, connection.app_key,
                   account or account_for(decode_jwt_claims(token.access_token)))
    return StoredToken(key, token.access_token, token.token_type, token.expires_in,
                       time.time() if obtained_at is None else obtained_at)


@dataclass(frozen=True, repr=False)
class SavedToken:
    """What was saved and where it went. ``result.persistent`` False means: only in memory."""

    token: StoredToken
    result: StorageResult

    @property
    def persistent(self) -> bool:
        return self.result.persistent

    def __repr__(self) -> str:  # StoredToken's repr is redacted; keep it that way here too
        return f"SavedToken({self.token!r}, {self.result!r})"


async def save_login_token(store: TokenStore, connection: Connection, token: TokenModel,
                           account: str | None = None) -> SavedToken:
    """Store ``token`` off the event loop. Raises :class:`~qrlogin_desktop.storage.keystore.KeystoreError`
    when the keyring fails (the token is then kept in memory, as the store documents)."""
    stored = stored_token_for(connection, token, account)
    return SavedToken(stored, await store.asave(stored))


def human_duration(seconds: float) -> str:
    """A stored token's time left for ``qrlogin-desktop tokens`` (the GUI says it in its language: ui/display.time_left)."""
    if seconds <= 0:
        return "expired"
    seconds = int(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    if minutes:
        return f"{minutes}m {secs}s"
    return f"{secs}s"
