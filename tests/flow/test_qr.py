"""qrlogin_desktop.flow.qr: every output format is decoded for real with zxing-cpp (no mocks)."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

# Must be set before the first Qt import anywhere in the process.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from hypothesis import given
from hypothesis import strategies as st
from qr_support import (
    APP_KEY,
    EXTREMES,
    INT64_MAX,
    INT64_MIN,
    decode,
    decode_texts,
    payload_for,
    png_image,
    qimage_to_pil,
)

from qrlogin_desktop.flow.qr import (
    DEFAULT_PAYLOAD_TEMPLATE,
    PayloadTemplateError,
    QrOptions,
    check_payload_template,
    qr_matrix,
    render_payload,
    to_svg,
)


def random_keys(count: int, seed: int = 1234) -> list[int]:
    rng = random.Random(seed)
    return EXTREMES + [rng.randint(INT64_MIN, INT64_MAX) for _ in range(count - len(EXTREMES))]


@pytest.fixture(scope="module")
def qt_app():
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    # A QApplication (not just QGuiApplication) so a later pytest-qt `qapp` in the same
    # session finds a widgets-capable instance instead of failing.
    app = QGuiApplication.instance() or QApplication([])
    yield app


def rasterize_svg(svg: str):
    from PySide6.QtCore import QByteArray
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(svg.encode()))
    assert renderer.isValid()
    size = renderer.defaultSize()
    image = QImage(size, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    return image


# --------------------------------------------------------------------------- round trips


def test_png_roundtrip_1000_int64_keys():
    options = QrOptions(scale=2)
    keys = random_keys(1000)
    assert len(set(keys)) == 1000
    failures = []
    for key in keys:
        expected = payload_for(key)
        got = decode_texts(png_image(expected, options))
        if got != [expected]:
            failures.append((key, got))
    assert failures == []


def test_default_payload_shape():
    assert payload_for(INT64_MIN) == "qrlogin://signin?appKey=demo-app&signInKey=-9223372036854775808"
    parts = urlsplit(payload_for(INT64_MAX))
    assert parts.scheme == "qrlogin"
    assert parts.netloc == "signin"
    assert parse_qs(parts.query) == {"appKey": ["demo-app"], "signInKey": [str(INT64_MAX)]}


def test_svg_roundtrip_rasterized_with_qtsvg(qt_app):
    options = QrOptions(scale=3)
    for key in random_keys(50, seed=99):
        expected = payload_for(key)
        image = qimage_to_pil(rasterize_svg(to_svg(expected, options)))
        assert decode_texts(image) == [expected], key


def test_svg_rasterizes_to_the_same_pixels_as_png(qt_app):
    # crispEdges at an integer scale must give exactly the PNG's pixels: no grey seams.
    payload = payload_for(-1)
    options = QrOptions(scale=4)
    svg_pixels = qimage_to_pil(rasterize_svg(to_svg(payload, options))).convert("L")
    assert svg_pixels.tobytes() == png_image(payload, options).convert("L").tobytes()


def test_svg_structure():
    payload = payload_for(0)
    options = QrOptions(border=2, scale=5)
    n = len(qr_matrix(payload, options))
    root = ET.fromstring(to_svg(payload, options))
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg"
    assert root.get("viewBox") == f"0 0 {n} {n}"
    assert root.get("width") == root.get("height") == str(n * 5)
    assert root.get("shape-rendering") == "crispEdges"
    rects = root.findall(f"{ns}rect")
    paths = root.findall(f"{ns}path")
    assert len(rects) == 1 and rects[0].get("fill") == "#ffffff"
    assert len(paths) == 1
    # One segment per horizontal run of dark modules.
    runs = sum(
        1
        for row in qr_matrix(payload, options)
        for x, dark in enumerate(row)
        if dark and (x == 0 or not row[x - 1])
    )
    assert paths[0].get("d").count("M") == runs


def test_module_does_not_import_qt():
    code = "import sys, qrlogin_desktop.flow.qr; assert not [m for m in sys.modules if m.startswith('PySide6')]"
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------- options


@pytest.mark.parametrize("level", ["L", "M", "Q", "H"])
def test_each_error_correction_level_decodes(level):
    expected = payload_for(INT64_MIN)
    barcodes = decode(png_image(expected, QrOptions(error_correction=level, scale=3)))
    assert [b.text for b in barcodes] == [expected]
    assert barcodes[0].ec_level == level


def test_higher_error_correction_never_shrinks_the_code():
    payload = payload_for(INT64_MAX)
    sizes = [len(qr_matrix(payload, QrOptions(error_correction=level))) for level in "LMQH"]
    assert sizes == sorted(sizes)
    assert sizes[0] < sizes[-1]


@pytest.mark.parametrize("scale", [1, 3, 8])
def test_border_adds_exactly_its_quiet_zone(scale):
    payload = payload_for(42)
    without = png_image(payload, QrOptions(border=0, scale=scale)).size
    with_border = png_image(payload, QrOptions(border=4, scale=scale)).size
    assert with_border[0] - without[0] == 2 * 4 * scale
    assert with_border[1] - without[1] == 2 * 4 * scale


def test_matrix_includes_quiet_zone():
    matrix = qr_matrix(payload_for(7), QrOptions(border=4))
    n = len(matrix)
    assert all(len(row) == n for row in matrix)
    for i in range(4):
        assert not any(matrix[i]) and not any(matrix[n - 1 - i])
        assert not any(row[i] or row[n - 1 - i] for row in matrix)
    assert matrix[4][4]  # top-left finder pattern corner


@pytest.mark.parametrize("scale", [1, 2, 5, 8])
def test_scale_is_exact_pixels_per_module(scale):
    payload = payload_for(-42)
    options = QrOptions(scale=scale)
    matrix = qr_matrix(payload, options)
    image = png_image(payload, options).convert("L")
    n = len(matrix)
    assert image.size == (n * scale, n * scale)
    pixels = image.tobytes()
    width = n * scale
    expected = bytes(0 if matrix[y // scale][x // scale] else 255 for y in range(width) for x in range(width))
    assert pixels == expected


def test_png_is_one_bit_and_pure_black_white():
    image = png_image(payload_for(INT64_MAX), QrOptions(scale=7))
    assert image.format == "PNG"
    assert image.mode == "1"
    colors = {color for _, color in image.convert("L").getcolors()}
    assert colors == {0, 255}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"error_correction": "X"}, "error_correction"),
        ({"error_correction": "m"}, "error_correction"),
        ({"border": -1}, "border"),
        ({"border": 21}, "border"),
        ({"border": 2.0}, "border"),
        ({"scale": 0}, "scale"),
        ({"scale": 65}, "scale"),
        ({"scale": True}, "scale"),
    ],
)
def test_invalid_options_name_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        QrOptions(**kwargs)


def test_options_limits_are_inclusive():
    QrOptions(border=0, scale=1)
    QrOptions(border=20, scale=64, error_correction="H")


def test_payload_too_long_is_a_value_error():
    with pytest.raises(ValueError, match="does not fit"):
        qr_matrix("x" * 5000, QrOptions(error_correction="H"))


# --------------------------------------------------------------------------- templates


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("qrlogin://signin?appKey={appKey}", "missing {signInKey}"),
        ("", "missing {signInKey}"),
        ("{signInKey}{foo}", "unknown placeholder {foo}; allowed: {signInKey}, {appKey}, {server}"),
        ("{signInKey}&{appKey.x}", "unknown placeholder {appKey.x}"),
        ("{signInKey}&{appKey.__class__}", "unknown placeholder {appKey.__class__}"),
        ("{signInKey}&{appKey[0]}", "unknown placeholder {appKey[0]}"),
        ("{signInKey}&{}", "unknown placeholder {}"),
        ("{0}{signInKey}", "unknown placeholder {0}"),
        ("{signInKey:{appKey.__class__}}", "format spec"),
        ("{signInKey!r}", "format spec or conversion"),
        ("x={signInKey", "unbalanced braces"),
        ("x={signInKey}}", "unbalanced braces"),
        ("{signInKey}{", "unbalanced braces"),
        ("}{signInKey}", "unbalanced braces"),
    ],
)
def test_bad_templates_raise_helpful_errors(template, message):
    with pytest.raises(PayloadTemplateError) as info:
        render_payload(template, sign_in_key=1, app_key=APP_KEY)
    assert isinstance(info.value, ValueError)
    assert str(info.value).startswith("QR payload template: ")
    assert message in str(info.value)
    with pytest.raises(PayloadTemplateError):
        check_payload_template(template)


def test_template_with_server_and_escaped_braces():
    out = render_payload(
        "{server}/scan?k={signInKey}&a={appKey}&lit={{x}}",
        sign_in_key=-5,
        app_key="a b",
        server="https://example.test",
    )
    assert out == "https://example.test/scan?k=-5&a=a%20b&lit={x}"
    check_payload_template(DEFAULT_PAYLOAD_TEMPLATE)


def test_app_key_is_url_quoted():
    out = render_payload(DEFAULT_PAYLOAD_TEMPLATE, sign_in_key=1, app_key="a&b c=d/e?f#g+h")
    assert out == "qrlogin://signin?appKey=a%26b%20c%3Dd%2Fe%3Ff%23g%2Bh&signInKey=1"
    assert parse_qs(urlsplit(out).query) == {"appKey": ["a&b c=d/e?f#g+h"], "signInKey": ["1"]}


def test_quoted_app_key_survives_the_qr_code():
    expected = render_payload(DEFAULT_PAYLOAD_TEMPLATE, sign_in_key=INT64_MIN, app_key="my app & co")
    assert decode_texts(png_image(expected, QrOptions(scale=3))) == [expected]


@given(key=st.integers(INT64_MIN, INT64_MAX), app_key=st.text(max_size=40))
def test_payload_query_roundtrips(key, app_key):
    query = parse_qs(urlsplit(payload_for(key, app_key)).query, keep_blank_values=True)
    assert query == {"appKey": [app_key], "signInKey": [str(key)]}


@pytest.mark.parametrize("bad", [2**63, -(2**63) - 1])
def test_sign_in_key_outside_int64_rejected(bad):
    with pytest.raises(ValueError, match="int64"):
        payload_for(bad)


@pytest.mark.parametrize("bad", [True, 1.0, "1"])
def test_sign_in_key_must_be_int(bad):
    with pytest.raises(TypeError, match="sign_in_key"):
        payload_for(bad)
