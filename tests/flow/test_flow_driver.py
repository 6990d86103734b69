"""FlowDriver against the embedded sandbox: simulate and poll modes, registration, expiry and refresh,
rate limits, server faults, a server that goes away, cancel in every state, and the code table.

Almost everything runs in-process over ``httpx.ASGITransport`` wrapped in :class:`CountingTransport`
(which counts what really reached the transport and can hold chosen requests "in flight"); only the
"server goes away and comes back" tests need a real socket. Timing is made fast with tiny poll
intervals, fake sleeps and injectable clocks - nothing waits for a real 120 s session TTL.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import re
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from support import APP_KEY, TEST_TOKEN, FakeClock, asgi_client

from qrlogin_desktop.api.client import Exchange, QrLoginClient
from qrlogin_desktop.api.errors import ApiError, ProtocolError, TransportError, ValidationError, Violation
from qrlogin_desktop.api.models import QRCodePreSignInRequest, QRCodeSignUpRequest
from qrlogin_desktop.flow.driver import (
    AnswerLost,
    FlowCancelled,
    FlowDriver,
    FlowResult,
    RegistrationRejected,
)
from qrlogin_desktop.flow.machine import Event, IllegalTransition, State, Transition
from qrlogin_desktop.flow.policy import DEFAULT_CODES, Action, CodeTable, PollPolicy
from qrlogin_desktop.sandbox import Sandbox, SandboxThread
from qrlogin_desktop.sandbox.sessions import SessionState

INITIATE = "Initiate"
SCAN = "Scan"
LOGIN = "Confirm-Login"
REGISTER = "Confirm-Register"

MIN, IDLE, BASE, CAP = 0.01, 0.05, 0.01, 0.05


def fast_policy(**overrides) -> PollPolicy:
    values = dict(min_interval=MIN, idle_interval=IDLE, backoff_base=BASE, backoff_cap=CAP,
                  rng=random.Random(1234))
    values.update(overrides)
    return PollPolicy(**values)


# --- plumbing -----------------------------------------------------------------------------------------------


class CountingTransport(httpx.AsyncBaseTransport):
    """ASGITransport that records every request reaching it and can hold chosen ones before forwarding.

    ``block(name)`` (``name`` is the QR-Auth endpoint, e.g. "Confirm-Login") decides whether a request is
    held until :attr:`release` is set; :attr:`entered` is set once a held request has arrived.
    """

    def __init__(self, app, block: Callable[[str], bool] | None = None):
        self.inner = httpx.ASGITransport(app=app)
        self.seen: list[str] = []
        self.block = block
        self.entered = asyncio.Event()
        self.release = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        name = request.url.path.rsplit("/QR-Auth/", 1)[-1]
        self.seen.append(name)
        if self.block is not None and self.block(name):
            self.entered.set()
            await self.release.wait()
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()

    def count(self, name: str) -> int:
        return self.seen.count(name)


def counted_client(transport: httpx.AsyncBaseTransport, base_url: str = "http://sandbox.test") -> QrLoginClient:
    return QrLoginClient(base_url, APP_KEY, TEST_TOKEN, transport=transport)


@pytest.fixture
def transport(sandbox: Sandbox) -> CountingTransport:
    return CountingTransport(sandbox.app)


@pytest.fixture
async def desk(transport: CountingTransport) -> AsyncIterator[QrLoginClient]:
    """The desktop's client: every request it sends is counted by ``transport``."""
    async with counted_client(transport) as c:
        yield c


@pytest.fixture
async def phone(sandbox: Sandbox) -> AsyncIterator[QrLoginClient]:
    """A second client playing the real phone (not counted)."""
    async with asgi_client(sandbox) as c:
        yield c


async def until(predicate: Callable[[], bool], timeout: float = 5.0, what: str = "condition") -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.002)


class RecordingSleep:
    """Records every delay the driver asks for; optionally really sleeps it, and runs a hook first."""

    def __init__(self, real: bool = False, hook: Callable[[int, float], Awaitable[None]] | None = None):
        self.delays: list[float] = []
        self.real = real
        self.hook = hook

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        if self.hook is not None:
            await self.hook(len(self.delays), delay)
        await asyncio.sleep(delay if self.real else 0)


def states_of(driver: FlowDriver) -> list[State]:
    return [t.target for t in driver.machine.history]


def events_of(driver: FlowDriver) -> list[Event]:
    return [t.event for t in driver.machine.history]


def form(**overrides) -> dict:
    values = {"unionID": "u_desk_0001", "nickName": "Tester", "phone": "13800138000"}
    values.update(overrides)
    return values


# --- 1. simulate: scan then confirm ---------------------------------------------------------------------------


async def test_simulate_scan_confirm_authenticates_with_three_requests(sandbox, transport, desk):
    initiate = QRCodePreSignInRequest(scopes="userinfo,phone", remark="desk remark", scheme="app")
    driver = FlowDriver(desk, policy=fast_policy(), initiate=initiate)
    seen: list[Transition] = []
    driver.add_listener(seen.append)

    result = await driver.run_simulated()

    assert result.state is State.AUTHENTICATED and result.ok
    assert result.error is None and driver.error is None
    assert result.token is not None and result.token is driver.token
    claims = sandbox.issuer.verify(result.token.access_token)
    assert claims is not None
    assert claims["unionid"] == sandbox.users.default_user.union_id
    assert claims["grant_type"] == "qrcode_login"
    assert claims["appid"] == APP_KEY
    info = result.app_info
    assert info is not None
    assert (info.scopes, info.remark, info.scheme) == ("userinfo,phone", "desk remark", "app")
    assert info.name == sandbox.config.app_name

    steps = driver.machine.timeline(0) + driver.machine.timeline(1)
    assert [s.state for s in steps] == [State.IDLE, State.INITIATING, State.WAITING_FOR_SCAN, State.SCANNED,
                                        State.CONFIRMING, State.AUTHENTICATED]
    assert all(s.duration is None or s.duration >= 0 for s in steps)
    assert steps[-1].duration is None
    # listeners got exactly what the machine recorded
    assert seen == list(driver.machine.history)

    assert transport.seen == [INITIATE, SCAN, LOGIN]
    assert result.requests == driver.requests == 3
    assert result.sign_in_key == driver.sign_in_key
    assert sandbox.sessions.get(driver.sign_in_key).state is SessionState.DELIVERED
    assert result.attempts == 1


async def test_simulate_step_by_step_with_separate_phone_credentials(sandbox, transport, desk, phone):
    driver = FlowDriver(desk, phone=phone, policy=fast_policy())
    key = await driver.start()
    assert driver.state is State.WAITING_FOR_SCAN and key == driver.sign_in_key
    info = await driver.simulate_scan()
    assert driver.state is State.SCANNED and info == driver.app_info
    token = await driver.simulate_confirm()
    assert token is not None and driver.state is State.AUTHENTICATED
    assert sandbox.issuer.verify(token.access_token) is not None
    # the phone's calls went through the phone's client; the desktop only sent Initiate
    assert transport.seen == [INITIATE]


