"""GET /api/v1/practitioners/{email}/pathway: SPEC 4.5's answer, scoped by role."""

from __future__ import annotations

from datetime import date

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
)
from training_app.extensions import db
from training_app.models import Pathway, PathwayCourse, Requirement, Role

from .helpers import bearer, user_with_token

URL = "/api/v1/practitioners/{}/pathway"


@pytest.fixture
def setting(app_ctx):
    """A school worker in group 3 whose pathway lists CAF (renewed, due soon) and LP (booked)."""
    county = make_authority("LEICESTERSHIRE")
    school = make_organisation(county, code="SCH-1")
    caf = make_course(code="CAF", validity_months=36)
    lp = make_course(code="LP", validity_months=36)
    pathway = Pathway(group=group("3"), name="Intensive contact pathway")
    pathway.steps = [
        PathwayCourse(course=caf, requirement=Requirement.REQUIRED, position=1),
        PathwayCourse(course=lp, requirement=Requirement.RECOMMENDED, position=2),
    ]
    db.session.add(pathway)
    person = make_practitioner(organisation=school, authorities=[county], email="sam@school.example", group=group("3"))
    make_record(person, caf, date(2020, 3, 15))
    make_booking(make_session(course=lp, code="LP-7", days=(date(2023, 2, 1),)), person)
    db.session.commit()
    return {"county": county, "school": school, "person": person}


def test_the_pathway_in_order_with_status_dates_and_session(client, setting, headers_for):
    response = client.get(
        URL.format("Sam@School.example"), query_string={"today": "2023-01-20"}, headers=headers_for(Role.COORDINATOR)
    )

    assert response.status_code == 200
    assert response.json == {
        "practitioner": "sam@school.example",
        "group": "3",
        "courses": [
            {
                "course": "CAF",
                "requirement": "required",
                "status": "due_soon",
                "completed_on": "2020-03-15",
                "expires_on": "2023-03-15",
                "session": None,
            },
            {
                "course": "LP",
                "requirement": "recommended",
                "status": "booked",
                "completed_on": None,
                "expires_on": None,
                "session": "LP-7",
            },
        ],
    }
    later = client.get(URL.format("sam@school.example"), query_string={"today": "2023-03-15"}, headers=headers_for())
    assert [c["status"] for c in later.json["courses"]] == ["expired", "not_started"]  # LP-7 has run


def test_their_booker_their_lead_and_they_see_it_and_others_get_403(client, setting, headers_for):
    person = setting["person"]
    url = URL.format(person.email)
    own_booker = headers_for(Role.BOOKER, organisation=setting["school"])
    other_booker = headers_for(Role.BOOKER, organisation=make_organisation(code="SCH-2"))
    own_lead = headers_for(Role.WORKFORCE_LEAD, authorities=[setting["county"]])
    other_lead = headers_for(Role.WORKFORCE_LEAD, authorities=[make_authority("RUTLAND")])
    user, token = user_with_token(Role.PRACTITIONER, practitioner=person)
    someone_else, their_token = user_with_token(Role.PRACTITIONER, practitioner=make_practitioner())
    db.session.commit()

    assert client.get(url, headers=own_booker).status_code == 200
    assert client.get(url, headers=own_lead).status_code == 200
    assert client.get(url, headers=bearer(token)).json["practitioner"] == person.email
    for headers in (other_booker, other_lead, bearer(their_token), headers_for(Role.FINANCE)):
        refused = client.get(url, headers=headers)
        assert refused.status_code == 403
        assert "courses" not in refused.json


def test_unknown_people_bad_dates_and_unknown_parameters_are_json_errors(client, setting, headers_for):
    headers = headers_for(Role.COORDINATOR)

    missing = client.get(URL.format("nobody@school.example"), headers=headers)
    assert (missing.status_code, missing.json["error"]["code"]) == (404, "not_found")
    bad = client.get(URL.format("sam@school.example"), query_string={"today": "2023-02-30"}, headers=headers)
    assert bad.status_code == 422 and "today" in bad.json["error"]["fields"]
    typo = client.get(URL.format("sam@school.example"), query_string={"todya": "2023-01-01"}, headers=headers)
    assert typo.status_code == 422 and "todya" in typo.json["error"]["fields"]
    assert client.get(URL.format("x" * 300 + "@school.example"), headers=headers).status_code == 404
    assert client.get(URL.format("sam%00@school.example"), headers=headers).status_code == 404
