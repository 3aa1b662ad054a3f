"""Accounts from the browser: invitations, setting a password from the link, roles and scopes, switching off."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token_from
from tests.factories import make_authority, make_organisation, make_user
from tests.outbox import emails_to, link_in
from tests.web.helpers import h1_of, sign_in, signed_in, title_of
from training_app.extensions import db
from training_app.models import AccountLink, Role, User

ADMIN = "admin.person@council.example"
NEW_PASSWORD = "three random words here"
SUMMARY = re.compile(r'<div class="govuk-error-summary".*?</div>\s*</div>', re.S)


@pytest.fixture
def admin_client(app):
    with app.app_context():
        make_user(Role.ADMIN, email=ADMIN)
        make_organisation(code="SCH1", name="Oakfield Primary")
        make_authority(code="RUT", name="Rutland")
        db.session.commit()
    return signed_in(app.test_client(), ADMIN)


def _post(client, url: str, **data):
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def _summary(response) -> str:
    match = SUMMARY.search(response.get_data(as_text=True))
    return match.group(0) if match else ""


def _path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def _count(app, model) -> int:
    with app.app_context():
        return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def test_an_invited_booker_sets_a_password_from_the_emailed_link_and_signs_in(app, admin_client):
    response = _post(
        admin_client, "/admin/users/invite", email="Sam@Oakfield.example", role="booker", organisation="sch1"
    )

    assert response.status_code == 302
    page = admin_client.get(response.headers["Location"])
    assert h1_of(page) == "sam@oakfield.example"
    assert "An invitation has been sent to sam@oakfield.example" in page.get_data(as_text=True)
    assert "Oakfield Primary (SCH1)" in page.get_data(as_text=True)
    path = _path(link_in(emails_to(app, "sam@oakfield.example")[-1]))
    visitor = app.test_client()
    assert h1_of(visitor.get(path)) == "Set your password"
    done = _post(visitor, path, password=NEW_PASSWORD, confirm=NEW_PASSWORD)
    assert done.headers["Location"] == "/sign-in"
    signed_in(visitor, "sam@oakfield.example", NEW_PASSWORD)
    again = visitor.get(path)
    assert again.status_code == 404 and h1_of(again) == "This link has expired or has already been used"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": ADMIN, "role": "coordinator"}, f"A user with email {ADMIN} already exists"),
        ({"email": "b@school.example", "role": "booker"}, "A booker needs an organisation"),
        ({"email": "b@school.example", "role": "booker", "organisation": "NOPE"}, "No organisation with code NOPE"),
        ({"email": "l@council.example", "role": "workforce_lead"}, "A workforce lead needs at least one authority"),
        ({"email": "not an email", "role": "finance"}, "Enter an email address in the correct format"),
        ({"email": "p@school.example", "role": "practitioner"}, "No practitioner record has the email"),
        ({"email": "x@school.example"}, "Select a role"),
    ],
)
def test_a_bad_invitation_shows_the_error_summary_and_changes_nothing(app, admin_client, data, message):
    users, links = _count(app, User), _count(app, AccountLink)

    response = _post(admin_client, "/admin/users/invite", **data)

    assert response.status_code == 200
    assert title_of(response).startswith("Error: Invite a user")
    assert message in _summary(response)
    assert (_count(app, User), _count(app, AccountLink)) == (users, links)
    assert emails_to(app, data["email"]) == [] or data["email"] == ADMIN


def test_a_workforce_lead_is_invited_with_an_authority(app, admin_client):
    response = _post(
        admin_client, "/admin/users/invite", email="lead@council.example", role="workforce_lead", authorities="RUT"
    )

    assert response.status_code == 302
    with app.app_context():
        lead = db.session.execute(sa.select(User).filter_by(email="lead@council.example")).scalar_one()
        assert [a.code for a in lead.authorities] == ["RUT"]


def test_a_weak_password_is_refused_on_the_link_page_and_the_link_still_works(app, admin_client):
    _post(admin_client, "/admin/users/invite", email="weak@council.example", role="finance")
    path = _path(link_in(emails_to(app, "weak@council.example")[-1]))
    visitor = app.test_client()

    for weak, message in [("password123", "too easy to guess"), ("short", "at least 10 characters")]:
        response = _post(visitor, path, password=weak, confirm=weak)
        assert response.status_code == 200 and message in _summary(response)
    response = _post(visitor, path, password=NEW_PASSWORD, confirm="something else entirely")
    assert "The passwords do not match" in _summary(response)
    assert _post(visitor, path, password=NEW_PASSWORD, confirm=NEW_PASSWORD).status_code == 302


def test_an_unknown_link_is_refused(app, client):
    response = client.get("/set-password/" + "x" * 43)

    assert response.status_code == 404 and h1_of(response) == "This link has expired or has already been used"


def test_role_and_scope_are_edited_and_a_bad_change_shows_an_error(app, admin_client):
    with app.app_context():
        user_id = make_user(Role.COORDINATOR, email="moving@council.example").id
        db.session.commit()
    url = f"/admin/users/{user_id}"

    bad = _post(admin_client, url, role="workforce_lead")
    assert "A workforce lead needs at least one authority" in _summary(bad)
    good = _post(admin_client, url, role="booker", organisation="SCH1")
    assert good.status_code == 302
    assert "Role and scope saved." in admin_client.get(url).get_data(as_text=True)
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.role == Role.BOOKER and user.organisation.code == "SCH1"


def test_switching_an_account_off_ends_its_sessions_at_once(app, admin_client):
    with app.app_context():
        user_id = make_user(Role.COORDINATOR, email="leaving@council.example").id
        db.session.commit()
    theirs = signed_in(app.test_client(), "leaving@council.example")

    token = csrf_token_from(admin_client.get(f"/admin/users/{user_id}").get_data(as_text=True))
    response = admin_client.post(f"/admin/users/{user_id}/deactivate", data={"csrf_token": token})

    assert response.status_code == 302
    assert "has been switched off" in admin_client.get(f"/admin/users/{user_id}").get_data(as_text=True)
    assert theirs.get("/").headers["Location"].startswith("/sign-in")
    assert "switched off" in sign_in(app.test_client(), "leaving@council.example").get_data(as_text=True)
    response = admin_client.post(f"/admin/users/{user_id}/reactivate", data={"csrf_token": token})
    assert response.status_code == 302
    signed_in(app.test_client(), "leaving@council.example")


def _made_token(client, name: str) -> str:
    """Make an API token on the user's own tokens page and read it off the page, as they would copy it."""
    page = _post(client, "/api-tokens", name=name).get_data(as_text=True)
    return re.search(r'<code class="app-token">([^<]+)</code>', page).group(1)


