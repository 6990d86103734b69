"""``python -m qrlogin_desktop sandbox`` as an operator runs it, and the OpenAPI document the sandbox serves."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate
from support import APP_KEY

from qrlogin_desktop.api import catalogue
from qrlogin_desktop.api.client import QrLoginClient
from qrlogin_desktop.api.errors import ApiError
from qrlogin_desktop.cli import build_parser
from qrlogin_desktop.sandbox import Sandbox
from qrlogin_desktop.sandbox.server import SandboxThread

LISTENING = re.compile(r"^Sandbox listening on (http://127\.0\.0\.1:(\d+)) \(appKey=(\S+), token=(\S+)\)$")
START_TIMEOUT = 20.0
# What ships runs on the loop uvicorn picks (as the load benchmark measures it): uvloop when installed.
EXPECTED_LOOP = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"


@dataclass
class Running:
    proc: subprocess.Popen[str]
    url: str
    port: int
    app_key: str
    token: str


def _read_line(proc: subprocess.Popen[str], timeout: float) -> str:
    assert proc.stdout is not None
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    try:
        if not sel.select(timeout):
            raise AssertionError(f"no output from the sandbox within {timeout} s")
        return proc.stdout.readline()
    finally:
        sel.close()


def _stop(proc: subprocess.Popen[str], timeout: float = 10.0) -> tuple[int, float]:
    t0 = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        code = proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise AssertionError(f"the sandbox did not exit within {timeout} s of SIGINT") from None
    return code, time.monotonic() - t0


@contextmanager
def sandbox_process(*args: str) -> Iterator[Running]:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "qrlogin_desktop", "sandbox", "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = _read_line(proc, START_TIMEOUT)
        match = LISTENING.match(line.rstrip("\n"))
        if not match:
            proc.kill()
            _, err = proc.communicate(timeout=5)
            raise AssertionError(f"unexpected first line {line!r}; stderr: {err[-2000:]}")
        url, port, app_key, token = match.groups()
        assert int(port) > 0
        yield Running(proc, url, int(port), app_key, token)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def _assert_clean_exit(run: Running) -> None:
    code, took = _stop(run.proc)
    assert code == 0, (code, run.proc.stderr.read() if run.proc.stderr else "")
    assert took < 10.0
    assert run.proc.stdout is not None
    assert run.proc.stdout.read() == f"Event loop: {EXPECTED_LOOP}\n"  # the only line after the listening one
    stderr = run.proc.stderr.read() if run.proc.stderr else ""
    assert "Traceback" not in stderr, stderr
    assert run.token not in stderr


async def test_sandbox_with_token_serves_and_exits_cleanly():
    with sandbox_process("--token", "T0ken-for-the-cli-test", "--app-key", "cliapp") as run:
        assert (run.app_key, run.token) == ("cliapp", "T0ken-for-the-cli-test")
        async with QrLoginClient(run.url, run.app_key, run.token, timeout=5) as client:
            key = await client.initiate(scopes="userinfo")
            assert (await client.scan(key)).scopes == "userinfo"
            assert (await client.confirm_login(key)).token_type == "Bearer"
        async with QrLoginClient(run.url, run.app_key, "wrong-token-value", timeout=5) as bad:
            with pytest.raises(ApiError) as err:
                await bad.initiate()
            assert err.value.code == 401 and err.value.http_status == 401
        _assert_clean_exit(run)


async def test_sandbox_without_token_prints_a_random_one():
    with sandbox_process() as run:
        assert run.app_key == "demo"
        assert run.token.startswith("sbx_") and len(run.token) >= 20
        async with QrLoginClient(run.url, run.app_key, run.token, timeout=5) as client:
            assert isinstance(await client.initiate(), int)
        _assert_clean_exit(run)


async def test_error_rate_flag_takes_effect():
    with sandbox_process("--token", "T-error-rate-1", "--error-rate", "1") as run:
        async with QrLoginClient(run.url, run.app_key, run.token, timeout=5) as client:
            for _ in range(5):
                with pytest.raises(ApiError) as err:
                    await client.initiate()
                assert (err.value.code, err.value.http_status) == (500, 500)
            async with httpx.AsyncClient(timeout=5) as http:  # only API paths are faulted
                assert (await http.get(run.url + "/openapi.json")).status_code == 200
        _assert_clean_exit(run)


@pytest.mark.parametrize(("flags", "message"), [
    (["--error-rate", "2"], "--error-rate: must be between 0 and 1, got 2"),
    (["--drop-rate", "-0.1"], "--drop-rate: must be between 0 and 1, got -0.1"),
    (["--latency-ms", "-5"], "--latency-ms: must not be negative, got -5"),
    (["--latency-ms", "nan"], "--latency-ms: must not be negative, got nan"),
    (["--error-rate", "abc"], "--error-rate: must be a number between 0 and 1, got abc"),
    (["--retry-after", "x"], "--retry-after: must be a non-negative number, got x"),
    (["--error-rate", "nan"], "--error-rate: must be between 0 and 1, got nan"),
    (["--max-sessions", "0"], "--max-sessions: must be at least 1, got 0"),
    (["--max-body-bytes", "1.5"], "--max-body-bytes: must be a whole number, got 1.5"),
])
def test_bad_fault_flags_refused_by_argparse(flags: list[str], message: str):
    proc = subprocess.run([sys.executable, "-m", "qrlogin_desktop", "sandbox", *flags],
                          capture_output=True, text=True, timeout=20)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "usage:" in proc.stderr
    assert message in proc.stderr, proc.stderr


def test_fault_rates_summing_over_one_refused(capsys: pytest.CaptureFixture[str]):
    from qrlogin_desktop.cli.sandbox import sandbox_config_from_args

    args = build_parser().parse_args(["sandbox", "--error-rate", "0.6", "--drop-rate", "0.6"])
    with pytest.raises(SystemExit) as err:
        sandbox_config_from_args(args)
    assert "must not exceed 1" in str(err.value.code)


def test_full_63_bit_keys_flag_reaches_the_session_store():
    from qrlogin_desktop.cli.sandbox import sandbox_config_from_args

    default = Sandbox(sandbox_config_from_args(build_parser().parse_args(["sandbox"])))
    full = Sandbox(sandbox_config_from_args(build_parser().parse_args(["sandbox", "--full-63-bit-keys"])))
    assert (default.sessions.key_bits, full.sessions.key_bits) == (53, 63)


def test_parsed_flags_reach_the_sandbox_config():
    from qrlogin_desktop.cli.sandbox import sandbox_config_from_args

    args = build_parser().parse_args(["sandbox", "--token", "abc123", "--latency-ms", "25", "--error-rate", "0.25",
                                      "--retry-after", "3", "--keyword", "foo", "--keyword", "bar",
                                      "--require-registration", "--jsapi-ticket", "TICKET",
                                      "--max-sessions", "7", "--max-body-bytes", "4096"])
    config = sandbox_config_from_args(args)
    assert config.token == "abc123"
    assert (config.faults.latency_ms, config.faults.error_rate, config.faults.retry_after) == (25.0, 0.25, 3.0)
    assert tuple(config.keywords) == ("foo", "bar")
    assert config.require_registration is True
    assert config.jsapi_ticket == "TICKET"
    assert (config.max_sessions, config.max_body_bytes) == (7, 4096)


def test_limit_flags_default_to_the_documented_bounds():
    from qrlogin_desktop.cli.sandbox import sandbox_config_from_args

    config = sandbox_config_from_args(build_parser().parse_args(["sandbox"]))
    assert (config.max_sessions, config.max_body_bytes) == (100_000, 1024 * 1024)


async def test_max_sessions_flag_takes_effect_over_loopback():
    with sandbox_process("--token", "T-max-sessions", "--max-sessions", "2") as run:
        async with httpx.AsyncClient(base_url=run.url, timeout=5,
                                     headers={"Authorization": f"Bearer {run.token}"}) as http:
            codes = [(await http.post(f"/Wechat/{run.app_key}/QR-Auth/Initiate", json={})).status_code
                     for _ in range(3)]
        assert codes == [200, 200, 503]
        _assert_clean_exit(run)


# --- the OpenAPI document ----------------------------------------------------------------------------------


@pytest.fixture
async def openapi_doc(sandbox: Sandbox) -> dict:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox.app), base_url="http://sandbox.test") as http:
        response = await http.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def test_openapi_validates(openapi_doc: dict):
    validate(openapi_doc)
    assert openapi_doc["servers"] == [{"url": "/"}]  # relative: wherever the document was fetched from


def test_openapi_lists_every_endpoint_at_the_catalogue_path(openapi_doc: dict):
    operations = {
        op["operationId"]: (path, method.upper())
        for path, item in openapi_doc["paths"].items()
        for method, op in item.items()
    }
    assert len(operations) == 15
    assert operations == {ep.id: (f"/Wechat/{{appKey}}{ep.path}", ep.method) for ep in catalogue.ENDPOINTS}
    for ep in catalogue.ENDPOINTS:
        op = openapi_doc["paths"][ep.template][ep.method.lower()]
        names = {p["name"] for p in op["parameters"]}
        assert names == {"appKey", *(f.name for f in ep.query)}
        assert ("requestBody" in op) == (ep.method == "POST")


def test_openapi_initiate_schema_carries_the_rules(openapi_doc: dict):
    op = openapi_doc["paths"]["/Wechat/{appKey}/QR-Auth/Initiate"]["post"]
    ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = openapi_doc["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    scopes = schema["properties"]["scopes"]
    assert scopes["type"] == "string"
    assert scopes["maxLength"] == 100
    pattern = re.compile(scopes["pattern"])
    assert pattern.search("userinfo,phone") and pattern.search("")
    assert not pattern.search("user info") and not pattern.search("a;b") and not pattern.search("范围")
    assert schema["properties"]["remark"]["maxLength"] == 200
    scheme = schema["properties"]["scheme"]
    assert scheme["maxLength"] == 50
    assert re.compile(scheme["pattern"]).search("app") and not re.compile(scheme["pattern"]).search("a,p")
    assert "required" not in schema  # all three are optional


def _resolved(doc: dict, node):
    """``node`` with every local $ref replaced by what it points to (the components are acyclic)."""
    if isinstance(node, dict):
        if "$ref" in node:
            return _resolved(doc, doc["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]])
        return {k: _resolved(doc, v) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolved(doc, v) for v in node]
    return node


def _conforms(doc: dict, schema: dict, value) -> bool:
    return OAS30Validator(_resolved(doc, schema)).is_valid(value)


ONE_SCENE = [{"scene": "abc"}]
JSON = "application/json"
# (endpoint, body, Accept, whether the document's body schema admits the body, expected HTTP status and
# content type): answers of every documented kind
DOCUMENTED_ANSWERS = [
    ("QRAuthInitiate", None, None, True, 200, JSON),  # no body at all
    ("QRAuthInitiate", {"scopes": "a b"}, None, False, 200, JSON),  # an error envelope at HTTP 200
    ("QRAuthScan", {"signInKey": 5}, None, True, 200, JSON),  # well-formed, unknown: code 404
    ("SubscribeSend", [catalogue.endpoint("SubscribeSend").example_body], None, True, 200, JSON),
    ("SubscribeSend", [{}, {}], None, False, 200, JSON),
    ("MsgSecCheck", [{"content": "hi"}], None, True, 200, JSON),
    ("MsgSecCheck", {"content": ""}, None, False, 400, JSON),
    ("WXACodeGetUnlimited", ONE_SCENE, "image/jpeg", True, 200, "image/jpeg"),
    ("WXACodeGetUnlimited", ONE_SCENE, "image/png", True, 200, "image/png"),
    ("WXACodeGetUnlimited", [{"scene": "abc", "is_hyaline": True}], None, True, 200, "image/png"),
    ("WXACodeGet", [{"width": 430}], None, False, 400, JSON),
]


@pytest.mark.parametrize(("endpoint_id", "body", "accept", "admitted", "status", "content_type"), DOCUMENTED_ANSWERS)
async def test_answers_match_the_openapi_document(sandbox: Sandbox, openapi_doc: dict, endpoint_id: str, body,
                                                  accept: str | None, admitted: bool, status: int, content_type: str):
    ep = catalogue.endpoint(endpoint_id)
    op = openapi_doc["paths"][ep.template][ep.method.lower()]
    if body is not None:
        assert _conforms(openapi_doc, op["requestBody"]["content"][JSON]["schema"], body) == admitted, body
    else:
        assert op["requestBody"]["required"] is False
    headers = {"Authorization": f"Bearer {sandbox.config.token}", "Content-Type": "application/json"}
    if accept:
        headers["Accept"] = accept
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox.app), base_url="http://sandbox.test") as http:
        response = await http.post(ep.url_path(APP_KEY), headers=headers,
                                   content=b"" if body is None else json.dumps(body).encode())
    assert response.status_code == status
    assert response.headers["content-type"] == content_type
    documented = op["responses"][str(status)]["content"]
    assert content_type in documented
    if content_type == JSON:
        envelope = response.json()
        assert _conforms(openapi_doc, documented[content_type]["schema"], envelope), envelope
        if envelope["code"] != 200:
            assert envelope["data"] is None and envelope["error"]


def test_openapi_served_by_the_cli_sandbox():
    with sandbox_process("--token", "T-openapi") as run:
        doc = httpx.get(run.url + "/openapi.json", timeout=5).json()
        validate(doc)
        assert doc["servers"] == [{"url": "/"}]
        assert {op["operationId"] for item in doc["paths"].values() for op in item.values()} == set(catalogue.BY_ID)
        _assert_clean_exit(run)


def test_app_key_constant_is_the_default():
    assert APP_KEY == build_parser().parse_args(["sandbox"]).app_key


# --- exposure and the one appKey ---------------------------------------------------------------------------


CLEAR_TEXT_WARNING = "travel in clear text"


def test_non_loopback_host_warns_before_listening():
    # 192.0.2.1 (TEST-NET-1) is no address of this machine: the bind fails, so nothing is exposed,
    # and the warning must already be on stderr, ahead of the bind error.
    proc = subprocess.run([sys.executable, "-m", "qrlogin_desktop", "sandbox", "--host", "192.0.2.1", "--port", "0",
                           "--token", "T-clear-text-1"], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 1, proc.stderr
    warning = proc.stderr.find(CLEAR_TEXT_WARNING)
    assert warning != -1, proc.stderr
    assert "192.0.2.1" in proc.stderr[:warning]
    assert warning < proc.stderr.find("could not listen on 192.0.2.1"), proc.stderr
    assert "T-clear-text-1" not in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_host_does_not_warn(host: str):
    with sandbox_process("--host", host, "--token", "T-loopback-1") as run:
        _assert_clean_exit_and_stderr(run, lambda err: CLEAR_TEXT_WARNING not in err)


def _assert_clean_exit_and_stderr(run: Running, check) -> None:
    code, _ = _stop(run.proc)
    assert code == 0
    stderr = run.proc.stderr.read() if run.proc.stderr else ""
    assert check(stderr), stderr


def test_app_key_given_twice_is_refused():
    proc = subprocess.run([sys.executable, "-m", "qrlogin_desktop", "sandbox", "--app-key", "first",
                           "--app-key", "second"], capture_output=True, text=True, timeout=20)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "argument --app-key: may be given only once (the sandbox serves one appKey)" in proc.stderr, proc.stderr
    assert build_parser().parse_args(["sandbox", "--app-key", "only"]).app_key == "only"


@pytest.mark.parametrize(("flags", "field", "hidden"), [
    (["--app-key", ".."], "appKey: must not be made only of dots", None),
    (["--token", "sbx-secret-value\n"], "token: only visible ASCII characters", "sbx-secret-value"),
    (["--token", "sbx-密钥-value"], "token: only visible ASCII characters", "sbx-密钥-value"),
])
def test_a_sandbox_no_client_could_call_is_refused_with_the_clients_rule(flags, field, hidden):
    proc = subprocess.run([sys.executable, "-m", "qrlogin_desktop", "sandbox", "--port", "0", *flags],
                          capture_output=True, text=True, timeout=20)
    assert proc.returncode == 2, proc.stderr
    assert field in proc.stderr and "Traceback" not in proc.stderr
    if hidden:
        assert hidden not in proc.stderr + proc.stdout


FORGED_HOST = "evil.example:666"


def test_a_forged_host_header_changes_nothing_the_document_tells_later_clients(sandbox: Sandbox):
    with SandboxThread(sandbox) as running, httpx.Client(base_url=running.url, timeout=5) as http:
        first = http.get("/openapi.json", headers={"Host": FORGED_HOST})
        later = http.get("/openapi.json")
    assert first.status_code == later.status_code == 200
    assert "evil.example" not in first.text and "evil.example" not in later.text
    assert later.json()["servers"] == [{"url": "/"}]


def test_scan_logo_link_is_the_sandboxs_own_address_whatever_the_host_header(sandbox: Sandbox):
    forged = {"Host": FORGED_HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9",
              "Authorization": f"Bearer {sandbox.config.token}"}
    with SandboxThread(sandbox) as running, httpx.Client(base_url=running.url, timeout=5) as http:
        key = http.post(f"/Wechat/{APP_KEY}/QR-Auth/Initiate", json={}, headers=forged).json()["data"]
        scanned = http.post(f"/Wechat/{APP_KEY}/QR-Auth/Scan", json={"signInKey": key}, headers=forged).json()
        # checked before it is fetched: a link to the forged host must never be followed off loopback
        assert scanned["data"]["logo"] == running.url + "/sandbox/logo.png"
        logo = http.get(scanned["data"]["logo"])
    assert logo.status_code == 200 and logo.content.startswith(b"\x89PNG")
