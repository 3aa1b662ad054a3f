"""A practitioner's pathway page: statuses and dates, what to book next, and who may see it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import (
    group,
    make_authority,
    make_booking,
    make_course,
    make_organisation,
    make_practitioner,
    make_record,
    make_session,
    make_user,
    make_venue,
)
from tests.web.helpers import h1_of, signed_in
from training_app.extensions import db
from training_app.models import Pathway, PathwayCourse, Requirement, Role
from training_app.services.common.calendar import london_today

EMAIL = "sam.jones@school.example"


@pytest.fixture
def world(app):
    """Sam in group 3 at a Rutland school: AWARE current, CAF expired with a coming session, LP not started."""
    with app.app_context():
        today = london_today()
        rutland, leicester = make_authority("RUTLAND"), make_authority("LEICESTER")
        school, other = make_organisation(rutland), make_organisation(leicester)
        aware = make_course(code="AWARE", title="Awareness")
        caf = make_course(code="CAF", title="CAF practitioner", validity_months=12)
        lp = make_course(code="LP", title="Lead professional")
        pathway = Pathway(group=group("3"), name="Intensive")
        pathway.steps = [
            PathwayCourse(course=aware, requirement=Requirement.REQUIRED, position=1),
            PathwayCourse(course=caf, requirement=Requirement.REQUIRED, position=2),
            PathwayCourse(course=lp, requirement=Requirement.OPTIONAL, position=3),
        ]
        db.session.add(pathway)
        sam = make_practitioner(school, email=EMAIL, group=group("3"))
        make_record(sam, aware, today - timedelta(days=30))
        make_record(sam, caf, today - timedelta(days=400))
        hall = make_venue(name="Oakham Hall", capacity=30)
        make_session(course=caf, code="CAF-NEXT", days=(today + timedelta(days=14),), capacity=2, venue=hall)
        full = make_session(course=caf, code="CAF-FULL", days=(today + timedelta(days=7),), capacity=1)
        make_booking(full, make_practitioner(other))
        users = {
            "self": make_user(Role.PRACTITIONER, practitioner=sam),
            "booker": make_user(Role.BOOKER, organisation=school),
            "other_booker": make_user(Role.BOOKER, organisation=other),
            "lead": make_user(Role.WORKFORCE_LEAD, authorities=[rutland]),
            "other_lead": make_user(Role.WORKFORCE_LEAD, authorities=[leicester]),
            "coordinator": make_user(Role.COORDINATOR),
            "finance": make_user(Role.FINANCE),
        }
        emails = {name: user.email for name, user in users.items()}
        db.session.commit()
    return emails


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("self", 200),
        ("booker", 200),
        ("lead", 200),
        ("coordinator", 200),
        ("other_booker", 403),
        ("other_lead", 403),
        ("finance", 403),
    ],
)
def test_only_the_practitioner_their_booker_staff_and_leads_of_their_authorities_see_it(app, world, who, status):
    client = signed_in(app.test_client(), world[who])
    assert client.get(f"/practitioners/{EMAIL}/pathway").status_code == status


def test_an_unknown_practitioner_is_404(app, world):
    client = signed_in(app.test_client(), world["coordinator"])
    assert client.get("/practitioners/nobody@example.com/pathway").status_code == 404


def test_the_page_shows_each_status_and_the_coming_sessions_with_places(app, world):
    client = signed_in(app.test_client(), world["self"])
    page = client.get(f"/practitioners/{EMAIL}/pathway")
    html = page.get_data(as_text=True)
    assert h1_of(page) == "Your pathway"
    for text in ("Current", "Expired", "Not started", "What to book next"):
        assert text in html
    booking_part = html.split("What to book next")[1]
    assert "CAF-NEXT" in booking_part and "Oakham Hall" in booking_part and "2 places left" in booking_part
    assert 'href="/sessions/CAF-NEXT">CAF-NEXT</a>' in booking_part  # the session to book is one click away
    assert "CAF-FULL" not in html  # full: no place to book
    assert "There are no coming sessions of this course with places." in booking_part  # LP
    assert "AWARE: Awareness (" not in booking_part  # current: nothing to book


def test_the_practitioners_dashboard_links_to_their_pathway(app, world):
    client = signed_in(app.test_client(), world["self"])
    assert f'href="/practitioners/{EMAIL}/pathway"' in client.get("/").get_data(as_text=True)