# --- 2. simulate: scan then register ------------------------------------------------------------------------


async def test_simulate_register_token_carries_the_forms_unionid(sandbox, transport, desk):
    driver = FlowDriver(desk, policy=fast_policy())
    result = await driver.run_simulated(register=form(unionID="u_new_42"))

    assert result.state is State.AUTHENTICATED
    claims = sandbox.issuer.verify(result.token.access_token)
    assert claims is not None and claims["unionid"] == "u_new_42"
    assert claims["grant_type"] == "qrcode_register"
    assert claims["unique_name"] == "Tester"
    path = states_of(driver)
    i = path.index(State.REGISTERING)
    assert path[i:] == [State.REGISTERING, State.CONFIRMING, State.AUTHENTICATED]
    assert path == [State.INITIATING, State.WAITING_FOR_SCAN, State.SCANNED, State.REGISTERING,
                    State.CONFIRMING, State.AUTHENTICATED]
    assert transport.seen == [INITIATE, SCAN, REGISTER, LOGIN]
    assert sandbox.users.by_union("u_new_42") is not None


async def test_simulate_register_accepts_a_typed_form(sandbox, transport, desk):
    driver = FlowDriver(desk, policy=fast_policy())
    await driver.start()
    await driver.simulate_scan()
    # the form's own signInKey is replaced by the driver's
    token = await driver.simulate_register(QRCodeSignUpRequest(signInKey=1, unionID="u_typed", nickName="Typed"))
    assert driver.state is State.AUTHENTICATED
    assert sandbox.issuer.verify(token.access_token)["unionid"] == "u_typed"


async def test_invalid_registration_form_fails_before_sending(sandbox, transport, desk):
    driver = FlowDriver(desk, policy=fast_policy())
    result = await driver.run_simulated(register=form(nickName="abc"))

    assert result.state is State.FAILED
    assert isinstance(result.error, ValidationError)
    assert "nickName" in result.error.fields
    assert "nickName" in str(result.error)
    assert REGISTER not in transport.seen
    assert transport.seen == [INITIATE, SCAN]
    assert sandbox.sessions.get(driver.sign_in_key).state is SessionState.SCANNED
    assert len(sandbox.users) == 1  # nobody registered


async def test_invalid_registration_form_step_by_step_raises(transport, desk):
    driver = FlowDriver(desk, policy=fast_policy())
    await driver.start()
    await driver.simulate_scan()
    with pytest.raises(RegistrationRejected) as caught:
        await driver.simulate_register(form(nickName="abc"))
    assert [v.field for v in caught.value.violations] == ["nickName"]
    # Refused before sending: the session is still scanned, and a corrected form goes through.
    assert driver.state is State.SCANNED and transport.count(REGISTER) == 0
    token = await driver.simulate_register(form(nickName="abcd"))
    assert driver.state is State.AUTHENTICATED and token is driver.token


@pytest.mark.parametrize(("bad_form", "field"), [({"nickName": "Tester"}, "unionID"),
                                                  ({"unionID": "u_ok", "nick": "Tester"}, "nick")])
async def test_registration_form_missing_or_unknown_field_is_a_validation_error(bad_form, field, transport, desk):
    driver = FlowDriver(desk, policy=fast_policy())
    result = await driver.run_simulated(register=bad_form)
    assert result.state is State.FAILED
    assert isinstance(result.error, ValidationError)
    assert field in result.error.fields
    assert transport.seen == [INITIATE, SCAN]


async def test_taken_unionid_fails_with_409(sandbox, transport, desk):
    driver = FlowDriver(desk, policy=fast_policy())
    result = await driver.run_simulated(register=form(unionID=sandbox.users.default_user.union_id))
    assert result.state is State.FAILED
    assert isinstance(result.error, ApiError) and result.error.code == 409
    assert transport.seen == [INITIATE, SCAN, REGISTER]  # 409 is not retried


async def test_taken_unionid_step_by_step_stays_scanned_and_a_new_unionid_registers(sandbox, transport, desk):
    driver = FlowDriver(desk, policy=fast_policy())
    await driver.start()
    await driver.simulate_scan()
    taken = sandbox.users.default_user.union_id
    with pytest.raises(RegistrationRejected) as caught:
        await driver.simulate_register(form(unionID=taken))
    assert isinstance(caught.value.refusal, ApiError) and caught.value.refusal.code == 409
    assert [(v.field, v.value) for v in caught.value.violations] == [("unionID", taken)]
    assert driver.state is State.SCANNED
    assert [t.event for t in driver.machine.history][-2:] == [Event.REGISTER, Event.REGISTER_REJECTED]
    await driver.simulate_register(form(unionID="u_desk_fresh"))
    assert driver.state is State.AUTHENTICATED
    assert sandbox.issuer.verify(driver.token.access_token)["unionid"] == "u_desk_fresh"


class RefusingPhone:
    """The real client as the phone, except that Confirm-Register gets a server's 400 with its
    violations (the sandbox checks the same rules as our client, so it never sends one itself)."""

    def __init__(self, client: QrLoginClient):
        self.client = client

    def __getattr__(self, name: str):
        return getattr(self.client, name)

    async def confirm_register(self, request, *, timeout=None):
        raise ApiError(400, "phone: bad format", http_status=200, endpoint="QRAuthConfirmRegister",
                       violations=[Violation("phone", "bad format", "格式错误", request.phone)])


async def test_a_400_from_confirm_register_keeps_the_session_scanned(sandbox, transport, desk):
    driver = FlowDriver(desk, phone=RefusingPhone(desk), policy=fast_policy())
    await driver.start()
    await driver.simulate_scan()
    with pytest.raises(RegistrationRejected) as caught:
        await driver.simulate_register(form())
    assert [v.field for v in caught.value.violations] == ["phone"]
    assert driver.state is State.SCANNED and Event.REGISTER in driver.machine.allowed_events()


# --- 3. 202: the server waits for a registration ------------------------------------------------------------


