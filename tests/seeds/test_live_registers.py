"""The demo's live registers (SPEC 5): today's register open and partly marked; last month's marked, with
completions and certificates, a charged no-show and a partial day; and the register rules agree with the seed."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from training_app.extensions import db
from training_app.models import (
    AttendanceMark,
    Booking,
    BookingStatus,
    Certificate,
    Charge,
    ChargeReason,
    CoverCategory,
    MarkStatus,
    OrganisationKind,
    TrainingRecord,
    TrainingSession,
)
from training_app.services.attendance.records import status_from_marks
from training_app.services.attendance.registers import register_closed_reason, register_rows
from training_app.services.booking.booking_needs import needs_of_session

TODAY = date(2026, 12, 1)


@pytest.fixture
def live(app):
    """The demo pinned to 1 December 2026 (one seed for this module's one test: seeding takes seconds)."""
    result = app.test_cli_runner().invoke(args=["seed", "demo", "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output


def test_todays_register_is_open_and_last_months_are_marked(app_ctx, live):
    running = db.session.scalars(sa.select(TrainingSession).filter_by(starts_on=TODAY)).first()
    assert register_closed_reason(running, TODAY) is None
    rows = register_rows(running)
    assert len(rows) == 8 and all(row.booking.status == BookingStatus.BOOKED for row in rows)
    marks = [mark for row in rows for mark in row.marks.values()]
    assert [(mark.status, mark.noted_time.strftime("%H:%M")) for mark in marks] == [(MarkStatus.PARTIAL, "10:05")]
    # Two of today's people told the trainers of needs, which the register shows them (SPEC 3.4 booking questions).
    needs = needs_of_session(running)
    assert [(bool(row.access), bool(row.dietary)) for row in needs] in (
        [(True, False), (False, True)],
        [(False, True), (True, False)],
    )
    assert "Nut allergy" in "".join(row.dietary or "" for row in needs)

    last_month = db.session.scalars(
        sa.select(TrainingSession)
        .where(TrainingSession.starts_on.between(date(2026, 11, 1), date(2026, 11, 30)))
        .where(TrainingSession.code.like("%-R0_"))
        .order_by(TrainingSession.code)
    ).all()
    assert [session.code for session in last_month] == ["AWARE-PLUS-2026-R02", "CAF-REFRESH-2026-R01"]
    bookings = db.session.scalars(
        sa.select(Booking).where(Booking.session_id.in_([session.id for session in last_month]))
    ).all()
    statuses = sorted(booking.status.value for booking in bookings)
    assert statuses.count("attended") == 14 and statuses.count("no_show") == 2 and statuses.count("booked") == 1
    # Every booking's status is what the one completion rule makes of its marks.
    marks_of: dict[int, dict[int, MarkStatus]] = {}
    for mark in db.session.scalars(
        sa.select(AttendanceMark).where(AttendanceMark.booking_id.in_([b.id for b in bookings]))
    ):
        marks_of.setdefault(mark.booking_id, {})[mark.session_day_id] = mark.status
    for booking in bookings:
        assert status_from_marks([d.id for d in booking.session.days], marks_of.get(booking.id, {})) == booking.status
    completed = [booking.id for booking in bookings if booking.status == BookingStatus.ATTENDED]
    records = db.session.scalars(sa.select(TrainingRecord).where(TrainingRecord.booking_id.in_(completed))).all()
    assert len(records) == 14
    certificates = db.session.scalars(
        sa.select(Certificate).where(Certificate.training_record_id.in_([r.id for r in records]))
    ).all()
    assert len(certificates) == 14 and all(c.revoked_at is None for c in certificates)
    charges = db.session.scalars(sa.select(Charge).where(Charge.reason == ChargeReason.NO_SHOW)).all()
    assert sorted(charge.amount_pence for charge in charges) == [2500, 7500]  # a half day; a day and a half day
    school_staff = {
        booking.practitioner.email
        for booking in bookings
        if booking.status == BookingStatus.ATTENDED
        and booking.practitioner.organisation.kind == OrganisationKind.SCHOOL
        and booking.practitioner.cover_category != CoverCategory.NONE
    }
    assert len(school_staff) == 6
