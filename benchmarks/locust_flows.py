#!/usr/bin/env python
"""QR flows/s that Locust drives against the sandbox: one Locust worker, two, and the project's own
load generator, in the same run.

Each scenario gets a fresh ``qrlogin-desktop sandbox`` process (sandbox_load.py's ``Server``,
pinned to the first CPU unless ``--no-pin``) and runs the same flow, Initiate -> Scan ->
Confirm-Login:

  locust-1   ``qrlogin-desktop load``'s machinery (qrlogin_desktop/load/run.py): a Locust master and
             ONE worker, ``--users`` users of the package's QrFlowUser, ``--tags login``
  locust-2   the same with TWO workers on this machine (the users split between them)
  loadgen    sandbox_load.py's ``flow`` scenario: _loadgen.py's raw asyncio generator,
             ``--users`` keep-alive connections (the ceiling of what the server serves)

Locust's figure is read from its own stats history (``--csv-full-history``): the QRFLOW
simulated-login entry's total count between the first row after the warm-up and the last row,
over the seconds between their timestamps. CPU of the server and of the generator processes is
read from /proc over the measured window, so a rate can be put per second of generator CPU,
which a busy machine disturbs less than the raw rate. Only 127.0.0.1 is ever loaded; every wait
has a deadline; the script always exits 0.

    python benchmarks/locust_flows.py [--duration 10] [--users 32] [--no-pin] [--json out.json]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(REPO_ROOT))
# The server processes (_servers.py, the shipped command) import this checkout, whatever is installed.
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))

from sandbox_load import (  # noqa: E402
    APP_KEY,
    Server,
    _pct,
    cpu_seconds,
    machine_busy_seconds,
    pin,
    run_scenario,
    split_cpus,
)

from qrlogin_desktop.load.run import LoadPlan, LoadRun  # noqa: E402

FLOW = ("QRFLOW", "simulated-login")


def flow_rate(history: Path, users: int, warmup: float) -> tuple[float, float, int]:
    """(flows/s, seconds measured, flows counted) from Locust's stats history, after the warm-up."""
    rows = []
    with history.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if (row["Type"], row["Name"]) == FLOW and int(row["User Count"]) == users:
                rows.append((int(row["Timestamp"]), int(row["Total Request Count"])))
    if not rows:
        return float("nan"), 0.0, 0
    start = rows[0][0] + warmup
    window = [r for r in rows if r[0] >= start]
    if len(window) < 2:
        return float("nan"), 0.0, 0
    (t0, c0), (t1, c1) = window[0], window[-1]
    return (c1 - c0) / (t1 - t0), float(t1 - t0), c1 - c0


