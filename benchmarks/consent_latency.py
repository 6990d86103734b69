#!/usr/bin/env python
"""Explicit consent: how soon the desktop learns the phone's Confirm, and what its polling costs.

The sandbox runs with ``--explicit-consent`` (its own process, 127.0.0.1), so after a scan its
Confirm-Login answers 202 until the phone decides. For each of ``--sessions`` (200) QR logins a poller
(``FlowDriver.poll_until_done`` with the policy under test) polls from Initiate on, while the phone -
plain HTTP calls to the phone page's helper routes, as the page's script makes them, no browser -
scans U(0, ``--max-scan-delay`` = 2) s after Initiate and confirms U(1, 4) s after its scan.
Measured per session:

* latency: from just before the phone sends its Confirm to the poller's ``authenticated`` transition
  (the wait for the next poll plus one round trip);
* poll rate: the poller's requests (Initiate + polls) divided by its time from Initiate to authenticated.

Two policies in the same run, with the same (paired) scan and confirm delays: ``PollPolicy()`` (the
default: after a 202 it polls at min_interval until the decision) and a naive fixed 1 s poller. The
sandbox holds each poll up to ``--consent-hold`` s while the phone decides (sandbox/consent.py); 0 shows
what plain polling costs.
No asserts, always exits 0; about 20-30 s with the defaults.

    python benchmarks/consent_latency.py [--sessions 200] [--concurrency 20] [--seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from dataclasses import dataclass

import _polling as polling
import httpx

from qrlogin_desktop.api.client import QrLoginClient
from qrlogin_desktop.flow.driver import FlowDriver
from qrlogin_desktop.flow.machine import State, Transition
from qrlogin_desktop.flow.policy import PollPolicy
from qrlogin_desktop.sandbox.consent import DEFAULT_CONSENT_HOLD


@dataclass
class Session:
    scan_delay: float  # s after Initiate's answer
    confirm_delay: float  # s after the scan
    latency: float | None = None  # s, phone's Confirm sent -> authenticated
    rate: float | None = None  # poller requests per second, Initiate to authenticated
    requests: int = 0
    error: str = ""


async def one_session(session: Session, policy: PollPolicy, poller: QrLoginClient, phone: httpx.AsyncClient) -> None:
    clock = time.monotonic
    driver = FlowDriver(poller, policy=policy, clock=clock)
    marks: dict[str, float] = {}

    def on_transition(t: Transition) -> None:
        if t.target is State.AUTHENTICATED:
            marks["authenticated"] = clock()

    driver.add_listener(on_transition)
    try:
        started = clock()
        key = await driver.start()
        initiated = clock()
        poll = asyncio.create_task(driver.poll_until_done())
        body = {"appKey": polling.APP_KEY, "signInKey": str(key)}
        await asyncio.sleep(max(0.0, initiated + session.scan_delay - clock()))
        scanned = clock()
        (await phone.post("/phone/scan", json=body)).raise_for_status()
        await asyncio.sleep(max(0.0, scanned + session.confirm_delay - clock()))
        marks["confirm"] = clock()
        (await phone.post("/phone/confirm", json=body)).raise_for_status()
        result = await poll
    except Exception as exc:  # a benchmark reports failures, it does not stop on them
        await driver.cancel()
        session.error = f"{type(exc).__name__}: {exc}"
        return
    session.requests = driver.requests
    if result.state is State.AUTHENTICATED and "authenticated" in marks:
        session.latency = marks["authenticated"] - marks["confirm"]
        session.rate = driver.requests / (marks["authenticated"] - started)
    else:
        session.error = f"{result.state.value}: {result.error}"


async def run_policy(url: str, token: str, policy: PollPolicy, delays: list[tuple[float, float]],
                     concurrency: int) -> tuple[list[Session], float]:
    sessions = [Session(scan, confirm) for scan, confirm in delays]
    async with (QrLoginClient(url, polling.APP_KEY, token, timeout=10) as poller,
                httpx.AsyncClient(base_url=url, timeout=10) as phone):  # the page's calls carry no bearer
        elapsed = await polling.run_sessions(sessions, lambda s: one_session(s, policy, poller, phone), concurrency)
    return sessions, elapsed


def summarise(title: str, policy: PollPolicy, sessions: list[Session], elapsed: float) -> dict[str, float]:
    ok = [s for s in sessions if s.latency is not None]
    polling.print_heading(title, policy, len(ok), len(sessions), elapsed)
    for s in [s for s in sessions if s.latency is None][:5]:
        print(f"  failed: {s.error or 'unfinished'}")
    if not ok:
        return {}
    lat = [s.latency * 1000 for s in ok]  # type: ignore[operator]
    rates = [s.rate for s in ok]
    row = {**polling.latency_figures(lat),
           "rate": statistics.fmean(rates), "rate_max": max(rates),  # type: ignore[type-var]
           "req": statistics.fmean(s.requests for s in ok)}
    print(f"  phone's Confirm -> authenticated: p50 {row['p50']:.0f} ms, p95 {row['p95']:.0f} ms, max {row['max']:.0f} ms")
    print(f"  poll rate per session: mean {row['rate']:.2f} req/s (max {row['rate_max']:.2f}); "
          f"requests per session: mean {row['req']:.1f}")
    return row


async def main_async(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    delays = [(rng.uniform(0.0, args.max_scan_delay), rng.uniform(1.0, 4.0)) for _ in range(args.sessions)]
    await polling.compare_on_sandbox(
        args, f"separate process, --explicit-consent --consent-hold {args.consent_hold:g}",
        f"scan U(0, {args.max_scan_delay:g}) s after Initiate, Confirm U(1, 4) s after the scan (seed {args.seed}, paired)",
        lambda url, token, policy: run_policy(url, token, policy, delays, args.concurrency), summarise,
        "req/s mean", lambda row: f"{row['rate']:10.2f}",
        extra_args=("--explicit-consent", "--consent-hold", str(args.consent_hold)))


def main(argv: list[str] | None = None) -> int:
    parser = polling.session_arguments(__doc__)
    parser.add_argument("--consent-hold", type=float, default=DEFAULT_CONSENT_HOLD,
                        help=f"the sandbox's --consent-hold, s (default {DEFAULT_CONSENT_HOLD:g}; 0: no hold)")
    asyncio.run(main_async(parser.parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
