"""Signing in and out: the form, its errors, throttling, inactive users and safe redirects."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, make_user
from tests.web.helpers import h1_of, sign_in, title_of
from training_app.extensions import db
from training_app.models import AuditEvent, Role, SignInFailure, User


@pytest.fixture
def admin_email(app):
    with app.app_context():
        email = make_user(Role.ADMIN, email="alex.admin@council.example").email
        db.session.commit()
    return email


def _lands_on_dashboard(client, response, email: str, heading: str = "Administration") -> None:
    """The sign-in redirected to the dashboard, which opens for that user and names them."""
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    assert h1_of(dashboard) == heading
    assert f'app-service-navigation__user">{email}</li>' in dashboard.get_data(as_text=True)


def _failures(app, email: str) -> int:
    with app.app_context():
        return db.session.execute(
            sa.select(sa.func.count()).select_from(SignInFailure).where(SignInFailure.email == email)
        ).scalar_one()


def test_signing_in_lands_on_the_dashboard_showing_the_users_email(app, client, admin_email):
    response = sign_in(client, "Alex.Admin@council.example ")

    _lands_on_dashboard(client, response, admin_email)
    with app.app_context():
        user = db.session.execute(sa.select(User).filter_by(email=admin_email)).scalar_one()
        assert user.last_sign_in_at is not None
        events = db.session.execute(sa.select(AuditEvent).filter_by(user_id=user.id)).scalars().all()
        assert [(e.action, e.actor, e.entity_type, e.entity_id) for e in events] == [
            ("sign_in", admin_email, "user", user.id)
        ]


@pytest.mark.parametrize(
    ("role", "heading"),
    [
        (Role.COORDINATOR, "Training coordination"),
        (Role.FINANCE, "Supply-cover funds and claims"),
        (Role.PRACTITIONER, "Your training"),
    ],
)
def test_each_role_lands_on_its_own_dashboard(app, client, role, heading):
    with app.app_context():
        email = make_user(role).email
        db.session.commit()

    _lands_on_dashboard(client, sign_in(client, email), email, heading)


def test_signed_out_visitors_are_sent_to_sign_in_and_back_afterwards(client, admin_email):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")

    signed_in = sign_in(client, admin_email, next_path="/")
    _lands_on_dashboard(client, signed_in, admin_email)


@pytest.mark.parametrize("email", ["alex.admin@council.example", "nobody@council.example"])
def test_a_wrong_password_or_unknown_email_shows_the_same_error_summary(app, client, admin_email, email):
    response = sign_in(client, email, password="not the password")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert title_of(response).startswith("Error: Sign in")
    assert "govuk-error-summary" in page
    assert "There is a problem" in page
    assert 'href="#email">Enter a correct email address and password</a>' in page
    assert "Retry-After" not in response.headers
    assert client.get("/").status_code == 302
    assert _failures(app, email) == 1


def test_an_empty_form_says_what_to_fill_in(client, admin_email):
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    response = client.post("/sign-in", data={"csrf_token": token, "email": "not-an-email", "password": ""})

    page = response.get_data(as_text=True)
    assert title_of(response).startswith("Error: ")
    assert "Enter an email address in the correct format, like name@example.com" in page
    assert "Enter your password" in page


def test_signing_out_ends_the_session(app, client, admin_email):
    sign_in(client, admin_email)
    token = csrf_token_from(client.get("/").get_data(as_text=True))

    response = client.post("/sign-out", data={"csrf_token": token}, follow_redirects=True)

    assert h1_of(response) == "Sign in"
    assert "You have signed out." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    with app.app_context():
        actions = db.session.execute(sa.select(AuditEvent.action).order_by(AuditEvent.id)).scalars().all()
    assert actions == ["sign_in", "sign_out"]


def test_sign_out_only_answers_post(client, admin_email):
    sign_in(client, admin_email)

    assert client.get("/sign-out").status_code == 405
    assert client.get("/").status_code == 200


def test_five_failures_lock_the_email_until_the_window_passes(app, client, admin_email):
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=UTC), tick=False) as traveller:
        for attempt in range(5):
            wrong = sign_in(client, admin_email.upper() if attempt % 2 else admin_email, password="guess")
            assert wrong.status_code == 200

        locked = sign_in(client, admin_email, password=PASSWORD)
        assert locked.status_code == 429
        assert locked.headers["Retry-After"] == str(15 * 60)
        assert "You have tried to sign in too many times. Wait 15 minutes, then try again" in locked.get_data(
            as_text=True
        )
        assert client.get("/").status_code == 302

        traveller.shift(timedelta(minutes=14))
        still_locked = sign_in(client, admin_email, password=PASSWORD)
        assert still_locked.status_code == 429
        assert still_locked.headers["Retry-After"] == "60"

        traveller.shift(timedelta(minutes=2))
        allowed = sign_in(client, admin_email, password=PASSWORD)
        _lands_on_dashboard(client, allowed, admin_email)
    assert _failures(app, admin_email) == 0


def test_retry_after_counts_down_to_when_the_oldest_counted_failure_leaves_the_window(app, client, admin_email):
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=UTC), tick=False) as traveller:
        sign_in(client, admin_email, password="guess")  # 10:00, out of the window by the time of the lock
        traveller.shift(timedelta(minutes=20))
        for _ in range(5):  # 10:20, 10:22, ... 10:28
            assert sign_in(client, admin_email, password="guess").status_code == 200
            traveller.shift(timedelta(minutes=2))
        traveller.shift(timedelta(seconds=30))  # 10:30:30; 10:20 + 15 minutes is 10:35:00

        locked = sign_in(client, admin_email, password=PASSWORD)

        assert locked.status_code == 429
        assert locked.headers["Retry-After"] == str(4 * 60 + 30)
        traveller.shift(timedelta(seconds=4 * 60 + 30))
        _lands_on_dashboard(client, sign_in(client, admin_email), admin_email)


def test_retry_after_is_never_less_than_a_second(app, client, admin_email):
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=UTC), tick=False) as traveller:
        for _ in range(5):
            sign_in(client, admin_email, password="guess")
        traveller.shift(timedelta(minutes=15) - timedelta(milliseconds=1))

        locked = sign_in(client, admin_email, password=PASSWORD)

        assert locked.status_code == 429
        assert locked.headers["Retry-After"] == "1"


def test_four_failures_do_not_lock_and_a_success_clears_them(app, client, admin_email):
    for _ in range(4):
        assert sign_in(client, admin_email, password="guess").status_code == 200
    assert _failures(app, admin_email) == 4

    _lands_on_dashboard(client, sign_in(client, admin_email), admin_email)
    assert _failures(app, admin_email) == 0


def test_an_inactive_user_cannot_sign_in(app, client):
    with app.app_context():
        email = make_user(Role.COORDINATOR, active=False).email
        db.session.commit()

    response = sign_in(client, email)

    assert response.status_code == 200
    assert "Your account has been switched off" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_a_user_switched_off_while_signed_in_is_signed_out(app, client, admin_email):
    sign_in(client, admin_email)
    with app.app_context():
        db.session.execute(sa.update(User).where(User.email == admin_email).values(active=False))
        db.session.commit()

    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "/\tevil",
    ],
)
def test_sign_in_never_redirects_off_the_site(client, admin_email, target):
    response = sign_in(client, admin_email, next_path=target)

    _lands_on_dashboard(client, response, admin_email)


def test_sign_in_follows_a_next_path_on_the_site(client, admin_email):
    response = sign_in(client, admin_email, next_path="/reports/trained-by-area.xlsx?as_of=2008-08-31")

    assert response.status_code == 302
    assert response.headers["Location"] == "/reports/trained-by-area.xlsx?as_of=2008-08-31"
    workbook = client.get(response.headers["Location"])
    assert workbook.status_code == 200
    assert workbook.headers["Content-Disposition"] == "attachment; filename=trained-by-area-2008-08-31.xlsx"


def test_failures_that_left_the_window_are_forgotten_when_a_new_one_comes(app, client, admin_email):
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=UTC), tick=False) as traveller:
        for _ in range(3):
            sign_in(client, admin_email, password="guess")
        traveller.shift(timedelta(minutes=20))
        sign_in(client, admin_email, password="guess")
    assert _failures(app, admin_email) == 1


def _from(client, address: str):
    """The client, its requests coming from this address (request.remote_addr)."""
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_one_address_trying_many_emails_is_locked_as_one_email_would_be(app, client, admin_email):
    guesser = _from(client, "203.0.113.7")
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=UTC), tick=False) as traveller:
        for attempt in range(20):  # four failures for each of five emails: none of them locked on its own
            assert sign_in(guesser, f"person{attempt % 5}@council.example", password="guess").status_code == 200

        locked = sign_in(guesser, admin_email, password=PASSWORD)
        assert locked.status_code == 429
        assert locked.headers["Retry-After"] == str(15 * 60)
        assert "You have tried to sign in too many times. Wait 15 minutes, then try again" in locked.get_data(
            as_text=True
        )
        assert guesser.get("/").status_code == 302
        elsewhere = _from(app.test_client(), "198.51.100.2")
        _lands_on_dashboard(elsewhere, sign_in(elsewhere, admin_email), admin_email)

        traveller.shift(timedelta(minutes=15))
        _lands_on_dashboard(guesser, sign_in(guesser, admin_email), admin_email)


def test_signing_in_to_ones_own_account_does_not_clear_the_addresss_failures(app, client, admin_email):
    guesser = _from(client, "203.0.113.7")
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=UTC), tick=False):
        for attempt in range(19):
            sign_in(guesser, f"person{attempt % 5}@council.example", password="guess")
        _lands_on_dashboard(guesser, sign_in(guesser, admin_email), admin_email)  # the 19 failures stay counted
        sign_in(_from(app.test_client(), "203.0.113.7"), "person0@council.example", password="guess")

        locked = sign_in(_from(app.test_client(), "203.0.113.7"), admin_email)

    assert locked.status_code == 429
    assert locked.headers["Retry-After"] == str(15 * 60)
