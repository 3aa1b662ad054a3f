"""From a session or a booking list to the person's training records (issue 18): who is booked on a session, for
those who may see them, each name linking to the records page where the viewer may open it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.factories import (
    make_booking,
    make_organisation,
    make_practitioner,
    make_session,
    make_trainer,
    make_user,
)
from tests.web.helpers import signed_in
from training_app.extensions import db
from training_app.models import BookingStatus, Role
from training_app.services.common.calendar import london_today

ANN_RECORDS = 'href="/practitioners/ann@hvp.example/training-records"'
ZED_RECORDS = 'href="/practitioners/zed@else.example/training-records"'


@pytest.fixture
def booked(app):
    """Session CAF-60 in three weeks: Ann (Hope Valley) booked, Zed (elsewhere) waiting; users who look at it."""
    with app.app_context():
        school, other = make_organisation(name="Hope Valley Primary"), make_organisation(name="Elsewhere")
        ann = make_practitioner(organisation=school, first_name="Ann", last_name="Teacher", email="ann@hvp.example")
        zed = make_practitioner(organisation=other, first_name="Zed", last_name="Else", email="zed@else.example")
        teaching = make_user(Role.PRACTITIONER, practitioner=make_practitioner(organisation=other))
        session = make_session(code="CAF-60", capacity=1, days=(london_today() + timedelta(days=21),))
        session.trainers = [make_trainer("Tess Trainer", user=teaching)]
        make_booking(session, ann)
        make_booking(session, zed, BookingStatus.WAITLISTED, position=1)
        users = {
            "coordinator": make_user(Role.COORDINATOR),
            "booker": make_user(Role.BOOKER, organisation=school),
            "trainer": teaching,
            "practitioner": make_user(Role.PRACTITIONER, practitioner=ann),
            "finance": make_user(Role.FINANCE),
        }
        emails = {name: user.email for name, user in users.items()}
        db.session.commit()
    return emails


def _page(app, email: str, path: str = "/sessions/CAF-60") -> str:
    response = signed_in(app.test_client(), email).get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_coordinator_sees_everyone_booked_and_waiting_each_linked_to_their_records(app, booked):
    page = _page(app, booked["coordinator"])
    listed = page.split('id="booked"')[1]
    assert "Ann Teacher" in listed and "Hope Valley Primary" in listed and "Booked" in listed
    assert "Zed Else" in listed and "Waiting list, number 1" in listed
    assert ANN_RECORDS in listed and ZED_RECORDS in listed
    assert signed_in(app.test_client(), booked["coordinator"]).get(ANN_RECORDS[6:-1]).status_code == 200


def test_a_booker_sees_only_their_own_staff_on_the_session(app, booked):
    page = _page(app, booked["booker"])
    assert "Your staff booked" in page
    assert ANN_RECORDS in page and "Zed Else" not in page


def test_the_sessions_trainer_sees_everyone_but_opens_no_records_they_may_not_see(app, booked):
    page = _page(app, booked["trainer"])
    listed = page.split('id="booked"')[1]
    assert "Ann Teacher" in listed and "Zed Else" in listed
    assert ANN_RECORDS not in page and ZED_RECORDS not in page  # a practitioner by role sees only their own record


@pytest.mark.parametrize("who", ["practitioner", "finance"])
def test_others_see_no_list_of_who_is_booked(app, booked, who):
    page = _page(app, booked[who])
    assert 'id="booked"' not in page and "Zed Else" not in page


def test_the_bookings_list_and_the_bookers_dashboard_link_names_to_their_records(app, booked):
    assert ANN_RECORDS in _page(app, booked["booker"], "/bookings/")
    assert ANN_RECORDS in _page(app, booked["booker"], "/")
    everyone = _page(app, booked["coordinator"], "/bookings/")
    assert ANN_RECORDS in everyone and ZED_RECORDS in everyone


def test_a_past_session_lists_who_attended(app, booked):
    with app.app_context():
        session = make_session(code="CAF-OLD", days=(date(2008, 10, 1),))
        make_booking(session, make_practitioner(first_name="Old", last_name="Hand"), BookingStatus.ATTENDED)
        db.session.commit()
    listed = _page(app, booked["coordinator"], "/sessions/CAF-OLD").split('id="booked"')[1]
    assert "Old Hand" in listed and "Attended" in listed


def test_the_sessions_trainer_finds_its_register_on_its_page_and_others_do_not(app, booked):
    register = 'href="/sessions/CAF-60/register">Register for session CAF-60</a>'
    assert register in _page(app, booked["trainer"]) and register in _page(app, booked["coordinator"])
    assert "Change session CAF-60" not in _page(app, booked["trainer"])  # marking is not scheduling
    assert "/sessions/CAF-60/register" not in _page(app, booked["practitioner"])
    assert "/sessions/CAF-60/register" not in _page(app, booked["booker"])


def test_a_practitioner_sees_their_own_place_on_the_sessions_page(app, booked):
    page = _page(app, booked["practitioner"])
    assert "You have a place on this session." in page
    assert 'href="/bookings/mine">See or cancel it in your bookings</a>' in page
    assert "Book a place on CAF-60" not in page
    assert "You have a place" not in _page(app, booked["trainer"])
