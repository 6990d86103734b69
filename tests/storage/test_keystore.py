"""Tests for qrlogin_desktop.storage.keystore and qrlogin_desktop.storage.jwt_claims.

Two groups:

* Fake backends (small KeyringBackend subclasses below) for the failure
  paths: a hanging keyring, a locked one, one that leaks the secret into its
  error message, keyring's own fail.Keyring, an empty chainer.
* A real Secret Service (gnome-keyring over D-Bus).  Those tests skip when no
  Secret Service is reachable, unless QRLOGIN_REQUIRE_KEYRING=1 (set in CI),
  in which case they fail instead.  Run them with:

    dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock \
        --components=secrets >/dev/null; QRLOGIN_REQUIRE_KEYRING=1 \
        python -m pytest tests/storage/test_keystore.py -q'
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import stat
import threading
import time
import traceback
import uuid
from collections.abc import Iterator
from pathlib import Path

import keyring.errors
import pytest
from hypothesis import given
from hypothesis import strategies as st
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail
from keyring_support import delete_service_items, secret_service, service_usernames

from qrlogin_desktop.storage import keystore
from qrlogin_desktop.storage.jwt_claims import decode_jwt_claims
from qrlogin_desktop.storage.keystore import (
    CREDENTIAL_PREFIX,
    INDEX_USERNAME,
    StorageResult,
    StoredToken,
    TokenKey,
    TokenStore,
)

LOGGER = "qrlogin_desktop.storage.keystore"

# --------------------------------------------------------------------- helpers


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def make_jwt(claims: dict, header: dict | None = None) -> str:
    header = header or {"alg": "RS256", "typ": "JWT"}
    return ".".join(
        [
            b64url(json.dumps(header).encode()),
            b64url(json.dumps(claims).encode()),
            b64url(b"not-a-real-signature-" * 8),
        ]
    )


def secret_token(label: str = "") -> str:
    """A distinctive, long, JWT-shaped secret that is easy to search for in output."""
    return make_jwt(
        {"sub": "unionid-123", "exp": 2_000_000_000, "nonce": f"SECRET-{label}-{uuid.uuid4().hex}"}
    )


def make_token(
    server: str = "https://sandbox.test", account: str = "default", value: str | None = None
) -> StoredToken:
    return StoredToken(
        key=TokenKey(server=server, app_key="app-key-1", account=account),
        access_token=value if value is not None else secret_token(account),
        token_type="Bearer",
        expires_in=7200,
        obtained_at=1_700_000_000.0,
    )


def assert_no_secret(text: str, *secrets: str) -> None:
    """Neither the secret nor any 20-character fragment of it occurs in ``text``."""
    window = 20
    for secret in secrets:
        assert secret not in text, "secret value leaked"
        for i in range(max(0, len(secret) - window) + 1):
            assert secret[i : i + window] not in text, "part of a secret value leaked"


def exception_text(exc: BaseException) -> str:
    """Everything a traceback of ``exc`` would print, including chained causes."""
    return str(exc) + repr(exc) + "".join(traceback.format_exception(exc))


# ---------------------------------------------------------------- fake backends
#
# KeyringBackend subclasses register themselves globally (KeyringBackendMeta)
# and keyring's auto-detection picks any *viable* one.  ``viable = False``
# keeps these fakes out of keyring.get_keyring() for every other test in the
# session, while ``priority`` still tells TokenStore they are usable.


class DictKeyring(KeyringBackend):
    """A working in-memory keyring."""

    priority = 1  # type: ignore[assignment]
    viable = False  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[tuple[str, str], str] = {}
        self.calls: list[str] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.calls.append("get")
        return self.data.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls.append("set")
        self.data[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.calls.append("delete")
        try:
            del self.data[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError("No such password!") from None


class HangingKeyring(DictKeyring):
    """Hangs (30 s) in set_password/get_password while ``hanging`` is set, like a keyring stuck on a prompt."""

    def __init__(self) -> None:
        super().__init__()
        self.hanging = threading.Event()
        self.hanging.set()
        self.release = threading.Event()  # set at teardown so no thread outlives the test for long

    def _maybe_hang(self) -> None:
        if self.hanging.is_set():
            self.release.wait(30)

    def get_password(self, service: str, username: str) -> str | None:
        self._maybe_hang()
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self._maybe_hang()
        super().set_password(service, username, password)


class LockedKeyring(DictKeyring):
    """Raises KeyringLocked like the Secret Service backend when the unlock prompt is dismissed."""

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")


class LeakyKeyring(DictKeyring):
    """A badly written backend that puts the password into its error message."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError(f"refusing to store {password!r} for {username}")