async def test_poll_sees_202_then_gets_the_registrations_token(sandbox, transport, desk, phone):
    sandbox.require_registration = True
    sleep_states: list[State] = []

    async def track_state(n: int, delay: float) -> None:
        sleep_states.append(driver.state)  # the state each sleep happens in

    sleep = RecordingSleep(real=True, hook=track_state)
    driver = FlowDriver(desk, policy=fast_policy(), sleep=sleep)
    seen: list[Transition] = []
    driver.add_listener(seen.append)
    task = asyncio.create_task(driver.run_poll())
    await until(lambda: transport.count(LOGIN) >= 2, what="a few 408 polls")
    assert driver.state is State.WAITING_FOR_SCAN
    key = driver.sign_in_key

    await phone.scan(key)
    await until(lambda: driver.state is State.SCANNED, what="the poller to see 202")
    polls_at_scan = transport.count(LOGIN)
    await until(lambda: transport.count(LOGIN) >= polls_at_scan + 4, what="several 202 polls")
    assert not task.done()
    assert driver.state is State.SCANNED
    assert events_of(driver).count(Event.SCANNED) == 1  # one event for many 202s
    assert [t.event for t in seen].count(Event.SCANNED) == 1  # the repeats reach no listener
    assert sandbox.sessions.get(key).state is SessionState.SCANNED

    phone_token = await phone.confirm_register(QRCodeSignUpRequest(signInKey=key, unionID="u_reg_202",
                                                                   nickName="Phone User"))
    result = await asyncio.wait_for(task, 5)

    assert result.state is State.AUTHENTICATED
    assert result.token.access_token == phone_token.access_token
    assert sandbox.issuer.verify(result.token.access_token)["unionid"] == "u_reg_202"
    assert states_of(driver) == [State.INITIATING, State.WAITING_FOR_SCAN, State.SCANNED, State.AUTHENTICATED]
    # after the scan the poller polls as fast as allowed, never faster
    scanned_delays = [d for d, s in zip(sleep.delays, sleep_states, strict=True) if s is State.SCANNED]
    assert len(scanned_delays) >= 4
    assert all(d == pytest.approx(MIN) for d in scanned_delays)
    assert sandbox.sessions.get(key).state is SessionState.DELIVERED


async def test_simulate_without_form_gets_none_then_registers(sandbox, transport, desk):
    sandbox.require_registration = True
    driver = FlowDriver(desk, policy=fast_policy())
    await driver.start()
    await driver.simulate_scan()

    assert await driver.simulate_confirm() is None
    assert driver.state is State.SCANNED
    assert events_of(driver)[-2:] == [Event.CONFIRM, Event.REGISTRATION_REQUIRED]
    assert driver.token is None

    token = await driver.simulate_register(form(unionID="u_after_202"))
    assert driver.state is State.AUTHENTICATED
    assert sandbox.issuer.verify(token.access_token)["unionid"] == "u_after_202"
    assert states_of(driver)[-5:] == [State.CONFIRMING, State.SCANNED, State.REGISTERING, State.CONFIRMING,
                                      State.AUTHENTICATED]
    assert transport.seen == [INITIATE, SCAN, LOGIN, REGISTER, LOGIN]


async def test_run_simulated_without_form_when_registration_required_fails_clearly(sandbox, desk):
    sandbox.require_registration = True
    driver = FlowDriver(desk, policy=fast_policy())
    result = await driver.run_simulated()
    assert result.state is State.FAILED
    assert isinstance(result.error, ApiError) and result.error.code == 202
    assert "registration" in str(result.error)


# --- 4. poll mode ------------------------------------------------------------------------------------------


async def test_poll_second_client_scans_authenticates(sandbox, transport, desk, phone):
    driver = FlowDriver(desk, policy=fast_policy())
    task = asyncio.create_task(driver.run_poll())
    await until(lambda: transport.count(LOGIN) >= 3, what="408 polls")
    assert driver.state is State.WAITING_FOR_SCAN and not task.done()

    await phone.scan(driver.sign_in_key)
    result = await asyncio.wait_for(task, 5)

    assert result.state is State.AUTHENTICATED
    assert sandbox.issuer.verify(result.token.access_token)["unionid"] == sandbox.users.default_user.union_id
    # Scan means consent in the sandbox: the poll goes from 408 to a token, and the token proves the
    # scan, so SCANNED is recorded (marked implied) before AUTHENTICATED, as WeChat's page shows it.
    assert states_of(driver) == [State.INITIATING, State.WAITING_FOR_SCAN, State.SCANNED, State.AUTHENTICATED]
    assert driver.machine.history[2].detail == {"implied": True}
    assert transport.count(INITIATE) == 1 and transport.count(SCAN) == 0
    n = len(transport.seen)
    await asyncio.sleep(0.05)
    assert len(transport.seen) == n  # polling stopped


async def test_poll_interval_grows_on_408_up_to_idle_interval(sandbox, transport, desk, phone):
    policy = fast_policy()
    driver: FlowDriver

    async def scan_after_many(n: int, delay: float) -> None:
        if n == 15:
            await phone.scan(driver.sign_in_key)

    sleep = RecordingSleep(hook=scan_after_many)
    driver = FlowDriver(desk, policy=policy, sleep=sleep)
    result = await driver.run_poll()

    assert result.state is State.AUTHENTICATED
    delays = sleep.delays
    assert len(delays) == 15
    assert delays[0] == pytest.approx(MIN)
    assert all(MIN <= d <= IDLE for d in delays)
    assert all(b >= a for a, b in itertools.pairwise(delays))
    for a, b in itertools.pairwise(delays):
        assert b == pytest.approx(min(IDLE, a * policy.growth))
    assert delays[-1] == pytest.approx(IDLE)
    assert delays[1] > delays[0]  # it really grows
    assert transport.count(LOGIN) == 16


def test_next_wait_interval_bounds():
    policy = fast_policy()
    interval = policy.min_interval
    for _ in range(50):
        nxt = policy.next_wait_interval(interval)
        assert policy.min_interval <= nxt <= policy.idle_interval
        assert nxt >= interval
        interval = nxt
    assert interval == policy.idle_interval
    assert policy.next_wait_interval(0.0) == policy.min_interval


# --- 5. expiry --------------------------------------------------------------------------------------------


async def test_server_expiry_410_while_polling(sandbox, clock, transport, desk):
    async def expire_on_third(n: int, delay: float) -> None:
        if n == 3:
            clock.advance(sandbox.config.session_ttl)

    sleep = RecordingSleep(hook=expire_on_third)
    driver = FlowDriver(desk, policy=fast_policy(), sleep=sleep)
    result = await asyncio.wait_for(driver.run_poll(), 5)

    assert result.state is State.EXPIRED
    last = driver.machine.history[-1]
    assert last.event is Event.EXPIRED and last.detail.get("code") == 410
    assert transport.count(LOGIN) == 4  # 3 x 408, then 410
    assert sandbox.sessions.get(driver.sign_in_key).state is SessionState.EXPIRED
    assert driver.seconds_left() is None
    assert driver.error is None


async def test_server_expiry_410_after_scan(sandbox, clock, transport, desk, phone):
    sandbox.require_registration = True

    async def hook(n: int, delay: float) -> None:
        if n == 2:
            await phone.scan(driver.sign_in_key)
        if n == 5:
            clock.advance(sandbox.config.session_ttl + 1)

    driver = FlowDriver(desk, policy=fast_policy(), sleep=RecordingSleep(hook=hook))
    result = await asyncio.wait_for(driver.run_poll(), 5)
    assert result.state is State.EXPIRED
    assert states_of(driver)[-2:] == [State.SCANNED, State.EXPIRED]


