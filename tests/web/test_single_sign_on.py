"""Single sign-on with OpenID Connect (SPEC 3.11) against a real provider (oidc-provider-mock on a thread): the button,
the authorization code flow with PKCE, state and nonce, the ID token's checks, who may sign in, password sign-in for
admins only, sign-out and timeouts, and the audit of every sign-in and refusal."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import sqlalchemy as sa
import time_machine
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import csrf_token_from
from tests.factories import make_user
from tests.oidc_provider import ProviderUnderTest, running
from tests.web.helpers import h1_of, sign_in, title_of
from training_app.extensions import db
from training_app.models import AuditEvent, Role, User
from training_app.services.accounts.single_sign_on import forget_clients

SERVICE_URL = "https://training.council.example"
RETURN_PATH = "/sign-in/single-sign-on/return"
EMAIL = "casey.coordinator@council.example"
ADMIN_EMAIL = "alex.admin@council.example"
CLIENT_ID = "training-service"


@pytest.fixture(scope="module")
def provider() -> Iterator[ProviderUnderTest]:
    with running(ProviderUnderTest()) as provider:
        yield provider


@pytest.fixture(scope="module")
def stale_provider() -> Iterator[ProviderUnderTest]:
    """A provider whose ID tokens expired ten minutes before they were issued (well past any clock leeway)."""
    with running(ProviderUnderTest(access_token_max_age=timedelta(minutes=-10))) as provider:
        yield provider


def _use(monkeypatch: pytest.MonkeyPatch, app: Flask, issuer: str, **settings: Any) -> None:
    values = {
        "OIDC_ISSUER": issuer,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": "s3cret",
        "OIDC_NAME": "Council Microsoft account",
        "SERVICE_URL": SERVICE_URL,
        "PASSWORD_SIGN_IN": True,
    }
    for key, value in {**values, **settings}.items():
        monkeypatch.setitem(app.config, key, value)
    forget_clients(app)


@pytest.fixture
def sso(monkeypatch, app, provider) -> Iterator[ProviderUnderTest]:
    """Single sign-on on, through `provider`; the provider behaves again afterwards."""
    _use(monkeypatch, app, provider.url)
    yield provider
    provider.reset()
    forget_clients(app)


@pytest.fixture
def coordinator(app) -> int:
    with app.app_context():
        user_id = make_user(Role.COORDINATOR, email=EMAIL).id
        db.session.commit()
    return user_id


def _start(client: FlaskClient, next_path: str | None = None):
    """Press "Sign in with ..." on the sign-in page; returns the app's answer (a redirect to the provider)."""
    page = client.get("/sign-in" + (f"?next={next_path}" if next_path else ""))
    action = "/sign-in/single-sign-on" + (f"?next={next_path}" if next_path else "")
    return client.post(action, data={"csrf_token": csrf_token_from(page.get_data(as_text=True))})


def _provider_answers(authorize_url: str, sub: str, deny: bool = False, **overrides: str) -> str:
    """The person at the provider signs in as `sub` (or presses Deny); returns where the provider sends them back."""
    parts = urlsplit(authorize_url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()} | overrides
    form = {"action": "deny"} if deny else {"sub": sub}
    answer = requests.post(parts._replace(query="").geturl(), params=query, data=form, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def _return_to_app(client: FlaskClient, location: str):
    assert location.startswith(SERVICE_URL + RETURN_PATH + "?"), location
    return client.get(location.removeprefix(SERVICE_URL))


def _sign_in_through(
    provider: ProviderUnderTest, client: FlaskClient, email: str, verified: Any = True, next_path: str | None = None
):
    """The whole journey: the button, the provider's page, the return; the app's answer to the return."""
    sub = f"sub-{email}"
    provider.set_user(sub, email=email, email_verified=verified)
    start = _start(client, next_path)
    assert start.status_code == 302
    return _return_to_app(client, _provider_answers(start.headers["Location"], sub))


def _refusals(app: Flask) -> list[tuple[str, dict[str, Any]]]:
    with app.app_context():
        events = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "sign_in_refused").order_by(AuditEvent.id)
        ).all()
        return [(event.actor, event.new_value) for event in events]


def _user_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def _refused_page(response, status: int, title: str, reason_text: str) -> None:
    assert response.status_code == status
    assert title_of(response).startswith(title)
    assert h1_of(response) == title
    assert reason_text in response.get_data(as_text=True)
    assert "You have not been signed in." in response.get_data(as_text=True)


def test_the_sign_in_page_offers_single_sign_on_beside_the_password_form(app, client, sso):
    page = client.get("/sign-in").get_data(as_text=True)

    assert "Sign in with Council Microsoft account" in page
    assert 'action="/sign-in/single-sign-on"' in page
    assert "Or sign in with a password" in page and 'name="password"' in page


def test_without_an_issuer_there_is_no_button_and_no_return_address(app, client):
    assert app.config["OIDC_ISSUER"] == ""
    page = client.get("/sign-in").get_data(as_text=True)

    assert "single-sign-on" not in page and "Sign in with the email address and password" in page
    assert client.get(RETURN_PATH + "?code=x&state=y").status_code == 404


