"""``qrlogin-desktop load``: its usage rules and bounds, the locustfile it ships, and a run against
a sandbox it starts in a process of its own (``--sandbox``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from qrlogin_desktop.cli import main

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "load"))
from load_support import run_load  # noqa: E402


def usage_error(capsys, *argv: str) -> str:
    assert main(["load", *argv]) == 2
    return capsys.readouterr().err


def test_the_locustfile_path_is_printed_and_locust_loads_its_user(capsys):
    assert main(["load", "--locustfile"]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path.name == "locustfile.py" and path.is_file()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    listed = subprocess.run([sys.executable, "-m", "locust", "-f", str(path), "--list"], capture_output=True,
                            text=True, timeout=60, env=env)
    assert listed.returncode == 0, listed.stderr
    assert "QrFlowUser" in listed.stdout


@pytest.mark.parametrize(("argv", "expected"), [
    (["--server", "http://127.0.0.1:9", "--app-key", "demo", "--duration", "5"], "--users required"),
    (["--sandbox", "--users", "3"], "--duration required"),
    (["--users", "3", "--duration", "5"], "give exactly one of --server"),
    (["--sandbox", "--server", "http://127.0.0.1:9", "--users", "3", "--duration", "5"], "got --server, --sandbox"),
    (["--server", "http://127.0.0.1:9", "--users", "3", "--duration", "5"], "--server needs --app-key"),
])
def test_usage_errors_name_the_option(capsys, monkeypatch, argv, expected):
    monkeypatch.setenv("QRLOGIN_TOKEN", "a-credential")
    assert expected in usage_error(capsys, *argv)


@pytest.mark.parametrize(("option", "value", "rule"), [
    ("--users", "0", "--users: must be between 1 and 10,000, got 0"),
    ("--users", "20000", "--users: must be between 1 and 10,000, got 20000"),
    ("--duration", "7200", "--duration: must be between 1 and 3600 s, got 7200"),
    ("--workers", "64", "--workers: must be between 0 and 32, got 64"),
    ("--spawn-rate", "0", "--spawn-rate: must be above 0 and at most 1000 users/s, got 0"),
])
def test_every_bound_of_a_run_is_checked_before_anything_starts(capsys, monkeypatch, option, value, rule):
    monkeypatch.setenv("QRLOGIN_TOKEN", "a-credential")
    argv = {"--users": "3", "--duration": "5", "--workers": "0", "--spawn-rate": "1", option: value}
    flat = [x for pair in argv.items() for x in pair]
    assert rule in usage_error(capsys, "--server", "http://127.0.0.1:9", "--app-key", "demo", *flat)


def test_a_server_without_a_credential_is_refused(capsys, monkeypatch):
    monkeypatch.delenv("QRLOGIN_TOKEN", raising=False)
    err = usage_error(capsys, "--server", "http://127.0.0.1:9", "--app-key", "demo", "--users", "1", "--duration", "2")
    assert "no bearer credential" in err


@pytest.mark.loopback
def test_a_run_against_a_sandbox_process_of_its_own(tmp_path):
    result = run_load(tmp_path, "--sandbox", "--users", "2", "--spawn-rate", "2", "--duration", "3", "--tags", "login",
                      token=None)
    assert result.returncode == 0, result.output
    assert result.count("QRFLOW", "simulated-login") > 0 and result.failed("QRFLOW", "simulated-login") == 0
    assert ("QRFLOW", "registration") not in result.stats  # --tags login: only that flow ran
    assert "Shutting down (exit code 0)" in result.output
