"""Server profiles: base URL, appKey and options, in a config file that never holds a secret.

The bearer credential of a profile lives in the OS keyring (keystore.TokenStore.save_credential),
keyed by the profile's id; the file only says *that* a profile has one. The file sits in the
platform's config directory (``QRLOGIN_CONFIG_DIR`` overrides it, for tests and portable use) and
is written atomically, so a crash mid-save never leaves half a file.

A damaged file (not JSON, wrong types, invalid values) never stops the app: :meth:`ProfileStore.load`
first keeps a ``profiles.json.corrupt-<time>`` copy, then keeps what is valid, drops the rest and
says why in :attr:`ProfileStore.load_warnings` (the GUI shows them once, the CLI prints them).
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import shutil
import time
import typing
import uuid
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from platformdirs import user_config_dir

from .. import APP_NAME
from ..api.errors import ValidationError, Violation, shown_value
from ..flow.qr import DEFAULT_PAYLOAD_TEMPLATE, PayloadTemplateError, check_payload_template
from .atomic_file import write_json_atomically

CONFIG_FILE = "profiles.json"
SANDBOX_PROFILE_ID = "sandbox"
FORMAT_VERSION = 1
MAX_ANSWER_CAP_MIB = 1024  # a profile may raise the answer caps, but never to "unbounded"
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
    # Answer size caps (decoded MiB), above the client's defaults for a server that sends more.
    max_answer_mib: int = 16
    max_image_mib: int = 8
    payload_template: str = DEFAULT_PAYLOAD_TEMPLATE
    code_table: dict[str, str] = field(default_factory=dict)  # overrides of flow.policy.DEFAULT_CODES
    embedded_sandbox: bool = False  # URL and credential are filled in at launch
    # The embedded sandbox waits for the phone page's decision after a scan (its --explicit-consent).
    sandbox_explicit_consent: bool = False

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
        for name in ("max_answer_mib", "max_image_mib"):
            if not 1 <= getattr(self, name) <= MAX_ANSWER_CAP_MIB:
                out.append(Violation(name, f"must be between 1 and {MAX_ANSWER_CAP_MIB} MiB",
                                     f"必须在 1 到 {MAX_ANSWER_CAP_MIB} MiB 之间", getattr(self, name)))
        if self.poll_idle_interval < self.poll_min_interval:
            out.append(Violation("poll_idle_interval", "must not be below poll_min_interval",
                                 "不能小于最小轮询间隔", self.poll_idle_interval))
        try:
            check_payload_template(self.payload_template)
        except PayloadTemplateError as exc:
            out.append(Violation("payload_template", str(exc), "二维码内容模板无效", self.payload_template))
        from ..flow.policy import Action

        for code, action in self.code_table.items():
            if not str(code).isdigit() or action not in {a.value for a in Action}:
                out.append(Violation("code_table", f"code {code} -> {action}: need a number and one of "
                                     + ", ".join(a.value for a in Action), "业务码处理表无效", action))
        return out

    def validate(self) -> None:
        found = self.violations()
        if found:
            raise ValidationError(found, endpoint=f"profile {shown_value(self.name)}")

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
    def from_json(cls, data: Any) -> Profile:
        """Strict (for imports the user picked): any problem is a ValueError naming the field and the rule."""
        profile, problems = parse_profile(data)
        if problems or profile is None:
            raise ValueError("; ".join(problems))
        return profile


_REQUIRED = ("name", "base_url", "app_key")  # no default: a profile without them is dropped


def _type_problem(name: str, expected: Any, value: Any) -> str | None:
    """Why ``value`` does not fit the field's annotation, or None. JSON numbers may be ints for floats."""
    origin = typing.get_origin(expected) or expected
    if origin is bool:
        fits = isinstance(value, bool)
    elif origin is float:
        fits = isinstance(value, int | float) and not isinstance(value, bool)
    elif origin is int:
        fits = isinstance(value, int) and not isinstance(value, bool)
    elif origin is dict:
        fits = isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    else:
        fits = isinstance(value, origin)
    if fits:
        return None
    wanted = {bool: "true or false", float: "a number", int: "a whole number", str: "a string",
              dict: "an object of strings"}[origin]
    return f"{name}: must be {wanted}, got {json.dumps(value, ensure_ascii=False)[:40]}"


