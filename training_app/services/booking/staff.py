"""A booker's staff list (SPEC 3.4, issue 7): their organisation's practitioners, paged and counted in SQL, with each
person's pathway status at a glance (attendance/completions.course_status on one query's rows for the whole page) and a
filter for who still needs a required course. Adding and changing a person goes through the practitioners import's
reader (imports/single_row), so the rules live once; `staff_email_problem` keeps a booker inside their organisation.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

import sqlalchemy as sa

from ...extensions import db
from ...models import (
    ACTIVE_STATUSES,
    Booking,
    Course,
    Pathway,
    PathwayCourse,
    PathwayStatus,
    Practitioner,
    Requirement,
    ResponsibilityGroup,
    SessionStatus,
    TrainingSession,
)
from ..attendance.completions import COUNTS_FOR, course_status, latest_completions
from ..common.calendar import london_today
from ..workforce.in_post import not_left_by

AnySelect = sa.Select[*tuple[Any, ...]]
PER_PAGE = 50
ANY_REQUIRED = "any"
ONE_COURSE = "course"  # a list narrowed to those who still need one course, its code bound as `needs`
# What a request binds in the list's statements, which are built once (_statements, _steps_query).
ORGANISATION = sa.bindparam("organisation_id", type_=sa.Integer)
TODAY = sa.bindparam("today", type_=sa.Date)


@dataclass(frozen=True)
class StepStatus:
    """One course of a person's pathway and where they stand on it."""

    course_code: str
    course_title: str
    requirement: Requirement
    status: PathwayStatus


@dataclass
class StaffMember:
    """One row of the staff list."""

    id: int
    first_name: str
    last_name: str
    email: str
    job_title: str | None
    group: str | None
    cover_category: str
    left_on: date | None = None
    steps: list[StepStatus] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def still_needs(self) -> list[StepStatus]:
        """Required courses not started or expired (and not booked)."""
        return [step for step in self.steps if step.requirement == Requirement.REQUIRED and step.status in NEEDED]


NEEDED = frozenset({PathwayStatus.NOT_STARTED, PathwayStatus.EXPIRED})


@dataclass(frozen=True)
class StaffPage:
    """One page of an organisation's staff, with how many match and how many still need a required course."""

    members: list[StaffMember]
    total: int
    page: int
    pages: int
    needing: int


def staff_page(
    organisation_id: int,
    today: date,
    needs: str = "",
    search: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
    leavers: bool = False,
) -> StaffPage:
    """A page of the organisation's staff by name; `needs` narrows it to those who still need a required course
    (ANY_REQUIRED, or one course's code); `search` to names and emails containing the text. Those who have left
    by `today` (SPEC 3.1) are listed apart: only they with `leavers`, never otherwise."""
    shape = "" if not needs else ANY_REQUIRED if needs == ANY_REQUIRED else ONE_COURSE
    counts, listing = _statements(bool(search), leavers, shape)
    escaped = search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    params: dict[str, Any] = {"organisation_id": organisation_id, "today": today, "needs": needs}
    params["pattern"] = f"%{escaped}%"
    total, needing = db.session.execute(counts, params).one()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = db.session.execute(listing, params | {"offset": (page - 1) * per_page, "limit": per_page}).all()
    members = [
        StaffMember(
            row.id, row.first_name, row.last_name, row.email, row.job_title, row.group, row.cover_category, row.left_on
        )
        for row in rows
    ]
    _add_steps(members, today)
    return StaffPage(members, int(total), page, pages, int(needing))


@functools.cache
def _statements(searching: bool, leavers: bool, needs: str) -> tuple[AnySelect, AnySelect]:
    """The counts (how many match, how many still need a required course) and the page, for one shape of the list,
    built once (issue 25: building them took more of a request than running them); a request binds
    organisation_id, today, pattern, needs (a course's code), offset and limit."""
    query = _staff_query(searching)
    query = query.where(~not_left_by(TODAY) if leavers else not_left_by(TODAY))
    needing = _needs_required(ANY_REQUIRED)
    wanted = needing if needs == ANY_REQUIRED else _needs_required(ONE_COURSE) if needs else None
    rows = query.add_columns((wanted if wanted is not None else sa.true()).label("wanted"), needing.label("needing"))
    counted = rows.subquery()
    counts = sa.select(
        sa.func.count(sa.case((counted.c.wanted, 1))), sa.func.count(sa.case((counted.c.needing, 1)))
    ).select_from(counted)
    if wanted is not None:
        query = query.where(wanted)
    listing = (
        query.order_by(Practitioner.last_name, Practitioner.first_name, Practitioner.id)
        .offset(sa.bindparam("offset", type_=sa.Integer))
        .limit(sa.bindparam("limit", type_=sa.Integer))
    )
    return counts, listing


