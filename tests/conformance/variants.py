"""Sandboxes broken on purpose, each built from the sandbox's own parts, and a runner of the check against
one over real loopback (importable by name from the tests of this folder and of tests/cli)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
from collections.abc import Iterator

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import Response
from support import APP_KEY, TEST_TOKEN

from qrlogin_desktop.api import catalogue
from qrlogin_desktop.api.models import Schema
from qrlogin_desktop.api.rules import Length
from qrlogin_desktop.conformance.model import Options, Report
from qrlogin_desktop.conformance.probe import Meaning, Probe
from qrlogin_desktop.conformance.runner import run_suite
from qrlogin_desktop.conformance.suite import build_suite
from qrlogin_desktop.sandbox import Sandbox, SandboxConfig, SandboxThread
from qrlogin_desktop.sandbox.sessions import Outcome
from qrlogin_desktop.sandbox.wechat import DEFAULT_JSAPI_TICKET

TTL = 1.0  # s: the expiry checks wait this (plus the probe's margin)


def sandbox(**config) -> Sandbox:
    config.setdefault("session_ttl", TTL)
    return Sandbox(SandboxConfig(app_key=APP_KEY, token=TEST_TOKEN, **config))


@contextlib.contextmanager
def served(box: Sandbox) -> Iterator[str]:
    with SandboxThread(box) as running:
        yield running.url


def run_check(url: str, *, options: Options | None = None, meaning: Meaning | None = None, timeout: float = 5.0,
              deadline: float = 120.0, token: str = TEST_TOKEN) -> Report:
    async def go() -> Report:
        probe = Probe(url, APP_KEY, token, meaning=meaning, timeout=timeout, session_ttl=TTL)
        try:
            return await run_suite(build_suite(), probe, options or Options(jsapi_ticket=DEFAULT_JSAPI_TICKET),
                                   deadline=deadline)
        finally:
            await probe.aclose()

    return asyncio.run(go())


# --- 1. a rule not enforced: nickName up to 64 characters instead of 32 -------------------------------------

def loose_nickname(box: Sandbox) -> Sandbox:
    """The sandbox's own Confirm-Register route, its schema's nickName rule widened to 4-64."""
    ep = catalogue.endpoint("QRAuthConfirmRegister")
    fields = tuple(dataclasses.replace(f, rules=(Length(4, 64),)) if f.name == "nickName" else f for f in ep.body.fields)
    loose = dataclasses.replace(ep, body=Schema(ep.body.name, fields))
    implementation = box._routes[ep.path][1]
    box._routes[ep.path] = (loose, implementation)
    return box


# --- 2. a lifecycle cell answering the wrong code: Confirm-Login after delivery answers 410, not 409 ---------

def expired_after_delivery(box: Sandbox) -> Sandbox:
    store = box.sessions
    original = store.confirm_login

    def confirm_login(key: int) -> Outcome:
        outcome = original(key)
        return Outcome(410, error="expired / 已过期") if outcome.code == 409 else outcome

    store.confirm_login = confirm_login
    return box


# --- 3. a wrong envelope shape: a middleware renames "error" to "message" ---------------------------------

class RenameErrorMember(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next) -> Response:
        response = await call_next(request)
        body = b"".join([chunk async for chunk in response.body_iterator])
        if response.headers.get("content-type", "").startswith("application/json"):
            envelope = json.loads(body)
            if isinstance(envelope, dict) and "error" in envelope:
                envelope["message"] = envelope.pop("error")
                body = json.dumps(envelope, ensure_ascii=False).encode()
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        return Response(body, status_code=response.status_code, headers=headers)


def renamed_error_member(box: Sandbox) -> Sandbox:
    box.app = RenameErrorMember(box.app)
    return box


# --- 4. other codes for the same meaning: an unknown signInKey answers 401, not 404 ---------------------------

def unknown_key_401(box: Sandbox) -> Sandbox:
    store = box.sessions
    for name in ("scan", "confirm_login", "confirm_register"):
        original = getattr(store, name)

        def remapped(*args, _original=original):
            outcome = _original(*args)
            return Outcome(401, error="no such session / 无此会话") if outcome.code == 404 else outcome

        setattr(store, name, remapped)
    return box
