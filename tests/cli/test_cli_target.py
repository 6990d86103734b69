"""``login``, ``check`` and ``load`` read the server and the credential off the command line one way
(cli/target.py): the same options give the same target, the same problem the same line."""

from __future__ import annotations

import pytest

from qrlogin_desktop.cli import TOKEN_ENV, main

RUN = {"login": [], "check": [], "load": ["--users", "1", "--duration", "5"]}
SERVER = ["--server", "http://127.0.0.1:9", "--app-key", "demo"]


@pytest.fixture(autouse=True)
def _no_saved_profiles_nor_credential(tmp_path, monkeypatch):
    monkeypatch.setenv("QRLOGIN_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv(TOKEN_ENV, raising=False)


def error_of(capsys, command: str, *argv: str) -> tuple[int, str]:
    code = main([command, *argv, *RUN[command]])
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, errors
    return code, errors[0]


@pytest.mark.parametrize("command", RUN)
def test_no_credential_is_said_alike_before_any_request(capsys, command):
    code, line = error_of(capsys, command, *SERVER)
    assert line == (f"error: no bearer credential: give --token-stdin or ${TOKEN_ENV}, or save one with the "
                    f"profile (looked in {TOKEN_ENV})")
    # login names it among its refusals (4); check and load as bad usage (2)
    assert code == (4 if command == "login" else 2)


@pytest.mark.parametrize("command", RUN)
def test_a_server_without_app_key_is_said_alike(capsys, monkeypatch, command):
    monkeypatch.setenv(TOKEN_ENV, "a-credential")
    assert error_of(capsys, command, "--server", "http://127.0.0.1:9") == (2, "error: --server needs --app-key")


@pytest.mark.parametrize("command", RUN)
def test_an_unknown_profile_is_said_alike(capsys, monkeypatch, command):
    monkeypatch.setenv(TOKEN_ENV, "a-credential")
    assert error_of(capsys, command, "--profile", "nobody") == (2, "error: no profile named 'nobody'")


@pytest.mark.parametrize("command", ["login", "check"])
def test_an_option_that_breaks_a_profile_rule_is_refused_by_name(capsys, monkeypatch, command):
    monkeypatch.setenv(TOKEN_ENV, "a-credential")
    code, line = error_of(capsys, command, *SERVER, "--session-ttl", "0")
    assert code == 2 and line.startswith("error: session_ttl: ")
