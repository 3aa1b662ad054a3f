"""Geometry of a target's chart (templates/targets/_chart.html), drawn as the dashboards' charts are (web/charts.py):
server-side SVG with presentation attributes only. Progress at each month end as a line with dots, the straight
line the status is judged against dashed, the target as a level, y from 0% to 100%; a table beside it has the
figures, so neither colour nor shape is the only way to read it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ...services.workforce.target_progress import TargetProgress

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 60, 20, 20, 230


@dataclass(frozen=True)
class TargetChart:
    """Points as SVG coordinates: progress, the straight line, the target's level, the axes' labels."""

    progress: str
    dots: list[tuple[float, float, str]]
    line: str
    target_y: float
    target_text: str
    y_labels: list[tuple[float, str]]
    x_labels: list[tuple[float, str, str]]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = BOTTOM


def target_chart(series: Sequence[TargetProgress], line: Sequence[tuple[date, int]]) -> TargetChart:
    """The chart of a target's progress (`series`) against its straight line (`line`: set, 0%; due, its percent)."""
    first = min(line[0][0], series[0].on).toordinal()
    last = max(line[-1][0], series[-1].on).toordinal()

    def x(day: date) -> float:
        span = (WIDTH - RIGHT) - LEFT
        return round(LEFT + (0 if last == first else span * (day.toordinal() - first) / (last - first)), 1)

    def y(percent: float) -> float:
        return round(BOTTOM - (BOTTOM - TOP) * percent / 100, 1)

    points = [(x(p.on), y(p.progress_percent)) for p in series]
    dots = [
        (px, py, f"{p.on:%d %B %Y}: {p.progress_percent}% ({p.current:,} of {p.in_post:,})")
        for (px, py), p in zip(points, series, strict=True)
    ]
    percent = line[-1][1]
    return TargetChart(
        progress=" ".join(f"{px},{py}" for px, py in points),
        dots=dots,
        line=" ".join(f"{x(day)},{y(value)}" for day, value in line),
        target_y=y(percent),
        target_text=f"Target {percent}%",
        y_labels=[(y(value), f"{value}%") for value in (0, 25, 50, 75, 100)],
        x_labels=[(x(line[0][0]), f"{line[0][0]:%b %Y}", "start"), (x(line[-1][0]), f"{line[-1][0]:%b %Y}", "end")],
    )