async def test_driver_deadline_expires_without_the_server(sandbox, transport, desk):
    dclock = FakeClock(1000.0)

    async def fake_sleep(delay: float) -> None:
        delays.append(delay)
        dclock.advance(delay)
        await asyncio.sleep(0)

    delays: list[float] = []
    ttl = 0.5
    driver = FlowDriver(desk, policy=fast_policy(session_ttl=ttl), clock=dclock, sleep=fake_sleep)
    key = await driver.start()
    assert driver.deadline == pytest.approx(1000.0 + ttl)
    assert driver.seconds_left() == pytest.approx(ttl)

    result = await asyncio.wait_for(driver.run_poll(), 5)

    assert result.state is State.EXPIRED
    assert driver.machine.history[-1].detail.get("reason") == "deadline"
    # the server never said so: its session is still waiting (its clock did not move)
    assert sandbox.sessions.get(key).state is SessionState.WAITING
    # never slept past the deadline; the clock stopped exactly on it
    assert dclock.now == pytest.approx(1000.0 + ttl)
    assert sum(delays) == pytest.approx(ttl)
    assert all(d >= 0 for d in delays)
    assert transport.count(INITIATE) == 1
    assert driver.seconds_left() is None


# --- 6. auto-refresh --------------------------------------------------------------------------------------


async def test_auto_refresh_twice_then_stays_expired(sandbox, clock, transport, desk):
    starts: list[tuple[int, int]] = []

    async def expire_each_time(n: int, delay: float) -> None:
        clock.advance(sandbox.config.session_ttl)

    driver = FlowDriver(desk, policy=fast_policy(auto_refresh=2), sleep=RecordingSleep(hook=expire_each_time))
    driver.add_listener(
        lambda t: starts.append((driver.machine.attempt, t.detail["signInKey"])) if t.event is Event.INITIATED else None
    )
    result = await asyncio.wait_for(driver.run_poll(), 5)

    assert result.state is State.EXPIRED
    assert driver.machine.attempt == 3 and result.attempts == 3
    assert [a for a, _ in starts] == [1, 2, 3]
    keys = [k for _, k in starts]
    assert len(set(keys)) == 3  # every refresh is a new QR
    assert driver.sign_in_key == keys[-1]
    assert transport.count(INITIATE) == 3
    for attempt in (1, 2, 3):
        steps = driver.machine.timeline(attempt)
        assert [s.state for s in steps] == [State.INITIATING, State.WAITING_FOR_SCAN, State.EXPIRED]
    # Each refresh's START says which one it is, for the GUI's "QR refreshed, 1 of 2".
    refreshes = [dict(t.detail) for t in driver.machine.history if t.event is Event.START]
    assert refreshes == [{}, {"refresh": 1, "refreshes": 2}, {"refresh": 2, "refreshes": 2}]
    assert all(sandbox.sessions.get(k).state is SessionState.EXPIRED for k in keys)


async def test_auto_refresh_then_scan_on_second_qr(sandbox, clock, transport, desk, phone):
    async def hook(n: int, delay: float) -> None:
        if driver.machine.attempt == 1:
            clock.advance(sandbox.config.session_ttl)
        elif driver.state is State.WAITING_FOR_SCAN and sandbox.sessions.get(driver.sign_in_key).state is \
                SessionState.WAITING:
            await phone.scan(driver.sign_in_key)

    driver = FlowDriver(desk, policy=fast_policy(auto_refresh=2), sleep=RecordingSleep(hook=hook))
    result = await asyncio.wait_for(driver.run_poll(), 5)

    assert result.state is State.AUTHENTICATED
    assert driver.machine.attempt == 2
    assert [s.state for s in driver.machine.timeline(1)] == [State.INITIATING, State.WAITING_FOR_SCAN, State.EXPIRED]
    assert sandbox.issuer.verify(result.token.access_token) is not None
    assert transport.count(INITIATE) == 2


async def test_no_auto_refresh_by_default(sandbox, clock, transport, desk):
    async def expire(n: int, delay: float) -> None:
        clock.advance(sandbox.config.session_ttl)

    driver = FlowDriver(desk, policy=fast_policy(), sleep=RecordingSleep(hook=expire))
    result = await driver.run_poll()
    assert result.state is State.EXPIRED and driver.machine.attempt == 1
    assert transport.count(INITIATE) == 1


# --- 7. 429 with Retry-After -------------------------------------------------------------------------------


async def test_poll_honours_retry_after(sandbox, transport, desk, phone):
    sandbox.faults.retry_after = 0.05
    driver: FlowDriver

    async def scan_after_429(n: int, delay: float) -> None:
        if n == 2:
            await phone.scan(driver.sign_in_key)

    sleep = RecordingSleep(real=True, hook=scan_after_429)
    driver = FlowDriver(desk, policy=fast_policy(), sleep=sleep)
    await driver.start()
    sandbox.faults.script(["429"])
    result = await asyncio.wait_for(driver.run_poll(), 5)

    assert result.state is State.AUTHENTICATED
    assert sleep.delays[0] == pytest.approx(0.05)  # Retry-After, not the 0.01 poll interval
    assert sleep.delays[1] == pytest.approx(MIN)  # then the normal pace again (a 408)
    assert transport.count(LOGIN) == 3  # 429, 408, token


async def test_simulate_honours_retry_after(sandbox, transport, desk):
    sandbox.faults.retry_after = 0.05
    sleep = RecordingSleep(real=True)
    driver = FlowDriver(desk, policy=fast_policy(), sleep=sleep)
    await driver.start()
    sandbox.faults.script(["429"])
    result = await asyncio.wait_for(driver.run_simulated(), 5)
    assert result.state is State.AUTHENTICATED
    assert sleep.delays == [pytest.approx(0.05)]
    assert transport.seen == [INITIATE, SCAN, SCAN, LOGIN]


# --- 8. server faults ------------------------------------------------------------------------------------


async def test_burst_of_500s_recovers_with_capped_backoff(sandbox, transport, desk, phone):
    sleep = RecordingSleep(real=True)
    driver = FlowDriver(desk, policy=fast_policy(max_retries=8), sleep=sleep)
    key = await driver.start()
    await phone.scan(key)  # before the script, so the phone does not eat the faults
    sandbox.faults.script(["500"] * 8)

    result = await asyncio.wait_for(driver.run_poll(), 5)

    assert result.state is State.AUTHENTICATED
    assert transport.count(LOGIN) == 9
    delays = sleep.delays
    assert len(delays) == 8
    for failures, d in enumerate(delays, 1):
        ceiling = min(CAP, BASE * 2 ** (failures - 1))
        assert max(MIN, ceiling / 2) - 1e-9 <= d <= max(MIN, ceiling) + 1e-9
    assert max(delays) <= CAP
    assert delays[2] > delays[0] and delays[4] > delays[1]  # increasing-ish
    assert max(delays[3:]) <= CAP  # capped once the ceiling is reached


async def test_three_500s_then_success(sandbox, transport, desk, phone):
    driver = FlowDriver(desk, policy=fast_policy(max_retries=3), sleep=RecordingSleep(real=True))
    key = await driver.start()
    await phone.scan(key)
    sandbox.faults.script(["500"] * 3)
    result = await driver.run_poll()
    assert result.state is State.AUTHENTICATED and result.error is None
    assert transport.count(LOGIN) == 4


