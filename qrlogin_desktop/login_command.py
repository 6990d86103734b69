"""``qrlogin-desktop login``: a QR login in the terminal, the token stored in the keyring.

Exit codes are distinct so scripts can branch: 0 authenticated and stored, 3 the QR expired,
4 the server refused (4xx: bad input, credentials, conflict), 5 an error (server faults, no
answer, malformed answers), 6 authenticated but the token could not be stored, 130 cancelled.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any, TextIO

from .api.errors import ApiError, QrLoginError, TransportError, ValidationError
from .connection import Connection
from .flow.driver import FlowDriver, FlowResult
from .flow.machine import State, Transition
from .keystore import KeystoreError, TokenStore
from .qr import render_payload, to_terminal
from .token_storage import account_for, stored_token_for

__all__ = ["account_for", "exit_code_for", "run_login"]  # account_for: re-exported, it moved to token_storage

EXIT_OK = 0
EXIT_EXPIRED = 3
EXIT_REJECTED = 4
EXIT_ERROR = 5
EXIT_NOT_STORED = 6
EXIT_CANCELLED = 130


def exit_code_for(result: FlowResult) -> int:
    if result.state is State.AUTHENTICATED:
        return EXIT_OK
    if result.state is State.EXPIRED:
        return EXIT_EXPIRED
    if result.state is State.CANCELLED:
        return EXIT_CANCELLED
    error = result.error
    if isinstance(error, ValidationError):  # bad input, refused by our own check before sending
        return EXIT_REJECTED
    if isinstance(error, ApiError) and 400 <= error.code < 500 and error.code != 429:
        return EXIT_REJECTED
    if isinstance(error, TransportError) and error.kind == "tls":
        return EXIT_REJECTED
    return EXIT_ERROR


class LoginPrinter:
    """Prints each state change with its time since the start and the QR. A failure's error is
    left to the one "login ended" line, so it is printed once."""

    def __init__(self, out: TextIO, start: float):
        self.out = out
        self.start = start

    def transition(self, t: Transition) -> None:
        details = " ".join(f"{k}={v}" for k, v in t.detail.items() if k != "error")
        line = f"[+{t.at - self.start:7.3f}s] {t.source.value} → {t.target.value}"
        if details:
            line += f"  ({details})"
        print(line, file=self.out, flush=True)

    def qr(self, payload: str, key: int) -> None:
        print(to_terminal(payload), file=self.out)
        print(f"signInKey: {key}\npayload:   {payload}", file=self.out, flush=True)


async def run_login(connection: Connection, store: TokenStore, *, simulate: bool, register: dict[str, Any] | None,
                    initiate: Any = None, account: str | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout  # looked up now, not at import: the caller may have replaced sys.stdout
    client = connection.client()
    driver = FlowDriver(client, policy=connection.policy(), codes=connection.codes(), initiate=initiate)
    printer = LoginPrinter(out, driver.clock())
    driver.add_listener(printer.transition)

    def show_qr(t: Transition) -> None:
        if t.target is State.WAITING_FOR_SCAN and driver.sign_in_key is not None:
            payload = render_payload(connection.profile.payload_template, sign_in_key=driver.sign_in_key,
                                     app_key=connection.app_key, server=connection.base_url)
            printer.qr(payload, driver.sign_in_key)

    driver.add_listener(show_qr)
    mode = "simulating the phone" if simulate else "waiting for a phone to scan"
    print(f"QR login at {connection.base_url} (appKey={connection.app_key}), {mode}", file=out, flush=True)
    try:
        if simulate:
            result = await driver.run_simulated(register)
        else:
            result = await driver.run_poll()
    except (asyncio.CancelledError, KeyboardInterrupt):
        await driver.cancel()
        result = driver.result()
    finally:
        await client.aclose()

    code = exit_code_for(result)
    if code != EXIT_OK:
        # Scrubbed of the credential and any token: a transport library's message may quote a header.
        reason = client.redactor.text(str(result.error)) if result.error else result.state.value
        print(f"login ended: {result.state.value} - {reason}", file=out, flush=True)
        return code
    assert result.token is not None
    token = result.token
    stored = stored_token_for(connection, token, account)
    key = stored.key
    print(f"authenticated: {token.token_type} token, expires in {token.expires_in} s, "
          f"{result.requests} requests", file=out)
    try:
        saved = await store.asave(stored)
    except (KeystoreError, QrLoginError) as exc:
        print(f"error: the token was NOT stored: {exc}\n"
              "       unlock or install a keyring, or re-run with --insecure-token-file PATH", file=out, flush=True)
        return EXIT_NOT_STORED
    if not saved.persistent:
        print(f"error: the token was NOT stored: {saved.warning}\n"
              "       unlock or install a keyring, or re-run with --insecure-token-file PATH", file=out, flush=True)
        return EXIT_NOT_STORED
    if saved.warning:
        print(f"warning: {saved.warning}", file=out)
    print(f"token stored ({saved.location}) as: {key}", file=out, flush=True)
    return EXIT_OK