class ZeroPriorityKeyring(DictKeyring):
    priority = 0  # type: ignore[assignment]


class NotViableKeyring(DictKeyring):
    @property
    def priority(self) -> float:  # type: ignore[override]
        raise RuntimeError("backend library missing")


@pytest.fixture
def hanging() -> Iterator[HangingKeyring]:
    backend = HangingKeyring()
    yield backend
    backend.release.set()


# ------------------------------------------------------------ data type tests


def test_stored_token_repr_and_str_hide_the_token() -> None:
    token = make_token()
    for text in (repr(token), str(token), f"{token}", f"{token!r}", repr([token]), repr({"t": token})):
        assert_no_secret(text, token.access_token)
        assert "StoredToken(" in text
    assert token.access_token[:4] in repr(token)  # the redacted form is there instead


def test_redacted_format() -> None:
    token = make_token()
    red = token.redacted()
    n = len(token.access_token)
    assert red == f"{token.access_token[:4]}…({n} chars)…{token.access_token[-3:]}"
    assert red.startswith("eyJ")
    assert make_token(value="short-secret").redacted() == "…(12 chars)…"


@given(st.text(min_size=12))
def test_redacted_never_contains_the_token(value: str) -> None:
    assert value not in make_token(value=value).redacted()


def test_expiry_and_claims() -> None:
    token = make_token()
    assert token.expires_at == 1_700_000_000.0 + 7200
    assert token.seconds_left(1_700_000_000.0 + 200) == 7000
    assert token.is_expired(1_700_000_000.0 + 7201)
    assert not token.is_expired(1_700_000_000.0)
    assert token.claims is not None and token.claims["sub"] == "unionid-123"
    assert make_token(value="opaque-wechat-style-token-0123456789").claims is None


def test_token_key_username_escapes_separator() -> None:
    a = TokenKey("a|b", "c", "d")
    b = TokenKey("a", "b|c", "d")
    assert a.username != b.username
    assert a.username.startswith("token:")
    assert TokenKey("s", "k", "acc").username == "token:s|k|acc"


# ----------------------------------------------------------------- jwt tests


def test_decode_jwt_claims_roundtrip() -> None:
    claims = {"sub": "u1", "exp": 1_800_000_000, "名字": "微信"}
    assert decode_jwt_claims(make_jwt(claims)) == claims
    # padded segments and an empty signature ("alg": "none") are tolerated
    padded = ".".join(
        [
            base64.urlsafe_b64encode(b'{"alg":"none"}').decode(),
            base64.urlsafe_b64encode(b'{"a":1}').decode(),
            "",
        ]
    )
    assert decode_jwt_claims(padded) == {"a": 1}


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        "not a jwt at all",
        make_jwt({"sub": "x"}, header={"typ": "JWT"}),  # header without "alg"
        b64url(b'{"alg":"HS256"}') + "." + b64url(b"[1,2]") + ".sig",  # payload not an object
        b64url(b'{"alg":"HS256"}') + "." + b64url(b"\xff\xfe") + ".sig",  # payload not UTF-8
        b64url(b'{"alg":"HS256"}') + "." + b64url(b"[" * 100_000) + ".sig",  # nesting bomb
        b64url(b'{"alg":"HS256"}') + ".a.sig",  # 1-char segment is invalid base64
        b64url(b'{"alg":"HS256"}') + ".e30.s!g",  # bad character
    ],
)
def test_decode_jwt_claims_rejects(token: str) -> None:
    assert decode_jwt_claims(token) is None


