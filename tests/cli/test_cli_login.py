"""End-to-end tests of ``qrlogin-desktop login`` and ``qrlogin-desktop tokens`` against a real keyring.

The CLI runs as a real subprocess (``python -m qrlogin_desktop ...``) against a sandbox that also
runs as a subprocess, except for the secrets test, which also runs ``cli.main`` in-process so
``caplog`` sees every log record at DEBUG.

Every test gets its own keyring service name (``QRLOGIN_KEYRING_SERVICE``) and temporary HOME,
``QRLOGIN_CONFIG_DIR`` and XDG_* directories, so nothing touches the real home directory or the
real token list. ``DBUS_SESSION_BUS_ADDRESS`` is kept from the environment: the Secret Service
(gnome-keyring) is expected to be running on the outer session bus already.

Tests that store tokens need a usable Secret Service: they skip when none is reachable, unless
QRLOGIN_REQUIRE_KEYRING=1, in which case they fail instead. The exit-code tests do not need one
(they also check that nothing was stored when a keyring is there). Run them all with:

    dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock \
        --components=secrets >/dev/null; QRLOGIN_REQUIRE_KEYRING=1 \
        python -m pytest tests/cli/test_cli_login.py -q'
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import selectors
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from keyring_support import delete_service_items, probe_secret_service, secret_service

from qrlogin_desktop import cli
from qrlogin_desktop.storage.jwt_claims import decode_jwt_claims
from qrlogin_desktop.storage.keystore import StoredToken, TokenStore

pytestmark = [pytest.mark.loopback, pytest.mark.timeout(180)]

APP_KEY = "demo"
DEFAULT_UNIONID = "sandbox_user_0001"  # the sandbox's demo phone user
SANDBOX_LINE = re.compile(
    r"Sandbox listening on (?P<url>http://127\.0\.0\.1:(?P<port>\d+)) \(appKey=(?P<app_key>[^,]+), token=(?P<token>[^)]+)\)"
)
TRANSITION = re.compile(r"^\[\+\s*(?P<t>\d+\.\d{3})s\] (?P<source>\w+) → (?P<target>\w+)(?P<rest>.*)$")
XDG_DIRS = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME")
RUN_TIMEOUT = 60.0


def bearer() -> str:
    """A distinctive bearer credential T for one test."""
    return "T-" + secrets.token_urlsafe(30)


# ------------------------------------------------------------------ Secret Service availability


@pytest.fixture(name="secret_service")
def secret_service_fixture() -> KeyringBackend:
    return secret_service()


# ------------------------------------------------------------------------- isolated environment


@dataclass
class Sandbox:
    proc: subprocess.Popen[str]
    url: str
    token: str
    log: Path

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def stop(self) -> int:
        """SIGINT, as Ctrl+C would; returns the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout=15)
        finally:
            if self.proc.stdout is not None:
                self.proc.stdout.close()


