"""Users and access tokens of the sandbox.

Tokens look like the predecessor API's: HS256 JWTs, ``token_type`` Bearer, ``expires_in`` 86400,
with its claim names. HS256 is a few lines of hmac over base64url; the sandbox signs with a
random per-process key, so its tokens are useless anywhere else.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from ..api.models import TokenModel

ISSUER = "qrlogin-sandbox"


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass(frozen=True)
class User:
    user_id: int
    union_id: str
    nick_name: str
    openid: str
    phone: str | None = None
    email: str | None = None
    avatar: str | None = None
    created_at: float = 0.0


class UserDirectory:
    """Registered users by unionID; starts with the demo phone user who scans in the sandbox."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_union: dict[str, User] = {}
        self._next_id = 10001
        self.default_user = self._add("sandbox_user_0001", "沙盒用户 Sandbox User", None, None, None, 0.0)

    def _add(self, union_id: str, nick: str, phone: str | None, email: str | None, avatar: str | None,
             now: float) -> User:
        openid = "o" + hashlib.sha256(union_id.encode()).hexdigest()[:27]
        user = User(self._next_id, union_id, nick, openid, phone, email, avatar, now)
        self._next_id += 1
        self._by_union[union_id] = user
        return user

    def register(self, form: dict[str, Any], now: float) -> User | None:
        """A new user from a registration form; None when the unionID is taken."""
        union_id = form["unionID"]
        with self._lock:
            if union_id in self._by_union:
                return None
            return self._add(union_id, form.get("nickName") or union_id, form.get("phone") or None,
                             form.get("email") or None, form.get("avatar") or None, now)

    def by_union(self, union_id: str) -> User | None:
        return self._by_union.get(union_id)

    def __len__(self) -> int:
        return len(self._by_union)


class TokenIssuer:
    def __init__(self, users: UserDirectory, *, lifetime: int = 86400, tenant_id: str = "sandbox"):
        self.users = users
        self.lifetime = lifetime
        self.tenant_id = tenant_id
        self._key = secrets.token_bytes(32)
        self._header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())

    def issue(self, user: User, app_key: str, *, grant: str, now: float) -> dict[str, Any]:
        iat = int(now)
        claims = {
            "jti": uuid.uuid4().hex,
            "tenant_id": self.tenant_id,
            "appid": app_key,
            "nameid": str(user.user_id),
            "unique_name": user.nick_name,
            "unionid": user.union_id,
            "platform": "wechat_miniprogram",
            "grant_type": grant,
            "nbf": iat,
            "exp": iat + self.lifetime,
            "iat": iat,
            "iss": ISSUER,
            "aud": app_key,
        }
        payload = _b64url(json.dumps(claims, ensure_ascii=False, separators=(",", ":")).encode())
        signing_input = f"{self._header}.{payload}"
        signature = _b64url(hmac.new(self._key, signing_input.encode(), hashlib.sha256).digest())
        return TokenModel(f"{signing_input}.{signature}", "Bearer", self.lifetime).to_json()

    def verify(self, token: str) -> dict[str, Any] | None:
        """Claims of a token this sandbox issued, or None (used by tests and the GUI's inspector)."""
        try:
            header, payload, signature = token.split(".")
        except ValueError:
            return None
        expected = _b64url(hmac.new(self._key, f"{header}.{payload}".encode(), hashlib.sha256).digest())
        if not hmac.compare_digest(expected, signature):
            return None
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
