"""QR sessions of the sandbox, exactly per the contract's "Sandbox session lifecycle".

States: waiting -> scanned -> registered (optional) -> delivered; any state but delivered ->
expired when the time to live runs out. The clock is injected so tests expire sessions without
sleeping. Each operation returns an :class:`Outcome` (envelope code + data); the HTTP layer only
serialises it.

    call             waiting  scanned                       registered           delivered  expired
    Scan             ->scanned 409                           409                  409        410
                     200+info
    Confirm-Login    408      token, ->delivered, 200         registration token,  409        410
                              (202 while registration is      ->delivered, 200
                              required)
    Confirm-Register 408      new user, token, ->registered   409                  409        410
                              200 (409 if unionID exists)

Every call shares one preamble (``_on_live``): an unknown signInKey answers 404, an expired session 410;
every call after the scan (both Confirm calls and the phone's decision below) also answers 408 while
the session waits for its scan (``_on_pending``).

Explicit consent (``explicit_consent``, off by default): the phone's decision is its own step, taken on
the sandbox's phone page (``sandbox/phone.py``), as in WeChat's web login. A scanned session then answers
Confirm-Login 202 until the phone decides:

    call (phone page)  scanned                                    confirmed     declined  delivered
    phone confirm      ->confirmed 200 (202 while registration    200           403       200
                       is required: register instead)
    phone decline      ->declined 200                              ->declined    200       409
    Confirm-Login      202 (explicit consent)                      token,        403       409
                                                                   ->delivered

After a registration (registered) the phone's confirm and decline answer 409. A declined session stays
declined (it never expires into 410): the desktop learns the decision. While the phone decides, the
sandbox may hold the desktop's poll (sandbox/consent.py).
"""

from __future__ import annotations

import functools
import math
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Concatenate, ParamSpec

from .tokens import TokenIssuer, User

Clock = Callable[[], float]

# Keys of at most 2^53 - 1: the largest integer a JavaScript number (a mini program's JSON.parse) holds exactly.
JS_SAFE_KEY_BITS = 53
FULL_KEY_BITS = 63


class SessionState(str, Enum):
    WAITING = "waiting"
    SCANNED = "scanned"
    REGISTERED = "registered"
    DELIVERED = "delivered"
    EXPIRED = "expired"
    CONFIRMED = "confirmed"  # the phone page confirmed; the desktop's next Confirm-Login gets the token
    DECLINED = "declined"  # the phone page declined; Confirm-Login answers 403 from now on


@dataclass(frozen=True)
class Outcome:
    code: int
    data: Any = None
    error: str = ""
    violations: list[dict[str, str]] | None = None  # of an error: sent top-level, data stays null
    retry_after: int | None = None  # set: the server is full; HTTP 503 with this Retry-After (s)


@dataclass(slots=True)  # no per-session __dict__: the store holds up to max_sessions of them
class QrSession:
    sign_in_key: int
    app_key: str
    expires_at: float  # the time to live counts from Initiate; history[0] holds that instant
    scopes: str | None = None
    remark: str | None = None
    scheme: str | None = None
    state: SessionState = SessionState.WAITING
    user: User | None = None  # the scanning user, or the one who registered
    token: dict[str, Any] | None = None  # the registration's token, handed to the desktop later
    history: list[tuple[float, SessionState]] = field(default_factory=list)

    def move(self, state: SessionState, now: float) -> None:
        self.state = state
        self.history.append((now, state))


SCANNED_ERROR = "session already used / 会话已被使用"
WAITING_ERROR = "waiting for a scan / 等待扫码"
EXPIRED_ERROR = "session expired / 会话已过期"
UNKNOWN_ERROR = "unknown signInKey / 未知的登录密钥"
PENDING_ERROR = "scanned, waiting for registration / 已扫码，等待注册"
UNION_TAKEN = "unionID already registered / UnionID 已注册"
DECISION_PENDING = "scanned, confirm on your phone / 已扫码，请在手机上确认"
DECLINED_ERROR = "the phone user declined the login / 用户已在手机上拒绝登录"
# A decision the phone can no longer take back: the desktop holds (or is about to hold) the token.
DECIDED_ERROR = "already signed in / 已登录"
# The one answer to a poll while the phone decides: the server may hold it (sandbox/consent.py).
AWAITING_DECISION = Outcome(202, error=DECISION_PENDING)
FULL_ERROR = ("{count} QR sessions held (live or recently ended): the sandbox's limit (--max-sessions); "
              "retry in {wait} s / 会话数已达上限")


