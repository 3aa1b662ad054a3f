"""Interest in a course (SPEC 3.4 Interest): "tell me when there are dates".

A practitioner registers interest in a course themself, or their booker or a coordinator does it for them (who may is
`scope.can_book_for`, the booking rule); one interest per practitioner per course (a unique key, so two at once give
one and a conflict). When a session of the course is scheduled (a new session, a copy, a change, a sessions import:
each calls `tell_interested`), everyone interested who is not booked on the course and has not left is emailed once
for that session (the outgoing mail's dedupe key per interest and session), with a link to book it.

**Decision:** an interest lasts until it is withdrawn. A booking on the course answers it: while the practitioner
holds a place, a place on the waiting list or a request on the course, or once they attended one booked since they
asked, they are neither counted nor emailed; if that booking is cancelled (or missed) they want a date again, so the
interest counts again. So the booking path itself writes nothing more. A course's interest is counted by the
authority and area of the practitioner's organisation, the rule of the reports' 'By area' sheet (SPEC 3.9, 4.4).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app

from ...extensions import db
from ...models import (
    ACTIVE_STATUSES,
    Area,
    AuditAction,
    Authority,
    Booking,
    BookingStatus,
    Course,
    CourseInterest,
    Organisation,
    Practitioner,
    TrainingSession,
    User,
)
from ..accounts import audit
from ..accounts.scope import bookers_by_organisation, can_book_for
from ..common.batches import fetch_in
from ..common.calendar import london_today
from ..common.locks import lock_row, locking
from ..common.unique_keys import refused_if_taken
from ..mail.mail import queue_email
from ..reporting.counting import practitioner_ids_in_scope
from ..reporting.report_rows import in_area_order
from ..workforce.in_post import not_left_by
from .booking_checks import BookingRefused, Refusal, open_for_booking

# A booking that answers an interest: a place, a place on the waiting list, or a request for one.
ANSWERING = (*ACTIVE_STATUSES, BookingStatus.REQUESTED)


@dataclass(frozen=True)
class InterestRow:
    """How many want dates of a course in one area, under the authority of their organisation."""

    authority: str
    area: str
    count: int


@dataclass(frozen=True)
class InterestCounts:
    """A course's interest: the total and the rows by authority and area."""

    total: int
    rows: list[InterestRow]


def answered() -> sa.ColumnElement[bool]:
    """SQL: the interest's practitioner holds a booking on its course that answers it, or has attended one booked
    since they asked (course_interests in the query)."""
    return (
        sa.select(Booking.id)
        .where(
            Booking.practitioner_id == CourseInterest.practitioner_id,
            Booking.course_id == CourseInterest.course_id,
            sa.or_(
                Booking.status.in_(ANSWERING),
                sa.and_(Booking.status == BookingStatus.ATTENDED, Booking.created_at >= CourseInterest.registered_at),
            ),
        )
        .exists()
    )


def register_interest(course: Course, practitioner: Practitioner, by: User) -> CourseInterest:
    """Register the practitioner's interest in the course; committed and audited. BookingRefused says why not:
    out of the user's scope (forbidden), a leaver or a retired course (invalid), already booked or already
    interested (conflict, also when a simultaneous request registered it first)."""
    if not can_book_for(by, practitioner):
        raise BookingRefused("practitioner", "is not one of the people you may act for", Refusal.FORBIDDEN)
    practitioner = lock_row(Practitioner, practitioner.id)  # read afresh: their leaving date may just have changed
    problem = _register_problem(course, practitioner)
    if problem is not None:
        db.session.rollback()
        raise problem
    interest = CourseInterest(course_id=course.id, practitioner_id=practitioner.id, registered_by_id=by.id)
    db.session.add(interest)
    with refused_if_taken({"uq_course_interests_course_id_practitioner_id": lambda: _already(course, practitioner)}):
        db.session.flush()
    audit.record(by, AuditAction.INTEREST_REGISTERED, interest, None, _values(course, practitioner))
    db.session.commit()
    return interest


def _register_problem(course: Course, practitioner: Practitioner) -> BookingRefused | None:
    today = london_today()
    if practitioner.left_on is not None and practitioner.left_on <= today:
        message = f"{practitioner.full_name} left on {practitioner.left_on:%-d %B %Y}"
        return BookingRefused("practitioner", message)
    if course.is_retired:
        return BookingRefused("course", f"course {course.code} is retired, so it will have no more dates")
    booked = sa.select(Booking.id).where(
        Booking.practitioner_id == practitioner.id, Booking.course_id == course.id, Booking.status.in_(ANSWERING)
    )
    if db.session.scalar(booked.exists().select()):
        message = f"{practitioner.full_name} is already booked on {course.title}"
        return BookingRefused("practitioner", message, Refusal.CONFLICT)
    if _interest(course.id, practitioner.id) is not None:
        return _already(course, practitioner)
    return None


def _already(course: Course, practitioner: Practitioner) -> BookingRefused:
    message = f"{practitioner.full_name} has already asked to be told of dates for {course.title}"
    return BookingRefused("practitioner", message, Refusal.CONFLICT)


