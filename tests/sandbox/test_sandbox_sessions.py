"""The sandbox's QR session lifecycle, cell by cell from the contract's table, through the client.

    call             waiting   scanned                          registered            delivered  expired
    Scan             ->scanned 409                              409                   409        410
                     200+info
    Confirm-Login    408       token, ->delivered, 200          registration token,   409        410
                               (202 while registration needed)  ->delivered, 200
    Confirm-Register 408       new user, token, ->registered    409                   409        410
                               200 (409 if unionID exists)

Sessions are put into each state with real calls; expiry uses the injected clock (no sleeping).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import httpx
import pytest
from support import APP_KEY, TEST_TOKEN, FakeClock, asgi_client

from qrlogin_desktop.api.client import QrLoginClient
from qrlogin_desktop.api.errors import ApiError
from qrlogin_desktop.api.models import QRCodeSignUpRequest, TokenModel, UserQRCodeScanResult
from qrlogin_desktop.sandbox import Sandbox, SandboxConfig
from qrlogin_desktop.sandbox.sessions import SessionState

STATES = ("waiting", "scanned", "registered", "delivered", "expired")
TOKEN_LIFETIME = 86400
PREDECESSOR_CLAIMS = ("jti", "tenant_id", "appid", "nameid", "unique_name", "unionid", "platform", "grant_type",
                      "nbf", "exp", "iat", "iss", "aud")
SCOPES, REMARK, SCHEME = "userinfo,phone", "desktop login 桌面登录", "app"


@dataclass
class Prepared:
    key: int
    registration: TokenModel | None = None  # the token Confirm-Register returned, if any
    union_id: str | None = None


def _signup(key: int, union_id: str, nick: str = "新用户001") -> QRCodeSignUpRequest:
    return QRCodeSignUpRequest(signInKey=key, unionID=union_id, nickName=nick, phone="13800138000",
                               email="new@example.com")


async def prepare(client: QrLoginClient, sandbox: Sandbox, clock: FakeClock, state: str) -> Prepared:
    """A session in ``state``, reached only through real calls (and the clock for expiry)."""
    key = await client.initiate(scopes=SCOPES, remark=REMARK, scheme=SCHEME)
    out = Prepared(key)
    if state in ("scanned", "registered", "delivered"):
        await client.scan(key)
    if state == "registered":
        out.union_id = "registered_user_01"
        out.registration = await client.confirm_register(_signup(key, out.union_id))
    if state == "delivered":
        await client.confirm_login(key)
    if state == "expired":
        clock.advance(sandbox.sessions.ttl)
    assert state_of(sandbox, key) == state
    return out


def state_of(sandbox: Sandbox, key: int) -> str | None:
    session = sandbox.sessions.get(key)
    return None if session is None else session.state.value


async def expect_code(coro: Any, code: int) -> ApiError:
    with pytest.raises(ApiError) as caught:
        await coro
    assert caught.value.code == code, caught.value
    assert caught.value.http_status == 200  # everything but a bad bearer is HTTP 200 + envelope
    return caught.value


def claims_of(sandbox: Sandbox, token: TokenModel) -> dict[str, Any]:
    claims = sandbox.issuer.verify(token.access_token)
    assert claims is not None, "the sandbox does not accept its own token"
    return claims


# --- the table, cell by cell ---------------------------------------------------------------------------------

SCAN_EXPECTED = {"waiting": 200, "scanned": 409, "registered": 409, "delivered": 409, "expired": 410}
LOGIN_EXPECTED = {"waiting": 408, "scanned": 200, "registered": 200, "delivered": 409, "expired": 410}
REGISTER_EXPECTED = {"waiting": 408, "scanned": 200, "registered": 409, "delivered": 409, "expired": 410}
NEW_UNION_ID = "cell_new_user"
CALLS = {  # call -> (send it on a session's key, its row of the table)
    "scan": (lambda client, key: client.scan(key), SCAN_EXPECTED),
    "confirm_login": (lambda client, key: client.confirm_login(key), LOGIN_EXPECTED),
    "confirm_register": (lambda client, key: client.confirm_register(_signup(key, NEW_UNION_ID)), REGISTER_EXPECTED),
}
REFUSED_CELLS = [(call, state) for call, (_, row) in CALLS.items() for state in STATES if row[state] != 200]


def answered(row: dict[str, int]) -> list[str]:
    """The states in which the row's call succeeds."""
    return [state for state in STATES if row[state] == 200]


