"""``qrlogin-desktop sandbox``: the embedded reference server in the foreground, on uvicorn."""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def sandbox_config_from_args(args: argparse.Namespace):
    from ..sandbox import Faults, SandboxConfig
    from ..sandbox.wechat import DEFAULT_JSAPI_TICKET, DEFAULT_KEYWORDS

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

    from ..api.errors import ValidationError
    from ..sandbox import Sandbox
    from ..sandbox.server import bound_address, run_on_uvicorn_loop, uvicorn_config

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
