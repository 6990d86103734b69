"""The sandbox as a load target: every accepted code is drawn (off the loop), and each bound holds.

Mini-program codes: any path/scene the catalogue's rules accept is drawn (never HTTP 500), a
longer one is refused by the client and the sandbox alike; drawing runs in a bounded process
pool, full -> 503 + Retry-After. Request bodies are capped (413, an oversized upload is cut off
after its headers, over a real socket); QR sessions are capped (503 + Retry-After).
"""

from __future__ import annotations

import io
import json
import os
import select
import socket
import time

import httpx
import pytest
import zxingcpp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from support import APP_KEY, TEST_TOKEN, FakeClock, asgi_client

from qrlogin_desktop.api import catalogue
from qrlogin_desktop.api.errors import ValidationError
from qrlogin_desktop.api.models import WXACODE_PATH_MAX_BYTES
from qrlogin_desktop.sandbox import Sandbox, SandboxConfig
from qrlogin_desktop.sandbox.offloop import Busy, OffLoop, OffLoopPool
from qrlogin_desktop.sandbox.server import SandboxThread
from qrlogin_desktop.sandbox.wechat import mini_program_code

HEADERS = {"Authorization": f"Bearer {TEST_TOKEN}"}
CODE_GET = f"/Wechat/{APP_KEY}/WXACodeGet"
UNLIMITED = f"/Wechat/{APP_KEY}/WXACodeGetUnlimited"
INITIATE = f"/Wechat/{APP_KEY}/QR-Auth/Initiate"
ENDPOINTS = {ep.id: ep for ep in catalogue.ENDPOINTS}


def accepted(endpoint: str, body: dict) -> bool:
    return not ENDPOINTS[endpoint].violations({}, body)


@pytest.fixture(scope="module")
def served():
    """One sandbox on loopback for the property tests (hypothesis runs many examples against it)."""
    with SandboxThread(Sandbox(SandboxConfig(app_key=APP_KEY, token=TEST_TOKEN))) as running:
        with httpx.Client(base_url=running.url, headers=HEADERS, timeout=30) as http:
            yield http


def assert_drawn(response: httpx.Response, text: str | None = None) -> None:
    assert response.status_code == 200, (response.status_code, response.text[:300])
    picture = Image.open(io.BytesIO(response.content))
    if text is not None:
        assert zxingcpp.read_barcodes(picture)[0].text == text


# --- every accepted path / scene is drawn ---------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "0" * 146,  # qrcode 8.2: ValueError glog(0) -> HTTP 500 on main
    "0" * 1024,
    "中" * 777,  # exactly 2,331 bytes in UTF-8: the most a code holds
    "é" * 1000,  # Latin-1 text, sent as UTF-8 so decoders do not guess Shift_JIS
    "😀" * 582,
], ids=["zeros-146", "zeros-1024", "cjk-2331-bytes", "latin1-1000", "emoji-582"])
def test_long_paths_are_drawn_and_decode(served: httpx.Client, path: str):
    assert accepted("WXACodeGet", {"path": path})
    assert_drawn(served.post(CODE_GET, json={"path": path, "width": 1280}), path)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(
    st.text(min_size=1, max_size=1024),
    st.text(alphabet="0123456789", min_size=1, max_size=1024),
    st.text(alphabet="0", min_size=100, max_size=1024),
    st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=700, max_size=800),
), st.one_of(st.none(), st.integers(280, 1280)))
def test_any_accepted_path_is_drawn_never_500(served: httpx.Client, path: str, width: int | None):
    body = {"path": path} if width is None else {"path": path, "width": width}
    response = served.post(CODE_GET, json=body)
    if accepted("WXACodeGet", body):
        assert_drawn(response)
    else:  # blank, or over the byte limit: HTTP 400 naming the field (as the SDK expects), never a 500
        assert response.status_code == 400 and response.json()["code"] == 400
        assert "path" in response.json()["error"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet="0123456789abcXYZ!#$&'()*+,/:;=?@-._~", min_size=1, max_size=32))
