"""Every failure under /api/ is a JSON error with the right status, never HTML and never a stack trace."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import IntegrityError

from training_app.api.errors import integrity_error_response
from training_app.extensions import db
from training_app.models import Authority, Fund, Role
from training_app.services.claims import funds
from training_app.services.sessions import sessions_query

GOOD_FUND = {"amount_pence": 15_400_000, "scheme_start": "2007-09-01", "claim_deadline": "2008-04-30"}


def assert_error(response, status: int, code: str):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.json["error"]
    assert error["code"] == code
    assert error["message"]
    assert isinstance(error["fields"], dict)
    assert "Traceback" not in response.get_data(as_text=True)
    return error


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing", "/api/v1/sessions/", "/api/v2/me", "/api/", "/api"])
def test_unknown_api_addresses_are_json_404s(client, headers_for, path):
    assert_error(client.get(path, headers=headers_for(Role.ADMIN)), 404, "not_found")


def test_a_fund_that_does_not_exist_is_a_404_naming_the_year(client, headers_for):
    error = assert_error(client.get("/api/v1/funds/2009", headers=headers_for(Role.FINANCE)), 404, "not_found")
    assert "2009" in error["message"]


@pytest.mark.parametrize("year", ["abc", "-1", "2007.5", "2007-08"])
def test_a_financial_year_that_is_not_a_number_is_a_404(client, headers_for, year):
    headers = headers_for(Role.FINANCE)
    assert_error(client.get(f"/api/v1/funds/{year}", headers=headers), 404, "not_found")
    assert_error(client.put(f"/api/v1/funds/{year}", headers=headers, json=GOOD_FUND), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("delete", "/api/v1/funds/2007", {"GET", "PUT"}),
        ("post", "/api/v1/me", {"GET"}),
        ("put", "/api/v1/sessions", {"GET"}),
    ],
)
def test_a_wrong_method_is_a_json_405_listing_the_allowed_ones(client, headers_for, method, path, allowed):
    response = getattr(client, method)(path, headers=headers_for(Role.ADMIN))
    assert_error(response, 405, "method_not_allowed")
    assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}


@pytest.mark.parametrize(
    ("data", "content_type", "says"),
    [
        ('{"amount_pence": 100,', "application/json", "not valid JSON"),
        (b"\xff\xfe\x00garbage", "application/json", "not valid JSON"),
        ("[" * 100_000, "application/json", "not valid JSON"),
        ("[1, 2]", "application/json", "JSON object"),
        ("null", "application/json", "JSON object"),
        ('{"amount_pence": 100}', "text/plain", "Content-Type"),
        ("amount_pence=100", "application/x-www-form-urlencoded", "Content-Type"),
        ("", None, "Content-Type"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_a_400(client, headers_for, data, content_type, says):
    response = client.put("/api/v1/funds/2007", headers=headers_for(Role.FINANCE), data=data, content_type=content_type)
    error = assert_error(response, 400, "bad_request")
    assert says in error["message"]
    assert db.session.execute(db.select(Fund)).first() is None


def test_an_unexpected_failure_is_a_logged_json_500_without_details(client, headers_for, monkeypatch, caplog):
    def broken(filters, **paging):
        raise RuntimeError("secret connection string")

    monkeypatch.setattr(sessions_query, "session_page", broken)
    with caplog.at_level(logging.ERROR):
        response = client.get("/api/v1/sessions", headers=headers_for(Role.ADMIN))

    assert_error(response, 500, "server_error")
    assert "secret" not in response.get_data(as_text=True)
    assert "secret connection string" in caplog.text


def test_losing_a_race_to_create_a_fund_is_a_409_and_changes_nothing(client, headers_for, monkeypatch):
    headers = headers_for(Role.FINANCE)
    assert client.put("/api/v1/funds/2007", headers=headers, json=GOOD_FUND).status_code == 201
    # Another request created the year's fund between our look-up and our insert.
    monkeypatch.setattr(funds, "_locked_fund", lambda year: None)

    response = client.put("/api/v1/funds/2007", headers=headers, json=GOOD_FUND | {"amount_pence": 1})

    assert_error(response, 409, "conflict")
    monkeypatch.undo()
    assert client.get("/api/v1/funds/2007", headers=headers).json["amount_pence"] == 15_400_000


def test_the_conflict_handler_rolls_the_session_back(app, app_ctx):
    db.session.add(Authority(code="PENDING", name="Not yet saved"))
    db.session.flush()
    with app.test_request_context("/api/v1/funds/2007", method="PUT"):
        response = integrity_error_response(IntegrityError("INSERT ...", {}, Exception("duplicate key")))
    assert response.status_code == 409
    assert response.json["error"]["code"] == "conflict"
    assert "duplicate" not in response.get_data(as_text=True)
    assert db.session.execute(db.select(Authority).filter_by(code="PENDING")).first() is None


def test_no_answer_under_api_is_ever_html(client, headers_for):
    finance, practitioner = headers_for(Role.FINANCE), headers_for(Role.PRACTITIONER)
    responses = [
        client.get("/api/v1/openapi.json"),
        client.get("/api/v1/me"),
        client.get("/api/v1/me", headers=finance),
        client.get("/api/v1/sessions?from=yesterday", headers=finance),
        client.get("/api/v1/funds/2007", headers=finance),
        client.get("/api/v1/funds/2007", headers=practitioner),
        client.put("/api/v1/funds/2007", headers=finance, data="{", content_type="application/json"),
        client.put("/api/v1/funds/2007", headers=finance, json={}),
        client.patch("/api/v1/funds/2007", headers=finance, json={}),
        client.get("/api/v1/../v1/nothing", headers=finance),
        client.get("/api/elsewhere"),
        client.options("/api/v1/me"),
        client.head("/api/v1/me", headers=finance),
    ]
    for response in responses:
        assert response.mimetype == "application/json" or (response.status_code == 200 and not response.data)
        assert "html" not in response.headers.get("Content-Type", "")
        assert b"<html" not in response.data.lower()
    assert "GET" in responses[-2].headers["Allow"]