def test_a_verified_email_signs_in_its_account_which_then_works_and_signs_out(app, client, sso, coordinator):
    start = _start(client, next_path="/sessions")
    authorize = urlsplit(start.headers["Location"])
    asked = {key: values[0] for key, values in parse_qs(authorize.query).items()}
    assert f"{authorize.scheme}://{authorize.netloc}" == sso.url
    assert asked["client_id"] == CLIENT_ID and asked["response_type"] == "code"
    assert set(asked["scope"].split()) >= {"openid", "email"}
    assert asked["redirect_uri"] == SERVICE_URL + RETURN_PATH  # from SERVICE_URL, whatever the request's host
    assert asked["state"] and asked["nonce"] and asked["code_challenge_method"] == "S256"

    sso.set_user("casey", email="Casey.Coordinator@council.example", email_verified=True)
    back = _return_to_app(client, _provider_answers(start.headers["Location"], "casey"))

    assert back.status_code == 302 and back.headers["Location"] == "/sessions"
    dashboard = client.get("/")
    assert dashboard.status_code == 200 and h1_of(dashboard) == "Training coordination"
    assert EMAIL in dashboard.get_data(as_text=True)
    # PKCE: the verifier the app sent with the code is the one its challenge was made from.
    digest = hashlib.sha256(sso.code_verifiers[-1].encode()).digest()
    assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == sso.code_challenges[-1] == asked["code_challenge"]
    with app.app_context():
        user = db.session.get(User, coordinator)
        assert user.last_sign_in_at is not None
        events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.user_id == coordinator)).all()
        assert [(e.action, e.new_value) for e in events] == [("sign_in", {"method": "single_sign_on"})]

    signed_out = client.post("/sign-out", data={"csrf_token": csrf_token_from(dashboard.get_data(as_text=True))})
    assert signed_out.headers["Location"] == "/sign-in"
    assert client.get("/").headers["Location"].startswith("/sign-in?next=")


def test_a_single_sign_on_session_ends_after_the_idle_limit_as_a_password_one_does(app, client, sso, coordinator):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=True) as traveller:
        assert _sign_in_through(sso, client, EMAIL).headers["Location"] == "/"
        assert client.get("/").status_code == 200
        traveller.shift(timedelta(hours=2, minutes=1))
        ended = client.get("/")
        assert ended.status_code == 302 and ended.headers["Location"].startswith("/sign-in?next=")
        page = client.get(ended.headers["Location"]).get_data(as_text=True)
    assert "You were signed out because you had not done anything for 2 hours" in page


def test_an_unknown_email_gets_a_clear_page_and_no_account(app, client, sso, coordinator):
    users = _user_count(app)

    response = _sign_in_through(sso, client, "stranger@elsewhere.example")

    _refused_page(response, 403, "You cannot sign in with Council Microsoft account", "no account for")
    assert "stranger@elsewhere.example" in response.get_data(as_text=True)
    assert _user_count(app) == users
    assert client.get("/").status_code == 302
    assert _refusals(app) == [
        (
            "stranger@elsewhere.example",
            {
                "method": "single_sign_on",
                "reason": "unknown_email",
                "email": "stranger@elsewhere.example",
                "ip": "127.0.0.1",
                "detail": None,
            },
        )
    ]


@pytest.mark.parametrize("verified", [False, None, "false"])
def test_an_unverified_email_does_not_sign_in_even_its_own_account(app, client, sso, coordinator, verified):
    response = _sign_in_through(sso, client, EMAIL, verified=verified)

    _refused_page(response, 403, "You cannot sign in with Council Microsoft account", "has not confirmed that")
    assert client.get("/").status_code == 302
    assert [(actor, new["reason"]) for actor, new in _refusals(app)] == [(EMAIL, "email_not_verified")]


def test_an_inactive_account_does_not_sign_in(app, client, sso, coordinator):
    with app.app_context():
        db.session.get(User, coordinator).active = False
        db.session.commit()

    response = _sign_in_through(sso, client, EMAIL)

    _refused_page(response, 403, "You cannot sign in with Council Microsoft account", "switched off")
    assert client.get("/").status_code == 302
    assert [(actor, new["reason"]) for actor, new in _refusals(app)] == [(EMAIL, "account_inactive")]


def test_an_id_token_for_another_service_is_refused(app, client, sso, coordinator):
    sso.token_client = "another-service"
    sso.set_user("casey", email=EMAIL, email_verified=True)
    start = _start(client)

    # The provider's page is asked for (and issues the code to) another client, as a misdirected login would.
    location = _provider_answers(start.headers["Location"], "casey", client_id="another-service")
    response = _return_to_app(client, location)

    _refused_page(response, 400, "Signing in did not finish", "could not be checked")
    assert client.get("/").status_code == 302
    [(actor, refusal)] = _refusals(app)
    assert (actor, refusal["reason"]) == ("single_sign_on", "id_token_invalid")
    assert "aud" in refusal["detail"]


