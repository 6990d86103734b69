"""The Load page: a short Locust run against a sandbox process of its own, its live charts, Stop,
the export of Locust's CSV and HTML reports, and screenshots in both languages."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication

from qrlogin_desktop.ui import i18n
from qrlogin_desktop.ui.main_window import MainWindow
from qrlogin_desktop.ui.panels import load as load_page
from qrlogin_desktop.ui.screenshots import settle

OUT = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
RUN_MS = 90_000  # far above a few seconds of load: only a hung run reaches it


def open_page(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1440, 900)
    window.show()
    page = window.show_panel("load")
    qtbot.waitUntil(page.start_button.isEnabled, timeout=15_000)
    return window, page


def test_a_short_run_draws_live_charts_and_exports_locusts_reports(qtbot, ctx, tmp_path):
    window, page = open_page(qtbot, ctx)
    page.users.setValue(3)
    page.spawn_rate.setValue(3)
    page.duration.setValue(8)
    page.start_button.click()
    assert page.running and not page.start_button.isEnabled() and page.stop_button.isEnabled()
    # Data arrives while the run is still going: the charts are live, not drawn at the end.
    qtbot.waitUntil(lambda: any(p.y() > 0 for p in page.charts.flows_series.points()), timeout=RUN_MS)
    assert page.running
    qtbot.waitUntil(lambda: not page.running, timeout=RUN_MS)
    qtbot.waitUntil(lambda: page.state_label.text().startswith("Finished"), timeout=10_000)
    assert "exit code 0" in page.state_label.text(), page.output.toPlainText()
    qtbot.waitUntil(lambda: page.charts.outcomes.get("authenticated", 0) > 0, timeout=10_000)
    assert set(page.charts.outcomes) == {"authenticated"}  # no flow failed
    assert page.charts._latency  # p50/p95 series per flow
    assert "Aggregated" in page.output.toPlainText()  # Locust's summary, shown on the page

    assert page.export_csv_button.isEnabled() and page.export_html_button.isEnabled()
    written = {p.name for p in page.export_csv(tmp_path)}
    assert {"load_stats.csv", "load_stats_history.csv", "load_failures.csv"} <= written
    assert "QRFLOW,simulated-login" in (tmp_path / "load_stats.csv").read_text(encoding="utf-8")
    report = page.export_html(tmp_path / "report.html").read_text(encoding="utf-8")
    assert report.lstrip().lower().startswith("<!doctype html") and "simulated-login" in report

    OUT.mkdir(parents=True, exist_ok=True)
    try:
        for language in (i18n.ENGLISH, i18n.CHINESE):
            i18n.install(language)
            QCoreApplication.processEvents()
            settle(200)
            assert window.grab().save(str(OUT / f"load_run_{language}.png"))
        assert page.heading.text() == "负载测试（Locust）"
    finally:
        i18n.install(i18n.ENGLISH)


def test_stop_ends_a_run_early_and_still_writes_the_report(qtbot, ctx):
    _, page = open_page(qtbot, ctx)
    page.users.setValue(2)
    page.spawn_rate.setValue(2)
    page.duration.setValue(600)
    page.start_button.click()
    qtbot.waitUntil(lambda: page.charts.points > 0, timeout=RUN_MS)
    page.stop_button.click()
    qtbot.waitUntil(lambda: not page.running, timeout=load_page.STOP_WITHIN_MS + 5_000)
    assert page._finished_code == 0, page.output.toPlainText()
    assert page._report().is_file()  # Locust writes its HTML report on an interrupt too
    assert page.export_html_button.isEnabled()


def test_without_the_load_extra_the_page_says_what_to_install(qtbot, ctx, monkeypatch):
    monkeypatch.setattr(load_page, "load_available", lambda: "locust")
    page = load_page.LoadPanel(ctx)
    qtbot.addWidget(page)
    assert not page.start_button.isEnabled()
    assert "pip install 'qrlogin-desktop[load]'" in page.target_label.text()
    assert "locust" in page.target_label.text()


def test_a_chart_series_keeps_at_most_its_bound(qtbot, monkeypatch):
    from qrlogin_desktop.load.history import FlowFigures, Sample
    from qrlogin_desktop.ui.widgets import load_charts

    monkeypatch.setattr(load_charts, "MAX_POINTS", 5)
    charts = load_charts.LoadCharts()
    qtbot.addWidget(charts)
    figures = {"simulated-login": FlowFigures(10.0, 3.0, 9.0, 10, 0)}
    charts.add_samples([Sample(1000 + t, 3, figures) for t in range(12)])
    assert charts.points == 5
    assert [p.x() for p in charts.flows_series.points()] == [7.0, 8.0, 9.0, 10.0, 11.0]  # the newest kept
    assert all(line.series.count() == 5 for line in charts._latency.values())


def test_the_charts_speak_the_language_and_follow_the_dark_theme(qtbot):
    """The legend and the outcome names are words of the UI's language, not Locust tags; in the dark
    theme the charts are painted in the palette's colours, not Qt Charts' own white card."""
    from qrlogin_desktop.load.history import AUTHENTICATED, FlowFigures, Sample
    from qrlogin_desktop.ui import i18n, theme
    from qrlogin_desktop.ui.widgets.load_charts import LoadCharts

    charts = LoadCharts()
    qtbot.addWidget(charts)
    figures = FlowFigures(per_s=2.0, p50_ms=3.0, p95_ms=9.0, total=4, failed=0)
    charts.add_samples([Sample(at=1, users=1, flows={"simulated-login": figures})])
    charts.set_outcomes({AUTHENTICATED: 4})
    try:
        i18n.install(i18n.CHINESE)
        theme.install(theme.DARK)
        legend = [s.name() for s in charts.latency_chart.series()]
        assert legend and all(name == "登录" for name in legend), legend
        assert charts.outcomes_x.categories() == ["已登录"]
        assert charts.latency_chart.backgroundBrush().color().lightness() < 100
    finally:
        i18n.install(i18n.ENGLISH)
        theme.install(theme.LIGHT)
    assert [s.name() for s in charts.latency_chart.series()][0] == "login"
    assert charts.outcomes_x.categories() == ["logged in"]
    assert charts.flows_chart.backgroundBrush().color().lightness() > 200


def test_the_charts_take_only_the_new_points_and_their_axes_follow_the_points_kept(qtbot, monkeypatch):
    """Each second's samples are appended; the axes come from the extremes the lines keep, never from
    reading every point back; a point dropped by the bound (MAX_POINTS) leaves the axes too."""
    from PySide6.QtCharts import QLineSeries

    from qrlogin_desktop.load.history import FlowFigures, Sample
    from qrlogin_desktop.ui.widgets import load_charts

    monkeypatch.setattr(load_charts, "MAX_POINTS", 5)
    charts = load_charts.LoadCharts()
    qtbot.addWidget(charts)

    def never(*_args):
        raise AssertionError("a chart update read its points back")

    for method in ("points", "pointsVector", "at"):
        monkeypatch.setattr(QLineSeries, method, never)

    def sample(t: int, per_s: float, p50: float, p95: float) -> Sample:
        return Sample(1000 + t, 3, {"simulated-login": FlowFigures(per_s, p50, p95, 10, 0)})

    charts.add_samples([sample(0, 50.0, 1.0, 900.0)])  # a burst and the extremes of latency first
    charts.add_samples([sample(t, 2.0 + t / 10, 20.0, 40.0) for t in range(1, 4)])
    assert charts.flows_y.max() >= 50.0 * 1.1 and charts.latency_y.min() == 0.5 and charts.latency_y.max() == 1800
    charts.add_samples([sample(t, 2.0 + t / 10, 20.0, 40.0) for t in range(4, 8)])  # t=0 is out of the bound
    monkeypatch.undo()
    assert charts.points == 5 and [p.x() for p in charts.flows_series.points()] == [3.0, 4.0, 5.0, 6.0, 7.0]
    assert charts.flows_y.max() < 50.0  # the burst left with its point: the axis fits the 5 points kept
    assert (charts.latency_y.min(), charts.latency_y.max()) == (10.0, 80.0)
