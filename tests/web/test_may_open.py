"""Templates ask `may_open(endpoint)` and the user's scope rather than naming roles: a link shows exactly when the
page behind it would let the user in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.web.helpers import signed_in, users_for_every_role
from training_app.models import Role
from training_app.permissions import may_open

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
ROLE_NAMES = "|".join(role.value for role in Role)


def test_no_template_names_a_role():
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in TEMPLATES.rglob("*.html")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "current_user.role" in line or re.search(rf"(==|!=|\bin)\s*\(?[\"']({ROLE_NAMES})[\"']", line)
    ]
    assert offenders == []


@pytest.mark.parametrize("role", list(Role))
def test_may_open_answers_as_the_page_itself_does(app, client, role):
    emails = users_for_every_role(app)
    signed_in(client, emails[role])
    endpoints = ["awareness.new_sign_off", "charges.waive_page", "bookings.list_page", "main.health", "no.such_page"]
    with app.test_request_context():
        from flask_login import login_user

        from training_app.models import User

        login_user(User.query.filter_by(email=emails[role]).one())
        answers = {endpoint: may_open(endpoint) for endpoint in endpoints}
    assert answers["main.health"] is True and answers["no.such_page"] is False
    assert answers["awareness.new_sign_off"] == (role in {Role.ADMIN, Role.COORDINATOR})
    assert answers["bookings.list_page"] == (role in {Role.ADMIN, Role.COORDINATOR, Role.BOOKER})
    # The page agrees with the answer: it opens (200) exactly when may_open says so.
    assert (client.get("/awareness/sign-offs/new").status_code == 200) == answers["awareness.new_sign_off"]


def test_the_record_button_shows_only_to_those_who_may_record(app, client):
    emails = users_for_every_role(app)
    signed_in(client, emails[Role.WORKFORCE_LEAD])
    html = client.get("/awareness/sign-offs").get_data(as_text=True)
    assert "Record a sign-off" not in html and "You see the sign-offs that cover your authorities." in html