def test_an_expired_id_token_is_refused(app, client, monkeypatch, stale_provider, coordinator):
    _use(monkeypatch, app, stale_provider.url)

    response = _sign_in_through(stale_provider, client, EMAIL)

    _refused_page(response, 400, "Signing in did not finish", "could not be checked")
    assert client.get("/").status_code == 302
    assert [(new["reason"], new["detail"]) for _, new in _refusals(app)] == [("id_token_invalid", "ID token expired")]


def test_an_id_token_signed_with_a_key_the_provider_never_published_is_refused(app, client, sso, coordinator):
    sso.forge_signature = True

    response = _sign_in_through(sso, client, EMAIL)

    _refused_page(response, 400, "Signing in did not finish", "could not be checked")
    assert client.get("/").status_code == 302
    assert [new["reason"] for _, new in _refusals(app)] == ["id_token_invalid"]


def test_a_return_that_does_not_match_this_browsers_state_is_refused(app, sso, coordinator):
    browser, other_browser = app.test_client(), app.test_client()
    sso.set_user("casey", email=EMAIL, email_verified=True)
    location = _provider_answers(_start(browser).headers["Location"], "casey")

    # Someone else's browser is handed this return (a login CSRF), and this browser's return has its state changed.
    stolen = _return_to_app(other_browser, location)
    tampered = _return_to_app(browser, location.replace("state=", "state=x"))

    for response in (stolen, tampered):
        _refused_page(response, 400, "Signing in did not finish", "could not be matched to this browser")
    assert other_browser.get("/").status_code == 302 and browser.get("/").status_code == 302
    assert [new["reason"] for _, new in _refusals(app)] == ["state_mismatch", "state_mismatch"]


def test_a_person_who_says_no_at_the_provider_gets_a_clear_page(app, client, sso, coordinator):
    location = _provider_answers(_start(client).headers["Location"], "casey", deny=True)
    assert "error=access_denied" in location

    response = _return_to_app(client, location)

    _refused_page(response, 403, "Council Microsoft account did not sign you in", "did not let you sign in")
    assert [new["reason"] for _, new in _refusals(app)] == ["access_denied"]


def test_a_provider_that_is_down_gets_a_clear_page_not_a_500(app, client, monkeypatch, coordinator):
    _use(monkeypatch, app, "http://127.0.0.1:9")  # discard port: nothing listens

    page = client.get("/sign-in").get_data(as_text=True)  # the app runs, and offers the button, while it is down
    assert "Sign in with Council Microsoft account" in page
    response = _start(client)

    _refused_page(response, 502, "Council Microsoft account cannot be reached", "could not reach")
    assert [new["reason"] for _, new in _refusals(app)] == ["provider_unreachable"]


def test_with_password_sign_in_off_only_admins_passwords_are_accepted(app, monkeypatch, sso, coordinator):
    monkeypatch.setitem(app.config, "PASSWORD_SIGN_IN", False)
    with app.app_context():
        make_user(Role.ADMIN, email=ADMIN_EMAIL)
        db.session.commit()
    coordinator_browser, admin_browser = app.test_client(), app.test_client()

    page = coordinator_browser.get("/sign-in").get_data(as_text=True)
    assert "Administrators: sign in with a password" in page
    assert "Only administrators can sign in with a password" in page
    refused = sign_in(coordinator_browser, EMAIL)
    assert refused.status_code == 200 and title_of(refused).startswith("Error: Sign in")
    assert "Sign in with Council Microsoft account. Only administrators can sign in with a password" in (
        refused.get_data(as_text=True)
    )
    assert coordinator_browser.get("/").status_code == 302
    admin = sign_in(admin_browser, ADMIN_EMAIL)
    assert admin.status_code == 302 and admin.headers["Location"] == "/"
    assert h1_of(admin_browser.get("/")) == "Administration"
    assert [(actor, new["method"], new["reason"]) for actor, new in _refusals(app)] == [
        (EMAIL, "password", "password_sign_in_off")
    ]
    # Single sign-on still signs the coordinator in.
    assert _sign_in_through(sso, coordinator_browser, EMAIL).headers["Location"] == "/"


def test_password_sign_in_off_means_nothing_without_single_sign_on(app, client, monkeypatch, coordinator):
    monkeypatch.setitem(app.config, "PASSWORD_SIGN_IN", False)

    response = sign_in(client, EMAIL)

    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_a_provider_whose_discovery_names_another_issuer_is_not_trusted(app, client, sso):
    sso.claimed_issuer = "https://login.elsewhere.example/tenant/v2.0"

    response = _start(client)

    _refused_page(response, 502, "Council Microsoft account cannot be reached", "could not reach")
    [(_, refusal)] = _refusals(app)
    assert refusal["reason"] == "provider_misconfigured" and "discovery names issuer" in refusal["detail"]


def test_starting_again_keeps_one_sign_in_in_flight_so_the_cookie_stays_small(app, client, sso, coordinator):
    starts = [_start(client).headers["Location"] for _ in range(12)]
    cookie = client.get_cookie("session")

    assert cookie is not None and len(cookie.value) < 2000
    sso.set_user("casey", email=EMAIL, email_verified=True)
    assert _return_to_app(client, _provider_answers(starts[-1], "casey")).headers["Location"] == "/"