async def test_too_many_500s_fail_with_the_last_error(sandbox, transport, desk):
    max_retries = 3
    sleep = RecordingSleep(real=True)
    driver = FlowDriver(desk, policy=fast_policy(max_retries=max_retries), sleep=sleep)
    await driver.start()
    sandbox.faults.script(["500"] * (max_retries + 1))

    result = await asyncio.wait_for(driver.run_poll(), 5)

    assert result.state is State.FAILED
    assert isinstance(driver.error, ApiError) and driver.error.code == 500
    assert result.error is driver.error
    assert transport.count(LOGIN) == max_retries + 1
    assert len(transport.seen) == max_retries + 2  # + the Initiate
    assert driver.requests == max_retries + 2
    assert len(sleep.delays) == max_retries
    assert driver.machine.history[-1].detail.get("code") == 500


async def test_failures_counter_resets_after_a_good_answer(sandbox, transport, desk, phone):
    # 3 faults, a 408, 3 more faults: never more than max_retries=3 in a row, so it must not give up
    driver: FlowDriver

    async def hook(n: int, delay: float) -> None:
        if n == 4:  # the wait after the 408
            sandbox.faults.script(["500", "500", "500"])
        if n == 7:  # the second burst is used up
            await phone.scan(driver.sign_in_key)

    driver = FlowDriver(desk, policy=fast_policy(max_retries=3), sleep=RecordingSleep(hook=hook))
    await driver.start()
    sandbox.faults.script(["500", "500", "500"])
    result = await asyncio.wait_for(driver.run_poll(), 5)
    assert result.state is State.AUTHENTICATED
    assert transport.count(LOGIN) == 8


async def test_malformed_answers_mid_poll_recover(sandbox, transport, desk, phone):
    errors: list[Exchange] = []
    desk.add_listener(lambda ex: errors.append(ex) if "unexpected answer" in (ex.error or "") else None)
    sleep = RecordingSleep(real=True)
    driver = FlowDriver(desk, policy=fast_policy(), sleep=sleep)
    key = await driver.start()
    sandbox.faults.script(["malformed:html", "malformed:truncated"])
    task = asyncio.create_task(driver.run_poll())
    await until(lambda: transport.count(LOGIN) >= 3, what="polls past the malformed answers")
    await phone.scan(key)
    result = await asyncio.wait_for(task, 5)

    assert result.state is State.AUTHENTICATED
    assert sandbox.issuer.verify(result.token.access_token) is not None
    assert len(errors) == 2
    assert "HTML" in errors[0].error
    assert states_of(driver) == [State.INITIATING, State.WAITING_FOR_SCAN, State.SCANNED, State.AUTHENTICATED]


async def test_malformed_answers_past_max_retries_fail_with_protocol_error(sandbox, transport, desk):
    driver = FlowDriver(desk, policy=fast_policy(max_retries=1), sleep=RecordingSleep())
    await driver.start()
    sandbox.faults.script(["malformed:html", "malformed:truncated"])
    result = await driver.run_poll()
    assert result.state is State.FAILED
    assert isinstance(result.error, ProtocolError)
    assert transport.count(LOGIN) == 2


async def test_simulate_phone_retries_500(sandbox, transport, desk):
    sleep = RecordingSleep()
    driver = FlowDriver(desk, policy=fast_policy(max_retries=2), sleep=sleep)
    await driver.start()
    sandbox.faults.script(["500", "500"])
    result = await driver.run_simulated()
    assert result.state is State.AUTHENTICATED
    assert transport.seen == [INITIATE, SCAN, SCAN, SCAN, LOGIN]
    assert len(sleep.delays) == 2


async def test_simulate_phone_gives_up_after_max_retries(sandbox, transport, desk):
    driver = FlowDriver(desk, policy=fast_policy(max_retries=2), sleep=RecordingSleep())
    await driver.start()
    sandbox.faults.script(["500"] * 3)
    result = await driver.run_simulated()
    assert result.state is State.FAILED
    assert isinstance(result.error, ApiError) and result.error.code == 500
    assert transport.seen == [INITIATE, SCAN, SCAN, SCAN]


async def test_initiate_failure_is_failed_not_crash(sandbox, transport, desk):
    sandbox.faults.script(["500"] * 3)
    driver = FlowDriver(desk, policy=fast_policy(max_retries=2), sleep=RecordingSleep())
    result = await driver.run_poll()
    assert result.state is State.FAILED
    assert isinstance(result.error, ApiError) and result.error.code == 500
    assert states_of(driver) == [State.INITIATING, State.FAILED]
    assert transport.seen == [INITIATE] * 3


async def test_initiate_refused_is_not_repeated(sandbox, transport):
    async with QrLoginClient("http://sandbox.test", "no-such-app", TEST_TOKEN, transport=transport) as desk:
        result = await FlowDriver(desk, policy=fast_policy()).run_poll()
    assert result.state is State.FAILED
    assert isinstance(result.error, ApiError) and result.error.code == 404
    assert transport.seen == [INITIATE]


@pytest.mark.loopback
@pytest.mark.parametrize("faults", [["500"], ["malformed:html"], ["drop"], ["429"],
                                    ["500", "malformed:truncated", "drop", "429"]])
async def test_initiate_survives_transient_faults(faults, sandbox, loopback):
    sandbox.faults.retry_after = 0.01
    sleep = RecordingSleep()
    async with QrLoginClient(loopback.url, APP_KEY, TEST_TOKEN, timeout=5.0) as desk:
        seen: list[str] = []
        desk.add_listener(lambda ex: seen.append(ex.endpoint))
        driver = FlowDriver(desk, policy=fast_policy(), sleep=sleep)
        sandbox.faults.script(faults)
        result = await asyncio.wait_for(driver.run_simulated(), 5)
    assert result.state is State.AUTHENTICATED, result.error
    assert seen == ["QRAuthInitiate"] * (len(faults) + 1) + ["QRAuthScan", "QRAuthConfirmLogin"]
    assert len(sleep.delays) == len(faults)
    assert states_of(driver)[:2] == [State.INITIATING, State.WAITING_FOR_SCAN]


@given(failures=st.integers(min_value=1, max_value=200), seed=st.integers(0, 2**32 - 1),
       base=st.floats(0.001, 2.0), cap=st.floats(0.001, 30.0), min_interval=st.floats(0.001, 1.0))
def test_backoff_is_bounded(failures, seed, base, cap, min_interval):
    policy = PollPolicy(min_interval=min_interval, idle_interval=max(min_interval, 1.0), backoff_base=base,
                        backoff_cap=cap, rng=random.Random(seed))
    delay = policy.backoff(failures)
    ceiling = min(cap, base * 2 ** (failures - 1))
    assert delay >= min_interval
    assert delay <= max(min_interval, ceiling) + 1e-12
    assert delay >= min(ceiling / 2, max(min_interval, ceiling / 2)) - 1e-12


