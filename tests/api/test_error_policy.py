"""The one error-policy table (api/outcomes.py): for real errors from real loopback servers, the
poller's retry, the errors' ``retryable``, the CLI's exit code and the GUI's message all follow
the same row, so the four places can no longer disagree."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest
from hostile_server import HostileServer, fixed
from support import APP_KEY, TEST_TOKEN

from qrlogin_desktop.api import errors
from qrlogin_desktop.api.client import QrLoginClient
from qrlogin_desktop.api.exchange import Exchange
from qrlogin_desktop.api.outcomes import (
    DEFAULT_CODES,
    RULES,
    Action,
    CodeTable,
    ExitCode,
    Message,
    Outcome,
    outcome_for_code,
    rule_for,
)
from qrlogin_desktop.cli.login import exit_code_for
from qrlogin_desktop.flow.driver import AnswerLost, FlowDriver, FlowResult
from qrlogin_desktop.flow.machine import State
from qrlogin_desktop.flow.policy import PollPolicy
from qrlogin_desktop.sandbox import Sandbox, SandboxConfig, SandboxThread
from qrlogin_desktop.ui import errors_text
from qrlogin_desktop.ui.errors_text import describe_error


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxThread]:
    with SandboxThread(Sandbox(SandboxConfig(app_key=APP_KEY, token=TEST_TOKEN))) as running:
        yield running


@pytest.fixture
def faults(server: SandboxThread):
    server.sandbox.faults.clear()
    yield server.sandbox.faults
    server.sandbox.faults.clear()


def failed(error: errors.QrLoginError) -> FlowResult:
    return FlowResult(State.FAILED, None, error=error)


async def answer_of(url: str) -> errors.QrLoginError:
    async with QrLoginClient(url, APP_KEY, TEST_TOKEN, timeout=5.0) as client:
        with pytest.raises(errors.QrLoginError) as caught:
            await client.initiate()
    return caught.value


async def hostile(body: bytes, status: str = "200 OK", content_type: str = "application/json") -> errors.QrLoginError:
    async with HostileServer(fixed(body, status, content_type)) as bad:
        return await answer_of(bad.url)


# --- the table itself -----------------------------------------------------------------------------------


def test_every_outcome_has_one_rule_and_every_message_a_text() -> None:
    assert set(RULES) == set(Outcome)
    assert set(errors_text._TEXTS) == set(Message)  # no message the table can pick is missing
    assert {rule.message for rule in RULES.values()} == set(Message)  # and none is dead


def test_the_pollers_default_codes_are_the_tables_rows() -> None:
    assert dict(DEFAULT_CODES) == {202: Action.SCANNED, 400: Action.STOP, 401: Action.STOP, 404: Action.STOP,
                                   403: Action.DECLINED, 408: Action.WAIT, 409: Action.STOP, 410: Action.EXPIRED,
                                   429: Action.RATE_LIMITED, 500: Action.RETRY}
    for code, action in DEFAULT_CODES.items():
        assert RULES[outcome_for_code(code)].action is action
    assert (outcome_for_code(503), outcome_for_code(418), outcome_for_code(600)) == (
        Outcome.SERVER_FAULT, Outcome.REFUSED, Outcome.UNKNOWN_CODE)


# --- real errors: poller, retryable, exit code and message agree ------------------------------------------


async def test_a_malformed_http_200_body_is_retryable_as_the_poller_retries_it(server, faults) -> None:
    faults.script(["malformed:html"])
    error = await answer_of(server.url)
    assert isinstance(error, errors.ProtocolError) and error.http_status == 200 and error.outcome is Outcome.MALFORMED
    assert error.retryable is True and CodeTable().classify(error) is Action.RETRY
    assert exit_code_for(failed(error)) == ExitCode.ERROR == 5
    assert describe_error(error).startswith("The server's answer is not the API's JSON")
    # And the poller does retry it: the next try is answered.
    faults.script(["malformed:html"])
    async with QrLoginClient(server.url, APP_KEY, TEST_TOKEN, timeout=5.0) as client:
        driver = FlowDriver(client, policy=PollPolicy(min_interval=0.01, idle_interval=0.01, backoff_base=0.01))
        assert isinstance(await driver.start(), int) and driver.requests == 2


async def test_an_http_429_page_is_rate_limited_like_an_envelope_429() -> None:
    error = await hostile(b"<html>slow down</html>", "429 Too Many Requests", "text/html")
    assert isinstance(error, errors.ProtocolError) and error.outcome is Outcome.ERROR_PAGE and error.code == 429
    assert CodeTable().classify(error) is Action.RATE_LIMITED
    assert error.retryable is True  # it was False, while the poller rate-limited (and so retried) it
    assert exit_code_for(failed(error)) == 5


async def test_a_code_above_599_is_no_server_fault() -> None:
    error = await hostile(json.dumps({"code": 600, "error": "odd", "data": None}).encode())
    assert isinstance(error, errors.ApiError) and error.code == 600 and error.outcome is Outcome.UNKNOWN_CODE
    assert CodeTable().classify(error) is Action.STOP and error.retryable is False
    assert exit_code_for(failed(error)) == 5
    assert describe_error(error) == "The server answered code 600: odd"  # no longer "Server error (600)"


@pytest.mark.parametrize(("fault", "outcome", "action", "exit_code", "text"), [
    ("500", Outcome.SERVER_FAULT, Action.RETRY, 5, "Server error (500)"),
    ("429", Outcome.RATE_LIMITED, Action.RATE_LIMITED, 5, "Rate limited (429)"),
    ("drop", Outcome.DROPPED, Action.RETRY, 5, "The connection was dropped"),
])
async def test_sandbox_faults_follow_their_row(server, faults, fault, outcome, action, exit_code, text) -> None:
    faults.script([fault])
    error = await answer_of(server.url)
    assert error.outcome is outcome and rule_for(error) is RULES[outcome]
    assert CodeTable().classify(error) is action and error.retryable is (action in (Action.RETRY, Action.RATE_LIMITED))
    assert exit_code_for(failed(error)) == exit_code
    assert describe_error(error).startswith(text)
    assert isinstance(error.exchange, Exchange) and error.exchange.endpoint == "QRAuthInitiate"


async def test_a_refused_connection_and_a_wrong_credential() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    error = await answer_of(f"http://127.0.0.1:{port}")
    assert isinstance(error, errors.TransportError) and error.kind is errors.TransportKind.CONNECT
    assert error.retryable and exit_code_for(failed(error)) == 5 and describe_error(error).startswith("Cannot reach")

    refused = await hostile(json.dumps({"code": 401, "error": "invalid bearer", "data": None}).encode(),
                            "401 Unauthorized")
    assert refused.outcome is Outcome.CREDENTIALS_REFUSED and not refused.retryable
    assert exit_code_for(failed(refused)) == ExitCode.REJECTED
    assert "bearer credential" in rule_for(refused).advice


def test_answer_lost_and_invalid_input_have_their_own_rows() -> None:
    lost = AnswerLost(errors.TransportError(errors.TransportKind.DROPPED, "peer closed", endpoint="QRAuthConfirmLogin"),
                      errors.ApiError(409, "already used", http_status=409, endpoint="QRAuthConfirmLogin"))
    assert lost.outcome is Outcome.ANSWER_LOST and not lost.retryable
    assert exit_code_for(failed(lost)) == 5  # as before: the answer to it is the same, run the login again
    assert describe_error(lost).startswith("The server completed this login, but its answer was lost")
    invalid = errors.ValidationError([errors.Violation("scopes", "too long", "太长", "x" * 99)])
    assert exit_code_for(failed(invalid)) == 4 and invalid.exchange is None


# --- the typed transport kind and the declared exchange ---------------------------------------------------


def test_transport_kind_is_an_enum_that_reads_as_its_name() -> None:
    error = errors.TransportError("timeout", "slow", endpoint="QRAuthInitiate")
    assert error.kind is errors.TransportKind.TIMEOUT and error.kind == "timeout" and f"{error.kind}" == "timeout"
    assert error.outcome is Outcome.TIMED_OUT
    with pytest.raises(ValueError):
        errors.TransportError("sideways", "no such kind")


def test_exchange_is_a_declared_attribute() -> None:
    assert "exchange" in errors.QrLoginError.__annotations__
    assert errors.ProtocolError("bad").exchange is None



@pytest.mark.parametrize(("code", "can_help"), [
    (408, True), (202, True), (429, True), (500, True), (503, True),  # not yet, scanned, later, a fault
    (400, False), (401, False), (404, False), (409, False), (410, False), (403, False), (418, False),
])
def test_a_repeat_can_help_only_where_the_table_says_the_answer_may_change(code, can_help):
    """The GUI's Retry beside a failure: none for an answer the same request always gets (a used
    js_code is refused with 400 however often it is sent)."""
    assert CodeTable().repeat_can_help(errors.ApiError(code, "x", http_status=code, endpoint="JSCode2Session")) is can_help


def test_a_repeat_can_help_after_no_answer_but_not_after_a_refused_certificate():
    assert CodeTable().repeat_can_help(errors.TransportError(errors.TransportKind.TIMEOUT, "slow", endpoint="Scan"))
    assert not CodeTable().repeat_can_help(errors.TransportError(errors.TransportKind.TLS, "bad cert", endpoint="Scan"))
    assert not CodeTable().repeat_can_help(errors.ValidationError([errors.Violation("appKey", "is required", "必填", None)]))
