"""The booking questions' rules (SPEC 3.4): answers cleaned and bounded, and erased 30 days after the session's last
day by the scheduler's housekeeping, in bulk, with one audit event per session that keeps no answer."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import make_booking, make_practitioner, make_session, make_user
from training_app.extensions import db
from training_app.jobs import tasks
from training_app.models import AuditEvent, Booking, Role
from training_app.services.accounts.personal_data import anonymise_practitioner
from training_app.services.booking.booking_needs import NeedsInvalid, erase_old_needs, read_needs

ENDED = date(2026, 3, 6)  # the last day of a two-day session


def test_answers_keep_line_breaks_lose_control_characters_and_blank_ones_are_none():
    needs = read_needs("  Ramp\r\nplease\x1b[31m\t \n\n", "\x00\u2028 ")
    assert (needs.access, needs.dietary) == ("Ramp\nplease[31m", None)
    assert not read_needs("", None).given and read_needs(None, "Vegan").given


def test_an_answer_longer_than_500_characters_is_refused_naming_it():
    assert read_needs("é" * 500).access == "é" * 500
    with pytest.raises(NeedsInvalid) as refused:
        read_needs("a" * 501, "b" * 600)
    assert refused.value.problems == {
        "access": "Access needs must be 500 characters or fewer",
        "dietary": "Dietary needs must be 500 characters or fewer",
    }


@pytest.fixture
def sessions(app_ctx):
    """A session that ended on ENDED with two people with needs and one without, and one ending a day later."""
    ended = make_session(code="ENDED", days=(ENDED - timedelta(days=1), ENDED))
    later = make_session(code="LATER", days=(ENDED + timedelta(days=1),))
    bookings = [make_booking(ended, make_practitioner()) for _ in range(3)]
    bookings[0].access_needs, bookings[0].dietary_needs = "Wheelchair", "Vegan"
    bookings[1].dietary_needs = "Halal"
    make_booking(later, make_practitioner()).access_needs = "Hearing loop"
    db.session.commit()
    return {"ended": ended.id, "later": later.id}


def _needs() -> dict[str, list]:
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(Booking.session_id, Booking.access_needs, Booking.dietary_needs).order_by(Booking.id)
    ).all()
    return {"values": [(access, dietary) for _, access, dietary in rows]}


def _erasures() -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "booking_needs_erased")))


def test_needs_are_kept_for_29_days_after_the_last_day_and_erased_on_the_30th(sessions, count_statements):
    assert erase_old_needs(ENDED + timedelta(days=29)) == 0
    assert _needs()["values"] == [("Wheelchair", "Vegan"), (None, "Halal"), (None, None), ("Hearing loop", None)]
    assert _erasures() == []

    with count_statements() as statements:
        assert erase_old_needs(ENDED + timedelta(days=30)) == 2
    assert len([sql for sql in statements.sql if not sql.startswith(("BEGIN", "COMMIT", "SAVEPOINT"))]) <= 4

    assert _needs()["values"] == [(None, None), (None, None), (None, None), ("Hearing loop", None)]
    events = _erasures()
    assert [(e.entity_type, e.entity_id, e.actor) for e in events] == [("session", sessions["ended"], "system")]
    assert events[0].new_value == {"bookings": 2, "kept_days": 30}
    assert not any(word in str((events[0].old_value, events[0].new_value)) for word in ("Wheelchair", "Vegan", "Halal"))

    assert erase_old_needs(ENDED + timedelta(days=31)) == 1  # the later session's turn
    assert erase_old_needs(ENDED + timedelta(days=31)) == 0  # run twice: nothing more, no second event
    assert len(_erasures()) == 2


def test_the_statements_stay_the_same_however_many_sessions_and_bookings(app_ctx, count_statements):
    for n in range(30):
        session = make_session(code=f"OLD-{n}", days=(ENDED,))
        for _ in range(3):
            make_booking(session, make_practitioner()).dietary_needs = "Vegetarian"
    db.session.commit()
    with count_statements() as statements:
        assert erase_old_needs(ENDED + timedelta(days=30)) == 90
    assert len([sql for sql in statements.sql if not sql.startswith(("BEGIN", "COMMIT", "SAVEPOINT"))]) <= 4
    assert len(_erasures()) == 30


def test_the_housekeeping_job_erases_old_needs(app, sessions, monkeypatch):
    monkeypatch.setattr(tasks, "london_today", lambda: ENDED + timedelta(days=30))
    monkeypatch.setattr(tasks, "dashboard_summaries", lambda: 0)
    tasks.housekeeping()
    assert _needs()["values"][:3] == [(None, None)] * 3 and len(_erasures()) == 1


def test_anonymising_a_practitioner_erases_their_needs(app_ctx):
    person = make_practitioner()
    booking = make_booking(make_session(code="ANON", days=(ENDED,)), person)
    booking.access_needs, booking.dietary_needs = "Wheelchair", "Vegan"
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    anonymise_practitioner(person, coordinator)
    db.session.expire_all()
    assert (booking.access_needs, booking.dietary_needs) == (None, None)
