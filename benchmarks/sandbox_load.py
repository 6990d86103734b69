#!/usr/bin/env python
"""Load benchmark of the sandbox server against a bare Starlette baseline.

Scenarios, each against its own freshly started server process on 127.0.0.1 and a free port.
``bare``, ``initiate`` and ``flow`` run ``_servers.py`` (the sandbox's ``uvicorn_config`` + loop
uvloop, http httptools, 1 worker); ``shipped`` and ``draw`` run the installed
``qrlogin-desktop sandbox`` command exactly as an operator does (this checkout first on
PYTHONPATH, so the code under test is what runs):

  bare      one POST route answering a small JSONResponse (the framework's ceiling)
  initiate  the sandbox's POST /Wechat/demo/QR-Auth/Initiate
  shipped   the same Initiate, served by ``qrlogin-desktop sandbox``
  flow      Initiate -> Scan -> Confirm-Login, one QR login per loop (flows/s)
  draw      ``qrlogin-desktop sandbox``: Initiate p99 idle, then again while two connections loop
            large WXACodeGet requests (version-40 codes, 1280 px); target p99 within 2 x idle

Each runs ``--connections`` (32) keep-alive connections in closed loops for ``--warmup`` s
(dropped) and then ``--duration`` s (measured). The server is pinned to CPU 0 and the load
generator to the other CPU(s) (``--no-pin`` to let the scheduler decide). Prints requests/s
(flows/s), p50/p99 latency, CPU use of server and generator, every error answer, and the two
targets (Initiate >= 0.5 x bare; >= 1,000 flows/s) as PASS/MISS. Always exits 0.

    python benchmarks/sandbox_load.py --duration 5 [--json out.json] [--procs 2]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import re
import selectors
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _loadgen import STEPS, Plan, Result, child_main

HOST = "127.0.0.1"  # never anything else
APP_KEY = "demo"
SERVER_SCRIPT = Path(__file__).resolve().with_name("_servers.py")
SCENARIOS = {  # name -> (server kind, label)
    "bare": ("bare", "bare Starlette POST"),
    "initiate": ("sandbox", "sandbox QR-Auth/Initiate"),
    "shipped": ("shipped", "qrlogin-desktop sandbox Initiate"),
    "flow": ("sandbox", "sandbox flow Init->Scan->Confirm"),
}
EXTRA_MODES = ("draw",)  # not a rate: two phases against one server, see run_draw
DRAW_CONNECTIONS = 2
DRAW_P99_TARGET = 2.0  # Initiate p99 while drawing <= 2 x idle
REPO_ROOT = Path(__file__).resolve().parents[1]
LISTENING = re.compile(rb"^Sandbox listening on http://127\.0\.0\.1:(\d+) ")
RATIO_TARGET = 0.5
FLOWS_TARGET = 1000.0
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- processes ---------------------------------------------------------------------------------------

def cpu_seconds(pid: int) -> float | None:
    """user+system CPU time of a live process, from /proc (None if unavailable)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14, 15)
    except (OSError, IndexError, ValueError):
        return None


def machine_busy_seconds() -> float | None:
    """CPU seconds all CPUs spent busy since boot (user+nice+system+irq+softirq+steal), from /proc/stat."""
    try:
        with open("/proc/stat", "rb") as f:
            fields = [int(x) for x in f.readline().split()[1:9]]
        user, nice, system, _idle, _iowait, irq, softirq, steal = fields
        return (user + nice + system + irq + softirq + steal) / CLK_TCK
    except (OSError, ValueError):
        return None


def wait_for_quiet(max_wait: float, threshold: float = 0.15, sample: float = 0.5) -> float | None:
    """Wait (at most max_wait s) until the machine's busy CPU over ``sample`` s is below ``threshold`` cores.

    Returns the last busy figure seen (cores), or None without /proc/stat."""
    deadline = time.monotonic() + max_wait
    while True:
        a = machine_busy_seconds()
        time.sleep(sample)
        b = machine_busy_seconds()
        if a is None or b is None:
            return None
        busy = (b - a) / sample
        if busy < threshold or time.monotonic() >= deadline:
            return busy


