"""Soak: many QR logins, 32 at a time, against the sandbox over a real loopback socket with mixed faults.

Per mode (simulate: the desktop plays the phone; poll: a phone scans and the desktop polls) this
runs ``QRLOGIN_SOAK_SESSIONS`` logins (300 by default, a few seconds) with
``QRLOGIN_SOAK_FAULT_RATE`` (0.05) of all API requests answered with an injected fault, split
evenly between the sandbox's 500s, 429s, malformed answers and dropped connections. It checks that
every session ends exactly once and within a bound, that no token goes out twice and every token
the server issued reached the session it belongs to, and that at least 99.9% authenticate. The
figures are printed (``pytest -s``)::

    QRLOGIN_SOAK_SESSIONS=10000 scripts/test.sh -s -m soak tests/test_soak.py

The poll mode's phone scans in-process (``SessionStore.scan``) at a random moment: the desktop's
requests are the ones under test, and all of them go over the socket through the faults.
"""

from __future__ import annotations

import asyncio
import collections
import os
import random
import ssl
import time
from dataclasses import dataclass, field

import pytest
from support import APP_KEY, TEST_TOKEN

from qrlogin_desktop.api.client import QrLoginClient
from qrlogin_desktop.api.exchange import Exchange
from qrlogin_desktop.flow.driver import FlowDriver, FlowResult
from qrlogin_desktop.flow.machine import TERMINAL_STATES, Event, State, Transition
from qrlogin_desktop.flow.policy import PollPolicy
from qrlogin_desktop.sandbox import Sandbox, SandboxConfig, SandboxThread
from qrlogin_desktop.sandbox.faults import Faults
from qrlogin_desktop.sandbox.sessions import SessionState

SESSIONS = int(os.environ.get("QRLOGIN_SOAK_SESSIONS", "300"))
FAULT_RATE = float(os.environ.get("QRLOGIN_SOAK_FAULT_RATE", "0.05"))
SEED = int(os.environ.get("QRLOGIN_SOAK_SEED", "20261201"))
CONCURRENCY = 32
SESSION_TTL = 30.0  # the driver's and the sandbox's: far above a soak session's real length
SESSION_BOUND = SESSION_TTL + 5.0  # a session still running after this counts as hung
SESSIONS_PER_CLIENT = 25  # a client remembers every token it saw (to redact it): keep that small
SUCCESS_TARGET = 0.999

pytestmark = [pytest.mark.soak, pytest.mark.proof, pytest.mark.loopback, pytest.mark.timeout(120 + SESSIONS * 0.1)]


def soak_policy(rng: random.Random) -> PollPolicy:
    # Fast pacing so thousands of sessions take minutes; the retry rules are the defaults.
    return PollPolicy(min_interval=0.005, idle_interval=0.02, backoff_base=0.01, backoff_cap=0.1,
                      session_ttl=SESSION_TTL, rng=rng)


@dataclass
class Tally:
    results: list[FlowResult] = field(default_factory=list)
    hung: int = 0
    ends: collections.Counter = field(default_factory=collections.Counter)  # terminal transitions per session
    received: list[str] = field(default_factory=list)
    undelivered: int = 0  # authenticated, but the server's session is not "delivered"
    answers: collections.Counter = field(default_factory=collections.Counter)


def kind_of(exchange: Exchange) -> str:
    """What one exchange was, as the client saw it (to report the fault rates really injected)."""
    if exchange.error is None:
        return "ok"
    if exchange.status is None or "connection was dropped" in exchange.error:
        return "no answer"  # nothing came, or the connection was cut after the status line
    if exchange.status in (500, 429):
        return str(exchange.status)
    if "unexpected answer" in exchange.error:
        return "malformed"
    return "envelope code"  # 408 / 202 and friends: answers, not faults


