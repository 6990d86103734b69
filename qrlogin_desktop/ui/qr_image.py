"""A QR code as a Qt ``QImage``: the same pixels as :func:`~qrlogin_desktop.flow.qr.to_png`, for the views.

The QR module itself stays free of Qt (the command line and headless tests use it); the Qt half is here.
"""

from __future__ import annotations

import math

from PySide6.QtGui import QImage

from ..flow.qr import QrOptions, qr_matrix, raster

__all__ = ["to_qimage", "to_qimage_hidpi"]

DEFAULT_OPTIONS = QrOptions()  # flow.qr's defaults, as one module-level value (no call in a default)


def _qimage_from_matrix(matrix: list[list[bool]], scale: int) -> QImage:
    image = raster(matrix, scale)
    width, height = image.size
    data = image.tobytes()
    # bytesPerLine = width (one byte per pixel, no padding); copy() so the QImage owns
    # its pixels instead of pointing into a Python bytes object that may be freed.
    return QImage(data, width, height, width, QImage.Format.Format_Grayscale8).copy()


def to_qimage(payload: str, options: QrOptions = DEFAULT_OPTIONS) -> QImage:
    """Grayscale8 ``QImage`` of the code, ``options.scale`` px per module (same pixels as the PNG)."""
    return _qimage_from_matrix(qr_matrix(payload, options), options.scale)


def to_qimage_hidpi(
    payload: str,
    device_pixel_ratio: float,
    logical_size: int,
    options: QrOptions = DEFAULT_OPTIONS,
) -> QImage:
    """``QImage`` for a ``logical_size``-point square on a screen with ``device_pixel_ratio``.

    Picks the smallest integer pixels-per-module so the image is at least
    ``logical_size * dpr`` device pixels wide (``options.scale`` is ignored), then
    tags it with the ratio so Qt draws it at the logical size without resampling
    it into blur.  Integer scale keeps every module edge on a device pixel.
    """
    if not device_pixel_ratio > 0:
        raise ValueError(f"device_pixel_ratio must be > 0; got {device_pixel_ratio!r}")
    if logical_size < 1:
        raise ValueError(f"logical_size must be >= 1; got {logical_size!r}")
    matrix = qr_matrix(payload, options)
    n = len(matrix)
    scale = max(1, math.ceil(logical_size * device_pixel_ratio / n))
    image = _qimage_from_matrix(matrix, scale)
    image.setDevicePixelRatio(device_pixel_ratio)
    return image