def pin(pid: int, cpus: set[int] | None) -> None:
    if cpus:
        try:
            os.sched_setaffinity(pid, cpus)
        except (OSError, AttributeError):
            pass


def split_cpus(no_pin: bool) -> tuple[list[int], set[int] | None, set[int] | None, str]:
    """This process's CPUs, the server's and the generators' shares (the first CPU against the rest; none
    with ``no_pin`` or a single CPU), and a few words saying which."""
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if no_pin or len(cpus) < 2:
        return cpus, None, None, "off"
    server_cpus, gen_cpus = {cpus[0]}, set(cpus[1:])
    return cpus, server_cpus, gen_cpus, f"server->{sorted(server_cpus)} generators->{sorted(gen_cpus)}"


def shipped_command() -> list[str]:
    """The installed console script, or the same entry point through ``-m`` where it is not on PATH."""
    script = shutil.which("qrlogin-desktop")
    return [script] if script else [sys.executable, "-m", "qrlogin_desktop"]


class Server:
    def __init__(self, kind: str, token: str, cprofile: Path | None = None, cpus: set[int] | None = None):
        env = None
        if kind == "shipped":
            if cprofile is not None:
                raise ValueError("--server-cprofile profiles the _servers.py scenarios only")
            cmd = shipped_command() + ["sandbox", "--port", "0", "--token", token, "--app-key", APP_KEY]
            env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])))
        else:
            cmd = [sys.executable, str(SERVER_SCRIPT), kind, "--token", token]
            if cprofile is not None:
                cmd += ["--cprofile", str(cprofile)]
        self.loop = "Event loop: uvloop (_servers.py)"
        # Unbuffered: with a buffered pipe, readline() may pull the second line into Python's buffer,
        # and select() on the pipe then says there is nothing more to read.
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env, bufsize=0)
        pin(self.proc.pid, cpus)
        self.port = self._read_port(timeout=30.0)

    def _readable(self, timeout: float) -> bool:
        assert self.proc.stdout is not None
        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            return bool(sel.select(timeout))

    def _read_port(self, timeout: float) -> int:
        assert self.proc.stdout is not None
        if not self._readable(timeout):
            self.stop()
            raise RuntimeError(f"server did not start within {timeout} s")
        line = self.proc.stdout.readline().strip()
        shipped = LISTENING.match(line)
        if shipped:  # then "Event loop: uvloop" (older checkouts print no such line)
            said = self.proc.stdout.readline().decode().strip() if self._readable(2.0) else ""
            self.loop = said or "Event loop: not reported"
            return int(shipped.group(1))
        if not line.isdigit():
            self.stop()
            raise RuntimeError(f"server failed to start (said {line!r}, exit {self.proc.poll()})")
        return int(line)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # uvicorn's graceful shutdown (and cProfile's dump)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


# --- one scenario --------------------------------------------------------------------------------------

def percentile(sorted_ns: list[int], q: float) -> float:
    """Nearest-rank percentile, in milliseconds."""
    if not sorted_ns:
        return float("nan")
    rank = max(1, min(len(sorted_ns), round(q / 100 * len(sorted_ns) + 0.5)))
    return sorted_ns[rank - 1] / 1e6


def summarise(samples: list[int], duration: float) -> dict:
    s = sorted(samples)
    return {
        "count": len(s),
        "per_s": len(s) / duration,
        "p50_ms": percentile(s, 50),
        "p90_ms": percentile(s, 90),
        "p99_ms": percentile(s, 99),
        "max_ms": s[-1] / 1e6 if s else float("nan"),
        "mean_ms": sum(s) / len(s) / 1e6 if s else float("nan"),
    }


