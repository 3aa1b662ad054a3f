"""Subject access holds a practitioner's record, bookings and training; anonymising a leaver keeps every count."""

from __future__ import annotations

from datetime import UTC, date, datetime

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
from training_app.models import AuditEvent, Practitioner, Role, User
from training_app.services.accounts.personal_data import (
    PersonalDataError,
    anonymise_practitioner,
    count_inactive_practitioners,
    inactive_practitioners,
    retention_cutoff,
    subject_access,
)
from training_app.services.reporting.counting import trained_by_area

AS_OF = date(2008, 8, 31)


@pytest.fixture
def leaver(app_ctx):
    shire, city = make_authority("SHIRE", "Shire", order=1), make_authority("CITY", "City", order=2)
    school = make_organisation(shire, code="SCH1")
    caf = make_course("CAF", counts_as_trained=True)
    person = make_practitioner(school, [shire, city], email="leaver@school.example", first_name="Lee", job_title="TA")
    make_practitioner(school, [shire], email="stayer@school.example", created_at=datetime(2007, 9, 1, tzinfo=UTC))
    make_record(person, caf, date(2008, 3, 1))
    make_booking(make_session(caf, days=(date(2008, 10, 1),), host=city, code="S1"), person)
    db.session.commit()
    return person


def test_subject_access_holds_the_record_bookings_and_training(leaver):
    data = subject_access(leaver)

    assert data["practitioner"]["email"] == "leaver@school.example"
    assert data["practitioner"]["job_title"] == "TA"
    assert [booking["session"] for booking in data["bookings"]] == ["S1"]
    assert [record["completed_on"] for record in data["training_records"]] == [date(2008, 3, 1)]


def test_anonymising_a_leaver_keeps_the_trained_by_area_table_identical(leaver):
    admin = make_user(Role.ADMIN)
    account = make_user(Role.PRACTITIONER, email="leaver@school.example", practitioner=leaver)
    db.session.commit()
    before = trained_by_area(AS_OF)

    anonymise_practitioner(leaver, by=admin)

    assert trained_by_area(AS_OF) == before
    assert (leaver.first_name, leaver.job_title) == ("Anonymised", None)
    assert "leaver" not in leaver.email
    user = db.session.get(User, account.id)
    assert not user.active and "leaver" not in user.email
    event = db.session.execute(sa.select(AuditEvent).filter_by(action="practitioner_anonymised")).scalar_one()
    assert "leaver" not in str(event.new_value) and event.old_value is None
    assert len(subject_access(leaver)["bookings"]) == 1
    with pytest.raises(PersonalDataError, match="already"):
        anonymise_practitioner(leaver, by=admin)


def test_people_with_no_booking_or_training_since_the_cutoff_are_offered_for_anonymising(leaver):
    assert retention_cutoff(date(2016, 2, 29), 6) == date(2010, 2, 28)
    # The leaver trained in March 2008 and was booked just now; the stayer, added in 2007, has done nothing.
    assert [row.email for row in inactive_practitioners(date(2008, 1, 1))] == ["stayer@school.example"]
    # Someone added just now has done nothing yet either, but is new, not inactive; one added just now with
    # training from before the cutoff (an import of history) is inactive all the same.
    school = db.session.execute(sa.select(Practitioner).filter_by(email="stayer@school.example")).scalar_one()
    make_practitioner(school.organisation, email="new.starter@school.example")
    imported = make_practitioner(school.organisation, email="imported@school.example")
    make_record(imported, make_course("LP"), date(2007, 6, 1))
    db.session.commit()
    offered = [row.email for row in inactive_practitioners(date(2008, 1, 1))]
    assert sorted(offered) == ["imported@school.example", "stayer@school.example"]
    assert count_inactive_practitioners(date(2008, 1, 1)) == 2
    db.session.delete(imported)
    db.session.commit()
    admin = make_user(Role.ADMIN)
    db.session.commit()
    stayer = db.session.execute(sa.select(Practitioner).filter_by(email="stayer@school.example")).scalar_one()
    anonymise_practitioner(stayer, by=admin)
    assert inactive_practitioners(date(2008, 1, 1)) == []
