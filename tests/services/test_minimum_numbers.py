"""Minimum numbers (SPEC 3.3): a session below its minimum (its own or its course's) is flagged, and coordinators
are emailed once about it from the course's notice in working days before day one."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import make_booking, make_course, make_practitioner, make_session, make_user
from tests.outbox import emails_to
from training_app.extensions import db
from training_app.models import BookingStatus, Role, SessionStatus
from training_app.services.common.calendar import working_days_before
from training_app.services.sessions.minimum_numbers import alert_below_minimum, below_minimum

pytestmark = pytest.mark.usefixtures("app_ctx")

MONDAY = date(2027, 3, 15)


@pytest.fixture
def sessions():
    course = make_course(code="CAF", title="CAF course", minimum_places=3, minimum_notice_days=10)
    low = make_session(course=course, code="LOW", days=(MONDAY,))
    full_enough = make_session(course=course, code="OK", days=(MONDAY,))
    own_minimum = make_session(course=course, code="OWN", days=(MONDAY,), minimum_places=1)
    cancelled = make_session(course=course, code="GONE", days=(MONDAY,), status=SessionStatus.CANCELLED)
    make_booking(low, make_practitioner())
    make_booking(low, make_practitioner(), BookingStatus.WAITLISTED, position=1)  # holds no place
    for _ in range(3):
        make_booking(full_enough, make_practitioner())
    make_booking(own_minimum, make_practitioner())
    coordinator = make_user(Role.COORDINATOR)
    make_user(Role.COORDINATOR, active=False)
    db.session.commit()
    return {"low": low, "cancelled": cancelled, "coordinator": coordinator.email}


def test_only_sessions_to_come_below_their_minimum_are_flagged(sessions):
    [row] = below_minimum(date(2027, 3, 1))
    assert (row.code, row.taken, row.minimum) == ("LOW", 1, 3)
    assert row.alert_on == working_days_before(MONDAY, 10) == date(2027, 3, 1)
    assert below_minimum(MONDAY) == []  # it has started


def test_coordinators_are_told_once_from_the_notice_day(app, sessions):
    assert alert_below_minimum(date(2027, 2, 26)) == 0  # the working day before the notice day
    assert alert_below_minimum(date(2027, 3, 1)) == 1
    assert alert_below_minimum(date(2027, 3, 2)) == 0  # told already
    [message] = emails_to(app, sessions["coordinator"])
    assert "LOW" in message["Subject"] and "1 of its minimum 3 places" in message.get_body().get_content()
