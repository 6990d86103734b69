"""The client against every fault the sandbox can inject, and against answers only a hand-made transport can give.

Each fault must surface as the right typed error, and the very next call must succeed (no stuck connection).
"""

from __future__ import annotations

import base64
import io
import json
import random
import socket
from collections.abc import Callable, Iterator
from datetime import UTC

import httpx
import pytest
from PIL import Image
from support import APP_KEY, TEST_TOKEN, asgi_client

from qrlogin_desktop.api.client import Exchange, QrLoginClient
from qrlogin_desktop.api.errors import ApiError, ProtocolError, QrLoginError, TransportError, ValidationError
from qrlogin_desktop.api.models import ImageResult, TokenModel
from qrlogin_desktop.sandbox import Sandbox, SandboxConfig, SandboxThread
from qrlogin_desktop.sandbox.faults import MALFORMED_VARIANTS

# --- a sandbox on loopback shared by the module; each test starts with all faults off ----------------------


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxThread]:
    sandbox = Sandbox(SandboxConfig(app_key=APP_KEY, token=TEST_TOKEN))
    with SandboxThread(sandbox) as running:
        yield running


def _reset(sandbox: Sandbox) -> None:
    f = sandbox.faults
    f.clear()
    f.latency_ms = f.error_rate = f.rate_limit_rate = f.malformed_rate = f.drop_rate = 0.0
    f.retry_after = 1.0


@pytest.fixture
def fault_sandbox(server: SandboxThread) -> Iterator[Sandbox]:
    _reset(server.sandbox)
    yield server.sandbox
    _reset(server.sandbox)


@pytest.fixture
async def net_client(server: SandboxThread, fault_sandbox: Sandbox):
    async with QrLoginClient(server.url, APP_KEY, TEST_TOKEN, timeout=5.0) as c:
        yield c


async def _still_works(client: QrLoginClient) -> None:
    key = await client.initiate(scopes="userinfo")
    assert isinstance(key, int)
    assert (await client.scan(key)).scopes == "userinfo"


# --- scripted faults over a real socket ---------------------------------------------------------------------


async def test_500(net_client: QrLoginClient, fault_sandbox: Sandbox):
    fault_sandbox.faults.script(["500"])
    with pytest.raises(ApiError) as err:
        await net_client.initiate()
    e = err.value
    assert (e.code, e.http_status, e.endpoint) == (500, 500, "QRAuthInitiate")
    assert e.retryable is True
    assert "injected server fault" in e.error
    assert e.retry_after is None
    await _still_works(net_client)


@pytest.mark.parametrize("retry_after", [0.0, 1.0, 7.0, 2.5])
async def test_429_with_retry_after(net_client: QrLoginClient, fault_sandbox: Sandbox, retry_after: float):
    fault_sandbox.faults.retry_after = retry_after
    fault_sandbox.faults.script(["429"])
    with pytest.raises(ApiError) as err:
        await net_client.js_config("https://example.com/")
    e = err.value
    assert (e.code, e.http_status) == (429, 429)
    assert e.retry_after == pytest.approx(retry_after)
    assert e.retryable is True
    await _still_works(net_client)


MALFORMED_EXPECT: dict[str, tuple[str, str | None]] = {
    # variant -> (a word of the reason, the start of the snippet; None = empty snippet)
    "html": ("HTML", "<!DOCTYPE html>"),
    "empty": ("empty", None),
    "truncated": ("truncated", '{"code": 200, "data": {"access_token":'),
    "wrong_types": ("code must be an integer", '{"code": "200"'),
    "missing_code": ("no code", '{"data": null'),
    "garbage": ("not JSON", "\x00"),
}


def test_every_malformed_variant_has_an_expectation():
    assert set(MALFORMED_EXPECT) == set(MALFORMED_VARIANTS)


