"""schemathesis over every operation in /api/v1/openapi.json, with a real token of each role and none.

Operations come from the document itself, so a route added (and documented) later is fuzzed without a
change here. Every answer must be no 5xx, a documented status, a documented content type and a body
matching its schema. Examples are derandomized and bounded, so a run is repeatable and quick.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from training_app.api.openapi import openapi_document
from training_app.extensions import db
from training_app.models import Role
from training_app.services.claims import funds
from training_app.services.claims.funds import FundSettings

from ..factories import make_authority, make_course, make_organisation, make_practitioner, make_record, make_session
from .helpers import bearer, user_with_token

# No 5xx; the status, content type, headers and body as documented; and input the document rules out refused.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
ANONYMOUS = "anonymous"


@pytest.fixture
def role_headers(app: Flask) -> dict[str, dict[str, str]]:
    """A little committed data (so not everything is a 404) and the Authorization header of every role, and none."""
    with app.app_context():
        shire = make_authority("LEICESTERSHIRE", "Leicestershire", order=2)
        city = make_authority("LEICESTER", "Leicester", order=1)
        caf = make_course("CAF", counts_as_trained=True, validity_months=36)
        school = make_organisation(shire, code="SCH1")
        person = make_practitioner(school, [shire, city], email="pat@example.org")
        make_record(person, caf, date(2008, 6, 1))
        make_session(caf, days=(date(2008, 10, 1),), host=city, code="S1")
        funds.set_fund(2007, FundSettings(15_400_000, date(2007, 9, 1), date(2008, 4, 30)))
        headers: dict[str, dict[str, str]] = {ANONYMOUS: {}}
        for role in Role:
            scope = {"authorities": [shire]} if role == Role.WORKFORCE_LEAD else {}
            if role == Role.BOOKER:
                scope["organisation"] = school
            _, token = user_with_token(role, **scope)
            headers[role.value] = bearer(token)
        db.session.commit()
        db.session.remove()
    return headers


# Loaded when the tests are collected, so each operation is its own test; test_the_fuzzed_document_is_the_served_one
# checks that this is exactly what /api/v1/openapi.json serves. (schemathesis.pytest.from_fixture would load it
# from the app fixture instead, but its lazy loader does not work with pytest 9.)
schema = schemathesis.openapi.from_dict(json.loads(json.dumps(openapi_document())))


def test_the_fuzzed_document_is_the_served_one(client):
    assert client.get("/api/v1/openapi.json").json == json.loads(json.dumps(openapi_document()))


@schema.parametrize()
@settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
)
def test_every_operation_answers_every_role_as_documented(app, role_headers, case):
    for headers in role_headers.values():
        response = case.call(app=app, headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)
