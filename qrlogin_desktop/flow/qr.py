"""Payload template -> QR matrix -> image (PNG bytes, SVG text, terminal text; Qt images: ui/qr_image.py).

The provider's sign-in flow hands the desktop a numeric ``signInKey`` (any signed
64-bit integer); the phone side has to learn that key, and which application it
belongs to, from the QR code alone.  The default payload is therefore::

    qrlogin://signin?appKey={appKey}&signInKey={signInKey}

* It is a URI with a private scheme, so a phone app can register ``qrlogin://``
  and be launched straight from the system camera / scanner.
* It carries the ``signInKey`` in plain decimal (the sign included): no base
  conversion for the phone to get wrong and no precision loss from JSON
  doubles, which cannot hold every int64.
* It carries the ``appKey`` (URL-quoted) so the phone knows which provider
  application the key belongs to.

Users may supply their own template; it is validated with
``string.Formatter().parse`` and then assembled piece by piece.  We never call
``str.format`` on user text, because ``{appKey.__class__}``-style attribute or
index lookups would let a template reach into Python objects.

This module does no network or keyring access and never imports Qt, so the command line and the
tests use it headless.
"""

from __future__ import annotations

import functools
import io
import string
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from PIL import Image

__all__ = [
    "DEFAULT_PAYLOAD_TEMPLATE",
    "PHONE_PAGE_PAYLOAD_TEMPLATE",
    "PayloadTemplateError",
    "QrOptions",
    "check_payload_template",
    "qr_matrix",
    "render_payload",
    "to_png",
    "to_svg",
    "to_terminal",
]

DEFAULT_PAYLOAD_TEMPLATE = "qrlogin://signin?appKey={appKey}&signInKey={signInKey}"
# The sandbox's phone page: a phone's camera app opens it, and the page plays the phone (sandbox/phone.py).
# {server} is the base URL the desktop talks to: bind the sandbox to a LAN address for a real phone.
PHONE_PAGE_PAYLOAD_TEMPLATE = "{server}/phone?appKey={appKey}&signInKey={signInKey}"

_ALLOWED_FIELDS = ("signInKey", "appKey", "server")
_ALLOWED_TEXT = ", ".join("{" + f + "}" for f in _ALLOWED_FIELDS)
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1

_ERROR_CORRECTION = {
    # qrcode's ERROR_CORRECT_* constants, by value: the library itself loads on first use, so
    # importing this module (the GUI does at start-up) costs nothing.
    "L": 1,
    "M": 0,
    "Q": 3,
    "H": 2,
}


class PayloadTemplateError(ValueError):
    """The user-supplied QR payload template is not usable."""


# --------------------------------------------------------------------------- payload