@dataclass
class CliEnv:
    """One test's isolated environment: its own keyring service, HOME, config and XDG dirs."""

    root: Path
    service: str
    env: dict[str, str]
    dirs: dict[str, Path]
    backend: KeyringBackend | None
    sandboxes: list[Sandbox] = field(default_factory=list)

    def run(self, *args: str, timeout: float = RUN_TIMEOUT, stdin: str | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """``stdin``: text fed to the process (else /dev/null); ``env``: extra variables."""
        return subprocess.run(
            [sys.executable, "-m", "qrlogin_desktop", *args],
            env={**self.env, **(env or {})}, cwd=self.root, capture_output=True, text=True, encoding="utf-8",
            timeout=timeout, input=stdin, **({} if stdin is not None else {"stdin": subprocess.DEVNULL}),
        )

    def run_python(self, code: str, timeout: float = RUN_TIMEOUT) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", code], env=self.env, cwd=self.root, capture_output=True, text=True,
            encoding="utf-8", timeout=timeout, stdin=subprocess.DEVNULL,
        )

    def sandbox(self, *args: str, token: str | None = None) -> Sandbox:
        """``python -m qrlogin_desktop sandbox --port 0 ...``; returns once it printed its address."""
        token = token or bearer()
        log = self.root / "logs" / f"sandbox-{len(self.sandboxes)}.stderr"
        log.parent.mkdir(exist_ok=True)
        with log.open("w") as err:
            proc = subprocess.Popen(
                [sys.executable, "-m", "qrlogin_desktop", "sandbox", "--port", "0", "--token", token, *args],
                env=self.env, cwd=self.root, stdout=subprocess.PIPE, stderr=err, text=True,
                encoding="utf-8", stdin=subprocess.DEVNULL,
            )
        assert proc.stdout is not None
        line = ""
        deadline = time.monotonic() + 30
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline and proc.poll() is None:
                if sel.select(timeout=0.2):
                    line = proc.stdout.readline()
                    break
        match = SANDBOX_LINE.search(line)
        if match is None:
            proc.kill()
            proc.wait(5)
            pytest.fail(f"the sandbox did not announce its address: {line!r}; stderr: {log.read_text()!r}")
        assert match["app_key"] == APP_KEY and match["token"] == token, line
        running = Sandbox(proc, match["url"], token, log)
        self.sandboxes.append(running)
        return running

    def store(self) -> TokenStore:
        """The same keyring entries the CLI uses, read in-process through the keystore API."""
        if self.backend is None:
            raise RuntimeError("no usable Secret Service")
        return TokenStore(backend=self.backend, service=self.service, timeout=10)

    def stored(self) -> list[StoredToken]:
        return self.store().list() if self.backend is not None else []

    def private_dirs(self) -> list[Path]:
        return list(self.dirs.values())


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliEnv]:
    """Isolated env for subprocesses (and, via monkeypatch, for in-process ``cli.main``)."""
    service = f"qrlogin-cli-test-{uuid.uuid4().hex}"
    dirs = {"HOME": tmp_path / "home", "QRLOGIN_CONFIG_DIR": tmp_path / "qrlogin-config"}
    for name in XDG_DIRS:
        dirs[name] = tmp_path / name.lower()
    for path in dirs.values():
        path.mkdir(mode=0o700)
    overrides = {name: str(path) for name, path in dirs.items()}
    overrides.update({
        "QRLOGIN_KEYRING_SERVICE": service,
        "PYTHONIOENCODING": "utf-8",
        "PYTHONUNBUFFERED": "1",
        "QT_QPA_PLATFORM": "offscreen",
    })
    env = dict(os.environ)  # keeps DBUS_SESSION_BUS_ADDRESS: the keyring daemon lives on that bus
    env.update(overrides)
    for name, value in overrides.items():
        monkeypatch.setenv(name, value)
    backend, _ = probe_secret_service()
    ctx = CliEnv(tmp_path, service, env, dirs, backend)
    try:
        yield ctx
    finally:
        for running in ctx.sandboxes:
            if running.proc.poll() is None:
                running.proc.kill()
                running.proc.wait(10)
        if backend is not None:
            delete_service_items(service)


# ---------------------------------------------------------------------------------- helpers


def transitions(output: str) -> list[tuple[float, str, str, str]]:
    found = []
    for line in output.splitlines():
        m = TRANSITION.match(line)
        if m:
            found.append((float(m["t"]), m["source"], m["target"], m["rest"]))
    return found


def both(result: subprocess.CompletedProcess[str]) -> str:
    return f"{result.stdout}\n{result.stderr}"