def required_courses(organisation_id: int) -> list[tuple[str, str]]:
    """(code, title) of the courses some pathway of the organisation's staff requires, for the filter."""
    query = (
        sa.select(Course.code, Course.title)
        .join(PathwayCourse, PathwayCourse.course_id == Course.id)
        .join(Pathway, Pathway.id == PathwayCourse.pathway_id)
        .where(
            PathwayCourse.requirement == Requirement.REQUIRED,
            Pathway.group_id.in_(
                sa.select(Practitioner.group_id).where(Practitioner.organisation_id == organisation_id)
            ),
        )
        .distinct()
        .order_by(Course.code)
    )
    return [(row.code, row.title) for row in db.session.execute(query)]


def staff_email_problem(organisation_id: int, email: str, existing_id: int | None = None) -> str | None:
    """Why this email cannot be used for a member of the organisation's staff: someone else already has it."""
    holder = db.session.execute(
        sa.select(Practitioner.id, Practitioner.organisation_id).where(Practitioner.email == email.strip().lower())
    ).first()
    if holder is None or holder.id == existing_id:
        return None
    if holder.organisation_id == organisation_id:
        return "is already on your staff list"
    return "belongs to someone at another organisation: ask the training coordinator to move them"


def _staff_query(searching: bool) -> AnySelect:
    query = (
        sa.select(
            Practitioner.id,
            Practitioner.first_name,
            Practitioner.last_name,
            Practitioner.email,
            Practitioner.job_title,
            ResponsibilityGroup.code.label("group"),
            Practitioner.cover_category,
            Practitioner.left_on,
        )
        .outerjoin(ResponsibilityGroup, ResponsibilityGroup.id == Practitioner.group_id)
        .where(Practitioner.organisation_id == ORGANISATION)
    )
    if searching:
        pattern = sa.bindparam("pattern", type_=sa.String)
        columns = (Practitioner.email, Practitioner.first_name + " " + Practitioner.last_name, Practitioner.job_title)
        query = query.where(sa.or_(*(sa.func.lower(column).like(pattern, escape="\\") for column in columns)))
    return query


def _needs_required(needs: str) -> sa.ColumnElement[bool]:
    """The person's group's pathway requires a course (ONE_COURSE: the one whose code is bound as `needs`; or any)
    whose latest completion has expired or who has none, and that they hold no coming booking for: the not started
    and the expired, as `StaffMember.still_needs` reads them (a refresher's completion and booking count for the
    course it renews)."""
    staff = sa.orm.aliased(Practitioner)
    latest = latest_completions(sa.select(staff.id).where(staff.organisation_id == ORGANISATION))
    today = TODAY
    valid_record = (
        sa.select(latest.c.record_id)
        .where(
            latest.c.practitioner_id == Practitioner.id,
            latest.c.course_id == PathwayCourse.course_id,
            sa.or_(latest.c.expires_on.is_(None), latest.c.expires_on > today),
        )
        .correlate_except(latest)
    )
    coming_booking = (
        sa.select(Booking.id)
        .select_from(Booking)
        .join(TrainingSession, TrainingSession.id == Booking.session_id)
        .join(COUNTS_FOR, COUNTS_FOR.c.course_id == Booking.course_id)
        .where(
            Booking.practitioner_id == Practitioner.id,
            COUNTS_FOR.c.counts_for == PathwayCourse.course_id,
            Booking.status.in_(ACTIVE_STATUSES),
            TrainingSession.status != SessionStatus.CANCELLED,
            TrainingSession.ends_on >= today,
        )
        .correlate_except(Booking, TrainingSession, COUNTS_FOR)
    )
    step = (
        sa.select(PathwayCourse.id)
        .join(Pathway, Pathway.id == PathwayCourse.pathway_id)
        .where(
            Pathway.group_id == Practitioner.group_id,
            PathwayCourse.requirement == Requirement.REQUIRED,
            ~valid_record.exists(),
            ~coming_booking.exists(),
        )
    )
    if needs != ANY_REQUIRED:
        step = step.join(Course, Course.id == PathwayCourse.course_id).where(
            Course.code == sa.bindparam("needs", type_=sa.String)
        )
    return step.exists()


