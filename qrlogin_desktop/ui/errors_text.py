"""User-facing, translated text for the API layer's typed errors: what happened and what to do.

WHICH text an error gets is the error-policy table's choice (``api/outcomes.RULES``, its
:class:`~qrlogin_desktop.api.outcomes.Message`); this module only holds the texts. Each is a literal
``QCoreApplication.translate("Errors", ...)`` call so that pyside6-lupdate extracts it under the
same context it is looked up in at run time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication

from ..api.errors import QrLoginError, violations_text
from ..api.outcomes import Message, rule_for
from ..storage.keystore import KeystoreError, KeystoreTimeout, KeystoreUnavailable
from . import i18n


def _where(error: Any) -> str:
    return error.url or error.endpoint or ""


def _not_the_api(error: Any) -> str:
    status = f"HTTP {error.http_status}" if error.http_status is not None else "-"
    text = QCoreApplication.translate(
        "Errors", "The server's answer is not the API's JSON ({0}, {1}): {2}.").format(
        error.endpoint or "", status, error.reason)
    if error.snippet:
        text += " " + QCoreApplication.translate("Errors", "It starts with: {0}").format(error.snippet[:80])
    return text


def _server_said(error: Any) -> str:
    """The server's broken-rule list in the UI's language when it sent one (each rule has a Chinese
    text), else its error text as it is."""
    if error.violations:
        return violations_text(error.violations, i18n.message_language())
    return error.error


_TEXTS: dict[Message, Callable[[Any], str]] = {
    Message.INVALID_INPUT: lambda e: e.message(i18n.message_language()),
    Message.ANSWER_LOST: lambda e: QCoreApplication.translate(
        "Errors", "The server completed this login, but its answer was lost on the way, and the "
        "API cannot hand the token out again. Start a new QR."),
    Message.DECLINED: lambda e: QCoreApplication.translate(
        "Errors", "You declined the login on your phone. Start a new QR to try again."),
    Message.TIMED_OUT: lambda e: QCoreApplication.translate(
        "Errors", "The server did not answer in time ({0}).").format(_where(e)),
    Message.CANNOT_CONNECT: lambda e: QCoreApplication.translate(
        "Errors", "Cannot reach the server ({0}): {1}").format(_where(e), e.detail),
    Message.TLS_FAILED: lambda e: QCoreApplication.translate(
        "Errors", "TLS certificate check failed ({0}): {1}. Fix the certificate, or turn off TLS "
        "verification in the profile only for a test server you trust.").format(_where(e), e.detail),
    Message.DROPPED: lambda e: QCoreApplication.translate(
        "Errors", "The connection was dropped before the answer was complete ({0}).").format(_where(e)),
    Message.NETWORK: lambda e: QCoreApplication.translate(
        "Errors", "Network error ({0}): {1}").format(_where(e), e.detail),
    Message.NOT_THE_API: _not_the_api,
    Message.CREDENTIALS_REFUSED: lambda e: QCoreApplication.translate(
        "Errors", "The server refused the credentials (401): {0}. "
        "Check the profile's bearer credential.").format(e.error),
    Message.NOT_FOUND: lambda e: QCoreApplication.translate(
        "Errors", "Not found (404): {0}. Check the appKey and the signInKey.").format(e.error),
    Message.RATE_LIMITED: lambda e: QCoreApplication.translate("Errors", "Rate limited (429): {0}").format(e.error),
    Message.SERVER_FAULT: lambda e: QCoreApplication.translate(
        "Errors", "Server error ({0}): {1}").format(e.code, e.error),
    Message.INPUT_REFUSED: lambda e: QCoreApplication.translate(
        "Errors", "The server refused the input (400): {0}").format(_server_said(e)),
    Message.ANSWERED_CODE: lambda e: QCoreApplication.translate(
        "Errors", "The server answered code {0}: {1}").format(e.code, e.error),
}


def describe_error(error: BaseException | None) -> str:
    if error is None:
        return ""
    if isinstance(error, QrLoginError):
        return _TEXTS[rule_for(error).message](error)
    if isinstance(error, KeystoreTimeout):
        return QCoreApplication.translate(
            "Errors", "The keyring did not answer in time. Unlock it and retry. ({0})").format(error)
    if isinstance(error, KeystoreUnavailable):
        return QCoreApplication.translate("Errors", "No usable keyring: {0}").format(error)
    if isinstance(error, KeystoreError):
        return QCoreApplication.translate("Errors", "Keyring error: {0}").format(error)
    return f"{type(error).__name__}: {error}"
