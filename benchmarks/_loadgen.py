"""A lean HTTP/1.1 load generator: raw asyncio streams on uvloop, hand-built requests.

One generator process runs ``connections`` keep-alive connections, each a closed loop (send a
request, read the whole answer, send the next). Answers are parsed as little as possible: the
status line, the Content-Length header, then exactly that many body bytes. Success is recognised
by the envelope's first bytes (``{"code":200,`` - both Starlette's JSONResponse and the sandbox's
``envelope`` serialise compactly); only a failure, or the Initiate answer of the flow (which
carries the signInKey), is handed to ``json.loads``.

Time: ``t_measure`` and ``t_end`` are ``time.monotonic()`` instants (CLOCK_MONOTONIC, shared by
all processes on Linux). Everything completed before ``t_measure`` is warm-up and is dropped; a
request (or flow) counts when it completes inside [t_measure, t_end]. Latencies are in ns.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass, field

OK_PREFIX = b'{"code":200,'
INITIATE = "/QR-Auth/Initiate"
WXACODE = "/WXACodeGet"
# A large code: 777 CJK characters are 2,331 bytes, the most one QR holds (version 40), drawn 1280 px wide.
LARGE_CODE_BODY = json.dumps({"path": "中" * 777, "width": 1280}, ensure_ascii=False).encode()
SCAN = "/QR-Auth/Scan"
CONFIRM = "/QR-Auth/Confirm-Login"
STEPS = ("initiate", "scan", "confirm")


@dataclass
class Plan:
    scenario: str  # "bare", "initiate", "flow" or "draw" (large WXACodeGet requests)
    host: str
    port: int
    token: str
    app_key: str
    connections: int
    t_measure: float
    t_end: float
    hard_deadline: float  # give up (and report) past this instant, whatever happens


@dataclass
class Result:
    samples: dict[str, list[int]] = field(default_factory=dict)  # name -> latencies (ns), measured window
    completed: int = 0  # requests completed in the window (all steps of the flow included)
    flows: int = 0  # flows completed in the window
    errors: Counter = field(default_factory=Counter)  # "step: description" -> count (whole run, warm-up too)
    connect_failures: int = 0
    cpu_seconds: float = 0.0  # user+sys of this generator process, whole run


class BadAnswer(Exception):
    pass


def _request_head(plan: Plan, path: str) -> bytes:
    return (
        f"POST /Wechat/{plan.app_key}{path} HTTP/1.1\r\n"
        f"Host: {plan.host}:{plan.port}\r\n"
        f"Authorization: Bearer {plan.token}\r\n"
        "Content-Type: application/json\r\n"
        "Content-Length: "
    ).encode()


def _request(head: bytes, body: bytes) -> bytes:
    return head + str(len(body)).encode() + b"\r\n\r\n" + body


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> tuple[int, bytes]:
    """Send one request, return (HTTP status, body). Raises on a closed or garbled connection."""
    writer.write(request)  # tiny: always fits the transport buffer, no drain() needed
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    i = head.find(b"content-length:")
    if i < 0:
        lower = head.lower()
        i = lower.find(b"content-length:")
        if i < 0:
            raise BadAnswer(f"HTTP {status} without Content-Length")
    length = int(head[i + 15:head.index(b"\r\n", i)])
    body = await reader.readexactly(length) if length else b""
    return status, body


def _describe(step: str, status: int, body: bytes) -> str:
    try:
        answer = json.loads(body)
        what = f"code={answer.get('code')!r} error={str(answer.get('error'))[:80]!r}"
    except (ValueError, AttributeError):
        what = f"body={body[:60]!r}"
    return f"{step}: HTTP {status} {what}"


async def _connection(plan: Plan, result: Result) -> None:
    try:
        reader, writer = await asyncio.open_connection(plan.host, plan.port)
    except OSError as exc:
        result.connect_failures += 1
        result.errors[f"connect: {exc.__class__.__name__}: {exc}"] += 1
        return
    perf = time.perf_counter_ns
    mono = time.monotonic
    t_measure, t_end = plan.t_measure, plan.t_end
    samples = result.samples
    try:
        if plan.scenario != "flow":  # one request, again and again
            if plan.scenario == "draw":
                # A success is an image: an answer that starts as a JSON object is an error envelope.
                request = _request(_request_head(plan, WXACODE), LARGE_CODE_BODY)
                prefix, success_has_prefix = b"{", False
            else:
                request = _request(_request_head(plan, INITIATE), b"{}")
                prefix, success_has_prefix = OK_PREFIX, True
            lat = samples.setdefault("request", [])
            while True:
                t0 = perf()
                status, body = await _exchange(reader, writer, request)
                t1 = perf()
                if status != 200 or body.startswith(prefix) is not success_has_prefix:
                    result.errors[_describe(plan.scenario, status, body)] += 1
                now = mono()
                if now >= t_measure:
                    if now > t_end:
                        break
                    lat.append(t1 - t0)
                    result.completed += 1
        else:
            initiate = _request(_request_head(plan, INITIATE), b"{}")
            scan_head, confirm_head = _request_head(plan, SCAN), _request_head(plan, CONFIRM)
            lats = [samples.setdefault(step, []) for step in STEPS]
            flow_lat = samples.setdefault("flow", [])
            while True:
                t0 = perf()
                status, body = await _exchange(reader, writer, initiate)
                t1 = perf()
                if status != 200 or not body.startswith(OK_PREFIX):
                    result.errors[_describe("initiate", status, body)] += 1
                    ok, times = False, (t1 - t0,)
                else:
                    key = json.loads(body)["data"]
                    keyed = b'{"signInKey":%d}' % key
                    status, body = await _exchange(reader, writer, _request(scan_head, keyed))
                    t2 = perf()
                    ok = status == 200 and body.startswith(OK_PREFIX)
                    if not ok:
                        result.errors[_describe("scan", status, body)] += 1
                        times = (t1 - t0, t2 - t1)
                    else:
                        status, body = await _exchange(reader, writer, _request(confirm_head, keyed))
                        t3 = perf()
                        ok = status == 200 and body.startswith(OK_PREFIX) and b'"access_token"' in body
                        if not ok:
                            result.errors[_describe("confirm", status, body)] += 1
                        times = (t1 - t0, t2 - t1, t3 - t2)
                now = mono()
                if now >= t_measure:
                    if now > t_end:
                        break
                    for lat, took in zip(lats, times, strict=False):  # a failed flow has fewer steps
                        lat.append(took)
                    result.completed += len(times)
                    if ok:
                        flow_lat.append(sum(times))
                        result.flows += 1
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, BadAnswer, ValueError) as exc:
        result.errors[f"connection: {exc.__class__.__name__}: {str(exc)[:80]}"] += 1
    finally:
        writer.close()


async def _run(plan: Plan) -> Result:
    result = Result()
    tasks = [asyncio.ensure_future(_connection(plan, result)) for _ in range(plan.connections)]
    timeout = max(0.1, plan.hard_deadline - time.monotonic())
    done, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:
        task.cancel()
    if pending:
        result.errors[f"generator: {len(pending)} connection(s) still busy at the hard deadline"] += 1
        await asyncio.wait(pending, timeout=1.0)
    return result


def run_plan(plan: Plan) -> Result:
    """Run one generator (blocking) on a uvloop event loop."""
    import os

    import uvloop

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        result = runner.run(_run(plan))
    times = os.times()
    result.cpu_seconds = times.user + times.system
    return result


def child_main(plan: Plan, conn) -> None:
    """multiprocessing entry point: run the plan, send the Result back through ``conn``."""
    try:
        result = run_plan(plan)
    except BaseException as exc:  # reported to the parent as an error line
        result = Result()
        result.errors[f"generator crashed: {exc.__class__.__name__}: {exc}"] += 1
    conn.send(result)
    conn.close()
