"""Administrators' upkeep from the browser: sending an invitation again, the retention period, merging duplicate
practitioners; and the limit on password reset emails, which tells nobody whether an address has an account."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token_from
from tests.factories import (
    make_authority,
    make_booking,
    make_course,
    make_organisation,
    make_practitioner,
    make_record,
    make_session,
    make_user,
)
from tests.outbox import emails_to, link_in
from tests.web.helpers import h1_of, signed_in
from training_app.extensions import db
from training_app.models import AuditEvent, Booking, Practitioner, ResetRequest, Role, Setting, User, utcnow
from training_app.services.accounts import account_links
from training_app.services.accounts.personal_data import anonymise_practitioner

ADMIN = "admin@council.example"


def _post(client, url: str, **data):
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


@pytest.fixture
def admin(app, client):
    with app.app_context():
        make_user(Role.ADMIN, email=ADMIN)
        db.session.commit()
    return signed_in(client, ADMIN)


def _invite(client, email: str):
    return _post(client, "/admin/users/invite", email=email, role="coordinator", name="New Person")


def test_an_invitation_sent_again_replaces_the_first_link(app, admin):
    _invite(admin, "new@council.example")
    with app.app_context():
        user_id = db.session.execute(sa.select(User.id).filter_by(email="new@council.example")).scalar_one()
    first = link_in(emails_to(app, "new@council.example")[-1])
    page = admin.get(f"/admin/users/{user_id}").get_data(as_text=True)
    assert "Send the invitation again" in page

    response = admin.post(
        f"/admin/users/{user_id}/resend-invitation", data={"csrf_token": csrf_token_from(page)}, follow_redirects=True
    )

    assert "A new invitation has been sent to new@council.example" in response.get_data(as_text=True)
    second = link_in(emails_to(app, "new@council.example")[-1])
    assert second != first
    fresh = app.test_client()
    assert fresh.get("/" + first.split("/", 3)[3]).status_code == 404
    assert h1_of(fresh.get("/" + second.split("/", 3)[3])) != ""
    with app.app_context():
        assert db.session.execute(sa.select(AuditEvent).filter_by(action="invitation_resent")).scalar_one()


def test_someone_who_has_signed_in_is_not_sent_an_invitation_again(app, admin):
    with app.app_context():
        user = db.session.execute(sa.select(User).filter_by(email=ADMIN)).scalar_one()
        with pytest.raises(account_links.AccountError, match="not waiting for an invitation"):
            account_links.resend_invitation(user, lambda token: token, by=user)
        user_id = user.id
    assert "Send the invitation again" not in admin.get(f"/admin/users/{user_id}").get_data(as_text=True)


def test_reset_emails_stop_after_three_an_hour_for_an_address_with_or_without_an_account(app, client):
    with app.app_context():
        make_user(Role.COORDINATOR, email="forgetful@council.example")
        db.session.commit()
    answers = {}
    for email in ("forgetful@council.example", "nobody@council.example"):
        statuses = [_post(app.test_client(), "/password-reset", email=email).status_code for _ in range(4)]
        answers[email] = statuses
        assert len(emails_to(app, email)) == 3
    assert answers["forgetful@council.example"] == answers["nobody@council.example"] == [200, 200, 200, 429]

    limited = _post(client, "/password-reset", email="nobody@council.example")
    assert limited.status_code == 429 and 3000 < int(limited.headers["Retry-After"]) <= 3601
    assert "You have asked for several reset emails in the last hour" in limited.get_data(as_text=True)
    with app.app_context():  # an hour on, the address may ask again
        db.session.execute(sa.update(ResetRequest).values(at=utcnow() - timedelta(hours=1, minutes=1)))
        db.session.commit()
    assert _post(client, "/password-reset", email="nobody@council.example").status_code == 200


def test_one_ip_address_asking_for_many_addresses_is_limited_too(app):
    with app.app_context():
        for n in range(account_links.RESETS_PER_IP):
            account_links.request_password_reset(f"person{n}@council.example", lambda token: token, ip="10.0.0.9")
        with pytest.raises(account_links.ResetLimited):
            account_links.request_password_reset("one.more@council.example", lambda token: token, ip="10.0.0.9")
        account_links.request_password_reset("one.more@council.example", lambda token: token, ip="10.0.0.10")
    assert len(emails_to(app, "one.more@council.example")) == 1


def test_the_retention_period_is_changed_on_the_page_and_offers_other_people(app, admin):
    with app.app_context():
        school = make_organisation(make_authority("SHIRE", "Shire"), code="SCH1")
        old_hand = make_practitioner(school, email="old.hand@school.example", first_name="Old", last_name="Hand")
        make_record(old_hand, make_course("CAF"), date.today() - timedelta(days=4 * 365))
        db.session.commit()
    assert "Old Hand" not in admin.get("/admin/reference/practitioners/inactive").get_data(as_text=True)

    bad = _post(admin, "/admin/reference/practitioners/inactive", years="0")
    assert bad.status_code == 200 and "Retention period must be between 1 and 100 years" in bad.get_data(as_text=True)
    words = _post(admin, "/admin/reference/practitioners/inactive", years="three")
    assert "must be a whole number of years" in words.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Setting, "retention_years") is None

    saved = _post(admin, "/admin/reference/practitioners/inactive", years="3")
    assert saved.status_code == 302
    page = admin.get("/admin/reference/practitioners/inactive").get_data(as_text=True)
    assert "Personal data is now kept for 3 years" in page and "Old Hand" in page
    with app.app_context():
        event = db.session.execute(sa.select(AuditEvent).filter_by(action="setting_changed")).scalar_one()
        assert (event.old_value, event.new_value) == ({"retention_years": 6}, {"retention_years": 3})


def test_an_admin_merges_a_duplicate_after_seeing_what_moves(app, admin):
    with app.app_context():
        shire = make_authority("SHIRE", "Shire")
        school = make_organisation(shire, code="SCH1")
        make_practitioner(school, [shire], email="jo.bloggs@school.example", first_name="Jo", last_name="Bloggs")
        duplicate = make_practitioner(school, [shire], email="jo.blogs@school.example", first_name="Jo")
        make_booking(make_session(make_course("LP"), host=shire, code="LP1"), duplicate)
        db.session.commit()
    url = "/admin/reference/practitioners/jo.bloggs@school.example/merge"

    unknown = _post(admin, url, duplicate="nobody@school.example")
    assert "No practitioner has the email address nobody@school.example" in unknown.get_data(as_text=True)
    preview = _post(admin, url, duplicate="jo.blogs@school.example")
    text = preview.get_data(as_text=True)
    assert "1 booking and 0 training records move to jo.bloggs@school.example" in text
    with app.app_context():
        assert db.session.execute(sa.select(Practitioner).filter_by(email="jo.blogs@school.example")).first()

    done = _post(admin, url, duplicate="jo.blogs@school.example", confirm="yes")

    assert done.status_code == 302
    with app.app_context():
        assert db.session.execute(sa.select(Practitioner).filter_by(email="jo.blogs@school.example")).first() is None
        booking = db.session.execute(sa.select(Booking)).scalar_one()
        assert booking.practitioner.email == "jo.bloggs@school.example"


def test_anonymising_takes_the_leavers_details_out_of_old_audit_events(app, app_ctx):
    admin = make_user(Role.ADMIN)
    school = make_organisation(make_authority("SHIRE", "Shire"), code="SCH1")
    leaver = make_practitioner(school, email="leaver@school.example", first_name="Lee", last_name="Ver", job_title="TA")
    booking = make_booking(make_session(make_course("LP"), code="LP1"), leaver)
    account = make_user(Role.PRACTITIONER, email="leaver@school.example", practitioner=leaver, name="Lee Ver")
    from training_app.services.accounts import audit

    audit.record(admin, "practitioner_changed", leaver, old={"job_title": "TA"}, new={"job_title": "Senior TA"})
    audit.record(account, "booking_created", booking, new={"practitioner": "leaver@school.example", "status": "booked"})
    audit.record(admin, "import", entity_type="import", new={"rows": ["leaver@school.example"]})
    audit.record(admin, "other", entity_type="import", new={"rows": ["stayer@school.example"]})
    db.session.commit()

    anonymise_practitioner(leaver, by=admin)

    events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    text = repr([(e.actor, e.old_value, e.new_value) for e in events])
    assert "leaver@school.example" not in text and "Lee" not in text and "'TA'" not in text
    assert events[1].new_value == {"practitioner": "[anonymised]", "status": "booked"}
    assert events[1].actor == "[anonymised]" and events[1].action == "booking_created"
    assert events[3].new_value == {"rows": ["stayer@school.example"]}
