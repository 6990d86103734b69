"""Command line: ``qrlogin-desktop [gui|sandbox|...]``. With no arguments it opens the desktop app."""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
from collections.abc import Sequence

from . import __version__

TOKEN_ENV = "QRLOGIN_TOKEN"  # the name the "copy as cURL" export uses too
MAX_STDIN_CREDENTIAL = 16 * 1024  # characters; a bearer credential is far shorter


def _number(text: str, expected: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be {expected}, got {text}") from None


def _rate(text: str) -> float:
    value = _number(text, "a number between 0 and 1")
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


def _non_negative(text: str) -> float:
    value = _number(text, "a non-negative number")
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {text}")
    return value


class _Once(argparse.Action):
    """An option that may be given once: argparse's default keeps the last and drops the rest silently."""

    def __call__(self, parser, namespace, values, option_string=None):
        if getattr(namespace, f"_{self.dest}_given", False):
            raise argparse.ArgumentError(self, "may be given only once (the sandbox serves one appKey)")
        setattr(namespace, f"_{self.dest}_given", True)
        setattr(namespace, self.dest, values)


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


def _add_sandbox_parser(sub: argparse._SubParsersAction) -> None:
    from .sandbox.consent import DEFAULT_CONSENT_HOLD
    from .sandbox.limits import DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_SESSIONS

    p = sub.add_parser("sandbox", help="run the embedded reference server in the foreground",
                       description="Run the sandbox: all 15 endpoints on loopback, no account needed.")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, loopback only)")
    p.add_argument("--port", type=int, default=8000, help="port; 0 picks a free one (default 8000)")
    p.add_argument("--app-key", default="demo", action=_Once,
                   help="the one appKey the sandbox accepts (default demo; give it once)")
    p.add_argument("--token", help="bearer token clients must send (default: a random one, printed)")
    p.add_argument("--session-ttl", type=_non_negative, default=120.0, help="QR session time to live, s (120)")
    p.add_argument("--token-lifetime", type=int, default=86400, help="expires_in of issued tokens, s (86400)")
    p.add_argument("--jsapi-ticket", help="jsapi_ticket used to sign JSConfig answers")
    p.add_argument("--require-registration", action="store_true",
                   help="Confirm-Login answers 202 until the phone registers (the registration path)")
    p.add_argument("--keyword", action="append", dest="keywords", metavar="WORD",
                   help="a word MsgSecCheck flags (repeatable; replaces the defaults)")
    p.add_argument("--max-sessions", type=_positive_int, default=DEFAULT_MAX_SESSIONS,
                   help=f"QR sessions held at once; beyond it Initiate answers 503 (default {DEFAULT_MAX_SESSIONS:,})")
    p.add_argument("--max-body-bytes", type=_positive_int, default=DEFAULT_MAX_BODY_BYTES,
                   help=f"largest request body accepted; beyond it HTTP 413 (default {DEFAULT_MAX_BODY_BYTES:,})")
    p.add_argument("--full-63-bit-keys", action="store_true",
                   help="issue signInKeys up to 2^63 - 1 (default: at most 2^53 - 1, exact in a JavaScript phone)")
    p.add_argument("--explicit-consent", action="store_true",
                   help="after a scan Confirm-Login answers 202 until the phone page (/phone) confirms, "
                        "403 once it declines (default: the scan is the consent)")
    p.add_argument("--consent-hold", type=_non_negative, default=DEFAULT_CONSENT_HOLD, metavar="SECONDS",
                   help="with --explicit-consent: hold each Confirm-Login poll this long while the phone decides, "
                        f"answering as soon as it does; 0 answers at once (default {DEFAULT_CONSENT_HOLD:g})")
    f = p.add_argument_group("fault injection (off by default)")
    f.add_argument("--latency-ms", type=_non_negative, default=0.0, help="added latency per API request")
    f.add_argument("--error-rate", type=_rate, default=0.0, help="share of requests answered HTTP 500")
    f.add_argument("--rate-limit-rate", type=_rate, default=0.0, help="share answered 429 with Retry-After")
    f.add_argument("--retry-after", type=_non_negative, default=1.0, help="Retry-After seconds for 429s (1)")
    f.add_argument("--malformed-rate", type=_rate, default=0.0,
                   help="share answered with a malformed body (HTML, empty, truncated, wrong types)")
    f.add_argument("--drop-rate", type=_rate, default=0.0, help="share of connections dropped mid-answer")


