"""Figures for the dashboards' plots, aggregated in SQL: trained by authority and by area, trained over time, and
refresher status by area, each optionally kept to a workforce lead's authorities.

Every figure counts people in post (SPEC 3.1): today for the tables, and at each month's end for *trained over time*,
which counts each person once from the month they were first both trained (their first completion of a
counts_as_trained course) and in post, until the month they left, and runs cumulatively: the in-post rule of
`workforce.in_post` at every month's end, counted as joinings and leavings so one grouped query draws the line.
*Refresher status* takes each trained person's latest completion of a counts_as_trained course
(attendance/completions: a refresher's counts for the course it renews; a renewal supersedes the old record) with
its stored expiry, and their best standing across such courses, by the one rule (`completions.standing`, the bounds
of `course_status`): `current`, `due_soon` or `expired`; the area is their organisation's. Only people trained (a
record of a counts_as_trained course itself) are counted: a refresher alone trains nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from ...extensions import db
from ...models import Area, Authority, Course, Organisation, Practitioner, TrainingRecord
from ..attendance.completions import latest_completions, standing
from ..workforce.in_post import in_post_on
from .counting import AreaRow, practitioner_ids_in_scope, trained_by_area
from .report_rows import NO_AREA, AreaTrainedRow, trained_by_organisation_area

STATUS_NAMES = ("Current", "Due soon", "Expired")


@dataclass(frozen=True)
class RefresherRow:
    """Trained people of one area by the state of their training: current, due soon, expired."""

    authority: str
    area: str
    current: int
    due_soon: int
    expired: int

    @property
    def label(self) -> str:
        return f"{self.area} ({self.authority})" if self.authority else self.area

    @property
    def values(self) -> tuple[int, int, int]:
        return self.current, self.due_soon, self.expired


@dataclass(frozen=True)
class DashboardPlots:
    """What the plots on the coordinator's and a workforce lead's dashboards draw."""

    today: date
    by_authority: list[AreaRow]
    by_area: list[AreaTrainedRow]
    over_time: list[tuple[date, int]]
    refreshers: list[RefresherRow]


def dashboard_plots(today: date, authority_ids: set[int] | None = None) -> DashboardPlots:
    """Every figure the dashboard plots draw, as of today."""
    return DashboardPlots(
        today,
        trained_by_area(today, authority_ids)[:-1],
        trained_by_organisation_area(today, authority_ids),
        trained_over_time(today, authority_ids),
        refresher_status_by_area(today, authority_ids),
    )


def trained_over_time(today: date, authority_ids: set[int] | None = None) -> list[tuple[date, int]]:
    """(first of the month, people trained and in post at its end, or today for this month) for each month the figure
    changed, to today.

    Someone trained is in post at a month's end E when they started on or before E and leave after it
    (`in_post_on(E)`); so they count from the later of their first completion and their start, while that is before
    their leaving, up to the month they leave. One statement counts those arrivals and leavings per month; the
    running sum gives each month's figure without asking the rule once per month."""
    first = (
        sa.select(TrainingRecord.practitioner_id, sa.func.min(TrainingRecord.completed_on).label("first_on"))
        .join(Course, Course.id == TrainingRecord.course_id)
        .where(Course.counts_as_trained.is_(True), TrainingRecord.completed_on <= today)
        .group_by(TrainingRecord.practitioner_id)
    )
    if authority_ids is not None:
        first = first.where(TrainingRecord.practitioner_id.in_(practitioner_ids_in_scope(authority_ids)))
    firsts = first.subquery()
    started = Practitioner.started_on
    people = (
        sa.select(
            sa.case((started > firsts.c.first_on, started), else_=firsts.c.first_on).label("counted_from"),
            Practitioner.left_on.label("left_on"),
        )
        .select_from(firsts)
        .join(Practitioner, Practitioner.id == firsts.c.practitioner_id)
        .subquery()
    )
    counted = sa.and_(
        people.c.counted_from <= today, sa.or_(people.c.left_on.is_(None), people.c.left_on > people.c.counted_from)
    )
    left = sa.case((people.c.left_on <= today, people.c.left_on))  # NULL while still in post today
    months = [sa.extract(part, on) for on in (people.c.counted_from, left) for part in ("year", "month")]
    query = sa.select(*months, sa.func.count()).where(counted).group_by(*months)
    changes: dict[date, int] = {}
    for row in db.session.execute(query):
        from_year, from_month, left_year, left_month, count = tuple(row)
        counted_from = date(int(from_year), int(from_month), 1)
        changes[counted_from] = changes.get(counted_from, 0) + int(count)
        if left_year is not None:
            left_in = date(int(left_year), int(left_month), 1)
            changes[left_in] = changes.get(left_in, 0) - int(count)
    running, series = 0, []
    for month in sorted(changes):
        running += changes[month]
        series.append((month, running))
    return series


def refresher_status_by_area(today: date, authority_ids: set[int] | None = None) -> list[RefresherRow]:
    """Trained people in post today per area of their organisation by current / due soon / expired; 'No area'
    last."""
    trained = (
        sa.select(TrainingRecord.practitioner_id)
        .join(Course, Course.id == TrainingRecord.course_id)
        .where(Course.counts_as_trained.is_(True), TrainingRecord.completed_on <= today)
    )
    if authority_ids is not None:
        trained = trained.where(TrainingRecord.practitioner_id.in_(practitioner_ids_in_scope(authority_ids)))
    courses = db.session.execute(
        sa.select(Course.id, Course.reminder_lead_days).where(Course.counts_as_trained.is_(True))
    ).all()
    # The latest completion of each counts_as_trained course (a refresher's counts), for people trained in one.
    latest = latest_completions(trained, [course_id for course_id, _ in courses], as_of=today)
    # Per person, their best standing across counts_as_trained courses: 0 current, 1 due soon, 2 expired.
    best = sa.func.min(standing(latest.c.expires_on, latest.c.course_id, today, courses))
    people = sa.select(latest.c.practitioner_id, best.label("standing")).group_by(latest.c.practitioner_id).subquery()
    query = (
        sa.select(Organisation.area_id, people.c.standing, sa.func.count())
        .select_from(people)
        .join(Practitioner, Practitioner.id == people.c.practitioner_id)
        .outerjoin(Organisation, Organisation.id == Practitioner.organisation_id)
        .where(in_post_on(today))
        .group_by(Organisation.area_id, people.c.standing)
    )
    counts: dict[int | None, list[int]] = {}
    for area_id, state, count in db.session.execute(query):
        counts.setdefault(area_id, [0, 0, 0])[int(state)] += int(count)
    return _refresher_rows(counts)


def _refresher_rows(counts: dict[int | None, list[int]]) -> list[RefresherRow]:
    ids = [area_id for area_id in counts if area_id is not None]
    query = (
        sa.select(Area.id, Authority.name, Area.name)
        .join(Authority, Authority.id == Area.authority_id)
        .where(Area.id.in_(ids))
        .order_by(Authority.display_order, Authority.name, Area.name)
    )
    rows = [RefresherRow(authority, name, *counts[area_id]) for area_id, authority, name in db.session.execute(query)]
    if None in counts:
        rows.append(RefresherRow("", NO_AREA, *counts[None]))
    return rows
