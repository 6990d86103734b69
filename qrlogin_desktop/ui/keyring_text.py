"""The active keyring backend in the UI's words and language, from the store's facts.

keyring's own description ("SecretService Keyring (priority 5)") is English and technical: it stays
the tooltip, for a support request. Each text is a literal ``QCoreApplication.translate("Keyring", ...)``
call so that pyside6-lupdate extracts it under the context it is looked up in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

if TYPE_CHECKING:  # the keystore package loads on first use, after the window is shown
    from ..storage.keystore import BackendFacts


def _family_name(family: str) -> str | None:
    names = {
        "secret_service": QCoreApplication.translate("Keyring", "System keyring (Secret Service)"),
        "kwallet": QCoreApplication.translate("Keyring", "KDE Wallet (KWallet)"),
        "macos": QCoreApplication.translate("Keyring", "macOS Keychain"),
        "windows": QCoreApplication.translate("Keyring", "Windows Credential Manager"),
    }
    return names.get(family)


def backend_text(facts: BackendFacts) -> str:
    """One line: which keyring holds the secrets, or where they go instead."""
    if facts.fallback == "memory":
        return QCoreApplication.translate(
            "Keyring", "No usable keyring: tokens and credentials are kept in memory only, lost when the app exits")
    if facts.fallback == "file":
        return QCoreApplication.translate(
            "Keyring", "No usable keyring: tokens and credentials are stored in a plain file (insecure): {0}").format(
            facts.fallback_path)
    if not facts.families:
        return QCoreApplication.translate("Keyring", "Keyring state unknown (see the tooltip)")
    named = [_family_name(f) for f in facts.families]
    if any(name is None for name in named):
        # A backend we have no name for: keyring's own description is the best there is.
        return QCoreApplication.translate("Keyring", "Other keyring: {0}").format(facts.description)
    return QCoreApplication.translate("Keyring", ", ").join(dict.fromkeys(named))  # type: ignore[arg-type]
