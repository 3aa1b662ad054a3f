"""A practitioner booking themself from ten pages at once on a 4-worker server (a double-click, many times over):
one place, or one request to their booker, is made, audited and emailed once; the nine others are told they already
have one, never a 500. For a course booked freely and one booked with the booker's approval. SQLite and
PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.factories import make_course, make_organisation, make_practitioner, make_session, make_user
from training_app.extensions import db
from training_app.models import ACTIVE_STATUSES, Booking, BookingStatus, OutgoingMail, Role, SelfBooking
from training_app.services.common.calendar import london_today

from .server import all_at_once
from .test_simultaneous_catalogue_changes import _fine
from .test_simultaneous_decisions import TIMEOUT, _actions
from .test_simultaneous_settings_changes import _sends


@pytest.mark.parametrize(
    ("rule", "status", "action"),
    [
        (SelfBooking.YES, BookingStatus.BOOKED, "booking_made"),
        (SelfBooking.WITH_APPROVAL, BookingStatus.REQUESTED, "booking_requested"),
    ],
    ids=["booked freely", "asked for"],
)
def test_ten_self_bookings_of_one_place_at_once_make_one(app, app_ctx, shared_live_server, rule, status, action):
    day = london_today() + timedelta(days=28)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    make_session(course=make_course(code="SELF", self_booking=rule), code="SELF-1", days=(day,), capacity=5)
    school = make_organisation(code="SCHOOL")
    make_user(Role.BOOKER, email="office@school.example", organisation=school)
    ann = make_practitioner(organisation=school, email="ann@school.example", first_name="Ann")
    make_user(Role.PRACTITIONER, email="ann@school.example", practitioner=ann)
    db.session.commit()
    page = "/bookings/self/SELF-1"
    form = {"access_needs": "", "dietary_needs": ""}
    calls = _sends(shared_live_server, "ann@school.example", page, [(page, form)] * 10)

    answers = all_at_once(calls, TIMEOUT)

    assert Counter(answer.status_code for answer in answers) == {302: 1, 422: 9}, shared_live_server.log()[-3000:]
    refused = [a.text for a in answers if a.status_code == 422]
    assert all("You cannot book this session:" in text and "already" in text for text in refused)
    _fine(answers, shared_live_server, {302, 422})
    held = db.session.scalars(sa.select(Booking.status).where(Booking.status.in_([*ACTIVE_STATUSES, status]))).all()
    assert held == [status]
    assert len(_actions("booking_made", "booking_requested")) == 1
    assert len(_actions(action)) == 1
    sent = Counter(db.session.execute(sa.select(OutgoingMail.recipients, OutgoingMail.subject)).all())
    assert sent and all(count == 1 for count in sent.values()), sent  # told once (the booker, for a request)