def test_any_accepted_scene_is_drawn(served: httpx.Client, scene: str):
    assert accepted("WXACodeGetUnlimited", {"scene": scene})
    assert_drawn(served.post(UNLIMITED, json={"scene": scene}), scene)


async def test_a_path_over_the_byte_limit_is_refused_by_client_and_sandbox(sandbox: Sandbox):
    path = "中" * 1024  # 1,024 characters (the length rule passes) but 3,072 bytes
    async with asgi_client(sandbox) as client:
        with pytest.raises(ValidationError) as err:  # refused before sending
            await client.wxacode_get({"path": path})
        assert err.value.fields == ("path",)
        assert f"at most {WXACODE_PATH_MAX_BYTES} bytes in UTF-8" in str(err.value)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox.app), base_url="http://t",
                                 headers=HEADERS) as http:
        answer = (await http.post(CODE_GET, json={"path": path})).json()
        assert answer["code"] == 400
        assert "path: at most 2331 bytes in UTF-8, not 3072" in answer["error"]
        lone = (await http.post(CODE_GET, content=b'{"path": "\\ud800"}',
                                headers={"content-type": "application/json"})).json()
        assert lone["code"] == 400 and "path: must be valid Unicode text" in lone["error"]


# --- drawn off the event loop, in a bounded pool --------------------------------------------------------

class RecordingPool(OffLoopPool):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.functions = []

    async def run(self, job: OffLoop) -> bytes:
        self.functions.append(job.function)
        return await super().run(job)


async def test_codes_are_drawn_by_the_pool_in_another_process(clock: FakeClock):
    pool = RecordingPool()
    sandbox = Sandbox(SandboxConfig(app_key=APP_KEY, token=TEST_TOKEN, clock=clock, pool=pool))
    try:
        async with asgi_client(sandbox) as client:
            image = await client.wxacode_get({"path": "pages/index/index"})
            assert zxingcpp.read_barcodes(Image.open(io.BytesIO(image.data)))[0].text == "pages/index/index"
            await client.wxacode_get_unlimited({"scene": "abc"})
        assert pool.functions == [mini_program_code, mini_program_code]
        worker_pid = await pool.run(OffLoop(os.getpid, (), "text/plain"))
        assert worker_pid != os.getpid()
        assert pool.pending == 0
    finally:
        pool.shutdown()


async def test_a_full_pool_answers_503_with_retry_after_and_recovers(clock: FakeClock):
    import asyncio

    pool = OffLoopPool(max_pending=1)
    sandbox = Sandbox(SandboxConfig(app_key=APP_KEY, token=TEST_TOKEN, clock=clock, pool=pool))
    try:
        blocker = asyncio.ensure_future(pool.run(OffLoop(time.sleep, (3.0,), "text/plain")))
        await asyncio.sleep(0)  # the blocker holds the only slot now
        assert pool.pending == 1
        with pytest.raises(Busy):
            await pool.run(OffLoop(os.getpid, (), "text/plain"))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox.app), base_url="http://t",
                                     headers=HEADERS) as http:
            full = await http.post(CODE_GET, json={"path": "pages/index/index"})
            assert full.status_code == 503
            assert full.headers["retry-after"] == "1"
            assert full.json()["code"] == 503 and "retry" in full.json()["error"]
            await blocker
            again = await http.post(CODE_GET, json={"path": "pages/index/index"})
            assert again.status_code == 200 and again.headers["content-type"].startswith("image/")
    finally:
        pool.shutdown()


# --- the session cap ------------------------------------------------------------------------------------

