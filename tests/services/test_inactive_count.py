"""Practitioners due for anonymising, counted with NOT EXISTS (issue 25: `NOT IN` over 600,000 ids made the admin
dashboard a 500 on PostgreSQL at a million): the same people as the `NOT IN` it replaced, on every kind of activity."""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa

from tests.factories import make_booking, make_course, make_organisation, make_practitioner, make_record, make_session
from training_app.extensions import db
from training_app.models import Booking, Practitioner, TrainingRecord, utcnow
from training_app.services.accounts.personal_data import (
    ANONYMOUS_DOMAIN,
    count_inactive_practitioners,
    inactive_practitioners,
)
from training_app.services.common.calendar import london_to_utc

CUTOFF = date(2020, 1, 1)


def not_in_reference(cutoff: date) -> set[str]:
    """The rule as it was written before, with NOT IN, kept here as the reference."""
    since = london_to_utc(cutoff, time(0))
    query = sa.select(Practitioner.email).where(
        Practitioner.id.not_in(sa.select(Booking.practitioner_id).where(Booking.created_at >= since)),
        Practitioner.id.not_in(sa.select(TrainingRecord.practitioner_id).where(TrainingRecord.completed_on >= cutoff)),
        Practitioner.email.not_like(f"%@{ANONYMOUS_DOMAIN}"),
        sa.or_(
            Practitioner.created_at.is_(None),
            Practitioner.created_at < since,
            Practitioner.id.in_(sa.select(Booking.practitioner_id)),
            Practitioner.id.in_(sa.select(TrainingRecord.practitioner_id)),
        ),
    )
    return set(db.session.execute(query).scalars())


def test_not_exists_offers_the_same_people_as_not_in(app_ctx):
    organisation, course = make_organisation(), make_course()
    session = make_session(course, days=(date(2019, 6, 3),))
    long_ago = datetime(2015, 1, 1, tzinfo=utcnow().tzinfo)

    def person(name, created=long_ago, **fields):
        return make_practitioner(organisation, email=f"{name}@example.org", created_at=created, **fields)

    person("never-active")
    person("added-this-week", created=utcnow())
    make_practitioner(organisation, email=f"someone@{ANONYMOUS_DOMAIN}", created_at=long_ago)  # anonymised already
    make_record(person("trained-long-ago"), course, date(2018, 5, 1))
    make_record(person("trained-lately"), course, date(2021, 5, 1))
    make_record(person("trained-lately-once", created=utcnow()), course, date(2021, 5, 1))
    make_record(person("trained-long-ago-added-now", created=utcnow()), course, date(2018, 5, 1))
    old_booking = make_booking(session, person("booked-long-ago"))
    old_booking.created_at = long_ago
    make_booking(session, person("booked-lately"))  # made just now
    db.session.commit()

    found = {row.email for row in inactive_practitioners(CUTOFF)}

    assert found == not_in_reference(CUTOFF)
    assert count_inactive_practitioners(CUTOFF) == len(found) == 4
    assert {"never-active@example.org", "trained-long-ago@example.org", "booked-long-ago@example.org"} <= found
    assert "trained-long-ago-added-now@example.org" in found  # activity before the cutoff, whenever they were added
    assert "added-this-week@example.org" not in found and "booked-lately@example.org" not in found
