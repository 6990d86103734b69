"""Live figures of a running load, read from Locust's own CSV files as they grow (no Qt, no Locust).

Locust (``--csv PREFIX --csv-full-history``) appends one row per request entry and then the
``Aggregated`` row to ``PREFIX_stats_history.csv`` every second, with the *current* (last few
seconds') percentiles, and rewrites ``PREFIX_failures.csv``. :class:`HistoryReader` reads the new
complete rows only, a bounded amount per call, and turns the QR-flow rows into :class:`Sample`s
and the failure table into outcome counts.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from .limits import FLOW_TYPE

MAX_READ_BYTES = 1024 * 1024  # per call: a second of history is ~100 bytes per request entry
MAX_FAILURE_ROWS = 1000  # distinct (entry, error) rows looked at; Locust's own table is bounded too
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
        self.failures_path = Path(f"{prefix}_failures.csv")
        self._offset = 0
        self._columns: list[str] | None = None
        self._pending: dict[str, FlowFigures] = {}
        self._last: Sample | None = None

    def read(self) -> Snapshot:
        """The samples completed since the last call, and the outcome counts as they are now."""
        snapshot = Snapshot(samples=self._new_samples())
        if self._last is not None:
            done = sum(f.total - f.failed for f in self._last.flows.values())
            snapshot.outcomes[AUTHENTICATED] = done
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
                self._last = sample
                samples.append(sample)
            elif record.get("Type") == FLOW_TYPE:
                self._pending[record.get("Name", "")] = FlowFigures(
                    _number(record.get("Requests/s")) or 0.0, _number(record.get("50%")), _number(record.get("95%")),
                    int(_number(record.get("Total Request Count")) or 0),
                    int(_number(record.get("Total Failure Count")) or 0))
        return samples

    def _failed_outcomes(self) -> dict[str, int]:
        """Failed flows by outcome: the first word of the failure text (``server_fault (code 500) at ...``)."""
        try:
            text = self.failures_path.read_text(encoding="utf-8", errors="replace")[:MAX_READ_BYTES]
        except FileNotFoundError:
            return {}
        counts: dict[str, int] = {}
        for number, row in enumerate(csv.DictReader(io.StringIO(text))):
            if number >= MAX_FAILURE_ROWS:
                break
            if row.get("Method") == FLOW_TYPE and (error := (row.get("Error") or "").split(" ")[0]):
                counts[error] = counts.get(error, 0) + int(_number(row.get("Occurrences")) or 0)
        return counts
