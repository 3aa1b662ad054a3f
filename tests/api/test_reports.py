"""GET /api/v1/reports/trained-by-area: the SPEC 3.9 table as JSON, by role and scope."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import make_authority, make_course, make_organisation, make_practitioner, make_record
from tests.reference import TRAINED_BY_AREA_2008_08_31
from tests.seeds.helpers import seed_demo
from training_app.extensions import db
from training_app.models import Authority, Role

from .test_openapi import conforms

URL = "/api/v1/reports/trained-by-area"


def table(body):
    keys = ("label", "trained", "spaces_to_end_of_year", "spaces_planned_next_year")
    return [[row[key] for key in keys] for row in body["rows"]]


@pytest.fixture
def demo(app, app_ctx):
    assert seed_demo(app).exit_code == 0


def test_the_demo_table_is_the_partnerships_table_in_order(client, demo, headers_for):
    response = client.get(URL, query_string={"as_of": "2008-08-31"}, headers=headers_for(Role.COORDINATOR))

    assert response.status_code == 200
    assert response.json["as_of"] == "2008-08-31"
    assert table(response.json) == TRAINED_BY_AREA_2008_08_31


def test_a_leicestershire_workforce_lead_sees_only_rows_touching_leicestershire(client, demo, headers_for):
    county = db.session.scalars(sa.select(Authority).filter_by(code="LEICESTERSHIRE")).one()
    headers = headers_for(Role.WORKFORCE_LEAD, authorities=[county])

    response = client.get(URL, query_string={"as_of": "2008-08-31"}, headers=headers)

    assert response.status_code == 200
    assert table(response.json) == [
        ["Leicestershire", 899, 300, 125],
        ["Leicester and Leicestershire", 39, None, None],
        ["Leicestershire and Rutland", 46, None, None],
        ["Leicester, Leicestershire and Rutland", 28, None, None],
        ["Total Number Trained", 1012, None, None],
    ]


def test_the_answer_matches_its_documented_schema(client, headers_for):
    county = make_authority("LEICESTERSHIRE", "Leicestershire")
    person = make_practitioner(make_organisation(county))
    make_record(person, make_course(counts_as_trained=True), date(2009, 1, 5))
    headers = headers_for(Role.ADMIN)
    document = client.get("/api/v1/openapi.json").json

    early = client.get(URL, query_string={"as_of": "2009-01-04"}, headers=headers).json
    late = client.get(URL, query_string={"as_of": "2009-01-05"}, headers=headers).json

    conforms(document, "TrainedByArea", late)
    assert table(early) == [["Leicestershire", 0, 0, 0], ["Total Number Trained", 0, None, None]]
    assert table(late) == [["Leicestershire", 1, 0, 0], ["Total Number Trained", 1, None, None]]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({}, "Enter a date as YYYY-MM-DD."),
        ({"as_of": ""}, "Enter a date as YYYY-MM-DD."),
        ({"as_of": "2008-02-30"}, "'as_of' must be a real date written YYYY-MM-DD."),
        ({"as_of": "31/08/2008"}, "'as_of' must be a real date written YYYY-MM-DD."),
        ({"as_of": "2008-8-31"}, "'as_of' must be a real date written YYYY-MM-DD."),
    ],
)
def test_a_missing_or_bad_date_is_a_422_naming_as_of(client, headers_for, query, message):
    response = client.get(URL, query_string=query, headers=headers_for(Role.ADMIN))

    assert response.status_code == 422
    assert response.json["error"]["code"] == "validation_failed"
    assert response.json["error"]["fields"] == {"as_of": message}


@pytest.mark.parametrize("role", [Role.BOOKER, Role.PRACTITIONER, Role.FINANCE])
def test_other_roles_are_refused(client, headers_for, role):
    response = client.get(URL, query_string={"as_of": "2008-08-31"}, headers=headers_for(role))

    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"


def test_a_request_without_a_token_is_a_401(client):
    assert client.get(URL, query_string={"as_of": "2008-08-31"}).status_code == 401


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        ("9999-12-31", "'as_of' must be between 1900-01-01 and 2100-12-31."),
        ("0001-01-01", "'as_of' must be between 1900-01-01 and 2100-12-31."),
        ("2008-W35-7", "'as_of' must be a real date written YYYY-MM-DD."),
        ("20080831xx", "'as_of' must be a real date written YYYY-MM-DD."),
        ("9" * 5000, "'as_of' must be a real date written YYYY-MM-DD."),
    ],
)
def test_a_date_outside_the_supported_years_or_not_iso_is_a_422(client, headers_for, as_of, message):
    response = client.get(URL, query_string={"as_of": as_of}, headers=headers_for(Role.COORDINATOR))

    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"as_of": message}


def test_the_last_supported_day_is_counted(client, headers_for):
    response = client.get(URL, query_string={"as_of": "2100-12-31"}, headers=headers_for(Role.ADMIN))

    assert response.status_code == 200
    assert response.json["as_of"] == "2100-12-31"


def test_an_unknown_query_parameter_is_a_422(client, headers_for):
    response = client.get(URL, query_string={"as_of": "2008-08-31", "asof": "x"}, headers=headers_for(Role.ADMIN))

    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"asof": "Unknown field."}