@pytest.mark.parametrize(("call", "state"), REFUSED_CELLS)
async def test_refused_cell(client: QrLoginClient, sandbox: Sandbox, clock: FakeClock, call: str, state: str) -> None:
    prepared = await prepare(client, sandbox, clock, state)
    users_before = len(sandbox.users)
    send, row = CALLS[call]
    await expect_code(send(client, prepared.key), row[state])
    assert state_of(sandbox, prepared.key) == state  # a refused call moves nothing
    assert sandbox.users.by_union(NEW_UNION_ID) is None and len(sandbox.users) == users_before


@pytest.mark.parametrize("state", answered(SCAN_EXPECTED))
async def test_scan_cell(client: QrLoginClient, sandbox: Sandbox, clock: FakeClock, state: str) -> None:
    prepared = await prepare(client, sandbox, clock, state)
    info = await client.scan(prepared.key)
    assert isinstance(info, UserQRCodeScanResult)
    assert info.appID is not None and info.appID > 0
    assert info.name == sandbox.config.app_name
    assert (info.scopes, info.remark, info.scheme) == (SCOPES, REMARK, SCHEME)  # what Initiate was given
    assert info.scope_list == ["userinfo", "phone"]
    assert state_of(sandbox, prepared.key) == "scanned"
    assert sandbox.sessions.get(prepared.key).user == sandbox.users.default_user


@pytest.mark.parametrize("state", answered(LOGIN_EXPECTED))
async def test_confirm_login_cell(client: QrLoginClient, sandbox: Sandbox, clock: FakeClock, state: str) -> None:
    prepared = await prepare(client, sandbox, clock, state)
    token = await client.confirm_login(prepared.key)
    claims = claims_of(sandbox, token)
    if state == "scanned":  # the scanning user's token
        user = sandbox.users.default_user
        assert claims["unionid"] == user.union_id
        assert claims["nameid"] == str(user.user_id)
        assert claims["grant_type"] == "qrcode_login"
    else:  # the registration's token, the very same string
        assert prepared.registration is not None
        assert token.access_token == prepared.registration.access_token
        assert claims["unionid"] == prepared.union_id
    assert state_of(sandbox, prepared.key) == "delivered"


@pytest.mark.parametrize("state", answered(REGISTER_EXPECTED))
async def test_confirm_register_cell(client: QrLoginClient, sandbox: Sandbox, clock: FakeClock, state: str) -> None:
    prepared = await prepare(client, sandbox, clock, state)
    users_before = len(sandbox.users)
    token = await client.confirm_register(_signup(prepared.key, NEW_UNION_ID, "单元格用户"))
    claims = claims_of(sandbox, token)
    assert claims["unionid"] == NEW_UNION_ID
    assert claims["unique_name"] == "单元格用户"
    assert claims["grant_type"] == "qrcode_register"
    user = sandbox.users.by_union(NEW_UNION_ID)
    assert user is not None and claims["nameid"] == str(user.user_id)
    assert user.phone == "13800138000" and user.email == "new@example.com"
    assert len(sandbox.users) == users_before + 1
    session = sandbox.sessions.get(prepared.key)
    assert session.state is SessionState.REGISTERED and session.user == user


# --- expiry -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("origin", ["waiting", "scanned", "registered"])
async def test_expiry_boundary(client: QrLoginClient, sandbox: Sandbox, clock: FakeClock, origin: str) -> None:
    prepared = await prepare(client, sandbox, clock, origin)
    ttl = sandbox.sessions.ttl
    assert ttl == 120.0  # the contract's default
    clock.advance(ttl - 0.001)
    assert state_of(sandbox, prepared.key) == origin  # still alive a millisecond before
    clock.advance(0.001)
    assert state_of(sandbox, prepared.key) == "expired"  # exactly at the ttl it is gone
    await expect_code(client.scan(prepared.key), 410)
    await expect_code(client.confirm_login(prepared.key), 410)
    await expect_code(client.confirm_register(_signup(prepared.key, "late_user")), 410)
    assert state_of(sandbox, prepared.key) == "expired"


async def test_alive_just_before_ttl_accepts_calls(client: QrLoginClient, sandbox: Sandbox, clock: FakeClock) -> None:
    key = await client.initiate()
    clock.advance(sandbox.sessions.ttl - 0.001)
    await client.scan(key)
    token = await client.confirm_login(key)
    assert claims_of(sandbox, token)
    assert state_of(sandbox, key) == "delivered"


async def test_ttl_counts_from_initiate_not_from_last_step(client: QrLoginClient, sandbox: Sandbox,
                                                           clock: FakeClock) -> None:
    key = await client.initiate()
    clock.advance(100)
    await client.scan(key)
    clock.advance(sandbox.sessions.ttl - 100)
    await expect_code(client.confirm_login(key), 410)


