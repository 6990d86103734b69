"""Two OS processes saving tokens into the same real Secret Service at the same moment.

Each child process (this file run as a script) builds its own TokenStore, says "ready", waits on its stdin
until the parent releases both at once, saves its tokens and prints a JSON report. The parent then lists the
store: every token saved by either process must be there, and no save may have failed or warned.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.proof

TOKENS_PER_PROCESS = 100
PROCESSES = 2
# Per keyring call, as in the real_store fixture: the machine running the suite is shared and busy.
CALL_TIMEOUT = 10.0
# The whole race (start-up, 200 saves, reports) must finish within this; it took 16-26 s on the busy
# 2-core test machine.
RACE_DEADLINE = 90.0
REPO_ROOT = Path(__file__).resolve().parents[2]


def _child(service: str, label: str, count: int) -> None:
    from keyring.backends import SecretService

    from qrlogin_desktop.storage.keystore import KeystoreError, StoredToken, TokenKey, TokenStore

    store = TokenStore(backend=SecretService.Keyring(), service=service, timeout=CALL_TIMEOUT)
    store.mode()  # backend detection happens before the barrier, not inside the race
    print("ready", flush=True)
    sys.stdin.readline()  # the barrier: the parent releases every child at once
    failures: list[str] = []
    for i in range(count):
        token = StoredToken(
            TokenKey("https://race.test", "race-app", f"{label}-{i:03d}"),
            f"race-token-{label}-{i}-{uuid.uuid4().hex}",
            "Bearer",
            7200,
        )
        try:
            result = store.save(token)
        except KeystoreError as exc:
            failures.append(f"save {i} raised {type(exc).__name__}: {exc}")
            continue
        if result.location != "keyring" or result.warning:
            failures.append(f"save {i} went to {result.location}: {result.warning}")
    print(json.dumps({"failures": failures}), flush=True)


@pytest.mark.keyring
@pytest.mark.timeout(RACE_DEADLINE + 30)
def test_two_processes_saving_at_once_lose_no_token(tmp_path: Path) -> None:
    from keyring_support import delete_service_items, secret_service

    from qrlogin_desktop.storage.keystore import TokenStore

    backend = secret_service()
    service = f"qrlogin-desktop-race-{uuid.uuid4().hex}"
    path = [str(REPO_ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    labels = [f"p{n}" for n in range(PROCESSES)]
    children = [
        subprocess.Popen(
            [sys.executable, __file__, service, label, str(TOKENS_PER_PROCESS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=(tmp_path / f"{label}.stderr").open("w"),
            env=env,
            text=True,
        )
        for label in labels
    ]
    try:
        for child in children:
            assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        started = time.monotonic()
        for child in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        reports = []
        for label, child in zip(labels, children, strict=True):
            out, _ = child.communicate(timeout=max(1.0, RACE_DEADLINE - (time.monotonic() - started)))
            stderr = (tmp_path / f"{label}.stderr").read_text()
            assert child.returncode == 0, f"child {label} exited {child.returncode}: {stderr[-2000:]}"
            reports.append(json.loads(out.strip().splitlines()[-1]))
        elapsed = time.monotonic() - started

        listed = TokenStore(backend=backend, service=service, timeout=CALL_TIMEOUT).list()
        expected = {f"{label}-{i:03d}" for label in labels for i in range(TOKENS_PER_PROCESS)}
        lost = sorted(expected - {token.key.account for token in listed})
        failures = [failure for report in reports for failure in report["failures"]]
        print(f"race: {len(expected)} saved by {PROCESSES} processes in {elapsed:.1f}s, "
              f"{len(listed)} listed, {len(lost)} lost, {len(failures)} failed saves")
        assert failures == []
        assert lost == [], f"{len(lost)} of {len(expected)} tokens missing from list()"
        assert len(listed) == len(expected)
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
        delete_service_items(service)


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2], int(sys.argv[3]))
