"""Finance extending one school's claim deadline at the same moment (SPEC 3.7), on a 4-worker server: every grant is
taken one after the other under the school's lock, so there is one extension, the first grant audited as made and
each later one as a change from what the one before it saved; a submission racing a grant is decided against the
extension as it was before or after it, never half. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import requests
import sqlalchemy as sa

from tests.factories import PASSWORD, make_attendance, make_fund, make_organisation, make_practitioner, make_user
from training_app.extensions import db
from training_app.models import (
    AuditEvent,
    Claim,
    ClaimDeadlineExtension,
    ClaimStatus,
    CoverCategory,
    OrganisationKind,
    Role,
)
from training_app.services.accounts.accounts import issue_api_token
from training_app.services.claims.claims import create_claim
from training_app.services.common.calendar import london_today

from .server import LiveServer, all_at_once, form_token, signed_in

TIMEOUT = 120
FORM = "/finance/funds/2007/extensions/SCH-LATE"


def _school_with_draft() -> tuple[int, object]:
    """A school with a draft 2007-08 claim, the fund's deadline yesterday; the claim's id and the school's booker."""
    school = make_organisation(kind=OrganisationKind.SCHOOL, code="SCH-LATE", name="Late Primary")
    booker = make_user(Role.BOOKER, organisation=school, email="booker@late.example")
    make_attendance(make_practitioner(school, cover=CoverCategory.TEACHER), [date(2007, 10, 1)])
    fund = make_fund(2007, claim_deadline=london_today())  # the draft is started on the deadline day itself
    claim_id = create_claim(school, fund, booker).claim.id
    fund.claim_deadline = london_today() - timedelta(days=1)
    db.session.commit()
    return claim_id, booker


def _grant(browser: requests.Session, url: str, token: str, day: date, reason: str):
    def call() -> requests.Response:
        form = [("csrf_token", token), ("reason", reason)]
        form += [("extended_to", str(part)) for part in (day.day, day.month, day.year)]
        return browser.post(url, data=form, allow_redirects=False, timeout=TIMEOUT)

    return call


def _grants() -> list[AuditEvent]:
    db.session.expire_all()
    query = sa.select(AuditEvent).where(AuditEvent.action.like("claim_deadline_%")).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


@pytest.mark.parametrize("count", [2, 8])
def test_simultaneous_grants_make_one_extension_audited_one_after_the_other(app, app_ctx, shared_live_server, count):
    _school_with_draft()
    emails = [make_user(Role.FINANCE, email=f"finance{n}@council.example").email for n in range(count)]
    db.session.commit()  # and touch no model until the rush is over: this process must not hold SQLite's lock
    url = shared_live_server.url + FORM
    browsers = [signed_in(shared_live_server, email, PASSWORD) for email in emails]
    tokens = [form_token(browser, url) for browser in browsers]
    today = london_today()
    calls = [
        _grant(browser, url, token, today + timedelta(days=10 + n), f"Grant {n}")
        for n, (browser, token) in enumerate(zip(browsers, tokens, strict=True))
    ]

    answers = all_at_once(calls, TIMEOUT)

    assert [answer.status_code for answer in answers] == [302] * count, shared_live_server.log()[-3000:]
    events = _grants()
    assert [event.action for event in events] == ["claim_deadline_extended"] + ["claim_deadline_extension_changed"] * (
        count - 1
    )
    assert events[0].old_value is None
    for before, after in zip(events, events[1:], strict=False):
        assert after.old_value == before.new_value  # each change saw what the grant before it saved
    assert {event.actor for event in events} == set(emails)
    held = db.session.scalars(sa.select(ClaimDeadlineExtension)).one()
    assert {"extended_to": held.extended_to.isoformat(), "reason": held.reason}.items() <= events[-1].new_value.items()
    assert "Traceback" not in shared_live_server.log()


def test_a_submission_racing_a_grant_is_decided_against_one_state_of_the_extension(
    app, app_ctx, shared_live_server: LiveServer
):
    claim_id, booker = _school_with_draft()
    token = issue_api_token(booker)
    finance = make_user(Role.FINANCE, email="finance@council.example").email
    db.session.commit()
    url = shared_live_server.url + FORM
    browser = signed_in(shared_live_server, finance, PASSWORD)
    csrf = form_token(browser, url)

    def submit() -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"}
        return requests.post(
            f"{shared_live_server.url}/api/v1/claims/{claim_id}/submit", headers=headers, json={}, timeout=TIMEOUT
        )

    granted, submitted = all_at_once([_grant(browser, url, csrf, london_today(), "Late invoices"), submit], TIMEOUT)

    assert granted.status_code == 302, shared_live_server.log()[-3000:]
    assert submitted.status_code in (200, 409)
    db.session.expire_all()
    status = db.session.get(Claim, claim_id).status
    if submitted.status_code == 200:  # the grant came first
        assert status == ClaimStatus.SUBMITTED
    else:  # the submission came first and saw the fund's deadline, passed
        assert status == ClaimStatus.DRAFT
        assert "claim deadline for Late Primary was" in submitted.json()["error"]["message"]
    assert "Traceback" not in shared_live_server.log()