async def test_delivered_never_expires(client: QrLoginClient, sandbox: Sandbox, clock: FakeClock) -> None:
    prepared = await prepare(client, sandbox, clock, "delivered")
    clock.advance(sandbox.sessions.ttl)
    assert state_of(sandbox, prepared.key) == "delivered"
    await expect_code(client.confirm_login(prepared.key), 409)
    clock.advance(sandbox.sessions.ttl * 0.5)
    await expect_code(client.scan(prepared.key), 409)
    await expect_code(client.confirm_register(_signup(prepared.key, "late_user")), 409)
    assert state_of(sandbox, prepared.key) == "delivered"


# --- registration path (202) and hand-outs ----------------------------------------------------------------------


async def test_registration_required_202_then_same_token_then_409(client: QrLoginClient, sandbox: Sandbox) -> None:
    sandbox.require_registration = True
    key = await client.initiate()
    await expect_code(client.confirm_login(key), 408)  # desktop polling before the scan
    await client.scan(key)
    for _ in range(3):  # the desktop keeps polling: 202, nothing moves
        await expect_code(client.confirm_login(key), 202)
        assert state_of(sandbox, key) == "scanned"
    registered = await client.confirm_register(_signup(key, "needs_reg_01"))
    assert state_of(sandbox, key) == "registered"
    delivered = await client.confirm_login(key)  # the desktop's poll
    assert delivered.access_token == registered.access_token
    assert (delivered.token_type, delivered.expires_in) == (registered.token_type, registered.expires_in)
    assert claims_of(sandbox, delivered)["unionid"] == "needs_reg_01"
    assert state_of(sandbox, key) == "delivered"
    await expect_code(client.confirm_login(key), 409)


async def test_token_handed_out_at_most_twice(client: QrLoginClient, sandbox: Sandbox) -> None:
    key = await client.initiate()
    await client.scan(key)
    handed = [await client.confirm_register(_signup(key, "twice_only"))]
    handed.append(await client.confirm_login(key))
    assert handed[0].access_token == handed[1].access_token
    assert sandbox.sessions.get(key).token is None  # the sandbox dropped its copy
    for _ in range(2):
        await expect_code(client.confirm_login(key), 409)
        await expect_code(client.confirm_register(_signup(key, "twice_again")), 409)
        await expect_code(client.scan(key), 409)


async def test_scan_login_token_handed_out_once(client: QrLoginClient, sandbox: Sandbox) -> None:
    key = await client.initiate()
    await client.scan(key)
    await client.confirm_login(key)
    err = await expect_code(client.confirm_login(key), 409)
    assert err.data is None


async def test_register_409_when_union_id_exists(client: QrLoginClient, sandbox: Sandbox) -> None:
    first, second = await client.initiate(), await client.initiate()
    await client.scan(first)
    await client.scan(second)
    await client.confirm_register(_signup(first, "same_union"))
    users = len(sandbox.users)
    await expect_code(client.confirm_register(_signup(second, "same_union", "另一个人")), 409)
    assert len(sandbox.users) == users
    assert state_of(sandbox, second) == "scanned"  # the phone may still register under another unionID
    assert sandbox.users.by_union("same_union").nick_name == "新用户001"
    token = await client.confirm_register(_signup(second, "other_union"))
    assert claims_of(sandbox, token)["unionid"] == "other_union"


async def test_register_409_for_the_demo_scanning_user(client: QrLoginClient, sandbox: Sandbox) -> None:
    key = await client.initiate()
    await client.scan(key)
    await expect_code(client.confirm_register(_signup(key, sandbox.users.default_user.union_id)), 409)


# --- unknown keys, appKeys, bearer ----------------------------------------------------------------------------


@pytest.mark.parametrize("call", ["scan", "confirm_login", "confirm_register"])
async def test_unknown_sign_in_key_404(client: QrLoginClient, sandbox: Sandbox, call: str) -> None:
    issued = await client.initiate()
    unknown = issued ^ 1  # a neighbour of a real key is still unknown
    calls = {
        "scan": lambda: client.scan(unknown),
        "confirm_login": lambda: client.confirm_login(unknown),
        "confirm_register": lambda: client.confirm_register(_signup(unknown, "nobody_user")),
    }
    await expect_code(calls[call](), 404)
    assert sandbox.sessions.get(unknown) is None
    assert state_of(sandbox, issued) == "waiting"


async def test_unknown_app_key_404(sandbox: Sandbox) -> None:
    async with asgi_client(sandbox, app_key="not-demo") as other:
        await expect_code(other.initiate(), 404)
    assert len(sandbox.sessions) == 0