# --- 9. the server goes away (real loopback) ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.loopback
async def test_server_goes_away_and_comes_back(sandbox):
    port = free_port()
    first = SandboxThread(sandbox, "127.0.0.1", port)
    await asyncio.to_thread(first.start)
    second: SandboxThread | None = None
    url = first.url
    exchanges: list[Exchange] = []
    try:
        async with QrLoginClient(url, APP_KEY, TEST_TOKEN, timeout=2.0) as desk:
            desk.add_listener(exchanges.append)
            driver = FlowDriver(desk, policy=fast_policy(max_retries=400))
            task = asyncio.create_task(driver.run_poll())
            await until(lambda: driver.requests >= 3, what="polls against the first server")
            assert driver.state is State.WAITING_FOR_SCAN
            await asyncio.to_thread(first.stop)

            def connect_errors() -> int:
                return sum(1 for ex in exchanges if ex.status is None and "cannot connect" in (ex.error or ""))

            await until(lambda: connect_errors() >= 3, what="connection refused retries")
            assert not task.done() and driver.state is State.WAITING_FOR_SCAN

            second = SandboxThread(sandbox, "127.0.0.1", port)  # same port, same Sandbox object
            await asyncio.to_thread(second.start)
            assert second.url == url
            async with QrLoginClient(second.url, APP_KEY, TEST_TOKEN, timeout=2.0) as phone:
                await phone.scan(driver.sign_in_key)
            result = await asyncio.wait_for(task, 10)

        assert result.state is State.AUTHENTICATED
        assert sandbox.issuer.verify(result.token.access_token) is not None
        assert driver.machine.attempt == 1
        assert states_of(driver) == [State.INITIATING, State.WAITING_FOR_SCAN, State.SCANNED, State.AUTHENTICATED]
    finally:
        await asyncio.to_thread(first.stop)
        if second is not None:
            await asyncio.to_thread(second.stop)


@pytest.mark.loopback
async def test_server_stays_away_fails_with_connect_error(sandbox):
    port = free_port()
    server = SandboxThread(sandbox, "127.0.0.1", port)
    await asyncio.to_thread(server.start)
    exchanges: list[Exchange] = []
    max_retries = 4
    try:
        async with QrLoginClient(server.url, APP_KEY, TEST_TOKEN, timeout=2.0) as desk:
            desk.add_listener(exchanges.append)
            driver = FlowDriver(desk, policy=fast_policy(max_retries=max_retries))
            task = asyncio.create_task(driver.run_poll())
            await until(lambda: driver.requests >= 2, what="polls")
            await asyncio.to_thread(server.stop)
            result = await asyncio.wait_for(task, 10)
    finally:
        await asyncio.to_thread(server.stop)

    assert result.state is State.FAILED
    assert isinstance(result.error, TransportError)
    assert result.error.kind == "connect"
    tail = exchanges[-(max_retries + 1):]
    assert all(ex.status is None and ex.error for ex in tail)


# --- 10. cancel in every state -----------------------------------------------------------------------------


async def _into_state(target: State, sandbox: Sandbox, phone: QrLoginClient):
    """A driver in ``target`` with (where the state implies one) a request held in flight."""
    driver: FlowDriver | None = None

    def block(name: str) -> bool:
        assert driver is not None
        return {
            State.INITIATING: name == INITIATE,
            State.WAITING_FOR_SCAN: name == LOGIN,
            State.SCANNED: name == LOGIN and driver.state is State.SCANNED,
            State.CONFIRMING: name == LOGIN,
            State.REGISTERING: name == REGISTER,
        }.get(target, False)

    transport = CountingTransport(sandbox.app, block=block)
    desk = counted_client(transport)
    driver = FlowDriver(desk, policy=fast_policy())
    task: asyncio.Task | None = None
    if target is State.IDLE:
        pass
    elif target in (State.INITIATING, State.WAITING_FOR_SCAN):
        task = asyncio.create_task(driver.run_poll())
    elif target is State.SCANNED:
        sandbox.require_registration = True
        task = asyncio.create_task(driver.run_poll())
        await until(lambda: driver.state is State.WAITING_FOR_SCAN, what="the QR")
        await phone.scan(driver.sign_in_key)
    elif target is State.CONFIRMING:
        task = asyncio.create_task(driver.run_simulated())
    elif target is State.REGISTERING:
        task = asyncio.create_task(driver.run_simulated(register=form()))
    if task is not None:
        await asyncio.wait_for(transport.entered.wait(), 5)
    assert driver.state is target
    return driver, transport, desk, task


@pytest.mark.parametrize("target", [State.IDLE, State.INITIATING, State.WAITING_FOR_SCAN, State.SCANNED,
                                    State.CONFIRMING, State.REGISTERING], ids=lambda s: s.name)
async def test_cancel_in_every_state(target, sandbox, phone):
    driver, transport, desk, task = await _into_state(target, sandbox, phone)
    try:
        await asyncio.wait_for(driver.cancel(), 2)  # a cancel that hangs fails fast

        assert driver.state is State.CANCELLED and driver.cancelled
        assert driver.machine.history[-1].event is Event.CANCEL
        if task is not None:
            assert task.done()
            assert task.cancelled() or isinstance(task.exception(), FlowCancelled)
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
        assert others == []

        seen = len(transport.seen)
        await asyncio.sleep(0.2)  # 20 poll intervals
        assert len(transport.seen) == seen
        assert driver.state is State.CANCELLED

        # the cancelled driver sends nothing, whatever is asked of it
        for call in (driver.run_poll, driver.run_simulated, driver.start):
            with pytest.raises(FlowCancelled):
                await call()
        assert len(transport.seen) == seen
        await driver.cancel()  # idempotent
        assert driver.state is State.CANCELLED
    finally:
        transport.release.set()
        await desk.aclose()


async def test_cancel_after_terminal_keeps_the_result(sandbox, desk, transport):
    driver = FlowDriver(desk, policy=fast_policy())
    result = await driver.run_simulated()
    assert result.state is State.AUTHENTICATED
    await driver.cancel()
    assert driver.state is State.AUTHENTICATED  # nothing to cancel; the result stands
    assert driver.token is result.token


async def test_cancel_during_a_hanging_request(sandbox, transport, desk):
    sandbox.faults.hang_seconds = 30
    driver = FlowDriver(desk, policy=fast_policy())
    await driver.start()
    sandbox.faults.script(["hang"])
    task = asyncio.create_task(driver.run_poll())
    await until(lambda: transport.count(LOGIN) == 1, what="the hanging poll")
    await asyncio.sleep(0.02)
    await asyncio.wait_for(driver.cancel(), 2)
    assert task.done() and driver.state is State.CANCELLED
    seen = len(transport.seen)
    await asyncio.sleep(0.1)
    assert len(transport.seen) == seen


