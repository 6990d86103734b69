"""Locust's own headless runner for the QR-flow users: one process, or a master with local workers.

No runner of our own: :class:`LoadPlan` only builds the ``locust`` command lines an operator would
type (``--master`` with ``--expect-workers W``, and W ``--worker --master-host 127.0.0.1``), and
:class:`LoadRun` starts them, waits within a deadline and stops them in order. The bearer credential
goes to each process in its environment (:data:`~.options.TOKEN_ENV`), never on a command line.

Every bound is here: users, spawn rate, duration and workers have ceilings; the whole run has a
deadline (the duration plus the time to start, stop and write reports), past which the processes
are interrupted and then killed.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ..api.errors import shown_value
from . import LOCUSTFILE
from .limits import FLOW_TAGS, MAX_DURATION, MAX_SPAWN_RATE, MAX_USERS, MAX_WORKERS
from .options import APP_KEY_ENV, TOKEN_ENV

WORKERS_CONNECT_WITHIN = 30  # s: the master gives up on missing workers after this (Locust's --expect-workers-max-wait)
STOP_GRACE = 30.0  # s after the duration for Locust to stop its users and write its summary and reports
INTERRUPT_GRACE = 15.0  # s between asking a process to stop (SIGINT) and killing it
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


@dataclass(frozen=True)
class LoadPlan:
    server: str
    app_key: str
    users: int
    spawn_rate: float
    duration: float
    workers: int = 0
    csv_prefix: str | None = None
    html_file: str | None = None
    tags: tuple[str, ...] = ()
    think_time: float | None = None
    call_timeout: float | None = None
    codes_json: str | None = None
    insecure: bool = False
    only_summary: bool = False
    extra: tuple[str, ...] = ()  # more Locust options, appended last (a later option wins)

    def problems(self) -> list[str]:
        """Each broken bound, naming the option and the rule."""
        out = []
        if not 1 <= self.users <= MAX_USERS:
            out.append(f"--users: must be between 1 and {MAX_USERS:,}, got {self.users}")
        if not 0 < self.spawn_rate <= MAX_SPAWN_RATE:
            out.append(f"--spawn-rate: must be above 0 and at most {MAX_SPAWN_RATE:g} users/s, got {self.spawn_rate:g}")
        if not 1 <= self.duration <= MAX_DURATION:
            out.append(f"--duration: must be between 1 and {MAX_DURATION:g} s, got {self.duration:g}")
        if not 0 <= self.workers <= MAX_WORKERS:
            out.append(f"--workers: must be between 0 and {MAX_WORKERS}, got {self.workers}")
        out += [f"--tags: unknown flow tag {shown_value(t)} (known: {', '.join(FLOW_TAGS)})" for t in self.tags if t not in FLOW_TAGS]
        if not self.server.startswith(("http://", "https://")):
            out.append(f"--server: must start with http:// or https://, got {shown_value(self.server)}")
        return out

    def _run_options(self) -> list[str]:
        args = ["--headless", "--users", str(self.users), "--spawn-rate", f"{self.spawn_rate:g}",
                "--run-time", f"{max(1, round(self.duration))}s", "--host", self.server, "--app-key", self.app_key]
        if self.csv_prefix:
            args += ["--csv", self.csv_prefix, "--csv-full-history"]
        if self.html_file:
            args += ["--html", self.html_file]
        if self.tags:
            args += ["--tags", *self.tags]
        for option, value in (("--qr-think-time", self.think_time), ("--qr-call-timeout", self.call_timeout)):
            if value is not None:
                args += [option, f"{value:g}"]
        if self.codes_json:
            args += ["--qr-codes", self.codes_json]
        if self.insecure:
            args.append("--qr-insecure")
        if self.only_summary:
            args.append("--only-summary")
        return args + list(self.extra)

    def commands(self, master_port: int | None = None) -> list[list[str]]:
        """The command lines: one standalone Locust, or the master first and then its workers."""
        locust = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE)]
        if not self.workers:
            return [locust + self._run_options()]
        assert master_port is not None
        master = locust + ["--master", "--master-bind-host", "127.0.0.1", "--master-bind-port", str(master_port),
                           "--expect-workers", str(self.workers),
                           "--expect-workers-max-wait", str(WORKERS_CONNECT_WITHIN)] + self._run_options()
        worker = locust + ["--worker", "--master-host", "127.0.0.1", "--master-port", str(master_port),
                           "--loglevel", "WARNING"]
        return [master] + [list(worker) for _ in range(self.workers)]

    @property
    def deadline(self) -> float:
        """Seconds the whole run may take before it is interrupted."""
        return self.duration + STOP_GRACE + (WORKERS_CONNECT_WITHIN if self.workers else 10.0)


def free_loopback_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_environment(token: str, app_key: str) -> dict[str, str]:
    """This environment plus the credential, for a Locust process."""
    env = child_environment_without_token()
    env[TOKEN_ENV] = token
    env[APP_KEY_ENV] = app_key
    return env


def child_environment_without_token() -> dict[str, str]:
    """This environment less any credential, with this package first on the path (Locust loads the
    locustfile by its file path, so the package it imports must be this one, not another install)."""
    env = {k: v for k, v in os.environ.items() if k != TOKEN_ENV}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_ROOT, env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    return env


class LoadRun:
    """The Locust processes of one plan: :meth:`start`, then :meth:`wait` (or :meth:`stop`)."""

    def __init__(self, plan: LoadPlan, token: str, *, stdout=None, stderr=None):
        self.plan = plan
        self._env = child_environment(token, plan.app_key)
        self._stdout, self._stderr = stdout, stderr
        self.processes: list[subprocess.Popen] = []
        self.commands: list[list[str]] = []

    def start(self) -> None:
        self.commands = self.plan.commands(free_loopback_port() if self.plan.workers else None)
        for i, command in enumerate(self.commands):
            self.processes.append(subprocess.Popen(
                command, env=self._env, stdin=subprocess.DEVNULL,
                stdout=self._stdout if i == 0 else subprocess.DEVNULL, stderr=self._stderr,
                # Their own process group: a Ctrl+C reaches this process only, which stops them in order.
                start_new_session=os.name == "posix"))

    @property
    def master(self) -> subprocess.Popen:
        return self.processes[0]

    def wait(self) -> int:
        """Locust's exit code (0 no failure, 1 failures, 2 a broken run); interrupts a run past its deadline."""
        try:
            code = self.master.wait(timeout=self.plan.deadline)
        except subprocess.TimeoutExpired:
            self.stop()
            return 2
        self._end_workers()
        return code

    def stop(self) -> int | None:
        """Ask Locust to stop now (it still prints its summary and writes its reports), then the workers."""
        interrupt(self.master)
        code = reap(self.master)
        self._end_workers()
        return code

    def _end_workers(self) -> None:
        # The master tells its workers to quit; a worker that did not is interrupted, then killed.
        for worker in self.processes[1:]:
            try:
                worker.wait(timeout=INTERRUPT_GRACE)
            except subprocess.TimeoutExpired:
                interrupt(worker)
                reap(worker)


def interrupt(process: subprocess.Popen) -> None:
    if process.poll() is None:
        if os.name == "posix":
            process.send_signal(signal.SIGINT)  # Locust writes its HTML report on SIGINT, not on SIGTERM
        else:
            process.terminate()


def reap(process: subprocess.Popen) -> int | None:
    try:
        return process.wait(timeout=INTERRUPT_GRACE)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait(timeout=5)


def load_command(*, users: int, spawn_rate: float, duration: float, workers: int, csv_prefix: str, html_file: str,
                 server: str | None = None, app_key: str | None = None) -> list[str]:
    """``qrlogin-desktop load`` as the app's Load page runs it: against ``server``, or with no server
    against a sandbox process of its own (``--sandbox``). The credential goes in the environment."""
    where = ["--server", server, "--app-key", app_key or ""] if server else ["--sandbox"]
    return [sys.executable, "-m", "qrlogin_desktop", "load", *where, "--users", str(users),
            "--spawn-rate", f"{spawn_rate:g}", "--duration", f"{duration:g}", "--workers", str(workers),
            "--csv", csv_prefix, "--html", html_file]
