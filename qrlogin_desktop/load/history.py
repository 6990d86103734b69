"""Live figures of a running load, read from Locust's own CSV files as they grow (no Qt, no Locust).

Locust (``--csv PREFIX --csv-full-history``) appends one row per request entry and then the
``Aggregated`` row to ``PREFIX_stats_history.csv`` every second, with the *current* (last few
seconds') percentiles, and rewrites ``PREFIX_failures.csv``. :class:`HistoryReader` reads the new
complete rows only, a bounded amount per call, and turns the QR-flow rows into :class:`Sample`s;
the outcome counts come from the totals Locust rewrites as it goes and once more as it quits
(``PREFIX_stats.csv`` for the flows that got their token, ``PREFIX_failures.csv`` for the rest).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from .limits import FLOW_TYPE

MAX_READ_BYTES = 1024 * 1024  # per call: a second of history is ~100 bytes per request entry
MAX_TOTAL_ROWS = 1000  # rows of a totals file looked at (request entries; distinct entry+error failures)
AUTHENTICATED = "authenticated"  # the outcome of a flow that got its token


@dataclass(frozen=True)
class FlowFigures:
    per_s: float
    p50_ms: float | None  # None: no flow of this kind ended in the last seconds
    p95_ms: float | None
    total: int
    failed: int


@dataclass(frozen=True)
class Sample:
    at: int  # Locust's timestamp, Unix seconds
    users: int
    flows: dict[str, FlowFigures]  # by flow name (simulated-login, registration, polling-desktop)

    @property
    def flows_per_s(self) -> float:
        return sum(f.per_s for f in self.flows.values())


@dataclass
class Snapshot:
    samples: list[Sample] = field(default_factory=list)  # new since the last read
    outcomes: dict[str, int] = field(default_factory=dict)  # outcome -> flows, so far


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text not in (None, "", "N/A") else None
    except ValueError:
        return None


class HistoryReader:
    def __init__(self, prefix: str | Path):
        self.history_path = Path(f"{prefix}_stats_history.csv")
        self.totals_path = Path(f"{prefix}_stats.csv")
        self.failures_path = Path(f"{prefix}_failures.csv")
        self._offset = 0
        self._columns: list[str] | None = None
        self._pending: dict[str, FlowFigures] = {}

    def read(self) -> Snapshot:
        """The samples completed since the last call, and the outcome counts as they are now."""
        snapshot = Snapshot(samples=self._new_samples())
        snapshot.outcomes.update(self._authenticated())
        snapshot.outcomes.update(self._failed_outcomes())
        return snapshot

    def _new_samples(self) -> list[Sample]:
        try:
            with self.history_path.open("rb") as f:
                f.seek(self._offset)
                chunk = f.read(MAX_READ_BYTES)
        except FileNotFoundError:
            return []
        complete = chunk[: chunk.rfind(b"\n") + 1]  # a row still being written waits for the next call
        self._offset += len(complete)
        samples = []
        for row in csv.reader(io.StringIO(complete.decode("utf-8", "replace"))):
            if self._columns is None:
                self._columns = row
                continue
            record = dict(zip(self._columns, row, strict=False))
            if record.get("Name") == "Aggregated" and not record.get("Type"):
                sample = Sample(int(_number(record.get("Timestamp")) or 0), int(_number(record.get("User Count")) or 0),
                                self._pending)
                self._pending = {}
                samples.append(sample)
            elif record.get("Type") == FLOW_TYPE:
                self._pending[record.get("Name", "")] = FlowFigures(
                    _number(record.get("Requests/s")) or 0.0, _number(record.get("50%")), _number(record.get("95%")),
                    int(_number(record.get("Total Request Count")) or 0),
                    int(_number(record.get("Total Failure Count")) or 0))
        return samples

    def _authenticated(self) -> dict[str, int]:
        """Flows that got their token: each flow entry's requests less its failures."""
        done = sum(int(_number(row.get("Request Count")) or 0) - int(_number(row.get("Failure Count")) or 0)
                   for row in _rows(self.totals_path) if row.get("Type") == FLOW_TYPE)
        return {AUTHENTICATED: done} if done else {}

    def _failed_outcomes(self) -> dict[str, int]:
        """Failed flows by outcome: the first word of the failure text (``server_fault (code 500) at ...``)."""
        counts: dict[str, int] = {}
        for row in _rows(self.failures_path):
            if row.get("Method") == FLOW_TYPE and (error := (row.get("Error") or "").split(" ")[0]):
                counts[error] = counts.get(error, 0) + int(_number(row.get("Occurrences")) or 0)
        return counts


def _rows(path: Path) -> list[dict[str, str]]:
    """The rows of a totals file Locust rewrites in place (bounded: its size, and MAX_TOTAL_ROWS rows)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")[:MAX_READ_BYTES]
    except FileNotFoundError:
        return []
    rows = []
    for number, row in enumerate(csv.DictReader(io.StringIO(text))):
        if number >= MAX_TOTAL_ROWS:
            break
        rows.append(row)
    return rows
