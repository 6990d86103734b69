"""Text operations on multi-megabyte answers in slices, so no single C call holds the GIL for long.

One ``bytes.decode`` or ``str.lower`` over 5 MB runs 10-20 ms without releasing the GIL; done on the
worker thread, that is time the GUI thread cannot run. In 256 KB slices the interpreter can switch
threads between them.
"""

from __future__ import annotations

import codecs
import contextlib
import gc
import threading
from collections.abc import Iterable, Iterator

SLICE = 256 * 1024


def decode_utf8(data: bytes, errors: str = "strict") -> str:
    if len(data) <= SLICE:
        return data.decode("utf-8", errors)
    decoder = codecs.getincrementaldecoder("utf-8")(errors)
    view = memoryview(data)
    parts = [decoder.decode(view[i:i + SLICE]) for i in range(0, len(data), SLICE)]
    parts.append(decoder.decode(b"", final=True))
    return "".join(parts)


def contains_any_ci(text: str, needles: Iterable[str]) -> bool:
    """Whether any needle occurs in ``text``, ignoring case (needles given in lower case)."""
    needles = tuple(needles)
    overlap = max((len(n) for n in needles), default=0)
    for start in range(0, max(len(text), 1), SLICE):
        piece = text[max(0, start - overlap):start + SLICE].lower()
        if any(n in piece for n in needles):
            return True
    return False


_gc_lock = threading.Lock()
_gc_pausers = 0  # nested or concurrent users (worker threads) share one pause
_state: dict[str, bool] = {}


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Build a big structure (a parsed 5 MB answer) without cyclic-GC pauses.

    Each full collection while a million new objects appear walks all of them with the GIL held:
    measured 40-60 ms, time the GUI thread cannot run. Reference counting still frees garbage
    meanwhile. On the way out the young objects are moved to the oldest generation
    (freeze + unfreeze) instead of being walked by the next young collection.
    """
    global _gc_pausers
    with _gc_lock:
        _gc_pausers += 1
        if _gc_pausers == 1:
            was_enabled = gc.isenabled()
            gc.disable()
            _state["was_enabled"] = was_enabled
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0:
                gc.freeze()
                gc.unfreeze()
                if _state.pop("was_enabled", True):
                    gc.enable()

