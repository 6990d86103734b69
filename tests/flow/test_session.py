"""The session seam both front ends build a login through: credential, client, driver, QR payload,
token storage. Real keyring (Secret Service), the embedded sandbox on a real loopback socket."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from dataclasses import replace

import pytest
from keyring_support import delete_service_items, secret_service, with_timeout

from qrlogin_desktop.api.outcomes import Action
from qrlogin_desktop.cli.login import login_in_terminal
from qrlogin_desktop.flow.machine import State
from qrlogin_desktop.flow.qr import PayloadTemplateError
from qrlogin_desktop.flow.session import EMBEDDED_SERVER_LABEL, Connection, connect
from qrlogin_desktop.storage.keystore import TokenStore
from qrlogin_desktop.storage.profiles import Profile, sandbox_profile
from qrlogin_desktop.storage.token_records import account_for

CREDENTIAL = "bearer-credential-0123456789abcdef"


@pytest.fixture
def store() -> Iterator[TokenStore]:
    service = f"qrlogin-connection-test-{uuid.uuid4().hex}"
    yield TokenStore(backend=secret_service(), service=service, timeout=10)
    with_timeout(lambda: delete_service_items(service))


@pytest.fixture
def sandbox_connection() -> Iterator[Connection]:
    connection = connect(replace(sandbox_profile(), poll_min_interval=0.05, poll_idle_interval=0.1))
    yield connection
    connection.close()


def remote(**fields) -> Profile:
    return Profile(name="remote", base_url="https://login.example.test/", app_key="app-1", **fields)


def test_the_credential_is_the_one_given_else_the_profiles_in_the_keyring(store: TokenStore) -> None:
    profile = remote()
    assert connect(profile, store=store).token is None  # nothing stored yet
    store.save_credential(profile.id, CREDENTIAL)
    connection = connect(profile, store=store)
    assert connection.token == CREDENTIAL and connection.base_url == "https://login.example.test"
    assert connect(profile, "given-on-the-command-line-123", store=store).token == "given-on-the-command-line-123"
    assert connect(profile).token is None  # no store: nothing is looked up
    assert CREDENTIAL not in repr(connection)


def test_the_embedded_sandbox_makes_its_own_credential(store: TokenStore) -> None:
    profile = sandbox_profile()
    store.save_credential(profile.id, CREDENTIAL)  # never read for the sandbox
    connection = connect(profile, store=store)
    try:
        assert connection.sandbox is not None and connection.token == connection.sandbox.sandbox.config.token
        assert connection.token != CREDENTIAL and connection.server_label == EMBEDDED_SERVER_LABEL
    finally:
        connection.close()


def test_the_qr_payload_is_the_profiles_template() -> None:
    connection = Connection("https://login.example.test", "app/1&x", None,
                            remote(payload_template="{server}/scan?k={signInKey}&a={appKey}"))
    assert connection.qr_payload(-42) == "https://login.example.test/scan?k=-42&a=app%2F1%26x"
    broken = Connection("https://x.test", "a", None, replace(remote(), payload_template="{nope}"))
    with pytest.raises(PayloadTemplateError):
        broken.qr_payload(1)


async def test_a_driver_gets_the_profiles_policy_and_code_table() -> None:
    profile = remote(poll_min_interval=0.5, poll_idle_interval=2.0, session_ttl=30.0, code_table={"418": "wait"})
    connection = Connection("https://login.example.test", "app-1", CREDENTIAL, profile)
    client = connection.client()
    try:
        driver = connection.driver(client, max_retries=1)
        assert (driver.policy.min_interval, driver.policy.idle_interval, driver.policy.session_ttl) == (0.5, 2.0, 30.0)
        assert driver.policy.max_retries == 1 and driver.client is client
        assert driver.codes.action_for_code(418) is Action.WAIT and driver.codes.action_for_code(410) is Action.EXPIRED
    finally:
        await client.aclose()


async def test_a_whole_login_through_the_connection_is_stored_under_its_label(
        sandbox_connection: Connection, store: TokenStore) -> None:
    client = sandbox_connection.client()
    try:
        driver = sandbox_connection.driver(client)
        payloads: list[str] = []
        driver.add_listener(lambda t: payloads.append(sandbox_connection.qr_payload(driver.sign_in_key))
                            if t.target is State.WAITING_FOR_SCAN else None)
        result = await driver.run_simulated()
    finally:
        await client.aclose()
    assert result.ok and payloads == [f"qrlogin://signin?appKey=demo&signInKey={result.sign_in_key}"]
    saved = await sandbox_connection.save_token(store, result.token)
    assert saved.persistent and saved.result.location == "keyring"
    expected_account = account_for(saved.token.claims)
    assert saved.token.key.server == EMBEDDED_SERVER_LABEL and saved.token.key.app_key == "demo"
    assert saved.token.key.account == expected_account != "default"
    [stored] = store.list()
    assert stored.key == saved.token.key and stored.access_token == result.token.access_token


async def test_the_command_line_stores_the_token_by_the_same_recipe(
        sandbox_connection: Connection, store: TokenStore) -> None:
    out = io.StringIO()
    code = await login_in_terminal(sandbox_connection, store, simulate=True, register=None, out=out)
    assert code == 0, out.getvalue()
    [stored] = store.list()
    assert stored.key.server == EMBEDDED_SERVER_LABEL and stored.key.account == account_for(stored.claims)
    assert f"token stored (keyring) as: {stored.key}" in out.getvalue()
    assert stored.access_token not in out.getvalue()
