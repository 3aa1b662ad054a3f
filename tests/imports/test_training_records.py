"""Imports of historical training records, and the record service they share with completed bookings."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import make_booking, make_course, make_practitioner, make_session
from tests.imports.helpers import partnership, run_import, table_counts
from training_app.extensions import db
from training_app.models import BookingStatus, Certificate, Course, RecordSource, TrainingRecord
from training_app.services.attendance.records import add_months, certificate_number, expiry_for, record_completion

HEADER = "practitioner,course,completed_on"


def records() -> list[tuple]:
    db.session.expire_all()
    query = sa.select(TrainingRecord).order_by(TrainingRecord.completed_on)
    return [
        (r.practitioner.email, r.course.code, r.completed_on, r.expires_on, r.source) for r in db.session.scalars(query)
    ]


@pytest.fixture
def people(app_ctx):
    places = partnership()
    make_course("ANNUAL", validity_months=12)
    found = [make_practitioner(places["school"], email=email) for email in ("pat@example.org", "sam@example.org")]
    db.session.commit()
    return found


def test_training_records_are_created_with_their_expiry(people):
    result = run_import(
        "training-records",
        HEADER,
        "Pat@example.org,CAF,2007-01-31",
        "pat@example.org,CAF,2008-02-29",
        "sam@example.org,AWA,2006-05-17",
        "sam@example.org,ANNUAL,2008-01-31",
    )

    assert result.summary == "imported 4 training-records (4 created, 0 updated)"
    assert records() == [
        ("sam@example.org", "AWA", date(2006, 5, 17), None, RecordSource.IMPORT),
        ("pat@example.org", "CAF", date(2007, 1, 31), date(2010, 1, 31), RecordSource.IMPORT),
        ("sam@example.org", "ANNUAL", date(2008, 1, 31), date(2009, 1, 31), RecordSource.IMPORT),
        ("pat@example.org", "CAF", date(2008, 2, 29), date(2011, 2, 28), RecordSource.IMPORT),
    ]


def test_an_existing_record_is_updated_not_repeated(people):
    assert run_import("training-records", HEADER, "pat@example.org,CAF,2007-01-31").ok

    result = run_import("training-records", HEADER, "pat@example.org,CAF,2007-01-31", "pat@example.org,AWA,2007-01-31")

    assert result.summary == "imported 2 training-records (1 created, 1 updated)"
    assert table_counts()["training_records"] == 2


def test_a_reimport_after_a_validity_change_keeps_the_stored_expiry_only_redating_moves_it(people):
    assert run_import("training-records", HEADER, "pat@example.org,CAF,2007-01-31").ok
    db.session.scalars(sa.select(Course).filter_by(code="CAF")).one().validity_months = 12
    db.session.commit()

    assert run_import("training-records", HEADER, "pat@example.org,CAF,2007-01-31", "sam@example.org,CAF,2007-01-31").ok

    expiries = sorted((email, expires_on) for email, _, _, expires_on, _ in records())
    assert expiries == [("pat@example.org", date(2010, 1, 31)), ("sam@example.org", date(2008, 1, 31))]


def test_bad_training_record_rows_are_all_reported(people):
    before = table_counts()
    tomorrow = date.today() + timedelta(days=1)

    result = run_import(
        "training-records",
        HEADER,
        "pat@example.org,CAF,2007-01-31",
        "nobody@example.org,NOPE,2007-13-01",
        f"sam@example.org,CAF,{tomorrow}",
        "sam@example.org,CAF,31/01/2007",
        "PAT@example.org,CAF,2007-01-31",
    )

    assert result.errors == [
        "line 3: practitioner: no practitioner with email nobody@example.org",
        "line 3: course: no course with code NOPE",
        "line 3: completed_on: 2007-13-01 is not a real date",
        f"line 4: completed_on: {tomorrow} is in the future",
        'line 5: completed_on: must be a date as YYYY-MM-DD, not "31/01/2007"',
        "line 6: completed_on: repeats line 2 (same practitioner and course and completed_on)",
    ]
    assert table_counts() == before


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2008, 1, 31), 1, date(2008, 2, 29)),
        (date(2007, 1, 31), 1, date(2007, 2, 28)),
        (date(2008, 2, 29), 12, date(2009, 2, 28)),
        (date(2008, 11, 30), 3, date(2009, 2, 28)),
        (date(2008, 6, 15), 36, date(2011, 6, 15)),
        (date(2008, 12, 31), 12, date(2009, 12, 31)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(day, months, expected):
    assert add_months(day, months) == expected


def test_a_course_without_validity_never_expires():
    assert expiry_for(date(2008, 1, 31), None) is None


def test_record_completion_is_idempotent_and_takes_over_an_imported_record(people):
    assert run_import("training-records", HEADER, "pat@example.org,CAF,2008-01-31").ok
    caf = db.session.scalars(sa.select(Course).filter_by(code="CAF")).one()
    session = make_session(caf, days=(date(2008, 1, 30), date(2008, 1, 31)), code="CAF-1")
    booking = make_booking(session, people[0], BookingStatus.ATTENDED)

    first = record_completion(booking)
    second = record_completion(booking)

    assert first.id == second.id
    assert (first.booking_id, first.completed_on) == (booking.id, date(2008, 1, 31))
    assert first.expires_on == date(2011, 1, 31)
    assert table_counts()["training_records"] == 1
    assert db.session.scalars(sa.select(Certificate.number)).all() == [certificate_number(first.id)]
