"""Command line: ``qrlogin-desktop [gui|sandbox|...]``. With no arguments it opens the desktop app."""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
from collections.abc import Sequence

from . import __version__


def _rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


def _non_negative(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {text}")
    return value


def _add_sandbox_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sandbox", help="run the embedded reference server in the foreground",
                       description="Run the sandbox: all 15 endpoints on loopback, no account needed.")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, loopback only)")
    p.add_argument("--port", type=int, default=8000, help="port; 0 picks a free one (default 8000)")
    p.add_argument("--app-key", default="demo", help="the appKey the sandbox accepts (default demo)")
    p.add_argument("--token", help="bearer token clients must send (default: a random one, printed)")
    p.add_argument("--session-ttl", type=_non_negative, default=120.0, help="QR session time to live, s (120)")
    p.add_argument("--token-lifetime", type=int, default=86400, help="expires_in of issued tokens, s (86400)")
    p.add_argument("--jsapi-ticket", help="jsapi_ticket used to sign JSConfig answers")
    p.add_argument("--require-registration", action="store_true",
                   help="Confirm-Login answers 202 until the phone registers (the registration path)")
    p.add_argument("--keyword", action="append", dest="keywords", metavar="WORD",
                   help="a word MsgSecCheck flags (repeatable; replaces the defaults)")
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
        faults=Faults(latency_ms=args.latency_ms, error_rate=args.error_rate, rate_limit_rate=args.rate_limit_rate,
                      retry_after=args.retry_after, malformed_rate=args.malformed_rate, drop_rate=args.drop_rate),
    )


def run_sandbox(args: argparse.Namespace) -> int:
    import uvicorn

    from .sandbox import Sandbox
    from .sandbox.server import bound_address, uvicorn_config

    config = sandbox_config_from_args(args)
    sandbox = Sandbox(config)
    server = uvicorn.Server(uvicorn_config(sandbox.app, args.host, args.port))

    async def serve() -> None:
        task = asyncio.create_task(server.serve())
        while not server.started and not task.done():
            await asyncio.sleep(0.01)
        if server.started:
            where = bound_address(server)
            print(f"Sandbox listening on {where.url} (appKey={config.app_key}, token={config.token})", flush=True)
        await task

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass
    if not server.started:
        print(f"error: could not listen on {args.host}:{args.port}", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qrlogin-desktop", description="QR-code login console for the 服务商-微信 API")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command")
    _add_sandbox_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "sandbox":
        return run_sandbox(args)
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
