"""Errors are friendly GOV.UK pages: 403, 404, 405, 500, never a stack trace."""

import pytest
from flask import Blueprint

from tests.factories import make_user
from tests.web.helpers import h1_of, sign_in, title_of
from training_app import create_app
from training_app.extensions import db
from training_app.models import Role
from training_app.permissions import allow, public

probe = Blueprint("probe", __name__)


@probe.get("/probe/finance-only")
@allow(Role.FINANCE)
def finance_only():
    """A page only finance may open."""
    return "secret figures"


@probe.get("/probe/broken")
@public
def broken():
    """A page that fails."""
    raise RuntimeError("database password is hunter2")


@pytest.fixture
def probe_app(app):
    """A second app on the same database with two extra routes to provoke 403 and 500."""
    keys = ("TESTING", "SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "SESSION_COOKIE_SECURE", "MAIL_OUTBOX")
    probe_app = create_app({key: app.config[key] for key in keys})
    probe_app.register_blueprint(probe)
    yield probe_app
    with probe_app.app_context():
        db.engine.dispose()


def test_a_role_without_permission_gets_a_friendly_403(app, probe_app):
    with app.app_context():
        email = make_user(Role.BOOKER).email
        db.session.commit()
    client = probe_app.test_client()
    sign_in(client, email)

    response = client.get("/probe/finance-only")

    assert response.status_code == 403
    assert h1_of(response) == "You do not have permission to see this page"
    assert f"You are signed in as {email}" in response.get_data(as_text=True)
    assert "secret figures" not in response.get_data(as_text=True)


def test_an_unexpected_failure_shows_a_500_page_without_details(probe_app):
    response = probe_app.test_client().get("/probe/broken")

    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert h1_of(response) == "Sorry, there is a problem with the service"
    assert "hunter2" not in page
    assert "Traceback" not in page


def test_an_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")

    assert response.status_code == 404
    assert h1_of(response) == "Page not found"
    assert title_of(response).startswith("Page not found – ")
    assert 'href="/sign-in"' in response.get_data(as_text=True)


def test_a_wrong_method_is_a_friendly_405(client):
    response = client.delete("/sign-in")

    assert response.status_code == 405
    assert h1_of(response) == "Sorry, that action is not allowed here"