# States a session keeps for good: the time to live no longer applies to them.
_SETTLED = frozenset({SessionState.DELIVERED, SessionState.EXPIRED, SessionState.DECLINED})

_P = ParamSpec("_P")


def _on_live(
    act: Callable[Concatenate[SessionStore, QrSession, float, _P], Outcome],
) -> Callable[Concatenate[SessionStore, int, _P], Outcome]:
    """The preamble of every call on a session: under the store's lock, find it by its key and refuse
    404 unknown, 410 expired; else ``act`` on it with the time of the call."""

    @functools.wraps(act)
    def call(store: SessionStore, key: int, *args: _P.args, **kwargs: _P.kwargs) -> Outcome:
        now = store.clock()
        with store._lock:
            session = store._lookup(key, now)
            if session is None:
                return Outcome(404, error=UNKNOWN_ERROR)
            if session.state is SessionState.EXPIRED:
                return Outcome(410, error=EXPIRED_ERROR)
            return act(store, session, now, *args, **kwargs)

    return call


def _on_pending(
    act: Callable[Concatenate[SessionStore, QrSession, float, _P], Outcome],
) -> Callable[Concatenate[SessionStore, int, _P], Outcome]:
    """:func:`_on_live`, and 408 while the session waits for its scan: the preamble of every call after
    the scan (both Confirm calls, the phone's decision)."""

    @functools.wraps(act)
    def after_scan(store: SessionStore, session: QrSession, now: float, *args: _P.args, **kwargs: _P.kwargs
                   ) -> Outcome:
        if session.state is SessionState.WAITING:
            return Outcome(408, error=WAITING_ERROR)
        return act(store, session, now, *args, **kwargs)

    return _on_live(after_scan)


