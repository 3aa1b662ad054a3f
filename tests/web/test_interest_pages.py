"""Interest on the course's page (SPEC 3.4 Interest): "Tell me when there are dates" for a practitioner or a booker's
chosen member of staff where the course has no dates, "Withdraw interest", and the demand by authority and area for
coordinators (and workforce leads, their authorities only)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.conftest import csrf_token_from
from tests.factories import make_area, make_authority, make_course, make_organisation, make_practitioner, make_user
from tests.web.helpers import signed_in
from training_app.extensions import db
from training_app.models import CourseInterest, Role


def _world(app):
    with app.app_context():
        county = make_authority(code="LEICESTERSHIRE", name="Leicestershire")
        city = make_authority(code="LEICESTER", name="Leicester")
        school = make_organisation(county, code="SCH-1", area_id=make_area(county, "Melton").id)
        other = make_organisation(city, code="CITY-1")
        make_course(code="LP", title="Lead professional")
        ann = make_practitioner(school, email="ann@example.org", first_name="Ann", last_name="Able")
        bob = make_practitioner(school, email="bob@example.org", first_name="Bob", last_name="Baker")
        dan = make_practitioner(other, email="dan@example.org", first_name="Dan", last_name="Dale")
        users = {
            "ann": make_user(Role.PRACTITIONER, practitioner_id=ann.id).email,
            "booker": make_user(Role.BOOKER, organisation=school).email,
            "coordinator": make_user(Role.COORDINATOR).email,
            "lead": make_user(Role.WORKFORCE_LEAD, authorities=[city]).email,
        }
        db.session.commit()
        return users, {"ann": ann.id, "bob": bob.id, "dan": dan.id}


def _post(client, path, **data):
    token = csrf_token_from(client.get("/courses/LP").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def _interested(app) -> list[int]:
    with app.app_context():
        return sorted(db.session.scalars(sa.select(CourseInterest.practitioner_id)))


def test_a_practitioner_asks_to_be_told_and_withdraws(app):
    users, ids = _world(app)
    client = signed_in(app.test_client(), users["ann"])
    page = client.get("/courses/LP").get_data(as_text=True)
    assert "There are no dates with places open for booking" in page and "Tell me when there are dates" in page
    done = _post(client, "/courses/LP/interest", practitioner=str(ids["ann"]))
    assert done.status_code == 302 and _interested(app) == [ids["ann"]]
    page = client.get("/courses/LP").get_data(as_text=True)
    assert "You will be emailed when Lead professional has new dates." in page and "Withdraw interest" in page
    assert "Tell me when there are dates" not in page
    again = _post(client, "/courses/LP/interest", practitioner=str(ids["ann"]))
    assert again.status_code == 409 and "has already asked to be told" in again.get_data(as_text=True)
    assert _post(client, "/courses/LP/interest", practitioner=str(ids["bob"])).status_code == 403
    gone = _post(client, "/courses/LP/interest/withdraw", practitioner=str(ids["ann"]))
    assert gone.status_code == 302 and _interested(app) == []
    assert "Your interest in Lead professional is withdrawn." in client.get("/courses/LP").get_data(as_text=True)


def test_a_booker_chooses_their_staff_and_nobody_else(app):
    users, ids = _world(app)
    client = signed_in(app.test_client(), users["booker"])
    page = client.get("/courses/LP").get_data(as_text=True)
    assert "Ann Able" in page and "Bob Baker" in page and "Dan Dale" not in page
    _post(client, "/courses/LP/interest", practitioner=str(ids["bob"]))
    page = client.get("/courses/LP").get_data(as_text=True)
    assert "Your staff waiting for dates" in page
    assert 'Withdraw interest<span class="govuk-visually-hidden"> of Bob' in page
    assert _post(client, "/courses/LP/interest", practitioner=str(ids["dan"])).status_code == 403
    empty = _post(client, "/courses/LP/interest", practitioner="")
    assert empty.status_code == 400 and "Choose who wants to be told" in empty.get_data(as_text=True)
    assert _interested(app) == [ids["bob"]]


def test_coordinators_see_the_demand_by_authority_and_area_and_leads_their_authorities(app):
    users, ids = _world(app)
    coordinator = signed_in(app.test_client(), users["coordinator"])
    for person in ("ann", "bob", "dan"):
        assert _post(coordinator, "/courses/LP/interest", practitioner=str(ids[person])).status_code == 302
    page = coordinator.get("/courses/LP").get_data(as_text=True)
    assert "3 people want dates" in page
    cells = re.findall(r'data-label="(?:Authority|Area|People)">([^<]*)<', page)
    assert cells == ["Leicestershire", "Melton", "2", "Leicester", "No area", "1"]
    lead = signed_in(app.test_client(), users["lead"]).get("/courses/LP").get_data(as_text=True)
    assert "1 person wants dates" in lead and "Melton" not in lead
    assert "Waiting for dates" not in signed_in(app.test_client(), users["ann"]).get("/courses/LP").get_data(
        as_text=True
    )