@pytest.mark.parametrize("variant", MALFORMED_VARIANTS)
async def test_malformed(net_client: QrLoginClient, fault_sandbox: Sandbox, variant: str):
    fault_sandbox.faults.script([f"malformed:{variant}"])
    seen: list[Exchange] = []
    net_client.add_listener(seen.append)
    with pytest.raises(ProtocolError) as err:
        await net_client.confirm_login(1)
    e = err.value
    word, start = MALFORMED_EXPECT[variant]
    assert word.lower() in e.reason.lower(), e.reason
    assert e.http_status == 200
    assert e.endpoint == "QRAuthConfirmLogin"
    assert e.retryable is True and e.code is None  # as the poller treats it (api/outcomes.py: MALFORMED)
    if start is None:
        assert e.snippet == ""
    else:
        assert e.snippet.startswith(start.strip()) or e.snippet.startswith(start), repr(e.snippet)
        assert len(e.snippet) <= 120
    assert e.reason in str(e)
    assert "\n" not in e.snippet
    assert len(seen) == 1 and seen[0].error is not None
    await _still_works(net_client)


async def test_malformed_without_variant_is_one_of_them(net_client: QrLoginClient, fault_sandbox: Sandbox):
    fault_sandbox.faults.rng = random.Random(3)
    fault_sandbox.faults.script(["malformed"] * 6)
    for _ in range(6):
        with pytest.raises(ProtocolError):
            await net_client.initiate()
    await _still_works(net_client)


async def test_drop(net_client: QrLoginClient, fault_sandbox: Sandbox):
    fault_sandbox.faults.script(["drop"])
    with pytest.raises(TransportError) as err:
        await net_client.initiate()
    e = err.value
    assert e.kind == "dropped"
    assert e.endpoint == "QRAuthInitiate"
    assert e.retryable is True
    assert "dropped" in str(e)
    await _still_works(net_client)


async def test_burst_of_faults_then_fine(net_client: QrLoginClient, fault_sandbox: Sandbox):
    fault_sandbox.faults.script(["500", "drop", "429", "malformed:html", "drop", "500"])
    expected = [ApiError, TransportError, ApiError, ProtocolError, TransportError, ApiError]
    for kind in expected:
        with pytest.raises(kind):
            await net_client.initiate()
    await _still_works(net_client)


async def test_latency_beyond_the_client_timeout(server: SandboxThread, fault_sandbox: Sandbox):
    fault_sandbox.faults.latency_ms = 800
    async with QrLoginClient(server.url, APP_KEY, TEST_TOKEN, timeout=0.2) as c:
        with pytest.raises(TransportError) as err:
            await c.initiate()
        assert err.value.kind == "timeout"
        assert err.value.retryable is True
        assert "did not answer in time" in str(err.value)
        fault_sandbox.faults.latency_ms = 0
        await _still_works(c)


async def test_latency_within_the_client_timeout(net_client: QrLoginClient, fault_sandbox: Sandbox):
    fault_sandbox.faults.latency_ms = 150
    seen: list[Exchange] = []
    net_client.add_listener(seen.append)
    await net_client.initiate()
    assert seen[0].latency_ms >= 140


# --- connection-level failures ----------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_connection_refused():
    async with QrLoginClient(f"http://127.0.0.1:{_closed_port()}", APP_KEY, TEST_TOKEN, timeout=3) as c:
        with pytest.raises(TransportError) as err:
            await c.initiate()
    e = err.value
    assert e.kind == "connect"
    assert e.retryable is True
    assert "cannot connect" in str(e)
    assert TEST_TOKEN not in str(e)


