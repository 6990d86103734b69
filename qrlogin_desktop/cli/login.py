"""``qrlogin-desktop login``: a QR login in the terminal, the token stored in the keyring.

The exit codes are distinct so scripts can branch (:class:`~qrlogin_desktop.api.outcomes.ExitCode`):
0 authenticated and stored, 3 the QR expired, 4 the server refused (4xx: bad input, credentials,
conflict; a TLS failure), 5 an error (server faults, no answer, malformed answers, a lost answer),
6 authenticated but the token could not be stored, 130 cancelled. Which error gets which code is
the error-policy table's (api/outcomes.py), as is the hint printed under a failed login.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any, TextIO

from ..api.errors import QrLoginError
from ..api.models import QRCodePreSignInRequest
from ..api.outcomes import ExitCode, rule_for
from ..flow.driver import FlowResult
from ..flow.machine import State, Transition
from ..flow.qr import to_terminal
from ..flow.session import Connection
from ..storage.keystore import KeystoreError, TokenStore
from .target import open_connection, target_from_args
from .tokens import token_store

__all__ = ["exit_code_for", "login_in_terminal", "run_login"]

EXIT_OK = ExitCode.OK
EXIT_EXPIRED = ExitCode.EXPIRED
EXIT_REJECTED = ExitCode.REJECTED
EXIT_ERROR = ExitCode.ERROR
EXIT_NOT_STORED = ExitCode.NOT_STORED
EXIT_CANCELLED = ExitCode.CANCELLED

_BY_STATE = {State.AUTHENTICATED: ExitCode.OK, State.EXPIRED: ExitCode.EXPIRED, State.CANCELLED: ExitCode.CANCELLED}


def exit_code_for(result: FlowResult) -> int:
    """By how the login ended; a failure by its error's row in the error-policy table."""
    if result.state in _BY_STATE:
        return _BY_STATE[result.state]
    if isinstance(result.error, QrLoginError):
        return rule_for(result.error).exit_code
    return ExitCode.ERROR


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


async def login_in_terminal(connection: Connection, store: TokenStore, *, simulate: bool,
                            register: dict[str, Any] | None, initiate: Any = None, account: str | None = None,
                            out: TextIO | None = None) -> int:
    out = out or sys.stdout  # looked up now, not at import: the caller may have replaced sys.stdout
    client = connection.client()
    driver = connection.driver(client, initiate=initiate)
    printer = LoginPrinter(out, driver.clock())
    driver.add_listener(printer.transition)

    def show_qr(t: Transition) -> None:
        if t.target is State.WAITING_FOR_SCAN and driver.sign_in_key is not None:
            printer.qr(connection.qr_payload(driver.sign_in_key), driver.sign_in_key)

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
        if result.state is State.FAILED and result.error is not None and (advice := rule_for(result.error).advice):
            print(f"hint: {advice}", file=out, flush=True)
        return code
    assert result.token is not None
    token = result.token
    print(f"authenticated: {token.token_type} token, expires in {token.expires_in} s, "
          f"{result.requests} requests", file=out)
    try:
        saved = await connection.save_token(store, token, account)
    except (KeystoreError, QrLoginError) as exc:
        print(f"error: the token was NOT stored: {exc}\n"
              "       unlock or install a keyring, or re-run with --insecure-token-file PATH", file=out, flush=True)
        return EXIT_NOT_STORED
    if not saved.persistent:
        print(f"error: the token was NOT stored: {saved.result.warning}\n"
              "       unlock or install a keyring, or re-run with --insecure-token-file PATH", file=out, flush=True)
        return EXIT_NOT_STORED
    if saved.result.warning:
        print(f"warning: {saved.result.warning}", file=out)
    print(f"token stored ({saved.result.location}) as: {saved.token.key}", file=out, flush=True)
    return EXIT_OK


def run_login(args: argparse.Namespace) -> int:
    store = token_store(args)
    target = target_from_args(args, sandbox_by_default=True)
    if isinstance(target, str):
        print(f"error: {target}", file=sys.stderr)
        return 2
    if not args.profile and not args.server:
        args.simulate = True  # nobody holds a phone for the embedded sandbox
    register = None
    if args.register:
        register = {"unionID": args.union_id, "nickName": args.nick_name, "avatar": args.avatar, "data": args.data,
                    "email": args.email, "emailCode": args.email_code, "phone": args.phone,
                    "phoneCode": args.phone_code}
        args.simulate = True
    initiate = QRCodePreSignInRequest(scopes=args.scopes, remark=args.remark, scheme=args.scheme)
    try:
        initiate.validate()
    except QrLoginError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REJECTED
    connection = open_connection(target, store)
    if isinstance(connection, str):
        print(f"error: {connection}", file=sys.stderr)
        return EXIT_REJECTED
    try:
        return asyncio.run(login_in_terminal(connection, store, simulate=args.simulate, register=register,
                                             initiate=initiate, account=args.account))
    except KeyboardInterrupt:
        return EXIT_CANCELLED
    finally:
        connection.close()