def withdraw_interest(course: Course, practitioner: Practitioner, by: User) -> None:
    """Withdraw the practitioner's interest in the course; committed and audited. BookingRefused: out of scope
    (forbidden), or no interest to withdraw (conflict: withdrawn already, perhaps at the same moment)."""
    if not can_book_for(by, practitioner):
        raise BookingRefused("practitioner", "is not one of the people you may act for", Refusal.FORBIDDEN)
    interest = _interest(course.id, practitioner.id, lock=True)
    if interest is None:
        db.session.rollback()
        message = f"{practitioner.full_name} has no interest in {course.title} to withdraw"
        raise BookingRefused("practitioner", message, Refusal.CONFLICT)
    audit.record(by, AuditAction.INTEREST_WITHDRAWN, interest, _values(course, practitioner), None)
    db.session.delete(interest)
    db.session.commit()


def _interest(course_id: int, practitioner_id: int, lock: bool = False) -> CourseInterest | None:
    query = sa.select(CourseInterest).where(
        CourseInterest.course_id == course_id, CourseInterest.practitioner_id == practitioner_id
    )
    return db.session.scalar(locking(query) if lock else query)


def _values(course: Course, practitioner: Practitioner) -> dict[str, str]:
    return {"course": course.code, "practitioner": practitioner.email}


def interested_among(course_id: int, practitioner_ids: Iterable[int]) -> set[int]:
    """Which of these practitioners have registered interest in the course (one statement)."""
    wanted = list(practitioner_ids)
    if not wanted:
        return set()
    query = sa.select(CourseInterest.practitioner_id).where(
        CourseInterest.course_id == course_id, CourseInterest.practitioner_id.in_(wanted)
    )
    return set(db.session.scalars(query))


def interest_by_area(
    course_id: int, authority_ids: set[int] | None = None, organisation_id: int | None = None
) -> InterestCounts:
    """Who wants dates of the course and is not booked on it nor gone, counted by their organisation's authority and
    area (the 'By area' rule), in the reports' order; for a workforce lead (authority_ids) only people who work for
    one of their authorities, for a booker (organisation_id) only their staff. One grouped statement."""
    query = (
        sa.select(Authority.name, Authority.display_order, Area.name, sa.func.count(CourseInterest.id))
        .select_from(CourseInterest)
        .join(Practitioner, Practitioner.id == CourseInterest.practitioner_id)
        .outerjoin(Organisation, Organisation.id == Practitioner.organisation_id)
        .outerjoin(Authority, Authority.id == Organisation.authority_id)
        .outerjoin(Area, Area.id == Organisation.area_id)
        .where(CourseInterest.course_id == course_id, not_left_by(london_today()), sa.not_(answered()))
        .group_by(Authority.id, Authority.name, Authority.display_order, Area.id, Area.name)
    )
    if authority_ids is not None:
        query = query.where(Practitioner.id.in_(practitioner_ids_in_scope(authority_ids)))
    if organisation_id is not None:
        query = query.where(Practitioner.organisation_id == organisation_id)
    found: list[tuple[str | None, int | None, str | None, int]] = [
        (name, order, area, count) for name, order, area, count in db.session.execute(query)
    ]
    rows = [InterestRow(*row) for row in in_area_order(found)]
    return InterestCounts(sum(row.count for row in rows), rows)


@dataclass(frozen=True)
class _Due:
    interest_id: int
    session_id: int
    code: str
    course: str
    title: str
    email: str
    name: str
    organisation_id: int | None
    starts_on: date | None


def tell_interested(session_ids: Iterable[int]) -> int:
    """Queue, in the caller's transaction, one email to each person interested in the course of each of these
    sessions that is open for booking, who is not booked on the course and has not left: once per interest and
    session, however often the session is saved again (the dedupe key). Returns how many were queued."""
    wanted = sorted(set(session_ids))
    if not wanted:
        return 0
    today = london_today()
    query = (
        sa.select(
            CourseInterest.id,
            TrainingSession.id,
            TrainingSession.code,
            Course.code,
            Course.title,
            Practitioner.email,
            Practitioner.first_name,
            Practitioner.last_name,
            Practitioner.organisation_id,
            TrainingSession.starts_on,
        )
        .join(TrainingSession, TrainingSession.course_id == CourseInterest.course_id)
        .join(Course, Course.id == CourseInterest.course_id)
        .join(Practitioner, Practitioner.id == CourseInterest.practitioner_id)
        .where(
            open_for_booking(today),
            not_left_by(today),
            sa.not_(answered()),
        )
        .order_by(TrainingSession.id, CourseInterest.id)
    )
    due = [
        _Due(interest, session, code, course, title, email, f"{first} {last}", organisation, starts)
        for interest, session, code, course, title, email, first, last, organisation, starts in fetch_in(
            query, TrainingSession.id, wanted, scalars=False
        )
    ]
    copied = bookers_by_organisation(row.organisation_id for row in due) if due else {}
    base = current_app.config["SERVICE_URL"].rstrip("/")
    told = 0
    for row in due:
        body = (
            f"Dear {row.name},\n\nYou asked to be told when there are dates for {row.title}. Session {row.code} "
            f"starts on {row.starts_on:%A %-d %B %Y}. See it and book a place:\n{base}/sessions/{row.code}\n\n"
            f"You will be told of other new dates too until you book the course or withdraw your interest:\n"
            f"{base}/courses/{row.course}\n"
        )
        cc = copied.get(row.organisation_id, []) if row.organisation_id is not None else []
        subject = f"New dates: {row.title} ({row.code})"
        if queue_email([row.email], subject, body, cc=cc, dedupe_key=f"interest:{row.interest_id}:{row.session_id}"):
            told += 1
    return told
