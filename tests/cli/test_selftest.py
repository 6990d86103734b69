"""``qrlogin-desktop --self-test``: a sandbox login, a keyring round trip and the UI in Chinese and back.

The self-test must say where the token went, fail when a step fails (missing translations, a
required keyring that is not there), and never touch the user's own keyring service.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from keyring.backends import fail
from keyring_support import secret_service, service_usernames, with_timeout

from qrlogin_desktop import __version__
from qrlogin_desktop.cli import selftest
from qrlogin_desktop.storage.keystore import StoredToken, TokenKey, TokenStore
from qrlogin_desktop.ui import i18n

ROOT = Path(__file__).resolve().parents[2]
SUBPROCESS_DEADLINE = 90  # s: a cold interpreter with Qt, uvicorn and D-Bus on a busy 2-core machine


@pytest.fixture
def qt_app(qapp):
    yield qapp
    i18n.install(i18n.ENGLISH)


def test_passes_on_the_real_keyring_and_leaves_no_entry(qt_app):
    backend = secret_service()
    service = f"qrlogin-self-test-{uuid.uuid4().hex}"
    verdict = selftest.run(service=service, backend=backend, require_keyring=True)
    assert verdict.ok, verdict.text
    assert verdict.exit_code == 0
    assert verdict.text.startswith(f"qrlogin-desktop {__version__} self-test PASSED")
    assert "stored in and removed from the keyring (SecretService" in verdict.text
    assert "UI switched to zh_CN and back" in verdict.text
    assert "\n" not in verdict.text
    assert with_timeout(lambda: service_usernames(service)) == []  # no token, no index entry


def test_removes_what_an_interrupted_earlier_run_left_behind(qt_app):
    backend = secret_service()
    service = f"qrlogin-self-test-{uuid.uuid4().hex}"
    earlier = TokenStore(backend=backend, service=service, timeout=10)
    left = StoredToken(TokenKey("http://127.0.0.1:1", "demo", "earlier"), "t" * 40, "Bearer", 60, 0.0)
    assert earlier.save(left).location == "keyring"
    verdict = selftest.run(service=service, backend=backend, require_keyring=True)
    assert verdict.ok, verdict.text
    assert with_timeout(lambda: service_usernames(service)) == []


def test_without_a_keyring_it_says_memory_and_can_require_one(qt_app):
    verdict = selftest.run(service=f"qrlogin-self-test-{uuid.uuid4().hex}", backend=fail.Keyring())
    assert verdict.ok, verdict.text
    assert "token stored in and removed from memory (no usable keyring" in verdict.text

    required = selftest.run(service=f"qrlogin-self-test-{uuid.uuid4().hex}", backend=fail.Keyring(),
                            require_keyring=True)
    assert not required.ok and required.exit_code == 1
    assert "self-test FAILED: token storage: a keyring was required" in required.text


def test_missing_translations_fail_the_self_test(qt_app, monkeypatch, tmp_path):
    monkeypatch.setattr(i18n, "qm_path", lambda language: str(tmp_path / f"qrlogin_{language}.qm"))
    verdict = selftest.run(service=f"qrlogin-self-test-{uuid.uuid4().hex}", backend=fail.Keyring())
    assert not verdict.ok and verdict.exit_code == 1
    assert "self-test FAILED: translations: the window title stayed" in verdict.text
    assert str(tmp_path) in verdict.text
    assert i18n.current() == i18n.ENGLISH  # the language it found is put back


def test_a_failing_login_fails_the_self_test(qt_app, monkeypatch):
    def no_sandbox(profile, **config):
        raise OSError("no free port")

    monkeypatch.setattr("qrlogin_desktop.flow.session.start_embedded_sandbox", no_sandbox)
    verdict = selftest.run(service=f"qrlogin-self-test-{uuid.uuid4().hex}", backend=fail.Keyring())
    assert not verdict.ok
    assert verdict.text.endswith("self-test FAILED: OSError: no free port")


def _environment_without_display() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return env


def test_command_line_self_test_offscreen_by_itself_and_the_users_tokens_untouched(tmp_path):
    backend = secret_service()
    user_service = f"qrlogin-user-{uuid.uuid4().hex}"
    user_store = TokenStore(backend=backend, service=user_service, timeout=10)
    mine = StoredToken(TokenKey("https://api.example.com", "app", "alice"), "user-token-" + "x" * 30, "Bearer",
                       3600, 0.0)
    assert user_store.save(mine).location == "keyring"
    env = _environment_without_display() | {"QRLOGIN_KEYRING_SERVICE": user_service,
                                             "QRLOGIN_CONFIG_DIR": str(tmp_path / "config")}
    try:
        done = subprocess.run([sys.executable, "-m", "qrlogin_desktop", "--self-test", "--require-keyring"],
                              capture_output=True, text=True, env=env, cwd=tmp_path, timeout=SUBPROCESS_DEADLINE)
        assert done.returncode == 0, done.stdout + done.stderr
        lines = done.stdout.splitlines()
        assert len(lines) == 1 and "self-test PASSED" in lines[0], done.stdout
        assert "(offscreen Qt platform)" in lines[0]
        assert with_timeout(lambda: service_usernames(selftest.SELF_TEST_SERVICE)) == []
        assert user_store.get(mine.key) == mine
        assert not (tmp_path / "config").exists()  # the user's configuration is not written either
    finally:
        user_store.delete(mine.key)
        with_timeout(lambda: [backend.delete_password(user_service, name)
                              for name in service_usernames(user_service)])


def test_require_keyring_needs_self_test():
    done = subprocess.run([sys.executable, "-m", "qrlogin_desktop", "--require-keyring"], capture_output=True,
                          text=True, env=_environment_without_display(), timeout=SUBPROCESS_DEADLINE)
    assert done.returncode == 2
    assert "--require-keyring only goes with --self-test" in done.stderr


def test_version_option_prints_the_package_version():
    done = subprocess.run([sys.executable, "-m", "qrlogin_desktop", "--version"], capture_output=True, text=True,
                          env=_environment_without_display(), timeout=SUBPROCESS_DEADLINE)
    assert done.returncode == 0
    assert done.stdout.strip() == f"qrlogin-desktop {__version__}"
