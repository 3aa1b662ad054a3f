"""Records whose key a simultaneous request may take, sent ten times at once at a 4-worker server: a member of staff
added by their booker, a trainer, a venue, a service's awareness sign-off, and an account given to a practitioner
from their record. One is made; the others are told what a duplicate is told one at a time, never a 500, and no
second row, audit entry or invitation is left behind. SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import requests
import sqlalchemy as sa

from tests.factories import group, make_authority, make_organisation, make_practitioner, make_user
from training_app.extensions import db
from training_app.models import AuditEvent, AwarenessSignOff, OutgoingMail, Practitioner, Role, Trainer, User, Venue
from training_app.services.accounts.accounts import issue_api_token

from .server import LiveServer, all_at_once
from .test_simultaneous_decisions import _browsers, _post_form

TIMEOUT = 120
REQUESTS = 10


@dataclass(frozen=True)
class Race:
    """Who sends which form where, what the nine are told, and the rows and audit entries there must be one of."""

    email: str
    page: str
    action: str
    fields: dict[str, str | list[str]]
    refused: int
    duplicate: str
    count: Callable[[], int | None]
    audited: tuple[str, ...]


def _count(model, *where) -> Callable[[], int | None]:
    return lambda: db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _staff_race() -> Race:
    leics = make_authority(code="LEICS", name="Leicestershire")
    school = make_organisation(authority=leics, name="Oak Primary", code="OAK")
    group("3")
    make_user(Role.BOOKER, email="booker@oak.example", organisation=school)
    fields = {
        "first_name": "Eve",
        "last_name": "New",
        "email": "eve@oak.example",
        "job_title": "Teaching assistant",
        "group": "3",
        "authorities": ["LEICS"],
        "cover_category": "teaching_assistant",
    }
    duplicate = "Email address is already on your staff list"
    count = _count(Practitioner, Practitioner.email == "eve@oak.example")
    return Race("booker@oak.example", "/staff/new", "/staff/new", fields, 422, duplicate, count, ("import",))


def _trainer_race() -> Race:
    make_user(Role.COORDINATOR, email="coordinator@council.example")
    fields = {"name": "Tess Teacher", "email": "tess@council.example"}
    duplicate = "A trainer already has the email address tess@council.example"
    count = _count(Trainer, Trainer.email == "tess@council.example")
    page = "/sessions/trainers"
    return Race("coordinator@council.example", page, page, fields, 200, duplicate, count, ("trainer_added",))


def _venue_race() -> Race:
    make_user(Role.COORDINATOR, email="coordinator@council.example")
    fields = {"name": "Town Hall", "address": "", "postcode": "", "capacity": "30", "accessibility_notes": ""}
    duplicate = "There is already a venue called Town Hall."
    page = "/venues/new"
    return Race("coordinator@council.example", page, page, fields, 200, duplicate, _count(Venue), ("venue_created",))


def _sign_off_race() -> Race:
    make_authority(code="LEICESTERSHIRE", name="Leicestershire")
    make_user(Role.COORDINATOR, email="coordinator@council.example")
    fields = {
        "service": "Adult Services Coalville",
        "sector": "adult_services",
        "authorities": ["LEICESTERSHIRE"],
        "contact_name": "Jim Lawrenson",
        "contact_role": "Team Manager",
        "package": "Leicestershire Awareness Package",
        "version": "2007.1",
        "completed": ["", "7", "2008"],
        "status": "signed_off",
        "signed_off_by": "",
        "notes": "",
    }
    duplicate = "Adult Services Coalville"
    page = "/awareness/sign-offs/new"
    count = _count(AwarenessSignOff)
    return Race(
        "coordinator@council.example", page, page, fields, 200, duplicate, count, ("awareness_sign_off_recorded",)
    )


def _account_race() -> Race:
    make_user(Role.ADMIN, email="admin@council.example")
    make_practitioner(email="pat@oak.example", first_name="Pat")
    page = "/admin/reference/practitioners/record?key=pat@oak.example"
    action = "/admin/reference/practitioners/account?key=pat@oak.example"
    count = _count(User, User.email == "pat@oak.example")
    return Race("admin@council.example", page, action, {}, 302, "already", count, ("user_invited",))


@pytest.mark.parametrize(
    "make_race",
    [_staff_race, _trainer_race, _venue_race, _sign_off_race, _account_race],
    ids=["staff email", "trainer email", "venue name", "sign-off service", "practitioner account"],
)
def test_ten_identical_records_sent_at_once_make_one(app, app_ctx, shared_live_server, make_race):
    race = make_race()
    db.session.commit()  # and touch no model until the rush is over: this process must not hold SQLite's lock
    server: LiveServer = shared_live_server
    browsers = _browsers(server, race.email, REQUESTS, race.page)
    sends = [_post_form(b, server.url + race.action, race.fields | {"csrf_token": t}) for b, t in browsers]

    answers = all_at_once(sends, TIMEOUT)

    statuses = Counter(answer.status_code for answer in answers)
    assert "Traceback" not in server.log(), server.log()[-3000:]
    db.session.expire_all()
    assert race.count() == 1
    assert len(_audited(race.audited)) == 1
    if race.refused == 302:  # told on the page the refusal redirects to
        assert statuses == {302: REQUESTS}, statuses
        assert len(_invitations("pat@oak.example")) == 1
        return
    assert statuses == {302: 1, race.refused: REQUESTS - 1}, (statuses, server.log()[-3000:])
    for answer in answers:
        if answer.status_code != 302:
            assert "govuk-error-summary" in answer.text and race.duplicate in answer.text.replace("&#39;", "'")


def _audited(actions: tuple[str, ...]) -> list[int]:
    return list(db.session.scalars(sa.select(AuditEvent.id).where(AuditEvent.action.in_(actions))))


def _invitations(address: str) -> list[int]:
    return list(db.session.scalars(sa.select(OutgoingMail.id).where(OutgoingMail.recipients.contains(address))))


def test_ten_identical_practitioners_posted_at_once_to_the_api_make_one(app, app_ctx, shared_live_server):
    county = make_authority("LEICESTERSHIRE")
    make_organisation(county, code="OAK")
    token = issue_api_token(make_user(Role.COORDINATOR, email="coordinator@council.example"))
    db.session.commit()
    body = {"email": "kim@oak.example", "first_name": "Kim", "last_name": "Shaw", "organisation": "OAK"}
    body |= {"authorities": ["LEICESTERSHIRE"]}
    url, headers = shared_live_server.url + "/api/v1/practitioners", {"Authorization": f"Bearer {token}"}

    answers = all_at_once(
        [lambda: requests.post(url, json=body, headers=headers, timeout=TIMEOUT) for _ in range(REQUESTS)], TIMEOUT
    )

    statuses = Counter(answer.status_code for answer in answers)
    assert statuses == {201: 1, 409: REQUESTS - 1}, (statuses, shared_live_server.log()[-3000:])
    db.session.expire_all()
    assert _count(Practitioner, Practitioner.email == "kim@oak.example")() == 1
    assert len(_audited(("import",))) == 1
