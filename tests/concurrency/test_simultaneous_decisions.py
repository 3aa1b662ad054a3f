"""Other decisions taken once whatever arrives at the same moment on a 4-worker server: a place request approved and
declined at once, an account switched off ten times at once, a fund set up or changed by ten calls at once, a sign-off
changed from six pages at once. Each
ends with one decision, one audit entry per change (their old values chaining) and one email. SQLite and
PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import requests
import sqlalchemy as sa

from tests.factories import (
    PASSWORD,
    make_authority,
    make_fund,
    make_organisation,
    make_practitioner,
    make_session,
    make_user,
)
from training_app.extensions import db
from training_app.models import (
    AuditEvent,
    AwarenessSignOff,
    Booking,
    BookingStatus,
    Fund,
    OrganisationKind,
    OutgoingMail,
    Role,
    User,
)
from training_app.services.accounts.accounts import issue_api_token
from training_app.services.awareness.awareness import SignOffValues, record_sign_off
from training_app.services.booking.booking_requests import request_place
from training_app.services.common.calendar import london_today

from .server import LiveServer, all_at_once, form_token, signed_in

TIMEOUT = 120


def _post_form(browser: requests.Session, url: str, form: dict[str, str]):
    def call() -> requests.Response:
        return browser.post(url, data=form, allow_redirects=False, timeout=TIMEOUT)

    return call


def _browsers(server: LiveServer, email: str, count: int, page: str) -> list[tuple[requests.Session, str]]:
    """`count` browsers signed in as the same person, each with the page open (its CSRF token)."""
    browsers = [signed_in(server, email, PASSWORD) for _ in range(count)]
    return [(browser, form_token(browser, server.url + page)) for browser in browsers]


def _actions(*actions: str) -> list[tuple[str, object, object]]:
    query = sa.select(AuditEvent.action, AuditEvent.old_value, AuditEvent.new_value).where(
        AuditEvent.action.in_(actions)
    )
    return [tuple(row) for row in db.session.execute(query.order_by(AuditEvent.id))]


def _mail_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutgoingMail))


def test_approving_and_declining_one_request_at_once_decides_it_once(app, app_ctx, shared_live_server):
    day = london_today() + timedelta(days=28)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    session = make_session(code="ASK-1", days=(day,))
    person = make_practitioner(organisation=make_organisation(), email="asker@school.example")
    coordinator = make_user(Role.COORDINATOR, email="coordinator@council.example")
    booking_id = request_place(session, person, coordinator).id  # committed, with the email to the booker
    mails = _mail_count()
    db.session.commit()  # and touch no model until the rush is over: this process must not hold SQLite's lock
    server = shared_live_server
    browsers = _browsers(server, "coordinator@council.example", 6, f"/bookings/{booking_id}/decline")
    approve, decline = f"{server.url}/bookings/{booking_id}/approve", f"{server.url}/bookings/{booking_id}/decline"
    calls = [_post_form(b, approve, {"csrf_token": token}) for b, token in browsers[:3]]
    calls += [_post_form(b, decline, {"csrf_token": token, "reason": "No cover"}) for b, token in browsers[3:]]

    answers = all_at_once(calls, TIMEOUT)

    assert all(answer.status_code in (302, 422) for answer in answers), server.log()[-3000:]
    db.session.expire_all()
    decisions = _actions("booking_approved", "booking_declined")
    assert len(decisions) == 1
    status = db.session.get(Booking, booking_id).status
    assert status == (BookingStatus.BOOKED if decisions[0][0] == "booking_approved" else BookingStatus.DECLINED)
    assert _mail_count() == mails + 1  # the practitioner hears once
    assert "Traceback" not in server.log()


def test_ten_simultaneous_deactivations_switch_the_account_off_once(app, app_ctx, shared_live_server):
    make_user(Role.ADMIN, email="admin@council.example")
    leaver = make_user(Role.COORDINATOR, email="leaver@council.example")
    leaver_id, version = leaver.id, leaver.session_version
    db.session.commit()
    server = shared_live_server
    browsers = _browsers(server, "admin@council.example", 10, f"/admin/users/{leaver_id}")
    url = f"{server.url}/admin/users/{leaver_id}/deactivate"

    answers = all_at_once([_post_form(b, url, {"csrf_token": token}) for b, token in browsers], TIMEOUT)

    assert Counter(answer.status_code for answer in answers) == {302: 10}, server.log()[-3000:]
    db.session.expire_all()
    leaver = db.session.get(User, leaver_id)
    assert (leaver.active, leaver.session_version) == (False, version + 1)
    assert _actions("user_deactivated") == [("user_deactivated", {"active": True}, {"active": False})]


def _put_fund(server: LiveServer, token: str, year: int, amount_pence: int):
    body = {"amount_pence": amount_pence, "scheme_start": f"{year}-09-01", "claim_deadline": f"{year + 1}-04-30"}

    def call() -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"}
        return requests.put(f"{server.url}/api/v1/funds/{year}", json=body, headers=headers, timeout=TIMEOUT)

    return call


def test_ten_simultaneous_fund_set_ups_make_one_fund(app, app_ctx, shared_live_server):
    tokens = [issue_api_token(make_user(Role.FINANCE)) for _ in range(10)]
    db.session.commit()

    answers = all_at_once([_put_fund(shared_live_server, token, 2009, 100_000) for token in tokens], TIMEOUT)

    codes = Counter(answer.status_code for answer in answers)
    assert codes[201] == 1 and set(codes) <= {200, 201, 409}, shared_live_server.log()[-3000:]
    assert all("at the same moment" in a.json()["error"]["message"] for a in answers if a.status_code == 409)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Fund)) == 1
    assert [action for action, _, _ in _actions("fund_created", "fund_changed")] == ["fund_created"]


def test_ten_simultaneous_fund_changes_audit_one_after_the_other(app, app_ctx, shared_live_server):
    make_fund(2009, amount_pence=100_000, scheme_start=date(2009, 9, 1), claim_deadline=date(2010, 4, 30))
    tokens = [issue_api_token(make_user(Role.FINANCE)) for _ in range(10)]
    db.session.commit()
    amounts = [200_000 + n for n in range(10)]

    answers = all_at_once(
        [_put_fund(shared_live_server, t, 2009, amount) for t, amount in zip(tokens, amounts, strict=True)], TIMEOUT
    )

    assert Counter(answer.status_code for answer in answers) == {200: 10}, shared_live_server.log()[-3000:]
    changes = _actions("fund_changed")
    assert len(changes) == 10
    held = 100_000
    for _, old, new in changes:  # each change's old value is what the change before it left
        assert old["amount_pence"] == held
        held = new["amount_pence"]
    db.session.expire_all()
    assert db.session.scalars(sa.select(Fund.amount_pence)).one() == held


SIGN_OFF_FORM = {
    "service": "Probation Service",
    "sector": "probation",
    "authorities": ["LEICESTERSHIRE"],
    "contact_role": "Team Manager",
    "package": "Awareness Package",
    "version": "2007.1",
    "completed": ["", "7", "2008"],
    "status": "signed_off",
    "signed_off_by": "",
    "notes": "",
}


def test_six_simultaneous_changes_of_a_sign_off_audit_one_after_the_other(app, app_ctx, shared_live_server):
    make_authority("LEICESTERSHIRE", "Leicestershire")
    values = SignOffValues(
        "Probation Service",
        OrganisationKind.PROBATION,
        ["LEICESTERSHIRE"],
        "Contact first",
        "Awareness Package",
        date(2008, 7, 31),
        completed_month_only=True,
    )
    sign_off_id = record_sign_off(values, make_user(Role.COORDINATOR, email="coordinator@council.example")).id
    db.session.commit()
    page = f"/awareness/sign-offs/{sign_off_id}/edit"
    browsers = _browsers(shared_live_server, "coordinator@council.example", 6, page)

    def change(browser: requests.Session, token: str, contact: str):
        form = SIGN_OFF_FORM | {"csrf_token": token, "contact_name": contact}

        def call() -> requests.Response:
            # multipart, as the browser sends the form (it can carry an evidence file)
            fields = [(name, (None, value)) for name, given in form.items() for value in _listed(given)]
            return browser.post(shared_live_server.url + page, files=fields, allow_redirects=False, timeout=TIMEOUT)

        return call

    calls = [change(browser, token, f"Contact {n}") for n, (browser, token) in enumerate(browsers)]
    answers = all_at_once(calls, TIMEOUT)

    assert Counter(answer.status_code for answer in answers) == {302: 6}, shared_live_server.log()[-3000:]
    changes = _actions("awareness_sign_off_changed")
    assert len(changes) == 6
    held = "Contact first"
    for _, old, new in changes:  # each change's old value is what the change before it left
        assert old["contact_name"] == held
        held = new["contact_name"]
    db.session.expire_all()
    assert db.session.get(AwarenessSignOff, sign_off_id).contact_name == held


def _listed(value: str | list[str]) -> list[str]:
    return value if isinstance(value, list) else [value]


def test_two_confirmations_of_one_re_dating_at_once_re_date_once(app, app_ctx, shared_live_server):
    from tests.factories import make_course, make_record

    caf = make_course(code="CAF", title="CAF practitioner", validity_months=12)
    for days_ago in (400, 500):
        make_record(make_practitioner(organisation=make_organisation()), caf, london_today() - timedelta(days=days_ago))
    caf.validity_months = 36  # the course changed after the records were made: two expire on a date from 12 months
    email = make_user(Role.COORDINATOR).email
    db.session.commit()
    page = "/courses/CAF/redate"
    sends = [
        _post_form(browser, shared_live_server.url + page, {"csrf_token": token, "expected": "2"})
        for browser, token in _browsers(shared_live_server, email, 2, page)
    ]

    answers = all_at_once(sends, TIMEOUT)

    assert sorted(answer.status_code for answer in answers) == [200, 302], shared_live_server.log()[-3000:]
    refused = next(answer for answer in answers if answer.status_code == 200)
    assert "0 records of CAF would change now, not the 2 previewed" in refused.text
    db.session.expire_all()
    assert [new for _, _, new in _actions("training_records_redated")] == [{"records": 2, "validity_months": 36}]
