"""Headless Locust runs of the package's QR-flow users against the sandbox over real loopback.

Each run is `qrlogin-desktop load` in a process of its own, as an operator starts it, for a few
seconds and a few users; the sandbox runs in this process (tests/conftest.py's ``loopback``), so
its own records show that the flows really happened on the server.
"""

from __future__ import annotations

import re

import pytest
from load_support import FLOWS, run_load
from support import TEST_TOKEN

from qrlogin_desktop.load.history import HistoryReader
from qrlogin_desktop.sandbox.sessions import SessionState

pytestmark = pytest.mark.loopback

STEPS = ("QR-Auth/Initiate", "QR-Auth/Scan", "QR-Auth/Confirm-Login", "QR-Auth/Confirm-Register",
         "QR-Auth/Confirm-Login (poll)")


def delivered(sandbox) -> int:
    return sum(1 for key in list(sandbox.sessions._sessions)
               if (s := sandbox.sessions.get(key)) is not None and s.state is SessionState.DELIVERED)


def test_a_headless_run_completes_every_flow_with_no_failure(loopback, tmp_path):
    users_before = len(loopback.sandbox.users)
    result = run_load(tmp_path, "--users", "3", "--spawn-rate", "3", "--duration", "6", "--think-time", "0.3",
                      server=loopback.url)
    assert result.returncode == 0, result.output
    for flow in FLOWS:
        assert result.count("QRFLOW", flow) > 0, flow
        assert result.failed("QRFLOW", flow) == 0, flow
    for step in STEPS:
        assert result.count("POST", step) > 0 and result.failed("POST", step) == 0, step
    assert result.failed("", "Aggregated") == 0
    # The server's side of it: every registration made a user, and logins handed out their tokens.
    assert len(loopback.sandbox.users) - users_before >= result.count("QRFLOW", "registration")
    assert delivered(loopback.sandbox) >= result.count("QRFLOW", "simulated-login")


def test_two_local_workers_under_one_master_complete_flows_with_no_failure(loopback, tmp_path):
    result = run_load(tmp_path, "--users", "4", "--spawn-rate", "4", "--duration", "6", "--think-time", "0.3",
                      "--workers", "2", server=loopback.url)
    assert result.returncode == 0, result.output
    assert "2 workers connected" in result.output  # Locust's master saw both workers
    assert re.search(r"^master: locust -f \S+locustfile\.py --master ", result.output, re.M)
    assert len(re.findall(r"^worker: locust -f \S+ --worker --master-host 127\.0\.0\.1 ", result.output, re.M)) == 2
    for flow in FLOWS:
        assert result.count("QRFLOW", flow) > 0 and result.failed("QRFLOW", flow) == 0, flow
    assert result.failed("", "Aggregated") == 0


def test_failures_are_named_by_the_code_table(loopback, tmp_path):
    # Exactly these answers, in this order, then the sandbox answers normally again.
    loopback.sandbox.faults.script(["500", "500", "malformed:html"])
    result = run_load(tmp_path, "--users", "1", "--spawn-rate", "1", "--duration", "3", "--tags", "login",
                      server=loopback.url)
    assert result.returncode == 1, result.output  # Locust's exit code when anything failed
    failures = {(row["Method"], row["Name"], row["Error"]): int(row["Occurrences"]) for row in result.failures}
    assert failures == {
        ("POST", "QR-Auth/Initiate", "server_fault (code 500)"): 2,
        ("QRFLOW", "simulated-login", "server_fault (code 500) at QR-Auth/Initiate"): 2,
        ("POST", "QR-Auth/Initiate", "malformed"): 1,
        ("QRFLOW", "simulated-login", "malformed at QR-Auth/Initiate"): 1,
    }
    assert result.count("QRFLOW", "simulated-login") > 3  # after the faults, flows went on and succeeded
    # What the Load page charts: the same outcomes, read back from Locust's files.
    outcomes = HistoryReader(result.prefix).read().outcomes
    succeeded = result.count("QRFLOW", "simulated-login") - result.failed("QRFLOW", "simulated-login")
    assert outcomes == {"authenticated": succeeded, "server_fault": 2, "malformed": 1}


def test_a_refused_credential_is_named_and_never_shown(loopback, tmp_path):
    wrong = "wrong-bearer-credential-42"
    result = run_load(tmp_path, "--users", "1", "--spawn-rate", "1", "--duration", "2", "--tags", "login",
                      token=wrong, server=loopback.url)
    assert result.returncode == 1
    errors = {row["Error"] for row in result.failures}
    assert errors == {"credentials_refused (code 401)", "credentials_refused (code 401) at QR-Auth/Initiate"}
    assert wrong not in result.output


def test_a_profiles_code_table_decides_what_a_poll_waits_through(loopback, tmp_path):
    """The profile says 408 means stop: the polling desktop's first "not yet" ends its flow."""
    from qrlogin_desktop.storage.profiles import Profile, ProfileStore

    config = tmp_path / "config"
    store = ProfileStore(config / "profiles.json").load()
    store.upsert(Profile(name="strict", base_url=loopback.url, app_key="demo", code_table={"408": "stop"}))
    store.save()
    result = run_load(tmp_path, "--profile", "strict", "--users", "1", "--spawn-rate", "1", "--duration", "2",
                      "--tags", "poll", "--think-time", "1", env={"QRLOGIN_CONFIG_DIR": str(config)})
    assert result.returncode == 1, result.output
    errors = {row["Error"] for row in result.failures}
    assert "not_yet (code 408) at QR-Auth/Confirm-Login (poll)" in errors


