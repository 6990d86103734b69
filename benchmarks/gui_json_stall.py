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
  costs the GUI thread (C-level ``json.loads`` holds the GIL while it parses).

    python benchmarks/gui_json_stall.py [--mb 5] [--runs 3]

Prints figures only; no asserts (a loaded CI machine moves them).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import httpx  # noqa: E402
from _qt_probe import PROBE_MS, Probe, run_until, settle  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QPlainTextEdit  # noqa: E402

from qrlogin_desktop.api.client import QrLoginClient  # noqa: E402
from qrlogin_desktop.ui.runner import AsyncRunner, Outcome  # noqa: E402
from qrlogin_desktop.ui.widgets.json_view import JsonView, monospace_font  # noqa: E402
from qrlogin_desktop.ui.widgets.response_view import ResponseView  # noqa: E402


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


def scenario_panel_path(view: ResponseView, client: QrLoginClient, runner: AsyncRunner,
                        probe: Probe) -> dict[str, float]:
    marks: dict[str, float] = {}

    def done(outcome: Outcome) -> None:
        marks["received"] = time.perf_counter()
        view.show_result(outcome.value, client.redactor)

    probe.start()
    settle(20)
    t0 = time.perf_counter()
    runner.submit(client.call("MsgSecCheck", body={"content": "x"}), done)
    run_until(lambda: "received" in marks and not view.loading)
    shown = time.perf_counter()
    run_until(lambda: view.json_view.settled)
    settle(50)
    figures = probe.stop()
    assert view.json_view.toPlainText().rstrip().endswith('"end": "THE-END"\n}'), "the text is incomplete"
    figures["shown"] = (shown - t0) * 1000
    received = marks["received"]
    for phase, start, end in (("receive", t0, received), ("show", received, shown), ("dispose", shown, 1e18)):
        gaps = [(b - a) * 1000 for a, b in zip(probe.ticks, probe.ticks[1:], strict=False) if start <= b <= end]
        figures[phase] = max(gaps, default=0.0)
    return figures


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


def line(name: str, f: dict[str, float]) -> str:
    shown = f"{f['shown']:8.0f}" if "shown" in f else "       -"
    phases = "  ".join(f"{p} {f[p]:.0f}" for p in ("receive", "format", "insert", "show", "dispose") if p in f)
    return (f"{name:<25} {f['max']:9.1f} {f['p99']:9.1f} {f['median']:8.1f} {f['ticks']:7d} "
            f"{f['duration']:9.0f} {shown}   {phases}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=5.0, help="size of the answer as compact JSON (MB)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    app = QApplication(sys.argv)
    runner = AsyncRunner()
    obj = make_object(args.mb)
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
        for name, figures in (("idle (baseline)", idle), ("JsonView", first), ("JsonView, replacing", again),
                              ("naive setPlainText", naive), ("panel path", panel)):
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
