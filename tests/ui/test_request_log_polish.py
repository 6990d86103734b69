"""The Request Log speaks like the endpoint pages (issue 11, point 7): Chinese pane titles naming request
and response (请求头, 响应体), one size unit style from one formatter, methods coloured as the badges."""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import Qt
from test_endpoint_panels import make_panel, send_and_wait
from test_request_log_panel import WAIT_MS, run
from ui_support import in_chinese

from qrlogin_desktop.storage.request_history import HISTORY_FILE, RequestHistory
from qrlogin_desktop.ui import i18n, theme
from qrlogin_desktop.ui.app import create_app
from qrlogin_desktop.ui.display import data_size, plain
from qrlogin_desktop.ui.models.request_log_model import Column
from qrlogin_desktop.ui.panels.request_log import RequestLogPanel


@pytest.fixture(autouse=True)
def _english_and_light():
    create_app([])
    yield
    i18n.install(i18n.ENGLISH)
    theme.install(theme.LIGHT)


@pytest.fixture
def log(qtbot, ctx, tmp_path):
    i18n.install(i18n.ENGLISH)
    widget = RequestLogPanel(ctx, history=RequestHistory(tmp_path / HISTORY_FILE))
    qtbot.addWidget(widget)
    widget.resize(1100, 760)
    widget.show()
    qtbot.waitUntil(lambda: widget.history_loaded, timeout=WAIT_MS)
    return widget


def _captions(log) -> list[str]:
    return [p.caption.text() for p in (log.request_headers, log.request_body, log.response_headers,
                                       log.response_body)]


def test_chinese_detail_panes_name_request_and_response_headers_and_bodies(log):
    assert _captions(log) == ["Headers", "Body", "Headers", "Body"]  # under "Request" / "Response"
    with in_chinese():
        assert _captions(log) == ["请求头", "请求体", "响应头", "响应体"]
        assert log.request_box.title() == "请求" and log.response_box.title() == "响应"


@pytest.mark.parametrize("language", [i18n.ENGLISH, i18n.CHINESE])
def test_sizes_have_one_unit_style_in_both_languages(language):
    i18n.install(language)
    assert data_size(0) == "0 B" and data_size(47) == "47 B" and data_size(1023) == "1023 B"
    assert data_size(23_654) == "23.1 KiB" and data_size(5 * 1024 * 1024) == "5.0 MiB"
    assert data_size(1024 * 1024 - 1) == "1.0 MiB"  # never "1,024.0 KiB"


def test_the_logs_size_column_and_the_endpoint_status_line_write_a_size_alike(qtbot, ctx, log):
    with in_chinese():
        page = make_panel(qtbot, ctx, "JSCode2Session")
        page.form.set_values({"js_code": f"code-{uuid.uuid4().hex}"})
        send_and_wait(qtbot, page)
        run(qtbot, ctx, ctx.client.initiate(scopes="userinfo", remark="size"))
        qtbot.waitUntil(lambda: log.model.rowCount() == 2, timeout=WAIT_MS)
        sizes = [log.proxy.index(r, Column.RESPONSE_SIZE).data() for r in range(2)]
        assert all(s.endswith(" B") and "字节" not in s for s in sizes), sizes
        assert f"接收 {sizes[0]}" in plain(page.response.status_text()), (sizes[0], page.response.status_text())
        assert "字节" not in page.response.status_text()


def _badge_fill(page) -> str:
    image = page.method_label.grab().toImage()
    return image.pixelColor(2, image.height() // 2).name()


@pytest.mark.parametrize("scheme", [theme.LIGHT, theme.DARK])
def test_the_method_column_has_the_colours_of_the_endpoint_pages_badges(qtbot, ctx, log, scheme):
    theme.install(scheme)
    get_page, post_page = make_panel(qtbot, ctx, "JSCode2Session"), make_panel(qtbot, ctx, "UrlLinkGenerate")
    qtbot.waitExposed(post_page)
    run(qtbot, ctx, ctx.client.jscode2session(f"code-{uuid.uuid4().hex}"))
    run(qtbot, ctx, ctx.client.initiate(scopes="userinfo", remark="colours"))
    qtbot.waitUntil(lambda: log.model.rowCount() == 2, timeout=WAIT_MS)
    shown = {}
    for r in range(2):
        method = log.proxy.index(r, Column.METHOD).data()
        shown[method] = log.proxy.index(r, Column.METHOD).data(Qt.ItemDataRole.ForegroundRole).color().name()
    assert shown["GET"] == _badge_fill(get_page) == theme.css("method_get")
    assert shown["POST"] == _badge_fill(post_page) == theme.css("method_post")
    assert shown["GET"] != shown["POST"]
