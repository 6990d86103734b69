"""One login session's seam, the same for the command line and the desktop.

A :class:`Connection` is a profile made concrete: for the embedded sandbox, :func:`connect` starts
the server on a free loopback port and fills in its URL and credential; for a real server it takes
the bearer credential given (command line) or reads the profile's from the keyring. Both front
ends then build a login only through it:

* :meth:`Connection.client` - the API client, with the profile's limits;
* :meth:`Connection.driver` - the flow driver, with the profile's poll policy and code table;
* :meth:`Connection.qr_payload` - what a QR encodes, from the profile's payload template;
* :meth:`Connection.save_token` - the one recipe that labels and stores a fresh token;

and :func:`fetch_miniprogram_code` asks the server for the second kind of QR (WeChat's own).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import APP_NAME
from ..storage.profiles import Profile
from .policy import CodeTable, PollPolicy
from .qr import render_payload

if TYPE_CHECKING:
    from ..api.client import QrLoginClient
    from ..api.models import QRCodePreSignInRequest, TokenModel
    from ..sandbox import SandboxThread
    from ..sandbox.forked import ForkedSandbox
    from ..storage.keystore import TokenStore
    from ..storage.token_records import SavedToken
    from .driver import FlowDriver

logger = logging.getLogger(__name__)

EMBEDDED_SERVER_LABEL = "embedded-sandbox"
KEYRING_SERVICE_ENV = "QRLOGIN_KEYRING_SERVICE"
MIB = 1024 * 1024


def keyring_service() -> str:
    return os.environ.get(KEYRING_SERVICE_ENV) or APP_NAME


@dataclass
class Connection:
    base_url: str
    app_key: str
    token: str | None = field(repr=False)  # the bearer credential sent with every call
    profile: Profile
    sandbox: SandboxThread | ForkedSandbox | None = field(default=None, repr=False)

    @property
    def server_label(self) -> str:
        """The server part of a stored token's key: the embedded sandbox's port changes every run."""
        return EMBEDDED_SERVER_LABEL if self.profile.embedded_sandbox else self.base_url

    def client(self, **overrides: Any) -> QrLoginClient:
        from ..api.client import QrLoginClient  # httpx is only needed once we talk to a server

        p = self.profile
        options: dict[str, Any] = {"timeout": p.timeout, "verify": p.verify_tls,
                                   "max_answer_bytes": p.max_answer_mib * MIB, "max_image_bytes": p.max_image_mib * MIB}
        options.update(overrides)
        return QrLoginClient(self.base_url, self.app_key, self.token, **options)

    def policy(self, **overrides: Any) -> PollPolicy:
        p = self.profile
        options: dict[str, Any] = {"min_interval": p.poll_min_interval, "idle_interval": p.poll_idle_interval,
                                   "session_ttl": p.session_ttl, "auto_refresh": p.auto_refresh}
        options.update(overrides)
        return PollPolicy(**options)

    def codes(self) -> CodeTable:
        return CodeTable.from_json(self.profile.code_table) if self.profile.code_table else CodeTable()

    def driver(self, client: QrLoginClient, *, initiate: QRCodePreSignInRequest | None = None,
               **policy_overrides: Any) -> FlowDriver:
        """A login on ``client`` (one of :meth:`client`'s) with the profile's policy and code table."""
        from .driver import FlowDriver

        return FlowDriver(client, policy=self.policy(**policy_overrides), codes=self.codes(), initiate=initiate)

    def qr_payload(self, sign_in_key: int) -> str:
        """What the QR for ``sign_in_key`` encodes. Raises ValueError (PayloadTemplateError) when the
        profile's template is unusable."""
        return render_payload(self.profile.payload_template, sign_in_key=sign_in_key, app_key=self.app_key,
                              server=self.base_url)

    async def save_token(self, store: TokenStore, token: TokenModel, account: str | None = None) -> SavedToken:
        """Label ``token`` (this server, the appKey, the account from its JWT unless given) and store
        it off the event loop; see :func:`~qrlogin_desktop.storage.token_records.save_login_token`."""
        from ..storage.token_records import save_login_token

        return await save_login_token(store, self, token, account)

    def close(self) -> None:
        if self.sandbox is not None:
            self.sandbox.stop()
            self.sandbox = None


def embedded_sandbox_config(profile: Profile) -> dict[str, Any]:
    """The SandboxConfig options the embedded sandbox takes from ``profile``."""
    return {"app_key": profile.app_key or "demo", "session_ttl": profile.session_ttl,
            "explicit_consent": profile.sandbox_explicit_consent}


def start_embedded_sandbox(profile: Profile, **config: Any) -> Connection:
    # Imported here: the server stack (Starlette, uvicorn, cryptography) is only needed once a
    # sandbox profile connects, which the GUI does after its window is on screen.
    from ..sandbox import Sandbox, SandboxConfig, SandboxThread

    running = SandboxThread(Sandbox(SandboxConfig(**(embedded_sandbox_config(profile) | config)))).start()
    sandbox_config = running.sandbox.config
    return Connection(running.url, sandbox_config.app_key, sandbox_config.token, profile, running)


def prestart_embedded_sandbox(profile: Profile | None) -> ForkedSandbox | None:
    """The embedded sandbox forked now, before the desktop app loads Qt, when ``profile`` is it
    (see sandbox/forked.py); None for another profile or where a fork is unsafe."""
    if profile is None or not profile.embedded_sandbox:
        return None
    from ..sandbox.forked import fork_sandbox

    return fork_sandbox(embedded_sandbox_config(profile))


def adopt_prestarted(prestarted: ForkedSandbox, profile: Profile) -> Connection | None:
    """A connection to ``prestarted`` when it serves ``profile`` and did start (blocking); else None,
    with ``prestarted`` stopped, so the caller starts a sandbox of its own."""
    from ..sandbox.forked import SandboxStartError

    if profile.embedded_sandbox and prestarted.config == embedded_sandbox_config(profile):
        try:
            started = prestarted.wait()
        except SandboxStartError as exc:
            logger.warning("the prestarted sandbox is not usable (%s); starting one in this process", exc)
        else:
            return Connection(started.url, started.app_key, started.token, profile, prestarted)
    prestarted.stop()
    return None


def connect(profile: Profile, credential: str | None = None, *, store: TokenStore | None = None,
            prestarted: ForkedSandbox | None = None) -> Connection:
    """A connection for ``profile``. Its bearer credential is ``credential`` when given, else the
    profile's in ``store`` (the keyring; a blocking call); the embedded sandbox makes its own, or is
    ``prestarted`` (:func:`prestart_embedded_sandbox`), which is stopped when it cannot serve."""
    if prestarted is not None:
        adopted = adopt_prestarted(prestarted, profile)
        if adopted is not None:
            return adopted
    if profile.embedded_sandbox:
        return start_embedded_sandbox(profile)
    if credential is None and store is not None:
        credential = store.get_credential(profile.id)
    return Connection(profile.base_url.rstrip("/"), profile.app_key, credential, profile)


async def fetch_miniprogram_code(client, sign_in_key: int, *, page: str | None = None, width: int | None = None):
    """The second QR source: WeChat's own mini-program code for ``scene = signInKey``.

    Returns the :class:`~qrlogin_desktop.api.models.ImageResult`; a JSON error from the server
    raises the client's typed error like any other call.
    """
    body: dict[str, object] = {"scene": str(sign_in_key)}
    if page:
        body["page"] = page
    if width:
        body["width"] = width
    return await client.wxacode_get_unlimited(body)