def test_decode_jwt_claims_non_str() -> None:
    assert decode_jwt_claims(None) is None  # type: ignore[arg-type]
    assert decode_jwt_claims(b"a.b.c") is None  # type: ignore[arg-type]


@given(st.text())
def test_decode_jwt_claims_never_raises_on_text(value: str) -> None:
    result = decode_jwt_claims(value)
    assert result is None or isinstance(result, dict)


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=10,
)
_segment = st.one_of(
    st.binary(max_size=64).map(b64url),
    _json_values.map(lambda v: b64url(json.dumps(v).encode())),
    st.dictionaries(st.sampled_from(["alg", "typ", "kid"]), _json_values).map(
        lambda v: b64url(json.dumps(v).encode())
    ),
    st.text(alphabet="AZaz09-_=.", max_size=12),
)


@given(_segment, _segment, _segment)
def test_decode_jwt_claims_never_raises_on_jwt_shaped_input(h: str, p: str, s: str) -> None:
    result = decode_jwt_claims(f"{h}.{p}.{s}")
    assert result is None or isinstance(result, dict)


# ------------------------------------------------------- working fake backend


def test_save_get_list_delete_roundtrip() -> None:
    backend = DictKeyring()
    store = TokenStore(backend=backend, service="svc")
    t1, t2 = make_token(account="alice"), make_token(account="bob")
    assert store.save(t1) == StorageResult("keyring")
    assert store.save(t2).location == "keyring"
    assert store.get(t1.key) == t1
    assert {t.key for t in store.list()} == {t1.key, t2.key}

    index = json.loads(backend.data[("svc", INDEX_USERNAME)])
    assert {TokenKey(**k) for k in index} == {t1.key, t2.key}
    assert_no_secret(backend.data[("svc", INDEX_USERNAME)], t1.access_token, t2.access_token)

    assert store.delete(t1.key) is True
    assert store.get(t1.key) is None
    assert store.delete(t1.key) is False
    assert [t.key for t in store.list()] == [t2.key]
    assert json.loads(backend.data[("svc", INDEX_USERNAME)]) == [t2.key.to_json()]


def test_save_overwrites_and_index_has_no_duplicates() -> None:
    backend = DictKeyring()
    store = TokenStore(backend=backend)
    first = make_token()
    second = make_token(value=secret_token("second"))
    store.save(first)
    store.save(second)
    assert store.get(first.key) == second
    assert len(store.list()) == 1


def test_corrupt_index_is_tolerated_and_rebuilt(caplog: pytest.LogCaptureFixture) -> None:
    backend = DictKeyring()
    store = TokenStore(backend=backend, service="svc")
    for garbage in ["{not json", '{"a": 1}', '[{"server": 1}, "x", null]', "[" * 50_000]:
        backend.data[("svc", INDEX_USERNAME)] = garbage
        assert store.list() == []
    token = make_token()
    assert store.save(token).location == "keyring"
    assert [t.key for t in store.list()] == [token.key]
    assert "corrupt" in caplog.text or "malformed" in caplog.text


def test_stale_index_entry_and_corrupt_record_are_skipped() -> None:
    backend = DictKeyring()
    store = TokenStore(backend=backend, service="svc")
    good, gone, broken = make_token(account="good"), make_token(account="gone"), make_token(account="broken")
    for t in (good, gone, broken):
        store.save(t)
    del backend.data[("svc", gone.key.username)]  # deleted behind our back
    backend.data[("svc", broken.key.username)] = "garbage"
    assert [t.key for t in store.list()] == [good.key]
    assert store.get(broken.key) is None


def test_credentials_roundtrip_fake() -> None:
    backend = DictKeyring()
    store = TokenStore(backend=backend, service="svc")
    assert store.get_credential("p1") is None
    assert store.save_credential("p1", "bearer-SECRET-1").location == "keyring"
    assert store.get_credential("p1") == "bearer-SECRET-1"
    assert ("svc", CREDENTIAL_PREFIX + "p1") in backend.data
    assert store.list() == []  # credentials are a separate namespace
    assert store.delete_credential("p1") is True
    assert store.get_credential("p1") is None
    assert store.delete_credential("p1") is False
    with pytest.raises(ValueError):
        store.save_credential("", "x")


