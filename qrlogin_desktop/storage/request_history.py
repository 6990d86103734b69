"""The request log's history on disk: the newest exchanges, redacted, bounded, written atomically.

What is written are :class:`~qrlogin_desktop.api.exchange.Exchange` records, which the client
redacts when it makes them. Each is masked once more on the way to disk
(:func:`qrlogin_desktop.api.logmask.mask`: every secret any Redactor of this process has learnt,
and values under sensitive names), so a token learnt after a record was made, or a record from a
code path that forgot to redact, still never reaches the file.

The file is JSON lines (a header line, then one exchange per line) in the user's data directory
(``QRLOGIN_DATA_DIR`` overrides it, for tests and portable use). Lines let :meth:`load` parse one
record at a time: one big document would hold the GIL (and the GUI thread) for the whole parse.
Bounded twice: the newest :data:`MAX_ENTRIES` records, and at most :data:`MAX_BYTES` in the file
(the oldest go first). No Qt here; the GUI calls it on a worker thread.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

from .. import APP_NAME
from ..api.exchange import Exchange
from ..api.logmask import mask
from ..api.redact import MASK, MIN_SECRET, known_secrets
from .atomic_file import write_lines_atomically

HISTORY_FILE = "request-history.jsonl"
FORMAT = "qrlogin-request-history"
FORMAT_VERSION = 1
MAX_ENTRIES = 500
MAX_BYTES = 8 * 1024 * 1024
# What load() reads at most: a file much bigger than we write is not ours (or older limits).
_READ_LIMIT_FACTOR = 2

_TEXT_FIELDS = ("endpoint", "method", "url")
_OPTIONAL_TEXT = ("request_body", "response_body", "response_content_type", "error")
_NUMBERS = ("started_at", "latency_ms")
_COUNTS = ("request_size", "response_size")
_OPTIONAL_INTS = ("status", "envelope_code")
_HEADER_FIELDS = ("request_headers", "response_headers")


def data_dir() -> Path:
    override = os.environ.get("QRLOGIN_DATA_DIR")
    return Path(override) if override else Path(user_data_dir(APP_NAME, appauthor=False))


def default_path() -> Path:
    return data_dir() / HISTORY_FILE


_forms_cache: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())


def _secret_forms() -> tuple[str, ...]:
    """Each known secret as a body's text may hold it: JSON-escaped (a pasted token's trailing
    newline is ``\\n`` there) and without the whitespace around it; longest first. Rebuilt only
    when the process learns a secret (known_secrets() is then a new tuple)."""
    global _forms_cache
    current = known_secrets()
    if _forms_cache[0] is not current:
        forms: set[str] = set()
        for secret in current:
            for form in (secret, secret.strip()):
                forms.update((form, json.dumps(form)[1:-1], json.dumps(form, ensure_ascii=False)[1:-1]))
        _forms_cache = (current, tuple(sorted((f for f in forms if len(f) >= MIN_SECRET), key=len, reverse=True)))
    return _forms_cache[1]


def scrub(text: str) -> str:
    """:func:`~qrlogin_desktop.api.logmask.mask`, and every known secret in its escaped forms."""
    for form in _secret_forms():
        if form in text:
            text = text.replace(form, MASK)
    return mask(text)


def _masked_headers(pairs: Sequence[tuple[str, str]]) -> list[list[str]]:
    return [[scrub(name), scrub(value)] for name, value in pairs]


def to_json(x: Exchange) -> dict[str, Any]:
    """The record as JSON, every text masked again (see the module's docstring)."""
    out = asdict(x)
    for name in _TEXT_FIELDS + _OPTIONAL_TEXT:
        if out[name] is not None:
            out[name] = scrub(out[name])
    for name in _HEADER_FIELDS:
        out[name] = _masked_headers(getattr(x, name))
    return out


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def from_json(item: Any) -> Exchange | None:
    """A record read back, or None when the line is not one (damaged, or from another version)."""
    if not isinstance(item, dict):
        return None
    known = {f.name for f in fields(Exchange)}
    if not all(isinstance(item.get(n), str) for n in _TEXT_FIELDS):
        return None
    if not all(item.get(n) is None or isinstance(item[n], str) for n in _OPTIONAL_TEXT):
        return None
    if not all(isinstance(item.get(n), (int, float)) and not isinstance(item[n], bool) for n in _NUMBERS):
        return None
    if not all(_is_int(item.get(n, 0)) and item.get(n, 0) >= 0 for n in _COUNTS):
        return None
    if not all(item.get(n) is None or _is_int(item[n]) for n in _OPTIONAL_INTS):
        return None
    headers: dict[str, tuple[tuple[str, str], ...]] = {}
    for name in _HEADER_FIELDS:
        pairs = item.get(name, [])
        if not isinstance(pairs, list) or not all(
                isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) for s in p) for p in pairs):
            return None
        headers[name] = tuple((p[0], p[1]) for p in pairs)
    values = {k: v for k, v in item.items() if k in known}
    values.update(headers)
    values.setdefault("request_body", None)
    return Exchange(**values)


