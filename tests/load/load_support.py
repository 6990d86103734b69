"""Running ``qrlogin-desktop load`` as an operator does (a process of its own) and reading Locust's CSV."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from support import APP_KEY, TEST_TOKEN

ROOT = Path(__file__).resolve().parents[2]
FLOWS = ("simulated-login", "registration", "polling-desktop")
RUN_TIMEOUT = 120  # s: every run below is a few seconds; this only stops a hung one


@dataclass
class LoadResult:
    returncode: int
    output: str  # stdout and stderr
    stats: dict[tuple[str, str], dict[str, str]]  # (type, name) -> the row of PREFIX_stats.csv
    failures: list[dict[str, str]]  # the rows of PREFIX_failures.csv
    prefix: Path

    def count(self, kind: str, name: str) -> int:
        return int(self.stats[(kind, name)]["Request Count"])

    def failed(self, kind: str, name: str) -> int:
        return int(self.stats[(kind, name)]["Failure Count"])


def run_load(tmp_path: Path, *args: str, token: str | None = TEST_TOKEN, server: str | None = None,
             env: dict[str, str] | None = None) -> LoadResult:
    prefix = tmp_path / "run"
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    environment.pop("QRLOGIN_TOKEN", None)
    if token is not None:
        environment["QRLOGIN_TOKEN"] = token
    environment.update(env or {})
    where = ["--server", server, "--app-key", APP_KEY] if server else []
    done = subprocess.run([sys.executable, "-m", "qrlogin_desktop", "load", *where, "--csv", str(prefix),
                           "--only-summary", *args],
                          env=environment, capture_output=True, text=True, timeout=RUN_TIMEOUT, cwd=tmp_path)
    return LoadResult(done.returncode, done.stdout + done.stderr, read_stats(prefix), read_failures(prefix), prefix)


def read_stats(prefix: Path) -> dict[tuple[str, str], dict[str, str]]:
    path = Path(f"{prefix}_stats.csv")
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8") as f:
        return {(row["Type"], row["Name"]): row for row in csv.DictReader(f)}


def read_failures(prefix: Path) -> list[dict[str, str]]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))