@pytest.mark.parametrize("token", [None, "wrong-bearer-token", TEST_TOKEN + "x"])
async def test_missing_or_bad_bearer_401(sandbox: Sandbox, token: str | None) -> None:
    async with asgi_client(sandbox) as good:
        key = await good.initiate()
    async with QrLoginClient("http://sandbox.test", APP_KEY, token,
                             transport=httpx.ASGITransport(app=sandbox.app)) as bad:
        for coro in (bad.initiate(), bad.scan(key), bad.confirm_login(key)):
            with pytest.raises(ApiError) as caught:
                await coro
            assert caught.value.code == 401
            assert caught.value.http_status == 401
    assert len(sandbox.sessions) == 1
    assert state_of(sandbox, key) == "waiting"  # nothing moved


# --- keys and tokens -------------------------------------------------------------------------------------------


def _assert_random_keys(keys: list[int], bits: int) -> None:
    assert len(set(keys)) == len(keys)
    assert all(1 <= k <= 2**bits - 1 for k in keys)
    assert all(abs(b - a) != 1 for a, b in pairwise(keys))  # never sequential
    assert len({b - a for a, b in pairwise(keys)}) > len(keys) // 2  # no fixed stride either
    assert max(keys) > 2 ** (bits - 1)  # the high range is used
    assert min(keys) < 2 ** (bits - 1)


async def test_sign_in_keys_random_53_bit_by_default(client: QrLoginClient, sandbox: Sandbox) -> None:
    keys = [await client.initiate() for _ in range(2000)]
    _assert_random_keys(keys, 53)  # at most 2^53 - 1: exact in a JavaScript number
    assert len(sandbox.sessions) == 2000


async def test_sign_in_keys_random_63_bit_when_asked() -> None:
    sandbox = Sandbox(SandboxConfig(app_key=APP_KEY, token=TEST_TOKEN, full_63_bit_keys=True))
    async with asgi_client(sandbox) as client:
        keys = [await client.initiate() for _ in range(2000)]
    _assert_random_keys(keys, 63)


def _b64json(part: str) -> dict[str, Any]:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


async def test_token_is_hs256_jwt_with_predecessor_claims(client: QrLoginClient, sandbox: Sandbox,
                                                          clock: FakeClock) -> None:
    key = await client.initiate()
    await client.scan(key)
    token = await client.confirm_login(key)
    assert token.token_type == "Bearer"
    assert token.expires_in == TOKEN_LIFETIME
    header, payload, signature = token.access_token.split(".")
    assert _b64json(header) == {"alg": "HS256", "typ": "JWT"}
    assert len(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))) == 32  # SHA-256 MAC
    claims = _b64json(payload)
    assert set(PREDECESSOR_CLAIMS) <= set(claims)
    assert sandbox.issuer.verify(token.access_token) == claims
    assert claims["exp"] - claims["iat"] == TOKEN_LIFETIME
    assert claims["iat"] == claims["nbf"] == int(clock.now)
    assert claims["appid"] == APP_KEY and claims["aud"] == APP_KEY
    assert claims["iss"]
    # a tampered token is refused by the same verifier
    forged = dict(claims, unionid="attacker")
    forged_payload = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    assert sandbox.issuer.verify(f"{header}.{forged_payload}.{signature}") is None
    assert sandbox.issuer.verify("not-a-jwt") is None


async def test_tokens_are_distinct_per_session(client: QrLoginClient, sandbox: Sandbox) -> None:
    tokens = []
    for _ in range(3):
        key = await client.initiate()
        await client.scan(key)
        tokens.append(await client.confirm_login(key))
    assert len({t.access_token for t in tokens}) == 3
    assert len({claims_of(sandbox, t)["jti"] for t in tokens}) == 3


async def test_registered_user_unionid_claim(client: QrLoginClient, sandbox: Sandbox) -> None:
    key = await client.initiate()
    await client.scan(key)
    token = await client.confirm_register(
        QRCodeSignUpRequest(signInKey=key, unionID="o6_bmasdasdsad6_2sgVt7hMZOPfL", nickName=None))
    claims = claims_of(sandbox, token)
    assert claims["unionid"] == "o6_bmasdasdsad6_2sgVt7hMZOPfL"
    assert token.expires_in == TOKEN_LIFETIME and claims["exp"] - claims["iat"] == TOKEN_LIFETIME


# --- over a real socket -----------------------------------------------------------------------------------------


