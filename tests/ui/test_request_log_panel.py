"""Request log panel: real calls to the embedded sandbox become rows; filters; HAR export; no secret anywhere;
the envelope code decides what an error is; a row's menu (copy, replay); a history that survives a restart."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox
from ui_support import sandbox_of

from qrlogin_desktop.api.client import Exchange
from qrlogin_desktop.api.exchange import LOG_BODY_PREFIX
from qrlogin_desktop.storage.request_history import HISTORY_FILE, RequestHistory
from qrlogin_desktop.ui import i18n
from qrlogin_desktop.ui.models.request_log_model import RECORD_ROLE, Column, RequestLogModel
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
def history_path(tmp_path) -> Path:
    return tmp_path / "history" / HISTORY_FILE


@pytest.fixture
def panel(qtbot, ctx, history_path):
    i18n.install(i18n.ENGLISH)  # English has its plural forms: "1 request", "2 requests"
    widget = RequestLogPanel(ctx, history=RequestHistory(history_path))
    qtbot.addWidget(widget)
    widget.resize(1100, 760)
    widget.show()
    qtbot.waitUntil(lambda: widget.history_loaded, timeout=WAIT_MS)
    return widget


def answer_confirm(monkeypatch, button) -> list[str]:
    """Answer the next confirmation question with ``button``; returns the questions asked."""
    asked: list[str] = []

    def question(_parent, _title, text, *_args, **_kwargs):
        asked.append(text)
        return button

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


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
    assert initiate["LATENCY"].endswith(" ms") and float(initiate["LATENCY"][:-3].replace(",", "")) > 0
    assert initiate["RESPONSE_SIZE"].endswith(" B")  # one unit style: "47 B", "23.1 KiB"
    size_tip = panel.proxy.index(0, Column.RESPONSE_SIZE).data(Qt.ItemDataRole.ToolTipRole)
    assert size_tip.startswith("Response: ") and "\nRequest: " in size_tip
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


def test_filter_and_errors_only(qtbot, ctx, panel, monkeypatch):
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

    answer_confirm(monkeypatch, QMessageBox.StandardButton.Yes)
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


# --- envelope codes: pending answers are not errors ---------------------------------------------------------

def test_pending_polls_are_normal_rows_and_errors_are_by_envelope_code(qtbot, ctx, panel):
    from qrlogin_desktop.ui import theme

    client = ctx.client
    key = run(qtbot, ctx, client.initiate())
    run(qtbot, ctx, client.confirm_login(key), expect_error=True)  # 408: not scanned yet
    sandbox_of(ctx).require_registration = True
    run(qtbot, ctx, client.scan(key))
    run(qtbot, ctx, client.confirm_login(key), expect_error=True)  # 202: scanned, a registration is due
    run(qtbot, ctx, client.scan(123456789), expect_error=True)  # 404: unknown signInKey
    sandbox_of(ctx).faults.script(["500", "drop"])
    run(qtbot, ctx, client.jscode2session("code_500"), expect_error=True)
    run(qtbot, ctx, client.jscode2session("code_drop"), expect_error=True)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 7, timeout=WAIT_MS)

    shown = rows(panel)
    assert [(r["STATUS"], r["CODE"]) for r in shown[:5]] == [
        ("200", "200"), ("200", "408"), ("200", "200"), ("200", "202"), ("200", "404")]
    assert shown[5]["CODE"] == "500" and shown[6]["CODE"] == "—"  # a dropped connection: no envelope
    assert panel.model.headerData(Column.CODE, Qt.Orientation.Horizontal) == "Code"

    def red(row: int) -> bool:
        brush = panel.proxy.index(row, Column.CODE).data(Qt.ItemDataRole.ForegroundRole)
        return brush is not None and brush.color() == theme.color("error")

    assert [red(r) for r in range(7)] == [False, False, False, False, True, True, True]
    panel.status_filter.setCurrentIndex(ERRORS_ONLY)
    assert [r["CODE"] for r in rows(panel)] == ["404", "500", "—"]
    panel.filter_edit.setText("408")  # the code is searchable too
    panel.status_filter.setCurrentIndex(0)
    assert [r["CODE"] for r in rows(panel)] == ["408"]


def test_the_path_column_gets_the_room_and_no_title_is_cut(qtbot, ctx, panel):
    panel.resize(744, 600)  # what the page gets in a 1024 px window, beside the navigation
    for language in (i18n.ENGLISH, i18n.CHINESE):
        i18n.install(language)
        qtbot.wait(20)
        header = panel.table.horizontalHeader()
        titles = header.fontMetrics()
        for column in Column:
            title = panel.model.headerData(column, Qt.Orientation.Horizontal)
            assert header.sectionSize(column) >= titles.horizontalAdvance(title) + 8, (language, title)
        others = [header.sectionSize(c) for c in Column if c != Column.PATH]
        path = header.sectionSize(Column.PATH)
        assert path > 2 * max(others), (language, path, others)
        assert path >= 0.35 * panel.table.viewport().width(), (language, path, panel.table.viewport().width())
        for number in (Column.LATENCY, Column.RESPONSE_SIZE):
            assert header.sectionSize(number) < 110, (language, number)
    i18n.install(i18n.ENGLISH)


# --- the row menu ------------------------------------------------------------------------------------------------

def test_row_menu_copies_curl_url_and_response_without_the_credential(qtbot, ctx, panel):
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QGuiApplication

    run(qtbot, ctx, ctx.client.initiate(scopes="userinfo", remark="menu"))
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=WAIT_MS)
    record = panel.model.record_at(0)
    rect = panel.table.visualRect(panel.proxy.index(0, Column.PATH))
    panel.table.customContextMenuRequested.emit(rect.center())
    qtbot.waitUntil(panel.row_menu.isVisible, timeout=WAIT_MS)
    texts = [a.text() for a in panel.row_menu.actions() if not a.isSeparator()]
    assert texts == ["Copy as cURL", "Copy URL", "Copy response", "Open in its endpoint page"]
    assert panel.copy_curl_action.isEnabled() and panel.copy_response_action.isEnabled()
    panel.row_menu.hide()
    clipboard = QGuiApplication.clipboard()

    panel.copy_curl_action.trigger()
    curl = clipboard.text()
    assert curl.startswith("curl -X POST ") and record.url in curl
    assert '"Authorization: Bearer $QRLOGIN_TOKEN"' in curl and ctx.connection.token not in curl
    assert '"remark": "menu"' in curl and "content-length" not in curl.lower()
    assert "cURL" in panel.status_label.text()
    panel.copy_url_action.trigger()
    assert clipboard.text() == record.url
    panel.copy_response_action.trigger()
    assert clipboard.text() == record.response_body and '"code": 200' in clipboard.text()

    panel.show_row_menu(Exchange(started_at=1.0, endpoint="NoSuchEndpoint", method="GET", url="http://h/x",
                                 request_headers=(), request_body=None), QPoint(0, 0))
    assert not panel.replay_action.isEnabled() and not panel.copy_response_action.isEnabled()
    panel.row_menu.hide()


def test_replay_opens_the_endpoint_page_with_the_same_inputs(qtbot, ctx):
    from qrlogin_desktop.ui.main_window import MainWindow

    i18n.install(i18n.ENGLISH)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    log = window.request_log
    run(qtbot, ctx, ctx.client.jscode2session("code_to_replay"))
    run(qtbot, ctx, ctx.client.decrypt("ZW5jcnlwdGVk", "aXZpdml2aXZpdml2aXZpdg==", "c2Vzc2lvbi1rZXktc2VjcmV0"),
        expect_error=True)
    check = {"content": "replayed 你好", "version": 2, "scene": 2, "openid": "o_replay"}
    run(qtbot, ctx, ctx.client.call("MsgSecCheck", body=check))
    run(qtbot, ctx, ctx.client.initiate())  # the QR Login page drives these: no endpoint page to open
    qtbot.waitUntil(lambda: log.model.rowCount() == 4, timeout=WAIT_MS)

    log.replay(log.model.record_at(0))
    page = window.current_page()
    assert page is window.panels["endpoint:JSCode2Session"]
    assert page.form.editors["js_code"].text() == "code_to_replay"

    log.replay(log.model.record_at(1))
    page = window.current_page()
    assert page is window.panels["endpoint:Decrypt"]
    assert page.form.editors["encryptedData"].text() == "ZW5jcnlwdGVk"
    assert page.form.editors["sessionKey"].text() == ""  # never from the log: the user types it again
    assert "sessionKey: is required" in page.form.error_text("sessionKey")
    assert "sessionKey" in log.status_label.text()

    log.replay(log.model.record_at(2))
    page = window.current_page()
    assert page is window.panels["endpoint:MsgSecCheck"]
    assert page.editor.value() == check
    # Sent again from the page: the credential is the profile's (the log holds none).
    before = log.model.rowCount()
    page.send_button.click()
    qtbot.waitUntil(lambda: log.model.rowCount() == before + 1, timeout=WAIT_MS)
    again = log.model.record_at(before)
    assert again.endpoint == "MsgSecCheck" and again.envelope_code == 200 and again.status == 200
    assert json.loads(again.request_body) == check

    log.show_row_menu(log.model.record_at(3), window.mapToGlobal(window.rect().center()))
    assert not log.replay_action.isEnabled()
    log.row_menu.hide()
    shown = window.current_page()
    log.replay(log.model.record_at(3))
    assert window.current_page() is shown


# --- the history ---------------------------------------------------------------------------------------------

def _secret_forms(secret: str) -> list[bytes]:
    from urllib.parse import quote

    return [f.encode() for f in {secret, json.dumps(secret)[1:-1], quote(secret, safe="")}]


def test_history_survives_a_restart_without_a_secret_and_can_be_cleared(qtbot, ctx, panel, history_path,
                                                                       monkeypatch):
    key = run(qtbot, ctx, ctx.client.initiate(scopes="userinfo"))
    run(qtbot, ctx, ctx.client.scan(key))
    token = run(qtbot, ctx, ctx.client.confirm_login(key)).access_token
    session_key = json.loads(run(qtbot, ctx, ctx.client.jscode2session("code_hist")))["session_key"]
    run(qtbot, ctx, ctx.client.decrypt("ZW5j", "aXY=", session_key), expect_error=True)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 5, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: history_path.exists() and not panel.saving, timeout=WAIT_MS)
    raw = history_path.read_bytes()
    for secret in (token, session_key, ctx.connection.token):
        assert all(form not in raw for form in _secret_forms(secret)), secret[:6]

    # A restart: a new panel on the same file shows the same rows, before any new request.
    later = RequestLogPanel(ctx, history=RequestHistory(history_path))
    qtbot.addWidget(later)
    qtbot.waitUntil(lambda: later.history_loaded, timeout=WAIT_MS)
    assert [r["PATH"] for r in rows(later)] == [r["PATH"] for r in rows(panel)]
    assert [r["CODE"] for r in rows(later)] == [r["CODE"] for r in rows(panel)]
    run(qtbot, ctx, ctx.client.initiate())  # new rows follow the old ones (both panels listen)
    qtbot.waitUntil(lambda: later.model.rowCount() == 6, timeout=WAIT_MS)
    assert later.model.record_at(5).endpoint == "QRAuthInitiate"

    asked = answer_confirm(monkeypatch, QMessageBox.StandardButton.Cancel)
    later.clear_button.click()
    assert asked == ["Remove all 6 requests from the log and from the saved history? This cannot be undone."]
    assert later.model.rowCount() == 6
    qtbot.waitUntil(lambda: not later.saving and not panel.saving, timeout=WAIT_MS)
    answer_confirm(monkeypatch, QMessageBox.StandardButton.Yes)
    panel.clear()  # the other panel on the same file, without asking
    later.clear_button.click()
    assert later.model.rowCount() == 0 and "cleared" in later.status_label.text()
    qtbot.waitUntil(lambda: not later.saving, timeout=WAIT_MS)
    assert not history_path.exists()
    again = RequestLogPanel(ctx, history=RequestHistory(history_path))
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.history_loaded, timeout=WAIT_MS)
    assert again.model.rowCount() == 0


def test_a_busy_poll_is_written_at_most_once_a_second(qtbot, ctx, panel, history_path, monkeypatch):
    from qrlogin_desktop.ui.panels import request_log

    saves: list[int] = []
    original = RequestHistory.save
    monkeypatch.setattr(RequestHistory, "save", lambda self, xs: saves.append(len(xs)) or original(self, xs))
    for i in range(30):
        panel.append(_exchange(i))
    qtbot.waitUntil(lambda: history_path.exists() and not panel.saving, timeout=WAIT_MS)
    assert saves == [30]
    assert request_log.SAVE_DELAY_MS == 1000


def test_history_write_failure_is_said_not_raised(qtbot, ctx, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    panel = RequestLogPanel(ctx, history=RequestHistory(blocker / HISTORY_FILE))
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.history_loaded, timeout=WAIT_MS)
    panel.append(_exchange(1))
    qtbot.waitUntil(lambda: "could not be saved" in panel.status_label.text(), timeout=WAIT_MS)
    assert panel.model.rowCount() == 1


# --- screenshots -------------------------------------------------------------------------------------------------

def test_request_log_screenshots_at_two_sizes_in_both_languages(qtbot, ctx):
    """After a sandbox login, the Request Log at 1024x640 and 1440x900, English and Chinese, once with a
    row's menu open (drawn onto the window's picture: a popup is a window of its own)."""
    import os

    from PIL import Image
    from PySide6.QtGui import QPainter

    from qrlogin_desktop.ui.main_window import MainWindow
    from qrlogin_desktop.ui.screenshots import prepare, settle

    out = Path(os.environ.get("QRLOGIN_SCREENSHOTS_DIR") or Path(__file__).resolve().parents[2] / "test-output"
               / "screenshots") / "request_log"
    out.mkdir(parents=True, exist_ok=True)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    written = []
    try:
        prepare(window)
        log = window.show_panel("request_log")
        for language in (i18n.ENGLISH, i18n.CHINESE):
            i18n.install(language)
            for width, height in ((1024, 640), (1440, 900)):
                window.resize(width, height)
                settle(150)
                log.table.selectRow(log.proxy.rowCount() - 1)
                qtbot.waitUntil(lambda: not log.details_loading, timeout=WAIT_MS)
                picture = window.grab()  # the window's own minimum (its widest page) may be larger
                if width == 1024:
                    row = log.proxy.rowCount() - 2
                    rect = log.table.visualRect(log.proxy.index(row, Column.PATH))
                    at = log.table.viewport().mapToGlobal(rect.center())
                    log.show_row_menu(log.proxy.exchange(row), at)
                    qtbot.waitUntil(log.row_menu.isVisible, timeout=WAIT_MS)
                    settle(100)
                    painter = QPainter(picture)
                    painter.drawPixmap(window.mapFromGlobal(log.row_menu.pos()), log.row_menu.grab())
                    painter.end()
                    log.row_menu.hide()
                path = out / f"request_log_{width}x{height}_{language}{'_menu' if width == 1024 else ''}.png"
                assert picture.save(str(path))
                written.append(path)
    finally:
        i18n.install(i18n.ENGLISH)
    assert len(written) == 4
    for path in written:
        with Image.open(path) as image:
            # Not a blank page: a rendered page has many distinct colours.
            assert len(image.convert("RGB").getcolors(maxcolors=1 << 16) or range(1 << 16)) > 16, path


def test_a_cut_json_body_is_shown_in_lines_not_as_one_huge_line(qtbot, panel):
    from qrlogin_desktop.ui.panels.request_log import reflow_cut_json

    items = [{"id": i, "text": 'lorem, "ipsum": {dolor} [sit]'} for i in range(20_000)]
    whole = json.dumps({"code": 200, "data": {"items": items}, "error": ""})
    note = f"\n… [cut: the first {LOG_BODY_PREFIX} characters of {len(whole)} bytes]"
    body = whole[:LOG_BODY_PREFIX] + note
    exchange = Exchange(started_at=1_700_000_000, endpoint="MsgSecCheck", method="POST", url="http://127.0.0.1:1/x",
                        request_headers=(), request_body="{}", status=200, response_body=body,
                        response_size=len(whole), envelope_code=200)
    panel.append(exchange)
    panel.table.selectRow(0)
    assert panel.details_loading
    qtbot.waitUntil(lambda: not panel.details_loading, timeout=WAIT_MS)
    shown = panel.response_body.text.toPlainText()
    lines = shown.split("\n")
    assert len(lines) > 10_000 and max(map(len, lines)) < 200
    assert '"text": "lorem, \\"ipsum\\": {dolor} [sit]"' in shown  # a string stays whole, escapes and all
    assert shown.endswith(note)
    assert "".join(shown[: -len(note)].split()) == "".join(whole[:LOG_BODY_PREFIX].split())  # only whitespace moved
    assert reflow_cut_json('{"a": [1, 2]}') == '{\n  "a": [\n    1,\n    2\n  ]\n}'


def test_at_start_up_the_history_is_read_once_the_connection_starts(qtbot, profiles, memory_store, history_path):
    from qrlogin_desktop.ui.context import AppContext

    RequestHistory(history_path).save([_exchange(i) for i in range(3)])
    ctx = AppContext(profiles, token_store=memory_store)
    try:
        panel = RequestLogPanel(ctx, history=RequestHistory(history_path))
        qtbot.addWidget(panel)
        qtbot.wait(50)
        assert not panel.history_loaded and ctx._runner is None  # nothing started before the connection
        ctx.activate(profiles.active)
        qtbot.waitUntil(lambda: panel.history_loaded and ctx.client is not None, timeout=WAIT_MS)
        assert [r["PATH"] for r in rows(panel)] == [urlsplit(_exchange(i).url).path + f"?n={i}" for i in range(3)]
    finally:
        ctx.shutdown()


def test_a_cut_json_body_takes_one_worker_trip(qtbot, panel, monkeypatch):
    """Laid out in lines and formatted in the same trip to the worker, not one trip for each."""
    items = [{"id": i} for i in range(20_000)]
    whole = json.dumps({"code": 200, "data": {"items": items}, "error": ""})
    body = whole[:LOG_BODY_PREFIX] + f"\n… [cut: the first {LOG_BODY_PREFIX} characters of {len(whole)} bytes]"
    exchange = Exchange(started_at=1_700_000_000, endpoint="MsgSecCheck", method="POST", url="http://127.0.0.1:1/x",
                        request_headers=(), request_body=None, status=200, response_body=body,
                        response_size=len(whole), envelope_code=200)
    panel.append(exchange)
    runner = panel.ctx.runner
    trips: list[object] = []
    real_submit = runner.submit

    def counting_submit(coro, on_done=None):
        trips.append(coro)
        return real_submit(coro, on_done)

    monkeypatch.setattr(runner, "submit", counting_submit)
    panel.table.selectRow(0)
    qtbot.waitUntil(lambda: not panel.details_loading, timeout=WAIT_MS)
    assert len(trips) == 1
    assert panel.response_body.text.toPlainText().count("\n") > 10_000  # laid out in lines all the same


def test_a_page_built_after_the_first_requests_has_them_and_owns_its_feed(qtbot, ctx, history_path):
    """The context keeps what came before the page; the page takes it and subscribes itself (no window
    in between): each exchange is a row once, before and after the page is built."""
    seen: list[Exchange] = []
    ctx.exchange_logged.connect(seen.append)
    key = run(qtbot, ctx, ctx.client.initiate())
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=WAIT_MS)
    widget = RequestLogPanel(ctx, history=RequestHistory(history_path))
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: widget.history_loaded, timeout=WAIT_MS)
    assert endpoints(widget) == ["QRAuthInitiate"]
    assert ctx.take_log_backlog() == []  # taken by the page: nothing kept twice
    run(qtbot, ctx, ctx.client.scan(key))
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=WAIT_MS)
    assert endpoints(widget) == ["QRAuthInitiate", "QRAuthScan"]


def endpoints(panel: RequestLogPanel) -> list[str]:
    return [panel.proxy.index(r, 0).data(RECORD_ROLE).endpoint for r in range(panel.proxy.rowCount())]