async def one_session(n: int, mode: str, client: QrLoginClient, sandbox: Sandbox, rng: random.Random,
                      tally: Tally) -> None:
    driver = FlowDriver(client, policy=soak_policy(random.Random(rng.random())))
    loop = asyncio.get_running_loop()

    def on_transition(t: Transition) -> None:
        if t.target in TERMINAL_STATES:
            tally.ends[n] += 1
        if mode == "poll" and t.event is Event.INITIATED:
            loop.call_later(rng.uniform(0, 0.1), sandbox.sessions.scan, t.detail["signInKey"])

    driver.add_listener(on_transition)
    run = driver.run_simulated() if mode == "simulate" else driver.run_poll()
    try:
        result = await asyncio.wait_for(run, SESSION_BOUND)
    except TimeoutError:
        tally.hung += 1
        return
    tally.results.append(result)
    if result.ok:
        assert result.token is not None
        tally.received.append(result.token.access_token)
        session = sandbox.sessions.get(result.sign_in_key)
        if session is None or session.state is not SessionState.DELIVERED:
            tally.undelivered += 1


async def soak(mode: str, url: str, sandbox: Sandbox, tally: Tally) -> None:
    rng = random.Random(SEED)
    numbers = iter(range(SESSIONS))
    tls = ssl.create_default_context()  # one context for all clients (building one costs milliseconds)

    async def worker() -> None:
        done = False
        while not done:
            async with QrLoginClient(url, APP_KEY, TEST_TOKEN, timeout=5.0, verify=tls) as client:
                client.add_listener(lambda ex: tally.answers.update([kind_of(ex)]))
                for _ in range(SESSIONS_PER_CLIENT):
                    n = next(numbers, None)
                    if n is None:
                        done = True
                        break
                    await one_session(n, mode, client, sandbox, rng, tally)

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))


@pytest.mark.parametrize("mode", ["simulate", "poll"])
async def test_soak_with_mixed_faults(mode):
    share = FAULT_RATE / 4
    faults = Faults(error_rate=share, rate_limit_rate=share, malformed_rate=share, drop_rate=share,
                    retry_after=0.05, rng=random.Random(SEED))
    sandbox = Sandbox(SandboxConfig(app_key=APP_KEY, token=TEST_TOKEN, session_ttl=SESSION_TTL, faults=faults))
    issued: list[str] = []
    issue = sandbox.issuer.issue

    def counting_issue(*args, **kwargs):
        token = issue(*args, **kwargs)
        issued.append(token["access_token"])
        return token

    sandbox.issuer.issue = counting_issue  # every token the server hands out, from its own thread
    tally = Tally()
    t0 = time.perf_counter()
    with SandboxThread(sandbox) as running:
        await soak(mode, running.url, sandbox, tally)
    took = time.perf_counter() - t0

    states = collections.Counter(r.state for r in tally.results)
    authenticated = states[State.AUTHENTICATED]
    requests = sum(tally.answers.values())
    faults_seen = {k: v for k, v in tally.answers.items() if k not in ("ok", "envelope code")}
    failures = collections.Counter(type(r.error).__name__ + (f" {r.error.code}" if hasattr(r.error, "code") else "")
                                   for r in tally.results if not r.ok)
    print(f"\nsoak {mode}: {authenticated}/{SESSIONS} authenticated ({authenticated / SESSIONS:.4%}), "
          f"{tally.hung} hung, states {dict((s.value, c) for s, c in states.items())}; failures {dict(failures)}; "
          f"{requests} requests, injected faults seen {sum(faults_seen.values()) / max(1, requests):.2%} "
          f"{dict(faults_seen)}; {took:.1f} s, {CONCURRENCY} concurrent, seed {SEED}")

    assert tally.hung == 0
    assert len(tally.results) == SESSIONS
    assert all(r.state in TERMINAL_STATES for r in tally.results)
    assert sorted(tally.ends) == list(range(SESSIONS)) and set(tally.ends.values()) == {1}  # each ended once
    assert len(set(tally.received)) == len(tally.received)  # no token went out twice
    assert sorted(tally.received) == sorted(issued)  # every issued token reached its session, once
    assert tally.undelivered == 0
    assert faults_seen, "no fault was injected: the soak tested nothing"
    if requests >= 500:  # ~6 of each kind expected at 1.25%: a kind never seen was never injected
        assert set(faults_seen) >= {"500", "429", "malformed", "no answer"}, faults_seen
    assert authenticated / SESSIONS >= SUCCESS_TARGET
