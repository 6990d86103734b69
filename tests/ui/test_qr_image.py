"""qrlogin_desktop.ui.qr_image: the QR as a Qt image, decoded for real with zxing-cpp (no mocks)."""

from __future__ import annotations

import pytest
from qr_support import EXTREMES, INT64_MIN, decode_texts, payload_for, png_image, qimage_to_pil

from qrlogin_desktop.flow.qr import QrOptions, qr_matrix
from qrlogin_desktop.ui.qr_image import to_qimage, to_qimage_hidpi


def test_qimage_roundtrip(qapp):
    from PySide6.QtGui import QImage

    for key in EXTREMES + [123456789]:
        expected = payload_for(key)
        options = QrOptions(scale=3)
        qimage = to_qimage(expected, options)
        assert isinstance(qimage, QImage)
        n = len(qr_matrix(expected, options))
        assert (qimage.width(), qimage.height()) == (n * 3, n * 3)
        pil = qimage_to_pil(qimage)
        assert decode_texts(pil) == [expected]
        assert pil.convert("L").tobytes() == png_image(expected, options).convert("L").tobytes()


@pytest.mark.parametrize("dpr", [1.0, 1.5, 2.0])
def test_qimage_hidpi(qapp, dpr):
    logical_size = 200
    payload = payload_for(INT64_MIN)
    image = to_qimage_hidpi(payload, dpr, logical_size)
    assert image.width() == image.height()
    assert image.width() >= logical_size * dpr
    assert image.devicePixelRatio() == dpr
    n = len(qr_matrix(payload))
    # Integer pixels per module, and the smallest one that is big enough.
    assert image.width() % n == 0
    assert (image.width() // n - 1) * n < logical_size * dpr
    assert decode_texts(qimage_to_pil(image)) == [payload]


def test_qimage_hidpi_ignores_scale_cap(qapp):
    # A big widget on a dense screen may need more than QrOptions' 64 px/module.
    payload = payload_for(1)
    image = to_qimage_hidpi(payload, 3.0, 2000)
    assert image.width() >= 6000


def test_qimage_hidpi_rejects_bad_sizes():
    with pytest.raises(ValueError, match="device_pixel_ratio"):
        to_qimage_hidpi("x", 0, 100)
    with pytest.raises(ValueError, match="logical_size"):
        to_qimage_hidpi("x", 1.0, 0)
