"""The Load page's live charts (Qt Charts): QR flows per second, flow latency p50/p95, outcomes.

Qt Charts comes with PySide6-Addons (the optional ``load`` extra). This module is imported only
when the Load page is built, and the import costs ~15-25 ms (pyqtgraph's ~350-520 ms here, with
numpy; see docs/decisions.md), so even the page's idle-time build stays one short event-loop turn.
"""

from __future__ import annotations

import math
from collections import deque

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QLogValueAxis,
    QValueAxis,
)
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QApplication, QGraphicsSimpleTextItem, QGridLayout, QWidget

from ...load.history import AUTHENTICATED, Sample
from .. import theme
from .language import Retranslating

MAX_POINTS = 3_600  # per series: an hour of one sample a second; older points are dropped
FLOW_COLOURS = {"simulated-login": "#1a73e8", "registration": "#188038", "polling-desktop": "#e37400"}
OTHER_COLOUR = "#5f6368"
# The time axes carry at most this many intervals, at whole "nice" steps (1, 2, 5 x 10^k s) and in
# whole seconds: a half-width chart at 1024 px has room for about four short labels ("0.0 … 1…" otherwise).
TIME_INTERVALS = 3


def time_step(end: float) -> float:
    """The tick interval of a time axis from 0 to ``end`` seconds: the least nice step giving at most
    :data:`TIME_INTERVALS` intervals."""
    wanted = max(end, 1.0) / TIME_INTERVALS
    magnitude = 10 ** math.floor(math.log10(wanted))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= wanted)


def _chart_view(chart: QChart, name: str) -> QChartView:
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.setMargins(chart.margins() * 0)
    view = QChartView(chart)
    view.setObjectName(name)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(220)
    return view


