"""Command line: ``qrlogin-desktop [gui|sandbox|login|tokens|check|load]``. With no arguments it opens the desktop app.

This module holds the parser and :func:`main`; each command runs in a module of its own (``gui``,
``sandbox``, ``login``, ``tokens``, ``check``, ``load``, ``selftest``), imported only when that command runs, so
parsing the arguments loads no Qt and no command's code.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .. import APP_NAME, __version__

TOKEN_ENV = "QRLOGIN_TOKEN"  # the name the "copy as cURL" export uses too


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
    if not value >= 0:  # NaN too: the sandbox's Faults refuses it as well
        raise argparse.ArgumentTypeError(f"must not be negative, got {text}")
    return value


class _Once(argparse.Action):
    """An option that may be given once: argparse's default keeps the last and drops the rest silently."""

    def __call__(self, parser, namespace, values, option_string=None):
        if getattr(namespace, f"_{self.dest}_given", False):
            raise argparse.ArgumentError(self, "may be given only once (the sandbox serves one appKey)")
        setattr(namespace, f"_{self.dest}_given", True)
        setattr(namespace, self.dest, values)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


def _add_sandbox_parser(sub: argparse._SubParsersAction) -> None:
    from ..sandbox.consent import DEFAULT_CONSENT_HOLD
    from ..sandbox.limits import DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_SESSIONS

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


def _add_server_group(p: argparse.ArgumentParser, title: str, *, profile_help: str = "a saved profile (name or id)",
                      server_example: str = "https://api.example.com") -> argparse._ArgumentGroup:
    """The server and its bearer credential, as login, check and load take them (one reader: cli/login.py)."""
    where = p.add_argument_group(
        title, f"The bearer credential comes from, first match wins: --token-stdin, --token, the {TOKEN_ENV} "
               "environment variable, the profile's credential in the keyring.")
    where.add_argument("--profile", help=profile_help)
    where.add_argument("--server", help=f"base URL, e.g. {server_example}")
    where.add_argument("--app-key", help="the appKey")
    where.add_argument("--token", help="bearer credential; visible to other users in the process list, so "
                                       f"prefer {TOKEN_ENV} or --token-stdin")
    where.add_argument("--token-stdin", action="store_true",
                       help="read the bearer credential from stdin (one trailing newline is dropped)")
    where.add_argument("--insecure", action="store_true", help="do not verify TLS certificates")
    return where


def _add_login_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("login", help="a QR login in the terminal; the token goes to the keyring",
                       description="Start a QR login, print the QR, poll (or simulate the phone) and store the "
                                   "token. With no server or profile, runs against the embedded sandbox.")
    _add_server_group(p, "server (default: the embedded sandbox, simulated)")
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


def _add_check_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="check a server against the contract; exit 0 all pass, 1 any fails, 2 bad usage",
                       description="The conformance check: the contract's rules at their boundaries, bearer auth, "
                                   "the QR session lifecycle cell by cell, the envelope of every answer, the image "
                                   "endpoints and JSConfig's signature. Exit 0 when every check passes, 1 when any "
                                   "fails, 2 on bad usage or a server that does not answer.")
    _add_server_group(p, "server",
                      profile_help="a saved profile (name or id): its server, appKey, credential and code table")
    what = p.add_argument_group("what to check")
    what.add_argument("--no-register", action="store_true",
                      help="leave out the checks that register users (Confirm-Register)")
    what.add_argument("--expiry", action="store_true", help="also check expiry: waits one QR lifetime")
    what.add_argument("--session-ttl", type=_non_negative, metavar="SECONDS",
                      help="the server's QR lifetime, for --expiry (default: the profile's, 120)")
    what.add_argument("--jsapi-ticket", metavar="T", help="the server's jsapi_ticket: JSConfig's signature is recomputed")
    what.add_argument("--timeout", type=_non_negative, metavar="SECONDS", help="overall deadline of each call (10)")
    what.add_argument("--run-timeout", type=_non_negative, default=600.0, metavar="SECONDS",
                      help="deadline of the whole run, a QR lifetime added with --expiry (600)")
    out = p.add_argument_group("output")
    out.add_argument("--junit", metavar="FILE", help="write the results as JUnit XML")
    out.add_argument("--report", metavar="FILE.html", help="write a self-contained HTML report")
    out.add_argument("--lang", choices=("en", "zh", "both"), default="both",
                     help="language of the HTML report (both by default) and of the table (English unless zh)")
    p.add_argument("--insecure-token-file", metavar="PATH", help=argparse.SUPPRESS)


def _add_load_parser(sub: argparse._SubParsersAction) -> None:
    from ..load.limits import FLOW_TAGS, MAX_DURATION, MAX_USERS, MAX_WORKERS

    p = sub.add_parser("load", help="QR-flow load on Locust (headless; optional 'load' extra)",
                       description="Run the package's Locust users (simulated login, registration, a polling "
                                   "desktop) headless against one server and print Locust's summary.")
    p.add_argument("--locustfile", action="store_true", help="print the locustfile's path and exit")
    where = _add_server_group(p, "server (one of --server, --profile, --sandbox)",
                              server_example="http://127.0.0.1:8000")
    where.add_argument("--sandbox", action="store_true",
                       help="start the sandbox in a process of its own on 127.0.0.1 and load it")
    run = p.add_argument_group("the run (bounded)")
    run.add_argument("--users", type=int, help=f"simulated desktops, 1..{MAX_USERS:,} (required)")
    run.add_argument("--spawn-rate", type=float, default=10.0, help="users started per second (default 10)")
    run.add_argument("--duration", type=float, help=f"seconds, 1..{MAX_DURATION:g} (required)")
    run.add_argument("--workers", type=int, default=0,
                     help=f"local Locust workers under one master, 0..{MAX_WORKERS} (default 0: one process)")
    run.add_argument("--tags", nargs="+", choices=FLOW_TAGS, help="only these flows (default: all, weighted 3:1:1)")
    run.add_argument("--think-time", type=float, help="polling flow: the phone scans after about S s (default 2)")
    run.add_argument("--call-timeout", type=float, help="overall deadline of one HTTP exchange, s (default 10)")
    out = p.add_argument_group("reports")
    out.add_argument("--csv", metavar="PREFIX", help="Locust's CSV files: PREFIX_stats.csv, _stats_history.csv, ...")
    out.add_argument("--html", metavar="FILE", help="Locust's HTML report")
    out.add_argument("--only-summary", action="store_true", help="print only the final summary")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=APP_NAME, description="QR-code login console for the 服务商-微信 API")
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
    _add_check_parser(sub)
    _add_load_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.require_keyring and not args.self_test:
        parser.error("--require-keyring only goes with --self-test")
    if args.self_test:
        from .selftest import main as self_test

        return self_test(require_keyring=args.require_keyring)
    if args.command == "sandbox":
        from .sandbox import run_sandbox

        return run_sandbox(args)
    if args.command == "login":
        from .login import run_login

        return run_login(args)
    if args.command == "tokens":
        from .tokens import run_tokens

        return run_tokens(args)
    if args.command == "check":
        from .check import run_check

        return run_check(args)
    if args.command == "load":
        from .load import run_load

        return run_load(args)
    from .gui import run_gui

    return run_gui(startup_probe=getattr(args, "startup_probe", False))


if __name__ == "__main__":
    sys.exit(main())
