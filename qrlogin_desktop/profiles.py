"""Server profiles: base URL, appKey and options, in a config file that never holds a secret.

The bearer credential of a profile lives in the OS keyring (keystore.TokenStore.save_credential),
keyed by the profile's id; the file only says *that* a profile has one. The file sits in the
platform's config directory (``QRLOGIN_CONFIG_DIR`` overrides it, for tests and portable use) and
is written atomically, so a crash mid-save never leaves half a file.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import uuid
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from platformdirs import user_config_dir

from .api.errors import ValidationError, Violation
from .atomic_file import write_json_atomically
from .qr import DEFAULT_PAYLOAD_TEMPLATE, PayloadTemplateError, check_payload_template

APP_NAME = "qrlogin-desktop"
CONFIG_FILE = "profiles.json"
SANDBOX_PROFILE_ID = "sandbox"
FORMAT_VERSION = 1
_SECRET_LOOKING = re.compile(r"(?i)(token|secret|password|credential|bearer)")


def config_dir() -> Path:
    override = os.environ.get("QRLOGIN_CONFIG_DIR")
    return Path(override) if override else Path(user_config_dir(APP_NAME, appauthor=False))


@dataclass
class Profile:
    name: str
    base_url: str
    app_key: str
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    verify_tls: bool = True
    timeout: float = 10.0
    poll_min_interval: float = 0.25
    poll_idle_interval: float = 1.0
    session_ttl: float = 120.0
    auto_refresh: int = 2
    payload_template: str = DEFAULT_PAYLOAD_TEMPLATE
    code_table: dict[str, str] = field(default_factory=dict)  # overrides of flow.policy.DEFAULT_CODES
    embedded_sandbox: bool = False  # URL and credential are filled in at launch

    def violations(self) -> list[Violation]:
        out: list[Violation] = []
        if not self.name.strip():
            out.append(Violation("name", "must not be blank", "不能为空", self.name))
        if not self.embedded_sandbox:
            parts = urlsplit(self.base_url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                out.append(Violation("base_url", "an http:// or https:// URL", "必须是 http:// 或 https:// 网址",
                                     self.base_url))
            if not self.app_key.strip():
                out.append(Violation("app_key", "must not be blank", "不能为空", self.app_key))
        for name in ("timeout", "poll_min_interval", "poll_idle_interval", "session_ttl"):
            if getattr(self, name) <= 0:
                out.append(Violation(name, "must be positive", "必须大于0", getattr(self, name)))
        if self.poll_idle_interval < self.poll_min_interval:
            out.append(Violation("poll_idle_interval", "must not be below poll_min_interval",
                                 "不能小于最小轮询间隔", self.poll_idle_interval))
        try:
            check_payload_template(self.payload_template)
        except PayloadTemplateError as exc:
            out.append(Violation("payload_template", str(exc), "二维码内容模板无效", self.payload_template))
        from .flow.policy import Action

        for code, action in self.code_table.items():
            if not str(code).isdigit() or action not in {a.value for a in Action}:
                out.append(Violation("code_table", f"code {code} -> {action}: need a number and one of "
                                     + ", ".join(a.value for a in Action), "错误码表无效", action))
        return out

    def validate(self) -> None:
        found = self.violations()
        if found:
            raise ValidationError(found, endpoint=f"profile {self.name!r}")

    @property
    def plain_http_warning(self) -> str | None:
        """Credentials over plain http to anything but this machine can be read on the way."""
        parts = urlsplit(self.base_url)
        if parts.scheme != "http" or self.embedded_sandbox:
            return None
        host = (parts.hostname or "").lower()
        if host == "localhost" or host.endswith(".localhost"):
            return None
        try:
            if ipaddress.ip_address(host).is_loopback:
                return None
        except ValueError:
            pass
        return (f"{self.name}: the bearer credential would travel unencrypted over http:// to {host}; "
                "use https:// for any server that is not on this machine")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Profile:
        known = {f.name for f in fields(cls)}
        # Unknown keys are dropped (forward compatibility); a secret-looking one is refused loudly
        # rather than silently kept, so an exported file with a pasted token does not spread.
        for key in data:
            if key not in known and _SECRET_LOOKING.search(key):
                raise ValueError(f"profile field {key!r} looks like a secret; secrets belong in the keyring")
        return cls(**{k: v for k, v in data.items() if k in known})


def sandbox_profile() -> Profile:
    return Profile(name="Sandbox / 沙盒", base_url="", app_key="demo", id=SANDBOX_PROFILE_ID, embedded_sandbox=True)


class ProfileStore:
    def __init__(self, path: Path | None = None):
        self.path = path or config_dir() / CONFIG_FILE
        self.profiles: list[Profile] = []
        self.active_id: str | None = None
        self.settings: dict[str, Any] = {}  # UI settings (language, window state): nothing secret

    @property
    def first_run(self) -> bool:
        return not self.path.exists()

    def load(self) -> ProfileStore:
        if self.path.exists():
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self.profiles = [Profile.from_json(p) for p in data.get("profiles", [])]
            self.active_id = data.get("active")
            self.settings = dict(data.get("settings", {}))
        if not any(p.embedded_sandbox for p in self.profiles):
            self.profiles.insert(0, sandbox_profile())
        if self.active is None:
            self.active_id = self.profiles[0].id
        return self

    @property
    def active(self) -> Profile | None:
        return self.get(self.active_id) if self.active_id else None

    def get(self, profile_id: str) -> Profile | None:
        return next((p for p in self.profiles if p.id == profile_id), None)

    def find(self, name_or_id: str) -> Profile | None:
        return self.get(name_or_id) or next((p for p in self.profiles if p.name == name_or_id), None)

    def upsert(self, profile: Profile) -> None:
        profile.validate()
        for i, existing in enumerate(self.profiles):
            if existing.id == profile.id:
                self.profiles[i] = profile
                return
        self.profiles.append(profile)

    def remove(self, profile_id: str) -> None:
        self.profiles = [p for p in self.profiles if p.id != profile_id or p.embedded_sandbox]
        if self.active is None:
            self.active_id = self.profiles[0].id

    def to_json(self) -> dict[str, Any]:
        return {"version": FORMAT_VERSION, "active": self.active_id, "settings": self.settings,
                "profiles": [p.to_json() for p in self.profiles]}

    def save(self) -> None:
        write_json_atomically(self.path, self.to_json())

    def export(self, path: Path, profile_ids: list[str] | None = None) -> None:
        chosen = [p for p in self.profiles if not p.embedded_sandbox and (profile_ids is None or p.id in profile_ids)]
        write_json_atomically(path, {"version": FORMAT_VERSION, "profiles": [p.to_json() for p in chosen]})

    def import_file(self, path: Path) -> list[Profile]:
        """Profiles from an exported file; ids already present get new ones (never overwrite)."""
        data = json.loads(path.read_text(encoding="utf-8"))
        imported = []
        for raw in data.get("profiles", []):
            profile = Profile.from_json(raw)
            if profile.embedded_sandbox:
                continue
            if self.get(profile.id):
                profile = replace(profile, id=uuid.uuid4().hex[:12])
            self.upsert(profile)
            imported.append(profile)
        return imported
