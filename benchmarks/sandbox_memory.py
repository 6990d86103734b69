#!/usr/bin/env python
"""Resident memory of the shipped sandbox after N QR-Auth/Initiate calls (the session store's growth).

Starts ``python -m qrlogin_desktop sandbox --port 0`` (from ``--checkout``, default this one, so an
older checkout can be measured the same way), reads its VmRSS from /proc, sends ``--count``
Initiates over ``--connections`` keep-alive loopback connections, and reads VmRSS again. Answers
are tallied by HTTP status: past the session cap they are 503s, which is the cap holding.

    python benchmarks/sandbox_memory.py --count 200000 [--checkout /path/to/old/checkout] [-- FLAGS...]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

HOST = "127.0.0.1"  # loopback only
LISTENING = re.compile(r"^Sandbox listening on http://127\.0\.0\.1:(\d+) \(appKey=([^,]+), token=([^)]+)\)")


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def initiate_many(port: int, app_key: str, token: str, count: int, connections: int,
                        deadline: float) -> Counter:
    request = (f"POST /Wechat/{app_key}/QR-Auth/Initiate HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
               f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{{}}").encode()
    statuses: Counter = Counter()
    left = [count]

    async def one_connection() -> None:
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            while left[0] > 0 and time.monotonic() < deadline:
                left[0] -= 1
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                statuses[int(head[9:12])] += 1
                length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
                await reader.readexactly(length)
        finally:
            writer.close()

    await asyncio.gather(*(one_connection() for _ in range(connections)))
    return statuses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200_000, help="Initiates to send (default 200,000)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--checkout", type=Path, default=Path(__file__).resolve().parents[1],
                        help="the qrlogin-desktop checkout to run (default: this one)")
    parser.add_argument("--timeout", type=float, default=300.0, help="give up after this many seconds (300)")
    parser.add_argument("flags", nargs="*", help="extra `sandbox` flags, after --")
    args = parser.parse_args(argv)
    env = dict(os.environ, PYTHONPATH=str(args.checkout), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "qrlogin_desktop", "sandbox", "--port", "0", *args.flags],
                            stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, env=env, cwd=args.checkout)
    try:
        assert proc.stdout is not None
        match = LISTENING.match(proc.stdout.readline())
        if not match:
            raise SystemExit("the sandbox did not start")
        port, app_key, token = int(match.group(1)), match.group(2), match.group(3)
        time.sleep(0.5)
        before = rss_mb(proc.pid)
        t0 = time.monotonic()
        statuses = asyncio.run(initiate_many(port, app_key, token, min(max(args.count, 1), 10_000_000),
                                             min(max(args.connections, 1), 256), t0 + args.timeout))
        took = time.monotonic() - t0
        after = rss_mb(proc.pid)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    print(f"checkout {args.checkout}  flags {args.flags or '(defaults)'}")
    print(f"{sum(statuses.values()):,} Initiates in {took:.1f} s; answers by HTTP status: {dict(statuses)}")
    print(f"sandbox RSS: {before:.1f} MB before, {after:.1f} MB after (+{after - before:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
