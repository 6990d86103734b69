"""Server side of the load benchmark: one uvicorn process serving either app.

Run by ``sandbox_load.py`` as its own process (``python benchmarks/_servers.py KIND --token T``).
It binds 127.0.0.1 on a free port, prints that port on stdout once it accepts connections, and
serves until SIGINT/SIGTERM. Both apps get exactly the same uvicorn stack: the sandbox's own
``uvicorn_config`` (log_level warning, access_log off, lifespan off) plus loop uvloop,
http httptools, 1 worker.

KIND is ``bare`` (one POST route answering a small JSONResponse, the framework baseline) or
``sandbox`` (``Sandbox(SandboxConfig(token=T)).app``, fault injector and all).

``--cprofile FILE`` runs the server under cProfile and writes the stats to FILE on shutdown.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from qrlogin_desktop.sandbox.app import Sandbox, SandboxConfig
from qrlogin_desktop.sandbox.server import bound_address, uvicorn_config

HOST = "127.0.0.1"  # loopback only, always
BARE_PATH = "/Wechat/demo/QR-Auth/Initiate"  # same path and request bytes as the sandbox scenario


async def _bare(request: Request) -> JSONResponse:
    return JSONResponse({"code": 200, "data": 1234567890123456789, "error": ""})


def build_app(kind: str, token: str):
    if kind == "bare":
        return Starlette(routes=[Route(BARE_PATH, _bare, methods=["POST"])])
    if kind == "sandbox":
        return Sandbox(SandboxConfig(token=token)).app
    raise ValueError(f"unknown server kind {kind!r}")


def serve(kind: str, token: str) -> None:
    config = uvicorn_config(build_app(kind, token), HOST, 0, loop="uvloop", http="httptools", workers=1)
    server = uvicorn.Server(config)

    async def main() -> None:
        task = asyncio.ensure_future(server.serve())
        while not server.started:
            if task.done():
                await task
                raise SystemExit("uvicorn stopped before it started")
            await asyncio.sleep(0.01)
        print(bound_address(server).port, flush=True)
        await task

    try:
        with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:
            runner.run(main())
    except KeyboardInterrupt:  # SIGINT from the benchmark: uvicorn has shut down gracefully
        pass


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("bare", "sandbox"))
    parser.add_argument("--token", default="bench-token")
    parser.add_argument("--cprofile", metavar="FILE", help="write cProfile stats of the server to FILE")
    args = parser.parse_args(argv)
    if not args.cprofile:
        serve(args.kind, args.token)
        return
    import cProfile

    profile = cProfile.Profile()
    profile.enable()
    try:
        serve(args.kind, args.token)
    finally:
        profile.disable()
        profile.dump_stats(args.cprofile)


if __name__ == "__main__":
    sys.exit(main())