class RequestHistory:
    """Load, save and clear the history file. Thread-safe; every method does file I/O (call it off
    the GUI thread). A record's masked JSON line is kept between saves, so saving again after one
    new request masks and encodes one record, not five hundred."""

    def __init__(self, path: Path | None = None, *, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES):
        if max_entries < 1 or max_bytes < 1:
            raise ValueError("the history's limits must be positive")
        self.path = path or default_path()
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.warnings: list[str] = []  # what the last load() could not read (English, for the log)
        self._lock = threading.Lock()
        self._lines: dict[int, tuple[Exchange, str]] = {}  # id(record) -> (record, its line)

    def load(self) -> list[Exchange]:
        """The records of the file, oldest first; [] when there is none. A damaged line is skipped
        (and counted in :attr:`warnings`), never an exception."""
        with self._lock:
            self.warnings = []
            try:
                size = self.path.stat().st_size
                if size > self.max_bytes * _READ_LIMIT_FACTOR:
                    self.warnings.append(f"{self.path.name}: {size} bytes, more than a history holds; not read")
                    return []
                with self.path.open(encoding="utf-8", errors="replace") as handle:
                    # "\n" only: str.splitlines() would also split at a U+2028 inside a JSON string.
                    lines = [line for line in handle.read().split("\n") if line.strip()]
            except FileNotFoundError:
                return []
            except OSError as exc:
                self.warnings.append(f"{self.path.name}: {exc.strerror or exc}")
                return []
            if not lines or _header(lines[0]) is None:
                self.warnings.append(f"{self.path.name}: not a request history (version {FORMAT_VERSION})")
                return []
            out: list[Exchange] = []
            skipped = 0
            for line in lines[1:]:
                try:
                    record = from_json(json.loads(line))
                except (ValueError, RecursionError, TypeError):
                    record = None
                if record is None:
                    skipped += 1
                else:
                    out.append(record)
            if skipped:
                lines_word = "line" if skipped == 1 else "lines"
                self.warnings.append(f"{self.path.name}: {skipped} damaged {lines_word} skipped")
            return out[-self.max_entries:]

    def save(self, exchanges: Sequence[Exchange]) -> int:
        """Write the newest records that fit both bounds; returns how many were written."""
        with self._lock:
            kept: list[str] = []
            header = json.dumps({"format": FORMAT, "version": FORMAT_VERSION})
            budget = self.max_bytes - len(header.encode()) - 1
            lines: dict[int, tuple[Exchange, str]] = {}
            for x in reversed(exchanges[-self.max_entries:]):
                cached = self._lines.get(id(x))
                line = cached[1] if cached is not None and cached[0] is x else json.dumps(
                    to_json(x), ensure_ascii=False)
                cost = len(line.encode()) + 1
                if cost > budget:
                    break
                budget -= cost
                kept.append(line)
                lines[id(x)] = (x, line)
            self._lines = lines  # records that left the history are forgotten
            write_lines_atomically(self.path, [header, *reversed(kept)])
            return len(kept)

    def clear(self) -> None:
        with self._lock:
            self._lines = {}
            self.path.unlink(missing_ok=True)


def _header(line: str) -> dict[str, Any] | None:
    try:
        head = json.loads(line)
    except ValueError:
        return None
    ok = isinstance(head, dict) and head.get("format") == FORMAT and head.get("version") == FORMAT_VERSION
    return head if ok else None