async def test_https_to_a_plain_http_port(server: SandboxThread, fault_sandbox: Sandbox):
    url = server.url.replace("http://", "https://")
    async with QrLoginClient(url, APP_KEY, TEST_TOKEN, timeout=3) as c:
        with pytest.raises(TransportError) as err:
            await c.initiate()
    e = err.value
    # the client classifies a failed handshake (plain HTTP answering a ClientHello) as TLS, not connect
    assert e.kind == "tls", (e.kind, str(e))
    assert e.retryable is False
    assert str(e).startswith("TLS")
    assert "QRAuthInitiate" in str(e)
    assert "SSL" in e.detail or "ssl" in e.detail.lower()
    # and plain HTTP on the same port still works
    async with QrLoginClient(server.url, APP_KEY, TEST_TOKEN, timeout=3) as ok:
        await _still_works(ok)


# --- random-rate faults, deterministic through a seeded rng -----------------------------------------------


async def test_random_error_rate_gives_only_success_or_500(sandbox: Sandbox):
    sandbox.faults.error_rate = 0.5
    sandbox.faults.rng = random.Random(20260101)
    outcomes = {"ok": 0, "500": 0}
    async with asgi_client(sandbox) as c:
        for _ in range(200):
            try:
                key = await c.initiate()
            except ApiError as e:
                assert (e.code, e.http_status) == (500, 500)
                outcomes["500"] += 1
            else:
                assert isinstance(key, int)
                outcomes["ok"] += 1
        assert 60 <= outcomes["500"] <= 140, outcomes
        sandbox.faults.error_rate = 0.0
        await _still_works(c)


async def test_all_rates_mixed_over_loopback(net_client: QrLoginClient, fault_sandbox: Sandbox):
    f = fault_sandbox.faults
    f.rng = random.Random(7)
    f.error_rate = f.rate_limit_rate = f.malformed_rate = f.drop_rate = 0.2
    kinds: set[type] = set()
    for _ in range(60):
        try:
            await net_client.initiate()
        except (ApiError, ProtocolError, TransportError) as e:
            kinds.add(type(e))
            if isinstance(e, TransportError):
                assert e.kind == "dropped"
            if isinstance(e, ApiError):
                assert e.code in (500, 429)
        else:
            kinds.add(int)
    assert kinds == {int, ApiError, ProtocolError, TransportError}
    _reset(fault_sandbox)
    await _still_works(net_client)


# --- hand-made answers via httpx.MockTransport ----------------------------------------------------------


def mock_client(handler: Callable[[httpx.Request], httpx.Response], token: str = TEST_TOKEN) -> QrLoginClient:
    return QrLoginClient("http://mock.test", APP_KEY, token, transport=httpx.MockTransport(handler))


def _png(size: int = 8) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), "white").save(out, format="PNG")
    return out.getvalue()


def _json(status: int, value: object, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(value).encode(),
                          headers={"content-type": "application/json", **(headers or {})})


HTML_502 = b"<html><head><title>502 Bad Gateway</title></head><body><center>nginx/1.25</center></body></html>"
HTML_401 = b"<!doctype html><html><body><h1>401 Unauthorized</h1><p>Please sign in.</p></body></html>"


async def test_mock_502_html():
    async with mock_client(lambda r: httpx.Response(502, content=HTML_502, headers={"content-type": "text/html"})) as c:
        with pytest.raises(ProtocolError) as err:
            await c.initiate()
    e = err.value
    assert e.http_status == 502 and e.code == 502 and e.retryable is True
    assert "HTML" in e.reason
    assert "502 Bad Gateway" in e.snippet
    assert e.content_type == "text/html"


async def test_mock_401_html():
    async with mock_client(lambda r: httpx.Response(401, content=HTML_401, headers={"content-type": "text/html"})) as c:
        with pytest.raises(ProtocolError) as err:
            await c.scan(1)
    e = err.value
    assert e.http_status == 401 and e.code == 401 and e.retryable is False
    assert "401 Unauthorized" in e.snippet


async def test_mock_html_without_content_type():
    async with mock_client(lambda r: httpx.Response(200, content=b"  <html>oops</html>")) as c:
        with pytest.raises(ProtocolError) as err:
            await c.initiate()
    assert "HTML" in err.value.reason


