"""Writing a file atomically (a JSON document, or JSON lines): a crash leaves the old file or the new one."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TextIO


def write_json_atomically(path: Path, data: Any, *, indent: int = 2, make_parents: bool = True) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same directory and ``os.replace``.

    ``mkstemp`` creates the temporary file with mode 0600, so a file holding a secret (the opt-in
    plain-file token store) is never readable by others, not even for a moment. A reader (or a
    crash) never sees half a file. ``make_parents=False`` for a place the user picked: a missing
    folder there is an error to report, not one to create.
    """
    _write_atomically(path, lambda handle: json.dump(data, handle, ensure_ascii=False, indent=indent), make_parents)


def write_lines_atomically(path: Path, lines: Iterable[str], *, make_parents: bool = True) -> None:
    """Like :func:`write_json_atomically`, for a text of one record per line (each given without
    its line break): a reader can then parse it a line at a time."""

    def write(handle: TextIO) -> None:
        for line in lines:
            handle.write(line)
            handle.write("\n")

    _write_atomically(path, write, make_parents)


def _write_atomically(path: Path, write: Callable[[TextIO], None], make_parents: bool) -> None:
    if make_parents:
        path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
