"""Sessions end on the server: sign-out, a password change and switching a user off end every session of
that user, and a session ends by itself after 2 hours idle or 12 hours in all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, make_user
from tests.web.helpers import h1_of, sign_in
from training_app.config import from_environment
from training_app.extensions import db
from training_app.models import Role, User
from training_app.services.accounts.accounts import change_password, deactivate_user, reactivate_user

EMAIL = "helen.ward@council.example"
MONDAY_9AM = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
IDLE_MESSAGE = "You were signed out because you had not done anything for 2 hours"
LIFETIME_MESSAGE = "You were signed out because you had been signed in for 12 hours"


@pytest.fixture
def coordinator(app: Flask) -> str:
    with app.app_context():
        make_user(Role.COORDINATOR, email=EMAIL, name="Helen Ward")
        db.session.commit()
    return EMAIL


def _signed_in_client(app: Flask, email: str = EMAIL) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, email).headers["Location"] == "/"
    assert _dashboard_is_open(client)
    return client


def _dashboard_is_open(client: FlaskClient) -> bool:
    """Whether the dashboard opens (True) or the visitor is sent to sign in (False)."""
    response = client.get("/")
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/sign-in?next=")
        return False
    assert response.status_code == 200
    assert h1_of(response) == "Training coordination"
    return True


def _session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _replay(app: Flask, cookie: str) -> FlaskClient:
    """A second browser holding a copied session cookie (the test client sends the same User-Agent)."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def _sign_out(client: FlaskClient) -> None:
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    response = client.post("/sign-out", data={"csrf_token": token}, follow_redirects=True)
    assert "You have signed out." in response.get_data(as_text=True)


def _user(email: str = EMAIL) -> User:
    return db.session.execute(sa.select(User).filter_by(email=email)).scalar_one()


def test_replaying_the_session_cookie_after_sign_out_gets_the_sign_in_page(app, coordinator):
    browser = _signed_in_client(app)
    copied = _session_cookie(browser)

    _sign_out(browser)

    replayed = _replay(app, copied)
    response = replayed.get("/", follow_redirects=True)
    assert h1_of(response) == "Sign in"
    assert EMAIL not in response.get_data(as_text=True)


def test_signing_out_ends_the_users_sessions_in_other_browsers_too(app, coordinator):
    laptop, phone = _signed_in_client(app), _signed_in_client(app)

    _sign_out(laptop)

    assert not _dashboard_is_open(phone)


def test_signing_in_again_after_signing_out_works(app, coordinator):
    browser = _signed_in_client(app)
    _sign_out(browser)

    assert sign_in(browser, EMAIL).headers["Location"] == "/"
    assert _dashboard_is_open(browser)


def test_a_password_change_ends_every_open_session_and_the_new_password_works(app, coordinator):
    laptop, phone = _signed_in_client(app), _signed_in_client(app)

    with app.app_context():
        change_password(_user(), "a brand new password")

    assert not _dashboard_is_open(laptop)
    assert not _dashboard_is_open(phone)
    assert sign_in(phone, EMAIL, password=PASSWORD).status_code == 200
    assert sign_in(phone, EMAIL, password="a brand new password").headers["Location"] == "/"
    assert _dashboard_is_open(phone)


def test_switching_a_user_off_ends_their_sessions_for_good(app, coordinator):
    browser = _signed_in_client(app)
    copied = _session_cookie(browser)

    with app.app_context():
        admin_email = make_user(Role.ADMIN).email
        deactivate_user(_user(), by=_user(admin_email))
    assert not _dashboard_is_open(browser)

    with app.app_context():
        reactivate_user(_user(), by=_user(admin_email))
    # Switching the account back on does not bring back the sessions that were open before.
    assert not _dashboard_is_open(_replay(app, copied))
    assert _dashboard_is_open(_signed_in_client(app))