def test_no_credential_or_token_reaches_the_output_or_the_reports(loopback, tmp_path):
    result = run_load(tmp_path, "--users", "2", "--spawn-rate", "2", "--duration", "3", "--think-time", "0.3",
                      "--html", str(tmp_path / "report.html"), server=loopback.url)
    assert result.returncode == 0, result.output
    texts = [result.output] + [p.read_text(encoding="utf-8") for p in tmp_path.glob("run_*.csv")]
    texts.append((tmp_path / "report.html").read_text(encoding="utf-8"))
    for text in texts:
        assert TEST_TOKEN not in text
        assert "eyJ" not in text  # the sandbox's tokens are JWTs: none reached Locust's stats or report


@pytest.mark.keyring
def test_a_profiles_credential_comes_from_the_keyring(loopback, tmp_path):
    """As `login` takes it: no --token-stdin, no $QRLOGIN_TOKEN, so the profile's keyring entry."""
    import uuid

    from keyring_support import delete_service_items, secret_service, with_timeout

    from qrlogin_desktop.storage.keystore import TokenStore
    from qrlogin_desktop.storage.profiles import Profile, ProfileStore

    service = f"qrlogin-load-test-{uuid.uuid4().hex}"
    config = tmp_path / "config"
    profiles = ProfileStore(config / "profiles.json").load()
    profile = Profile(name="staging", base_url=loopback.url, app_key="demo")
    profiles.upsert(profile)
    profiles.save()
    TokenStore(backend=secret_service(), service=service, timeout=10).save_credential(profile.id, TEST_TOKEN)
    try:
        result = run_load(tmp_path, "--profile", "staging", "--users", "1", "--spawn-rate", "1", "--duration", "2",
                          "--tags", "login", token=None,
                          env={"QRLOGIN_CONFIG_DIR": str(config), "QRLOGIN_KEYRING_SERVICE": service})
    finally:
        with_timeout(lambda: delete_service_items(service))
    assert result.returncode == 0, result.output
    assert result.count("QRFLOW", "simulated-login") > 0 and result.failed("QRFLOW", "simulated-login") == 0


def test_the_credential_can_come_on_stdin(loopback, tmp_path):
    import os
    import subprocess
    import sys

    from load_support import ROOT, read_stats

    env = {k: v for k, v in os.environ.items() if k != "QRLOGIN_TOKEN"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    done = subprocess.run([sys.executable, "-m", "qrlogin_desktop", "load", "--server", loopback.url, "--app-key", "demo",
                           "--token-stdin", "--users", "1", "--spawn-rate", "1", "--duration", "2", "--tags", "login",
                           "--csv", str(tmp_path / "run"), "--only-summary"],
                          input=TEST_TOKEN + "\n", env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    stats = read_stats(tmp_path / "run")
    assert int(stats[("QRFLOW", "simulated-login")]["Request Count"]) > 0
    assert TEST_TOKEN not in done.stdout + done.stderr


@pytest.mark.parametrize(("extra", "env_token", "named"), [
    (["--qr-codes", '{"408": "nap"}'], TEST_TOKEN, "--qr-codes: must be a JSON object of code -> one of"),
    ([], None, "QRLOGIN_TOKEN is not set"),
    (["--app-key", " "], TEST_TOKEN, "appKey: must not be blank"),
])
def test_an_operator_running_locust_directly_gets_a_named_refusal(loopback, tmp_path, extra, env_token, named):
    """`locust -f <locustfile>` without the app: a bad option or no credential stops the users, exit 2."""
    import os
    import subprocess
    import sys

    from load_support import ROOT

    from qrlogin_desktop.load import LOCUSTFILE

    env = {k: v for k, v in os.environ.items() if k != "QRLOGIN_TOKEN"}
    env["PYTHONPATH"] = str(ROOT)
    if env_token:
        env["QRLOGIN_TOKEN"] = env_token
    done = subprocess.run([sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "-u", "1", "-r", "1",
                           "-t", "2s", "--host", loopback.url, "--app-key", "demo", *extra, "--only-summary"],
                          env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert named in done.stderr
    assert "Traceback" not in done.stderr


def test_a_run_past_its_deadline_is_interrupted_and_reports(loopback, monkeypatch):
    """Locust told to run far longer than the plan (a later --run-time wins): the plan's deadline ends it."""
    import subprocess
    import time

    from qrlogin_desktop.load import run

    monkeypatch.setattr(run, "STOP_GRACE", 0.0)
    plan = run.LoadPlan(server=loopback.url, app_key="demo", users=1, spawn_rate=1, duration=1, tags=("login",),
                        only_summary=True, extra=("--run-time", "300s"))
    assert plan.deadline == 11.0
    output = []
    load = run.LoadRun(plan, TEST_TOKEN, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    started = time.monotonic()
    load.start()
    assert load.wait() == 2  # interrupted: a broken run
    assert time.monotonic() - started < plan.deadline + run.INTERRUPT_GRACE + 5
    output.append(load.master.stdout.read().decode())
    assert load.master.poll() is not None
    assert "simulated-login" in output[0]  # interrupted with SIGINT, Locust still printed its summary