async def test_sessions_beyond_the_cap_answer_503_until_old_ones_are_forgotten(clock: FakeClock):
    sandbox = Sandbox(SandboxConfig(app_key=APP_KEY, token=TEST_TOKEN, clock=clock, session_ttl=120,
                                    max_sessions=3))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox.app), base_url="http://t",
                                 headers=HEADERS) as http:
        for _ in range(3):
            assert (await http.post(INITIATE, json={})).json()["code"] == 200
        for _ in range(2):
            full = await http.post(INITIATE, json={})
            assert full.status_code == 503
            assert full.json()["code"] == 503 and "--max-sessions" in full.json()["error"]
            assert full.headers["retry-after"] == "240"  # TTL + the 120 s the ended sessions are remembered
        assert len(sandbox.sessions) == 3
        clock.advance(240.5)
        assert (await http.post(INITIATE, json={})).json()["code"] == 200
        assert len(sandbox.sessions) == 1


def test_the_default_session_cap_holds_a_benchmark_burst():
    assert SandboxConfig().max_sessions == 100_000
    assert Sandbox().sessions.max_sessions == 100_000


# --- the body cap, over a real socket -------------------------------------------------------------------

UPLOAD = 100 * 1024 * 1024
CHUNK = 64 * 1024


def upload(url_port: int, head: bytes, chunked: bool) -> tuple[int, bytes]:
    """Send ``head`` then up to 100 MB of body until the server answers; return (bytes sent, answer)."""
    sent = 0
    answer = b""
    deadline = time.monotonic() + 30
    with socket.create_connection(("127.0.0.1", url_port), timeout=10) as sock:
        sock.sendall(head)
        piece = b"%x\r\n%s\r\n" % (CHUNK, b" " * CHUNK) if chunked else b" " * CHUNK
        while sent < UPLOAD and time.monotonic() < deadline:
            readable, writable, _ = select.select([sock], [sock], [], 1.0)
            if readable:
                break
            if writable:
                try:
                    sent += sock.send(piece)
                except (BrokenPipeError, ConnectionResetError):
                    break
        sock.settimeout(5)
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except (ConnectionResetError, TimeoutError):
            pass
    return sent, answer


@pytest.mark.loopback
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_100_mb_upload_is_cut_off_early_with_413(chunked: bool):
    sandbox = Sandbox(SandboxConfig(app_key=APP_KEY, token=TEST_TOKEN))
    with SandboxThread(sandbox) as running:
        framing = b"Transfer-Encoding: chunked\r\n" if chunked else b"Content-Length: %d\r\n" % UPLOAD
        head = (b"POST /Wechat/demo/SubscribeMSG HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Authorization: Bearer " + TEST_TOKEN.encode() + b"\r\nContent-Type: application/json\r\n"
                + framing + b"\r\n")
        sent, answer = upload(running.address.port, head, chunked)
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert b"connection: close" in rest.lower()
    envelope = json.loads(rest.partition(b"\r\n\r\n")[2])
    assert envelope["code"] == 413 and "at most 1048576 bytes" in envelope["error"]
    # Cut off early: well under a tenth of the upload got onto the wire (socket buffers + the cap).
    assert sent < UPLOAD // 10, sent


async def test_body_cap_is_a_config_setting(clock: FakeClock):
    sandbox = Sandbox(SandboxConfig(app_key=APP_KEY, token=TEST_TOKEN, clock=clock, max_body_bytes=100))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox.app), base_url="http://t",
                                 headers=HEADERS) as http:
        ok = await http.post(INITIATE, json={"remark": "x" * 50})
        assert ok.json()["code"] == 200
        big = await http.post(INITIATE, json={"remark": "x" * 200})
        assert big.status_code == 413 and big.json()["code"] == 413
        assert "body: at most 100 bytes" in big.json()["error"]


# --- what ships runs on uvicorn's loop (uvloop) ---------------------------------------------------------

def test_sandbox_thread_serves_on_uvloop():
    uvloop = pytest.importorskip("uvloop")
    with SandboxThread() as running:
        loop = running._server.servers[0].get_loop()
        assert isinstance(loop, uvloop.Loop)