class SessionStore:
    """All QR sessions of one sandbox. Thread-safe: the GUI may read it while uvicorn serves."""

    def __init__(
        self,
        issuer: TokenIssuer,
        *,
        ttl: float = 120.0,
        clock: Clock = time.time,
        require_registration: bool = False,
        app_info: Callable[[QrSession, str], dict[str, Any]],
        keep_after_expiry: float | None = None,
        max_sessions: int | None = None,
        key_bits: int = JS_SAFE_KEY_BITS,
        explicit_consent: bool = False,
    ):
        self.issuer = issuer
        self.ttl = ttl
        self.clock = clock
        self.require_registration = require_registration
        self.explicit_consent = explicit_consent  # False: the scan itself is the consent (the contract's default)
        self.app_info = app_info
        # Expired and delivered sessions still answer 410 / 409 for this long, then are forgotten
        # (so a load test does not grow memory without bound).
        self.keep_after_expiry = keep_after_expiry if keep_after_expiry is not None else max(ttl, 60.0)
        self.max_sessions = max_sessions  # None: no limit (tests of the lifecycle only)
        if not 1 <= key_bits <= 63:
            raise ValueError(f"key_bits: must be between 1 and 63 (got {key_bits})")
        self.key_bits = key_bits
        self._sessions: dict[int, QrSession] = {}
        self._lock = threading.Lock()
        self._next_sweep = 0.0
        self.default_user = issuer.users.default_user

    # --- helpers -----------------------------------------------------------------------------------

    def _new_key(self) -> int:
        # Random, never sequential: a guessable key lets anyone hijack a pending session. 53 bits by
        # default, so a JavaScript phone holds the key exactly (docs/decisions.md "signInKey size").
        while True:
            key = secrets.randbits(self.key_bits)
            if key and key not in self._sessions:
                return key

    def _lookup(self, key: int, now: float) -> QrSession | None:
        session = self._sessions.get(key)
        if session is not None and session.state not in _SETTLED:
            if now >= session.expires_at:
                session.move(SessionState.EXPIRED, session.expires_at)
        return session

    def _sweep(self, now: float, force: bool = False) -> None:
        if now < self._next_sweep and not force:
            return
        self._next_sweep = now + 5.0
        horizon = now - self.keep_after_expiry
        # Sessions sit in the dict in creation order and share one TTL, so the stale ones are a
        # prefix: stop at the first fresh one instead of scanning every session under the lock.
        stale = []
        for k, session in self._sessions.items():
            if session.expires_at >= horizon:
                break
            stale.append(k)
        for k in stale:
            del self._sessions[k]

    def get(self, key: int) -> QrSession | None:
        with self._lock:
            return self._lookup(key, self.clock())

    def __len__(self) -> int:
        return len(self._sessions)

    def _not_to_confirm(self, session: QrSession) -> Outcome | None:
        """What both a Confirm-Login and the phone's confirm answer a session that must not be confirmed
        (yet): 403 once the phone declined, 202 while a scanned session waits for its registration."""
        if session.state is SessionState.DECLINED:
            return Outcome(403, error=DECLINED_ERROR)
        if session.state is SessionState.SCANNED and self.require_registration:
            return Outcome(202, error=PENDING_ERROR)
        return None

    # --- the four QR calls ---------------------------------------------------------------------------

    def initiate(self, app_key: str, scopes: str | None, remark: str | None, scheme: str | None) -> Outcome:
        now = self.clock()
        with self._lock:
            self._sweep(now)
            if self.max_sessions is not None and len(self._sessions) >= self.max_sessions:
                self._sweep(now, force=True)  # cheap: stale sessions are a prefix of the dict
                if len(self._sessions) >= self.max_sessions:
                    return self._full(now)
            key = self._new_key()
            session = QrSession(key, app_key, now + self.ttl, scopes, remark, scheme)
            session.history.append((now, SessionState.WAITING))
            self._sessions[key] = session
        return Outcome(200, key)

    def _full(self, now: float) -> Outcome:
        # The oldest session is the next to be forgotten; until then no room frees up.
        oldest = next(iter(self._sessions.values()), None)
        wait = 1 if oldest is None else max(1, math.ceil(oldest.expires_at + self.keep_after_expiry - now))
        return Outcome(503, error=FULL_ERROR.format(count=len(self._sessions), wait=wait), retry_after=wait)

    @_on_live
    def scan(self, session: QrSession, now: float, base_url: str = "") -> Outcome:
        if session.state is not SessionState.WAITING:
            return Outcome(409, error=SCANNED_ERROR)
        session.user = self.default_user
        session.move(SessionState.SCANNED, now)
        return Outcome(200, self.app_info(session, base_url))

    @_on_pending
    def confirm_login(self, session: QrSession, now: float) -> Outcome:
        refused = self._not_to_confirm(session)
        if refused is not None:
            return refused
        state = session.state
        if state is SessionState.DELIVERED:
            return Outcome(409, error=SCANNED_ERROR)
        if state is SessionState.SCANNED and self.explicit_consent:
            return AWAITING_DECISION
        if state is SessionState.SCANNED or state is SessionState.CONFIRMED:
            assert session.user is not None
            token = self.issuer.issue(session.user, session.app_key, grant="qrcode_login", now=now)
        else:  # REGISTERED: hand the registration's token to the desktop
            token = session.token
        session.token = None  # a token is handed out at most twice; drop our copy
        session.move(SessionState.DELIVERED, now)
        return Outcome(200, token)

    @_on_pending
    def confirm_register(self, session: QrSession, now: float, form: dict[str, Any]) -> Outcome:
        if session.state is not SessionState.SCANNED:
            return Outcome(409, error=SCANNED_ERROR)
        user = self.issuer.users.register(form, now)
        if user is None:
            return Outcome(409, error=UNION_TAKEN)
        token = self.issuer.issue(user, session.app_key, grant="qrcode_register", now=now)
        session.user = user
        session.token = token
        session.move(SessionState.REGISTERED, now)
        return Outcome(200, token)

    # --- the phone page's decision (explicit consent) ----------------------------------------------------

    @_on_pending
    def phone_confirm(self, session: QrSession, now: float) -> Outcome:
        """The phone user agrees. Idempotent: a repeated tap, or a login already delivered, is a success."""
        refused = self._not_to_confirm(session)
        if refused is not None:
            return refused
        if session.state is SessionState.REGISTERED:
            return Outcome(409, error=SCANNED_ERROR)
        if session.state is SessionState.SCANNED:
            session.move(SessionState.CONFIRMED, now)
        return Outcome(200, {"state": session.state.value})

    @_on_pending
    def phone_decline(self, session: QrSession, now: float) -> Outcome:
        """The phone user refuses: the desktop's Confirm-Login answers 403 from now on. Too late once the
        desktop holds a token (delivered) or a registration made one (registered)."""
        if session.state in (SessionState.DELIVERED, SessionState.REGISTERED):
            return Outcome(409, error=DECIDED_ERROR)
        if session.state is not SessionState.DECLINED:
            session.token = None
            session.move(SessionState.DECLINED, now)
        return Outcome(200, {"state": session.state.value})