def _parse_template(template: str) -> list[tuple[str, str | None]]:
    """Split ``template`` into (literal, field-or-None) pieces, rejecting anything unsafe."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:  # "Single '}' encountered", "expected '}' before end of string"
        raise PayloadTemplateError(
            f"QR payload template: unbalanced braces ({exc}); write literal braces as {{{{ and }}}}"
        ) from None

    pieces: list[tuple[str, str | None]] = []
    for literal, field, spec, conversion in parsed:
        if field is None:  # trailing literal text
            pieces.append((literal, None))
            continue
        shown = "{" + field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
        if field not in _ALLOWED_FIELDS:
            # Also catches "{}", "{0}", "{appKey.x}" and "{appKey[0]}": only bare names are allowed.
            raise PayloadTemplateError(
                f"QR payload template: unknown placeholder {shown}; allowed: {_ALLOWED_TEXT}"
            )
        if spec or conversion:
            # A format spec may itself contain nested fields; none are needed, so refuse them all.
            raise PayloadTemplateError(
                f"QR payload template: placeholder {shown} may not have a format spec or conversion; "
                f"use plain {{{field}}}"
            )
        pieces.append((literal, field))

    if not any(field == "signInKey" for _, field in pieces):
        raise PayloadTemplateError(
            "QR payload template: missing {signInKey}; the phone cannot sign in without it"
        )
    return pieces


def check_payload_template(template: str) -> None:
    """Raise :class:`PayloadTemplateError` if ``template`` is unusable (for validating UI input)."""
    _parse_template(template)


def render_payload(template: str, *, sign_in_key: int, app_key: str, server: str = "") -> str:
    """Fill ``template`` with the decimal ``sign_in_key``, URL-quoted ``app_key`` and raw ``server``."""
    pieces = _parse_template(template)
    # bool is an int subclass; True as a sign-in key is surely a bug upstream.
    if isinstance(sign_in_key, bool) or not isinstance(sign_in_key, int):
        raise TypeError(f"sign_in_key must be an int, got {type(sign_in_key).__name__}")
    if not _INT64_MIN <= sign_in_key <= _INT64_MAX:
        raise ValueError(f"sign_in_key {sign_in_key} is outside the int64 range")
    values = {
        "signInKey": str(sign_in_key),
        # safe="" so '&', '=', '/' etc. in the key cannot break the query string.
        "appKey": quote(app_key, safe=""),
        "server": server,
    }
    return "".join(literal + (values[field] if field else "") for literal, field in pieces)


# --------------------------------------------------------------------------- options / matrix


@dataclass(frozen=True)
class QrOptions:
    """How to draw the code.  ``border`` is the quiet zone in modules, ``scale`` is pixels per module."""

    error_correction: str = "M"
    border: int = 4
    scale: int = 8

    def __post_init__(self) -> None:
        if self.error_correction not in _ERROR_CORRECTION:
            raise ValueError(
                f"QrOptions.error_correction must be one of L, M, Q, H; got {self.error_correction!r}"
            )
        _check_int_range("border", self.border, 0, 20)
        _check_int_range("scale", self.scale, 1, 64)


def _check_int_range(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"QrOptions.{name} must be an int in {low}..{high}; got {value!r}")


def qr_matrix(payload: str, options: QrOptions = QrOptions()) -> list[list[bool]]:
    """The module grid (True = dark), quiet zone included; smallest QR version that fits."""
    return [list(row) for row in _cached_matrix(payload, options)]


@functools.lru_cache(maxsize=64)
def _cached_matrix(payload: str, options: QrOptions) -> tuple[tuple[bool, ...], ...]:
    # Encoding (mask selection especially) is pure Python and takes ~10 ms; a view re-renders the
    # same payload on every resize and overlay change, and the GUI pre-computes it on a worker.
    import qrcode
    from qrcode.exceptions import DataOverflowError

    qr = qrcode.QRCode(
        version=None,
        box_size=1,
        border=options.border,
        error_correction=_ERROR_CORRECTION[options.error_correction],
    )
    qr.add_data(payload)
    try:
        qr.make(fit=True)
    except (DataOverflowError, ValueError):
        # qrcode 7 raises DataOverflowError, qrcode 8 a ValueError("Invalid version (was 41...)");
        # give callers one clear ValueError either way.
        raise ValueError(
            f"QR payload of {len(payload)} characters does not fit in a QR code "
            f"at error correction {options.error_correction}"
        ) from None
    return tuple(tuple(row) for row in qr.get_matrix())


# --------------------------------------------------------------------------- raster output


def raster(matrix: list[list[bool]], scale: int) -> Image.Image:
    """Grayscale (0/255 only) Pillow image, ``scale`` px per module.

    Built as an n x n image from bytes and blown up with NEAREST: fast, and no
    resampling filter can introduce grey edge pixels.
    """
    from PIL import Image

    n = len(matrix)
    data = bytes(0 if dark else 255 for row in matrix for dark in row)
    small = Image.frombytes("L", (n, n), data)
    return small.resize((n * scale, n * scale), Image.Resampling.NEAREST)


def to_png(payload: str, options: QrOptions = QrOptions()) -> bytes:
    """1-bit PNG of the code; every module is exactly ``options.scale`` pixels square."""
    from PIL import Image

    image = raster(qr_matrix(payload, options), options.scale)
    buf = io.BytesIO()
    # Values are already pure 0/255, so no dithering: mode "1" just makes the PNG 1 bit deep.
    image.convert("1", dither=Image.Dither.NONE).save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def to_svg(payload: str, options: QrOptions = QrOptions()) -> str:
    """Standalone SVG: white background plus all dark modules as a single crisp-edged path."""
    matrix = qr_matrix(payload, options)
    n = len(matrix)
    segments: list[str] = []
    for y, row in enumerate(matrix):
        x = 0
        while x < n:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < n and row[x]:
                x += 1
            w = x - start
            # One rectangle per horizontal run keeps the path short and seam-free.
            segments.append(f"M{start} {y}h{w}v1h-{w}z")
    size = n * options.scale
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{size}" height="{size}" '
        f'viewBox="0 0 {n} {n}" shape-rendering="crispEdges">\n'
        f'<rect x="0" y="0" width="{n}" height="{n}" fill="#ffffff"/>\n'
        f'<path fill="#000000" d="{"".join(segments)}"/>\n'
        "</svg>\n"
    )


def to_terminal(payload: str, options: QrOptions = QrOptions(error_correction="L", border=2)) -> str:
    """The QR as text: two module rows per line with half blocks, dark modules as spaces on light.

    Drawn light-on-dark-inverted (quiet zone as full blocks) so it scans on dark terminal themes too.
    """
    matrix = qr_matrix(payload, options)
    if len(matrix) % 2:
        matrix = matrix + [[False] * len(matrix[0])]
    glyph = {(False, False): "█", (True, True): " ", (True, False): "▄", (False, True): "▀"}
    lines = []
    for top, bottom in zip(matrix[0::2], matrix[1::2], strict=True):
        lines.append("".join(glyph[(t, b)] for t, b in zip(top, bottom, strict=True)))
    return "\n".join(lines)
