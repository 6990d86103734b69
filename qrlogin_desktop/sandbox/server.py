"""Serving a :class:`Sandbox` with uvicorn: in the foreground (CLI) or on a background thread (GUI, tests)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import uvicorn

from .app import Sandbox, SandboxConfig, origin

DEFAULT_HOST = "127.0.0.1"  # loopback only unless the operator asks otherwise


def uvicorn_config(app, host: str = DEFAULT_HOST, port: int = 0, **overrides) -> uvicorn.Config:
    # proxy_headers off: uvicorn would otherwise let any local client set the scheme (and client
    # address) of its requests with X-Forwarded-* headers, and with it the logo links we hand out.
    # ws off: the sandbox serves no WebSocket, and uvicorn's default would import a WebSocket
    # library (wsproto: 40-120 ms) on every start, the GUI's embedded one included.
    options = dict(host=host, port=port, log_level="warning", access_log=False, lifespan="off",
                   timeout_graceful_shutdown=2, proxy_headers=False, ws="none")
    options.update(overrides)
    return uvicorn.Config(app, **options)


def run_on_uvicorn_loop(config: uvicorn.Config, main: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """Run ``main()`` on the event loop uvicorn would pick for ``config`` (uvloop when installed).

    ``asyncio.run(server.serve())`` skips that choice and always runs the stock loop; this is
    what ``uvicorn.run`` does, kept here so the CLI and the GUI's thread serve as benchmarked.
    """
    # uvicorn < 0.36 only offers a process-wide loop policy, which would also change the GUI's
    # loops: there (and with loop="none") the stock loop it is.
    factory = config.get_loop_factory() if hasattr(config, "get_loop_factory") else None
    if factory is None:
        return asyncio.run(main())
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(main())


@dataclass(frozen=True)
class Listening:
    host: str
    port: int

    @property
    def url(self) -> str:
        return origin(self.host, self.port)


def bound_address(server: uvicorn.Server) -> Listening:
    sock = server.servers[0].sockets[0]
    host, port = sock.getsockname()[:2]
    return Listening(host, port)


class SandboxThread:
    """Runs a sandbox on its own thread and event loop; ``start()`` returns once it accepts connections.

    >>> with SandboxThread() as running:
    ...     running.url, running.sandbox.config.token
    """

    def __init__(self, sandbox: Sandbox | None = None, host: str = DEFAULT_HOST, port: int = 0):
        self.sandbox = sandbox or Sandbox(SandboxConfig())
        self._server = uvicorn.Server(uvicorn_config(self.sandbox.app, host, port))
        self._server.install_signal_handlers = lambda: None  # only the main thread may own signals
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None
        self.address: Listening | None = None

    @property
    def url(self) -> str:
        if self.address is None:
            raise RuntimeError("the sandbox is not running")
        return self.address.url

    def start(self, timeout: float = 10.0) -> SandboxThread:
        self._thread = threading.Thread(target=self._run, name="qrlogin-sandbox", daemon=True)
        self._thread.start()
        deadline = threading.Event()
        waited = 0.0
        while not self._server.started and self._failure is None and self._thread.is_alive():
            deadline.wait(0.01)
            waited += 0.01
            if waited > timeout:
                raise TimeoutError(f"the sandbox did not start within {timeout} s")
        if not self._server.started:
            raise RuntimeError(f"the sandbox failed to start: {self._failure or 'unknown error'}")
        self.address = bound_address(self._server)
        return self

    def _run(self) -> None:
        try:
            run_on_uvicorn_loop(self._server.config, self._server.serve)
        except BaseException as exc:  # everything, uvicorn's SystemExit included: reported to start() and the owner
            self._failure = exc

    def stop(self, timeout: float = 5.0) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        self.address = None

    def __enter__(self) -> SandboxThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