def run_scenario(name: str, args, token: str, server_cpus, gen_cpus) -> dict:
    kind, label = SCENARIOS[name]
    cprofile = None
    if args.server_cprofile:
        Path(args.server_cprofile).mkdir(parents=True, exist_ok=True)
        cprofile = Path(args.server_cprofile) / f"{name}.prof"
    server = Server(kind, token, cprofile, server_cpus)
    try:
        ctx = multiprocessing.get_context("fork")
        now = time.monotonic()
        t_measure = now + 0.3 + args.warmup
        t_end = t_measure + args.duration
        hard = t_end + 5.0 + args.duration
        split = [args.connections // args.procs + (i < args.connections % args.procs) for i in range(args.procs)]
        children = []
        for conns in split:
            plan = Plan("initiate" if kind == "shipped" else name, HOST, server.port, token, APP_KEY, conns,
                        t_measure, t_end, hard)
            parent_end, child_end = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=child_main, args=(plan, child_end), daemon=True)
            proc.start()
            child_end.close()
            pin(proc.pid, gen_cpus)
            children.append((proc, parent_end))

        time.sleep(max(0.0, t_measure - time.monotonic()))
        pids = [server.pid] + [p.pid for p, _ in children]
        cpu_start = {pid: cpu_seconds(pid) for pid in pids}
        busy_start, self_start = machine_busy_seconds(), sum(os.times()[:2])
        wall_start = time.monotonic()
        time.sleep(max(0.0, t_end - time.monotonic()))
        cpu_end = {pid: cpu_seconds(pid) for pid in pids}
        busy_end, self_end = machine_busy_seconds(), sum(os.times()[:2])
        wall = time.monotonic() - wall_start

        def share(pid: int) -> float | None:
            a, b = cpu_start.get(pid), cpu_end.get(pid)
            return None if a is None or b is None else (b - a) / wall

        results: list[Result] = []
        errors: Counter = Counter()
        for proc, conn in children:
            if conn.poll(max(0.1, hard + 2.0 - time.monotonic())):
                results.append(conn.recv())
            else:
                errors["generator: no result before the hard deadline"] += 1
            proc.join(2.0)
            if proc.is_alive():
                proc.kill()
    finally:
        server.stop()

    samples: dict[str, list[int]] = {}
    completed = flows = 0
    for r in results:
        for key, values in r.samples.items():
            samples.setdefault(key, []).extend(values)
        completed += r.completed
        flows += r.flows
        errors.update(r.errors)
    gen_shares = [share(p.pid) for p, _ in children]
    other = None  # CPU the rest of the machine used meanwhile (other users, the kernel's softirqs ...)
    if busy_start is not None and busy_end is not None and None not in cpu_start.values() and None not in cpu_end.values():
        ours = sum(cpu_end[p] - cpu_start[p] for p in pids) + (self_end - self_start)
        other = max(0.0, (busy_end - busy_start - ours) / wall)
    out = {
        "scenario": name,
        "label": label,
        "server": kind,
        "server_loop": server.loop,
        "connections": args.connections,
        "generator_processes": args.procs,
        "duration_s": args.duration,
        "requests": completed,
        "requests_per_s": completed / args.duration,
        "server_cpu": share(server.pid),
        "generator_cpu": [g for g in gen_shares],
        "other_cpu": other,
        "errors": dict(errors),
        "error_count": sum(errors.values()),
    }
    if cprofile is not None:
        out["server_cprofile"] = str(cprofile)
    if name == "flow":
        out["flows"] = flows
        out["flows_per_s"] = out["rate"] = flows / args.duration
        out["flow_latency"] = summarise(samples.get("flow", []), args.duration)
        out["steps"] = {step: summarise(samples.get(step, []), args.duration) for step in STEPS}
    else:
        out["rate"] = out["requests_per_s"]
        out["latency"] = summarise(samples.get("request", []), args.duration)
    # Throughput per second of server CPU: what one dedicated core would do. Far less sensitive to
    # other processes stealing the server's core than the raw rate (see README).
    cpu = out["server_cpu"]
    out["rate_per_server_cpu"] = out["rate"] / cpu if cpu else None
    return out


# --- draw: Initiate latency while large codes are drawn ------------------------------------------------

