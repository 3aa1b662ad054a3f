"""Minimum numbers (SPEC 3.3): a session runs with at least its minimum places taken (its own `minimum_places`, or
its course's). From the course's `minimum_notice_days` working days before day one, coordinators are emailed once
about each scheduled session still below it, so they can cancel it or run it; lists flag such sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from ...extensions import db
from ...models import Course, SessionStatus, TrainingSession
from ..accounts.scope import coordinator_emails
from ..booking.places import taken_on
from ..common.calendar import working_days_before
from ..mail.mail import queue_email

# The furthest ahead an alert can fall: 60 working days (the largest notice a course may set) and their weekends.
LOOK_AHEAD_DAYS = 100


def minimum_of() -> sa.ColumnElement[int | None]:
    """The session's minimum places: its own, else its course's (join Course on the session's course)."""
    return sa.func.coalesce(TrainingSession.minimum_places, Course.minimum_places)


@dataclass(frozen=True)
class BelowMinimum:
    session_id: int
    code: str
    course: str
    starts_on: date
    taken: int
    minimum: int
    alert_on: date  # the day coordinators are told, the course's notice in working days before day one


def below_minimum(
    today: date, session_ids: list[int] | None = None, codes: list[str] | None = None
) -> list[BelowMinimum]:
    """Scheduled sessions to come with fewer places taken than their minimum, soonest first (one statement): all
    within the look-ahead, or only those of the given ids or codes (a page of a list, however far ahead)."""
    minimum, taken = minimum_of(), taken_on(TrainingSession.id)
    query = (
        sa.select(
            TrainingSession.id,
            TrainingSession.code,
            Course.title,
            TrainingSession.starts_on,
            taken.label("taken"),
            minimum.label("minimum"),
            Course.minimum_notice_days,
        )
        .join(Course, Course.id == TrainingSession.course_id)
        .where(
            TrainingSession.status == SessionStatus.SCHEDULED,
            TrainingSession.starts_on > today,
            minimum.is_not(None),
            taken < minimum,
        )
        .order_by(TrainingSession.starts_on, TrainingSession.code)
    )
    if session_ids is not None:
        query = query.where(TrainingSession.id.in_(session_ids))
    elif codes is not None:
        query = query.where(TrainingSession.code.in_(codes))
    else:
        query = query.where(TrainingSession.starts_on <= today + timedelta(days=LOOK_AHEAD_DAYS))
    return [
        BelowMinimum(sid, code, title, starts_on, taken_count, least, working_days_before(starts_on, notice))
        for sid, code, title, starts_on, taken_count, least, notice in db.session.execute(query)
        if starts_on is not None and least is not None  # the query asks for both
    ]


def alert_below_minimum(today: date) -> int:
    """Email the coordinators about each session below its minimum whose notice day has come, once per session (the
    email's dedupe key); committed. The scheduler's daily job. Returns how many sessions were told of."""
    due = [row for row in below_minimum(today) if row.alert_on <= today]
    coordinators = coordinator_emails()
    if not due or not coordinators:
        return 0
    base = current_app.config["SERVICE_URL"].rstrip("/")
    told = 0
    for row in due:
        body = (
            f"Session {row.code} ({row.course}) starts on {row.starts_on:%A %-d %B %Y} with {row.taken} of its "
            f"minimum {row.minimum} places taken.\n\nDecide whether to run it or cancel it:\n"
            f"{base}/sessions/{row.code}\n"
        )
        subject = f"Below its minimum: {row.course} ({row.code})"
        if queue_email(coordinators, subject, body, dedupe_key=f"below-minimum:{row.session_id}") is not None:
            told += 1
    db.session.commit()
    return told