def run_locust(workers: int, args, token: str, server_cpus, gen_cpus) -> dict:
    server = Server("shipped", token, None, server_cpus)
    try:
        with tempfile.TemporaryDirectory(prefix="locust-bench-") as tmp:
            prefix = Path(tmp) / "run"
            plan = LoadPlan(server=f"http://127.0.0.1:{server.port}", app_key=APP_KEY, users=args.users,
                            spawn_rate=args.users, duration=args.warmup + args.duration + 2, workers=workers,
                            csv_prefix=str(prefix), tags=("login",), only_summary=True)
            run = LoadRun(plan, token, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            run.start()
            for process in run.processes:
                pin(process.pid, gen_cpus)
            # Locust needs a moment to start and spawn; the CPU window is the middle of the run.
            time.sleep(min(plan.duration, 3.0 + args.warmup))
            pids = [server.pid] + [p.pid for p in run.processes]
            cpu0 = {pid: cpu_seconds(pid) for pid in pids}
            busy0, wall0 = machine_busy_seconds(), time.monotonic()
            time.sleep(max(0.5, args.duration - 2))
            cpu1 = {pid: cpu_seconds(pid) for pid in pids}
            busy1, wall = machine_busy_seconds(), time.monotonic() - wall0
            code = run.wait()
            rate, measured, flows = flow_rate(Path(f"{prefix}_stats_history.csv"), args.users, args.warmup)
            with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as f:
                stats = {(r["Type"], r["Name"]): r for r in csv.DictReader(f)}
    finally:
        server.stop()

    def share(pid_list) -> float | None:
        spent = [(cpu1.get(p), cpu0.get(p)) for p in pid_list]
        if any(a is None or b is None for a, b in spent):
            return None
        return sum(a - b for a, b in spent) / wall

    generator = share([p.pid for p in run.processes])
    ours = share(pids)
    other = None if busy0 is None or busy1 is None or ours is None else max(0.0, (busy1 - busy0) / wall - ours)
    entry = stats.get(FLOW, {})
    return {"scenario": f"locust-{workers}", "label": f"Locust, master + {workers} worker(s)", "exit_code": code,
            "flows_per_s": rate, "measured_s": measured, "flows": flows,
            "failures": int(entry.get("Failure Count", 0) or 0), "p50_ms": entry.get("50%"),
            "p99_ms": entry.get("99%"), "server_cpu": share([server.pid]), "generator_cpu": generator,
            "other_cpu": other, "flows_per_generator_cpu_s": rate / generator if generator else None}


def run_loadgen(args, token: str, server_cpus, gen_cpus) -> dict:
    ns = argparse.Namespace(duration=args.duration, warmup=args.warmup, connections=args.users, procs=1,
                            server_cprofile=None)
    r = run_scenario("flow", ns, token, server_cpus, gen_cpus)
    gen = sum(g for g in r["generator_cpu"] if g is not None) or None
    return {"scenario": "loadgen", "label": "_loadgen.py (raw asyncio, uvloop)", "exit_code": 0,
            "flows_per_s": r["flows_per_s"], "measured_s": args.duration, "flows": r["flows"],
            "failures": r["error_count"], "p50_ms": f"{r['flow_latency']['p50_ms']:.1f}",
            "p99_ms": f"{r['flow_latency']['p99_ms']:.1f}", "server_cpu": r["server_cpu"], "generator_cpu": gen,
            "other_cpu": r["other_cpu"], "flows_per_generator_cpu_s": r["flows_per_s"] / gen if gen else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per scenario (default 10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds, dropped (default 2)")
    parser.add_argument("--users", type=int, default=32, help="Locust users / generator connections (default 32)")
    parser.add_argument("--scenarios", default="locust-1,locust-2,loadgen")
    parser.add_argument("--no-pin", action="store_true", help="do not pin the server to CPU 0, generators to the rest")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)
    args.duration = min(max(args.duration, 3.0), 120.0)  # bounded in time
    args.warmup = min(max(args.warmup, 0.0), 30.0)
    args.users = min(max(args.users, 1), 512)
    cpus, server_cpus, gen_cpus, pinning = split_cpus(args.no_pin)
    token = "bench_" + os.urandom(12).hex()
    print(f"QR flows/s on Locust vs the project's generator: {args.users} users/connections, warm-up "
          f"{args.warmup:g} s + {args.duration:g} s, {len(cpus)} CPU(s), pinning {pinning}")
    runs = []
    for name in [n.strip() for n in args.scenarios.split(",") if n.strip()]:
        print(f"  running {name} ...", flush=True)
        try:
            if name.startswith("locust-"):
                runs.append(run_locust(int(name.split("-")[1]), args, token, server_cpus, gen_cpus))
            elif name == "loadgen":
                runs.append(run_loadgen(args, token, server_cpus, gen_cpus))
            else:
                print(f"  unknown scenario {name!r}")
        except Exception as exc:  # a benchmark reports a failed scenario, it does not crash
            print(f"  {name} FAILED: {exc.__class__.__name__}: {exc}")
    print()
    print(f"{'generator':<38} {'flows/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'srv CPU':>8} {'gen CPU':>8} "
          f"{'other':>6} {'fails':>6} {'flows/gen-CPU-s':>16}")
    print("-" * 112)
    for r in runs:
        per = r["flows_per_generator_cpu_s"]
        print(f"{r['label']:<38} {r['flows_per_s']:>9,.0f} {r['p50_ms'] or '-':>7} {r['p99_ms'] or '-':>7} "
              f"{_pct(r['server_cpu']):>8} {_pct(r['generator_cpu']):>8} {_pct(r['other_cpu']):>6} "
              f"{r['failures']:>6} {per if per is None else f'{per:,.0f}':>16}")
    for r in runs:
        if r.get("other_cpu") is not None and r["other_cpu"] > 0.2:
            print(f"WARNING {r['scenario']}: the rest of the machine used {r['other_cpu']:.0%} of a core meanwhile; "
                  "its figures are low")
    by = {r["scenario"]: r for r in runs}
    if "locust-1" in by and "loadgen" in by and by["loadgen"]["flows_per_s"]:
        print(f"\nLocust (1 worker) / own generator: {by['locust-1']['flows_per_s'] / by['loadgen']['flows_per_s']:.2f}")
    if "locust-1" in by and "locust-2" in by and by["locust-1"]["flows_per_s"]:
        print(f"Locust 2 workers / 1 worker      : {by['locust-2']['flows_per_s'] / by['locust-1']['flows_per_s']:.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "settings": vars(args),
                                               "runs": runs}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
