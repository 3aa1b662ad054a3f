"""Merging two records of the same person keeps every booking, record and claim line, and every count."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import (
    make_authority,
    make_booking,
    make_course,
    make_organisation,
    make_practitioner,
    make_record,
    make_session,
    make_user,
)
from training_app.extensions import db
from training_app.models import (
    AuditEvent,
    Booking,
    BookingStatus,
    Certificate,
    Practitioner,
    RecordSource,
    Role,
    TrainingRecord,
    User,
)
from training_app.services.accounts.practitioner_merge import MergeRefused, merge_practitioners, merge_problems
from training_app.services.reporting.counting import trained_by_area

AS_OF = date(2008, 8, 31)


@pytest.fixture
def twins(app_ctx):
    """Jo Bloggs twice: once at the school, once imported with a typo in the email, both trained in CAF."""
    shire = make_authority("SHIRE", "Shire", order=1)
    school = make_organisation(shire, code="SCH1")
    caf, lp = make_course("CAF", counts_as_trained=True), make_course("LP")
    keep = make_practitioner(school, [shire], email="jo.bloggs@school.example", first_name="Jo")
    duplicate = make_practitioner(school, [shire], email="jo.blogs@school.example", first_name="Jo")
    kept_record = make_record(keep, caf, date(2008, 3, 1))
    same_day = make_record(duplicate, caf, date(2008, 3, 1))
    db.session.add(Certificate(training_record=same_day, number="CERT-1"))
    make_record(duplicate, lp, date(2008, 5, 1))
    make_booking(make_session(lp, days=(date(2008, 10, 1),), host=shire, code="LP1"), duplicate)
    make_booking(
        make_session(caf, days=(date(2008, 2, 1),), host=shire, code="CAF0"), duplicate, BookingStatus.ATTENDED
    )
    db.session.commit()
    return keep, duplicate, kept_record


def test_the_duplicates_bookings_and_records_move_and_the_person_counts_once(twins):
    keep, duplicate, kept_record = twins
    admin = make_user(Role.ADMIN)
    db.session.commit()
    bookings_before = db.session.scalar(sa.select(sa.func.count(Booking.id)))
    assert trained_by_area(AS_OF)[-1].trained == 2  # the same person, counted twice

    summary = merge_practitioners(keep, duplicate, by=admin)

    assert (summary.bookings, summary.training_records, summary.duplicate_records) == (2, 2, 1)
    assert db.session.scalar(sa.select(sa.func.count(Booking.id)).where(Booking.practitioner_id == keep.id)) == 2
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == bookings_before
    records = db.session.scalars(
        sa.select(TrainingRecord).where(TrainingRecord.practitioner_id == keep.id).order_by(TrainingRecord.completed_on)
    ).all()
    assert [(r.course.code, r.completed_on) for r in records] == [("CAF", date(2008, 3, 1)), ("LP", date(2008, 5, 1))]
    # The one completion both held is kept once, with the duplicate's certificate.
    certificate = db.session.execute(sa.select(Certificate).filter_by(number="CERT-1")).scalar_one()
    assert certificate.training_record_id == kept_record.id
    assert db.session.execute(sa.select(Practitioner).filter_by(email="jo.blogs@school.example")).first() is None
    assert trained_by_area(AS_OF)[-1].trained == 1
    event = db.session.execute(sa.select(AuditEvent).filter_by(action="practitioners_merged")).scalar_one()
    assert event.old_value["email"] == "jo.blogs@school.example" and event.new_value["bookings_moved"] == 2


def test_a_merge_that_would_break_a_booking_rule_is_refused_with_nothing_changed(twins):
    keep, duplicate, _ = twins
    lp_session = db.session.execute(sa.select(Booking).filter_by(practitioner_id=duplicate.id)).scalars().first()
    make_booking(make_session(lp_session.session.course, days=(date(2008, 11, 1),), code="LP2"), keep)
    make_user(Role.PRACTITIONER, email="jo.bloggs@school.example", practitioner=keep)
    make_user(Role.PRACTITIONER, email="jo.blogs@school.example", practitioner=duplicate)
    admin = make_user(Role.ADMIN)
    db.session.commit()

    problems = merge_problems(keep, duplicate)

    assert problems == [
        "Both records have an active booking on " + lp_session.session.course.title + ": cancel or transfer one first",
        "Both records have an account: switch one off and unlink it first",
    ]
    with pytest.raises(MergeRefused):
        merge_practitioners(keep, duplicate, by=admin)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Booking.id)).where(Booking.practitioner_id == duplicate.id)) == 2
    assert merge_problems(keep, keep) == ["Choose two different practitioners"]


def test_the_duplicates_account_follows_it_when_the_kept_record_has_none(twins):
    keep, duplicate, _ = twins
    account = make_user(Role.PRACTITIONER, email="jo.blogs@school.example", practitioner=duplicate)
    admin = make_user(Role.ADMIN)
    db.session.commit()

    merge_practitioners(keep, duplicate, by=admin)

    assert db.session.get(User, account.id).practitioner_id == keep.id
    assert (
        db.session.scalar(
            sa.select(sa.func.count(TrainingRecord.id)).where(TrainingRecord.source == RecordSource.IMPORT)
        )
        == 2
    )
