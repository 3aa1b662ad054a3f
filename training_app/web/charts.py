"""Geometry for the server-drawn SVG charts (templates/components/_charts.html): bars, stacked bars and a line.

No JavaScript and no style attributes (the Content-Security-Policy allows neither): the templates draw with SVG
presentation attributes from these numbers. Every chart sits beside a table of the same figures, and each bar
carries its number as text, so colour and length are never the only way to read it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..services.reporting.report_plots import STATUS_NAMES

WIDTH = 640
LABEL_WIDTH = 230
VALUE_ROOM = 70  # after the longest bar, for its number
BAR_HEIGHT = 22
GAP = 10
PLOT = WIDTH - LABEL_WIDTH - VALUE_ROOM
SMALL_WIDTH, SMALL_LABEL_WIDTH = 320, 32
# Fills with at least 3:1 contrast against the white page (WCAG 2.2 non-text contrast).
BLUE, GREEN, ORANGE, RED = "#1d70b8", "#00703c", "#a04600", "#b3261e"
STATUS_FILLS = (GREEN, ORANGE, RED)


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    fill: str
    value: int
    name: str


@dataclass(frozen=True)
class BarRow:
    """One row: its label, the number shown after the bar, and the bar's segments (one for a plain bar)."""

    label: str
    text: str
    y: float
    segments: tuple[Segment, ...]
    start: float = LABEL_WIDTH

    @property
    def end(self) -> float:
        return self.start + sum(segment.width for segment in self.segments)

    @property
    def middle(self) -> float:
        return self.y + BAR_HEIGHT / 2


@dataclass(frozen=True)
class BarChart:
    rows: list[BarRow]
    height: float
    legend: tuple[tuple[str, str], ...] = ()
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT


def bar_chart(items: Sequence[tuple[str, int]], scale_to: int | None = None, suffix: str = "") -> BarChart:
    """Horizontal bars, longest = `scale_to` (default: the largest value); each labelled and numbered."""
    return _bars(items, scale_to, suffix, WIDTH, LABEL_WIDTH)


def small_bar_chart(items: Sequence[tuple[str, int]]) -> BarChart:
    """Bars with one-character labels (ratings 1 to 5), drawn narrow so that in half a column their text is read
    at nearly the page's size rather than shrunk with a wide chart's empty label room."""
    return _bars(items, None, "", SMALL_WIDTH, SMALL_LABEL_WIDTH)


def _bars(
    items: Sequence[tuple[str, int]], scale_to: int | None, suffix: str, width: int, label_width: int
) -> BarChart:
    longest = scale_to if scale_to is not None else max((value for _, value in items), default=0)
    plot = width - label_width - VALUE_ROOM
    rows = []
    for index, (label, value) in enumerate(items):
        length = 0.0 if longest <= 0 else plot * min(value, longest) / longest
        segment = Segment(label_width, round(length, 1), BLUE, value, label)
        rows.append(BarRow(label, f"{value:,}{suffix}", _y(index), (segment,), label_width))
    return BarChart(rows, _height(len(rows)), width=width, label_width=label_width)


def stacked_bar_chart(items: Sequence[tuple[str, Sequence[int]]], names: Sequence[str]) -> BarChart:
    """Bars made of parts (e.g. current, due soon, expired), all to one scale, the row's total after the bar."""
    longest = max((sum(values) for _, values in items), default=0)
    rows = []
    for index, (label, values) in enumerate(items):
        x, segments = float(LABEL_WIDTH), []
        for value, name, fill in zip(values, names, STATUS_FILLS, strict=False):
            width = 0.0 if longest == 0 else round(PLOT * value / longest, 1)
            segments.append(Segment(x, width, fill, value, name))
            x += width
        rows.append(BarRow(label, f"{sum(values):,}", _y(index), tuple(segments)))
    return BarChart(rows, _height(len(rows)), tuple(zip(names, STATUS_FILLS, strict=False)))


@dataclass(frozen=True)
class LineChart:
    """A cumulative line: its points, the first and last labels on the x axis, the top of the y axis."""

    points: str
    dots: list[tuple[float, float, str]]
    x_labels: list[tuple[float, str]]
    y_top: int
    width: int = WIDTH
    height: int = 260
    left: int = 70
    bottom: int = 220
    top: int = 20


def line_chart(series: Sequence[tuple[date, int]]) -> LineChart | None:
    """A line through (month, running total) points, x by date, y from 0 to the largest total; None when empty."""
    if not series:
        return None
    chart = LineChart("", [], [], 0)
    first, last = series[0][0].toordinal(), series[-1][0].toordinal()
    top = max(value for _, value in series) or 1
    span_x = chart.width - chart.left - 20
    span_y = chart.bottom - chart.top

    def at(day: date, value: int) -> tuple[float, float]:
        x = chart.left + (0 if last == first else span_x * (day.toordinal() - first) / (last - first))
        return round(x, 1), round(chart.bottom - span_y * value / top, 1)

    points = [at(day, value) for day, value in series]
    dots = [(x, y, f"{day:%B %Y}: {value:,}") for (x, y), (day, value) in zip(points, series, strict=True)]
    x_labels = [(points[0][0], f"{series[0][0]:%b %Y}"), (points[-1][0], f"{series[-1][0]:%b %Y}")]
    text = " ".join(f"{x},{y}" for x, y in points)
    return LineChart(text, dots, x_labels if len(series) > 1 else x_labels[:1], top)


def _y(index: int) -> float:
    return 10 + index * (BAR_HEIGHT + GAP)


def _height(count: int) -> float:
    return 20 + count * (BAR_HEIGHT + GAP)


# The charts of each kept summary, by its scope and the time it was counted (services.reporting.summaries): the
# same summary draws the same charts, so a worker works them out once.
_summary_charts: dict[tuple[str, Any], dict[str, Any]] = {}


def summary_charts(summary: Any) -> dict[str, Any]:
    """dashboard_charts of a kept summary's plots, worked out once per summary."""
    key = (summary.scope, summary.refreshed_at)
    charts = _summary_charts.get(key)
    if charts is None:
        if len(_summary_charts) > 64:
            _summary_charts.clear()
        charts = _summary_charts[key] = dashboard_charts(summary.plots)
    return charts


def dashboard_charts(plots: Any) -> dict[str, Any]:
    """The geometry of the dashboards' plots from services.reporting.report_plots.DashboardPlots."""
    return {
        "by_authority": bar_chart([(row.label, row.trained) for row in plots.by_authority]),
        "by_area": bar_chart([(f"{row.area} ({row.authority})", row.trained) for row in plots.by_area]),
        "over_time": line_chart(plots.over_time),
        "refreshers": stacked_bar_chart([(row.label, row.values) for row in plots.refreshers], STATUS_NAMES),
    }
