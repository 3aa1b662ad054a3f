"""POST/GET /api/v1/courses/{code}/interest and DELETE /api/v1/courses/{code}/interest/{email} (SPEC 4.5, 3.4)."""

from __future__ import annotations

import pytest

from tests.factories import make_area, make_authority, make_course, make_organisation, make_practitioner, make_user
from training_app.extensions import db
from training_app.models import Role
from training_app.services.accounts.accounts import issue_api_token

from .helpers import bearer, user_with_token


@pytest.fixture
def world(app_ctx):
    county, city = make_authority(name="Leicestershire"), make_authority(name="Leicester")
    school = make_organisation(county, code="SCH-1", area_id=make_area(county, "Melton").id)
    other = make_organisation(city, code="CITY-1")
    make_course(code="LP", title="Lead professional")
    ann = make_practitioner(school, email="ann@example.org")
    make_practitioner(school, email="bob@example.org")
    make_practitioner(other, email="dan@example.org")
    tokens = {
        "coordinator": user_with_token(Role.COORDINATOR)[1],
        "booker": user_with_token(Role.BOOKER, organisation=school)[1],
        "lead": user_with_token(Role.WORKFORCE_LEAD, authorities=[city])[1],
        "finance": user_with_token(Role.FINANCE)[1],
    }
    tokens["ann"] = issue_api_token(make_user(Role.PRACTITIONER, practitioner_id=ann.id))
    db.session.commit()
    return tokens


def _post(client, token, email, code="LP"):
    return client.post(f"/api/v1/courses/{code}/interest", json={"practitioner": email}, headers=bearer(token))


def test_interest_is_registered_within_scope_and_counted(client, world):
    made = _post(client, world["ann"], "ann@example.org")
    assert made.status_code == 201 and made.get_json()["practitioner"] == "ann@example.org"
    assert _post(client, world["booker"], "bob@example.org").status_code == 201
    assert _post(client, world["coordinator"], "dan@example.org").status_code == 201
    got = client.get("/api/v1/courses/LP/interest", headers=bearer(world["coordinator"])).get_json()
    assert got["total"] == 3
    assert got["rows"] == [
        {"authority": "Leicestershire", "area": "Melton", "count": 2},
        {"authority": "Leicester", "area": "No area", "count": 1},
    ]
    lead = client.get("/api/v1/courses/LP/interest", headers=bearer(world["lead"])).get_json()
    assert lead["total"] == 1
    booker = client.get("/api/v1/courses/LP/interest", headers=bearer(world["booker"])).get_json()
    assert booker["total"] == 2


def test_scope_duplicates_and_bad_input_are_refused_with_the_right_status(client, world):
    assert _post(client, world["ann"], "bob@example.org").status_code == 403
    assert _post(client, world["booker"], "dan@example.org").status_code == 403
    assert _post(client, world["finance"], "dan@example.org").status_code == 403
    assert _post(client, world["coordinator"], "nobody@example.org").status_code == 422
    assert _post(client, world["coordinator"], "ann@example.org", code="NOPE").status_code == 404
    bad = client.post("/api/v1/courses/LP/interest", json={"who": 1}, headers=bearer(world["coordinator"]))
    assert bad.status_code == 422 and "practitioner" in bad.get_json()["error"]["fields"]
    assert _post(client, world["booker"], "ann@example.org").status_code == 201
    again = _post(client, world["ann"], "ann@example.org")
    assert again.status_code == 409 and again.get_json()["error"]["code"]
    for role in ("ann", "finance"):
        assert client.get("/api/v1/courses/LP/interest", headers=bearer(world[role])).status_code == 403


def test_interest_is_withdrawn_once(client, world):
    _post(client, world["ann"], "ann@example.org")
    path = "/api/v1/courses/LP/interest/ann@example.org"
    assert client.delete(path, headers=bearer(world["booker"])).status_code == 200
    assert client.delete(path, headers=bearer(world["ann"])).status_code == 409
    _post(client, world["coordinator"], "dan@example.org")
    other = client.delete("/api/v1/courses/LP/interest/dan@example.org", headers=bearer(world["booker"]))
    assert other.status_code == 403
