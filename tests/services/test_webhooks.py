"""Webhooks (SPEC 3.11) against a real receiver: signed bodies, one id kept through the retries at 1, 5, 30 and 120
minutes then failed, nothing for a change rolled back or a paused webhook, each service's event, one deliverer per
delivery, and the URLs refused."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import (
    make_attendance,
    make_booking,
    make_fund,
    make_organisation,
    make_practitioner,
    make_session,
    make_user,
)
from tests.webhook_receiver import webhook_receiver
from training_app.extensions import db
from training_app.models import (
    AuditEvent,
    BookingStatus,
    CoverCategory,
    DeliveryStatus,
    OrganisationKind,
    Role,
    Webhook,
    WebhookDelivery,
)
from training_app.models.base import utcnow
from training_app.services.attendance.records import record_completions
from training_app.services.booking.booking_changes import substitute_colleague
from training_app.services.booking.bookings import book_place, cancel_booking, cancel_place
from training_app.services.claims import claim_decisions, claims
from training_app.services.sessions.scheduling import cancel_session
from training_app.services.webhooks.delivery import deliver_due
from training_app.services.webhooks.urls import url_problem
from training_app.services.webhooks.webhooks import WebhookError, register_webhook, send_again, set_paused

pytestmark = pytest.mark.usefixtures("app_ctx")

SECRET = "a-secret-shared-with-the-receiver"
EVERY_EVENT = ["booking.created", "booking.cancelled", "booking.promoted", "training_record.created", "claim.approved"]


@pytest.fixture
def receiver():
    with webhook_receiver() as listening:
        yield listening


@pytest.fixture
def admin():
    return make_user(Role.ADMIN)


@pytest.fixture
def coordinator():
    return make_user(Role.COORDINATOR)


def coming_session(**fields):
    return make_session(days=(date.today() + timedelta(days=40),), **fields)


def deliveries() -> list[WebhookDelivery]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_a_booking_is_posted_once_signed_with_the_secret(receiver, admin, coordinator):
    register_webhook(receiver.url, SECRET, ["booking.created"], by=admin)
    session, person = coming_session(code="CAF-9"), make_practitioner(email="pat@example.org")
    db.session.commit()

    booking = book_place(session, person, coordinator)

    [sent] = receiver.received
    assert sent.signed_with(SECRET) and not sent.signed_with("another secret")
    assert sent.headers["Content-Type"] == "application/json"
    body = sent.json
    assert set(body) == {"id", "event", "occurred_at", "data"} and body["event"] == "booking.created"
    assert body["data"]["booking_id"] == booking.id and body["data"]["session"] == "CAF-9"
    assert body["data"]["practitioner_email"] == "pat@example.org" and body["data"]["status"] == "booked"
    [delivery] = deliveries()
    assert (delivery.event_id, delivery.status, delivery.attempts, delivery.last_status_code) == (
        body["id"],
        DeliveryStatus.DELIVERED,
        1,
        200,
    )
    assert deliver_due(utcnow() + timedelta(days=2)) == {}  # delivered is never sent again
    assert len(receiver.received) == 1


def test_failures_are_retried_after_1_5_30_and_120_minutes_with_one_id_then_failed(receiver, admin, coordinator):
    receiver.answers = [500, 503, 404, 500, 500]
    register_webhook(receiver.url, SECRET, ["booking.created"], by=admin)
    session, person = coming_session(), make_practitioner()
    db.session.commit()
    book_place(session, person, coordinator)  # the first attempt, right after the commit: 500

    gaps = []
    for _ in range(4):
        [delivery] = deliveries()
        assert delivery.status == DeliveryStatus.PENDING
        gaps.append(delivery.next_attempt_at - delivery.claimed_at)
        assert deliver_due(delivery.next_attempt_at - timedelta(seconds=1)) == {}  # not yet
        assert deliver_due(delivery.next_attempt_at) == {delivery.id: DeliveryStatus.PENDING if _ < 3 else "failed"}

    assert gaps == [timedelta(minutes=minutes) for minutes in (1, 5, 30, 120)]
    [delivery] = deliveries()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.FAILED, 5, 500)
    assert "500" in delivery.last_error
    assert len({item.json["id"] for item in receiver.received}) == 1 and len(receiver.received) == 5
    assert len({item.body for item in receiver.received}) == 1  # the same bytes, so the same signature
    assert deliver_due(utcnow() + timedelta(days=2)) == {}


def test_a_500_then_a_200_is_delivered_on_the_second_attempt_with_the_same_id(receiver, admin, coordinator):
    receiver.answers = [500]
    register_webhook(receiver.url, SECRET, ["booking.created"], by=admin)
    session, person = coming_session(), make_practitioner()
    db.session.commit()
    book_place(session, person, coordinator)
    [pending] = deliveries()

    assert deliver_due(pending.next_attempt_at) == {pending.id: DeliveryStatus.DELIVERED}

    first, second = receiver.received
    assert first.json["id"] == second.json["id"] == pending.event_id and second.signed_with(SECRET)
    [delivered] = deliveries()
    assert (delivered.status, delivered.attempts, delivered.last_status_code) == (DeliveryStatus.DELIVERED, 2, 200)


def test_a_change_rolled_back_leaves_no_delivery_and_sends_nothing(receiver, admin, coordinator):
    register_webhook(receiver.url, SECRET, EVERY_EVENT, by=admin)
    booking = make_booking(coming_session(), make_practitioner())
    db.session.commit()

    cancel_place(booking, coordinator)
    assert len(db.session.scalars(sa.select(WebhookDelivery)).all()) == 1  # written in the change's transaction
    db.session.rollback()

    assert deliveries() == [] and receiver.received == []
    assert deliver_due(utcnow() + timedelta(days=1)) == {} and receiver.received == []


def test_a_paused_webhook_gets_nothing_until_it_is_resumed(receiver, admin, coordinator):
    receiver.answers = [500]
    hook = register_webhook(receiver.url, SECRET, ["booking.created"], by=admin)
    first_session, second_session, person = coming_session(), coming_session(), make_practitioner()
    db.session.commit()
    book_place(first_session, person, coordinator)  # answered 500: waits for its retry
    [waiting] = deliveries()

    set_paused(hook.id, True, by=admin)
    book_place(second_session, make_practitioner(), coordinator)
    assert deliver_due(waiting.next_attempt_at + timedelta(hours=1)) == {}
    assert len(deliveries()) == 1 and len(receiver.received) == 1  # no new delivery, no retry while paused

    set_paused(hook.id, False, by=admin)
    assert deliver_due(waiting.next_attempt_at) == {waiting.id: DeliveryStatus.DELIVERED}
    assert len(receiver.received) == 2


def test_each_service_records_its_event(app, receiver, admin, coordinator):
    register_webhook(receiver.url, SECRET, EVERY_EVENT, by=admin)
    session = coming_session(capacity=1)
    holder, waiting = make_practitioner(), make_practitioner()
    db.session.commit()
    held = book_place(session, holder, coordinator)
    queued = book_place(session, waiting, coordinator)
    cancel_booking(held, coordinator)

    assert receiver.events() == ["booking.created", "booking.created", "booking.cancelled", "booking.promoted"]
    promoted = receiver.received[-1].json["data"]
    assert (promoted["booking_id"], promoted["status"]) == (queued.id, "booked")

    done = make_booking(make_session(days=(date(2008, 10, 1),)), make_practitioner(), BookingStatus.ATTENDED)
    [record] = record_completions([done])
    db.session.commit()
    assert receiver.events()[-1] == "training_record.created"
    assert receiver.received[-1].json["data"]["training_record_id"] == record.id

    school = make_organisation(kind=OrganisationKind.SCHOOL, code="SCH-W")
    fund = make_fund(2007, scheme_start=date(2007, 9, 1))
    booker, finance = make_user(Role.BOOKER, organisation=school), make_user(Role.FINANCE)
    make_attendance(make_practitioner(school, cover=CoverCategory.TEACHER), [date(2007, 10, 10)])
    claim = claims.create_claim(school, fund, booker).claim
    claim_decisions.submit_claim(claim, booker)
    claim_decisions.approve_claim(claim, finance)
    assert receiver.events()[-1] == "claim.approved"
    assert receiver.received[-1].json["data"]["claim_id"] == claim.id
    assert all(item.signed_with(SECRET) for item in receiver.received)


def test_a_webhook_gets_only_the_events_it_subscribed_to(receiver, admin, coordinator):
    register_webhook(receiver.url, SECRET, ["booking.cancelled"], by=admin)
    session, person = coming_session(), make_practitioner()
    db.session.commit()
    booking = book_place(session, person, coordinator)
    assert deliveries() == []
    cancel_booking(booking, coordinator)
    assert receiver.events() == ["booking.cancelled"]


def test_no_webhook_means_no_delivery_row(receiver, coordinator):
    session, person = coming_session(), make_practitioner()
    db.session.commit()
    book_place(session, person, coordinator)
    assert deliveries() == []


def test_two_deliverers_at_once_send_a_delivery_once(app, receiver, admin, coordinator):
    receiver.answers = [500]
    register_webhook(receiver.url, SECRET, ["booking.created"], by=admin)
    session, person = coming_session(), make_practitioner()
    db.session.commit()
    book_place(session, person, coordinator)
    [pending] = deliveries()
    pending_id, due = pending.id, pending.next_attempt_at
    db.session.commit()  # and read nothing more here: on SQLite a read would begin a transaction holding the lock
    receiver.delay = 0.3  # the first holds its claim while the second tries
    outcomes = []

    def deliverer():
        with app.app_context():
            outcomes.append(deliver_due(due))
            db.session.remove()

    threads = [threading.Thread(target=deliverer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes, key=len) == [{}, {pending_id: DeliveryStatus.DELIVERED}]
    assert len(receiver.received) == 2  # the first attempt and one retry, never two


def test_send_again_requeues_with_the_same_id_and_body(receiver, admin, coordinator):
    hook = register_webhook(receiver.url, SECRET, ["booking.created"], by=admin)
    session, person = coming_session(), make_practitioner()
    db.session.commit()
    book_place(session, person, coordinator)
    [delivered] = deliveries()

    send_again(hook.id, delivered.id, by=admin)
    assert deliver_due() == {delivered.id: DeliveryStatus.DELIVERED}

    first, again = receiver.received
    assert first.body == again.body and again.signed_with(SECRET)
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert "webhook_delivery_requeued" in actions
    with pytest.raises(WebhookError):
        send_again(hook.id + 1, delivered.id, by=admin)


COUNCIL = "https://training.council.example"
ON_THIS_MACHINE = "http://127.0.0.1:8443"


@pytest.mark.parametrize(
    ("service_url", "url", "refused"),
    [
        (COUNCIL, "ftp://example.org/hooks", "must start with http:// or https://"),
        (COUNCIL, "javascript:alert(1)", "must start with http:// or https://"),
        (COUNCIL, "https://", "Enter a URL"),
        (COUNCIL, "https://user:pw@example.org/", "user name or password"),
        (COUNCIL, "https://example.org:99999/", "Enter a URL"),
        (COUNCIL, "https://example.org/a b", "spaces"),
        (COUNCIL, "https://training.council.example/hooks", "this service itself"),
        (COUNCIL, "https://TRAINING.council.example.:443/api/v1/me", "this service itself"),
        (COUNCIL, "https://example.org/hooks", None),
        (COUNCIL, "https://training.council.example:9000/hooks", None),
        (ON_THIS_MACHINE, "http://localhost:8443/hooks", "this service itself"),
        (ON_THIS_MACHINE, "http://127.0.0.1:8443/", "this service itself"),
        (ON_THIS_MACHINE, "http://127.0.0.2:8443/", "this service itself"),
        (ON_THIS_MACHINE, "http://[::1]:8443/", "this service itself"),
        (ON_THIS_MACHINE, "http://127.0.0.1:8080/hooks", None),  # a receiver on this machine at another port
    ],
)
def test_urls_that_are_not_http_or_are_the_service_itself_are_refused(app, monkeypatch, service_url, url, refused):
    monkeypatch.setitem(app.config, "SERVICE_URL", service_url)
    problem = url_problem(url)
    if refused is None:
        assert problem is None
    else:
        assert problem is not None and refused in problem


def test_a_refused_registration_writes_nothing_and_names_each_field(admin):
    with pytest.raises(WebhookError) as refused:
        register_webhook("ftp://example.org", "short", ["booking.nope"], by=admin)
    assert set(refused.value.fields) == {"url", "secret", "events"}
    with pytest.raises(WebhookError) as no_events:
        register_webhook("https://example.org/x", SECRET, [], by=admin)
    assert no_events.value.fields == {"events": "Select at least one event"}
    assert db.session.scalars(sa.select(Webhook)).all() == []


def test_the_secret_is_kept_to_sign_but_never_audited(admin):
    hook = register_webhook("https://example.org/x", SECRET, ["claim.approved"], by=admin)
    audited = db.session.scalars(sa.select(AuditEvent)).one()
    assert SECRET not in json.dumps(audited.new_value) and hook.secret == SECRET


def test_a_cancelled_session_and_a_substitution_tell_of_each_booking(receiver, admin, coordinator):
    register_webhook(receiver.url, SECRET, EVERY_EVENT, by=admin)
    school = make_organisation(code="SCH-S")
    swapped, colleague = make_practitioner(school), make_practitioner(school)
    substituted_on = coming_session(code="SUB-1")
    original = make_booking(substituted_on, swapped)
    cancelled_on = coming_session(code="GONE-1")
    bookings = [make_booking(cancelled_on, make_practitioner()) for _ in range(2)]
    db.session.commit()

    replacement = substitute_colleague(original, colleague, coordinator)
    assert [(item.json["event"], item.json["data"]["booking_id"]) for item in receiver.received] == [
        ("booking.cancelled", original.id),
        ("booking.created", replacement.id),
    ]

    cancel_session("GONE-1", "trainer unwell", coordinator)
    told = [(item.json["event"], item.json["data"]["booking_id"]) for item in receiver.received[2:]]
    assert sorted(told) == [("booking.cancelled", booking.id) for booking in bookings]
    assert len({item.json["id"] for item in receiver.received}) == 4  # one id per event