def test_backend_description_and_validation() -> None:
    assert TokenStore(backend=DictKeyring()).backend_description() == f"{DictKeyring.name} (priority 1)"
    with pytest.raises(ValueError):
        TokenStore(timeout=0)
    with pytest.raises(ValueError):
        TokenStore(timeout=float("inf"))


# ------------------------------------------------------------ failing backends


def test_hanging_backend_times_out_keeps_token_and_does_not_block_later_calls(
    hanging: HangingKeyring, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    store = TokenStore(backend=hanging, timeout=0.3)
    token = make_token()

    started = time.monotonic()
    with pytest.raises(keystore.KeystoreTimeout) as info:
        store.save(token)
    elapsed = time.monotonic() - started
    assert elapsed < 2.0, f"save() blocked for {elapsed:.1f}s despite a 0.3s timeout"

    err = info.value
    assert isinstance(err, keystore.KeystoreError)
    assert err.kept_in_memory is True
    assert err.operation == "save token"
    message = str(err)
    assert "save token" in message and "0.3s" in message and "unlock" in message.lower()
    assert "kept in memory" in message
    assert_no_secret(exception_text(err), token.access_token)

    # The token is not dropped: it is served from memory without touching the keyring.
    started = time.monotonic()
    assert store.get(token.key) == token
    assert store.pending() == [token]
    assert time.monotonic() - started < 0.2

    # Still hung: a read of something else times out again, but only after ~timeout, not 30 s.
    started = time.monotonic()
    with pytest.raises(keystore.KeystoreTimeout):
        store.get(make_token(account="other").key)
    assert time.monotonic() - started < 2.0

    # The keyring recovers while the first worker is still stuck: new calls go through at once.
    hanging.hanging.clear()
    other = make_token(account="other")
    started = time.monotonic()
    assert store.save(other).location == "keyring"
    assert time.monotonic() - started < 1.0
    assert store.get(other.key) == other

    # ... and the token held in memory can now be persisted.
    assert store.flush_memory() == 1
    assert store.pending() == []
    assert hanging.data[(store.service, token.key.username)]
    assert {t.key for t in store.list()} == {token.key, other.key}

    assert_no_secret(caplog.text, token.access_token, other.access_token)


def test_many_hung_calls_fail_fast_instead_of_leaking_threads(hanging: HangingKeyring) -> None:
    store = TokenStore(backend=hanging, timeout=0.05)
    key = make_token().key
    for _ in range(8):
        with pytest.raises(keystore.KeystoreTimeout):
            store.get(key)
    started = time.monotonic()
    with pytest.raises(keystore.KeystoreTimeout, match="still stuck"):
        store.get(key)
    assert time.monotonic() - started < 0.05


def test_locked_backend_raises_keystore_locked_and_keeps_token(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    store = TokenStore(backend=LockedKeyring(), timeout=2)
    token = make_token()
    with pytest.raises(keystore.KeystoreError) as info:
        store.save(token)
    err = info.value
    assert isinstance(err, keystore.KeystoreLocked)
    assert err.kept_in_memory is True
    assert "locked" in str(err).lower() and "unlock" in str(err).lower()
    assert isinstance(err.__cause__, keyring.errors.KeyringLocked)
    assert_no_secret(exception_text(err), token.access_token)
    assert store.get(token.key) == token  # served from memory

    with pytest.raises(keystore.KeystoreLocked) as info2:
        store.get(make_token(account="x").key)
    assert info2.value.kept_in_memory is False

    credential = f"CRED-SECRET-{uuid.uuid4().hex}"  # not a literal: tracebacks quote source lines
    with pytest.raises(keystore.KeystoreLocked) as info3:
        store.save_credential("prof", credential)
    assert info3.value.kept_in_memory is True
    assert store.get_credential("prof") == credential
    assert_no_secret(exception_text(info3.value), credential)
    assert_no_secret(caplog.text, token.access_token, credential)


def test_backend_error_messages_are_scrubbed(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    store = TokenStore(backend=LeakyKeyring(), timeout=2)
    token = make_token(value='pä"ss\\wörd-' + secret_token("leaky"))
    with pytest.raises(keystore.KeystoreBackendError) as info:
        store.save(token)
    err = info.value
    assert err.kept_in_memory
    assert "<redacted>" in str(err) and "PasswordSetError" in str(err)
    assert err.__cause__ is None  # the original would carry the secret into tracebacks
    assert_no_secret(exception_text(err), token.access_token)
    assert_no_secret(caplog.text, token.access_token)


def test_fail_backend_keeps_token_in_memory_with_clear_warning(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    store = TokenStore(backend=fail.Keyring())
    token = make_token()
    result = store.save(token)
    assert result.location == "memory"
    assert not result.persistent and not result.secure
    assert result.warning is not None
    warning = result.warning
    assert "no recommended backend" in warning  # the cause
    assert "gnome-keyring" in warning and "KWallet" in warning and "plain-file fallback" in warning  # the fix
    assert "memory" in warning and "lost" in warning
    assert_no_secret(warning, token.access_token)

    assert store.get(token.key) == token
    assert store.list() == [token]
    assert store.mode() == "memory"
    assert "not usable" in store.backend_description()
    with pytest.raises(keystore.KeystoreUnavailable) as info:
        store.ensure_keyring()
    assert "Fix:" in str(info.value)

    assert store.save_credential("p", "CRED-SECRET").location == "memory"
    assert store.get_credential("p") == "CRED-SECRET"
    assert store.delete(token.key) is True
    assert store.list() == []
    assert any(r.levelno == logging.WARNING for r in caplog.records)
    assert_no_secret(caplog.text, token.access_token, "CRED-SECRET")


def test_empty_chainer_is_no_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [])
    store = TokenStore(backend=chainer.ChainerBackend())
    result = store.save(make_token())
    assert result.location == "memory"
    assert "no backends to chain" in (result.warning or "")


def test_chainer_with_one_backend_is_usable(monkeypatch: pytest.MonkeyPatch) -> None:
    inner = DictKeyring()
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [inner])
    store = TokenStore(backend=chainer.ChainerBackend())
    assert store.save(make_token()).location == "keyring"
    assert inner.data


@pytest.mark.parametrize("backend_cls", [ZeroPriorityKeyring, NotViableKeyring])
def test_unviable_backends_use_memory(backend_cls: type[DictKeyring]) -> None:
    backend = backend_cls()
    store = TokenStore(backend=backend)
    result = store.save(make_token())
    assert result.location == "memory"
    assert backend.data == {}


def test_plaintext_fallback_is_opt_in_0600_and_loud(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    path = tmp_path / "state" / "tokens.json"
    store = TokenStore(backend=fail.Keyring(), plaintext_fallback_path=path)
    token = make_token()
    result = store.save(token)
    assert result.location == "file"
    assert result.warning and "INSECURE" in result.warning and str(path) in result.warning
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert token.access_token in path.read_text(encoding="utf-8")
    assert not list(path.parent.glob("*.tmp"))  # atomic write left no temp file behind

    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "INSECURE" in r.getMessage()]
    assert len(warnings) == 1
    store.save(make_token(account="second"))
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "INSECURE" in r.getMessage()]
    assert len(warnings) == 1, "the loud warning is logged once per store, not per save"
    assert_no_secret(caplog.text, token.access_token)

    # A new process (new store) reads the file back.
    again = TokenStore(backend=fail.Keyring(), plaintext_fallback_path=path)
    assert again.get(token.key) == token
    assert {t.key.account for t in again.list()} == {"default", "second"}
    assert again.save_credential("prof", "CRED").location == "file"
    assert again.get_credential("prof") == "CRED"
    assert again.delete(token.key) is True
    assert again.get(token.key) is None
    assert token.access_token not in path.read_text(encoding="utf-8")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_plaintext_fallback_tightens_mode_and_tolerates_corruption(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    path.write_text("{definitely not json")
    path.chmod(0o644)
    store = TokenStore(backend=fail.Keyring(), plaintext_fallback_path=path)
    assert store.list() == []
    token = make_token()
    assert store.save(token).location == "file"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert store.get(token.key) == token
    assert list(tmp_path.glob("tokens.json.corrupt-*")), "corrupt original kept for inspection"


def test_plaintext_fallback_not_used_when_keyring_works(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    store = TokenStore(backend=DictKeyring(), plaintext_fallback_path=path)
    assert store.save(make_token()).location == "keyring"
    assert not path.exists()


def test_unwritable_fallback_keeps_token_in_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    store = TokenStore(backend=fail.Keyring(), plaintext_fallback_path=blocker / "tokens.json")
    token = make_token()
    with pytest.raises(keystore.KeystoreError) as info:
        store.save(token)
    assert info.value.kept_in_memory
    assert store.get(token.key) == token


# ---------------------------------------------------------------------- async


async def test_async_wrappers_roundtrip() -> None:
    store = TokenStore(backend=DictKeyring())
    token = make_token()
    assert (await store.asave(token)).location == "keyring"
    assert await store.aget(token.key) == token
    assert [t.key for t in await store.alist()] == [token.key]
    assert await store.asave_credential("p", "s") == StorageResult("keyring")
    assert await store.aget_credential("p") == "s"
    assert await store.adelete_credential("p") is True
    assert await store.adelete(token.key) is True
    assert await store.alist() == []
    assert "priority 1" in await store.abackend_description()


async def test_async_hanging_backend_does_not_block_event_loop(hanging: HangingKeyring) -> None:
    store = TokenStore(backend=hanging, timeout=0.3)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    try:
        with pytest.raises(keystore.KeystoreTimeout) as info:
            await store.asave(make_token())
        assert info.value.kept_in_memory
    finally:
        task.cancel()
    assert ticks >= 10, "the event loop was blocked while the keyring hung"


# --------------------------------------------------------- real Secret Service


@pytest.fixture(scope="module")
def secret_service_backend() -> KeyringBackend:
    return secret_service()


@pytest.fixture
def real_store(secret_service_backend: KeyringBackend) -> Iterator[TokenStore]:
    service = f"qrlogin-desktop-test-{uuid.uuid4().hex}"
    store = TokenStore(backend=secret_service_backend, service=service, timeout=10)
    yield store
    delete_service_items(service)


@pytest.mark.keyring
def test_real_roundtrip(real_store: TokenStore) -> None:
    token = make_token()
    assert real_store.save(token) == StorageResult("keyring")
    fetched = real_store.get(token.key)
    assert fetched == token
    assert real_store.get(make_token(account="nobody").key) is None
    assert "SecretService" in real_store.backend_description()
    assert real_store.mode() == "keyring"


@pytest.mark.keyring
def test_real_list_shows_exactly_saved_keys(real_store: TokenStore) -> None:
    tokens = [make_token(account=f"acc-{i}") for i in range(3)] + [make_token(server="https://other|srv")]
    for t in tokens:
        assert real_store.save(t).location == "keyring"
    real_store.save(tokens[0])  # saving again must not duplicate
    listed = real_store.list()
    assert sorted(t.key.account + t.key.server for t in listed) == sorted(
        t.key.account + t.key.server for t in tokens
    )
    assert {t.key: t for t in listed} == {t.key: t for t in tokens}


@pytest.mark.keyring
def test_real_delete_removes_token_and_index_entry(
    real_store: TokenStore, secret_service_backend: KeyringBackend
) -> None:
    keep, drop = make_token(account="keep"), make_token(account="drop")
    real_store.save(keep)
    real_store.save(drop)
    assert real_store.delete(drop.key) is True
    assert real_store.get(drop.key) is None
    assert real_store.delete(drop.key) is False
    index = json.loads(secret_service_backend.get_password(real_store.service, INDEX_USERNAME) or "[]")
    assert index == [keep.key.to_json()]
    assert [t.key for t in real_store.list()] == [keep.key]
    assert drop.key.username not in service_usernames(real_store.service)


@pytest.mark.keyring
def test_real_credentials_roundtrip(real_store: TokenStore) -> None:
    assert real_store.get_credential("profile-1") is None
    assert real_store.save_credential("profile-1", "bearer-SECRET-xyz").location == "keyring"
    assert real_store.get_credential("profile-1") == "bearer-SECRET-xyz"
    real_store.save_credential("profile-1", "bearer-SECRET-rotated")
    assert real_store.get_credential("profile-1") == "bearer-SECRET-rotated"
    assert real_store.list() == []
    assert real_store.delete_credential("profile-1") is True
    assert real_store.get_credential("profile-1") is None
    assert real_store.delete_credential("profile-1") is False
    assert service_usernames(real_store.service) == []


@pytest.mark.keyring
def test_real_unicode_and_long_values(real_store: TokenStore) -> None:
    unicode_token = make_token(
        account="微信用户-🔑", value="令牌-токен-🔐-" + "é" * 50 + '"\\\n\t' + secret_token("u")
    )
    long_token = make_token(account="long", value="A" * 64_000 + secret_token("long"))
    for t in (unicode_token, long_token):
        assert real_store.save(t).location == "keyring"
        assert real_store.get(t.key) == t
    assert {t.key for t in real_store.list()} == {unicode_token.key, long_token.key}
    real_store.save_credential("профиль/β", "секрет-🔒")
    assert real_store.get_credential("профиль/β") == "секрет-🔒"


@pytest.mark.keyring
async def test_real_async(real_store: TokenStore) -> None:
    token = make_token(account="async")
    assert (await real_store.asave(token)).location == "keyring"
    assert await real_store.aget(token.key) == token
    assert await real_store.adelete(token.key) is True
    assert await real_store.alist() == []


@pytest.mark.keyring
def test_real_default_backend_detection(secret_service_backend: KeyringBackend) -> None:
    # With no explicit backend, keyring's own detection must find the Secret Service.
    store = TokenStore(service=f"qrlogin-desktop-test-{uuid.uuid4().hex}", timeout=10)
    assert store.mode() == "keyring"
    assert "SecretService" in store.backend_description()


class ItemNotFoundException(Exception):
    """Named like secretstorage's: what gnome-keyring gives when an item vanishes mid-read."""


class VanishingKeyring(DictKeyring):
    """An entry deleted by someone else between the backend's search and its read."""

    def get_password(self, service: str, username: str) -> str | None:
        if (service, username) in self.data:
            raise ItemNotFoundException("Item does not exist")
        return None


def test_an_entry_deleted_during_a_read_is_absent_not_an_error() -> None:
    backend = VanishingKeyring()
    store = TokenStore(backend=backend, service="vanishing")
    store.save_credential("profile1", "credential-value-123456")
    assert store.get_credential("profile1") is None
    token = make_token()
    store.save(token)
    assert store.get(token.key) is None
    assert store.list() == []


# ------------------------------------------- errors, index and the write lock


def test_errors_are_immutable_and_survive_pickling() -> None:
    import pickle

    errors: list[keystore.KeystoreError] = [
        keystore.KeystoreTimeout("save token", 0.5, detail=" (detail)"),
        keystore.KeystoreUnavailable("no backend", backend="fail Keyring"),
        keystore.KeystoreLocked("locked", operation="read token"),
        keystore.KeystoreBackendError("broken", operation="save token", kept_in_memory=True),
        keystore.KeystoreBusy("save token", 2.0, "/run/x.lock"),
    ]
    for error in errors:
        with pytest.raises(AttributeError, match="immutable"):
            error.kept_in_memory = True  # type: ignore[misc]
        with pytest.raises(AttributeError):
            error.message = "changed"  # type: ignore[misc]
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error) and str(copy) == str(error)
        assert copy.kept_in_memory == error.kept_in_memory and copy.operation == error.operation
        kept = error.kept_in_memory_copy()
        assert kept is not error and type(kept) is type(error) and kept.kept_in_memory
        assert str(kept).startswith(error.message) and "kept in memory" in str(kept)
    assert not errors[0].kept_in_memory, "the copy leaves the original as it was"


class IndexFailingKeyring(DictKeyring):
    """Stores tokens but cannot write the token index."""

    def set_password(self, service: str, username: str, password: str) -> None:
        if username == INDEX_USERNAME:
            raise keyring.errors.PasswordSetError("index write refused")
        super().set_password(service, username, password)


def test_a_token_the_index_cannot_list_is_kept_in_memory_and_listed() -> None:
    backend = IndexFailingKeyring()
    store = TokenStore(backend=backend, service="svc-index-failure")
    token = make_token()
    with pytest.raises(keystore.KeystoreBackendError) as info:
        store.save(token)
    assert info.value.kept_in_memory and "write token index" in str(info.value)
    assert store.list() == [token] and store.pending() == [token]

    backend.__class__ = DictKeyring  # the keyring recovers: flushing indexes the token
    assert store.flush_memory() == 1
    assert store.pending() == []
    again = TokenStore(backend=backend, service=store.service)
    assert again.list() == [token]


def test_a_held_write_lock_gives_a_clear_error_and_keeps_the_token(caplog: pytest.LogCaptureFixture) -> None:
    from filelock import FileLock

    from qrlogin_desktop.storage.keystore.service_lock import lock_path

    caplog.set_level(logging.DEBUG)
    backend = DictKeyring()
    store = TokenStore(backend=backend, service="svc-lock-held", timeout=0.3)
    path = lock_path(store.service)
    path.parent.mkdir(parents=True, exist_ok=True)
    other_process = FileLock(path)  # another file descriptor: flock excludes it like another process
    token = make_token()
    try:
        with other_process:
            started = time.monotonic()
            with pytest.raises(keystore.KeystoreBusy) as info:
                store.save(token)
            assert time.monotonic() - started < 0.3 + 1.0
            with pytest.raises(keystore.KeystoreBusy):
                store.delete(token.key)
    finally:
        path.unlink(missing_ok=True)
    err = info.value
    assert err.kept_in_memory and err.operation == "save token"
    assert str(path) in str(err) and "another qrlogin-desktop process" in str(err)
    assert backend.data == {}, "nothing is written without the lock"
    assert store.pending() == [token]
    assert_no_secret(exception_text(err) + caplog.text, token.access_token)

    assert store.flush_memory() == 1  # the lock is free again
    assert [t.key for t in TokenStore(backend=backend, service=store.service).list()] == [token.key]


def test_fallback_backends_are_never_chosen_by_keyring_detection() -> None:
    import keyring.backend

    from qrlogin_desktop.storage.keystore.fallbacks import MemoryKeyring, PlainFileKeyring

    found = keyring.backend.get_all_keyring()
    assert not [b for b in found if isinstance(b, (MemoryKeyring, PlainFileKeyring))]


class ReloadingKeyring(DictKeyring):
    """Fails the first ``blips`` writes the way gnome-keyring does while it reloads its file: at once,
    with keyring's "Failed to create the collection: Prompt dismissed" (after ``delay`` seconds)."""

    def __init__(self, blips: int, delay: float = 0.0) -> None:
        super().__init__()
        self.blips = blips
        self.delay = delay

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.blips > 0:
            self.blips -= 1
            time.sleep(self.delay)
            raise keyring.errors.InitError("Failed to create the collection: Prompt dismissed.")
        super().set_password(service, username, password)


def test_a_write_rides_out_a_keyring_reloading_its_file() -> None:
    backend = ReloadingKeyring(blips=2)
    store = TokenStore(backend=backend, service="svc")
    token = make_token()
    assert store.save(token).location == "keyring"
    assert store.get(token.key) == token and store.pending() == []


def test_a_keyring_that_keeps_failing_is_reported_not_retried_forever() -> None:
    store = TokenStore(backend=ReloadingKeyring(blips=100), service="svc")
    token = make_token()
    with pytest.raises(keystore.KeystoreError) as caught:
        store.save(token)
    assert caught.value.kept_in_memory and store.pending() == [token]


def test_a_prompt_a_person_dismissed_is_not_shown_again() -> None:
    backend = ReloadingKeyring(blips=1, delay=0.6)  # slower than any reload: somebody said no
    store = TokenStore(backend=backend, service="svc")
    with pytest.raises(keystore.KeystoreError):
        store.save(make_token())
    assert backend.calls.count("set") == 0 and backend.blips == 0
