"""A charge is waived once (SPEC 3.4): ten coordinators waiving the same charge at the same moment on a 4-worker
server leave one waiver, whose reason is the charge's and the audit trail's; the others are told it was already
waived. SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter

import requests
import sqlalchemy as sa

from tests.factories import PASSWORD, make_booking, make_practitioner, make_session, make_user
from training_app.extensions import db
from training_app.models import AuditEvent, BookingStatus, Charge, ChargeReason, Role

from .server import all_at_once, form_token, signed_in

TIMEOUT = 120
WAIVERS = 10


def _waive(browser: requests.Session, url: str, form: dict[str, str]):
    def call() -> requests.Response:
        return browser.post(url, data=form, allow_redirects=False, timeout=TIMEOUT)

    return call


def test_ten_simultaneous_waivers_of_one_charge_waive_it_once(app, app_ctx, shared_live_server):
    booking = make_booking(make_session(), make_practitioner(), BookingStatus.NO_SHOW)
    charge = Charge(booking_id=booking.id, reason=ChargeReason.NO_SHOW, amount_pence=5000)
    db.session.add(charge)
    make_user(Role.COORDINATOR, email="coordinator@council.example")
    db.session.flush()
    charge_id = charge.id
    db.session.commit()  # and touch no model until the rush is over: this process must not hold SQLite's lock
    url = f"{shared_live_server.url}/bookings/charges/{charge_id}/waive"
    browsers = [signed_in(shared_live_server, "coordinator@council.example", PASSWORD) for _ in range(WAIVERS)]
    calls = [
        _waive(browser, url, {"csrf_token": form_token(browser, url), "reason": f"Reason number {n}"})
        for n, browser in enumerate(browsers)
    ]

    answers = all_at_once(calls, TIMEOUT)

    assert Counter(answer.status_code for answer in answers) == {302: 1, 422: WAIVERS - 1}, shared_live_server.log()[
        -3000:
    ]
    [winner] = [n for n, answer in enumerate(answers) if answer.status_code == 302]
    assert all("Was already waived: Reason number" in a.text for a in answers if a.status_code == 422)
    db.session.expire_all()
    assert db.session.get(Charge, charge_id).waived_reason == f"Reason number {winner}"
    waivers = db.session.scalars(
        sa.select(AuditEvent.new_value).where(AuditEvent.action == "charge_waived", AuditEvent.entity_id == charge_id)
    ).all()
    assert waivers == [{"waived": True, "reason": f"Reason number {winner}"}]