def sandbox_config_from_args(args: argparse.Namespace):
    from .sandbox import Faults, SandboxConfig
    from .sandbox.wechat import DEFAULT_JSAPI_TICKET, DEFAULT_KEYWORDS

    total = args.error_rate + args.rate_limit_rate + args.malformed_rate + args.drop_rate
    if total > 1.0:
        raise SystemExit(f"fault rates add up to {total:g}; their sum must not exceed 1")
    return SandboxConfig(
        app_key=args.app_key,
        token=args.token or "sbx_" + secrets.token_urlsafe(24),
        session_ttl=args.session_ttl,
        token_lifetime=args.token_lifetime,
        jsapi_ticket=args.jsapi_ticket or DEFAULT_JSAPI_TICKET,
        require_registration=args.require_registration,
        keywords=tuple(args.keywords) if args.keywords else DEFAULT_KEYWORDS,
        max_sessions=args.max_sessions,
        max_body_bytes=args.max_body_bytes,
        full_63_bit_keys=args.full_63_bit_keys,
        explicit_consent=args.explicit_consent,
        consent_hold=args.consent_hold,
        faults=Faults(latency_ms=args.latency_ms, error_rate=args.error_rate, rate_limit_rate=args.rate_limit_rate,
                      retry_after=args.retry_after, malformed_rate=args.malformed_rate, drop_rate=args.drop_rate),
    )


def run_sandbox(args: argparse.Namespace) -> int:
    import uvicorn

    from .api.errors import ValidationError
    from .sandbox import Sandbox
    from .sandbox.server import bound_address, run_on_uvicorn_loop, uvicorn_config

    try:
        config = sandbox_config_from_args(args)
    except ValidationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not _is_loopback(args.host):
        print(f"warning: listening on {args.host}, not loopback: the sandbox speaks plain http, so the bearer "
              "credential and the tokens it issues travel in clear text to anyone on the network who can "
              "see the traffic", file=sys.stderr, flush=True)
    sandbox = Sandbox(config)
    server_config = uvicorn_config(sandbox.app, args.host, args.port)
    server = uvicorn.Server(server_config)

    async def serve_or_give_up() -> None:
        try:
            await server.serve()
        except SystemExit:  # uvicorn exits when it cannot bind; we say so below, without a traceback
            pass

    async def serve() -> None:
        task = asyncio.create_task(serve_or_give_up())
        while not server.started and not task.done():
            await asyncio.sleep(0.01)
        if server.started:
            where = bound_address(server)
            loop = type(asyncio.get_running_loop()).__module__.split(".")[0]  # uvloop, or asyncio without it
            print(f"Sandbox listening on {where.url} (appKey={config.app_key}, token={config.token})", flush=True)
            print(f"Event loop: {loop}", flush=True)
        await task

    try:
        run_on_uvicorn_loop(server_config, serve)
    except KeyboardInterrupt:
        pass
    if not server.started:
        print(f"error: could not listen on {args.host}:{args.port}", file=sys.stderr)
        return 1
    return 0


def _add_login_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("login", help="a QR login in the terminal; the token goes to the keyring",
                       description="Start a QR login, print the QR, poll (or simulate the phone) and store the "
                                   "token. With no server or profile, runs against the embedded sandbox.")
    where = p.add_argument_group(
        "server (default: the embedded sandbox, simulated)",
        f"The bearer credential comes from, first match wins: --token-stdin, --token, the {TOKEN_ENV} "
        "environment variable, the profile's credential in the keyring.")
    where.add_argument("--profile", help="a saved profile (name or id)")
    where.add_argument("--server", help="base URL, e.g. https://api.example.com")
    where.add_argument("--app-key", help="the appKey")
    where.add_argument("--token", help="bearer credential; visible to other users in the process list, so "
                                       f"prefer {TOKEN_ENV} or --token-stdin")
    where.add_argument("--token-stdin", action="store_true",
                       help="read the bearer credential from stdin (one trailing newline is dropped)")
    where.add_argument("--insecure", action="store_true", help="do not verify TLS certificates")
    p.add_argument("--simulate", action="store_true", help="play the phone: Scan, then Confirm-Login/Register")
    p.add_argument("--scopes", help="Initiate: scopes (letters, digits, commas; <= 100)")
    p.add_argument("--remark", help="Initiate: remark (<= 200)")
    p.add_argument("--scheme", help="Initiate: scheme (letters, digits; <= 50)")
    reg = p.add_argument_group("registration (simulate: Confirm-Register instead of Confirm-Login)")
    reg.add_argument("--register", action="store_true", help="register a new user through the QR session")
    for name in ("union-id", "nick-name", "avatar", "data", "email", "email-code", "phone", "phone-code"):
        reg.add_argument(f"--{name}")
    p.add_argument("--account", help="label of the stored token (default: the token's unionid)")
    p.add_argument("--timeout", type=float, help="HTTP timeout, s")
    p.add_argument("--session-ttl", type=float, help="QR lifetime the poller tracks, s")
    p.add_argument("--auto-refresh", type=int, help="new QRs to start after expiry")
    p.add_argument("--insecure-token-file", metavar="PATH",
                   help="opt-in: if no keyring is usable, write tokens to this 0600 file (INSECURE)")


