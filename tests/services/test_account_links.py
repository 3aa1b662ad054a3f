"""Invitations and password resets: single use, expiry, scope checks, weak passwords, sessions ending."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from tests.factories import make_authority, make_organisation, make_practitioner, make_user
from tests.outbox import body_of, emails_to, link_in
from training_app.extensions import db
from training_app.models import AccountLink, AuditEvent, Role, User, utcnow
from training_app.services.accounts import account_links
from training_app.services.accounts.account_links import (
    LinkRefused,
    invite_practitioner,
    invite_user,
    set_password_with_link,
)
from training_app.services.accounts.accounts import AccountError

NEW_PASSWORD = "a sensible new password"


def _url(token: str) -> str:
    return f"http://training.example/set-password/{token}"


def _token(app, email: str) -> str:
    return link_in(emails_to(app, email)[-1]).rsplit("/", 1)[1]


def _count(model) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


@pytest.fixture
def admin(app_ctx):
    user = make_user(Role.ADMIN)
    db.session.commit()
    return user


def test_an_invitation_emails_a_link_that_sets_the_password_once(app, admin):
    organisation = make_organisation(code="SCH1")
    db.session.commit()

    user = invite_user("New.Booker@School.example", Role.BOOKER, _url, admin, organisation_code="SCH1")

    assert user.email == "new.booker@school.example" and user.organisation == organisation
    [message] = emails_to(app, "new.booker@school.example")
    assert "7 days" in body_of(message) and admin.email in body_of(message)
    token = _token(app, user.email)
    stored = db.session.execute(sa.select(AccountLink.token_hash)).scalar_one()
    assert token not in stored  # only a hash is kept
    set_password_with_link(token, NEW_PASSWORD)
    assert db.session.get(User, user.id).check_password(NEW_PASSWORD)
    with pytest.raises(LinkRefused):
        set_password_with_link(token, "another new password")
    assert db.session.get(User, user.id).check_password(NEW_PASSWORD)


def test_an_invitation_lasts_seven_days(app, admin):
    user = invite_user("late@council.example", Role.COORDINATOR, _url, admin)
    token = _token(app, user.email)

    with time_machine.travel(utcnow() + timedelta(days=7, minutes=1)), pytest.raises(LinkRefused):
        set_password_with_link(token, NEW_PASSWORD)
    with time_machine.travel(utcnow() + timedelta(days=6, hours=23)):
        set_password_with_link(token, NEW_PASSWORD)


@pytest.mark.parametrize(
    ("email", "role", "organisation", "authorities", "message"),
    [
        ("taken@council.example", Role.COORDINATOR, None, (), "already exists"),
        ("booker@school.example", Role.BOOKER, None, (), "a booker needs an organisation"),
        (
            "lead.refused@council.example",
            Role.WORKFORCE_LEAD,
            None,
            (),
            "a workforce lead needs at least one authority",
        ),
        ("booker@school.example", Role.BOOKER, "NOPE", (), "no organisation with code NOPE"),
        ("nobody@school.example", Role.PRACTITIONER, None, (), "no practitioner record"),
    ],
)
def test_a_refused_invitation_changes_nothing(app, admin, email, role, organisation, authorities, message):
    make_user(Role.FINANCE, email="taken@council.example")
    db.session.commit()
    users, links, events = _count(User), _count(AccountLink), _count(AuditEvent)
    sent = len(emails_to(app, email))  # the outbox is shared by the tests of a run: count what this one sends

    with pytest.raises(AccountError, match=message):
        invite_user(email, role, _url, admin, organisation_code=organisation, authority_codes=authorities)

    db.session.rollback()
    assert (_count(User), _count(AccountLink), _count(AuditEvent)) == (users, links, events)
    assert len(emails_to(app, email)) == sent


def test_a_workforce_lead_is_invited_with_their_authorities(app, admin):
    make_authority(code="RUT")
    make_authority(code="LEI")
    db.session.commit()

    user = invite_user("lead@council.example", Role.WORKFORCE_LEAD, _url, admin, authority_codes=["RUT", "LEI"])

    assert sorted(a.code for a in user.authorities) == ["LEI", "RUT"]


def test_a_practitioner_is_given_an_account_from_their_record(app, admin):
    practitioner = make_practitioner(email="pat@school.example", first_name="Pat", last_name="Smith")
    db.session.commit()

    user = invite_practitioner(practitioner, _url, admin)

    assert user.role == Role.PRACTITIONER and user.practitioner == practitioner and user.name == "Pat Smith"
    with pytest.raises(AccountError, match="already exists"):
        invite_practitioner(practitioner, _url, admin)


def test_a_weak_password_is_refused_and_the_link_still_works(app, admin):
    user = invite_user("weak@council.example", Role.FINANCE, _url, admin)
    token = _token(app, user.email)

    for weak, message in [("short", "at least 10"), ("Password123", "common"), ("aaaaaaaaaaaa", "common")]:
        with pytest.raises(AccountError, match=message):
            set_password_with_link(token, weak)
    set_password_with_link(token, NEW_PASSWORD)


def test_a_reset_link_lasts_one_hour_and_works_once(app, admin):
    user = make_user(Role.COORDINATOR, email="forgot@council.example")
    db.session.commit()

    account_links.request_password_reset(" Forgot@Council.example ", _url)
    token = _token(app, "forgot@council.example")

    with time_machine.travel(utcnow() + timedelta(hours=1, seconds=1)), pytest.raises(LinkRefused):
        set_password_with_link(token, NEW_PASSWORD)
    set_password_with_link(token, NEW_PASSWORD)
    with pytest.raises(LinkRefused):
        set_password_with_link(token, "yet another password")
    assert db.session.get(User, user.id).check_password(NEW_PASSWORD)


def test_a_new_reset_request_ends_the_earlier_link(app, admin):
    make_user(Role.COORDINATOR, email="twice@council.example")
    db.session.commit()
    account_links.request_password_reset("twice@council.example", _url)
    first = _token(app, "twice@council.example")

    account_links.request_password_reset("twice@council.example", _url)

    with pytest.raises(LinkRefused):
        set_password_with_link(first, NEW_PASSWORD)
    set_password_with_link(_token(app, "twice@council.example"), NEW_PASSWORD)


def test_a_reset_for_an_address_without_an_account_writes_nothing_and_says_so_to_that_address(app, admin):
    links = _count(AccountLink)

    account_links.request_password_reset("stranger@example.org", _url)

    assert _count(AccountLink) == links
    [message] = emails_to(app, "stranger@example.org")
    assert "no account" in body_of(message) and "http" not in body_of(message)


def test_a_switched_off_account_gets_no_reset_and_its_links_stop(app, admin):
    user = make_user(Role.COORDINATOR, email="off@council.example")
    db.session.commit()
    account_links.request_password_reset("off@council.example", _url)
    token = _token(app, "off@council.example")
    user.active = False
    db.session.commit()

    with pytest.raises(LinkRefused):
        set_password_with_link(token, NEW_PASSWORD)
    account_links.request_password_reset("off@council.example", _url)
    assert "no account" in body_of(emails_to(app, "off@council.example")[-1])


def test_setting_a_password_ends_the_users_sessions(app, admin):
    user = make_user(Role.COORDINATOR, email="sessions@council.example")
    db.session.commit()
    version = user.session_version
    account_links.request_password_reset(user.email, _url)

    set_password_with_link(_token(app, user.email), NEW_PASSWORD)

    assert db.session.get(User, user.id).session_version == version + 1


@pytest.fixture
def passwords_for_admins_only(app, monkeypatch):
    """Single sign-on set up with PASSWORD_SIGN_IN=0: only administrators sign in with a password."""
    monkeypatch.setitem(app.config, "OIDC_ISSUER", "https://login.council.example/v2.0")
    monkeypatch.setitem(app.config, "OIDC_NAME", "Council account")
    monkeypatch.setitem(app.config, "PASSWORD_SIGN_IN", False)
    monkeypatch.setitem(app.config, "SERVICE_URL", "https://training.council.example")


def test_with_passwords_for_admins_only_an_invitation_says_to_sign_in_with_the_provider(
    app, admin, passwords_for_admins_only
):
    make_organisation(code="SCH1")
    db.session.commit()

    invite_user("booker@school.example", Role.BOOKER, _url, admin, organisation_code="SCH1")
    invite_user("second.admin@council.example", Role.ADMIN, _url, admin)

    body = body_of(emails_to(app, "booker@school.example")[-1])
    assert 'choose "Sign in with Council account", using booker@school.example' in body
    assert "https://training.council.example/sign-in" in body
    assert "set-password" not in body and "password to set" in body
    assert "/set-password/" in body_of(emails_to(app, "second.admin@council.example")[-1])  # admins keep passwords


def test_with_passwords_for_admins_only_a_reset_makes_no_link_and_says_how_to_sign_in(
    app, admin, passwords_for_admins_only
):
    make_user(Role.COORDINATOR, email="coordinator@council.example")
    db.session.commit()

    account_links.request_password_reset("coordinator@council.example", _url)

    body = body_of(emails_to(app, "coordinator@council.example")[-1])
    assert "you sign in with Council account." in body and "/set-password/" not in body
    assert _count(AccountLink) == 0
    account_links.request_password_reset(admin.email, _url)  # an administrator still resets their password
    assert "/set-password/" in body_of(emails_to(app, admin.email)[-1])