def describe(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


def secret_fragments(secret: str, window: int = 20) -> set[str]:
    """The secret and every ``window``-character run of it."""
    return {secret} | {secret[i : i + window] for i in range(max(0, len(secret) - window) + 1)}


def jwt_secret_part(token: str) -> str:
    """Payload and signature of a JWT: the header is the same for every token the sandbox issues."""
    return token.split(".", 1)[1] if token.count(".") == 2 else token


def assert_no_secret(text: str, where: str, **named: str) -> None:
    for name, secret in named.items():
        assert secret not in text, f"the {name} appears in {where}"
        for fragment in secret_fragments(secret):
            assert fragment not in text, f"a 20-character fragment of the {name} appears in {where}"


def files_under(dirs: list[Path]) -> list[Path]:
    found = []
    for top in dirs:
        for root, _subdirs, names in os.walk(top, followlinks=False):
            for name in names:
                path = Path(root, name)
                if path.is_file() and not path.is_symlink():
                    found.append(path)
    return found


def assert_no_secret_in_files(dirs: list[Path], **named: str) -> int:
    files = files_under(dirs)
    for path in files:
        data = path.read_bytes()
        for name, secret in named.items():
            for fragment in secret_fragments(secret):
                assert fragment.encode() not in data, f"the {name} (or part of it) is in {path}"
    return len(files)


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- full CLI round trip


@pytest.mark.keyring
def test_login_then_tokens_list_show_delete(cli_env: CliEnv, secret_service: KeyringBackend) -> None:
    sandbox = cli_env.sandbox()
    T = sandbox.token

    login = cli_env.run("login", "--simulate", "--server", sandbox.url, "--app-key", APP_KEY, "--token", T)
    assert login.returncode == 0, describe(login)

    # Each state change, with its time since the start, in order.
    steps = transitions(login.stdout)
    assert [(s, t) for _, s, t, _ in steps] == [
        ("idle", "initiating"),
        ("initiating", "waiting_for_scan"),
        ("waiting_for_scan", "scanned"),
        ("scanned", "confirming"),
        ("confirming", "authenticated"),
    ], describe(login)
    times = [t for t, *_ in steps]
    assert times == sorted(times) and times[0] < 1.0 and times[-1] < 30.0, times
    # The signInKey: in the Initiate transition and printed with the QR, the same number.
    key_in_transition = re.search(r"initiating → waiting_for_scan\s+\(signInKey=(-?\d+)\)", login.stdout)
    key_printed = re.search(r"^signInKey: (-?\d+)$", login.stdout, re.MULTILINE)
    assert key_in_transition and key_printed, describe(login)
    assert key_in_transition[1] == key_printed[1]
    assert f"signInKey={key_printed[1]}" in login.stdout  # also in the QR payload line

    # Stored in the real keyring under (server URL, appKey, unionid).
    stored = cli_env.stored()
    assert len(stored) == 1, stored
    token = stored[0]
    claims = decode_jwt_claims(token.access_token)
    assert claims is not None and claims["unionid"] == DEFAULT_UNIONID
    assert (token.key.server, token.key.app_key, token.key.account) == (sandbox.url, APP_KEY, DEFAULT_UNIONID)
    assert token.token_type == "Bearer" and token.expires_in == 86400
    assert f"token stored (keyring) as: {token.key}" in login.stdout
    secret = token.access_token
    assert_no_secret(both(login), "login output", token=secret, bearer=T)

    # tokens list: one row with the server URL, appKey and account; never the token.
    listing = cli_env.run("tokens", "list")
    assert listing.returncode == 0, describe(listing)
    rows = [line.split() for line in listing.stdout.splitlines() if line.strip()]
    assert rows[0][:4] == ["#", "server", "appKey", "account"], listing.stdout
    assert len(rows) == 2 and rows[1][:4] == ["1", sandbox.url, APP_KEY, DEFAULT_UNIONID], listing.stdout
    assert_no_secret(both(listing), "tokens list", token=secret, bearer=T)

    # tokens show 1: redacted.
    show = cli_env.run("tokens", "show", "1")
    assert show.returncode == 0, describe(show)
    assert f"key:          {token.key}" in show.stdout
    assert f"access token: {token.redacted()}" in show.stdout
    assert DEFAULT_UNIONID in show.stdout  # the decoded claims
    assert_no_secret(both(show), "tokens show (without --reveal)", token=secret, bearer=T)

    # tokens show 1 --reveal: the whole token.
    reveal = cli_env.run("tokens", "show", "1", "--reveal")
    assert reveal.returncode == 0, describe(reveal)
    assert f"access token: {secret}\n" in reveal.stdout
    assert T not in both(reveal)

    # tokens delete 1 --yes: gone from the keyring and from the list.
    delete = cli_env.run("tokens", "delete", "1", "--yes")
    assert delete.returncode == 0, describe(delete)
    assert f"deleted {token.key}" in delete.stdout
    store = cli_env.store()
    assert store.list() == []
    assert store.get(token.key) is None
    after = cli_env.run("tokens", "list")
    assert after.returncode == 0 and "no stored tokens" in after.stdout, describe(after)
    # A selector that names no token: show and delete say so alike, and where to look.
    for command in (("show", "1"), ("delete", "1", "--yes")):
        missing = cli_env.run("tokens", *command)
        assert missing.returncode == 1, describe(missing)
        assert "no stored token matches '1' (see `qrlogin-desktop tokens list`)" in missing.stderr, describe(missing)

    assert sandbox.stop() == 0, sandbox.log.read_text()


@pytest.mark.keyring
def test_login_without_server_uses_the_embedded_sandbox(cli_env: CliEnv, secret_service: KeyringBackend) -> None:
    login = cli_env.run("login")
    assert login.returncode == 0, describe(login)
    assert re.search(r"^QR login at http://127\.0\.0\.1:\d+ \(appKey=demo\), simulating the phone$",
                     login.stdout, re.MULTILINE), login.stdout
    assert [t for _, _, t, _ in transitions(login.stdout)][-1] == "authenticated"
    stored = cli_env.stored()
    assert [(t.key.server, t.key.app_key, t.key.account) for t in stored] == [
        ("embedded-sandbox", APP_KEY, DEFAULT_UNIONID)
    ]
    assert_no_secret(both(login), "login output", token=stored[0].access_token)


@pytest.mark.keyring
def test_login_register_stores_the_new_users_token(cli_env: CliEnv, secret_service: KeyringBackend) -> None:
    login = cli_env.run("login", "--register", "--union-id", "new_user_x", "--nick-name", "四个字符")
    assert login.returncode == 0, describe(login)
    steps = [(s, t) for _, s, t, _ in transitions(login.stdout)]
    assert ("scanned", "registering") in steps and steps[-1] == ("confirming", "authenticated"), login.stdout
    assert "unionID=new_user_x" in login.stdout
    stored = cli_env.stored()
    assert [(t.key.server, t.key.account) for t in stored] == [("embedded-sandbox", "new_user_x")]
    claims = decode_jwt_claims(stored[0].access_token)
    assert claims is not None
    assert claims["unionid"] == "new_user_x" and claims["unique_name"] == "四个字符"
    assert claims["grant_type"] == "qrcode_register"


# -------------------------------------------------------------------- distinct exit codes
# These need no keyring (nothing gets stored); with one, they also check that nothing was.


def test_register_with_a_three_character_nickname_is_rejected(cli_env: CliEnv) -> None:
    login = cli_env.run("login", "--register", "--union-id", "new_user_y", "--nick-name", "三个字")
    assert login.returncode == 4, describe(login)
    assert "nickName" in both(login)
    assert "login ended: failed" in login.stdout
    assert cli_env.stored() == []


def test_unscanned_qr_expires_with_exit_3(cli_env: CliEnv) -> None:
    sandbox = cli_env.sandbox("--session-ttl", "0.5")
    started = time.monotonic()
    login = cli_env.run("login", "--server", sandbox.url, "--app-key", APP_KEY, "--token", sandbox.token,
                        "--session-ttl", "0.5", "--auto-refresh", "0")
    elapsed = time.monotonic() - started
    assert login.returncode == 3, describe(login)
    assert "waiting for a phone to scan" in login.stdout
    assert [t for _, _, t, _ in transitions(login.stdout)][-1] == "expired", login.stdout
    assert "login ended: expired" in login.stdout
    assert elapsed < 20, f"expiry of a 0.5 s QR took {elapsed:.1f} s"
    assert cli_env.stored() == []
    assert sandbox.stop() == 0


def test_wrong_bearer_is_rejected_with_exit_4(cli_env: CliEnv) -> None:
    sandbox = cli_env.sandbox()
    wrong = bearer()
    login = cli_env.run("login", "--simulate", "--server", sandbox.url, "--app-key", APP_KEY, "--token", wrong)
    assert login.returncode == 4, describe(login)
    assert "401" in login.stdout
    # The error-policy table's advice for the outcome, under the "login ended" line.
    assert "\nhint: check the bearer credential" in login.stdout, login.stdout
    assert_no_secret(both(login), "login output", bearer=wrong, sandbox_bearer=sandbox.token)
    assert cli_env.stored() == []
    assert sandbox.stop() == 0


def test_server_errors_end_with_exit_5(cli_env: CliEnv) -> None:
    sandbox = cli_env.sandbox("--error-rate", "1")
    login = cli_env.run("login", "--simulate", "--server", sandbox.url, "--app-key", APP_KEY,
                        "--token", sandbox.token)
    assert login.returncode == 5, describe(login)
    assert "500" in login.stdout and "login ended: failed" in login.stdout
    assert "\nhint: the server failed: run again later" in login.stdout, login.stdout
    assert cli_env.stored() == []
    assert sandbox.stop() == 0


def test_unreachable_server_ends_with_exit_5(cli_env: CliEnv) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    login = cli_env.run("login", "--simulate", "--server", url, "--app-key", APP_KEY, "--token", bearer(),
                        "--timeout", "5")
    assert login.returncode == 5, describe(login)
    assert "cannot connect" in login.stdout, login.stdout
    assert cli_env.stored() == []


# ----------------------------------------------------------------------------- secrets


@pytest.mark.keyring
def test_no_secret_in_files_logs_or_output_in_process(
    cli_env: CliEnv, secret_service: KeyringBackend, caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sandbox = cli_env.sandbox()
    T = sandbox.token
    caplog.set_level(logging.DEBUG)

    assert cli.main(["login", "--simulate", "--server", sandbox.url, "--app-key", APP_KEY, "--token", T]) == 0
    assert cli.main(["tokens", "list"]) == 0
    assert cli.main(["tokens", "show", "1"]) == 0
    captured = capsys.readouterr()

    stored = cli_env.stored()
    assert len(stored) == 1 and stored[0].key.server == sandbox.url, stored
    secret = stored[0].access_token
    assert "authenticated" in captured.out and sandbox.url in captured.out  # the output is the real one

    # Logging really ran at DEBUG (httpx/httpcore log every request), so the check below means something.
    assert caplog.records, "nothing was logged at DEBUG; the log check would prove nothing"
    assert any(r.levelno == logging.DEBUG for r in caplog.records)
    log_text = "\n".join(
        f"{r.name} {r.levelname} {r.getMessage()} {r.exc_text or ''} {r.stack_info or ''}" for r in caplog.records
    )
    assert_no_secret(log_text + "\n" + caplog.text, "the DEBUG log", token=secret, bearer=T)
    assert_no_secret(captured.out + captured.err, "the CLI output", token=secret, bearer=T)
    assert_no_secret(captured.out + captured.err, "the CLI output", token_body=jwt_secret_part(secret))

    assert_no_secret_in_files(cli_env.private_dirs(), token=secret, token_body=jwt_secret_part(secret), bearer=T)
    assert sandbox.stop() == 0


@pytest.mark.keyring
def test_no_secret_in_files_or_debug_output_of_a_subprocess(cli_env: CliEnv, secret_service: KeyringBackend) -> None:
    sandbox = cli_env.sandbox()
    T = sandbox.token
    code = (
        "import logging, sys\n"
        "logging.basicConfig(level=logging.DEBUG, stream=sys.stderr,\n"
        "                    format='%(asctime)s %(name)s %(levelname)s %(message)s')\n"
        "from qrlogin_desktop.cli import main\n"
        f"sys.exit(main(['login', '--simulate', '--server', {sandbox.url!r}, '--app-key', {APP_KEY!r},\n"
        f"               '--token', {T!r}]))\n"
    )
    login = cli_env.run_python(code)
    assert login.returncode == 0, describe(login)
    assert " DEBUG " in login.stderr, "DEBUG logging was not on in the subprocess"
    listing = cli_env.run("tokens", "list")
    show = cli_env.run("tokens", "show", "1")
    assert listing.returncode == 0 and show.returncode == 0, describe(listing) + describe(show)

    stored = cli_env.stored()
    assert len(stored) == 1, stored
    secret = stored[0].access_token
    for name, result in (("login", login), ("tokens list", listing), ("tokens show", show)):
        assert_no_secret(both(result), f"the output of {name}", token=secret,
                         token_body=jwt_secret_part(secret), bearer=T)
    assert_no_secret_in_files(cli_env.private_dirs(), token=secret, token_body=jwt_secret_part(secret), bearer=T)
    assert sandbox.stop() == 0


# ------------------------------------------------------------- where the credential comes from

PS_WARNING = "--token is visible to other users in the process list"


def test_help_documents_the_credential_precedence(cli_env: CliEnv) -> None:
    help_text = " ".join(cli_env.run("login", "--help").stdout.split())
    assert "first match wins: --token-stdin, --token, the QRLOGIN_TOKEN environment variable, the profile's " \
           "credential in the keyring" in help_text, help_text


def test_credential_from_the_environment_is_not_on_the_command_line(cli_env: CliEnv) -> None:
    sandbox = cli_env.sandbox()
    login = cli_env.run("login", "--simulate", "--server", sandbox.url, "--app-key", APP_KEY,
                        "--insecure-token-file", str(cli_env.root / "tokens.json"),
                        env={"QRLOGIN_TOKEN": sandbox.token})
    assert login.returncode == 0, describe(login)
    assert PS_WARNING not in login.stderr
    assert_no_secret(both(login), "login output", bearer=sandbox.token)
    assert sandbox.stop() == 0


def test_credential_from_stdin_drops_one_trailing_newline(cli_env: CliEnv) -> None:
    sandbox = cli_env.sandbox()
    login = cli_env.run("login", "--simulate", "--server", sandbox.url, "--app-key", APP_KEY, "--token-stdin",
                        "--insecure-token-file", str(cli_env.root / "tokens.json"), stdin=sandbox.token + "\n")
    assert login.returncode == 0, describe(login)
    assert PS_WARNING not in login.stderr
    assert_no_secret(both(login), "login output", bearer=sandbox.token)
    assert sandbox.stop() == 0


def test_empty_stdin_is_refused_before_any_request(cli_env: CliEnv) -> None:
    login = cli_env.run("login", "--server", "http://127.0.0.1:9", "--app-key", APP_KEY, "--token-stdin", stdin="\n")
    assert login.returncode == 2, describe(login)
    assert login.stderr.strip() == "error: --token-stdin: stdin held no credential", describe(login)
    assert "QR login at" not in login.stdout


def test_precedence_stdin_then_token_then_environment(cli_env: CliEnv) -> None:
    sandbox = cli_env.sandbox()
    tokens = ["--insecure-token-file", str(cli_env.root / "tokens.json")]
    target = ["login", "--simulate", "--server", sandbox.url, "--app-key", APP_KEY, *tokens]
    wrong = bearer()
    # --token beats QRLOGIN_TOKEN, and warns that it shows in ps.
    over_env = cli_env.run(*target, "--token", sandbox.token, env={"QRLOGIN_TOKEN": wrong})
    assert over_env.returncode == 0, describe(over_env)
    assert PS_WARNING in over_env.stderr
    # --token-stdin beats --token.
    over_flag = cli_env.run(*target, "--token", wrong, "--token-stdin", stdin=sandbox.token)
    assert over_flag.returncode == 0, describe(over_flag)
    # And the loser really was used when it stood alone: the wrong one is refused.
    alone = cli_env.run(*target, env={"QRLOGIN_TOKEN": wrong})
    assert alone.returncode == 4, describe(alone)
    for result in (over_env, over_flag, alone):
        assert_no_secret(both(result), "login output", bearer=sandbox.token, wrong=wrong)
    assert sandbox.stop() == 0


def test_a_refusal_is_printed_once(cli_env: CliEnv) -> None:
    sandbox = cli_env.sandbox()
    login = cli_env.run("login", "--simulate", "--server", sandbox.url, "--app-key", APP_KEY,
                        env={"QRLOGIN_TOKEN": bearer()})
    assert login.returncode == 4, describe(login)
    ended = [line for line in login.stdout.splitlines() if line.startswith("login ended: failed - ")]
    assert len(ended) == 1, describe(login)
    reason = ended[0].removeprefix("login ended: failed - ")
    assert "401" in reason
    assert both(login).count(reason) == 1, describe(login)
    assert sandbox.stop() == 0


def test_a_credential_with_a_second_newline_is_refused_in_one_line(cli_env: CliEnv) -> None:
    """The user's second newline stays in the credential. On 8dd36b1 it reached h11, whose error
    quoted the Authorization header, and the CLI printed that twice (exit 5); now the client's rule
    refuses it before any request: one line naming the source and the rule, never the value, exit 4."""
    sandbox = cli_env.sandbox()
    secret = bearer()
    login = cli_env.run("login", "--simulate", "--server", sandbox.url, "--app-key", APP_KEY, "--token-stdin",
                        stdin=secret + "\n\n")
    assert login.returncode == 4, describe(login)
    assert login.stdout == "", describe(login)
    assert login.stderr.count("\n") == 1 and login.stderr.startswith(
        "error: the bearer credential from --token-stdin is refused: invalid input: token: "), describe(login)
    assert_no_secret(both(login), "login output", bearer=secret)
    assert sandbox.stop() == 0
