"""Runs a suite through a :class:`~.probe.Probe`: one check after the other, under one deadline for the
whole run, each result handed to ``progress`` as it is made (the Test bench page fills its table so)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..api.errors import QrLoginError
from .model import Check, Finding, Options, Report, Result, Text, Verdict, failed
from .probe import Probe, SetupFailed, Unreachable, probe_for
from .suite import build_suite

if TYPE_CHECKING:
    from ..flow.session import Connection

DEFAULT_RUN_DEADLINE = 600.0  # s for the whole run, expiry wait excluded: ~1000 calls to a slow server
PING_DEADLINE = 5.0  # s for the server to answer at all before the run

Progress = Callable[[Result, int, int], None]  # (result, how many done, how many in all)


async def _run_one(check: Check, probe: Probe, options: Options) -> Result:
    started = time.perf_counter()
    finding = options.missing(check.needs)
    if finding is None:
        try:
            finding = await check.run(probe)
        except (SetupFailed, Unreachable) as exc:
            verdict = Verdict.FAIL if isinstance(exc, SetupFailed) else Verdict.NOT_APPLICABLE
            finding = Finding(verdict, exc.reason)
        except QrLoginError as exc:  # an error the check did not turn into an answer: still the server's
            text = probe.redactor.text(str(exc))
            finding = failed(text, text)
    sent, received = probe.take_trace()
    reason = Text(probe.redactor.text(finding.reason.en), probe.redactor.text(finding.reason.zh))
    return Result(check, finding.verdict, reason, sent, received, time.perf_counter() - started)


async def run_suite(checks: Sequence[Check], probe: Probe, options: Options, *, progress: Progress | None = None,
                    deadline: float = DEFAULT_RUN_DEADLINE) -> Report:
    """Every check in order; past ``deadline`` seconds (plus a QR lifetime with ``expiry``) the run stops and
    the report says so. Cancelling the task stops it too (the caller keeps what ``progress`` was given)."""
    if options.expiry:
        deadline += probe.session_ttl
    results: list[Result] = []
    started_at, t0 = time.time(), time.perf_counter()
    stopped = None
    probe.options = options
    probe.add_secret(options.jsapi_ticket)
    try:
        async with asyncio.timeout(deadline):
            for check in checks:
                result = await _run_one(check, probe, options)
                results.append(result)
                if progress is not None:
                    progress(result, len(results), len(checks))
    except TimeoutError:
        stopped = Text(f"the run's deadline of {deadline:g} s passed after {len(results)} of {len(checks)} checks",
                       f"运行超过了 {deadline:g} 秒的期限，已完成 {len(results)}/{len(checks)} 项检查")
        probe.take_trace()
    return Report(server=probe.redactor.url(probe.base_url), app_key=probe.app_key, results=tuple(results),
                  started_at=started_at, seconds=time.perf_counter() - t0, planned=len(checks), stopped=stopped)


class ServerDoesNotAnswer(Exception):
    """No HTTP answer at all before the run (a wrong URL, a server down): nothing to check."""


async def check_connection(connection: Connection, options: Options, *, progress: Progress | None = None,
                           counted: Callable[[int], None] | None = None,
                           deadline: float = DEFAULT_RUN_DEADLINE) -> Report:
    """The whole suite against ``connection``'s server (the command line's and the Test bench page's run).
    ``counted`` is told how many checks the suite holds once it is built, before the server is asked."""
    checks = build_suite()
    if counted is not None:
        counted(len(checks))
    probe = probe_for(connection)
    try:
        try:
            await probe.ping(PING_DEADLINE)
        except QrLoginError as exc:
            raise ServerDoesNotAnswer(probe.redactor.text(str(exc))) from None
        return await run_suite(checks, probe, options, progress=progress, deadline=deadline)
    finally:
        await probe.aclose()
