#!/usr/bin/env python
"""Scan-to-authenticated latency of the poller, and what it costs in requests.

For each of ``--sessions`` (200) QR logins against the sandbox, a poller (``FlowDriver`` with the
policy under test) runs Initiate and then Confirm-Login polls, while a second client - the phone -
sends Scan at a random moment 0..``--max-scan-delay`` (2) s after Initiate answered, so the phase of
the poll interval at the moment of the scan varies as it does in real life. Measured per session:

* latency: from just before the phone sends Scan to the poller's ``authenticated`` transition
  (the sandbox hands out the token on the first Confirm-Login after the scan, so this is the wait
  for the next poll plus one round trip);
* requests: what the poller sent (Initiate + Confirm-Login polls; the phone's Scan not counted).

Sessions run ``--concurrency`` (20) at a time. Two policies, in the same run and with the same
scan delays (paired):

* ``PollPolicy()``, the default (starts at min_interval, grows by ``growth`` per "not yet" up to
  idle_interval);
* a naive fixed 1 s poller, ``PollPolicy(min_interval=1, idle_interval=1)`` (the baseline).

The sandbox runs as its own process (``python -m qrlogin_desktop sandbox --port 0``) on 127.0.0.1,
so server and poller do not share a GIL; ``--in-process`` serves it from a SandboxThread instead.
No asserts, always exits 0; about 30-40 s with the defaults.

    python benchmarks/flow_latency.py [--sessions 200] [--concurrency 20] [--seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import _polling as polling

from qrlogin_desktop.api.client import QrLoginClient
from qrlogin_desktop.flow.driver import FlowDriver
from qrlogin_desktop.flow.machine import State, Transition
from qrlogin_desktop.flow.policy import PollPolicy


@dataclass
class Session:
    delay: float  # s after Initiate's answer when the phone scans
    latency: float | None = None  # s, Scan sent -> authenticated
    requests: int = 0
    polls_after_scan: int = 0
    state: str = "not run"
    error: str = ""


# ------------------------------------------------------------------------------- one session


async def one_session(session: Session, policy: PollPolicy, poller: QrLoginClient, phone: QrLoginClient,
                      clock: Callable[[], float] = time.monotonic) -> None:
    driver = FlowDriver(poller, policy=policy, clock=clock)
    marks: dict[str, float] = {}
    requests_at_scan = 0

    def on_transition(t: Transition) -> None:
        if t.target is State.AUTHENTICATED:
            marks["authenticated"] = clock()

    driver.add_listener(on_transition)
    try:
        key = await driver.start()
        initiated = clock()
        poll = asyncio.create_task(driver.poll_until_done())
        await asyncio.sleep(max(0.0, initiated + session.delay - clock()))
        requests_at_scan = driver.requests
        marks["scan"] = clock()
        await phone.scan(key)
        result = await poll
    except Exception as exc:  # a benchmark reports failures, it does not stop on them
        await driver.cancel()
        session.state, session.error = "error", f"{type(exc).__name__}: {exc}"
        session.requests = driver.requests
        return
    session.state = result.state.value
    session.requests = driver.requests
    session.polls_after_scan = driver.requests - requests_at_scan
    if result.state is State.AUTHENTICATED and "scan" in marks and "authenticated" in marks:
        session.latency = marks["authenticated"] - marks["scan"]
    elif result.error is not None:
        session.error = str(result.error)


async def run_policy(url: str, token: str, policy: PollPolicy, delays: list[float], concurrency: int) -> tuple[
        list[Session], float]:
    sessions = [Session(d) for d in delays]
    async with (QrLoginClient(url, polling.APP_KEY, token, timeout=10) as poller,
                QrLoginClient(url, polling.APP_KEY, token, timeout=10) as phone):  # the second client: the phone
        elapsed = await polling.run_sessions(sessions, lambda s: one_session(s, policy, poller, phone), concurrency)
    for s in sessions:
        if s.state == "not run":
            s.state = "unfinished"
    return sessions, elapsed


# ----------------------------------------------------------------------------------- report


def summarise(name: str, policy: PollPolicy, sessions: list[Session], elapsed: float) -> dict[str, float]:
    ok = [s for s in sessions if s.latency is not None]
    bad = [s for s in sessions if s.latency is None]
    polling.print_heading(name, policy, len(ok), len(sessions), elapsed)
    row: dict[str, float] = {}
    if ok:
        lat = [s.latency * 1000 for s in ok]  # type: ignore[operator]
        req = [s.requests for s in ok]
        after = [s.polls_after_scan for s in ok]
        row = {**polling.latency_figures(lat),
               "mean": statistics.fmean(lat), "req_mean": statistics.fmean(req), "req_max": max(req),
               "after_mean": statistics.fmean(after)}
        print(f"  scan -> authenticated: p50 {row['p50']:.0f} ms, p95 {row['p95']:.0f} ms, "
              f"max {row['max']:.0f} ms (mean {row['mean']:.0f} ms)")
        print(f"  requests per session (Initiate + polls): mean {row['req_mean']:.2f}, max {row['req_max']:.0f}"
              f"  (polls sent after the Scan: mean {row['after_mean']:.2f})")
    for s in bad[:5]:
        print(f"  failed: state {s.state} {s.error}")
    if len(bad) > 5:
        print(f"  ... and {len(bad) - 5} more failures")
    return row


async def main_async(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    delays = [rng.uniform(0.0, args.max_scan_delay) for _ in range(args.sessions)]
    await polling.compare_on_sandbox(
        args, "SandboxThread in this process" if args.in_process else "separate process",
        f"phone scans U(0, {args.max_scan_delay:g}) s after Initiate (seed {args.seed}, same delays for both policies)",
        lambda url, token, policy: run_policy(url, token, policy, delays, args.concurrency), summarise,
        "requests/session mean  max", lambda row: f"{row['req_mean']:21.2f}  {row['req_max']:3.0f}",
        in_process=args.in_process)


def main(argv: list[str] | None = None) -> int:
    parser = polling.session_arguments(__doc__)
    parser.add_argument("--in-process", action="store_true", help="serve the sandbox from a thread of this process")
    args = parser.parse_args(argv)
    asyncio.run(main_async(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
