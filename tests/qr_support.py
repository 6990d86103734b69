"""QR test helpers shared by tests/flow/test_qr.py and tests/ui/test_qr_image.py: the payloads, and a
real zxing-cpp decode of what was drawn (no mocks)."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image

from qrlogin_desktop.flow.qr import DEFAULT_PAYLOAD_TEMPLATE, QrOptions, render_payload, to_png

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
EXTREMES = [INT64_MIN, INT64_MAX, 0, -1]
APP_KEY = "demo-app"


def payload_for(key: int, app_key: str = APP_KEY) -> str:
    return render_payload(DEFAULT_PAYLOAD_TEMPLATE, sign_in_key=key, app_key=app_key)


def decode(image: Image.Image) -> list[zxingcpp.Barcode]:
    return zxingcpp.read_barcodes(
        image.convert("L"),
        formats=zxingcpp.BarcodeFormat.QRCode,
        text_mode=zxingcpp.TextMode.Plain,
    )


def decode_texts(image: Image.Image) -> list[str]:
    return [b.text for b in decode(image)]


def png_image(payload: str, options: QrOptions | None = None) -> Image.Image:
    return Image.open(io.BytesIO(to_png(payload, options or QrOptions())))


def qimage_to_pil(qimage) -> Image.Image:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    assert qimage.save(buf, "PNG")
    buf.close()
    return Image.open(io.BytesIO(bytes(data.data())))
