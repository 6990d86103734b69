"""Wall time of ``qrlogin-desktop check`` against the sandbox, expiry off, as an operator runs it.

Starts ``python -m qrlogin_desktop sandbox --port 0`` as its own process on 127.0.0.1, then runs
``python -m qrlogin_desktop check --server URL --app-key demo`` (credential in $QRLOGIN_TOKEN, the
sandbox's jsapi_ticket given so every check runs) ``--runs`` times and prints each wall time and the
median. Baseline in the same run: the same command against a port where nothing listens (it exits 2
after starting Python, importing the command and failing to connect), i.e. the fixed cost of the
command before any check. Bounded: every subprocess has a deadline; exits 0 (it reports, it does not assert).

    python benchmarks/check_walltime.py            # 5 runs
    python benchmarks/check_walltime.py --runs 9
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import time

from qrlogin_desktop.sandbox.wechat import DEFAULT_JSAPI_TICKET

RUN_DEADLINE = 180.0  # s for one check run
LISTENING = re.compile(r"Sandbox listening on (http://127\.0\.0\.1:\d+)")


def start_sandbox(token: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, "-m", "qrlogin_desktop", "sandbox", "--port", "0", "--token", token],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 30
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if match := LISTENING.search(line):
            return proc, match.group(1)
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise SystemExit("the sandbox did not start within 30 s")


def timed_check(url: str, token: str) -> tuple[float, int, str]:
    env = dict(os.environ, QRLOGIN_TOKEN=token)
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "qrlogin_desktop", "check", "--server", url, "--app-key", "demo",
                           "--jsapi-ticket", DEFAULT_JSAPI_TICKET], capture_output=True, text=True, env=env,
                          timeout=RUN_DEADLINE)
    took = time.perf_counter() - t0
    summary = (done.stdout.strip().splitlines() or [done.stderr.strip()])[-1]
    return took, done.returncode, summary


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="check runs (default 5)")
    args = parser.parse_args()
    token = "bench-" + secrets.token_urlsafe(16)
    proc, url = start_sandbox(token)
    try:
        times = []
        for n in range(1, args.runs + 1):
            took, code, summary = timed_check(url, token)
            times.append(took)
            print(f"run {n}: {took:.2f} s, exit {code}: {summary}", flush=True)
        baseline = [timed_check(closed_port_url(), token)[0] for _ in range(3)]
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    print(f"\ncheck against the sandbox, expiry off: median {statistics.median(times):.2f} s "
          f"(min {min(times):.2f}, max {max(times):.2f}, {len(times)} runs)")
    print(f"baseline, the same command against a closed port (start-up and imports): "
          f"median {statistics.median(baseline):.2f} s")


if __name__ == "__main__":
    main()