class LoadCharts(Retranslating, QWidget):
    """Fed :class:`~qrlogin_desktop.load.history.Sample`s and outcome counts by the Load page."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._start: int | None = None
        self._latency: dict[tuple[str, str], _Line] = {}
        self._outcomes: dict[str, int] = {}

        self.flows_chart = QChart()
        self.flows_series = QLineSeries()
        self.flows_series.setPen(QPen(QColor("#1a73e8"), 2))
        self.flows_chart.addSeries(self.flows_series)
        self._flows = _Line(self.flows_series)
        self.flows_x, self.flows_y = QValueAxis(), QValueAxis()
        self._attach(self.flows_chart, self.flows_series, self.flows_x, self.flows_y)
        self.flows_chart.legend().hide()
        self.flows_y.setLabelFormat("%g")

        self.latency_chart = QChart()
        self.latency_x, self.latency_y = QValueAxis(), QLogValueAxis()
        self.latency_y.setBase(10)
        self.latency_y.setLabelFormat("%g")
        for x in (self.flows_x, self.latency_x):
            x.setLabelFormat("%d")
            x.setTickType(QValueAxis.TickType.TicksDynamic)
            x.setTickAnchor(0)
        self.latency_chart.addAxis(self.latency_x, Qt.AlignmentFlag.AlignBottom)
        self.latency_chart.addAxis(self.latency_y, Qt.AlignmentFlag.AlignLeft)

        self.outcomes_chart = QChart()
        self.outcomes_series = QBarSeries()
        self.outcomes_chart.addSeries(self.outcomes_series)
        self.outcomes_x, self.outcomes_y = QBarCategoryAxis(), QValueAxis()
        self._attach(self.outcomes_chart, self.outcomes_series, self.outcomes_x, self.outcomes_y)
        self.outcomes_y.setLabelFormat("%d")
        self.outcomes_chart.legend().hide()
        # Before the first flow ends, the empty plot says so in its middle (an axis label would be cut
        # to a category's width by Qt Charts).
        self.outcomes_hint = QGraphicsSimpleTextItem(self.outcomes_chart)
        self.outcomes_chart.plotAreaChanged.connect(self._place_outcomes_hint)

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.latency_view = _chart_view(self.latency_chart, "latencyChart")
        grid.addWidget(_chart_view(self.flows_chart, "flowsChart"), 0, 0)
        grid.addWidget(self.latency_view, 0, 1)
        grid.addWidget(_chart_view(self.outcomes_chart, "outcomesChart"), 1, 0, 1, 2)
        self.retranslate()
        self.clear()
        self._follow_theme()
        theme.notifier().changed.connect(self._follow_theme)

    @property
    def charts(self) -> tuple[QChart, ...]:
        return self.flows_chart, self.latency_chart, self.outcomes_chart

    def _follow_theme(self, *_: object) -> None:
        """The charts' background, titles, axes and legend in the palette's colours (Qt Charts paints
        its own light theme otherwise, a white card on the dark window); the series keep their colours."""
        palette = QApplication.palette()
        base, text = palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)
        grid = palette.color(QPalette.ColorRole.Mid)
        for chart in self.charts:
            chart.setBackgroundBrush(base)
            chart.setTitleBrush(text)
            chart.legend().setLabelColor(text)
            for axis in chart.axes():
                axis.setLabelsColor(text)
                axis.setTitleBrush(text)
                axis.setGridLineColor(grid)
                axis.setLinePenColor(grid)
        self.outcomes_hint.setBrush(theme.color("muted"))

    def _flow_name(self, flow: str) -> str:
        """The legend names each flow once, in a word (a narrow chart); colour tells them apart."""
        return {"simulated-login": self.tr("login"), "registration": self.tr("register"),
                "polling-desktop": self.tr("poll")}.get(flow, flow)

    def _outcome_name(self, outcome: str) -> str:
        # A failure is named by the code table's outcome and its code: data, shown as the server's words.
        return self.tr("logged in") if outcome == AUTHENTICATED else outcome

    @staticmethod
    def _attach(chart: QChart, series, x, y) -> None:
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x)
        series.attachAxis(y)

    def retranslate(self) -> None:
        self.flows_chart.setTitle(self.tr("QR flows per second"))
        # A short title a half-width chart has room for at 1024 px; the key to the lines on the axis,
        # the whole sentence in the tooltip.
        self.latency_chart.setTitle(self.tr("Flow latency, ms"))
        self.latency_y.setTitleText(self.tr("p50 solid · p95 dashed"))
        self.latency_view.setToolTip(self.tr("Flow latency, ms (log scale): p50 solid, p95 dashed"))
        self.outcomes_chart.setTitle(self.tr("Outcomes of the QR flows"))
        for x in (self.flows_x, self.latency_x):
            x.setTitleText(self.tr("seconds"))
        for (flow, _quantile), line in self._latency.items():
            line.series.setName(self._flow_name(flow))
        self._name_outcomes()

    def _name_outcomes(self) -> None:
        """The outcome chart's categories; before the first flow, the hint that none has ended yet."""
        self.outcomes_x.clear()
        self.outcomes_x.append([self._outcome_name(n) for n in self._sorted_outcomes()])
        self.outcomes_hint.setText(self.tr("No QR flows yet: press Start"))
        self.outcomes_hint.setVisible(not self._outcomes)
        self._place_outcomes_hint()

    def _place_outcomes_hint(self, *_area: object) -> None:
        area, text = self.outcomes_chart.plotArea(), self.outcomes_hint.boundingRect()
        self.outcomes_hint.setPos(area.center() - text.center())

    def _sorted_outcomes(self) -> list[str]:
        return sorted(self._outcomes, key=lambda k: (k != AUTHENTICATED, k))

    def clear(self) -> None:
        self._start = None
        self._flows.clear()
        for line in self._latency.values():
            self.latency_chart.removeSeries(line.series)
        self._latency.clear()
        self._outcomes = {}
        self.outcomes_series.clear()
        self._name_outcomes()
        self._set_time_range(10.0)
        self.flows_y.setRange(0, 1)
        self.latency_y.setRange(0.1, 1000)
        self.outcomes_y.setRange(0, 4)  # whole numbers on the empty chart's ticks (its labels are %d)

    # --- data ---------------------------------------------------------------------------------------

    @property
    def points(self) -> int:
        """How many samples the flows chart holds."""
        return self.flows_series.count()

    @property
    def outcomes(self) -> dict[str, int]:
        return dict(self._outcomes)

    def add_samples(self, samples: list[Sample]) -> None:
        if not samples:
            return
        if self._start is None:
            self._start = samples[0].at
        flows: list[tuple[float, float]] = []
        latency: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for sample in samples:
            t = float(sample.at - self._start)
            flows.append((t, sample.flows_per_s))
            for name, figures in sample.flows.items():
                for quantile, value in (("p50", figures.p50_ms), ("p95", figures.p95_ms)):
                    if value is not None and value > 0:
                        latency.setdefault((name, quantile), []).append((t, value))
        # Only the new points go in; the axes follow the extremes each line keeps (no rescan).
        self._flows.extend(flows)
        for (name, quantile), points in latency.items():
            self._latency_line(name, quantile).extend(points)
        self._set_time_range(max(10.0, float(samples[-1].at - self._start)))
        self.flows_y.setRange(0, max(1.0, self._flows.high or 0.0) * 1.1)
        self.flows_y.applyNiceNumbers()
        lows = [line.low for line in self._latency.values() if line.low is not None]
        highs = [line.high for line in self._latency.values() if line.high is not None]
        if lows:
            self.latency_y.setRange(max(0.1, min(lows) / 2), max(highs) * 2)

    def _set_time_range(self, end: float) -> None:
        for x in (self.flows_x, self.latency_x):
            x.setRange(0, end)
            x.setTickInterval(time_step(end))

    def set_outcomes(self, outcomes: dict[str, int]) -> None:
        if outcomes == self._outcomes:
            return
        self._outcomes = dict(outcomes)
        names = self._sorted_outcomes()
        self.outcomes_series.clear()
        bars = QBarSet("flows")
        bars.setColor(QColor("#1a73e8"))
        bars.append([float(outcomes[n]) for n in names])
        self.outcomes_series.append(bars)
        self._name_outcomes()
        self.outcomes_y.setRange(0, max(1, *outcomes.values()) * 1.1 if outcomes else 1)
        self.outcomes_y.applyNiceNumbers()

    def _latency_line(self, flow: str, quantile: str) -> _Line:
        key = (flow, quantile)
        if key not in self._latency:
            series = QLineSeries()
            series.setName(self._flow_name(flow))
            pen = QPen(QColor(FLOW_COLOURS.get(flow, OTHER_COLOUR)), 2)
            if quantile == "p95":
                pen.setStyle(Qt.PenStyle.DashLine)
            series.setPen(pen)
            self.latency_chart.addSeries(series)
            series.attachAxis(self.latency_x)
            series.attachAxis(self.latency_y)
            if quantile == "p95":  # the same flow, the same colour: one legend entry per flow
                for marker in self.latency_chart.legend().markers(series):
                    marker.setVisible(False)
            self._latency[key] = _Line(series)
        return self._latency[key]


