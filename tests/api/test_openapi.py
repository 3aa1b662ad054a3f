"""GET /api/v1/openapi.json: public, valid OpenAPI 3.1, and describing exactly the routes that exist."""

from __future__ import annotations

import re
from datetime import date

import jsonschema
import openapi_spec_validator
import pytest

from training_app.models import Role

from ..factories import make_session

HTTP_METHODS = {"get", "put", "post", "delete", "patch"}


def api_operations_in_url_map(app) -> set[tuple[str, str]]:
    operations = set()
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        operations |= {(path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return operations


def documented_operations(document) -> set[tuple[str, str]]:
    return {(path, method) for path, item in document["paths"].items() for method in item if method in HTTP_METHODS}


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.json


def test_the_document_needs_no_token_and_declares_bearer_auth(document):
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": "/api/v1"}]
    assert document["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert document["security"] == [{"bearerAuth": []}]
    assert document["paths"]["/openapi.json"]["get"]["security"] == []
    error = document["components"]["schemas"]["Error"]["properties"]["error"]
    assert error["required"] == ["code", "message", "fields"]


def test_every_api_route_is_documented_and_nothing_else_is(app, document):
    in_app = api_operations_in_url_map(app)
    assert {("/sessions", "get"), ("/funds/{financial_year}", "put"), ("/me", "get")} <= in_app
    assert documented_operations(document) == in_app


def test_the_document_is_valid_openapi_3_1(document):
    openapi_spec_validator.validate(document)


def test_every_reference_resolves(document):
    text = str(document)
    for kind, name in re.findall(r"#/components/(\w+)/(\w+)", text):
        assert name in document["components"][kind], f"{kind}/{name} is referenced but not defined"


def conforms(document, name: str, body) -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": f"#/components/schemas/{name}",
        "components": document["components"],
    }
    jsonschema.Draft202012Validator(schema).validate(body)


def test_answers_match_their_documented_schemas(client, headers_for, document):
    make_session(days=(date(2008, 10, 1),))
    headers = headers_for(Role.FINANCE)
    fund = {"amount_pence": 100, "scheme_start": "2007-09-01", "claim_deadline": "2008-04-30"}

    conforms(document, "Me", client.get("/api/v1/me", headers=headers).json)
    conforms(document, "SessionList", client.get("/api/v1/sessions", headers=headers).json)
    conforms(document, "Fund", client.put("/api/v1/funds/2007", headers=headers, json=fund).json)
    conforms(document, "Fund", client.get("/api/v1/funds/2007", headers=headers).json)
    conforms(document, "Error", client.put("/api/v1/funds/2008", headers=headers, json={}).json)
    conforms(document, "Error", client.get("/api/v1/funds/2009", headers=headers).json)
