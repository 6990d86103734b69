"""User-facing, translated text for the API layer's typed errors: what happened and what to do.

Each text is a literal ``QCoreApplication.translate("Errors", ...)`` call so that pyside6-lupdate
extracts it under the same context it is looked up in at run time.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from ..api.errors import ApiError, ProtocolError, TransportError, ValidationError
from ..flow.driver import AnswerLost
from ..keystore import KeystoreError, KeystoreTimeout, KeystoreUnavailable
from . import i18n


def describe_error(error: BaseException | None) -> str:
    if error is None:
        return ""
    if isinstance(error, ValidationError):
        return error.message("zh" if i18n.is_chinese() else "en")
    if isinstance(error, AnswerLost):
        return QCoreApplication.translate(
            "Errors", "The server completed this login, but its answer was lost on the way, and the "
            "API cannot hand the token out again. Start a new QR.")
    if isinstance(error, TransportError):
        where = error.url or error.endpoint or ""
        if error.kind == "timeout":
            return QCoreApplication.translate(
                "Errors", "The server did not answer in time ({0}).").format(where)
        if error.kind == "connect":
            return QCoreApplication.translate(
                "Errors", "Cannot reach the server ({0}): {1}").format(where, error.detail)
        if error.kind == "tls":
            return QCoreApplication.translate(
                "Errors", "TLS certificate check failed ({0}): {1}. Fix the certificate, or turn off TLS "
                "verification in the profile only for a test server you trust.").format(where, error.detail)
        if error.kind == "dropped":
            return QCoreApplication.translate(
                "Errors", "The connection was dropped before the answer was complete ({0}).").format(where)
        return QCoreApplication.translate("Errors", "Network error ({0}): {1}").format(where, error.detail)
    if isinstance(error, ProtocolError):
        status = f"HTTP {error.http_status}" if error.http_status is not None else "-"
        text = QCoreApplication.translate(
            "Errors", "The server's answer is not the API's JSON ({0}, {1}): {2}.").format(
            error.endpoint or "", status, error.reason)
        if error.snippet:
            text += " " + QCoreApplication.translate("Errors", "It starts with: {0}").format(error.snippet[:80])
        return text
    if isinstance(error, ApiError):
        if error.code == 401:
            return QCoreApplication.translate(
                "Errors", "The server refused the credentials (401): {0}. "
                "Check the profile's bearer credential.").format(error.error)
        if error.code == 404:
            return QCoreApplication.translate(
                "Errors", "Not found (404): {0}. Check the appKey and the signInKey.").format(error.error)
        if error.code == 429:
            return QCoreApplication.translate("Errors", "Rate limited (429): {0}").format(error.error)
        if error.code >= 500:
            return QCoreApplication.translate("Errors", "Server error ({0}): {1}").format(error.code, error.error)
        if error.code == 400:
            return QCoreApplication.translate(
                "Errors", "The server refused the input (400): {0}").format(error.error)
        return QCoreApplication.translate(
            "Errors", "The server answered code {0}: {1}").format(error.code, error.error)
    if isinstance(error, KeystoreTimeout):
        return QCoreApplication.translate(
            "Errors", "The keyring did not answer in time. Unlock it and retry. ({0})").format(error)
    if isinstance(error, KeystoreUnavailable):
        return QCoreApplication.translate("Errors", "No usable keyring: {0}").format(error)
    if isinstance(error, KeystoreError):
        return QCoreApplication.translate("Errors", "Keyring error: {0}").format(error)
    return f"{type(error).__name__}: {error}"