class _Line:
    """A line series that holds the newest :data:`MAX_POINTS` points, and the least and greatest y
    among them, kept up to date as points come and go (monotonic queues, amortised O(1) a point):
    an update touches the new points only, never reads the series back."""

    def __init__(self, series: QLineSeries):
        self.series = series
        self.limit = MAX_POINTS
        self._added = 0  # points ever given; the series holds the newest min(limit, _added)
        self._lows: deque[tuple[int, float]] = deque()  # (point number, y), y rising: the least first
        self._highs: deque[tuple[int, float]] = deque()  # y falling: the greatest first

    @property
    def low(self) -> float | None:
        return self._lows[0][1] if self._lows else None

    @property
    def high(self) -> float | None:
        return self._highs[0][1] if self._highs else None

    def extend(self, points: list[tuple[float, float]]) -> None:
        if not points:
            return
        kept = points[-self.limit:]
        self._added += len(points) - len(kept)
        overflow = self.series.count() + len(kept) - self.limit
        if overflow > 0:
            self.series.removePoints(0, overflow)
        self.series.append([QPointF(x, y) for x, y in kept])
        for _x, y in kept:
            while self._lows and self._lows[-1][1] >= y:
                self._lows.pop()
            self._lows.append((self._added, y))
            while self._highs and self._highs[-1][1] <= y:
                self._highs.pop()
            self._highs.append((self._added, y))
            self._added += 1
        oldest_held = self._added - self.series.count()
        for extremes in (self._lows, self._highs):
            while extremes[0][0] < oldest_held:
                extremes.popleft()

    def clear(self) -> None:
        self.series.clear()
        self._added = 0
        self._lows.clear()
        self._highs.clear()