async def test_cancel_from_inside_the_driver_task(sandbox, transport, desk):
    # cancel() awaited from within the driver's own task (here: its sleep) must not deadlock or cancel itself
    driver: FlowDriver

    async def cancel_on_second_wait(n: int, delay: float) -> None:
        if n == 2:
            await driver.cancel()  # runs in the driver's task: cancel() must not cancel its caller

    sleep = RecordingSleep(hook=cancel_on_second_wait)
    driver = FlowDriver(desk, policy=fast_policy(), sleep=sleep)
    task = asyncio.create_task(driver.run_poll())
    await asyncio.wait({task}, timeout=5)
    assert task.done() and not task.cancelled()
    assert task.result().state is State.CANCELLED
    assert transport.seen == [INITIATE, LOGIN, LOGIN]
    seen = len(transport.seen)
    await asyncio.sleep(0.05)
    assert len(transport.seen) == seen and len(sleep.delays) == 2


# --- 11. the code table -------------------------------------------------------------------------------------


async def test_code_table_408_as_stop_fails_on_first_408(sandbox, transport, desk):
    codes = CodeTable().with_codes({408: "stop"})
    assert codes.action_for_code(408) is Action.STOP
    driver = FlowDriver(desk, policy=fast_policy(), codes=codes)
    result = await driver.run_poll()
    assert result.state is State.FAILED
    assert isinstance(result.error, ApiError) and result.error.code == 408
    assert transport.seen == [INITIATE, LOGIN]


async def test_code_table_500_as_stop_does_not_retry(sandbox, transport, desk):
    driver = FlowDriver(desk, policy=fast_policy(), codes=CodeTable().with_codes({500: Action.STOP}))
    await driver.start()
    sandbox.faults.script(["500"])
    result = await driver.run_poll()
    assert result.state is State.FAILED and result.error.code == 500
    assert transport.count(LOGIN) == 1


def test_code_table_defaults_match_the_contract():
    table = CodeTable()
    expected = {200: None, 400: Action.STOP, 401: Action.STOP, 404: Action.STOP, 408: Action.WAIT,
                202: Action.SCANNED, 409: Action.STOP, 410: Action.EXPIRED, 429: Action.RATE_LIMITED,
                500: Action.RETRY}
    for code, action in expected.items():
        if action is not None:
            assert table.action_for_code(code) is action
    assert table.action_for_code(503) is Action.RETRY  # other 5xx
    assert table.action_for_code(418) is Action.STOP  # unknown


def test_code_table_json_round_trip_of_defaults():
    table = CodeTable()
    data = table.to_json()
    assert data == {str(k): v.value for k, v in sorted(DEFAULT_CODES.items())}
    assert CodeTable.from_json(data) == table
    assert CodeTable.from_json(data).to_json() == data


@given(st.dictionaries(st.integers(100, 599), st.sampled_from(list(Action)), max_size=12))
def test_code_table_json_round_trip(overrides):
    table = CodeTable().with_codes(overrides)
    data = table.to_json()
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in data.items())
    back = CodeTable.from_json(data)
    assert back == table
    assert back.to_json() == data
    for code in range(100, 600):
        assert back.action_for_code(code) is table.action_for_code(code)


# --- 12. the session deadline bounds every request and every pause (real loopback) --------------------------


class StallingServer:
    """A tiny HTTP/1.1 server on 127.0.0.1 that answers Initiate (unless told not to) and then never
    finishes an answer: it either holds the request silently or drips a promised body one byte at a
    time, which no per-read timeout ever catches."""

    def __init__(self, *, answer_initiate: bool = True, drip: bool = False):
        self.answer_initiate = answer_initiate
        self.drip = drip
        self.requests: list[str] = []
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task] = set()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def __aenter__(self) -> StallingServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._handlers):
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                length = next((int(v) for k, _, v in (line.partition(":") for line in lines[1:])
                               if k.strip().lower() == "content-length"), 0)
                await reader.readexactly(length)
                path = lines[0].split(" ")[1]
                self.requests.append(path.rsplit("/", 1)[-1])
                if self.answer_initiate and path.endswith("/QR-Auth/Initiate"):
                    body = b'{"code":200,"data":4242424242,"error":""}'
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                                 % (len(body), body))
                    await writer.drain()
                    continue
                if self.drip:
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
                    while True:
                        writer.write(b" ")
                        await writer.drain()
                        await asyncio.sleep(0.05)
                await asyncio.Event().wait()  # hold the request forever
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass  # the client gave up, or the test is over
        finally:
            writer.close()
            self._handlers.discard(task)


async def _timed(work: Awaitable[FlowResult], bound: float) -> tuple[FlowResult, float]:
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    result = await asyncio.wait_for(work, bound)
    return result, loop.time() - t0


@pytest.mark.loopback
async def test_dripping_poll_answer_ends_expired_within_the_session_ttl():
    ttl = 1.5
    async with StallingServer(drip=True) as server, \
            QrLoginClient(server.url, APP_KEY, TEST_TOKEN, timeout=3.0) as desk:
        logged = []
        desk.add_listener(logged.append)
        driver = FlowDriver(desk, policy=fast_policy(session_ttl=ttl))
        result, took = await _timed(driver.run_poll(), ttl + 5)
    assert result.state is State.EXPIRED
    assert driver.machine.history[-1].detail.get("reason") == "deadline"
    assert server.requests == ["Initiate", "Confirm-Login"]
    assert took <= ttl + 1.0
    # The client itself ended the dripping poll at the time the session had left, so the request
    # log shows it (a cancel from outside would leave no record).
    assert [e.endpoint for e in logged] == ["QRAuthInitiate", "QRAuthConfirmLogin"]
    assert "overall deadline" in (logged[-1].error or "")


@pytest.mark.loopback
async def test_dripping_initiate_fails_with_a_timeout_within_the_session_ttl():
    ttl = 1.5
    async with StallingServer(answer_initiate=False, drip=True) as server, \
            QrLoginClient(server.url, APP_KEY, TEST_TOKEN, timeout=3.0) as desk:
        driver = FlowDriver(desk, policy=fast_policy(session_ttl=ttl))
        result, took = await _timed(driver.run_poll(), ttl + 5)
    assert result.state is State.FAILED
    assert isinstance(result.error, TransportError) and result.error.kind == "timeout"
    assert result.error.endpoint == "QRAuthInitiate"
    assert "deadline" in str(result.error)
    assert took <= ttl + 1.0


@pytest.mark.loopback
async def test_cli_login_against_a_server_that_never_answers_ends_within_the_session_ttl():
    from qrlogin_desktop.cli.login import EXIT_EXPIRED

    env = dict(os.environ, QRLOGIN_KEYRING_SERVICE=f"qrlogin-test-{random.getrandbits(48):x}")
    async with StallingServer() as server:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "qrlogin_desktop", "login", "--server", server.url, "--app-key", APP_KEY,
            "--token", TEST_TOKEN, "--timeout", "3", "--session-ttl", "5", "--auto-refresh", "0",
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, env=env)
        try:
            out, _ = await asyncio.wait_for(proc.communicate(), 30)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    text = out.decode()
    assert proc.returncode == EXIT_EXPIRED, text
    # The login's own clock, from its first line: "[+  5.012s] waiting_for_scan → expired  (reason=deadline)"
    ended = re.search(r"\[\+\s*(\d+\.\d+)s\] waiting_for_scan → expired\s+\(reason=deadline\)", text)
    assert ended is not None, text
    assert float(ended.group(1)) <= 5 + 1.0  # the session TTL and a little
    assert server.requests[0] == "Initiate" and set(server.requests[1:]) == {"Confirm-Login"}


