"""Bearer-token authentication and role checks on the API."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from training_app.extensions import db
from training_app.models import ApiToken, Role, utcnow

from ..factories import make_authority, make_booking, make_organisation, make_practitioner, make_session
from .helpers import bearer, user_with_token


def assert_unauthorized(response, invalid_token: bool = False):
    assert response.status_code == 401
    assert response.is_json
    assert response.json["error"]["code"] == "unauthorized"
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer")
    assert ('error="invalid_token"' in challenge) is invalid_token


def test_a_request_without_a_token_is_refused(client, app_ctx):
    assert_unauthorized(client.get("/api/v1/me"))


@pytest.mark.parametrize(
    "header",
    ["Bearer tk_not-a-real-token", "bearer tk_not-a-real-token", "Bearer " + "x" * 5000],
)
def test_an_unknown_token_is_refused(client, app_ctx, header):
    user_with_token(Role.ADMIN)
    db.session.commit()
    assert_unauthorized(client.get("/api/v1/me", headers={"Authorization": header}), invalid_token=True)


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "tk_token-without-scheme"])
def test_other_schemes_and_empty_tokens_are_refused(client, app_ctx, header):
    assert_unauthorized(client.get("/api/v1/me", headers={"Authorization": header}))


def test_a_revoked_token_is_refused(client, app_ctx):
    user, token = user_with_token(Role.FINANCE)
    db.session.execute(sa.update(ApiToken).filter_by(user_id=user.id).values(revoked_at=utcnow()))
    db.session.commit()
    assert_unauthorized(client.get("/api/v1/me", headers=bearer(token)), invalid_token=True)


def test_a_deactivated_users_token_is_refused(client, app_ctx):
    user, token = user_with_token(Role.FINANCE)
    user.active = False
    db.session.commit()
    assert_unauthorized(client.get("/api/v1/me", headers=bearer(token)), invalid_token=True)


def test_a_signed_in_session_cookie_does_not_authenticate_the_api(client, app_ctx):
    user, _ = user_with_token(Role.ADMIN)
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    assert_unauthorized(client.get("/api/v1/me"))
    assert_unauthorized(client.put("/api/v1/funds/2007", json={"amount_pence": 1}))


def test_me_shows_the_tokens_user_and_records_the_tokens_use(client, app_ctx):
    leicester = make_authority("LEICESTER")
    rutland = make_authority("RUTLAND")
    user, token = user_with_token(
        Role.BOOKER,
        email="bm@school.example",
        organisation=make_organisation(code="SCH1"),
        authorities=[rutland, leicester],
    )
    db.session.commit()

    response = client.get("/api/v1/me", headers=bearer(token))

    assert response.status_code == 200
    assert response.json == {
        "email": "bm@school.example",
        "name": "",
        "role": "booker",
        "organisation": "SCH1",
        "authorities": ["LEICESTER", "RUTLAND"],
    }
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    db.session.expire_all()
    assert db.session.execute(sa.select(ApiToken.last_used_at).filter_by(user_id=user.id)).scalar() is not None


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.BOOKER, Role.WORKFORCE_LEAD, Role.PRACTITIONER])
def test_roles_other_than_finance_and_admin_cannot_touch_funds(client, headers_for, role):
    extra = {"authorities": [make_authority()]} if role == Role.WORKFORCE_LEAD else {}
    headers = headers_for(role, **extra)

    for response in (
        client.get("/api/v1/funds/2007", headers=headers),
        client.put("/api/v1/funds/2007", headers=headers, json={"amount_pence": 100}),
    ):
        assert response.status_code == 403
        assert response.is_json
        assert response.json["error"]["code"] == "forbidden"
        assert role.value in response.json["error"]["message"]


def test_every_api_endpoint_declares_who_may_use_it(app):
    api_views = {
        rule.endpoint: app.view_functions[rule.endpoint]
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
    }
    assert api_views, "no API routes registered"
    for endpoint, view in api_views.items():
        roles = getattr(view, "allowed_roles", None)
        assert roles, f"{endpoint} says nothing about who may use it"
        if endpoint != "api.openapi_json":
            assert "public" not in roles, f"{endpoint} must need a token"


def test_last_used_is_kept_to_the_minute_so_a_busy_client_does_not_write_on_every_call(client, app_ctx):
    user, token = user_with_token(Role.COORDINATOR)
    db.session.commit()

    def last_used():
        db.session.expire_all()
        return db.session.execute(sa.select(ApiToken.last_used_at).filter_by(user_id=user.id)).scalar()

    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as traveller:
        assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
        assert last_used() == start
        traveller.shift(timedelta(seconds=30))
        client.get("/api/v1/me", headers=bearer(token))
        assert last_used() == start
        traveller.shift(timedelta(seconds=45))
        client.get("/api/v1/me", headers=bearer(token))
        assert last_used() == start + timedelta(seconds=75)


def test_a_refused_write_still_records_when_its_token_was_used(client, app_ctx):
    user, token = user_with_token(Role.COORDINATOR)
    session = make_session(code="FULL-1", days=(date(2026, 4, 1),))
    person = make_practitioner(email="twice@school.example")
    make_booking(session, person)
    db.session.commit()
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):  # booking the same person again is refused and rolled back
        again = client.post(
            "/api/v1/sessions/FULL-1/bookings", json={"practitioner": person.email}, headers=bearer(token)
        )
        assert again.status_code == 409
    db.session.expire_all()
    assert db.session.execute(sa.select(ApiToken.last_used_at).filter_by(user_id=user.id)).scalar() == start