def test_switching_an_account_off_revokes_its_api_tokens_for_good(app, admin_client):
    with app.app_context():
        user_id = make_user(Role.COORDINATOR, email="leaving@council.example").id
        db.session.commit()
    theirs = signed_in(app.test_client(), "leaving@council.example")
    old_token = _made_token(theirs, "Nightly sync")
    api = app.test_client()
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {old_token}"}).status_code == 200

    token = csrf_token_from(admin_client.get(f"/admin/users/{user_id}").get_data(as_text=True))
    admin_client.post(f"/admin/users/{user_id}/deactivate", data={"csrf_token": token})
    admin_client.post(f"/admin/users/{user_id}/reactivate", data={"csrf_token": token})

    refused = api.get("/api/v1/me", headers={"Authorization": f"Bearer {old_token}"})
    assert refused.status_code == 401
    assert "revoked" in refused.json["error"]["message"]
    assert "Revoked" in admin_client.get(f"/admin/users/{user_id}").get_data(as_text=True)
    back = signed_in(app.test_client(), "leaving@council.example")
    new_token = _made_token(back, "Nightly sync again")
    me = api.get("/api/v1/me", headers={"Authorization": f"Bearer {new_token}"})
    assert me.status_code == 200 and me.json["email"] == "leaving@council.example"


def test_the_users_list_shows_every_account(app, admin_client):
    response = admin_client.get("/admin/users")

    assert h1_of(response) == "Users"
    assert ADMIN in response.get_data(as_text=True)
    assert "Users" in admin_client.get("/").get_data(as_text=True)


def test_the_admin_dashboard_counts_waiting_invitations_and_switched_off_accounts(app, admin_client):
    _post(admin_client, "/admin/users/invite", email="waiting@council.example", role="finance")
    with app.app_context():
        user_id = make_user(Role.COORDINATOR, email="gone@council.example").id
        db.session.commit()
    token = csrf_token_from(admin_client.get(f"/admin/users/{user_id}").get_data(as_text=True))
    admin_client.post(f"/admin/users/{user_id}/deactivate", data={"csrf_token": token})

    page = admin_client.get("/").get_data(as_text=True)

    assert "1 invitation waiting for a password" in page
    assert "1 switched-off account" in page
    assert re.search(r"[1-9][0-9]* changes recorded in the last 7 days", page)
