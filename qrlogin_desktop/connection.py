"""Resolving "which server, which credentials, which options" for the CLI and the GUI alike.

A :class:`Connection` is a profile made concrete: for the embedded sandbox it starts the server on
a free loopback port and fills in its URL and credential; for a real server it reads the bearer
credential from the keyring. It builds clients, poll policies and code tables from the profile.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .flow.policy import CodeTable, PollPolicy
from .profiles import Profile

if TYPE_CHECKING:
    from .api.client import QrLoginClient
    from .sandbox import SandboxThread

EMBEDDED_SERVER_LABEL = "embedded-sandbox"
KEYRING_SERVICE_ENV = "QRLOGIN_KEYRING_SERVICE"
MIB = 1024 * 1024


def keyring_service() -> str:
    return os.environ.get(KEYRING_SERVICE_ENV) or "qrlogin-desktop"


@dataclass
class Connection:
    base_url: str
    app_key: str
    token: str | None = field(repr=False)
    profile: Profile
    sandbox: SandboxThread | None = field(default=None, repr=False)

    @property
    def server_label(self) -> str:
        """The server part of a stored token's key: the embedded sandbox's port changes every run."""
        return EMBEDDED_SERVER_LABEL if self.profile.embedded_sandbox else self.base_url

    def client(self, **overrides: Any) -> QrLoginClient:
        from .api.client import QrLoginClient  # httpx is only needed once we talk to a server

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

    def close(self) -> None:
        if self.sandbox is not None:
            self.sandbox.stop()
            self.sandbox = None


def start_embedded_sandbox(profile: Profile, **config: Any) -> Connection:
    # Imported here: the server stack (Starlette, uvicorn, cryptography) is only needed once a
    # sandbox profile connects, which the GUI does after its window is on screen.
    from .sandbox import Sandbox, SandboxConfig, SandboxThread

    config.setdefault("app_key", profile.app_key or "demo")
    config.setdefault("session_ttl", profile.session_ttl)
    config.setdefault("explicit_consent", profile.sandbox_explicit_consent)
    running = SandboxThread(Sandbox(SandboxConfig(**config))).start()
    sandbox_config = running.sandbox.config
    return Connection(running.url, sandbox_config.app_key, sandbox_config.token, profile, running)


def connect(profile: Profile, token: str | None = None) -> Connection:
    """A connection for ``profile``; ``token`` is its bearer credential (from the keyring)."""
    if profile.embedded_sandbox:
        return start_embedded_sandbox(profile)
    return Connection(profile.base_url.rstrip("/"), profile.app_key, token, profile)
