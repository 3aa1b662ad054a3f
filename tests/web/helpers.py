"""Helpers for web tests: signing in through the real form, and rows the shared factories do not make."""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, make_authority, make_booking, make_record, make_user  # noqa: F401 (re-exported for the tests here)
from training_app.extensions import db
from training_app.models import Role

TITLE = re.compile(r"<title>(.*?)</title>", re.S)
H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD, next_path: str | None = None):
    """Fill in and send the sign-in form, as a browser would; returns the POST's response."""
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    url = "/sign-in" + (f"?next={quote(next_path, safe='')}" if next_path is not None else "")
    return client.post(url, data={"csrf_token": token, "email": email, "password": password})


def signed_in(client: FlaskClient, email: str, password: str = PASSWORD) -> FlaskClient:
    """Sign in through the form and check it worked: sent to the dashboard, which names the signed-in user."""
    response = sign_in(client, email, password)
    assert response.status_code == 302 and response.headers["Location"] == "/", response.get_data(as_text=True)
    dashboard = client.get("/")
    assert dashboard.status_code == 200 and email in dashboard.get_data(as_text=True)
    return client


def title_of(response) -> str:
    """The page's <title>, unescaped enough to compare."""
    return TITLE.search(response.get_data(as_text=True)).group(1).strip().replace("&#39;", "'")


def h1_of(response) -> str:
    """The text of the page's h1."""
    return H1.search(response.get_data(as_text=True)).group(1).strip()


def users_for_every_role(app: Flask) -> dict[Role, str]:
    """One committed user per role (each with the scope its role needs); returns their emails."""
    with app.app_context():
        emails = {}
        for role in Role:
            authorities = [make_authority()] if role == Role.WORKFORCE_LEAD else []
            emails[role] = make_user(role, authorities=authorities).email
        db.session.commit()
    return emails
