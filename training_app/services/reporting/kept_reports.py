"""The report pages' answers as kept by report_cache (issue 25): each names its report, the type its answer is rebuilt
as and the counting function behind it, once, for the pages and for the scheduler, which counts today's answers of
every scope ahead of the first visit (`count_todays_reports`). The counting functions themselves are untouched.
Each returns None while another visit's count of the same answer is under way."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from ...database import read_only
from ...extensions import db
from ...models import Role, User
from ...models.users import user_authorities
from ..common.calendar import EARLIEST_DATE
from .attendance_counts import AttendanceRow, attendance_by_authority
from .counting import AreaRow, trained_by_area
from .coverage import CoverageGrid, CoverageOpening, coverage_grid, coverage_opening
from .report_cache import Kept, kept_answer
from .report_rows import StillToTrainRow, still_to_train

Scope = set[int] | None


def kept_trained_by_area(as_of: date, scope: Scope) -> Kept[list[AreaRow]] | None:
    """The SPEC 3.9 table on a date."""
    return kept_answer("trained-by-area", list[AreaRow], as_of, scope, lambda: trained_by_area(as_of, scope))


def kept_still_to_train(as_of: date, scope: Scope) -> Kept[list[StillToTrainRow]] | None:
    """Who is still to train per authority on a date."""
    return kept_answer("still-to-train", list[StillToTrainRow], as_of, scope, lambda: still_to_train(as_of, scope))


def kept_coverage(as_of: date, scope: Scope) -> Kept[CoverageGrid] | None:
    """The coverage grid on a date."""
    return kept_answer("coverage", CoverageGrid, as_of, scope, lambda: coverage_grid(as_of, scope))


def kept_coverage_opening(today: date, scope: Scope) -> Kept[CoverageOpening] | None:
    """The day the coverage page opens on, and why."""
    return kept_answer("coverage-opening", CoverageOpening, today, scope, lambda: coverage_opening(today, scope))


def kept_attendance(
    start: date | None, end: date | None, session_id: int | None, scope: Scope
) -> Kept[list[AttendanceRow]] | None:
    """Attendees per authority set of a period and/or session (the period is in the report's name: the answer does
    not depend on the day it is asked)."""
    return kept_answer(
        f"attendance:{start or ''}:{end or ''}:{session_id or ''}",
        list[AttendanceRow],
        EARLIEST_DATE,
        scope,
        lambda: attendance_by_authority(start, end, session_id, scope),
    )


def count_todays_reports(today: date) -> int:
    """Count, where the data changed since, what the report pages open on today for everyone and each active
    workforce lead's scope, so their first visits find it kept (the scheduler's, after the dashboards' summaries).
    Each answer commits on its own. Returns how many scopes were looked at."""
    scopes: list[Scope] = [None, *_lead_scopes()]
    db.session.commit()
    with read_only():  # each answer's claim and keeping commit by themselves, as in a request
        for scope in scopes:
            kept_trained_by_area(today, scope)
            kept_still_to_train(today, scope)
            opening = kept_coverage_opening(today, scope)
            kept_coverage(opening.value.as_of if opening else today, scope)
            db.session.commit()
    return len(scopes)


def _lead_scopes() -> list[set[int]]:
    rows = db.session.execute(
        sa.select(user_authorities.c.user_id, user_authorities.c.authority_id)
        .join(User, User.id == user_authorities.c.user_id)
        .where(User.role == Role.WORKFORCE_LEAD, User.active.is_(True))
    ).all()
    per_lead: dict[int, set[int]] = {}
    for user_id, authority_id in rows:
        per_lead.setdefault(user_id, set()).add(authority_id)
    distinct = {tuple(sorted(ids)) for ids in per_lead.values()}
    return [set(ids) for ids in sorted(distinct)]
