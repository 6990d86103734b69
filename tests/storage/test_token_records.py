"""storage.token_records: the one recipe that turns a fresh login's token into a keyring entry."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator

import pytest
from keyring.backends import fail
from keyring_support import delete_service_items, secret_service, with_timeout

from qrlogin_desktop.api.models import TokenModel
from qrlogin_desktop.flow.session import EMBEDDED_SERVER_LABEL, Connection
from qrlogin_desktop.storage.keystore import TokenKey, TokenStore
from qrlogin_desktop.storage.profiles import Profile, sandbox_profile
from qrlogin_desktop.storage.token_records import SavedToken, account_for, save_login_token, stored_token_for


def jwt(claims: dict) -> str:
    def seg(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{seg({'alg': 'HS256', 'typ': 'JWT'})}.{seg(claims)}.c2lnbmF0dXJl"


REMOTE = Connection("https://login.example.test", "app-1", "credential-xyz-0123456789",
                    Profile(name="remote", base_url="https://login.example.test", app_key="app-1"))
EMBEDDED = Connection("http://127.0.0.1:5555", "demo", "sandbox-credential", sandbox_profile())


@pytest.fixture
def store() -> Iterator[TokenStore]:
    service = f"qrlogin-token-storage-test-{uuid.uuid4().hex}"
    yield TokenStore(backend=secret_service(), service=service, timeout=10)
    with_timeout(lambda: delete_service_items(service))


@pytest.mark.parametrize(("claims", "account"), [
    ({"unionid": "u1", "unique_name": "n", "nameid": "i", "sub": "s"}, "u1"),
    ({"unique_name": "n", "nameid": "i", "sub": "s"}, "n"),
    ({"nameid": "i", "sub": "s"}, "i"),
    ({"sub": "s"}, "s"),
    ({"unionid": "", "sub": 7}, "default"),  # empty or not a string: not a label
    ({}, "default"),
    (None, "default"),
])
def test_account_is_the_first_usable_claim(claims, account) -> None:
    assert account_for(claims) == account


def test_the_record_is_labelled_by_server_app_and_jwt_account() -> None:
    token = TokenModel(jwt({"unionid": "wx-user"}), "Bearer", 3600)
    record = stored_token_for(REMOTE, token, obtained_at=1000.0)
    assert record.key == TokenKey("https://login.example.test", "app-1", "wx-user")
    assert (record.token_type, record.expires_in, record.obtained_at) == ("Bearer", 3600, 1000.0)
    # The embedded sandbox's port changes every run: its tokens are filed under one fixed label.
    assert stored_token_for(EMBEDDED, token).key.server == EMBEDDED_SERVER_LABEL
    assert stored_token_for(REMOTE, token, "chosen").key.account == "chosen"  # --account wins
    opaque = TokenModel("not-a-jwt-token-value", "Bearer", 60)
    assert stored_token_for(REMOTE, opaque).key.account == "default"


async def test_save_goes_to_the_keyring_and_never_shows_the_token(store: TokenStore) -> None:
    token = TokenModel(jwt({"sub": "alice"}), "Bearer", 600)
    saved = await save_login_token(store, REMOTE, token)
    assert isinstance(saved, SavedToken) and saved.persistent and saved.result.location == "keyring"
    assert token.access_token not in repr(saved)
    [stored] = store.list()
    assert stored.key == TokenKey("https://login.example.test", "app-1", "alice")
    assert stored.access_token == token.access_token


async def test_no_keyring_keeps_the_token_in_memory_and_says_so() -> None:
    store = TokenStore(backend=fail.Keyring(), service=f"qrlogin-token-storage-test-{uuid.uuid4().hex}")
    token = TokenModel(jwt({"sub": "bob"}), "Bearer", 600)
    saved = await save_login_token(store, REMOTE, token)
    assert not saved.persistent and saved.result.location == "memory" and "kept in memory" in saved.result.warning
    assert [t.access_token for t in store.list()] == [token.access_token]  # not dropped
