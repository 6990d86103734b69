"""What the store holds: token keys, tokens, where a save went, and their JSON records."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from ..jwt_claims import decode_jwt_claims

TOKEN_PREFIX = "token:"
CREDENTIAL_PREFIX = "credential:"
RECORD_VERSION = 1

# Tokens shorter than this are shown only as their length: revealing 7
# characters of a 20-character secret would give away a third of it.
_REDACT_MIN_LEN = 24

Location = Literal["keyring", "memory", "file"]


def _escape(part: str) -> str:
    # '|' separates the key fields in the keyring username; escape it (and the
    # escape character) so ("a|b", "c") and ("a", "b|c") never collide.
    return part.replace("%", "%25").replace("|", "%7C")


def _unescape(part: str) -> str:
    return part.replace("%7C", "|").replace("%25", "%")


@dataclass(frozen=True)
class TokenKey:
    """Identifies one stored token: which server, which app, which account.

    ``account`` is a free label (the unionID, an openid, or ``"default"``).
    """

    server: str
    app_key: str
    account: str = "default"

    def __post_init__(self) -> None:
        for name in ("server", "app_key", "account"):
            if not isinstance(getattr(self, name), str):
                raise TypeError(f"TokenKey.{name} must be a str")

    @property
    def username(self) -> str:
        """The keyring username this token is stored under."""
        return f"{TOKEN_PREFIX}{_escape(self.server)}|{_escape(self.app_key)}|{_escape(self.account)}"

    @classmethod
    def from_username(cls, username: str) -> TokenKey | None:
        """The key a token username stands for; ``None`` when it is not one."""
        if not username.startswith(TOKEN_PREFIX):
            return None
        parts = username[len(TOKEN_PREFIX) :].split("|")
        if len(parts) != 3:
            return None
        return cls(*(_unescape(part) for part in parts))

    def to_json(self) -> dict[str, str]:
        return {"server": self.server, "app_key": self.app_key, "account": self.account}

    @classmethod
    def from_json(cls, data: object) -> TokenKey | None:
        """Parse an index entry; ``None`` when it is malformed."""
        if not isinstance(data, dict):
            return None
        values = [data.get(name) for name in ("server", "app_key", "account")]
        if not all(isinstance(v, str) for v in values):
            return None
        return cls(*values)  # type: ignore[arg-type]

    def __str__(self) -> str:
        return f"{self.server} / {self.app_key} / {self.account}"


def redact_parts(secret: str) -> tuple[str, int, str]:
    """What a redacted secret shows: its first 4 and last 3 characters and its length, or only its
    length when it is shorter than 24 characters (a UI words the length in its own language)."""
    n = len(secret)
    if n < _REDACT_MIN_LEN:
        return "", n, ""
    return secret[:4], n, secret[-3:]


def redact(secret: str) -> str:
    """Short, log-safe form of a secret: ``eyJh…(312 chars)…x9Q``.

    The result is always much shorter than the secret, so it can never contain
    it; secrets shorter than 24 characters are shown only as their length.
    """
    if not secret:
        return "(empty)"
    head, n, tail = redact_parts(secret)
    return f"{head}…({n} chars)…{tail}"


@dataclass(repr=False)
class StoredToken:
    """An access token plus what is needed to know when it expires.

    ``__repr__`` (and therefore ``str()``, f-strings, logging and tracebacks)
    shows only :meth:`redacted`, never the token itself.
    """

    key: TokenKey
    access_token: str
    token_type: str
    expires_in: int
    obtained_at: float = field(default_factory=time.time)  # epoch seconds

    @property
    def expires_at(self) -> float:
        return self.obtained_at + self.expires_in

    def seconds_left(self, now: float | None = None) -> float:
        """Seconds until expiry (negative once expired)."""
        return self.expires_at - (time.time() if now is None else now)

    def is_expired(self, now: float | None = None, *, leeway: float = 0.0) -> bool:
        return self.seconds_left(now) <= leeway

    @property
    def claims(self) -> dict[str, Any] | None:
        """Unverified JWT claims when the access token is a JWT, else ``None``."""
        return decode_jwt_claims(self.access_token)

    def redacted(self) -> str:
        return redact(self.access_token)

    def __repr__(self) -> str:
        return (
            f"StoredToken(key={self.key!r}, access_token={self.redacted()!r}, "
            f"token_type={self.token_type!r}, expires_in={self.expires_in!r}, "
            f"obtained_at={self.obtained_at!r})"
        )

    __str__ = __repr__

    # -- serialisation (the only place the secret is written out) --

    def to_record(self) -> dict[str, Any]:
        return {
            "v": RECORD_VERSION,
            "key": self.key.to_json(),
            "access_token": self.access_token,
            "token_type": self.token_type,
            "expires_in": self.expires_in,
            "obtained_at": self.obtained_at,
        }

    @classmethod
    def from_record(cls, record: object, key: TokenKey | None = None) -> StoredToken | None:
        """Rebuild from :meth:`to_record` output; ``None`` when malformed."""
        if not isinstance(record, dict):
            return None
        key = key or TokenKey.from_json(record.get("key"))
        access_token = record.get("access_token")
        token_type = record.get("token_type")
        expires_in = record.get("expires_in")
        obtained_at = record.get("obtained_at")
        if (
            key is None
            or not isinstance(access_token, str)
            or not isinstance(token_type, str)
            or not isinstance(expires_in, int)
            or isinstance(expires_in, bool)
            or not isinstance(obtained_at, (int, float))
            or isinstance(obtained_at, bool)
        ):
            return None
        return cls(key, access_token, token_type, expires_in, float(obtained_at))


def credential_record(secret: str) -> dict[str, Any]:
    return {"v": RECORD_VERSION, "secret": secret}


def credential_from_record(record: object) -> str | None:
    """The secret of a :func:`credential_record`; ``None`` when malformed."""
    if isinstance(record, dict) and isinstance(record.get("secret"), str):
        return record["secret"]
    return None


@dataclass(frozen=True)
class StorageResult:
    """Where :meth:`TokenStore.save` put the value, and a warning unless it was the keyring."""

    location: Location
    warning: str | None = None

    @property
    def secure(self) -> bool:
        return self.location == "keyring"

    @property
    def persistent(self) -> bool:
        return self.location != "memory"


def dumps(record: Any) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def loads(raw: str) -> Any:
    """json.loads that reports any garbage as ValueError."""
    try:
        return json.loads(raw)
    except RecursionError as exc:  # "[[[[..." nested deeper than the parser allows
        raise ValueError("JSON nested too deeply") from exc