@pytest.mark.parametrize(("value", "reason"), [
    ([{"code": 200, "data": 1}], "got list"),
    ("just a string", "got str"),
    (None, "got NoneType"),
    ({"code": True}, "got bool"),
    ({"code": "200", "data": 1}, "got str"),
    ({"code": 200.0, "data": 1}, "got float"),
    ({"data": 1}, "no code"),
    ({"code": 200, "data": 1, "error": 5}, "error must be a string"),
])
async def test_mock_not_an_envelope(value: object, reason: str):
    async with mock_client(lambda r: _json(200, value)) as c:
        with pytest.raises(ProtocolError) as err:
            await c.initiate()
    assert reason in err.value.reason, err.value.reason
    assert err.value.http_status == 200


async def test_mock_confirm_login_without_data():
    async with mock_client(lambda r: _json(200, {"code": 200})) as c:
        with pytest.raises(ProtocolError) as err:
            await c.confirm_login(1)
    assert "no data" in err.value.reason


@pytest.mark.parametrize(("data", "reason"), [
    ({"access_token": 12345, "token_type": "Bearer", "expires_in": 60}, "access_token must be a string"),
    ({"token_type": "Bearer", "expires_in": 60}, "without access_token"),
    ({"access_token": "", "token_type": "Bearer", "expires_in": 60}, "empty"),
    ({"access_token": "abcdefgh", "token_type": "Bearer", "expires_in": "soon"}, "expires_in"),
    ("a-token-as-a-string", "TokenModel object"),
    (None, "TokenModel object"),
])
async def test_mock_bad_token_model(data: object, reason: str):
    async with mock_client(lambda r: _json(200, {"code": 200, "data": data, "error": ""})) as c:
        with pytest.raises(ProtocolError) as err:
            await c.confirm_login(1)
    assert reason in err.value.reason, err.value.reason


async def test_mock_success_envelope_with_error_status():
    async with mock_client(lambda r: _json(500, {"code": 200, "data": 5})) as c:
        with pytest.raises(ProtocolError) as err:
            await c.initiate()
    assert err.value.http_status == 500 and err.value.retryable


async def test_mock_image_endpoint_json_error_envelope():
    answer = {"code": 40001, "data": None, "error": "invalid credential"}
    async with mock_client(lambda r: _json(200, answer)) as c:
        with pytest.raises(ApiError) as err:
            await c.wxacode_get({"path": "pages/index/index"})
    assert (err.value.code, err.value.error, err.value.endpoint) == (40001, "invalid credential", "WXACodeGet")


async def test_mock_image_endpoint_png_type_with_non_image_bytes():
    bad = httpx.Response(200, content=b"this is not a png at all", headers={"content-type": "image/png"})
    async with mock_client(lambda r: bad) as c:
        with pytest.raises(ProtocolError) as err:
            await c.wxacode_get_unlimited({"scene": "42"})
    assert "no image" in err.value.reason
    assert err.value.content_type == "image/png"


@pytest.mark.parametrize("prefix", ["", "data:image/png;base64,"])
async def test_mock_image_endpoint_base64_png_in_envelope(prefix: str):
    png = _png()
    answer = {"code": 200, "data": prefix + base64.b64encode(png).decode(), "error": ""}
    async with mock_client(lambda r: _json(200, answer)) as c:
        image = await c.wxacode_get({"path": "pages/index/index"})
    assert isinstance(image, ImageResult)
    assert image.content_type == "image/png" and image.data == png


async def test_mock_image_endpoint_raw_png_with_wrong_content_type():
    png = _png()
    async with mock_client(lambda r: httpx.Response(200, content=png,
                                                    headers={"content-type": "application/octet-stream"})) as c:
        image = await c.wxacode_get({"path": "pages/index/index"})
    assert image.content_type == "image/png" and image.data == png


