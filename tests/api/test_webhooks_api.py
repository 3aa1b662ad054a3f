"""/api/v1/webhooks (SPEC 3.11, 4.5): admins register (201 with an id, the secret never returned), list, pause,
resume and delete webhooks and read the deliveries; bad URLs and events are 422, other roles 403."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.factories import make_practitioner, make_session, make_user
from tests.webhook_receiver import webhook_receiver
from training_app.extensions import db
from training_app.models import Role
from training_app.services.booking.bookings import book_place

SECRET = "a-secret-shared-with-the-receiver"


def _register(client, headers, **body):
    return client.post(
        "/api/v1/webhooks",
        headers=headers,
        json={"url": "https://hr.example.org/hooks", "secret": SECRET, "events": ["booking.created"], **body},
    )


def test_an_admin_registers_lists_pauses_resumes_and_deletes_a_webhook(client, headers_for):
    admin = headers_for(Role.ADMIN)

    made = _register(client, admin)
    assert made.status_code == 201
    hook = made.json
    assert hook["id"] >= 1 and hook["active"] is True and "secret" not in hook
    assert hook["url"] == "https://hr.example.org/hooks" and hook["events"] == ["booking.created"]

    listed = client.get("/api/v1/webhooks", headers=admin)
    assert [item["id"] for item in listed.json["webhooks"]] == [hook["id"]] and SECRET not in listed.text

    assert client.post(f"/api/v1/webhooks/{hook['id']}/pause", headers=admin).json["active"] is False
    assert client.post(f"/api/v1/webhooks/{hook['id']}/resume", headers=admin).json["active"] is True

    assert client.delete(f"/api/v1/webhooks/{hook['id']}", headers=admin).status_code == 204
    assert client.get("/api/v1/webhooks", headers=admin).json == {"webhooks": []}
    gone = client.delete(f"/api/v1/webhooks/{hook['id']}", headers=admin)
    assert gone.status_code == 404 and gone.json["error"]["code"] == "not_found"
    assert client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=admin).status_code == 404


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"url": "ftp://hr.example.org/"}, "url", "must start with http:// or https://"),
        ({"url": "http://127.0.0.1:5000/api/v1/me"}, "url", "this service itself"),
        ({"url": "http://localhost/api/v1/me"}, "url", "this service itself"),  # where this request came
        ({"events": []}, "events", "Select at least one event"),
        ({"events": ["booking.deleted"]}, "events", "Unknown event 'booking.deleted'"),
        ({"secret": "short"}, "secret", "16 to 200 characters"),
        ({"url": 7}, "url", "The URL must be text."),
    ],
)
def test_bad_urls_events_and_secrets_are_422_and_register_nothing(client, headers_for, app, body, field, message):
    app.config["SERVICE_URL"], kept = "http://127.0.0.1:5000", app.config["SERVICE_URL"]
    admin = headers_for(Role.ADMIN)
    try:
        response = _register(client, admin, **body)
    finally:
        app.config["SERVICE_URL"] = kept
    assert response.status_code == 422, response.json
    assert message in response.json["error"]["fields"][field]
    assert client.get("/api/v1/webhooks", headers=admin).json == {"webhooks": []}


@pytest.mark.parametrize("role", [role for role in Role if role != Role.ADMIN], ids=lambda role: role.value)
def test_other_roles_are_403(client, headers_for, role):
    headers = headers_for(role)
    for response in (
        _register(client, headers),
        client.get("/api/v1/webhooks", headers=headers),
        client.get("/api/v1/webhooks/1/deliveries", headers=headers),
        client.delete("/api/v1/webhooks/1", headers=headers),
        client.post("/api/v1/webhooks/1/pause", headers=headers),
    ):
        assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"


def test_the_deliveries_show_the_receivers_status_codes_and_one_id(client, headers_for, app_ctx):
    admin = headers_for(Role.ADMIN)
    with webhook_receiver() as receiver:
        receiver.answers = [500]
        hook = _register(client, admin, url=receiver.url, events=["booking.created"]).json
        session = make_session(days=(date.today() + timedelta(days=30),))
        person = make_practitioner()
        db.session.commit()
        book_place(session, person, make_user(Role.COORDINATOR))

        [delivery] = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=admin).json["deliveries"]

    assert (delivery["event"], delivery["status"], delivery["attempts"], delivery["last_status_code"]) == (
        "booking.created",
        "pending",
        1,
        500,
    )
    assert delivery["event_id"] == receiver.received[0].json["id"] and delivery["next_attempt_at"]
