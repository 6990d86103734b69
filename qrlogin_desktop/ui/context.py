"""The application's shared state for every panel: profiles, keyring, the active connection.

Panels never build URLs or parse envelopes: they ask the context for the active
:class:`~qrlogin_desktop.api.client.QrLoginClient` and run its coroutines through
:meth:`AppContext.run`, which executes them on the worker loop and calls back on the GUI thread.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from ..flow.session import Connection, connect, keyring_service
from ..storage.profiles import Profile, ProfileStore
from .runner import AsyncRunner, Callback, Outcome

if TYPE_CHECKING:  # httpx loads with the first connection, after the window is up
    from ..api.client import QrLoginClient
    from ..api.exchange import Exchange
    from ..sandbox.forked import ForkedSandbox
    from ..storage.keystore import TokenStore

HEALTH_INTERVAL_MS = 10_000
# Exchanges kept for the Request Log until its page takes them (it is built after the first requests).
LOG_BACKLOG_LIMIT = 1000
CLIENT_MODULE = "qrlogin_desktop.api.client"


class AppContext(QObject):
    connection_changed = Signal()  # a new active connection (or none while connecting)
    connection_failed = Signal(str)  # the active profile could not be connected
    exchange_logged = Signal(object)  # Exchange, for the request log; emitted on the GUI thread
    tokens_changed = Signal()  # the keyring's token list changed
    health_changed = Signal(object)  # float latency ms, or an error text
    profiles_changed = Signal()
    _answered = Signal(object, object)  # (client, Exchange) of each exchange, queued to the GUI thread

    def __init__(self, profiles: ProfileStore, token_store: TokenStore | None = None,
                 runner: AsyncRunner | None = None, parent: QObject | None = None,
                 prestarted_sandbox: ForkedSandbox | None = None):
        super().__init__(parent)
        self.profiles = profiles
        # The embedded sandbox the app forked at launch (flow.session.prestart_embedded_sandbox),
        # handed to the first activation, which adopts it or stops it.
        self._prestarted_sandbox = prestarted_sandbox
        self._token_store = token_store
        self._runner = runner
        self.connection: Connection | None = None
        self.client: QrLoginClient | None = None
        self.health: float | str | None = None
        # The ping only shows that the server answers; whether it takes our credential shows in the
        # calls themselves: True after a call answered HTTP 401 (the contract's "invalid bearer"),
        # False again after any later answer that was not a 401.
        self.credential_refused = False
        self._answered.connect(self._on_answered)
        self._log_backlog: deque[Exchange] | None = deque(maxlen=LOG_BACKLOG_LIMIT)
        self.connecting = False
        self._health_timer = QTimer(self)
        self._health_timer.setInterval(HEALTH_INTERVAL_MS)
        self._health_timer.timeout.connect(self.check_health)

    @property
    def token_store(self) -> TokenStore:
        # Made on first use (the keystore package is not needed to draw the window); it only
        # names the keyring service here: the keyring itself is read on a worker, later.
        if self._token_store is None:
            from ..storage.keystore import TokenStore

            self._token_store = TokenStore(service=keyring_service())
        return self._token_store

    # --- running work off the GUI thread --------------------------------------------------------------

    @property
    def runner(self) -> AsyncRunner:
        # Created on first use: the worker loop (and asyncio) start after the window is shown.
        if self._runner is None:
            self._runner = AsyncRunner(self)
        return self._runner

    def run(self, coro: Coroutine[Any, Any, Any], on_done: Callback | None = None):
        return self.runner.submit(coro, on_done)

    def run_blocking(self, fn: Callable[[], Any], on_done: Callback | None = None):
        """A blocking call (keyring, file I/O) on a worker thread, result on the GUI thread."""
        import asyncio

        return self.runner.submit(asyncio.to_thread(fn), on_done)

    # --- the active profile -----------------------------------------------------------------------------

    @property
    def profile(self) -> Profile | None:
        return self.profiles.active

    def activate(self, profile: Profile, on_done: Callback | None = None) -> None:
        """Connect to ``profile`` in the background (starting the embedded sandbox if that is it)."""
        self.profiles.active_id = profile.id
        self.connecting = True
        old_client, old_connection = self.client, self.connection
        self.client = self.connection = None
        self.health = None
        self.credential_refused = False
        self.connection_changed.emit()
        # Taken here, on the GUI thread; the embedded sandbox makes its own credential (no keyring).
        store = None if profile.embedded_sandbox else self.token_store
        prestarted, self._prestarted_sandbox = self._prestarted_sandbox, None

        async def work() -> tuple[Connection, QrLoginClient]:
            import asyncio
            import importlib

            if old_client is not None:
                await old_client.aclose()
            if old_connection is not None:
                await asyncio.to_thread(old_connection.close)
            # The HTTP stack loads on a thread of its own while the sandbox starts: on the first
            # connection both are imports that would otherwise run one after the other.
            client_loaded = asyncio.ensure_future(asyncio.to_thread(importlib.import_module, CLIENT_MODULE))
            # Reading the keyring, or starting the sandbox (it binds a socket and waits for
            # uvicorn), blocks: never on the GUI thread.
            try:
                connection = await asyncio.to_thread(connect, profile, store=store, prestarted=prestarted)
            finally:
                await client_loaded
            client = connection.client()
            client.add_listener(lambda exchange: self._answered.emit(client, exchange))  # queued to the GUI thread
            return connection, client

        def done(outcome: Outcome) -> None:
            self.connecting = False
            if outcome.ok:
                self.connection, self.client = outcome.value
                self.connection_changed.emit()
                self.check_health()
                self._health_timer.start()
            elif not outcome.cancelled:
                self.connection_failed.emit(str(outcome.error))
            if on_done is not None:
                on_done(outcome)

        self.run(work(), done)

    def check_health(self) -> None:
        client = self.client
        if client is None:
            return

        def done(outcome: Outcome) -> None:
            if client is not self.client:
                return  # a stale answer about a connection we already left
            self.health = outcome.value if outcome.ok else str(outcome.error or "cancelled")
            self.health_changed.emit(self.health)

        self.run(client.ping(), done)

    def take_log_backlog(self) -> list[Exchange]:
        """The exchanges logged so far (the newest LOG_BACKLOG_LIMIT), for the Request Log's page to
        take once when it is built and then follow :attr:`exchange_logged`: both on the GUI thread,
        so none falls between. Nothing is kept here after that."""
        backlog, self._log_backlog = list(self._log_backlog or ()), None
        return backlog

    def _on_answered(self, client: QrLoginClient, exchange: Exchange) -> None:
        if self._log_backlog is not None:
            self._log_backlog.append(exchange)
        self.exchange_logged.emit(exchange)
        self._note_answer(client, exchange.status)

    def _note_answer(self, client: QrLoginClient, status: int | None) -> None:
        if client is not self.client or status is None:
            return  # a connection we already left, or no answer at all (that is the ping's business)
        refused = status == 401
        if refused != self.credential_refused:
            self.credential_refused = refused
            self.health_changed.emit(self.health)

    def shutdown(self) -> None:
        self._health_timer.stop()
        client, connection = self.client, self.connection
        self.client = self.connection = None

        async def close() -> None:
            if client is not None:
                await client.aclose()

        if client is not None:
            try:
                self.run(close()).result(3)
            except Exception:  # closing on exit must not raise
                pass
        if connection is not None:
            connection.close()
        if self._prestarted_sandbox is not None:  # never activated
            self._prestarted_sandbox.stop()
            self._prestarted_sandbox = None
        if self._runner is not None:
            self._runner.shutdown()
