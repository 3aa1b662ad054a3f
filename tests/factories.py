"""Plain factory functions: each makes one row with sensible defaults and flushes it."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from training_app.extensions import db
from training_app.models import (
    DEFAULT_RATES_PENCE,
    Area,
    AttendanceMark,
    Authority,
    Booking,
    BookingStatus,
    Course,
    CourseKind,
    CoverCategory,
    Fund,
    FundContribution,
    MarkStatus,
    Organisation,
    OrganisationKind,
    Practitioner,
    RateCard,
    RecordSource,
    ResponsibilityGroup,
    Role,
    SessionDay,
    Trainer,
    TrainingRecord,
    TrainingSession,
    User,
    Venue,
    utcnow,
)
from training_app.services.attendance.records import expiry_for

LONDON = ZoneInfo("Europe/London")
_seq = itertools.count(1)
PASSWORD = "correct horse battery staple"


def _n() -> int:
    return next(_seq)


def make_authority(code: str | None = None, name: str | None = None, partner: bool = True, order: int = 0):
    n = _n()
    authority = Authority(
        code=code or f"AUTH{n}", name=name or f"Authority {n}", partner=partner, display_order=order or n
    )
    db.session.add(authority)
    db.session.flush()
    return authority


def make_area(authority: Authority, name: str | None = None) -> Area:
    area = Area(authority=authority, name=name or f"Area {_n()}")
    db.session.add(area)
    db.session.flush()
    return area


def make_organisation(authority: Authority | None = None, kind=OrganisationKind.SCHOOL, code=None, **fields):
    n = _n()
    organisation = Organisation(
        code=code or f"ORG{n}",
        name=fields.pop("name", f"Organisation {n}"),
        kind=kind,
        authority=authority or make_authority(),
        **fields,
    )
    db.session.add(organisation)
    db.session.flush()
    return organisation


def group(code: str = "3") -> ResponsibilityGroup:
    return db.session.execute(db.select(ResponsibilityGroup).filter_by(code=code)).scalar_one()


def make_practitioner(organisation=None, authorities=None, email=None, cover=CoverCategory.NONE, **fields):
    n = _n()
    organisation = organisation or make_organisation()
    practitioner = Practitioner(
        email=email or f"person{n}@example.org",
        first_name=fields.pop("first_name", "Pat"),
        last_name=fields.pop("last_name", f"Person{n}"),
        organisation=organisation,
        cover_category=cover,
        **fields,
    )
    db.session.add(practitioner)
    db.session.flush()
    practitioner.set_authorities(authorities or [organisation.authority])
    db.session.flush()
    return practitioner


def make_course(code=None, kind=CourseKind.CAF_PRACTITIONER, counts_as_trained=False, **fields) -> Course:
    n = _n()
    course = Course(
        code=code or f"C{n}",
        title=fields.pop("title", f"Course {n}"),
        kind=kind,
        counts_as_trained=counts_as_trained,
        **fields,
    )
    db.session.add(course)
    db.session.flush()
    return course


def make_venue(name=None, capacity=30) -> Venue:
    venue = Venue(name=name or f"Venue {_n()}", capacity=capacity)
    db.session.add(venue)
    db.session.flush()
    return venue


def make_trainer(name=None, user=None) -> Trainer:
    n = _n()
    user_id = user.id if user else None
    trainer = Trainer(name=name or f"Trainer {n}", email=f"trainer{n}@council.example", user_id=user_id)
    db.session.add(trainer)
    db.session.flush()
    return trainer


def london(day: date, at: time) -> datetime:
    """A London wall-clock time as an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC)


def make_session(
    course=None,
    days=(date(2008, 10, 1),),
    capacity=20,
    host=None,
    code=None,
    start=time(9, 30),
    end=time(16, 0),
    **fields,
) -> TrainingSession:
    course = course or make_course()
    host = host or make_authority()
    session = TrainingSession(code=code or f"S-{_n()}", course=course, capacity=capacity, host_authority=host, **fields)
    session.days = [SessionDay(date=d, starts_at=london(d, start), ends_at=london(d, end)) for d in days]
    session.refresh_span()
    db.session.add(session)
    db.session.flush()
    return session


def make_user(role: Role = Role.ADMIN, email=None, password=PASSWORD, organisation=None, authorities=(), **fields):
    if role == Role.BOOKER and organisation is None:
        organisation = make_organisation()
    user = User(email=email or f"user{_n()}@council.example", role=role, organisation=organisation, **fields)
    user.set_password(password)
    user.authorities = list(authorities)
    db.session.add(user)
    db.session.flush()
    return user


def make_booking(session, practitioner, status=BookingStatus.BOOKED, position=None) -> Booking:
    """A booking on a session, its course copied as the booking service does (an open offer running a day)."""
    booking = Booking(
        session=session,
        practitioner=practitioner,
        course_id=session.course_id,
        status=status,
        waitlist_position=position,
        offer_expires_at=utcnow() + timedelta(hours=24) if status == BookingStatus.OFFERED else None,
    )
    db.session.add(booking)
    db.session.flush()
    return booking


def make_record(
    practitioner, course, completed_on: date, expires_on: date | None | str = "from course"
) -> TrainingRecord:
    """A training record imported for a practitioner; its expiry stored from the course's validity, as the import
    stores it, unless given."""
    if expires_on == "from course":
        expires_on = expiry_for(completed_on, course.validity_months)
    record = TrainingRecord(
        practitioner=practitioner,
        course=course,
        completed_on=completed_on,
        expires_on=expires_on,
        source=RecordSource.IMPORT,
    )
    db.session.add(record)
    db.session.flush()
    return record


def make_mark(booking: Booking, day: SessionDay, status=MarkStatus.ATTENDED) -> AttendanceMark:
    """One register mark for a booking on one of its session's days."""
    mark = AttendanceMark(booking_id=booking.id, session_day_id=day.id, status=status)
    db.session.add(mark)
    db.session.flush()
    return mark


def make_attendance(practitioner, days, start=time(9, 30), end=time(16, 0), statuses=None, **fields) -> TrainingSession:
    """A session on these days that the practitioner was booked on, each day marked (attended unless told)."""
    session = make_session(days=days, start=start, end=end, **fields)
    booking = make_booking(session, practitioner, BookingStatus.ATTENDED)
    for index, day in enumerate(session.days):
        make_mark(booking, day, statuses[index] if statuses else MarkStatus.ATTENDED)
    return session


# Claims are submitted by the deadline, checked against today's date: a fund made for a test stays open for claims
# unless the test gives it the deadline it is about (the demo's 2007-08 fund closed on 30 April 2008).
OPEN_CLAIM_DEADLINE = date(2099, 4, 30)


def make_fund(
    financial_year=2007,
    amount_pence=15_400_000,
    scheme_start=date(2007, 9, 1),
    claim_deadline=OPEN_CLAIM_DEADLINE,
    contributions=(),
) -> Fund:
    """A supply-cover fund with the default rate card and any (contributor, pence) contributions; open for claims
    unless given a `claim_deadline`."""
    fund = Fund(
        financial_year=financial_year,
        amount_pence=amount_pence,
        scheme_start=scheme_start,
        claim_deadline=claim_deadline,
    )
    fund.rates = [RateCard(category=c, unit=u, amount_pence=p) for (c, u), p in DEFAULT_RATES_PENCE.items()]
    fund.contributions = [FundContribution(contributor=name, amount_pence=pence) for name, pence in contributions]
    db.session.add(fund)
    db.session.flush()
    return fund