def _add_tokens_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tokens", help="list, show or delete stored tokens")
    tsub = p.add_subparsers(dest="tokens_command", required=True)
    tsub.add_parser("list", help="stored tokens (never the token itself)")
    show = tsub.add_parser("show", help="one token's details and JWT claims; redacted unless --reveal")
    show.add_argument("selector", help="number from `tokens list`, account, or 'server / appKey / account'")
    show.add_argument("--reveal", action="store_true", help="print the whole access token")
    delete = tsub.add_parser("delete", help="delete a stored token")
    delete.add_argument("selector")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    for q in (p, show, delete, tsub.choices["list"]):
        q.add_argument("--insecure-token-file", metavar="PATH", help=argparse.SUPPRESS)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qrlogin-desktop", description="QR-code login console for the 服务商-微信 API")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="check this installation (sandbox login, keyring, translations), print a verdict, "
                             "exit 0 or 1; offscreen when there is no display")
    parser.add_argument("--require-keyring", action="store_true",
                        help="with --self-test: fail unless the token went to a real keyring (not memory)")
    sub = parser.add_subparsers(dest="command")
    gui = sub.add_parser("gui", help="open the desktop app (the default)")
    gui.add_argument("--startup-probe", action="store_true", help=argparse.SUPPRESS)  # benchmarks/gui_startup.py
    _add_sandbox_parser(sub)
    _add_login_parser(sub)
    _add_tokens_parser(sub)
    return parser


def _token_store(args: argparse.Namespace):
    from pathlib import Path

    from .connection import keyring_service
    from .keystore import TokenStore

    fallback = getattr(args, "insecure_token_file", None)
    return TokenStore(service=keyring_service(), plaintext_fallback_path=Path(fallback) if fallback else None)


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
    import os

    if args.token_stdin:
        return _read_stdin_credential(sys.stdin), "--token-stdin"
    if args.token is not None:
        print("warning: --token is visible to other users in the process list; "
              f"use {TOKEN_ENV} or --token-stdin instead", file=sys.stderr)
        return args.token, "--token"
    return os.environ.get(TOKEN_ENV) or None, TOKEN_ENV


def _credential_problem(token: str | None, source: str) -> str | None:
    """One line saying why the credential cannot be sent (the client's own rule), never showing it."""
    from .api.catalogue import BEARER_TOKEN
    from .api.errors import ValidationError

    broken = BEARER_TOKEN.violations(token) if token else []
    return f"the bearer credential from {source} is refused: {ValidationError(broken)}" if broken else None


def run_login(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from .api.errors import QrLoginError
    from .api.models import QRCodePreSignInRequest
    from .connection import connect
    from .login_command import EXIT_CANCELLED, EXIT_REJECTED, login_in_terminal
    from .profiles import Profile, ProfileStore, sandbox_profile

    store = _token_store(args)
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


def run_tokens(args: argparse.Namespace) -> int:
    from .keystore import KeystoreError
    from .tokens_command import delete_token, list_tokens, show_token

    store = _token_store(args)
    try:
        if args.tokens_command == "list":
            return list_tokens(store)
        if args.tokens_command == "show":
            return show_token(store, args.selector, reveal=args.reveal)
        return delete_token(store, args.selector, yes=args.yes)
    except KeystoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def run_gui(args: argparse.Namespace) -> int:
    from .ui.app import run

    return run()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.require_keyring and not args.self_test:
        parser.error("--require-keyring only goes with --self-test")
    if args.self_test:
        from .selftest import main as self_test

        return self_test(require_keyring=args.require_keyring)
    if args.command == "sandbox":
        return run_sandbox(args)
    if args.command == "login":
        return run_login(args)
    if args.command == "tokens":
        return run_tokens(args)
    if args.command == "gui" and args.startup_probe:
        from .startup_probe import run as startup_probe

        return startup_probe()
    return run_gui(args)


if __name__ == "__main__":
    sys.exit(main())
