"""``qrlogin-desktop check`` as a real subprocess (``python -m qrlogin_desktop check``) against the sandbox on
127.0.0.1: its exit codes (0 all pass, 1 any fails, 2 bad usage or no server), its files, a profile's code
table, and the credential never in anything it prints or writes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from junitparser import JUnitXml
from support import APP_KEY

from qrlogin_desktop.sandbox import Sandbox, SandboxConfig, SandboxThread
from qrlogin_desktop.storage.profiles import Profile, ProfileStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "conformance"))
from variants import loose_nickname, unknown_key_401

pytestmark = [pytest.mark.loopback, pytest.mark.timeout(120)]
# Odd but sendable: every character a header may carry that a shell or a regex could trip on.
ODD_TOKEN = "T-odd~._+/=!#$%&'*^`|0123456789abcdefXYZ"


def check(*args: str, env: dict[str, str] | None = None, stdin: str | None = None,
          cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "QRLOGIN_TOKEN"}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "qrlogin_desktop", "check", *args], capture_output=True, text=True,
                          env=full_env, input=stdin, timeout=90, cwd=cwd)


@pytest.fixture
def config_dir(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "config"
    monkeypatch.setenv("QRLOGIN_CONFIG_DIR", str(path))
    return path


def served(sandbox: Sandbox | None = None, token: str = ODD_TOKEN) -> SandboxThread:
    return SandboxThread(sandbox or Sandbox(SandboxConfig(app_key=APP_KEY, token=token)))


def test_every_check_passes_exit_0_with_junit_and_html_written(tmp_path, config_dir):
    with served() as running:
        url = running.url
        done = check("--server", url, "--app-key", APP_KEY, "--junit", str(tmp_path / "c.xml"),
                     "--report", str(tmp_path / "c.html"), "--token-stdin", stdin=ODD_TOKEN + "\n")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    last = done.stdout.splitlines()[-1]
    assert " passed, 0 failed, " in last and url in last
    xml = JUnitXml.fromfile(str(tmp_path / "c.xml"))
    assert xml.failures == 0 and xml.tests > 200
    assert "<title>Conformance check: 0 failed" in (tmp_path / "c.html").read_text(encoding="utf-8")
    outputs = [done.stdout, done.stderr, (tmp_path / "c.xml").read_text(encoding="utf-8"),
               (tmp_path / "c.html").read_text(encoding="utf-8")]
    assert not any(ODD_TOKEN in text for text in outputs)


def test_a_broken_rule_exits_1_and_names_it(config_dir):
    box = loose_nickname(Sandbox(SandboxConfig(app_key=APP_KEY, token=ODD_TOKEN)))
    with served(box) as running:
        done = check("--server", running.url, "--app-key", APP_KEY, env={"QRLOGIN_TOKEN": ODD_TOKEN})
    assert done.returncode == 1
    fails = [line for line in done.stdout.splitlines() if line.startswith("FAIL ")]
    assert fails == ["FAIL  rules      QRAuthConfirmRegister nickName: 33 characters (max + 1), refused"]
    assert "tests: QRAuthConfirmRegister.nickName: 4 to 32 characters" in done.stdout
    assert ODD_TOKEN not in done.stdout + done.stderr


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("args, env, message", [
    (["--app-key", APP_KEY], {"QRLOGIN_TOKEN": ODD_TOKEN}, "give --server URL and --app-key K, or --profile NAME"),
    (["--server", "http://127.0.0.1:1"], {"QRLOGIN_TOKEN": ODD_TOKEN}, "--server needs --app-key"),
    (["--server", "http://127.0.0.1:1", "--app-key", APP_KEY], {}, "no bearer credential"),
    (["--profile", "nobody"], {"QRLOGIN_TOKEN": ODD_TOKEN}, "no profile named 'nobody'"),
    (["--server", "ftp://x", "--app-key", APP_KEY], {"QRLOGIN_TOKEN": ODD_TOKEN}, "base_url: an http:// or https:// URL"),
    (["--server", "http://127.0.0.1:1", "--app-key", APP_KEY, "--lang", "fr"], {}, "invalid choice: 'fr'"),
])
def test_bad_usage_exits_2(args, env, message, config_dir):
    done = check(*args, env=env)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr


def test_a_server_that_does_not_answer_exits_2(config_dir):
    done = check("--server", f"http://127.0.0.1:{_closed_port()}", "--app-key", APP_KEY,
                 env={"QRLOGIN_TOKEN": ODD_TOKEN})
    assert done.returncode == 2
    assert "error: the server does not answer: cannot connect to the server" in done.stderr
    assert ODD_TOKEN not in done.stderr + done.stdout


@pytest.mark.parametrize("token", ["qrsecret-with-a-break\nrest-7f3a", "qrsecret-non-ascii-令牌-7f3a",
                                   "qrsecret with spaces 7f3a"])
def test_an_odd_credential_that_cannot_be_sent_exits_2_without_showing_it(token, config_dir):
    done = check("--server", "http://127.0.0.1:1", "--app-key", APP_KEY, "--token-stdin", stdin=token + "\n")
    assert done.returncode == 2
    assert "the bearer credential from --token-stdin is refused" in done.stderr and "token:" in done.stderr
    assert "qrsecret" not in done.stderr + done.stdout and "7f3a" not in done.stderr + done.stdout


def test_a_profiles_code_table_lets_a_server_use_its_own_codes(config_dir):
    box = unknown_key_401(Sandbox(SandboxConfig(app_key=APP_KEY, token=ODD_TOKEN)))
    with served(box) as running:
        store = ProfileStore(config_dir / "profiles.json").load()
        store.upsert(Profile(name="Own codes", base_url=running.url, app_key=APP_KEY, code_table={"401": "stop"}))
        store.save()
        plain = check("--server", running.url, "--app-key", APP_KEY, env={"QRLOGIN_TOKEN": ODD_TOKEN})
        documented = check("--profile", "Own codes", env={"QRLOGIN_TOKEN": ODD_TOKEN})
    assert plain.returncode == 1 and "expected 404 (not_found)" in plain.stdout
    assert documented.returncode == 0, documented.stdout[-3000:]
    assert ODD_TOKEN not in (config_dir / "profiles.json").read_text(encoding="utf-8")