def _generate(port: int, token: str, parts: list[tuple[str, int]], args, gen_cpus) -> list[Result]:
    """Run one generator process per (load kind, connections) part over the same window; their Results."""
    ctx = multiprocessing.get_context("fork")
    t_measure = time.monotonic() + 0.3 + args.warmup
    t_end = t_measure + args.duration
    hard = t_end + 5.0 + args.duration
    children = []
    for kind, conns in parts:
        parent_end, child_end = ctx.Pipe(duplex=False)
        plan = Plan(kind, HOST, port, token, APP_KEY, conns, t_measure, t_end, hard)
        proc = ctx.Process(target=child_main, args=(plan, child_end), daemon=True)
        proc.start()
        child_end.close()
        pin(proc.pid, gen_cpus)
        children.append((proc, parent_end))
    results = []
    for proc, conn in children:
        if conn.poll(max(0.1, hard + 2.0 - time.monotonic())):
            results.append(conn.recv())
        else:
            lost = Result()
            lost.errors["generator: no result before the hard deadline"] += 1
            results.append(lost)
        proc.join(2.0)
        if proc.is_alive():
            proc.kill()
    return results


def run_draw(args, token: str, server_cpus, gen_cpus) -> dict:
    """Initiate p99 on the shipped sandbox idle, then with DRAW_CONNECTIONS looping large WXACodeGet."""
    server = Server("shipped", token, None, server_cpus)
    try:
        (idle,) = _generate(server.port, token, [("initiate", args.connections)], args, gen_cpus)
        busy, draws = _generate(server.port, token, [("initiate", args.connections), ("draw", DRAW_CONNECTIONS)],
                                args, gen_cpus)
    finally:
        server.stop()
    out = {
        "scenario": "draw",
        "server_loop": server.loop,
        "connections": args.connections,
        "draw_connections": DRAW_CONNECTIONS,
        "idle": summarise(idle.samples.get("request", []), args.duration),
        "while_drawing": summarise(busy.samples.get("request", []), args.duration),
        "draws": summarise(draws.samples.get("request", []), args.duration),
        "errors": dict(idle.errors + busy.errors + draws.errors),
    }
    out["error_count"] = sum(out["errors"].values())
    out["p99_ratio"] = out["while_drawing"]["p99_ms"] / out["idle"]["p99_ms"]
    return out


def print_draw(r: dict) -> None:
    print(f"\nInitiate while drawing ({r['server_loop']}; {r['connections']} Initiate connections, "
          f"{r['draw_connections']} looping large WXACodeGet):")
    print(f"{'':<36} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for label, key in (("Initiate, idle", "idle"), ("Initiate, while drawing", "while_drawing"),
                       ("WXACodeGet (large)", "draws")):
        x = r[key]
        print(f"{label:<36} {x['per_s']:>10,.1f} {x['p50_ms']:8.2f} {x['p99_ms']:8.2f} {x['max_ms']:8.2f}")
    ratio = r["p99_ratio"]
    print(f"Initiate p99 while drawing / idle  : {ratio:6.2f}   target <= {DRAW_P99_TARGET:.2f}   "
          f"{'PASS' if ratio <= DRAW_P99_TARGET else 'MISS'}")
    for what, count in sorted(r["errors"].items(), key=lambda kv: -kv[1]):
        print(f"  [draw] {count:>8} x {what}")


# --- report ---------------------------------------------------------------------------------------------

def _pct(x: float | None) -> str:
    return "  n/a" if x is None else f"{100 * x:4.0f}%"


