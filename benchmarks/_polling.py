"""What the two poller benchmarks share (``flow_latency.py``, ``consent_latency.py``).

The sandbox they poll (its own process, or a thread of this one), the two policies they compare,
running the sessions a bounded number at a time within a hard time limit, and the report's figures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import secrets
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from qrlogin_desktop.flow.policy import PollPolicy

APP_KEY = "demo"
LINE = re.compile(r"Sandbox listening on (http://127\.0\.0\.1:\d+) ")
RUN_LIMIT = 50.0  # s per policy: a hard bound so the benchmark always ends
# (summary label, title, policy): the default, and a naive fixed 1 s poller as the baseline.
POLICIES = (
    ("default PollPolicy", "default PollPolicy()", PollPolicy()),
    ("fixed 1 s baseline", "baseline: naive fixed 1 s poller, PollPolicy(min_interval=1, idle_interval=1)",
     PollPolicy(min_interval=1, idle_interval=1)),
)

S = TypeVar("S")


class SandboxProcess:
    def __init__(self, token: str, extra_args: tuple[str, ...] = ()):
        self.token = token
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "qrlogin_desktop", "sandbox", "--host", "127.0.0.1", "--port", "0",
             "--token", token, *extra_args],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True,
        )
        assert self.proc.stdout is not None
        line = ""
        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            if sel.select(timeout=30):
                line = self.proc.stdout.readline()
        match = LINE.search(line)
        if match is None:
            self.proc.kill()
            raise SystemExit(f"the sandbox did not start: {line!r}")
        self.url = match[1]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


class SandboxInProcess:
    def __init__(self, token: str):
        from qrlogin_desktop.sandbox import Sandbox, SandboxConfig, SandboxThread

        self.token = token
        self.running = SandboxThread(Sandbox(SandboxConfig(app_key=APP_KEY, token=token))).start()
        self.url = self.running.url

    def stop(self) -> None:
        self.running.stop()


async def run_sessions(sessions: Sequence[S], one: Callable[[S], Awaitable[None]], concurrency: int) -> float:
    """``one(session)`` for every session, ``concurrency`` at a time; whatever still runs after
    RUN_LIMIT is cancelled. Returns the wall time in s."""
    gate = asyncio.Semaphore(concurrency)

    async def gated(session: S) -> None:
        async with gate:
            await one(session)

    started = time.perf_counter()
    tasks = [asyncio.create_task(gated(s)) for s in sessions]
    _, pending = await asyncio.wait(tasks, timeout=RUN_LIMIT)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    return time.perf_counter() - started


def start_sandbox(token: str, extra_args: tuple[str, ...] = (), *, in_process: bool = False,
                  ) -> SandboxProcess | SandboxInProcess:
    return SandboxInProcess(token) if in_process else SandboxProcess(token, extra_args)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def latency_figures(latencies_ms: list[float]) -> dict[str, float]:
    return {"p50": percentile(latencies_ms, 50), "p95": percentile(latencies_ms, 95), "max": max(latencies_ms)}


def describe_policy(policy: PollPolicy) -> str:
    return (f"min_interval={policy.min_interval:g} s, idle_interval={policy.idle_interval:g} s, "
            f"growth={policy.growth:g}")


def print_heading(title: str, policy: PollPolicy, authenticated: int, sessions: int, elapsed: float) -> None:
    print(f"\n{title}\n  policy: {describe_policy(policy)}")
    print(f"  {authenticated}/{sessions} sessions authenticated in {elapsed:.1f} s wall")


async def compare_policies(server: SandboxProcess | SandboxInProcess,
                           run: Callable[[PollPolicy], Awaitable[tuple[list[S], float]]],
                           summarise: Callable[[str, PollPolicy, list[S], float], dict[str, float]],
                           columns: str, cells: Callable[[dict[str, float]], str]) -> None:
    """Each of POLICIES in turn, ``run`` against the one server (stopped at the end, whatever happens)
    and summarised; then the closing table (:func:`print_summary`)."""
    rows = []
    try:
        for label, title, policy in POLICIES:
            sessions, elapsed = await run(policy)
            rows.append((label, summarise(title, policy, sessions, elapsed)))
    finally:
        server.stop()
    print_summary(rows, columns, cells)


async def compare_on_sandbox(args: argparse.Namespace, where: str, plan: str,
                             run: Callable[[str, str, PollPolicy], Awaitable[tuple[list[S], float]]],
                             summarise: Callable[[str, PollPolicy, list[S], float], dict[str, float]],
                             columns: str, cells: Callable[[dict[str, float]], str], *,
                             extra_args: tuple[str, ...] = (), in_process: bool = False) -> None:
    """A sandbox with a fresh token (``where`` says how it runs, ``plan`` when the phone acts), then
    :func:`compare_policies` with ``run(url, token, policy)``."""
    token = "bench_" + secrets.token_urlsafe(24)
    server = start_sandbox(token, extra_args, in_process=in_process)
    print(f"sandbox {server.url} ({where}); python {platform.python_version()}, {os.cpu_count()} CPUs")
    print(f"{args.sessions} sessions per policy, {args.concurrency} at a time; {plan}")
    await compare_policies(server, lambda policy: run(server.url, token, policy), summarise, columns, cells)


def print_summary(rows: list[tuple[str, dict[str, float]]], columns: str, cells: Callable[[dict[str, float]], str]) -> None:
    """The closing table: latency figures of each policy, then this benchmark's own ``columns``."""
    print("\nsummary             p50 ms  p95 ms  max ms  " + columns)
    for label, row in rows:
        if row:
            print(f"{label:<18}  {row['p50']:6.0f}  {row['p95']:6.0f}  {row['max']:6.0f}  " + cells(row))


def session_arguments(doc: str) -> argparse.ArgumentParser:
    """The options both benchmarks take; each adds its own."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=200, help="QR logins per policy (200)")
    parser.add_argument("--concurrency", type=int, default=20, help="sessions at a time (20)")
    parser.add_argument("--max-scan-delay", type=float, default=2.0, help="scan at U(0, this) s after Initiate (2)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the delays (1)")
    return parser