def test_a_session_id_without_the_current_version_is_refused(app, coordinator):
    browser = _signed_in_client(app)
    with app.app_context():
        user_id = _user().id
    with browser.session_transaction() as session:
        assert session["_user_id"] == f"{user_id}:0"
        session["_user_id"] = str(user_id)  # the form of id used before sessions had versions

    assert not _dashboard_is_open(browser)


def _signed_out_message(client: FlaskClient) -> str:
    """Follow the redirect a timed-out request gets, and return the sign-in page's text."""
    response = client.get("/")
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert h1_of(page) == "Sign in"
    return page.get_data(as_text=True)


def test_a_session_left_alone_for_2_hours_is_signed_out_with_a_message(app, coordinator):
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        browser = _signed_in_client(app)
        traveller.shift(timedelta(hours=1, minutes=59))
        assert _dashboard_is_open(browser)
        traveller.shift(timedelta(hours=1, minutes=59))  # activity keeps the session going
        assert _dashboard_is_open(browser)

        traveller.shift(timedelta(hours=2))

        assert IDLE_MESSAGE in _signed_out_message(browser)
        assert not _dashboard_is_open(browser)


def test_a_copied_cookie_cannot_outlive_the_idle_limit(app, coordinator):
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        browser = _signed_in_client(app)
        copied = _session_cookie(browser)
        traveller.shift(timedelta(hours=2))

        assert not _dashboard_is_open(_replay(app, copied))


def test_a_session_ends_12_hours_after_signing_in_however_busy(app, coordinator):
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        browser = _signed_in_client(app)
        for _ in range(6):
            traveller.shift(timedelta(hours=1, minutes=50))
            assert _dashboard_is_open(browser)
        traveller.shift(timedelta(minutes=59))  # 11 hours 59 minutes after signing in
        assert _dashboard_is_open(browser)

        traveller.shift(timedelta(minutes=1))

        page = _signed_out_message(browser)
        assert LIFETIME_MESSAGE in page
        assert IDLE_MESSAGE not in page
        assert sign_in(browser, EMAIL).headers["Location"] == "/"
        assert _dashboard_is_open(browser)


def test_the_idle_limit_comes_from_the_configuration(app, coordinator, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 30)
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        browser = _signed_in_client(app)
        traveller.shift(timedelta(minutes=29))
        assert _dashboard_is_open(browser)
        traveller.shift(timedelta(minutes=30))

        assert "You were signed out because you had not done anything for 30 minutes" in _signed_out_message(browser)


def test_session_limits_are_read_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "45")
    monkeypatch.setenv("SESSION_MAX_HOURS", "8")

    settings = from_environment(str(tmp_path))

    assert settings["SESSION_IDLE_MINUTES"] == 45
    assert settings["SESSION_MAX_HOURS"] == 8
    assert settings["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=8)


def test_session_limits_default_to_2_hours_idle_and_12_hours_in_all(monkeypatch, tmp_path):
    monkeypatch.delenv("SESSION_IDLE_MINUTES", raising=False)
    monkeypatch.delenv("SESSION_MAX_HOURS", raising=False)

    settings = from_environment(str(tmp_path))

    assert settings["SESSION_IDLE_MINUTES"] == 120
    assert settings["SESSION_MAX_HOURS"] == 12
    assert settings["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=12)


def _sets_session_cookie(response) -> bool:
    return any(value.startswith("session=") for value in response.headers.getlist("Set-Cookie"))


def test_pages_rewrite_the_cookie_at_most_once_a_minute_and_never_write_to_the_database(
    app, coordinator, count_statements
):
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        browser = _signed_in_client(app)
        with count_statements() as statements:
            traveller.shift(timedelta(seconds=59))
            assert not _sets_session_cookie(browser.get("/"))
            traveller.shift(timedelta(seconds=2))
            assert _sets_session_cookie(browser.get("/"))  # last seen moves on
            traveller.shift(timedelta(seconds=30))
            assert not _sets_session_cookie(browser.get("/"))
        writes = statements.starting("INSERT", "UPDATE", "DELETE")
        assert writes == []
