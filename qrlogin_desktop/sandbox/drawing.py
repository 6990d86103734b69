"""The QR symbol of a mini-program code, drawn with segno.

segno rather than qrcode: qrcode 8.2 (the newest release) fails with ``ValueError: glog(0)`` on
input whose data codewords fill a whole Reed-Solomon block with zero bytes - any run of more
than 145 ``0`` digits, which numeric mode packs into all-zero codewords. Its Reed-Solomon
division takes the log of a zero leading coefficient. Fixed on qrcode's main branch (6790456,
issue #330) but unreleased. segno's encoder has no such case and is about twice as fast.

Digits and upper-case text get numeric / alphanumeric mode; everything else is byte mode in
UTF-8 (as WeChat reads it; unmarked Latin-1 bytes are read as Shift_JIS by some decoders).

Error correction M, as before: at version 40 it holds 2,331 bytes in byte mode, which is the
catalogue's ``WXACODE_PATH_MAX_BYTES``; any text the catalogue accepts therefore fits.
"""

from __future__ import annotations

import segno
from PIL import Image

BORDER = 2  # quiet zone, in modules
_DARK_TO_BLACK = bytes([255, 0]) + bytes(254)  # module value 1 (dark) -> 0 (black), 0 -> 255 (white)


def code_image(content: str) -> Image.Image:
    """The QR symbol of ``content``, one pixel per module, black on white, mode "1"."""
    symbol = segno.make(content, error="m", boost_error=False, encoding="utf-8")
    modules = len(symbol.matrix) + 2 * BORDER
    blank = b"\xff" * modules
    side = b"\xff" * BORDER
    rows = [blank] * BORDER
    rows += [side + row.translate(_DARK_TO_BLACK) + side for row in symbol.matrix]
    rows += [blank] * BORDER
    return Image.frombytes("L", (modules, modules), b"".join(rows)).convert("1", dither=Image.Dither.NONE)
