"""How long the GUI event loop stalls while a 5 MB JSON answer is shown, next to two references.

A probe timer fires every 5 ms on the GUI thread and records when it actually ran; the longest
gap between two ticks is the longest time the window could not repaint or react to input. Three
scenarios, each with the same probe, in the same process (offscreen Qt):

* ``idle``   - nothing to do: the probe's own jitter, over as long as the JsonView run took;
* ``JsonView`` - ``JsonView.show_value(obj)`` as the endpoint panels use it (formatting on the
  worker loop, text inserted in time-budgeted slices), until every character is in the document;
  then once more, replacing the first (the old 5 MB document must be dropped too);
* ``naive``  - ``setPlainText(json.dumps(obj, indent=2))`` on the GUI thread;
* ``panel path`` - what an endpoint panel does end to end: ``QrLoginClient.call`` on the worker
  (over an in-memory ``httpx.MockTransport``, so the client decodes and redacts the 5 MB body),
  then ``ResponseView.show_result``. Its "receive" phase shows what the client's work on the worker
  costs the GUI thread (C-level ``json.loads`` holds the GIL while it parses);
* ``wrap toggle`` - "Wrap lines" ticked, then unticked, on that answer (laid out again each time);
* ``JsonView, coloured`` - an answer just under ``HIGHLIGHT_LIMIT``, JSON colours applied as it goes in.

``--mode log`` measures the Request Log's details pane instead: the client logs two answers over an
in-memory transport, the largest JSON body the log keeps whole (just under ``LOG_BODY_PREFIX``,
pretty-printed in the pane) and a ``--mb`` answer (cut to that prefix, shown verbatim), and the
probe runs while a row is selected until its details are complete.

    python benchmarks/gui_json_stall.py [--mode json|log] [--mb 5] [--runs 3]

Prints figures only; no asserts (a loaded CI machine moves them).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import httpx
from _qt_probe import PROBE_MS, Probe, run_until, settle
from keyring.backends import fail
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QPlainTextEdit

from qrlogin_desktop.api.client import QrLoginClient
from qrlogin_desktop.api.exchange import LOG_BODY_PREFIX, Exchange
from qrlogin_desktop.storage.keystore import TokenStore
from qrlogin_desktop.storage.profiles import ProfileStore
from qrlogin_desktop.storage.request_history import HISTORY_FILE, RequestHistory
from qrlogin_desktop.ui.app import create_app
from qrlogin_desktop.ui.context import AppContext
from qrlogin_desktop.ui.display import monospace_font
from qrlogin_desktop.ui.panels.request_log import RequestLogPanel
from qrlogin_desktop.ui.runner import AsyncRunner, Outcome
from qrlogin_desktop.ui.widgets.json_view import HIGHLIGHT_LIMIT, JsonView
from qrlogin_desktop.ui.widgets.response_view import ResponseView


def make_object(megabytes: float) -> dict:
    """A realistic API answer: many small records, about ``megabytes`` MB as compact JSON."""
    item = {"id": 0, "name": "item 0", "tags": ["a", "b", "c"], "text": "lorem ipsum dolor sit amet " * 3}
    per_item = len(json.dumps(item)) + 2
    count = int(megabytes * 1024 * 1024 / per_item) + 1
    return {"items": [dict(item, id=i, name=f"item {i}") for i in range(count)], "end": "THE-END"}


def scenario_json_view(view: JsonView, obj: dict, probe: Probe) -> dict[str, float]:
    """Until the text is complete and any replaced document is disposed of."""
    marks: dict[str, float] = {}

    def on_progress(_: int) -> None:
        marks.setdefault("formatted", time.perf_counter())

    view.progress.connect(on_progress)
    probe.start()
    settle(20)
    t0 = time.perf_counter()
    view.show_value(obj)
    run_until(lambda: not view.loading)
    shown = time.perf_counter()
    run_until(lambda: view.settled)
    settle(50)
    figures = probe.stop()
    view.progress.disconnect(on_progress)
    assert view.toPlainText().rstrip().endswith('"end": "THE-END"\n}'), "the text is incomplete"
    figures["shown"] = (shown - t0) * 1000
    # Where the longest gaps were: while the worker formats, while the slices go in, afterwards.
    formatted = marks.get("formatted", shown)
    for phase, start, end in (("format", t0, formatted), ("insert", formatted, shown), ("dispose", shown, 1e18)):
        gaps = [(b - a) * 1000 for a, b in zip(probe.ticks, probe.ticks[1:], strict=False) if start <= b <= end]
        figures[phase] = max(gaps, default=0.0)
    return figures


def _shown_in_view(view: ResponseView, probe: Probe, act: Callable[[], object],
                   arrived: Callable[[], bool] = lambda: True) -> tuple[dict[str, float], float, float]:
    """The probe's figures while ``act`` puts the answer in the view (``arrived`` once it is there) and the
    text settles, with "shown" (ms until the view stopped loading); also the start and shown instants."""
    probe.start()
    settle(20)
    t0 = time.perf_counter()
    act()
    run_until(lambda: arrived() and not view.loading)
    shown = time.perf_counter()
    run_until(lambda: view.json_view.settled)
    settle(50)
    figures = probe.stop()
    assert view.json_view.toPlainText().rstrip().endswith('"end": "THE-END"\n}'), "the text is incomplete"
    figures["shown"] = (shown - t0) * 1000
    return figures, t0, shown


def scenario_panel_path(view: ResponseView, client: QrLoginClient, runner: AsyncRunner,
                        probe: Probe) -> dict[str, float]:
    marks: dict[str, float] = {}

    def done(outcome: Outcome) -> None:
        marks["received"] = time.perf_counter()
        view.show_result(outcome.value, client.redactor)

    figures, t0, shown = _shown_in_view(view, probe, lambda: runner.submit(
        client.call("MsgSecCheck", body={"content": "x"}), done), lambda: "received" in marks)
    received = marks["received"]
    for phase, start, end in (("receive", t0, received), ("show", received, shown), ("dispose", shown, 1e18)):
        gaps = [(b - a) * 1000 for a, b in zip(probe.ticks, probe.ticks[1:], strict=False) if start <= b <= end]
        figures[phase] = max(gaps, default=0.0)
    return figures


def scenario_wrap_toggle(view: ResponseView, probe: Probe) -> dict[str, float]:
    """"Wrap lines" ticked on the answer shown: the text laid out again, as a fresh document."""
    figures, _, _ = _shown_in_view(view, probe, view.wrap_box.toggle)
    return figures


def largest_kept_answer() -> bytes:
    """An envelope just under ``LOG_BODY_PREFIX`` characters: the log keeps it whole, so it parses."""
    items: list[dict] = []
    item = {"id": 0, "name": "item 0", "tags": ["a", "b", "c"], "text": "lorem ipsum dolor sit amet " * 3}
    step = len(json.dumps(item)) + 2
    while len(json.dumps({"code": 200, "data": {"items": items}, "error": ""})) + step < LOG_BODY_PREFIX:
        items.append(dict(item, id=len(items), name=f"item {len(items)}"))
    return json.dumps({"code": 200, "data": {"items": items}, "error": ""}).encode()


def logged_exchanges(runner: AsyncRunner, megabytes: float) -> list[Exchange]:
    """What the client hands the log for a small answer, the largest kept whole, and a big one (cut)."""
    payloads = [b'{"code": 200, "data": {"ok": true}, "error": ""}', largest_kept_answer(),
                json.dumps({"code": 200, "data": make_object(megabytes), "error": ""}).encode()]
    logged: list[Exchange] = []
    for payload in payloads:
        client = QrLoginClient("http://bench.test", "demo", "bench-token-123456", transport=httpx.MockTransport(
            lambda request, p=payload: httpx.Response(200, content=p, headers={"content-type": "application/json"})))
        client.add_listener(logged.append)
        runner.submit(client.call("MsgSecCheck", body={"content": "x"})).result(60)
        runner.submit(client.aclose()).result(10)
    return logged


def scenario_log_details(panel: RequestLogPanel, row: int, probe: Probe) -> dict[str, float]:
    """Select ``row`` (coming from the small first row) until its details pane is complete."""
    panel.table.selectRow(0)
    run_until(lambda: not panel.details_loading)
    settle(100)
    probe.start()
    settle(20)
    t0 = time.perf_counter()
    panel.table.selectRow(row)
    run_until(lambda: not panel.details_loading)
    shown = time.perf_counter()
    settle(100)
    figures = probe.stop()
    assert "item" in panel.response_body.text.toPlainText(), "the body is not shown"
    figures["shown"] = (shown - t0) * 1000
    return figures


def main_log(args: argparse.Namespace, app: QApplication) -> None:
    runner = AsyncRunner()
    home = Path(tempfile.mkdtemp(prefix="gui-json-stall-"))
    ctx = AppContext(ProfileStore(home / "profiles.json").load(),
                     token_store=TokenStore(backend=fail.Keyring(), service="gui-json-stall"), runner=runner)
    # Its own history file (the panel saves what it logs, on the worker, as the app does).
    panel = RequestLogPanel(ctx, history=RequestHistory(home / HISTORY_FILE))
    panel.resize(1100, 760)
    panel.show()
    exchanges = logged_exchanges(runner, args.mb)
    for exchange in exchanges:
        panel.append(exchange)
    kept, cut = (len(x.response_body or "") for x in exchanges[1:])
    print(f"request log details pane: kept whole {kept / 1024:.1f} KiB of JSON; the {args.mb:g} MB answer cut to "
          f"{cut / 1024:.1f} KiB; probe every {PROBE_MS} ms; platform {app.platformName()}; {os.cpu_count()} CPUs")
    print(f"{'scenario':<32} {'max gap':>9} {'p99 gap':>9} {'median':>8} {'ticks':>7} {'duration':>9} {'shown':>8}")
    print(f"{'':<32} {'ms':>9} {'ms':>9} {'ms':>8} {'':>7} {'ms':>9} {'ms':>8}")
    probe = Probe()
    settle(200)
    summary: dict[str, list[float]] = {}
    for run in range(1, args.runs + 1):
        for name, row in (("details: largest kept JSON", 1), (f"details: {args.mb:g} MB answer, cut", 2)):
            figures = scenario_log_details(panel, row, probe)
            print(line(f"{name} #{run}", figures, 32))
            summary.setdefault(name, []).append(figures["max"])
        idle = scenario_idle(probe, 500)
        print(line(f"idle (baseline) #{run}", idle, 32))
        summary.setdefault("idle (baseline)", []).append(idle["max"])
    print()
    print("worst max gap over all runs: " + ", ".join(f"{name} {max(v):.1f} ms" for name, v in summary.items()))
    runner.shutdown()


def scenario_idle(probe: Probe, duration_ms: float) -> dict[str, float]:
    probe.start()
    settle(int(duration_ms))
    return probe.stop()


def scenario_naive(edit: QPlainTextEdit, obj: dict, probe: Probe) -> dict[str, float]:
    result: dict[str, float] = {}

    def naive() -> None:
        t0 = time.perf_counter()
        edit.setPlainText(json.dumps(obj, indent=2, ensure_ascii=False))
        result["shown"] = (time.perf_counter() - t0) * 1000

    probe.start()
    QTimer.singleShot(20, naive)
    run_until(lambda: "shown" in result)
    settle(50)
    figures = probe.stop()
    figures.update(result)
    return figures


def line(name: str, f: dict[str, float], width: int = 25) -> str:
    shown = f"{f['shown']:8.0f}" if "shown" in f else "       -"
    phases = "  ".join(f"{p} {f[p]:.0f}" for p in ("receive", "format", "insert", "show", "dispose") if p in f)
    # Of the longest gap: how long the GUI thread ran, and waited for a core (Linux; see _qt_probe).
    split = f"   [max gap: ran {f['ran_in_max']:.1f}, waited {f['waited_in_max']:.1f}]" if "ran_in_max" in f else ""
    return (f"{name:<{width}} {f['max']:9.1f} {f['p99']:9.1f} {f['median']:8.1f} {f['ticks']:7d} "
            f"{f['duration']:9.0f} {shown}   {phases}{split}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=5.0, help="size of the answer as compact JSON (MB)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--mode", choices=("json", "log"), default="json",
                        help="json: the JSON view and the endpoint panel path; log: the Request Log's details pane")
    args = parser.parse_args()

    app = create_app(sys.argv)  # as the app makes it (Qt settings included)
    if args.mode == "log":
        main_log(args, app)
        sys.stdout.flush()
        os._exit(0)  # see below
    runner = AsyncRunner()
    obj = make_object(args.mb)
    coloured_obj = make_object(0.6)  # pretty-printed, just under HIGHLIGHT_LIMIT
    assert len(json.dumps(coloured_obj, indent=2)) <= HIGHLIGHT_LIMIT
    compact = len(json.dumps(obj).encode())
    pretty = len(json.dumps(obj, indent=2, ensure_ascii=False))
    print(f"answer: {compact / 1024 / 1024:.2f} MB compact, {pretty / 1024 / 1024:.2f} MB pretty-printed, "
          f"{len(obj['items'])} records; probe every {PROBE_MS} ms; platform {app.platformName()}; "
          f"{os.cpu_count()} CPUs")
    print(f"{'scenario':<25} {'max gap':>9} {'p99 gap':>9} {'median':>8} {'ticks':>7} {'duration':>9} {'shown':>8}"
          "   max gap by phase (ms)")
    print(f"{'':<25} {'ms':>9} {'ms':>9} {'ms':>8} {'':>7} {'ms':>9} {'ms':>8}")

    view = JsonView(runner.submit)
    view.resize(900, 700)
    view.show()
    naive_edit = QPlainTextEdit()
    naive_edit.setReadOnly(True)
    naive_edit.setUndoRedoEnabled(False)
    naive_edit.setFont(monospace_font())
    naive_edit.resize(900, 700)
    naive_edit.show()
    payload = json.dumps({"code": 200, "data": obj, "error": ""}).encode()
    client = QrLoginClient("http://bench.test", "demo", "bench-token-123456", transport=httpx.MockTransport(
        lambda request: httpx.Response(200, content=payload, headers={"content-type": "application/json"})))
    response_view = ResponseView(runner.submit)
    response_view.resize(900, 700)
    response_view.show()
    probe = Probe()
    settle(200)

    summary: dict[str, list[float]] = {}
    for run in range(1, args.runs + 1):
        view.clear_view()
        naive_edit.clear()
        run_until(lambda: view.settled)
        settle(200)
        first = scenario_json_view(view, obj, probe)
        again = scenario_json_view(view, obj, probe)  # replaces the 5 MB document of the first
        idle = scenario_idle(probe, first["duration"])
        naive = scenario_naive(naive_edit, obj, probe)
        response_view.clear()
        run_until(lambda: response_view.json_view.settled)
        panel = scenario_panel_path(response_view, client, runner, probe)
        wrap_on = scenario_wrap_toggle(response_view, probe)
        wrap_off = scenario_wrap_toggle(response_view, probe)
        view.clear_view()
        run_until(lambda: view.settled)
        coloured = scenario_json_view(view, coloured_obj, probe)
        for name, figures in (("idle (baseline)", idle), ("JsonView", first), ("JsonView, replacing", again),
                              ("naive setPlainText", naive), ("panel path", panel), ("wrap toggle on", wrap_on),
                              ("wrap toggle off", wrap_off), ("JsonView, coloured", coloured)):
            print(line(f"{name} #{run}", figures))
            summary.setdefault(name, []).append(figures["max"])
    print()
    print("worst max gap over all runs: " + ", ".join(f"{name} {max(v):.1f} ms" for name, v in summary.items()))
    runner.shutdown()
    sys.stdout.flush()
    # PySide6 6.12 can crash while the interpreter tears down live Qt objects at exit; the figures
    # are printed, so leave without that teardown.
    os._exit(0)


if __name__ == "__main__":
    raise SystemExit(main())
