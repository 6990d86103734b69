"""The Test bench page runs the conformance suite against the embedded sandbox on the worker thread: the
table fills in while the run goes on, every check passes, the details pane shows a check's requests
(redacted), Stop ends a run early, the report exports as JUnit and HTML; screenshots in both languages."""

from __future__ import annotations

from pathlib import Path

from junitparser import JUnitXml
from PySide6.QtCore import QCoreApplication
from ui_support import sandbox_of

from qrlogin_desktop.ui import i18n
from qrlogin_desktop.ui.main_window import MainWindow
from qrlogin_desktop.ui.screenshots import settle

OUT = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
RUN_TIMEOUT_MS = 90_000


def open_page(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1440, 900)
    window.show()
    return window, window.show_panel("test_bench")


def test_a_run_fills_the_table_live_and_passes_against_the_sandbox(qtbot, ctx, tmp_path):
    window, page = open_page(qtbot, ctx)
    page.ticket_edit.setText(sandbox_of(ctx).config.jsapi_ticket)
    seen_while_running: list[int] = []
    page._progress.connect(lambda *_: seen_while_running.append(page.table.rowCount()))
    qtbot.waitUntil(page.run_button.isEnabled)
    page.run_button.click()
    assert page.stop_button.isEnabled() and not page.run_button.isEnabled()
    qtbot.waitUntil(lambda: page.report is not None, timeout=RUN_TIMEOUT_MS)
    report = page.report
    # Live: the table had rows while the run went on, one more per finished check.
    assert len(seen_while_running) == len(report.results) == report.planned > 200
    assert seen_while_running == sorted(seen_while_running) and seen_while_running[0] < seen_while_running[-1]
    assert page.table.rowCount() == len(report.results)
    assert report.ok and report.count(report.results[0].verdict.__class__.FAIL) == 0
    na = {r.check.group.value for r in report.results if r.verdict.value == "n/a"}
    assert na == {"expiry"}  # only the expiry checks (off by default) are left out
    assert page.counts.text().startswith(f"{report.count(report.results[0].verdict)} passed · 0 failed · 3 n/a")
    assert page.progress_bar.value() == page.progress_bar.maximum() == report.planned
    assert page.run_button.isEnabled() and not page.stop_button.isEnabled()

    page.table.selectRow(next(i for i, r in enumerate(report.results) if r.check.id.startswith("lifecycle.")))
    details = page.details.toPlainText()
    assert "lifecycle table, row" in details and "Bearer ***" in details and "— request 1 —" in details
    secret = ctx.connection.token
    assert secret not in details and all(secret not in page.table.item(r, c).text()
                                         for r in range(page.table.rowCount()) for c in range(4))

    page.export("junit", tmp_path / "run.xml")
    page.export("html", tmp_path / "run.html")
    xml = JUnitXml.fromfile(str(tmp_path / "run.xml"))
    assert xml.tests == len(report.results) and xml.failures == 0
    html = (tmp_path / "run.html").read_text(encoding="utf-8")
    assert "<title>Conformance check: 0 failed" in html and secret not in html
    assert secret not in (tmp_path / "run.xml").read_text(encoding="utf-8")

    OUT.mkdir(parents=True, exist_ok=True)
    try:
        for language in (i18n.ENGLISH, i18n.CHINESE):
            i18n.install(language)
            QCoreApplication.processEvents()
            page.table.selectRow(3)
            settle(150)
            assert window.grab().save(str(OUT / f"test_bench_run_{language}.png"))
        assert page.heading.text() == "测试台" and page.table.horizontalHeaderItem(0).text() == "结果"
        assert page.table.item(0, 0).text() == "通过" and "应拒绝" in page.table.item(0, 2).text()
    finally:
        i18n.install(i18n.ENGLISH)
    assert page.table.item(0, 0).text() == "pass"


def test_stop_ends_a_run_early_and_keeps_what_it_found(qtbot, ctx):
    window, page = open_page(qtbot, ctx)
    qtbot.waitUntil(page.run_button.isEnabled)
    page._progress.connect(lambda _r, done, _t: done == 20 and page.stop())
    page.run_button.click()
    qtbot.waitUntil(lambda: page.report is not None, timeout=RUN_TIMEOUT_MS)
    report = page.report
    assert report.stopped is not None and "stopped by the operator" in report.stopped.en
    assert 20 <= len(report.results) < report.planned and not report.ok
    assert "stopped after" in page.counts.text()
    assert page.run_button.isEnabled() and page.junit_button.isEnabled()


def test_the_suite_is_built_and_counted_on_the_worker_never_on_the_gui_thread(qtbot, ctx, monkeypatch):
    import threading

    from qrlogin_desktop.conformance import runner, suite

    built_on: list[threading.Thread] = []
    real_build = suite.build_suite

    def recording_build():
        built_on.append(threading.current_thread())
        return real_build()

    for module in (suite, runner):
        monkeypatch.setattr(module, "build_suite", recording_build)
    planned = len(real_build())
    window, page = open_page(qtbot, ctx)
    qtbot.waitUntil(page.run_button.isEnabled)
    page._progress.connect(lambda _r, done, _t: done == 3 and page.stop())
    page.run_button.click()
    qtbot.waitUntil(lambda: page.report is not None, timeout=RUN_TIMEOUT_MS)
    assert built_on and threading.main_thread() not in built_on
    # The count still reaches the page (bar and report) though the GUI thread never built the suite.
    assert page.report.planned == page.progress_bar.maximum() == planned > len(page.report.results) >= 3