def print_report(runs: dict[str, dict], figures: dict) -> None:
    print()
    print(f"{'scenario':<36} {'rate':>16} {'p50 ms':>8} {'p99 ms':>8} {'srv CPU':>8} {'gen CPU':>8} {'other':>6} {'errors':>7} {'rate/srv-CPU-s':>15}")
    print("-" * 120)
    for name, r in runs.items():
        gen = sum(g for g in r["generator_cpu"] if g is not None) if r["generator_cpu"] else None
        if name == "flow":
            lat = r["flow_latency"]
            rate = f"{r['flows_per_s']:,.0f} flows/s"
        else:
            lat = r["latency"]
            rate = f"{r['requests_per_s']:,.0f} req/s"
        print(f"{r['label']:<36} {rate:>16} {lat['p50_ms']:8.2f} {lat['p99_ms']:8.2f} "
              f"{_pct(r['server_cpu']):>8} {_pct(gen):>8} {_pct(r['other_cpu']):>6} {r['error_count']:>7} "
              f"{r['rate_per_server_cpu'] or float('nan'):>15,.0f}")
        if len(r.get("round_rates", ())) > 1:
            rates = r["round_rates"]
            print(f"{'  best of ' + str(len(rates)) + ' rounds; all:':<36} " + ", ".join(f"{x:,.0f}" for x in rates))
        if name == "flow":
            print(f"{'  (all steps)':<36} {r['requests_per_s']:>10,.0f} req/s")
            for step, s in r["steps"].items():
                print(f"{'  step ' + step:<36} {s['per_s']:>10,.0f} req/s {s['p50_ms']:8.2f} {s['p99_ms']:8.2f}")
    print()
    shipped_loop = f"   ({runs['shipped']['server_loop']})" if "shipped" in runs else ""
    for label, key, per_cpu_key, target, spec, after in (
        ("sandbox Initiate / bare throughput", "initiate_over_bare", "initiate_over_bare_per_server_cpu",
         RATIO_TARGET, ".2f", ""),
        ("shipped sandbox / bare throughput", "shipped_over_bare", "shipped_over_bare_per_server_cpu",
         RATIO_TARGET, ".2f", shipped_loop),
        ("QR login flows/s", "flows_per_s", "flows_per_server_cpu_s", FLOWS_TARGET, ",.0f", ""),
    ):
        value = figures.get(key)
        if value is None:
            continue
        print(f"{label:<35}: {value:6{spec}}   target >= {format(target, spec):<5}  "
              f"{'PASS' if value >= target else 'MISS'}{after}")
        per_cpu = figures.get(per_cpu_key)
        if per_cpu is not None:
            print(f"{'  same, per second of server CPU':<35}: {per_cpu:6{spec}}   (cross-check; robust to a busy machine)")
    for name, r in runs.items():
        gens = [g for g in r["generator_cpu"] if g is not None]
        srv = r["server_cpu"]
        if srv is not None and gens and srv < 0.85 and max(gens) > 0.9:
            print(f"WARNING {name}: the server used {srv:.0%} of a core while a generator process used "
                  f"{max(gens):.0%}: the generator may be the bottleneck (try --procs 2 / --no-pin)")
        other = r.get("other_cpu")
        if other is not None and other > 0.2:
            print(f"WARNING {name}: the rest of the machine was busy meanwhile ({other:.0%} of a core outside "
                  f"this benchmark): its figures are low; rerun on a quiet machine")
    any_errors = False
    for name, r in runs.items():
        for what, count in sorted(r["errors"].items(), key=lambda kv: -kv[1]):
            if not any_errors:
                print("\nERRORS (a benchmark of errors is worthless):")
                any_errors = True
            print(f"  [{name}] {count:>8} x {what}")
    if not any_errors:
        print("\nno errors: every answer was HTTP 200 with envelope code 200")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--duration", type=float, default=5.0, help="measured seconds per scenario (default 5)")
    parser.add_argument("--warmup", type=float, default=1.0, help="warm-up seconds per scenario, dropped (default 1)")
    parser.add_argument("--connections", type=int, default=32, help="keep-alive connections (default 32)")
    parser.add_argument("--procs", type=int, default=1, help="generator processes sharing the connections (default 1)")
    parser.add_argument("--scenarios", default="bare,initiate,shipped,flow,draw",
                        help="comma-separated subset of bare,initiate,shipped,flow,draw (default all)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE")
    parser.add_argument("--no-pin", action="store_true", help="do not pin the server to CPU 0 and the generator to the others")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run the scenarios N times, interleaved, and report each one's best round (default 1)")
    parser.add_argument("--wait-quiet", type=float, default=0.0, metavar="S",
                        help="before each scenario wait up to S s for the machine to be idle (shared machines)")
    parser.add_argument("--server-cprofile", metavar="DIR", help="run each server under cProfile, stats to DIR/<scenario>.prof")
    args = parser.parse_args(argv)
    args.duration = min(max(args.duration, 0.5), 120.0)  # bounded in time
    args.warmup = min(max(args.warmup, 0.0), 30.0)
    args.connections = min(max(args.connections, 1), 1024)
    args.procs = min(max(args.procs, 1), args.connections)
    args.wait_quiet = min(max(args.wait_quiet, 0.0), 300.0)
    args.rounds = min(max(args.rounds, 1), 20)
    names = [n.strip() for n in args.scenarios.split(",") if n.strip()]
    unknown = [n for n in names if n not in SCENARIOS and n not in EXTRA_MODES]
    if unknown:
        parser.error(f"unknown scenario(s) {unknown}; known: {', '.join([*SCENARIOS, *EXTRA_MODES])}")
    draw = "draw" in names
    names = [n for n in names if n != "draw"]

    cpus, server_cpus, gen_cpus, pinning = split_cpus(args.no_pin)
    token = "bench_" + os.urandom(12).hex()
    print(f"sandbox load benchmark: {args.connections} connections, {args.procs} generator process(es), "
          f"warm-up {args.warmup:g} s + {args.duration:g} s per scenario, {len(cpus)} CPU(s), "
          f"pinning {pinning}")

    rounds: dict[str, list[dict]] = {name: [] for name in names}
    for round_no in range(args.rounds):  # interleaved, so slow drifts of a shared machine hit all alike
        for name in names:
            if args.wait_quiet > 0:
                busy = wait_for_quiet(args.wait_quiet)
                if busy is not None and busy >= 0.15:
                    print(f"  (the machine is still busy: {busy:.0%} of a core before {name})")
            print(f"  running {name}" + (f" (round {round_no + 1}/{args.rounds})" if args.rounds > 1 else "") + " ...",
                  flush=True)
            try:
                rounds[name].append(run_scenario(name, args, token, server_cpus, gen_cpus))
            except Exception as exc:  # a benchmark reports, it does not crash
                print(f"  {name} FAILED: {exc.__class__.__name__}: {exc}")
    runs: dict[str, dict] = {}
    for name, done in rounds.items():
        if done:  # best round: other processes can only slow a round down, never speed it up
            best = dict(max(done, key=lambda r: r["rate"]))
            best["round_rates"] = [r["rate"] for r in done]
            best["errors"] = dict(sum((Counter(r["errors"]) for r in done), Counter()))
            best["error_count"] = sum(best["errors"].values())
            runs[name] = best

    figures: dict = {}
    if "bare" in runs and "initiate" in runs and runs["bare"]["requests_per_s"]:
        figures["initiate_over_bare"] = runs["initiate"]["requests_per_s"] / runs["bare"]["requests_per_s"]
        a, b = runs["initiate"]["rate_per_server_cpu"], runs["bare"]["rate_per_server_cpu"]
        if a and b:
            figures["initiate_over_bare_per_server_cpu"] = a / b
    if "bare" in runs and "shipped" in runs and runs["bare"]["requests_per_s"]:
        figures["shipped_over_bare"] = runs["shipped"]["requests_per_s"] / runs["bare"]["requests_per_s"]
        a, b = runs["shipped"]["rate_per_server_cpu"], runs["bare"]["rate_per_server_cpu"]
        if a and b:
            figures["shipped_over_bare_per_server_cpu"] = a / b
    if "flow" in runs:
        figures["flows_per_s"] = runs["flow"]["flows_per_s"]
        figures["flows_per_server_cpu_s"] = runs["flow"]["rate_per_server_cpu"]
    print_report(runs, figures)
    if draw:
        print("  running draw ...", flush=True)
        try:
            runs["draw"] = run_draw(args, token, server_cpus, gen_cpus)
            figures["draw_p99_ratio"] = runs["draw"]["p99_ratio"]
            print_draw(runs["draw"])
        except Exception as exc:  # a benchmark reports, it does not crash
            print(f"  draw FAILED: {exc.__class__.__name__}: {exc}")

    if args.json:
        doc = {
            "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": len(cpus)},
            "settings": {k: getattr(args, k) for k in ("duration", "warmup", "connections", "procs", "no_pin", "wait_quiet", "rounds")},
            "targets": {"initiate_over_bare": RATIO_TARGET, "flows_per_s": FLOWS_TARGET},
            "figures": figures,
            "pass": {"initiate_over_bare": figures.get("initiate_over_bare", 0) >= RATIO_TARGET,
                     "flows_per_s": figures.get("flows_per_s", 0) >= FLOWS_TARGET},
            "scenarios": runs,
            "all_rounds": rounds,
        }
        Path(args.json).write_text(json.dumps(doc, indent=2, ensure_ascii=False))
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