async def test_mock_image_endpoint_envelope_with_non_image_data():
    answer = {"code": 200, "data": base64.b64encode(b"hello world").decode(), "error": ""}
    async with mock_client(lambda r: _json(200, answer)) as c:
        with pytest.raises(ProtocolError):
            await c.wxacode_get({"path": "pages/index/index"})


async def test_mock_429_with_http_date_retry_after():
    from datetime import datetime, timedelta
    from email.utils import format_datetime

    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    async with mock_client(lambda r: _json(429, {"code": 429, "error": "slow down"}, {"retry-after": when})) as c:
        with pytest.raises(ApiError) as err:
            await c.initiate()
    assert 25 <= (err.value.retry_after or 0) <= 31


# --- secrets never reach an error message -------------------------------------------------------------------


def _echo_html(request: httpx.Request) -> httpx.Response:
    auth = request.headers.get("authorization", "")
    page = f"<html><body><h1>Forbidden</h1><pre>Authorization: {auth}\nraw={auth[7:]}</pre></body></html>"
    return httpx.Response(403, content=page.encode(), headers={"content-type": "text/html"})


def _echo_envelope(request: httpx.Request) -> httpx.Response:
    auth = request.headers.get("authorization", "")
    return _json(401, {"code": 401, "data": {"echo": auth, "token": auth[7:], "nested": [auth[7:]]},
                       "error": f"token {auth[7:]} rejected ({auth})"})


def _echo_truncated(request: httpx.Request) -> httpx.Response:
    auth = request.headers.get("authorization", "")
    return httpx.Response(200, content=f'{{"code": 500, "error": "{auth[7:]}'.encode(),
                          headers={"content-type": "application/json"})


def _echo_plain_text(request: httpx.Request) -> httpx.Response:
    auth = request.headers.get("authorization", "")
    return httpx.Response(500, content=f"internal error; key={auth[7:]}".encode(), headers={"content-type": "text/plain"})


@pytest.mark.parametrize("handler", [_echo_html, _echo_envelope, _echo_truncated, _echo_plain_text],
                         ids=["html", "envelope", "truncated", "plain"])
async def test_bearer_token_never_in_error_messages(handler: Callable[[httpx.Request], httpx.Response]):
    seen: list[Exchange] = []
    async with mock_client(handler) as c:
        c.add_listener(seen.append)
        with pytest.raises(QrLoginError) as err:
            await c.initiate()
    e = err.value
    texts = [str(e), repr(e), *(str(getattr(e, a, "")) for a in ("snippet", "error", "data", "reason"))]
    for text in texts:
        assert TEST_TOKEN not in text, text
    assert TEST_TOKEN not in str(seen[0])
    if isinstance(e, ApiError):
        assert "***" in e.error
        assert e.data["token"] == "***" and e.data["nested"] == ["***"]


async def test_issued_access_token_never_in_later_error_messages():
    issued = "opaque-access-token-" + "Z" * 24

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/Confirm-Login"):
            return _json(200, {"code": 200, "data": {"access_token": issued, "token_type": "Bearer",
                                                     "expires_in": 60}})
        return httpx.Response(500, content=f"<html>last token was {issued}</html>".encode(),
                              headers={"content-type": "text/html"})

    seen: list[Exchange] = []
    async with mock_client(handler) as c:
        c.add_listener(seen.append)
        token = await c.confirm_login(1)
        assert isinstance(token, TokenModel) and token.access_token == issued
        assert issued not in repr(token) and issued not in str(token)
        with pytest.raises(ProtocolError) as err:
            await c.initiate()
    assert issued not in str(err.value) and issued not in err.value.snippet
    assert "***" in err.value.snippet
    for x in seen:
        assert issued not in str(x) and TEST_TOKEN not in str(x)


async def test_jwt_echo_masked_even_if_never_seen():
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"

    def handler(request: httpx.Request) -> httpx.Response:
        return _json(200, {"code": 403, "error": f"forbidden for {jwt}"})

    async with mock_client(handler) as c:
        with pytest.raises(ApiError) as err:
            await c.initiate()
    assert jwt not in str(err.value)
    assert "eyJ" not in err.value.error


