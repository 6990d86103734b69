#!/usr/bin/env python
"""What hostile answers cost the API client: peak RSS and time for a 200 MB body and a gzip bomb
(1 GiB inflated from ~1 MB), and how long a dripping server holds a ``timeout=3`` call.

Each call runs in a fresh process (tests/hostile_server.py, the runner of the hostile-server
tests) whose peak RSS is reset just before the call, under an address-space cap (``--as-limit-mb``,
default 3072) so that measuring an old checkout cannot make the machine swap: a MemoryError there
means "more than the cap". The server is the tests' scripted 127.0.0.1 server; a drip sends one
byte every 0.25 s and gives up after ``--drip-for`` seconds, so on a client without an overall
deadline the figure is "held until the server stopped".

    python benchmarks/hostile_answers.py                          # this checkout
    python benchmarks/hostile_answers.py --code /tmp/old-checkout # the same figures for another one

Last, the cost of the process-wide log masking (api/logmask.py, this checkout): one httpx-style
INFO record formatted by a handler, without and with the masking factory installed.

Prints one line per case; no asserts, always exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import hostile_server  # noqa: E402
from hostile_server import ANSWERS, HostileServer, bomb_answer, gzip_bomb  # noqa: E402

TOKEN = "bench-credential-0123456789"
CALL = {"endpoint": "Decrypt", "query": {"encryptedData": "ZW5j", "iv": "aXY=", "sessionKey": "c2Vzc2lvbi1rZXk="}}


async def run(code: Path, answer, timeout: float, as_limit_mb: int, wall: float) -> dict:
    env = {**os.environ, "PYTHONPATH": str(code), "HOSTILE_AS_LIMIT_MB": str(as_limit_mb)}
    async with HostileServer(answer) as server:
        case = {"url": server.url, "token": TOKEN, "timeout": timeout, **CALL}
        t0 = time.perf_counter()
        child = await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "tests" / "hostile_server.py"), stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env)
        try:
            out, err = await asyncio.wait_for(child.communicate(json.dumps(case).encode()), wall)
        except TimeoutError:
            child.kill()
            await child.wait()
            return {"error": f"still running, killed at {time.perf_counter() - t0:.0f} s"}
    if child.returncode != 0:
        return {"error": f"child exited {child.returncode}: {err.decode(errors='replace').strip().splitlines()[-1:]}"}
    return json.loads(out)


def log_masking_cost(n: int = 20_000) -> str:
    import logging
    import timeit

    sys.path.insert(0, str(ROOT))
    from qrlogin_desktop.api import logmask
    from qrlogin_desktop.api.redact import Redactor

    class Format(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            self.format(record)

    log = logging.getLogger("bench.httpx")
    log.addHandler(Format())
    log.setLevel(logging.INFO)
    log.propagate = False
    url = "http://127.0.0.1:8080/Wechat/demo/MiniProgram/Decrypt?encryptedData=ZW5j&iv=aXY%3D&sessionKey=U2s%2B%2F%3D"

    def record() -> None:
        log.info('HTTP Request: %s %s "%s %d %s"', "GET", url, "HTTP/1.1", 200, "OK")

    plain = min(timeit.repeat(record, number=n, repeat=5)) / n * 1e6
    logmask.install()
    Redactor([f"known-secret-{i:02d}-0123456789" for i in range(20)])
    masked = min(timeit.repeat(record, number=n, repeat=5)) / n * 1e6
    return f"log masking: {plain:.1f} us per formatted record without, {masked:.1f} us with (20 known secrets)"


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout whose qrlogin_desktop is measured")
    parser.add_argument("--as-limit-mb", type=int, default=3072)
    parser.add_argument("--drip-for", type=float, default=60.0, help="seconds a drip server keeps dripping")
    args = parser.parse_args()
    hostile_server.DRIP_FOR = args.drip_for
    t0 = time.perf_counter()
    bomb = gzip_bomb()
    print(f"code: {args.code}   gzip bomb: {len(bomb)} bytes -> 1 GiB (built in {time.perf_counter() - t0:.1f} s)")
    cases = [("200 MB body (Content-Length)", ANSWERS["big_body"], 10.0),
             ("200 MB body (chunked)", ANSWERS["big_chunked"], 10.0),
             ("gzip bomb, 1 GiB inflated", bomb_answer(bomb), 10.0),
             ("drip headers, timeout=3", ANSWERS["drip_headers"], 3.0),
             ("drip body, timeout=3", ANSWERS["drip_body"], 3.0)]
    for name, answer, timeout in cases:
        r = await run(args.code, answer, timeout, args.as_limit_mb, wall=args.drip_for + 30)
        if "elapsed" in r:
            print(f"{name:30} {r['elapsed']:7.2f} s   peak RSS {r['peak_rss_mb']:7.1f} MB "
                  f"(+{r['rss_growth_mb']:.1f} MB during the call)   -> {r['error']}: {(r.get('message') or '')[:90]}")
        else:
            print(f"{name:30} {r['error']}")
    if args.code == ROOT:
        print(log_masking_cost())


if __name__ == "__main__":
    asyncio.run(main())
