"""The admin's webhook pages (SPEC 3.11): registering with a GOV.UK error summary on bad input, pausing and
resuming, deleting after a confirmation, and the delivery log with its status codes and "Send again"."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token_from
from tests.factories import make_practitioner, make_session, make_user
from tests.web.helpers import h1_of, signed_in, title_of
from tests.webhook_receiver import webhook_receiver
from training_app.extensions import db
from training_app.models import Role, Webhook
from training_app.models.base import utcnow
from training_app.services.booking.bookings import book_place
from training_app.services.webhooks.delivery import deliver_due
from training_app.services.webhooks.webhooks import register_webhook

ADMIN = "hooks.admin@council.example"
SECRET = "a-secret-shared-with-the-receiver"
SUMMARY = re.compile(r'<div class="govuk-error-summary".*?</div>\s*</div>', re.S)


@pytest.fixture
def admin_client(app):
    with app.app_context():
        make_user(Role.ADMIN, email=ADMIN)
        db.session.commit()
    return signed_in(app.test_client(), ADMIN)


@pytest.fixture
def receiver():
    with webhook_receiver() as listening:
        yield listening


def _post(client, form_url: str, action: str | None = None, **data):
    token = csrf_token_from(client.get(form_url).get_data(as_text=True))
    return client.post(action or form_url, data={"csrf_token": token, **data})


def _hooks(app) -> list[tuple[str, bool]]:
    with app.app_context():
        return [(hook.url, hook.active) for hook in db.session.scalars(sa.select(Webhook).order_by(Webhook.id))]


def test_an_admin_registers_a_webhook_and_never_sees_its_secret_again(app, admin_client):
    response = _post(
        admin_client,
        "/admin/webhooks/new",
        url=" https://hr.example.org/hooks ",
        secret=SECRET,
        events=["booking.created", "claim.approved"],
    )

    assert response.status_code == 302
    page = admin_client.get(response.headers["Location"])
    text = page.get_data(as_text=True)
    assert (
        h1_of(page) == "Webhook" and "Webhook registered: events will be sent to https://hr.example.org/hooks" in text
    )
    assert "booking.created, claim.approved" in text and "Nothing has been sent to this webhook yet" in text
    assert SECRET not in text and SECRET not in admin_client.get("/admin/webhooks").get_data(as_text=True)
    assert _hooks(app) == [("https://hr.example.org/hooks", True)]


def test_bad_input_is_shown_in_an_error_summary_and_nothing_is_saved(app, admin_client):
    response = _post(admin_client, "/admin/webhooks/new", url="ftp://files.example.org", secret="short")

    assert response.status_code == 422 and title_of(response).startswith("Error: ")
    summary = SUMMARY.search(response.get_data(as_text=True)).group(0)
    assert "There is a problem" in summary
    assert "The URL must start with http:// or https://" in summary
    assert "The secret must be 16 to 200 characters long" in summary
    assert "Select at least one event" in summary
    assert 'href="#url"' in summary and 'href="#events"' in summary
    assert 'value="short"' not in response.get_data(as_text=True)  # a secret is never written back into the page

    app.config["SERVICE_URL"], kept = "https://training.council.example", app.config["SERVICE_URL"]
    try:
        own = _post(
            admin_client,
            "/admin/webhooks/new",
            url="https://training.council.example/api/v1/me",
            secret=SECRET,
            events=["booking.created"],
        )
    finally:
        app.config["SERVICE_URL"] = kept
    assert own.status_code == 422 and "points at this service itself" in SUMMARY.search(own.get_data(as_text=True))[0]
    assert _hooks(app) == []


def test_pause_resume_and_delete_after_confirming(app, admin_client):
    with app.app_context():
        hook_id = register_webhook("https://hr.example.org/x", SECRET, ["booking.created"], by=make_user()).id
    show = f"/admin/webhooks/{hook_id}"

    paused = _post(admin_client, show, f"{show}/pause")
    assert paused.status_code == 302 and _hooks(app) == [("https://hr.example.org/x", False)]
    assert "Paused: nothing is recorded or sent for it" in admin_client.get(show).get_data(as_text=True)
    _post(admin_client, show, f"{show}/resume")
    assert _hooks(app) == [("https://hr.example.org/x", True)]

    confirm = admin_client.get(f"{show}/delete")
    assert h1_of(confirm) == "Delete this webhook?" and "This cannot be undone" in confirm.get_data(as_text=True)
    assert _hooks(app) == [("https://hr.example.org/x", True)]  # asking deletes nothing
    deleted = _post(admin_client, f"{show}/delete")
    assert deleted.status_code == 302 and deleted.headers["Location"] == "/admin/webhooks"
    listing = admin_client.get("/admin/webhooks").get_data(as_text=True)
    assert "Webhook for https://hr.example.org/x deleted." in listing and "No webhooks are registered" in listing
    assert _hooks(app) == [] and admin_client.get(show).status_code == 404


def test_the_delivery_log_shows_status_codes_and_sends_one_again(app, admin_client, receiver):
    receiver.answers = [500]
    with app.app_context():
        hook_id = register_webhook(receiver.url, SECRET, ["booking.created"], by=make_user()).id
        session = make_session(days=(date.today() + timedelta(days=30),))
        person = make_practitioner()
        db.session.commit()
        book_place(session, person, make_user(Role.COORDINATOR))
    show = f"/admin/webhooks/{hook_id}"

    log = admin_client.get(show).get_data(as_text=True)
    assert "HTTP 500" in log and "Pending" in log and "Next attempt" in log
    assert "send-again" not in log  # a pending delivery goes by itself

    with app.app_context():
        deliver_due(utcnow() + timedelta(minutes=2))
    log = admin_client.get(show).get_data(as_text=True)
    assert "HTTP 200" in log and "Delivered" in log and "Send again" in log
    action = re.search(r'action="(/admin/webhooks/\d+/deliveries/\d+/send-again)"', log).group(1)

    again = _post(admin_client, show, action)
    assert again.status_code == 302
    assert "The delivery will be sent again." in admin_client.get(show).get_data(as_text=True)
    with app.app_context():
        deliver_due(utcnow() + timedelta(minutes=3))
    assert len(receiver.received) == 3 and len({item.json["id"] for item in receiver.received}) == 1


def test_other_roles_cannot_open_the_webhook_pages(app):
    with app.app_context():
        make_user(Role.COORDINATOR, email="coord@council.example")
        db.session.commit()
    client = signed_in(app.test_client(), "coord@council.example")
    assert client.get("/admin/webhooks").status_code == 403
    assert client.get("/admin/webhooks/new").status_code == 403
