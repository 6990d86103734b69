"""``qrlogin-desktop check``: the conformance check of a server, as a table in the terminal, JUnit XML
(``--junit``) and a self-contained HTML page (``--report``).

The credential comes exactly as ``login`` takes it (``--token-stdin``, ``--token``, ``$QRLOGIN_TOKEN``,
the profile's in the keyring); a profile's code table applies to every answer. Exit 0 when every check
passes (or does not apply), 1 when any fails or the run stopped early, 2 on bad usage or a server that
does not answer at all.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import replace
from pathlib import Path

from ..conformance import report_html, report_junit, report_terminal
from ..conformance.model import Options
from ..conformance.runner import ServerDoesNotAnswer, check_connection
from ..flow.session import Connection, connect
from ..storage.profiles import Profile, ProfileStore
from .login import _credential_from_args, _credential_problem, _load_profiles
from .tokens import token_store

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _connection(args: argparse.Namespace) -> Connection | str:
    """The server to check, or why the command line cannot name one."""
    try:
        token, source = _credential_from_args(args)
    except ValueError as exc:
        return str(exc)
    if args.profile:
        profile = _load_profiles(ProfileStore()).find(args.profile)
        if profile is None:
            return f"no profile named {args.profile!r}"
        store = token_store(args) if token is None and not profile.embedded_sandbox else None
        if store is not None:
            source = f"the keyring (profile {profile.name!r})"
    elif args.server and args.app_key:
        profile, store = Profile(name="command line", base_url=args.server, app_key=args.app_key), None
    else:
        return "give --server URL and --app-key K, or --profile NAME"
    overrides = {"timeout": args.timeout} if args.timeout is not None else {}
    if args.session_ttl is not None:
        overrides["session_ttl"] = args.session_ttl
    if args.insecure:
        overrides["verify_tls"] = False
    profile = replace(profile, **overrides)
    if broken := profile.violations():
        return "; ".join(f"{v.field}: {v.rule_en}" for v in broken)
    if warning := profile.plain_http_warning:
        print(f"warning: {warning}", file=sys.stderr)
    connection = connect(profile, token, store=store)
    if not profile.embedded_sandbox:
        if connection.token is None:
            connection.close()
            return (f"no bearer credential: give --token-stdin or $QRLOGIN_TOKEN, or save one with the profile "
                    f"(looked in {source})")
        if problem := _credential_problem(connection.token, source):
            connection.close()
            return problem
    return connection


def _write(path: str, data: bytes) -> str | None:
    try:
        Path(path).write_bytes(data)
    except OSError as exc:
        return f"cannot write {path}: {exc.strerror or exc}"
    return None


def run_check(args: argparse.Namespace) -> int:
    connection = _connection(args)
    if isinstance(connection, str):
        print(f"error: {connection}", file=sys.stderr)
        return EXIT_USAGE
    options = Options(register=not args.no_register, expiry=args.expiry, jsapi_ticket=args.jsapi_ticket)
    try:
        report = asyncio.run(check_connection(connection, options, deadline=args.run_timeout))
    except ServerDoesNotAnswer as exc:
        print(f"error: the server does not answer: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("check cancelled", file=sys.stderr)
        return EXIT_FAILED
    finally:
        connection.close()
    sys.stdout.write(report_terminal.render(report, lang=args.lang if args.lang != "both" else "en"))
    problems = []
    if args.junit:
        problems.append(_write(args.junit, report_junit.render(report)))
    if args.report:
        problems.append(_write(args.report, report_html.render(report, lang=args.lang).encode()))
    for problem in filter(None, problems):
        print(f"error: {problem}", file=sys.stderr)
    if any(problems):
        return EXIT_USAGE
    return EXIT_PASSED if report.ok else EXIT_FAILED
