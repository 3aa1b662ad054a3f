"""Messages to everyone booked on a session (SPEC 3.4): each person emailed once, the waiting list only when asked,
the message kept on the session's page and audited; bad input changes nothing."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import make_booking, make_practitioner, make_session, make_user
from tests.outbox import body_of, emails_to
from tests.web.helpers import signed_in
from training_app.extensions import db
from training_app.models import AuditEvent, BookingStatus, Role, SessionMessage


@pytest.fixture
def session_with_people(app):
    with app.app_context():
        session = make_session(code="MSG-1", days=(date(2027, 3, 2),))
        booked = [make_practitioner(first_name=name) for name in ("Ann", "Bob")]
        for person in booked:
            make_booking(session, person)
        waiting = make_practitioner(first_name="Wyn")
        make_booking(session, waiting, BookingStatus.WAITLISTED, position=1)
        cancelled = make_practitioner(first_name="Cat")
        make_booking(session, cancelled, BookingStatus.CANCELLED)
        coordinator = make_user(Role.COORDINATOR)
        booker = make_user(Role.BOOKER)
        db.session.commit()
        return {
            "booked": [p.email for p in booked],
            "waiting": waiting.email,
            "cancelled": cancelled.email,
            "coordinator": coordinator.email,
            "booker": booker.email,
        }


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_a_coordinator_writes_to_everyone_booked_and_finds_it_on_the_session_page(app, client, session_with_people):
    people = session_with_people
    signed_in(client, people["coordinator"])
    page = client.get("/sessions/MSG-1/message").get_data(as_text=True)
    assert "2 people are booked and 1 waiting" in page
    sent = client.post(
        "/sessions/MSG-1/message",
        data={"csrf_token": _token(page), "subject": "Room change", "body": "We meet in Room 4.\nBring a pen."},
    )
    assert sent.status_code == 302
    for email in people["booked"]:
        [message] = emails_to(app, email)
        assert message["Subject"].startswith("Room change") and "We meet in Room 4." in body_of(message)
    assert emails_to(app, people["waiting"]) == [] and emails_to(app, people["cancelled"]) == []
    show = client.get("/sessions/MSG-1").get_data(as_text=True)
    assert "Messages sent" in show and "Room change" in show and "to 2 people" in show
    with app.app_context():
        assert (
            db.session.scalar(sa.select(AuditEvent.new_value).where(AuditEvent.action == "session_message_sent"))[
                "recipients"
            ]
            == 2
        )


def test_those_waiting_are_written_to_when_asked(app, client, session_with_people):
    signed_in(client, session_with_people["coordinator"])
    token = _token(client.get("/sessions/MSG-1/message").get_data(as_text=True))
    data = {"csrf_token": token, "subject": "Places", "body": "A place may come free.", "include_waiting": "y"}
    assert client.post("/sessions/MSG-1/message", data=data).status_code == 302
    assert len(emails_to(app, session_with_people["waiting"])) == 1


def test_an_empty_message_shows_the_error_summary_and_sends_nothing(app, client, session_with_people):
    signed_in(client, session_with_people["coordinator"])
    token = _token(client.get("/sessions/MSG-1/message").get_data(as_text=True))
    response = client.post("/sessions/MSG-1/message", data={"csrf_token": token, "subject": "Bell\x07", "body": " "})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "There is a problem" in html
    assert "Enter the message" in html and "control characters" in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(SessionMessage.id))) == 0
    assert emails_to(app, session_with_people["booked"][0]) == []


def test_only_coordinators_write_to_a_session(app, session_with_people):
    booker = signed_in(app.test_client(), session_with_people["booker"])
    assert booker.get("/sessions/MSG-1/message").status_code == 403
    assert "Messages sent" not in booker.get("/sessions/MSG-1").get_data(as_text=True)