async def test_client_recovers_after_mock_faults():
    answers = iter([
        httpx.Response(502, content=HTML_502, headers={"content-type": "text/html"}),
        _json(200, [1, 2]),
        _json(200, {"code": 200, "data": 99}),
    ])

    def handler(request: httpx.Request) -> httpx.Response:
        return next(answers)

    async with mock_client(handler) as c:
        with pytest.raises(ProtocolError):
            await c.initiate()
        with pytest.raises(ProtocolError):
            await c.initiate()
        assert await c.initiate() == 99


async def test_mock_transport_exception_is_a_transport_error():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadError("connection reset by peer", request=request)

    async with mock_client(handler) as c:
        with pytest.raises(TransportError) as err:
            await c.initiate()
    assert err.value.kind == "dropped"


# --- credentials and appKeys that must never reach the wire ------------------------------------------------

ODD_CREDENTIALS = [
    "SECRET-credential-0123\n",  # a pasted line break
    "SECRET-credential\r\nX-Injected: 1",
    "SECRET-credential\x00tail",
    "SECRET-credential\x7f",
    "SECRET-crédential-0123",  # non-ASCII: a header value is bytes
    "SECRET credential 0123",  # a space (e.g. "Bearer xyz" pasted whole)
]


@pytest.mark.parametrize("credential", ODD_CREDENTIALS)
async def test_unsendable_credential_refused_naming_the_field_not_the_value(credential: str):
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return _json(200, {"code": 200, "data": 1})

    with pytest.raises(ValidationError) as at_construction:
        QrLoginClient("http://mock.test", APP_KEY, credential, transport=httpx.MockTransport(handler))
    async with mock_client(handler) as c:
        with pytest.raises(ValidationError) as on_assignment:
            c.token = credential
        assert c.token == TEST_TOKEN  # the old credential is kept, not silently dropped
    for err in (at_construction.value, on_assignment.value):
        assert err.fields == ("token",)
        assert all(v.secret for v in err.violations)
        texts = [str(err), err.message("zh"), repr(err.args)]
        assert "visible ASCII" in texts[0] and "ASCII" in texts[1]
        assert not any("SECRET" in t for t in texts)
    assert sent == []


@pytest.mark.parametrize("app_key", [".", "..", "...", "de\nmo", "demo\x00"])
@pytest.mark.parametrize("validate", [True, False])
async def test_app_key_that_would_leave_the_route_is_refused_even_without_validation(app_key: str, validate: bool):
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return _json(200, {"code": 200, "data": 1})

    async with QrLoginClient("http://mock.test", app_key, TEST_TOKEN, transport=httpx.MockTransport(handler),
                             validate=validate) as c:
        with pytest.raises(ValidationError) as err:
            await c.initiate()
    assert err.value.fields == ("appKey",)
    assert sent == []


def test_a_plain_http_client_skips_the_certificate_store_but_never_trusts_a_certificate():
    """No TLS happens on an http:// base (no redirect is followed, assets are same-origin): the client
    does not load the system's CA store for it, and the context it gets instead trusts nothing."""
    import ssl

    from qrlogin_desktop.api.client import tls_verification

    bare = tls_verification("http://127.0.0.1:8000", True)
    assert isinstance(bare, ssl.SSLContext)
    assert bare.verify_mode is ssl.CERT_REQUIRED and bare.check_hostname
    assert bare.cert_store_stats()["x509_ca"] == 0  # not one trust anchor: any handshake fails
    assert tls_verification("HTTP://example.com", True) is not True
    # TLS servers keep full verification by default; what a caller chose is kept as it is
    assert tls_verification("https://api.example.com", True) is True
    assert tls_verification("http://127.0.0.1:8000", False) is False
    chosen = ssl.create_default_context()
    assert tls_verification("http://127.0.0.1:8000", chosen) is chosen
