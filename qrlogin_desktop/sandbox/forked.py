"""The desktop app's embedded sandbox in a child process forked before the app loads Qt.

Why a fork: the app's start-up runs on one core, and its worker thread's imports (Starlette, anyio,
uvicorn, cryptography: some 200 ms) and the sandbox's start contend for the GIL with the window
being built. A child forked at launch, while the parent is one thread with neither Qt nor the
server stack loaded, does that work on the machine's other core, and skips the 130-180 ms a fresh
interpreter (``subprocess``) would cost first. Linux only: macOS frameworks are not fork-safe and
Windows has no fork; there :func:`fork_sandbox` gives None and the app starts the sandbox on a
thread as before.

The child reports one JSON line on a private pipe (its URL, appKey and bearer credential, so no
credential is on a command line or in the environment), then serves until its lifeline, a second
pipe whose write end only the parent holds, reads end-of-file: on :meth:`ForkedSandbox.stop`, or
when the parent dies in any way at all.
"""

from __future__ import annotations

import json
import os
import select
import signal
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

START_WITHIN = 10.0  # s from the fork to the child's report; then the app starts a sandbox of its own
STOP_WITHIN = 5.0  # s the child has to finish after its lifeline closes; then it is killed
CHILD_NICENESS = 10  # the sandbox yields to the window (a niceness can only be raised, not lowered back)
MAX_REPORT_BYTES = 4096  # the report is one short line; anything longer is not the child's


class SandboxStartError(RuntimeError):
    """The forked sandbox did not report that it listens (it failed, fell silent or said too much)."""


@dataclass(frozen=True)
class Started:
    url: str
    app_key: str
    token: str

    def __repr__(self) -> str:  # never the bearer credential
        return f"Started(url={self.url!r}, app_key={self.app_key!r})"


def can_fork() -> bool:
    """A fork is safe here: Linux, and this process still has one thread (no lock another thread could hold)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and threading.active_count() == 1


def fork_sandbox(config: dict[str, Any]) -> ForkedSandbox | None:
    """A child serving ``Sandbox(SandboxConfig(**config))`` on a free loopback port; None where a fork is unsafe."""
    if not can_fork():
        return None
    report_read, report_write = os.pipe()
    lifeline_read, lifeline_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the parent's code, never runs its atexit handlers
        status = 1
        try:
            os.close(report_read)
            os.close(lifeline_write)
            status = _serve(config, report_write, lifeline_read)
        finally:
            os._exit(status)
    os.close(report_write)
    os.close(lifeline_read)
    return ForkedSandbox(pid, dict(config), report_read, lifeline_write)


class ForkedSandbox:
    """The parent's handle on the child: :meth:`wait` for its address, :meth:`stop` to end it."""

    def __init__(self, pid: int, config: dict[str, Any], report_fd: int, lifeline_fd: int):
        self.pid = pid
        self.config = config  # what it serves, to tell whether it is the sandbox a profile asks for
        self._report_fd: int | None = report_fd
        self._lifeline_fd: int | None = lifeline_fd
        self._started: Started | None = None
        self._lock = threading.Lock()

    def wait(self, timeout: float = START_WITHIN) -> Started:
        """Its URL and credential once it listens (blocking). Raises SandboxStartError."""
        with self._lock:
            if self._started is None:
                if self._report_fd is None:
                    raise SandboxStartError("the sandbox was stopped")
                try:
                    self._started = parse_report(read_report(self._report_fd, time.monotonic() + timeout))
                finally:
                    os.close(self._report_fd)
                    self._report_fd = None
            return self._started

    def stop(self, timeout: float = STOP_WITHIN) -> None:
        with self._lock:
            for fd in (self._report_fd, self._lifeline_fd):
                if fd is not None:
                    os.close(fd)  # the lifeline's end-of-file tells the child to finish
            self._report_fd = self._lifeline_fd = None
            if self.pid:
                _reap(self.pid, time.monotonic() + timeout)
                self.pid = 0


def read_report(fd: int, deadline: float) -> bytes:
    """The child's report line from ``fd``, by ``deadline`` (time.monotonic) and within MAX_REPORT_BYTES."""
    received = b""
    while not received.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise SandboxStartError("the sandbox did not start in time")
        if not select.select([fd], [], [], remaining)[0]:
            continue
        chunk = os.read(fd, MAX_REPORT_BYTES + 1 - len(received))
        if not chunk:
            raise SandboxStartError("the sandbox ended before it listened")
        received += chunk
        if len(received) > MAX_REPORT_BYTES:
            raise SandboxStartError(f"the sandbox's report exceeds {MAX_REPORT_BYTES} bytes")
    return received


def parse_report(line: bytes) -> Started:
    try:
        report = json.loads(line)
        if "error" in report:
            raise SandboxStartError(f"the sandbox failed to start: {report['error']}")
        return Started(str(report["url"]), str(report["app_key"]), str(report["token"]))
    except (ValueError, TypeError, KeyError) as exc:
        raise SandboxStartError("the sandbox's report is not the expected JSON line") from exc


def _serve(config: dict[str, Any], report_fd: int, lifeline_fd: int) -> int:
    """The child's whole life: start, report, serve until the lifeline closes, stop."""
    # Ctrl+C in a terminal reaches the whole process group; the child ends with the parent, after it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The window comes first: where the two processes share a core (a busy machine, a small VM) the
    # parent's start-up runs before the sandbox's. Measured: window shown +13 ms over no fork at
    # nice 10, +43 ms at the default priority; QR Login usable 100 ms sooner either way.
    os.nice(CHILD_NICENESS)
    # Nothing of the child's on the parent's stdout: a reader of it (a pipe) would wait for both.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    try:
        from .app import Sandbox, SandboxConfig
        from .server import SandboxThread

        running = SandboxThread(Sandbox(SandboxConfig(**config))).start()
    except BaseException as exc:  # everything, uvicorn's SystemExit included: the parent falls back
        _write_all(report_fd, {"error": str(exc) or type(exc).__name__})
        return 1
    sandbox_config = running.sandbox.config
    _write_all(report_fd, {"url": running.url, "app_key": sandbox_config.app_key, "token": sandbox_config.token})
    os.close(report_fd)
    while os.read(lifeline_fd, 1):  # blocks until the parent closes its end or dies
        pass
    running.stop()
    return 0


def _write_all(fd: int, report: dict[str, str]) -> None:
    data = (json.dumps(report) + "\n").encode()
    while data:
        data = data[os.write(fd, data):]


def _reap(pid: int, deadline: float) -> None:
    try:
        while time.monotonic() < deadline:
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return
            time.sleep(0.01)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except ChildProcessError:  # already reaped
        pass
