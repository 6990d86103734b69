"""Writing a JSON file atomically: a crash leaves the old file or the new one, never half of it."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def write_json_atomically(path: Path, data: Any, *, indent: int = 2, make_parents: bool = True) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same directory and ``os.replace``.

    ``mkstemp`` creates the temporary file with mode 0600, so a file holding a secret (the opt-in
    plain-file token store) is never readable by others, not even for a moment. A reader (or a
    crash) never sees half a file. ``make_parents=False`` for a place the user picked: a missing
    folder there is an error to report, not one to create.
    """
    if make_parents:
        path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=indent)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
