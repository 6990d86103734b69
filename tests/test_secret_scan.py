"""Secret scans of the command line with odd credentials: nothing of them in any file, log line or message.

Odd credentials a user pastes: a trailing newline (kept by the environment variable), a second
newline after the one ``--token-stdin`` drops, non-ASCII characters, a tab, and a very long one.
The first ones cannot be sent as a header: the CLI must refuse them before any request, in one
line that names where the credential came from and the rule, never the value (exit 4). The very
long one is valid: a sandbox started with it (``sandbox --token``) takes it over loopback.

Scanned: every file under the test's root (HOME, config dir, XDG dirs, the working directory and
TMPDIR given to the process), stdout and stderr, and every log record at DEBUG (root, httpx,
httpcore) of the same login run in-process.
"""

from __future__ import annotations

import logging
import secrets

import pytest
import test_cli_login
from keyring.backend import KeyringBackend
from test_cli_login import (
    APP_KEY,
    CliEnv,
    assert_no_secret,
    assert_no_secret_in_files,
    both,
    describe,
    jwt_secret_part,
)

from qrlogin_desktop import cli

# The isolated-environment fixtures of the CLI login tests (their own HOME, config dir, keyring service).
cli_env = test_cli_login.cli_env
secret_service_fixture = test_cli_login.secret_service_fixture

pytestmark = [pytest.mark.proof, pytest.mark.loopback, pytest.mark.timeout(180)]

REFUSED_LINE = "error: the bearer credential from {source} is refused: invalid input: token: "
HTTP_LOGGERS = ("httpx", "httpcore")


def _base() -> str:
    return "T-" + secrets.token_urlsafe(30)


def _debug_everywhere(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in HTTP_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)


def _log_text(caplog: pytest.LogCaptureFixture) -> str:
    return caplog.text + "\n".join(
        f"{r.name} {r.levelname} {r.getMessage()} {r.exc_text or ''} {r.stack_info or ''} {r.args!r}"
        for r in caplog.records)


def _private_env(cli_env: CliEnv) -> dict[str, str]:
    tmp = cli_env.root / "tmp"
    tmp.mkdir(exist_ok=True)
    return {"TMPDIR": str(tmp)}


ODD = {
    "trailing newline": lambda base: base + "\n",
    "non-ASCII": lambda base: base + "é密钥",
    "a tab inside": lambda base: base[:12] + "\t" + base[12:],
}


@pytest.mark.parametrize("kind", list(ODD))
@pytest.mark.parametrize("how", ["environment", "stdin", "argv"])
def test_odd_credentials_are_refused_in_one_line_and_leave_no_trace(
        cli_env: CliEnv, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, kind: str, how: str) -> None:
    sandbox = cli_env.sandbox()
    secret = ODD[kind](_base())
    target = ["login", "--simulate", "--server", sandbox.url, "--app-key", APP_KEY]
    env = _private_env(cli_env)
    if how == "environment":
        run = cli_env.run(*target, env={**env, "QRLOGIN_TOKEN": secret})
        source = "QRLOGIN_TOKEN"
    elif how == "stdin":
        run = cli_env.run(*target, "--token-stdin", env=env, stdin=secret + "\n")  # the dropped newline
        source = "--token-stdin"
    else:
        run = cli_env.run(*target, "--token", secret, env=env)
        source = "--token"
    assert run.returncode == 4, describe(run)
    assert run.stdout == "", describe(run)
    refusals = [line for line in run.stderr.splitlines() if line.startswith("error: ")]
    assert len(refusals) == 1 and refusals[0].startswith(REFUSED_LINE.format(source=source)), describe(run)
    assert "Traceback" not in run.stderr
    assert_no_secret(both(run), "the CLI output", credential=secret, credential_core=secret.strip())

    # The same run in-process, every logger at DEBUG.
    _debug_everywhere(caplog)
    monkeypatch.setenv("QRLOGIN_TOKEN", secret)
    assert cli.main(target) == 4
    captured = capsys.readouterr()
    assert_no_secret(captured.out + captured.err, "the in-process output", credential=secret.strip())
    assert_no_secret(_log_text(caplog), "the DEBUG log", credential=secret.strip())

    assert_no_secret_in_files([cli_env.root], credential=secret.strip())
    assert cli_env.stored() == []
    assert sandbox.stop() == 0


def test_a_second_newline_on_stdin_is_refused_not_trimmed(cli_env: CliEnv) -> None:
    sandbox = cli_env.sandbox()
    secret = _base()
    run = cli_env.run("login", "--simulate", "--server", sandbox.url, "--app-key", APP_KEY, "--token-stdin",
                      stdin=secret + "\n\n", env=_private_env(cli_env))
    assert run.returncode == 4, describe(run)
    assert run.stderr.startswith(REFUSED_LINE.format(source="--token-stdin")) and run.stderr.count("\n") == 1
    assert_no_secret(both(run), "the CLI output", credential=secret)
    assert_no_secret_in_files([cli_env.root], credential=secret)
    assert sandbox.stop() == 0


VERY_LONG = 4000  # characters: far beyond any real credential, well inside a server's header limit


@pytest.mark.keyring
def test_a_very_long_valid_credential_logs_in_and_leaves_no_trace(
        cli_env: CliEnv, secret_service: KeyringBackend, caplog: pytest.LogCaptureFixture,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    long_secret = "L-" + secrets.token_urlsafe(VERY_LONG)[: VERY_LONG - 2]
    sandbox = cli_env.sandbox(token=long_secret)
    target = ["login", "--simulate", "--server", sandbox.url, "--app-key", APP_KEY]

    run = cli_env.run(*target, env={**_private_env(cli_env), "QRLOGIN_TOKEN": long_secret})
    assert run.returncode == 0, describe(run)

    _debug_everywhere(caplog)
    monkeypatch.setenv("QRLOGIN_TOKEN", long_secret)
    assert cli.main(target) == 0
    assert cli.main(["tokens", "list"]) == 0
    assert cli.main(["tokens", "show", "1"]) == 0
    captured = capsys.readouterr()
    assert any(r.name.startswith("httpx") or r.name.startswith("httpcore") for r in caplog.records), \
        "httpx/httpcore logged nothing at DEBUG: the log check would prove nothing"

    stored = cli_env.stored()
    assert stored and all(t.key.server == sandbox.url for t in stored), stored
    texts = {"the CLI output": both(run), "the in-process output": captured.out + captured.err,
             "the DEBUG log": _log_text(caplog)}
    for token in stored:
        for where, text in texts.items():
            assert_no_secret(text, where, bearer=long_secret, token=token.access_token,
                             token_body=jwt_secret_part(token.access_token))
        assert_no_secret_in_files([cli_env.root], bearer=long_secret, token_body=jwt_secret_part(token.access_token))
    assert sandbox.stop() == 0
