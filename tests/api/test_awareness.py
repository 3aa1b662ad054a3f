"""GET and POST /api/v1/awareness/sign-offs (SPEC 4.5): coordinators write, workforce leads read their authorities."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.awareness_data import awareness_world, values
from training_app.extensions import db
from training_app.models import AwarenessSignOff, OrganisationKind, Role
from training_app.services.awareness import awareness

URL = "/api/v1/awareness/sign-offs"
BODY = {
    "service": "Adult Services Coalville",
    "sector": "adult_services",
    "authorities": ["LEICESTERSHIRE"],
    "contact_name": "Jim Lawrenson",
    "contact_role": "Team Manager",
    "package": "Leicestershire Awareness Package",
    "version": "2007.1",
    "completed_on": "2008-07",
}


@pytest.fixture
def world(app_ctx):
    found = awareness_world()
    awareness.record_sign_off(values())
    awareness.record_sign_off(
        values(service="Rutland GPs", sector_kind=OrganisationKind.GP, authority_codes=["RUTLAND"])
    )
    return found


def test_a_coordinator_records_a_sign_off(client, world, headers_for):
    response = client.post(URL, json=BODY, headers=headers_for(Role.COORDINATOR))

    assert response.status_code == 201, response.json
    assert response.json | {"id": 0} == {
        "id": 0,
        "service": "Adult Services Coalville",
        "sector": "adult_services",
        "authorities": ["LEICESTERSHIRE"],
        "organisation": None,
        "contact_name": "Jim Lawrenson",
        "contact_role": "Team Manager",
        "package": "Leicestershire Awareness Package",
        "version": "2007.1",
        "completed_on": "2008-07",
        "status": "signed_off",
        "signed_off_by": None,
        "notes": "",
        "evidence_file": None,
    }
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AwarenessSignOff)) == 3


def test_a_duplicate_service_is_409_and_bad_fields_422(client, world, headers_for):
    headers = headers_for(Role.ADMIN)

    duplicate = client.post(URL, json=BODY | {"service": "probation service"}, headers=headers)
    invalid = client.post(
        URL, json=BODY | {"authorities": ["DERBY"], "completed_on": "2008-13", "sector": "bank"}, headers=headers
    )

    assert duplicate.status_code == 409 and "already has a sign-off" in duplicate.json["error"]["fields"]["service"]
    assert invalid.status_code == 422
    assert set(invalid.json["error"]["fields"]) == {"completed_on", "sector"}
    unknown = client.post(URL, json=BODY | {"authorities": ["DERBY"]}, headers=headers)
    assert unknown.json["error"]["fields"] == {"authorities": "There is no authority with code DERBY."}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AwarenessSignOff)) == 2


def test_a_workforce_lead_reads_only_sign_offs_covering_their_authorities(client, world, headers_for):
    lead = headers_for(Role.WORKFORCE_LEAD, authorities=[world["rutland"]])

    listed = client.get(URL, headers=lead)
    posted = client.post(URL, json=BODY, headers=lead)

    assert listed.status_code == 200
    assert [s["service"] for s in listed.json["sign_offs"]] == ["Rutland GPs"]
    assert posted.status_code == 403


def test_filters_by_sector_status_and_authority(client, world, headers_for):
    headers = headers_for(Role.COORDINATOR)

    by_sector = client.get(URL, query_string={"sector": "probation"}, headers=headers)
    by_authority = client.get(URL, query_string={"authority": "RUTLAND"}, headers=headers)
    planned = client.get(URL, query_string={"status": "planned"}, headers=headers)
    bad = client.get(URL, query_string={"sector": "bank", "authority": "NOWHERE"}, headers=headers)

    assert [s["service"] for s in by_sector.json["sign_offs"]] == ["Probation Service"]
    assert [s["service"] for s in by_authority.json["sign_offs"]] == ["Rutland GPs"]
    assert planned.json["sign_offs"] == []
    assert bad.status_code == 422 and set(bad.json["error"]["fields"]) == {"sector", "authority"}


@pytest.mark.parametrize("role", [Role.BOOKER, Role.FINANCE, Role.PRACTITIONER])
def test_other_roles_get_403(client, world, headers_for, role):
    scope = {"organisation": world["probation"]} if role == Role.BOOKER else {}
    headers = headers_for(role, **scope)

    assert client.get(URL, headers=headers).status_code == 403
    assert client.post(URL, json=BODY, headers=headers).status_code == 403
