"""Text operations on multi-megabyte answers in slices, so no single C call holds the GIL for long.

One ``bytes.decode`` or ``str.lower`` over 5 MB runs 10-20 ms without releasing the GIL; done on the
worker thread, that is time the GUI thread cannot run. In 256 KB slices the interpreter can switch
threads between them.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable

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