def parse_profile(data: Any) -> tuple[Profile | None, list[str]]:
    """The profile in ``data`` with every usable field, and the problems found.

    A field of the wrong type or with an invalid value falls back to its default; a profile whose
    name, base URL or appKey is unusable is dropped (None). Unknown keys are ignored (forward
    compatibility), except secret-looking ones, reported so a pasted token does not go unnoticed.
    """
    if not isinstance(data, dict):
        return None, [f"a profile must be an object, got {type(data).__name__}"]
    label = data.get("name") if isinstance(data.get("name"), str) else data.get("id", "?")
    hints = typing.get_type_hints(Profile)
    problems: list[str] = []
    kept: dict[str, Any] = {}
    known = {f.name for f in fields(Profile)}
    for key, value in data.items():
        if key not in known:
            if _SECRET_LOOKING.search(str(key)):
                problems.append(f"{key}: looks like a secret and was dropped; secrets belong in the keyring")
            continue
        problem = _type_problem(key, hints[key], value)
        if problem:
            problems.append(problem)
        else:
            kept[key] = value
    # The embedded sandbox's URL and appKey are filled in at launch, so only its name is needed.
    needed = ("name",) if kept.get("embedded_sandbox") else _REQUIRED
    missing = [name for name in needed if name not in kept]
    if missing:
        return None, [f"profile {shown_value(label)} dropped: " + "; ".join(problems + [f"{m}: missing" for m in missing])]
    if "id" in kept and not kept["id"].strip():
        del kept["id"]
    kept.setdefault("base_url", "")
    kept.setdefault("app_key", "")
    profile = Profile(**kept)
    defaults = {f.name: f.default if f.default is not MISSING else f.default_factory()  # type: ignore[misc]
                for f in fields(Profile) if f.name not in _REQUIRED}
    for violation in profile.violations():
        if violation.field in _REQUIRED:
            return None, [f"profile {shown_value(label)} dropped: " + "; ".join(problems + [f"{violation.field}: {violation.rule_en}"])]
        problems.append(f"{violation.field}: {violation.rule_en}; the default is used")
        reset = {violation.field: defaults[violation.field]}
        if violation.field == "poll_idle_interval":  # the rule ties the two intervals together
            reset["poll_min_interval"] = defaults["poll_min_interval"]
        profile = replace(profile, **reset)
    return profile, [f"profile {shown_value(label)}: {p}" for p in problems]


def sandbox_profile() -> Profile:
    return Profile(name="Sandbox / 沙盒", base_url="", app_key="demo", id=SANDBOX_PROFILE_ID, embedded_sandbox=True)


class ProfileStore:
    def __init__(self, path: Path | None = None):
        self.path = path or config_dir() / CONFIG_FILE
        self.profiles: list[Profile] = []
        self.active_id: str | None = None
        self.settings: dict[str, Any] = {}  # UI settings (language, window state): nothing secret
        self.load_warnings: list[str] = []  # what load() could not keep, and where the copy is

    def load(self) -> ProfileStore:
        self.load_warnings = []
        if self.path.exists():
            problems = self._read()
            if problems:
                copy = self._keep_copy()
                self.load_warnings = [f"{self.path} is damaged; a copy of it was kept as {copy}. "
                                      "What could be kept was loaded; dropped:", *problems]
        if not any(p.embedded_sandbox for p in self.profiles):
            self.profiles.insert(0, sandbox_profile())
        if self.active is None:
            self.active_id = self.profiles[0].id
        return self

    def _read(self) -> list[str]:
        """Fill in profiles, active id and settings from the file; the problems found."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return [f"the whole file: not valid JSON ({exc})"]
        if not isinstance(data, dict):
            return [f"the whole file: must be a JSON object, got {type(data).__name__}"]
        problems: list[str] = []
        raw_profiles = data.get("profiles", [])
        if not isinstance(raw_profiles, list):
            problems.append("profiles: must be a list")
            raw_profiles = []
        for raw in raw_profiles:
            profile, found = parse_profile(raw)
            problems += found
            if profile is None:
                continue
            if self.get(profile.id) is not None:
                problems.append(f"profile {shown_value(profile.name)} dropped: its id {profile.id} is used twice")
            elif profile.embedded_sandbox and any(p.embedded_sandbox for p in self.profiles):
                problems.append(f"profile {shown_value(profile.name)} dropped: a second embedded-sandbox profile")
            else:
                self.profiles.append(profile)
        active = data.get("active")
        if active is not None and not isinstance(active, str):
            problems.append("active: must be a profile id (a string)")
        else:
            self.active_id = active
        settings = data.get("settings", {})
        if isinstance(settings, dict):
            self.settings = dict(settings)
        else:
            problems.append("settings: must be an object; the defaults are used")
        return problems

    def _keep_copy(self) -> Path:
        """``profiles.json.corrupt-<UTC time>`` beside the file (never over an earlier copy)."""
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        copy = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 1
        while copy.exists():
            n += 1
            copy = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
        shutil.copy2(self.path, copy)  # keeps the mode: the copy is no more readable than the file
        return copy

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