@pytest.mark.loopback
async def test_happy_path_over_loopback(loopback_client: QrLoginClient, sandbox: Sandbox) -> None:
    key = await loopback_client.initiate(scopes=SCOPES, scheme=SCHEME)
    assert state_of(sandbox, key) == "waiting"
    await expect_code(loopback_client.confirm_login(key), 408)
    info = await loopback_client.scan(key)
    assert info.scopes == SCOPES and info.name == sandbox.config.app_name
    assert state_of(sandbox, key) == "scanned"
    token = await loopback_client.confirm_login(key)
    assert state_of(sandbox, key) == "delivered"
    claims = claims_of(sandbox, token)
    assert claims["unionid"] == sandbox.users.default_user.union_id
    assert token.expires_in == TOKEN_LIFETIME
    await expect_code(loopback_client.confirm_login(key), 409)


async def test_old_sessions_are_forgotten_after_the_grace_period(client, sandbox, clock):
    """Expired sessions answer 410 for a while, then are swept (memory stays bounded under load)."""
    store = sandbox.sessions
    old = [await client.initiate() for _ in range(5)]
    clock.advance(store.ttl + 1)
    with pytest.raises(ApiError) as expired:
        await client.scan(old[0])
    assert expired.value.code == 410
    clock.advance(store.keep_after_expiry + 10)
    fresh = await client.initiate()  # the sweep runs on Initiate
    assert len(store) == 1 and store.get(fresh) is not None
    with pytest.raises(ApiError) as gone:
        await client.scan(old[1])
    assert gone.value.code == 404


# --- explicit consent: the phone page's decision, cell by cell -------------------------------------------------
# (sandbox/sessions.py's second table; the desktop's Confirm-Login beside the phone's two calls)

CONSENT_STATES = ("waiting", "scanned", "confirmed", "declined", "registered", "delivered", "expired")
PHONE_CONFIRM_EXPECTED = {"waiting": 408, "scanned": 200, "confirmed": 200, "declined": 403, "registered": 409,
                          "delivered": 200, "expired": 410}
PHONE_DECLINE_EXPECTED = {"waiting": 408, "scanned": 200, "confirmed": 200, "declined": 200, "registered": 409,
                          "delivered": 409, "expired": 410}
CONSENT_LOGIN_EXPECTED = {"waiting": 408, "scanned": 202, "confirmed": 200, "declined": 403, "registered": 200,
                          "delivered": 409, "expired": 410}


def consent_session(state: str) -> tuple[Sandbox, FakeClock, int]:
    clock = FakeClock()
    sandbox = Sandbox(SandboxConfig(app_key=APP_KEY, token=TEST_TOKEN, clock=clock, explicit_consent=True))
    store = sandbox.sessions
    key = store.initiate(APP_KEY, None, None, None).data
    if state != "waiting" and state != "expired":
        store.scan(key)
    if state in ("confirmed", "delivered"):
        assert store.phone_confirm(key).code == 200
    if state == "delivered":
        assert store.confirm_login(key).code == 200
    if state == "declined":
        assert store.phone_decline(key).code == 200
    if state == "registered":
        assert store.confirm_register(key, {"unionID": "consent_user"}).code == 200
    if state == "expired":
        clock.advance(store.ttl)
    assert store.get(key).state.value == state
    return sandbox, clock, key


@pytest.mark.parametrize("state", CONSENT_STATES)
@pytest.mark.parametrize(("call", "expected"), [("phone_confirm", PHONE_CONFIRM_EXPECTED),
                                                ("phone_decline", PHONE_DECLINE_EXPECTED),
                                                ("confirm_login", CONSENT_LOGIN_EXPECTED)])
def test_explicit_consent_cell(state: str, call: str, expected: dict[str, int]) -> None:
    sandbox, clock, key = consent_session(state)
    outcome = getattr(sandbox.sessions, call)(key)
    assert outcome.code == expected[state], outcome
    after = sandbox.sessions.get(key).state.value
    moves = {("phone_confirm", "scanned"): "confirmed", ("phone_decline", "scanned"): "declined",
             ("phone_decline", "confirmed"): "declined", ("confirm_login", "confirmed"): "delivered",
             ("confirm_login", "registered"): "delivered"}
    assert after == moves.get((call, state), state)
    if outcome.code == 200 and call == "confirm_login":
        assert sandbox.issuer.verify(outcome.data["access_token"]) is not None


def test_unknown_key_is_404_for_the_phones_calls() -> None:
    sandbox, _, key = consent_session("scanned")
    assert sandbox.sessions.phone_confirm(key + 1).code == 404
    assert sandbox.sessions.phone_decline(key + 1).code == 404