def _add_steps(members: Sequence[StaffMember], today: date) -> None:
    """Each member's pathway courses with their status, from one query over the whole page (plus none per row)."""
    if not members:
        return
    by_id = {member.id: member for member in members}
    for row in db.session.execute(_steps_query(), {"ids": list(by_id), "today": today}):
        status = course_status(row.completed_on, row.expires_on, row.reminder_lead_days, bool(row.booked), today)
        by_id[row.id].steps.append(StepStatus(row.code, row.title, row.requirement, status))


@functools.cache
def _steps_query() -> AnySelect:
    """The page's people's pathway courses, their latest completions and coming bookings; built once, `ids` and
    `today` bound per request."""
    ids: sa.BindParameter[list[int]] = sa.bindparam("ids", expanding=True)
    latest = latest_completions(ids)
    booked = (
        sa.select(Booking.practitioner_id.label("person"), COUNTS_FOR.c.counts_for.label("course"))
        .select_from(Booking)
        .join(TrainingSession, TrainingSession.id == Booking.session_id)
        .join(COUNTS_FOR, COUNTS_FOR.c.course_id == Booking.course_id)
        .where(
            Booking.practitioner_id.in_(ids),
            Booking.status.in_(ACTIVE_STATUSES),
            TrainingSession.status != SessionStatus.CANCELLED,
            TrainingSession.ends_on >= TODAY,
        )
        .distinct()
        .subquery()
    )
    return (
        sa.select(
            Practitioner.id,
            Course.code,
            Course.title,
            Course.reminder_lead_days,
            PathwayCourse.requirement,
            latest.c.completed_on,
            latest.c.expires_on,
            booked.c.person.is_not(None).label("booked"),
        )
        .join(Pathway, Pathway.group_id == Practitioner.group_id)
        .join(PathwayCourse, PathwayCourse.pathway_id == Pathway.id)
        .join(Course, Course.id == PathwayCourse.course_id)
        .outerjoin(latest, sa.and_(latest.c.practitioner_id == Practitioner.id, latest.c.course_id == Course.id))
        .outerjoin(booked, sa.and_(booked.c.person == Practitioner.id, booked.c.course == Course.id))
        .where(Practitioner.id.in_(ids))
        .order_by(Practitioner.id, PathwayCourse.position)
    )


class Colleague(NamedTuple):
    """Someone of the same organisation, as a choice."""

    id: int
    first_name: str
    last_name: str


def colleagues_of(person: Practitioner) -> list[Colleague]:
    """The other practitioners of the person's organisation, by name; none without one."""
    if person.organisation_id is None:
        return []
    query = (
        sa.select(Practitioner.id, Practitioner.first_name, Practitioner.last_name)
        .where(Practitioner.organisation_id == person.organisation_id, Practitioner.id != person.id)
        .order_by(Practitioner.last_name, Practitioner.first_name)
    )
    return [Colleague(*row) for row in db.session.execute(query)]


def staff_choices(own_staff: sa.ColumnElement[bool], today: date | None = None) -> list[tuple[int, str]]:
    """A booker's staff (`own_staff`: scope's filter) as (id, "name, job title") choices, by name; not those who have
    left by `today` (SPEC 3.1: they cannot be booked)."""
    query = (
        sa.select(Practitioner.id, Practitioner.first_name, Practitioner.last_name, Practitioner.job_title)
        .where(own_staff, not_left_by(today or london_today()))
        .order_by(Practitioner.last_name, Practitioner.first_name)
    )
    people = db.session.execute(query).all()
    return [(p.id, f"{p.first_name} {p.last_name}" + (f", {p.job_title}" if p.job_title else "")) for p in people]
