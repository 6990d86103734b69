"""``qrlogin-desktop load``: QR-flow load on Locust, headless, on this machine.

It runs Locust's own runner (``qrlogin_desktop/load/run.py``): one process, or with ``--workers W``
a master and W local workers, the same ``--master`` / ``--worker --master-host`` path an operator
takes across machines. Locust prints its summary; ``--csv`` / ``--html`` write its reports. The
exit code is Locust's: 0 no failure, 1 some request or flow failed, 2 a broken run or bad usage.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shlex
import signal
import sys

EXIT_USAGE = 2


def run_load(args: argparse.Namespace) -> int:
    from ..load import LOCUSTFILE

    if args.locustfile:
        print(LOCUSTFILE)
        return 0
    if importlib.util.find_spec("locust") is None:
        print("error: Locust is not installed; install the optional extra: pip install 'qrlogin-desktop[load]'",
              file=sys.stderr)
        return EXIT_USAGE
    from ..load.run import LoadPlan, LoadRun
    from ..load.sandbox_process import SandboxProcess

    missing = [name for name, value in (("--users", args.users), ("--duration", args.duration)) if value is None]
    if missing:
        return _usage(f"{' and '.join(missing)} required: a load run is bounded")
    chosen = [name for name, given in (("--server", args.server), ("--profile", args.profile),
                                       ("--sandbox", args.sandbox)) if given]
    if len(chosen) != 1:
        return _usage("give exactly one of --server (with --app-key), --profile or --sandbox"
                      + (f" (got {', '.join(chosen)})" if chosen else ""))
    sandbox = None
    try:
        if args.sandbox:
            try:
                sandbox = SandboxProcess()
            except RuntimeError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return EXIT_USAGE
            server, app_key, token, codes = sandbox.url, sandbox.app_key, sandbox.token, None
        else:
            target = _target(args)
            if isinstance(target, int):
                return target
            server, app_key, token, codes = target
        plan = LoadPlan(server=server, app_key=app_key, users=args.users, spawn_rate=args.spawn_rate,
                        duration=args.duration, workers=args.workers, csv_prefix=args.csv, html_file=args.html,
                        tags=tuple(args.tags or ()), think_time=args.think_time, call_timeout=args.call_timeout,
                        codes_json=codes, insecure=args.insecure, only_summary=args.only_summary)
        if problems := plan.problems():
            return _usage("; ".join(problems))
        shape = f"a master and {plan.workers} local workers" if plan.workers else "one Locust process"
        print(f"QR-flow load at {server} (appKey={app_key}): {plan.users} users, {plan.spawn_rate:g}/s, "
              f"{plan.duration:g} s, {shape}", flush=True)
        return _run(LoadRun(plan, token))
    finally:
        if sandbox is not None:
            sandbox.stop()


def _target(args: argparse.Namespace) -> tuple[str, str, str, str | None] | int:
    """Server, appKey, credential and code table of --server / --profile, or an exit code."""
    from .target import credential_problem, target_from_args

    target = target_from_args(args)
    if isinstance(target, str):
        return _usage(target)
    profile = target.profile
    if profile.embedded_sandbox:
        return _usage(f"profile {profile.name!r} is the embedded sandbox: use --sandbox")
    credential = target.credential
    if target.from_keyring:
        from .tokens import token_store

        credential = token_store(args).get_credential(profile.id)
    if problem := credential_problem(credential, target.source):
        return _usage(problem)
    codes = json.dumps(profile.code_table) if profile.code_table else None
    return profile.base_url.rstrip("/"), profile.app_key, credential, codes


def _run(run) -> int:
    def interrupted(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupted)
    try:
        run.start()
        for role, command in zip(("master" if run.plan.workers else "runner", *["worker"] * run.plan.workers),
                                 run.commands, strict=True):
            # As an operator types it ("python -m locust" is "locust"); the credential is in the environment.
            print(f"{role}: locust {shlex.join(command[3:])}", file=sys.stderr, flush=True)
        return run.wait()
    except KeyboardInterrupt:
        code = run.stop()
        return code if code is not None else 2
    finally:
        signal.signal(signal.SIGTERM, previous)


def _usage(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_USAGE
