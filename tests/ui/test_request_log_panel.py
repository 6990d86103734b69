"""Request log panel: real calls to the embedded sandbox become rows; filters; HAR export; no secret anywhere."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from PySide6.QtWidgets import QFileDialog
from ui_support import sandbox_of

from qrlogin_desktop.api.client import Exchange
from qrlogin_desktop.api.exchange import LOG_BODY_PREFIX
from qrlogin_desktop.ui.models.request_log_model import Column, RequestLogModel
from qrlogin_desktop.ui.panels.request_log import ERRORS_ONLY, RequestLogPanel

WAIT_MS = 10_000
TEXT_ROLES = (0, 2, 3, 4, 5)  # Display, Edit, ToolTip, StatusTip, WhatsThis


def run(qtbot, ctx, coro, *, expect_error: bool = False):
    box = []
    ctx.run(coro, box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=WAIT_MS)
    outcome = box[0]
    assert outcome.ok != expect_error, outcome.error
    return outcome.value


@pytest.fixture
def panel(qtbot, ctx):
    widget = RequestLogPanel(ctx)
    qtbot.addWidget(widget)
    widget.resize(1100, 760)
    widget.show()
    return widget


def rows(panel: RequestLogPanel) -> list[dict[str, str]]:
    proxy = panel.proxy
    return [{c.name: proxy.index(r, c).data() for c in Column} for r in range(proxy.rowCount())]


def select(qtbot, panel: RequestLogPanel, row: int) -> None:
    """Select ``row`` and wait until its bodies are formatted into the details pane."""
    panel.table.selectRow(row)
    qtbot.waitUntil(lambda: not panel.details_loading, timeout=WAIT_MS)


def all_texts(qtbot, panel: RequestLogPanel) -> str:
    """Every cell in every text role, and the details pane of every row."""
    out = []
    proxy = panel.proxy
    for r in range(proxy.rowCount()):
        for c in range(proxy.columnCount()):
            for role in TEXT_ROLES:
                value = proxy.index(r, c).data(role)
                if value is not None:
                    out.append(str(value))
        select(qtbot, panel, r)
        out.append(details(panel))
    return "\n".join(out)


def details(panel: RequestLogPanel) -> str:
    return "\n".join([panel.summary.text()] + [p.text.toPlainText() for p in (
        panel.request_headers, panel.request_body, panel.response_headers, panel.response_body)])


def test_calls_appear_as_rows_with_redacted_details(qtbot, ctx, panel):
    key = run(qtbot, ctx, ctx.client.initiate(scopes="userinfo", remark="log test"))
    run(qtbot, ctx, ctx.client.jscode2session("code_for_the_log"))
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=WAIT_MS)
    initiate, session = rows(panel)
    assert initiate["METHOD"] == "POST" and initiate["STATUS"] == "200"
    assert initiate["PATH"].endswith("/QR-Auth/Initiate") and initiate["PATH"].startswith("/")
    assert "127.0.0.1" not in initiate["PATH"]
    assert session["METHOD"] == "GET" and session["STATUS"] == "200"
    assert session["PATH"].split("?")[0].endswith("/JSCode2Session") and "js_code=code_for_the_log" in session["PATH"]
    assert float(initiate["LATENCY"]) > 0
    assert initiate["REQUEST_SIZE"].endswith(" bytes") and initiate["RESPONSE_SIZE"].endswith(" bytes")
    assert len(initiate["TIME"]) == 12 and initiate["TIME"][8] == "."  # hh:mm:ss.mmm
    assert panel.count_label.text() == "2 requests"

    select(qtbot, panel, 0)
    text = details(panel)
    header_lines = panel.request_headers.text.toPlainText().splitlines()
    auth = [line for line in header_lines if line.lower().startswith("authorization:")]
    assert auth == [auth[0].split(":")[0] + ": Bearer ***"]  # httpx lower-cases the name; the value is masked
    assert '"remark": "log test"' in panel.request_body.text.toPlainText()  # pretty-printed JSON
    assert str(key) in panel.response_body.text.toPlainText()
    assert ctx.connection.token not in text
    # JSCode2Session's session_key is masked by the client; shown as is.
    select(qtbot, panel, 1)
    assert "session_key" in panel.response_body.text.toPlainText()


def test_filter_and_errors_only(qtbot, ctx, panel):
    run(qtbot, ctx, ctx.client.initiate())
    run(qtbot, ctx, ctx.client.jscode2session("code_a"))
    sandbox_of(ctx).faults.script(["500"])
    run(qtbot, ctx, ctx.client.jscode2session("code_b"), expect_error=True)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 3, timeout=WAIT_MS)

    panel.filter_edit.setText("JSCODE2session")  # case-insensitive
    assert [r["METHOD"] for r in rows(panel)] == ["GET", "GET"]
    assert panel.count_label.text() == "2 of 3 requests shown"
    panel.filter_edit.setText("post")
    assert [r["PATH"].rsplit("/", 1)[-1] for r in rows(panel)] == ["Initiate"]
    panel.filter_edit.setText("500")
    assert [r["STATUS"] for r in rows(panel)] == ["500"]
    panel.filter_edit.clear()
    assert len(rows(panel)) == 3

    panel.status_filter.setCurrentIndex(ERRORS_ONLY)
    (failed,) = rows(panel)
    assert failed["STATUS"] == "500" and "code_b" in failed["PATH"]
    panel.table.selectRow(0)
    assert "Error:" in panel.summary.text()
    # New rows respect the active filter.
    run(qtbot, ctx, ctx.client.initiate())
    qtbot.waitUntil(lambda: panel.model.rowCount() == 4, timeout=WAIT_MS)
    assert len(rows(panel)) == 1
    panel.status_filter.setCurrentIndex(0)
    assert len(rows(panel)) == 4

    panel.clear_button.click()
    assert panel.model.rowCount() == 0 and panel.count_label.text() == "0 requests"


def test_har_export_has_the_flow_and_no_secret(qtbot, ctx, panel, tmp_path, monkeypatch):
    key = run(qtbot, ctx, ctx.client.initiate(scopes="userinfo"))
    run(qtbot, ctx, ctx.client.scan(key))
    token = run(qtbot, ctx, ctx.client.confirm_login(key))
    run(qtbot, ctx, ctx.client.jscode2session("code_after_login"))
    qtbot.waitUntil(lambda: panel.model.rowCount() == 4, timeout=WAIT_MS)
    secrets = [ctx.connection.token, token.access_token]
    assert all(s and len(s) > 16 for s in secrets)

    target = tmp_path / "log.har"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "HAR files (*.har)"))
    panel.export_button.click()
    qtbot.waitUntil(target.exists, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "Exported" in panel.status_label.text(), timeout=WAIT_MS)
    raw = target.read_text(encoding="utf-8")
    har = json.loads(raw)
    assert har["log"]["version"] == "1.2" and har["log"]["creator"]["name"] == "qrlogin-desktop"
    entries = har["log"]["entries"]
    assert [urlsplit(e["request"]["url"]).path.rsplit("/", 1)[-1] for e in entries] == [
        "Initiate", "Scan", "Confirm-Login", "JSCode2Session"]
    for entry in entries:
        assert {"startedDateTime", "time", "request", "response", "cache", "timings"} <= set(entry)
        assert entry["response"]["status"] == 200
    confirm = entries[2]
    assert "access_token" in confirm["response"]["content"]["text"]  # the field is there, its value is not

    texts = all_texts(qtbot, panel)
    for secret in secrets:
        assert secret not in raw
        assert secret not in texts
        assert secret[:16] not in raw and secret[-16:] not in raw

    # Export honours the filter: only the visible rows.
    panel.filter_edit.setText("scan")
    target2 = tmp_path / "scan.har"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target2), ""))
    panel.export_button.click()
    qtbot.waitUntil(target2.exists, timeout=WAIT_MS)
    assert len(json.loads(target2.read_text(encoding="utf-8"))["log"]["entries"]) == 1


def test_export_failure_shows_retry(qtbot, ctx, panel, tmp_path, monkeypatch):
    run(qtbot, ctx, ctx.client.initiate())
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=WAIT_MS)
    target = tmp_path / "missing-dir" / "log.har"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    panel.export_button.click()
    qtbot.waitUntil(lambda: panel.banner.isVisible(), timeout=WAIT_MS)
    assert "log.har" in panel.banner.text and panel.banner.retry_button.isVisible()
    target.parent.mkdir()
    panel.banner.retry_button.click()
    qtbot.waitUntil(target.exists, timeout=WAIT_MS)
    assert not panel.banner.isVisible()


def test_cancelled_export_writes_nothing(qtbot, ctx, panel, monkeypatch):
    run(qtbot, ctx, ctx.client.initiate())
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=WAIT_MS)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    panel.export_button.click()
    assert panel.export_button.isEnabled() and not panel.banner.isVisible()


def _exchange(i: int, status: int | None = 200) -> Exchange:
    return Exchange(started_at=1_700_000_000 + i, endpoint="QRAuthScan", method="POST",
                    url=f"http://127.0.0.1:1/api/demo/QR-Auth/Scan?n={i}", request_headers=(),
                    request_body="{}", status=status, latency_ms=1.0,
                    error=None if status == 200 else "boom")


def test_model_keeps_the_newest_entries_with_incremental_inserts(qtbot):
    model = RequestLogModel(max_entries=50)
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    inserted = []
    model.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
    for i in range(120):
        model.append(_exchange(i))
    assert model.rowCount() == 50
    assert model.record_at(0).started_at == 1_700_000_000 + 70  # the oldest were dropped
    assert model.record_at(49).started_at == 1_700_000_000 + 119
    assert not resets and len(inserted) == 120 and inserted[-1] == (49, 49)
    with pytest.raises(ValueError):
        RequestLogModel(max_entries=0)


def test_transport_error_rows_show_the_error(qtbot, ctx, panel):
    panel.ctx.exchange_logged.emit(_exchange(1, status=None))
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=WAIT_MS)
    (row,) = rows(panel)
    assert row["STATUS"] == "boom"
    panel.status_filter.setCurrentIndex(ERRORS_ONLY)
    assert len(rows(panel)) == 1
    panel.table.selectRow(0)
    assert panel.response_headers.text.placeholderText() == "(no response)"
    assert panel.response_headers.text.toPlainText() == ""
    panel.retranslate()
    assert "Error: boom" in panel.summary.text()


def test_details_pane_formats_the_largest_kept_body_off_the_gui_thread(qtbot, panel):
    items = [{"id": i, "text": "lorem ipsum dolor sit amet"} for i in range(6000)]
    while len(body := json.dumps({"code": 200, "data": {"items": items}, "error": ""})) > LOG_BODY_PREFIX:
        del items[-100:]
    assert 200 * 1024 < len(body) <= LOG_BODY_PREFIX  # the log keeps a body this big whole
    exchange = Exchange(started_at=1_700_000_000, endpoint="MsgSecCheck", method="POST", url="http://127.0.0.1:1/x",
                        request_headers=(), request_body='{"content": "x"}', status=200,
                        response_body=body, response_size=len(body))
    panel.append(exchange)
    panel.table.selectRow(0)
    # Selecting returned before the body was parsed: it is formatted on the worker, inserted in slices.
    assert panel.details_loading and panel.response_body.text.toPlainText() == ""
    qtbot.waitUntil(lambda: not panel.details_loading, timeout=WAIT_MS)
    assert panel.response_body.text.toPlainText() == json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    assert panel.request_body.text.toPlainText() == '{\n  "content": "x"\n}'