@pytest.mark.loopback
async def test_hanging_phone_scan_ends_expired_within_the_session_ttl(sandbox, loopback):
    ttl = 1.5
    sandbox.faults.hang_seconds = 30
    async with QrLoginClient(loopback.url, APP_KEY, TEST_TOKEN, timeout=5.0) as desk:
        driver = FlowDriver(desk, policy=fast_policy(session_ttl=ttl))
        await driver.start()
        sandbox.faults.script(["hang"])
        result, took = await _timed(driver.run_simulated(), ttl + 6)
    assert result.state is State.EXPIRED
    assert isinstance(result.error, TransportError) and result.error.kind == "timeout"
    assert took <= ttl + 1.0


async def test_retry_after_longer_than_the_session_is_not_slept_past_the_deadline(sandbox, transport, desk):
    dclock = FakeClock(1000.0)
    delays: list[float] = []

    async def fake_sleep(delay: float) -> None:
        delays.append(delay)
        dclock.advance(delay)
        await asyncio.sleep(0)

    ttl = 2.0
    sandbox.faults.retry_after = 30
    driver = FlowDriver(desk, policy=fast_policy(session_ttl=ttl), clock=dclock, sleep=fake_sleep)
    await driver.start()
    sandbox.faults.script(["429"])
    result = await driver.run_simulated()
    assert result.state is State.EXPIRED
    assert delays == [pytest.approx(ttl)]
    assert dclock.now == pytest.approx(1000.0 + ttl)
    assert transport.seen == [INITIATE, SCAN]


# --- 13. a Confirm-Login served whose answer was lost (real loopback) ---------------------------------------

LOST_SESSIONS = 20


async def lost_session_drivers(loopback) -> AsyncIterator[FlowDriver]:
    """LOST_SESSIONS fresh drivers, one after the other, on one loopback client."""
    async with QrLoginClient(loopback.url, APP_KEY, TEST_TOKEN, timeout=5.0) as desk:
        for _ in range(LOST_SESSIONS):
            yield FlowDriver(desk, policy=fast_policy())


@pytest.mark.loopback
async def test_simulated_confirm_whose_answer_is_lost_says_so(sandbox, loopback):
    outcomes = []
    async for driver in lost_session_drivers(loopback):
        await driver.start()
        await driver.simulate_scan()
        sandbox.faults.script(["drop-after"])
        with pytest.raises(AnswerLost) as caught:
            await driver.simulate_confirm()
        result = driver.result()
        assert sandbox.sessions.get(driver.sign_in_key).state is SessionState.DELIVERED
        assert caught.value is result.error
        outcomes.append((result.state, result.answer_lost, driver.machine.history[-1].detail.get("reason")))
    assert outcomes == [(State.FAILED, True, "answer_lost")] * LOST_SESSIONS
    error = driver.result().error
    assert "answer was lost: start a new QR" in str(error)
    assert isinstance(error.lost, TransportError) and error.lost.kind == "dropped"
    assert error.refusal.code == 409


@pytest.mark.loopback
async def test_polled_confirm_whose_answer_is_lost_says_so(sandbox, loopback):
    outcomes = []
    async for driver in lost_session_drivers(loopback):
        key = await driver.start()
        assert sandbox.sessions.scan(key).code == 200  # the real phone scans
        sandbox.faults.script(["drop-after"])
        result = await asyncio.wait_for(driver.run_poll(), 10)
        assert sandbox.sessions.get(key).state is SessionState.DELIVERED
        outcomes.append((result.state, isinstance(result.error, AnswerLost)))
    assert outcomes == [(State.FAILED, True)] * LOST_SESSIONS
    assert "answer was lost" in driver.machine.history[-1].detail["error"]


async def test_already_used_without_a_lost_answer_stays_a_conflict(sandbox, transport, desk, phone):
    driver = FlowDriver(desk, policy=fast_policy())
    key = await driver.start()
    await phone.scan(key)
    await phone.confirm_login(key)  # someone else collected the token
    result = await driver.run_poll()
    assert result.state is State.FAILED and not result.answer_lost
    assert isinstance(result.error, ApiError) and result.error.code == 409
    assert transport.seen == [INITIATE, LOGIN]


async def test_phone_step_without_a_session_sends_nothing(transport, desk):
    driver = FlowDriver(desk, policy=fast_policy())
    with pytest.raises(IllegalTransition):
        await driver.simulate_scan()
    assert transport.seen == [] and driver.state is State.IDLE


# --- explicit consent (the sandbox's phone page decides) -------------------------------------------------------


async def test_declined_ends_the_poll_without_a_new_qr_even_with_auto_refresh():
    from qrlogin_desktop.flow.driver import Declined
    from qrlogin_desktop.sandbox import SandboxConfig

    sandbox = Sandbox(SandboxConfig(app_key=APP_KEY, token=TEST_TOKEN, explicit_consent=True, consent_hold=0))
    async with asgi_client(sandbox) as desk:
        driver = FlowDriver(desk, policy=fast_policy(auto_refresh=2))
        task = asyncio.create_task(driver.run_poll())
        await until(lambda: driver.sign_in_key is not None, what="a QR")
        key = driver.sign_in_key
        sandbox.sessions.scan(key)
        await until(lambda: driver.state is State.SCANNED, what="the poller to see 202")
        assert not task.done()  # 202 "confirm on your phone" keeps it polling
        sandbox.sessions.phone_decline(key)
        result = await asyncio.wait_for(task, 5)
    assert result.state is State.FAILED and result.declined and isinstance(result.error, Declined)
    assert result.error.code == 403 and result.attempts == 1  # no refresh after a decline
    assert states_of(driver) == [State.INITIATING, State.WAITING_FOR_SCAN, State.SCANNED, State.FAILED]
    assert driver.machine.history[-1].detail["reason"] == "declined"


async def test_a_code_table_without_declined_treats_403_as_a_plain_stop():
    from qrlogin_desktop.sandbox import SandboxConfig

    sandbox = Sandbox(SandboxConfig(app_key=APP_KEY, token=TEST_TOKEN, explicit_consent=True, consent_hold=0))
    async with asgi_client(sandbox) as desk:
        driver = FlowDriver(desk, policy=fast_policy(), codes=CodeTable().with_codes({403: Action.STOP}))
        key = await driver.start()
        sandbox.sessions.scan(key)
        sandbox.sessions.phone_decline(key)
        result = await driver.poll_until_done()
    assert result.state is State.FAILED and not result.declined and result.error.code == 403
    assert "reason" not in driver.machine.history[-1].detail
