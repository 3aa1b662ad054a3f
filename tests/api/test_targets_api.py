"""GET /targets, POST /targets and PUT /targets/{id} (SPEC 3.10, 4.5): the JSON shapes, scope and the error shape."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import group, make_authority, make_course, make_organisation, make_practitioner, make_record
from training_app.extensions import db
from training_app.models import Role, Target
from training_app.services.common.calendar import london_today

URL = "/api/v1/targets"


@pytest.fixture
def world(app_ctx):
    caf = make_course(code="CAF", counts_as_trained=True, validity_months=36)
    shire, city = make_authority("SHIRE"), make_authority("CITY")
    school, other = make_organisation(shire, code="SCH1"), make_organisation(city, code="SCH2")
    joint = make_practitioner(school, [shire, city], group=group("3"))
    make_practitioner(school, [shire], group=group("3"))
    make_record(joint, caf, london_today() - timedelta(days=30))
    db.session.commit()
    return {"shire": shire, "city": city, "school": school, "other": other}


def body(**given):
    due = (london_today() + timedelta(days=365)).isoformat()
    return {"organisation": "SCH1", "groups": ["3"], "percent": 80, "due_on": due} | given


def test_a_coordinator_sets_a_target_and_gets_it_back_with_progress(client, world, headers_for):
    response = client.post(URL, json=body(), headers=headers_for(Role.COORDINATOR))

    assert response.status_code == 201, response.json
    assert response.json | {"id": 0} == {
        "id": 0,
        "organisation": "SCH1",
        "authority": None,
        "groups": ["3"],
        "course": "CAF",
        "percent": 80,
        "due_on": body()["due_on"],
        "set_on": london_today().isoformat(),
        "in_post": 2,
        "current": 1,
        "progress_percent": 50,
        "status": "on_track",
    }


def test_the_list_counts_a_joint_worker_once_in_each_authority(client, world, headers_for):
    headers = headers_for(Role.ADMIN)
    for code in ("SHIRE", "CITY"):
        assert client.post(URL, json=body(organisation=None, authority=code), headers=headers).status_code == 201

    response = client.get(URL, query_string={"as_of": london_today().isoformat()}, headers=headers)

    assert response.status_code == 200
    assert response.json["as_of"] == london_today().isoformat()
    rows = {row["authority"]: (row["in_post"], row["current"], row["status"]) for row in response.json["targets"]}
    assert rows == {"SHIRE": (2, 1, "on_track"), "CITY": (1, 1, "met")}


def test_put_changes_a_target_and_keeps_the_day_set(client, world, headers_for):
    headers = headers_for(Role.COORDINATOR)
    made = client.post(URL, json=body(), headers=headers).json

    response = client.put(f"{URL}/{made['id']}", json=body(groups=["3", "5"], percent=40), headers=headers)

    assert response.status_code == 200, response.json
    assert (response.json["groups"], response.json["percent"], response.json["status"]) == (["3", "5"], 40, "met")
    assert response.json["set_on"] == made["set_on"]


def test_a_booker_sets_only_their_own_organisations_target(client, world, headers_for):
    headers = headers_for(Role.BOOKER, organisation=world["school"])

    own = client.post(URL, json=body(organisation=None), headers=headers)
    other = client.post(URL, json=body(organisation="SCH2"), headers=headers)
    authority = client.post(URL, json=body(organisation=None, authority="SHIRE"), headers=headers)

    assert own.status_code == 201 and own.json["organisation"] == "SCH1"
    assert other.status_code == 403 and other.json["error"]["code"] == "forbidden"
    assert authority.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Target.id))) == 1


def test_a_booker_cannot_see_or_change_another_organisations_target(client, world, headers_for):
    theirs = client.post(URL, json=body(organisation="SCH2"), headers=headers_for(Role.COORDINATOR)).json
    headers = headers_for(Role.BOOKER, organisation=world["school"])

    assert client.get(URL, headers=headers).json["targets"] == []
    response = client.put(f"{URL}/{theirs['id']}", json=body(organisation="SCH2", percent=10), headers=headers)
    assert response.status_code == 403
    assert db.session.get(Target, theirs["id"]).percent == 80


def test_a_workforce_lead_reads_their_authorities_targets_and_sets_none(client, world, headers_for):
    staff = headers_for(Role.COORDINATOR)
    for given in (body(), body(organisation="SCH2"), body(organisation=None, authority="CITY")):
        client.post(URL, json=given, headers=staff)
    lead = headers_for(Role.WORKFORCE_LEAD, authorities=[world["shire"]])

    listed = client.get(URL, headers=lead).json["targets"]

    assert [(row["organisation"], row["authority"]) for row in listed] == [("SCH1", None)]
    assert client.post(URL, json=body(), headers=lead).status_code == 403
    assert client.get(URL, headers=headers_for(Role.FINANCE)).status_code == 403


def test_a_missing_target_is_404(client, world, headers_for):
    response = client.put(f"{URL}/999", json=body(), headers=headers_for(Role.COORDINATOR))
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("given", "field"),
    [
        (body(percent=0), "percent"),
        (body(percent=101), "percent"),
        (body(percent="80"), "percent"),
        (body(groups=[]), "groups"),
        (body(groups=["99"]), "groups"),
        (body(authority="SHIRE"), "organisation"),
        (body(organisation=None), "organisation"),
        (body(organisation="NOPE\x00"), "organisation"),
        (body(course="NOPE"), "course"),
        (body(due_on="2026-02-30"), "due_on"),
        (body(due_on=(london_today() - timedelta(days=1)).isoformat()), "due_on"),
        (body(colour="red"), "colour"),
    ],
)
def test_bad_input_is_422_naming_the_field_and_nothing_is_saved(client, world, headers_for, given, field):
    response = client.post(URL, json=given, headers=headers_for(Role.COORDINATOR))

    assert response.status_code == 422, response.json
    assert response.json["error"]["code"] == "validation_failed"
    assert field in response.json["error"]["fields"]
    assert db.session.scalar(sa.select(sa.func.count(Target.id))) == 0


def test_a_bad_as_of_is_422(client, world, headers_for):
    response = client.get(URL, query_string={"as_of": "31/08/2008"}, headers=headers_for(Role.ADMIN))
    assert response.status_code == 422
    assert "as_of" in response.json["error"]["fields"]


def test_status_on_a_past_date_is_figured_on_that_date(client, world, headers_for):
    headers = headers_for(Role.ADMIN)
    client.post(URL, json=body(due_on=(london_today() + timedelta(days=1)).isoformat()), headers=headers)
    later = (london_today() + timedelta(days=2)).isoformat()

    row = client.get(URL, query_string={"as_of": later}, headers=headers).json["targets"][0]

    assert row["status"] == "missed"
    assert date.fromisoformat(row["due_on"]) < date.fromisoformat(later)
