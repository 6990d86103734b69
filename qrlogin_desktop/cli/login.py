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
import os
import sys
from dataclasses import replace
from typing import Any, TextIO

from ..api.catalogue import BEARER_TOKEN
from ..api.errors import QrLoginError, ValidationError
from ..api.models import QRCodePreSignInRequest
from ..api.outcomes import ExitCode, rule_for
from ..flow.driver import FlowResult
from ..flow.machine import State, Transition
from ..flow.qr import to_terminal
from ..flow.session import Connection, connect
from ..storage.keystore import KeystoreError, TokenStore
from ..storage.profiles import Profile, ProfileStore, sandbox_profile
from . import TOKEN_ENV
from .tokens import token_store

__all__ = ["exit_code_for", "login_in_terminal", "run_login"]

MAX_STDIN_CREDENTIAL = 16 * 1024  # characters; a bearer credential is far shorter

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


def _load_profiles(store):
    """A damaged profiles file is kept aside and reported, never fatal."""
    store.load()
    for line in store.load_warnings:
        print(f"warning: {line}", file=sys.stderr)
    return store


def _read_stdin_credential(stream) -> str:
    """All of stdin (bounded) less exactly one trailing newline: a second newline is part of
    what the user gave, and the client's check refuses it rather than us guessing."""
    text = stream.read(MAX_STDIN_CREDENTIAL + 1)
    if len(text) > MAX_STDIN_CREDENTIAL:
        raise ValueError(f"--token-stdin: more than {MAX_STDIN_CREDENTIAL} characters on stdin")
    if text.endswith("\r\n"):
        text = text[:-2]
    elif text.endswith("\n"):
        text = text[:-1]
    if not text:
        raise ValueError("--token-stdin: stdin held no credential")
    return text


def _credential_from_args(args: argparse.Namespace) -> tuple[str | None, str]:
    """The credential and where it came from: --token-stdin > --token > $QRLOGIN_TOKEN; None
    leaves it to the profile (keyring)."""
    if args.token_stdin:
        return _read_stdin_credential(sys.stdin), "--token-stdin"
    if args.token is not None:
        print("warning: --token is visible to other users in the process list; "
              f"use {TOKEN_ENV} or --token-stdin instead", file=sys.stderr)
        return args.token, "--token"
    return os.environ.get(TOKEN_ENV) or None, TOKEN_ENV


def _credential_problem(token: str | None, source: str) -> str | None:
    """One line saying why the credential cannot be sent (the client's own rule), never showing it."""
    broken = BEARER_TOKEN.violations(token) if token else []
    return f"the bearer credential from {source} is refused: {ValidationError(broken)}" if broken else None


def run_login(args: argparse.Namespace) -> int:
    store = token_store(args)
    try:
        token, source = _credential_from_args(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.profile:
        profile = _load_profiles(ProfileStore()).find(args.profile)
        if profile is None:
            print(f"error: no profile named {args.profile!r}", file=sys.stderr)
            return 2
        if not profile.embedded_sandbox and token is None:
            source = f"the keyring (profile {profile.name!r})"  # connect() reads it there
        keyring = store
    elif args.server:
        if not args.app_key:
            print("error: --server needs --app-key", file=sys.stderr)
            return 2
        profile = Profile(name="command line", base_url=args.server, app_key=args.app_key)
        keyring = None  # a profile made up here has no credential stored
    else:
        profile = sandbox_profile()
        keyring = None  # the embedded sandbox makes its own credential
        args.simulate = True  # nobody holds a phone for the embedded sandbox
    overrides = {k: v for k, v in (("timeout", args.timeout), ("session_ttl", args.session_ttl),
                                  ("auto_refresh", args.auto_refresh)) if v is not None}
    if args.insecure:
        overrides["verify_tls"] = False
    profile = replace(profile, **overrides)
    if warning := profile.plain_http_warning:
        print(f"warning: {warning}", file=sys.stderr)
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
    connection = connect(profile, token, store=keyring)
    if not profile.embedded_sandbox and (problem := _credential_problem(connection.token, source)):
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_REJECTED
    try:
        return asyncio.run(login_in_terminal(connection, store, simulate=args.simulate, register=register,
                                             initiate=initiate, account=args.account))
    except KeyboardInterrupt:
        return EXIT_CANCELLED
    finally:
        connection.close()
