"""Trainers and their calendar feeds: coordinators add trainers; feed addresses are shown once and can be turned off."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.conftest import csrf_token_from
from tests.factories import make_trainer, make_user
from tests.web.helpers import signed_in
from training_app.extensions import db
from training_app.models import AuditEvent, Role, Trainer

ERRORS = re.compile(r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', re.S)


def test_a_coordinator_adds_a_trainer_linked_to_their_account(app, client):
    with app.app_context():
        coordinator_id = make_user(Role.COORDINATOR, email="coord@council.example").id
        db.session.commit()
    signed_in(client, "coord@council.example")
    token = csrf_token_from(client.get("/sessions/trainers").get_data(as_text=True))
    bad = client.post("/sessions/trainers", data={"csrf_token": token, "name": "", "email": "nope"})
    summary = ERRORS.search(bad.get_data(as_text=True)).group(1)
    assert "Enter the trainer&#39;s name" in summary and "Enter an email address like name@example.org" in summary
    done = client.post(
        "/sessions/trainers", data={"csrf_token": token, "name": "Chris Coordinator", "email": "COORD@council.example"}
    )
    assert done.status_code == 302
    page = client.get("/sessions/trainers").get_data(as_text=True)
    assert "Chris Coordinator has been added as a trainer." in page
    with app.app_context():
        trainer = db.session.scalars(sa.select(Trainer)).one()
        assert (trainer.email, trainer.user_id) == ("coord@council.example", coordinator_id)
        assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.entity_type == "trainer")) == (
            "trainer_added"
        )
    again = client.post(
        "/sessions/trainers", data={"csrf_token": token, "name": "Chris", "email": "coord@council.example"}
    )
    assert "A trainer already has the email address coord@council.example" in again.get_data(as_text=True)


def test_a_trainer_makes_their_own_feed_and_turns_it_off(app, client):
    with app.app_context():
        user = make_user(Role.PRACTITIONER, email="teacher@council.example")
        trainer_id = make_trainer("Tess Teacher", user=user).id
        other_id = make_trainer("Someone Else").id
        db.session.commit()
    signed_in(client, "teacher@council.example")
    page = client.get("/sessions/calendar-feed").get_data(as_text=True)
    assert "The feed of Tess Teacher" in page
    token = csrf_token_from(page)
    made = client.post(f"/sessions/trainers/{trainer_id}/feed", data={"csrf_token": token}).get_data(as_text=True)
    url = re.search(r'<code id="feed-url">(.*?)</code>', made).group(1)
    path = url.removeprefix("http://localhost")
    assert path.startswith("/calendar/") and client.get(path).status_code == 200
    assert client.post(f"/sessions/trainers/{other_id}/feed", data={"csrf_token": token}).status_code == 403
    assert client.post(f"/sessions/trainers/{trainer_id}/feed/revoke", data={"csrf_token": token}).status_code == 302
    assert client.get(path).status_code == 404


def test_someone_who_does_not_teach_is_told_so(app, client):
    with app.app_context():
        email = make_user(Role.BOOKER).email
        db.session.commit()
    signed_in(client, email)
    assert "You do not teach any sessions" in client.get("/sessions/calendar-feed").get_data(as_text=True)
