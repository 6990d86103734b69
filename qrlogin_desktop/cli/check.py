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
from pathlib import Path

from ..conformance import report_html, report_junit, report_terminal
from ..conformance.model import Options
from ..conformance.runner import ServerDoesNotAnswer, check_connection
from ..flow.session import Connection
from .target import open_connection, target_from_args
from .tokens import token_store

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _connection(args: argparse.Namespace) -> Connection | str:
    """The server to check, or why the command line cannot name one."""
    target = target_from_args(args)
    return target if isinstance(target, str) else open_connection(target, token_store(args))


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
