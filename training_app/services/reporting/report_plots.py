"""Figures for the dashboards' plots, aggregated in SQL: trained by authority and by area, trained over time, and
refresher status by area, each optionally kept to a workforce lead's authorities.

*Trained over time* counts each person once, in the month of their first completion of a counts_as_trained course,
and runs cumulatively. *Refresher status* takes each trained person's latest expiry of a counts_as_trained course
(a renewal supersedes the old record): `current` (no expiry, or more than the course's reminder lead time away),
`due_soon` (within it) or `expired` (on or after the expiry date), as SPEC 3.2 and 3.6 define them; the area is
their organisation's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from ...extensions import db
from ...models import Area, Authority, Course, Organisation, Practitioner, TrainingRecord
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
    """(first of the month, people trained by the end of it) for each month someone was first trained, to today."""
    first = (
        sa.select(TrainingRecord.practitioner_id, sa.func.min(TrainingRecord.completed_on).label("first_on"))
        .join(Course, Course.id == TrainingRecord.course_id)
        .where(Course.counts_as_trained.is_(True), TrainingRecord.completed_on <= today)
        .group_by(TrainingRecord.practitioner_id)
    )
    if authority_ids is not None:
        first = first.where(TrainingRecord.practitioner_id.in_(practitioner_ids_in_scope(authority_ids)))
    firsts = first.subquery()
    year, month = sa.extract("year", firsts.c.first_on), sa.extract("month", firsts.c.first_on)
    query = sa.select(year, month, sa.func.count()).group_by(year, month).order_by(year, month)
    running, series = 0, []
    for y, m, count in db.session.execute(query):
        running += int(count)
        series.append((date(int(y), int(m), 1), running))
    return series


def refresher_status_by_area(today: date, authority_ids: set[int] | None = None) -> list[RefresherRow]:
    """Trained people per area of their organisation by current / due soon / expired; 'No area' last."""
    latest = (
        sa.select(
            TrainingRecord.practitioner_id,
            TrainingRecord.course_id,
            sa.func.max(TrainingRecord.completed_on).label("completed_on"),
            sa.func.max(TrainingRecord.expires_on).label("expires_on"),
            sa.func.count(TrainingRecord.expires_on).label("expiring"),
            sa.func.count().label("records"),
        )
        .join(Course, Course.id == TrainingRecord.course_id)
        .where(Course.counts_as_trained.is_(True), TrainingRecord.completed_on <= today)
        .group_by(TrainingRecord.practitioner_id, TrainingRecord.course_id)
    )
    if authority_ids is not None:
        latest = latest.where(TrainingRecord.practitioner_id.in_(practitioner_ids_in_scope(authority_ids)))
    per_course = latest.subquery()
    # Per person, their best standing across counts_as_trained courses: 0 current, 1 due soon, 2 expired.
    standing = sa.select(
        per_course.c.practitioner_id, sa.func.min(_standing(per_course, today)).label("standing")
    ).group_by(per_course.c.practitioner_id)
    people = standing.subquery()
    query = (
        sa.select(Organisation.area_id, people.c.standing, sa.func.count())
        .select_from(people)
        .join(Practitioner, Practitioner.id == people.c.practitioner_id)
        .outerjoin(Organisation, Organisation.id == Practitioner.organisation_id)
        .group_by(Organisation.area_id, people.c.standing)
    )
    counts: dict[int | None, list[int]] = {}
    for area_id, state, count in db.session.execute(query):
        counts.setdefault(area_id, [0, 0, 0])[int(state)] += int(count)
    return _refresher_rows(counts)


def _standing(per_course: Any, today: date) -> sa.ColumnElement[int]:
    """0, 1 or 2 for a person's latest record of one course; a record that never expires is current.

    The due-soon boundary depends on each course's reminder lead time, so the CASE has a branch per course with
    validity (a handful), keeping the date arithmetic in Python and the same on SQLite and PostgreSQL."""
    never_expires = per_course.c.expiring < per_course.c.records  # the latest record may have no expiry
    branches: list[tuple[sa.ColumnElement[bool], int]] = [
        (never_expires, 0),
        (per_course.c.expires_on.is_(None), 0),
        (per_course.c.expires_on <= today, 2),
    ]
    courses = db.session.execute(
        sa.select(Course.id, Course.reminder_lead_days).where(
            Course.counts_as_trained.is_(True), Course.validity_months.is_not(None)
        )
    ).all()
    for course_id, lead_days in courses:
        soon = today + timedelta(days=lead_days)
        branches.append((sa.and_(per_course.c.course_id == course_id, per_course.c.expires_on <= soon), 1))
    return sa.case(*branches, else_=0)


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
