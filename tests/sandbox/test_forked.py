"""The desktop app's embedded sandbox forked at launch (qrlogin_desktop/sandbox/forked.py).

The fork itself runs in a fresh interpreter (pytest's own process has threads, where the app
refuses to fork); the parent's half (reading the report within its bounds, adopting or falling
back) runs here against pipes and a real sandbox on loopback.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from qrlogin_desktop.flow.session import adopt_prestarted, connect, embedded_sandbox_config
from qrlogin_desktop.sandbox import SandboxThread
from qrlogin_desktop.sandbox.forked import (
    CHILD_NICENESS,
    MAX_REPORT_BYTES,
    ForkedSandbox,
    SandboxStartError,
    read_report,
)
from qrlogin_desktop.storage.profiles import sandbox_profile

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the app forks its sandbox on Linux only")

FORK_AND_REPORT = """
import json, sys
from qrlogin_desktop.sandbox.forked import fork_sandbox
forked = fork_sandbox(json.loads(sys.argv[1]))
started = forked.wait()
print(json.dumps({"pid": forked.pid, "url": started.url, "app_key": started.app_key, "token": started.token}), flush=True)
sys.stdin.read()  # until the test closes our stdin ("stop") or kills this process ("wait")
if sys.argv[2] == "stop":
    forked.stop()
    print("stopped", flush=True)
"""


def _fork_in_fresh_interpreter(config: dict, then: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    return subprocess.Popen([sys.executable, "-c", FORK_AND_REPORT, json.dumps(config), then], env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _initiate(url: str, app_key: str, token: str) -> httpx.Response:
    return httpx.post(f"{url}/Wechat/{app_key}/QR-Auth/Initiate", json={},
                      headers={"Authorization": f"Bearer {token}"}, timeout=5)


def _refuses_connections(url: str, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
        except httpx.TransportError:
            return True
        time.sleep(0.05)
    return False


def test_the_forked_sandbox_serves_the_profiles_settings_and_ends_on_stop():
    config = embedded_sandbox_config(sandbox_profile()) | {"app_key": "forked-app"}
    parent = _fork_in_fresh_interpreter(config, "stop")
    report = json.loads(parent.stdout.readline())
    try:
        answer = _initiate(report["url"], report["app_key"], report["token"])
        assert report["app_key"] == "forked-app" and report["url"].startswith("http://127.0.0.1:")
        assert answer.status_code == 200 and answer.json()["code"] == 200, answer.text
        assert report["pid"] != parent.pid  # served by the child, not the process that forked it
    finally:
        parent.stdin.close()
    assert parent.stdout.readline().strip() == "stopped"
    assert parent.wait(10) == 0
    assert _refuses_connections(report["url"], within=1)


def test_the_forked_sandbox_ends_when_the_app_is_killed():
    parent = _fork_in_fresh_interpreter(embedded_sandbox_config(sandbox_profile()), "wait")
    report = json.loads(parent.stdout.readline())
    assert _initiate(report["url"], report["app_key"], report["token"]).status_code == 200
    parent.send_signal(signal.SIGKILL)  # no clean-up of any kind: only the lifeline's end-of-file
    parent.wait(10)
    assert _refuses_connections(report["url"], within=10)


def test_a_child_that_cannot_start_says_why():
    """An appKey the sandbox refuses: the child reports the rule it broke, not a traceback of its own."""
    parent = _fork_in_fresh_interpreter({"app_key": "   "}, "stop")
    _, errors = parent.communicate(timeout=30)
    last = errors.strip().splitlines()[-1]
    assert last.startswith("qrlogin_desktop.sandbox.forked.SandboxStartError: the sandbox failed to start: invalid input: "
                           "appKey: must not be blank")
    assert parent.returncode == 1


def _handle(config: dict) -> tuple[ForkedSandbox, int]:
    """A ForkedSandbox whose "child" is this test, writing the report by hand (pid 0: nothing to reap)."""
    report_read, report_write = os.pipe()
    lifeline_read, lifeline_write = os.pipe()
    os.close(lifeline_read)
    return ForkedSandbox(0, config, report_read, lifeline_write), report_write


def test_the_report_is_read_within_its_deadline_and_size_cap():
    silent_read, silent_write = os.pipe()
    try:
        with pytest.raises(SandboxStartError, match="did not start in time"):
            read_report(silent_read, time.monotonic() + 0.2)
    finally:
        os.close(silent_read), os.close(silent_write)
    handle, report = _handle({})
    os.write(report, b"x" * (MAX_REPORT_BYTES + 10))
    with pytest.raises(SandboxStartError, match=f"exceeds {MAX_REPORT_BYTES} bytes"):
        handle.wait(timeout=5)
    os.close(report)
    handle.stop()


@pytest.mark.parametrize("line", [b"<html>\n", b'{"url": "http://x"}\n', b"[1]\n"])
def test_a_report_that_is_not_the_childs_line_is_a_clear_error(line):
    handle, report = _handle({})
    os.write(report, line)
    with pytest.raises(SandboxStartError, match="not the expected JSON line"):
        handle.wait(timeout=5)
    os.close(report)
    handle.stop()


def test_a_child_that_ends_without_a_word_is_a_clear_error():
    handle, report = _handle({})
    os.close(report)
    with pytest.raises(SandboxStartError, match="ended before it listened"):
        handle.wait(timeout=5)
    handle.stop()


def test_connect_adopts_the_prestarted_sandbox_when_it_serves_the_profile():
    profile = sandbox_profile()
    with SandboxThread() as running:  # stands in for the child: a real server on loopback
        handle, report = _handle(embedded_sandbox_config(profile))
        token = running.sandbox.config.token
        os.write(report, json.dumps({"url": running.url, "app_key": "demo", "token": token}).encode() + b"\n")
        os.close(report)
        connection = connect(profile, prestarted=handle)
        assert connection.sandbox is handle and connection.base_url == running.url
        assert connection.token == token and token not in repr(connection) and token not in repr(handle.wait())
        connection.close()
        with pytest.raises(SandboxStartError, match="stopped"):
            ForkedSandbox(0, {}, None, None).wait()  # a stopped handle has nothing more to say


def test_a_prestarted_sandbox_for_other_settings_is_stopped_and_a_fresh_one_started():
    profile = sandbox_profile()
    handle, report = _handle(embedded_sandbox_config(profile) | {"session_ttl": 5.0})
    connection = adopt_prestarted(handle, profile)
    assert connection is None
    with pytest.raises(SandboxStartError, match="stopped"):
        handle.wait()
    os.close(report)


def test_after_a_failed_child_connect_starts_a_sandbox_in_this_process():
    profile = sandbox_profile()
    handle, report = _handle(embedded_sandbox_config(profile))
    os.write(report, json.dumps({"error": "address already in use"}).encode() + b"\n")
    os.close(report)
    fresh = connect(profile, prestarted=handle)
    try:
        assert isinstance(fresh.sandbox, SandboxThread)
        assert _initiate(fresh.base_url, fresh.app_key, fresh.token).status_code == 200
    finally:
        fresh.close()


def test_the_forked_sandbox_runs_below_the_apps_priority():
    """Where the two share a core, the window's start-up goes first (sandbox/forked.py)."""
    parent = _fork_in_fresh_interpreter(embedded_sandbox_config(sandbox_profile()), "stop")
    try:
        report = json.loads(parent.stdout.readline())
        assert os.getpriority(os.PRIO_PROCESS, report["pid"]) == os.getpriority(os.PRIO_PROCESS, parent.pid) + CHILD_NICENESS
    finally:
        parent.stdin.close()
    assert parent.stdout.readline().strip() == "stopped"
