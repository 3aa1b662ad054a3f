"""Password reset from the sign-in page (nothing tells whether an email has an account) and the API tokens page."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token_from
from tests.factories import make_user
from tests.outbox import emails_to, link_in
from tests.web.helpers import h1_of, signed_in
from training_app.extensions import db
from training_app.models import ApiToken, Role, User
from training_app.services.accounts.accounts import user_for_token

NEW_PASSWORD = "a fresh reset password"
MAIN = re.compile(r"<main[^>]*>(.*?)</main>", re.S)


def _post(client, url: str, **data):
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def _main(response, email: str) -> str:
    """The page's main content with the email typed in taken out, to compare two answers."""
    return MAIN.search(response.get_data(as_text=True)).group(1).replace(email, "EMAIL")


@pytest.fixture
def coordinator(app):
    with app.app_context():
        make_user(Role.COORDINATOR, email="forgetful@council.example")
        db.session.commit()
    return "forgetful@council.example"


def test_the_reset_page_answers_the_same_whether_or_not_the_email_has_an_account(app, client, coordinator):
    known = _post(client, "/password-reset", email=coordinator)
    unknown = _post(app.test_client(), "/password-reset", email="nobody@council.example")

    assert known.status_code == unknown.status_code == 200
    assert h1_of(known) == "Check your email"
    assert _main(known, coordinator) == _main(unknown, "nobody@council.example")


def test_a_reset_link_sets_a_new_password_once(app, client, coordinator):
    _post(client, "/password-reset", email=coordinator)
    path = "/" + link_in(emails_to(app, coordinator)[-1]).split("/", 3)[3]

    assert h1_of(client.get(path)) == "Choose a new password"
    assert _post(client, path, password=NEW_PASSWORD, confirm=NEW_PASSWORD).headers["Location"] == "/sign-in"
    signed_in(app.test_client(), coordinator, NEW_PASSWORD)
    assert client.get(path).status_code == 404


def test_the_reset_page_needs_a_well_formed_email(app, client):
    response = _post(client, "/password-reset", email="not-an-email")

    assert "Enter an email address in the correct format" in response.get_data(as_text=True)
    assert emails_to(app, "not-an-email") == []


def test_a_user_makes_a_named_token_sees_it_once_and_revokes_it(app, coordinator):
    client = signed_in(app.test_client(), coordinator)

    made = _post(client, "/api-tokens", name="Nightly export")

    token = re.search(r'<code class="app-token">([^<]+)</code>', made.get_data(as_text=True)).group(1)
    listing = client.get("/api-tokens").get_data(as_text=True)
    assert "Nightly export" in listing and token not in listing and "Never" in listing
    with app.app_context():  # using the token records when it was used
        assert user_for_token(token).email == coordinator
        token_id = db.session.execute(sa.select(ApiToken.id)).scalar_one()
    assert "Never" not in client.get("/api-tokens").get_data(as_text=True)
    csrf = csrf_token_from(listing)
    assert client.post(f"/api-tokens/{token_id}/revoke", data={"csrf_token": csrf}).status_code == 302
    assert "Revoked" in client.get("/api-tokens").get_data(as_text=True)
    with app.app_context():
        assert user_for_token(token) is None


def test_a_token_needs_a_name(app, coordinator):
    client = signed_in(app.test_client(), coordinator)

    response = _post(client, "/api-tokens", name="  ")

    assert "Enter a name for the token" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(ApiToken.id))).scalar_one() == 0


def test_only_an_admin_may_revoke_someone_elses_token(app, coordinator):
    with app.app_context():
        make_user(Role.FINANCE, email="other@council.example")
        make_user(Role.ADMIN, email="boss@council.example")
        owner_id = db.session.execute(sa.select(User.id).filter_by(email=coordinator)).scalar_one()
        db.session.commit()
    _post(signed_in(app.test_client(), coordinator), "/api-tokens", name="Mine")
    with app.app_context():
        token_id = db.session.execute(sa.select(ApiToken.id)).scalar_one()
    revoke = f"/api-tokens/{token_id}/revoke"

    other = signed_in(app.test_client(), "other@council.example")
    csrf = csrf_token_from(other.get("/api-tokens").get_data(as_text=True))
    assert other.post(revoke, data={"csrf_token": csrf}).status_code == 403

    boss = signed_in(app.test_client(), "boss@council.example")
    user_page = boss.get(f"/admin/users/{owner_id}").get_data(as_text=True)
    assert "Mine" in user_page
    response = boss.post(revoke, data={"csrf_token": csrf_token_from(user_page)})
    assert response.status_code == 302 and response.headers["Location"] == f"/admin/users/{owner_id}"
    assert "Revoked" in boss.get(f"/admin/users/{owner_id}").get_data(as_text=True)
