"""What the two poller benchmarks share (``flow_latency.py``, ``consent_latency.py``).

The sandbox they poll (its own process, or a thread of this one), the two policies they compare,
running the sessions a bounded number at a time within a hard time limit, and the report's figures.
"""

from __future__ import annotations

import asyncio
import re
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


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def describe_policy(policy: PollPolicy) -> str:
    return (f"min_interval={policy.min_interval:g} s, idle_interval={policy.idle_interval:g} s, "
            f"growth={policy.growth:g}")


async def compare_policies(server: SandboxProcess | SandboxInProcess,
                           run: Callable[[PollPolicy], Awaitable[tuple[list[S], float]]],
                           summarise: Callable[[str, PollPolicy, list[S], float], dict[str, float]],
                           ) -> list[tuple[str, dict[str, float]]]:
    """Each of POLICIES in turn, ``run`` against the one server (stopped at the end, whatever happens):
    the summary row of each, by its label."""
    rows = []
    try:
        for label, title, policy in POLICIES:
            sessions, elapsed = await run(policy)
            rows.append((label, summarise(title, policy, sessions, elapsed)))
    finally:
        server.stop()
    return rows
