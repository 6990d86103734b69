"""The request history file: survives a restart, never holds a secret, bounded, atomic, damage-tolerant."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from urllib.parse import quote, quote_plus

import httpx
import pytest
from support import APP_KEY, TEST_TOKEN

from qrlogin_desktop.api.client import QrLoginClient
from qrlogin_desktop.api.errors import QrLoginError
from qrlogin_desktop.api.exchange import LOG_BODY_PREFIX, Exchange
from qrlogin_desktop.api.redact import Redactor
from qrlogin_desktop.storage import request_history
from qrlogin_desktop.storage.request_history import HISTORY_FILE, RequestHistory


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / HISTORY_FILE


def _forms(secret: str) -> set[bytes]:
    """Every way a secret could be written into the file: as is, JSON-escaped (both ways),
    percent-encoded, and without the whitespace a paste adds."""
    out = set()
    for s in {secret, secret.strip()}:
        for text in (s, json.dumps(s)[1:-1], json.dumps(s, ensure_ascii=False)[1:-1], quote(s, safe=""),
                     quote_plus(s, safe="")):
            out.add(text.encode("utf-8"))
    return {form for form in out if len(form) >= 8}


def _assert_not_in_file(path: Path, *secret_values: str) -> None:
    raw = path.read_bytes()
    for secret in secret_values:
        for form in _forms(secret):
            assert form not in raw, f"{form[:12]!r}… of a secret is in {path.name}"


def _exchange(i: int, body: str = "{}") -> Exchange:
    return Exchange(started_at=1_700_000_000.5 + i, endpoint="QRAuthScan", method="POST",
                    url=f"http://127.0.0.1:1/api/demo/QR-Auth/Scan?n={i}",
                    request_headers=(("content-type", "application/json"),), request_body=body,
                    request_size=len(body), status=200, response_headers=(("x-n", str(i)),),
                    response_body='{"code": 408, "data": null, "error": "waiting"}', response_size=46,
                    response_content_type="application/json", latency_ms=1.25, error="waiting", envelope_code=408)


async def test_a_login_survives_a_restart_and_leaves_no_secret_in_the_file(client: QrLoginClient, path: Path):
    logged: list[Exchange] = []
    client.add_listener(logged.append)
    key = await client.initiate(scopes="userinfo")
    await client.scan(key)
    token = (await client.confirm_login(key)).access_token
    session = json.loads(await client.jscode2session("code_for_history"))
    session_key = session["session_key"]
    with pytest.raises(QrLoginError):
        await client.decrypt("AAAAAAAAAAAAAAAAAAAAAA==", "AAAAAAAAAAAAAAAAAAAAAA==", session_key)
    # The live exchanges are where the secrets went: the answer carried the token, the request the sessionKey.
    confirm = next(x for x in logged if x.endpoint == "QRAuthConfirmLogin")
    assert '"access_token"' in (confirm.response_body or "") and token not in (confirm.response_body or "")
    decrypt = next(x for x in logged if x.endpoint == "Decrypt")
    assert "sessionKey=" in decrypt.url and quote(session_key, safe="") not in decrypt.url
    assert len(token) > 20 and len(session_key) >= 16

    assert RequestHistory(path).save(logged) == len(logged)
    restarted = RequestHistory(path).load()  # a new process would read just this

    def shown(xs: list[Exchange]) -> list[tuple]:
        return [(x.started_at, x.endpoint, x.method, x.status, x.envelope_code, x.request_headers, x.request_body,
                 x.response_headers, x.response_body, x.response_size, x.latency_ms, x.error) for x in xs]

    assert shown(restarted) == shown(logged)
    _assert_not_in_file(path, token, session_key, TEST_TOKEN)


ODD_TOKENS = {
    "trailing newline": lambda base: base + "\n",
    "non-ASCII": lambda base: base + "é令牌",
    "a tab inside and a newline after": lambda base: base[:10] + "\t" + base[10:] + "\r\n",
}


@pytest.mark.parametrize("kind", list(ODD_TOKENS))
async def test_odd_tokens_and_session_keys_never_reach_the_file(path: Path, kind: str):
    """A server may hand out tokens we would never make: they are masked all the same."""
    token = ODD_TOKENS[kind]("tok-" + secrets.token_urlsafe(24))
    session_key = ODD_TOKENS[kind]("sk-" + secrets.token_urlsafe(16))
    credential = "cred-" + secrets.token_urlsafe(24)

    def answer(request: httpx.Request) -> httpx.Response:
        path_ = request.url.path
        if path_.endswith("/Initiate"):
            data: object = 4242
        elif path_.endswith("/Scan"):
            data = {"appName": "demo", "appLogo": None}
        elif path_.endswith("/Confirm-Login"):
            data = {"access_token": token, "token_type": "Bearer", "expires_in": 60}
        else:
            data = json.dumps({"openid": "o1", "session_key": session_key}, ensure_ascii=False)
        return httpx.Response(200, json={"code": 200, "data": data, "error": ""})

    logged: list[Exchange] = []
    async with QrLoginClient("http://odd.test", APP_KEY, credential, transport=httpx.MockTransport(answer)) as c:
        c.add_listener(logged.append)
        key = await c.initiate()
        await c.scan(key)
        assert (await c.confirm_login(key)).access_token == token
        assert json.loads(await c.jscode2session("code"))["session_key"] == session_key
        await c.call("Decrypt", query={"encryptedData": "e", "iv": "i", "sessionKey": session_key}, validate=False)
    assert len(logged) == 5
    RequestHistory(path).save(logged)
    assert len(RequestHistory(path).load()) == 5
    _assert_not_in_file(path, token, session_key, credential)


def test_a_secret_a_record_still_holds_is_masked_on_the_way_to_disk(path: Path):
    """The second net: a record made before its secret was learnt (or never redacted) is masked again."""
    secret = "late-" + secrets.token_urlsafe(20) + "é\n"
    record = _exchange(1, body=json.dumps({"note": secret}, ensure_ascii=False))
    Redactor().add(secret)  # learnt later, by any client of the process
    RequestHistory(path).save([record])
    _assert_not_in_file(path, secret)
    (back,) = RequestHistory(path).load()
    assert "***" in (back.request_body or "")


def test_the_newest_entries_are_kept(path: Path):
    history = RequestHistory(path, max_entries=50)
    assert history.save([_exchange(i) for i in range(120)]) == 50
    loaded = RequestHistory(path, max_entries=50).load()
    assert [x.started_at for x in loaded] == [_exchange(i).started_at for i in range(70, 120)]


def test_the_file_stays_within_its_byte_bound(path: Path):
    big = json.dumps({"blob": "x" * (LOG_BODY_PREFIX - 20)})
    limit = 2 * 1024 * 1024
    history = RequestHistory(path, max_bytes=limit)
    written = history.save([_exchange(i, body=big) for i in range(40)])
    assert 0 < written < 40
    assert path.stat().st_size <= limit
    loaded = RequestHistory(path, max_bytes=limit).load()
    assert len(loaded) == written and loaded[-1].started_at == _exchange(39).started_at  # the newest kept


def test_the_default_bounds(path: Path):
    assert request_history.MAX_ENTRIES == 500 and request_history.MAX_BYTES == 8 * 1024 * 1024
    big = json.dumps({"blob": "y" * (LOG_BODY_PREFIX - 20)})
    RequestHistory(path).save([_exchange(i, body=big) for i in range(60)])
    assert path.stat().st_size <= request_history.MAX_BYTES


def test_a_failed_write_leaves_the_previous_history(path: Path, monkeypatch: pytest.MonkeyPatch):
    RequestHistory(path).save([_exchange(1)])
    before = path.read_bytes()

    def broken_replace(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        RequestHistory(path).save([_exchange(i) for i in range(5)])
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left behind


def test_a_damaged_file_never_stops_a_load(path: Path):
    history = RequestHistory(path)
    history.save([_exchange(i) for i in range(3)])
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[2] = '{"endpoint": 3, "broken'
    path.write_text("\n".join(lines), encoding="utf-8")
    loaded = history.load()
    assert [x.started_at for x in loaded] == [_exchange(0).started_at, _exchange(2).started_at]
    assert history.warnings == [f"{HISTORY_FILE}: 1 damaged line skipped"]

    path.write_bytes(b"\xff\xfe not a history")
    assert history.load() == [] and "not a request history" in history.warnings[0]
    path.write_bytes(b"x" * (history.max_bytes * 2 + 1))
    assert history.load() == [] and "not read" in history.warnings[0]


def test_missing_file_and_clear(path: Path):
    history = RequestHistory(path)
    assert history.load() == [] and history.warnings == []
    history.save([_exchange(1)])
    assert path.exists()
    history.clear()
    assert not path.exists() and history.load() == []
    history.clear()  # clearing twice is fine


def test_the_data_dir_follows_the_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("QRLOGIN_DATA_DIR", str(tmp_path / "elsewhere"))
    assert RequestHistory().path == tmp_path / "elsewhere" / HISTORY_FILE
    monkeypatch.delenv("QRLOGIN_DATA_DIR")
    assert request_history.default_path().name == HISTORY_FILE
    assert "qrlogin-desktop" in str(request_history.default_path())
