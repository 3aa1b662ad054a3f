"""Forms without a CSRF token are refused with a friendly page, and change nothing."""

import sqlalchemy as sa

from tests.factories import PASSWORD, make_user
from tests.web.helpers import h1_of, sign_in, title_of
from training_app.extensions import db
from training_app.models import AuditEvent, Role, SignInFailure


def _make_admin(app) -> str:
    with app.app_context():
        email = make_user(Role.ADMIN).email
        db.session.commit()
    return email


def _rows(app, model) -> int:
    with app.app_context():
        return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def test_sign_in_without_a_token_is_refused_and_does_not_sign_in(app, client):
    email = _make_admin(app)

    response = client.post("/sign-in", data={"email": email, "password": PASSWORD})

    assert response.status_code == 400
    assert h1_of(response) == "Sorry, there is a problem with that request"
    assert title_of(response).startswith("Sorry, there is a problem with that request")
    assert "Nothing has been changed" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    assert _rows(app, AuditEvent) == 0
    assert _rows(app, SignInFailure) == 0


def test_sign_in_with_a_forged_token_is_refused(app, client):
    email = _make_admin(app)
    client.get("/sign-in")

    response = client.post("/sign-in", data={"csrf_token": "forged", "email": email, "password": PASSWORD})

    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_sign_out_without_a_token_is_refused_and_keeps_the_session(app, client):
    email = _make_admin(app)
    sign_in(client, email)

    response = client.post("/sign-out")

    assert response.status_code == 400
    assert h1_of(response) == "Sorry, there is a problem with that request"
    assert client.get("/").status_code == 200
    with app.app_context():
        actions = db.session.execute(sa.select(AuditEvent.action)).scalars().all()
    assert actions == ["sign_in"]
