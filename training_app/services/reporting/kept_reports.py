"""The report pages' answers as kept by report_cache (issue 25): each names its report, the type its answer is rebuilt
as and the counting function behind it, once, for the pages and for the scheduler, which counts today's answers of
every scope ahead of the first visit, and every answer a request found too slow to count and handed over to it
(`count_todays_reports`). The counting functions themselves are untouched. Each returns what
report_cache.kept_answer does: the current answer, an older one marked not current while the current one is being
counted, or None when there is nothing to show yet."""

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
from .report_cache import ALL, Kept, Key, handed_over, kept_answer
from .report_rows import StillToTrainRow, still_to_train

Scope = set[int] | None


def kept_trained_by_area(as_of: date, scope: Scope, scheduler: bool = False) -> Kept[list[AreaRow]] | None:
    """The SPEC 3.9 table on a date."""
    return kept_answer("trained-by-area", list[AreaRow], as_of, scope, lambda: trained_by_area(as_of, scope), scheduler)


def kept_still_to_train(as_of: date, scope: Scope, scheduler: bool = False) -> Kept[list[StillToTrainRow]] | None:
    """Who is still to train per authority on a date."""
    return kept_answer(
        "still-to-train", list[StillToTrainRow], as_of, scope, lambda: still_to_train(as_of, scope), scheduler
    )


def kept_coverage(as_of: date, scope: Scope, scheduler: bool = False) -> Kept[CoverageGrid] | None:
    """The coverage grid on a date."""
    return kept_answer("coverage", CoverageGrid, as_of, scope, lambda: coverage_grid(as_of, scope), scheduler)


def kept_coverage_opening(today: date, scope: Scope, scheduler: bool = False) -> Kept[CoverageOpening] | None:
    """The day the coverage page opens on, and why."""
    return kept_answer(
        "coverage-opening", CoverageOpening, today, scope, lambda: coverage_opening(today, scope), scheduler
    )


def kept_attendance(
    start: date | None, end: date | None, session_id: int | None, scope: Scope, scheduler: bool = False
) -> Kept[list[AttendanceRow]] | None:
    """Attendees per authority set of a period and/or session (the period is in the report's name: the answer does
    not depend on the day it is asked)."""
    return kept_answer(
        f"attendance:{start or ''}:{end or ''}:{session_id or ''}",
        list[AttendanceRow],
        EARLIEST_DATE,
        scope,
        lambda: attendance_by_authority(start, end, session_id, scope),
        scheduler,
    )


def count_todays_reports(today: date) -> int:
    """Count, where the data changed since, what the report pages open on today for everyone and each active
    workforce lead's scope, so their first visits find it kept, then every answer a request handed over as too slow
    to count in a request (the scheduler's, after the dashboards' summaries). Each answer commits on its own.
    Returns how many scopes were looked at."""
    scopes: list[Scope] = [None, *_lead_scopes()]
    db.session.commit()
    with read_only():  # each answer's claim and keeping commit by themselves, as in a request
        for scope in scopes:
            kept_trained_by_area(today, scope, True)
            kept_still_to_train(today, scope, True)
            opening = kept_coverage_opening(today, scope, True)
            kept_coverage(opening.value.as_of if opening and opening.current else today, scope, True)
            db.session.commit()
        for key in handed_over():
            _count_handed_over(key)
            db.session.commit()
    return len(scopes)


def _count_handed_over(key: Key) -> None:
    """Count the answer a request handed over, as its key names it (report@code, date, scope)."""
    report, as_of, scope_text = key
    name = report.rsplit("@", 1)[0]
    scope = None if scope_text == ALL else {int(i) for i in scope_text.split(",")}
    if name.startswith("attendance:"):
        _, start, end, session_id = name.split(":")
        kept_attendance(_day(start), _day(end), int(session_id) if session_id else None, scope, True)
        return
    counts = {
        "trained-by-area": kept_trained_by_area,
        "still-to-train": kept_still_to_train,
        "coverage": kept_coverage,
        "coverage-opening": kept_coverage_opening,
    }
    if name in counts:
        counts[name](as_of, scope, True)


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


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None
