"""Interest is registered once whatever arrives at the same moment (SPEC 3.4 Interest): ten pages asking "tell me when
there are dates" for one person at once at a 4-worker server leave one interest and one audit entry, the others told
it is registered already (409, never a 500); ten withdrawals at once withdraw it once. SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from tests.factories import make_course, make_practitioner, make_user
from training_app.extensions import db
from training_app.models import AuditEvent, CourseInterest, Role

from .server import all_at_once
from .test_simultaneous_decisions import TIMEOUT, _browsers, _post_form


def _audited(action: str) -> int:
    return db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == action))


def test_ten_simultaneous_asks_register_one_interest_and_ten_withdrawals_withdraw_it_once(
    app, app_ctx, shared_live_server
):
    make_course(code="RACE-TAC", title="Racing for dates")
    person = make_practitioner(first_name="Rae", last_name="Race")
    email = make_user(Role.PRACTITIONER, email="rae.race@example.org", practitioner=person).email
    person_id = person.id
    db.session.commit()  # this process holds no transaction while the server's workers write (SQLite's one lock)
    server = shared_live_server
    page = "/courses/RACE-TAC"
    asks = [
        _post_form(b, server.url + page + "/interest", {"csrf_token": t, "practitioner": str(person_id)})
        for b, t in _browsers(server, email, 10, page)
    ]

    answered = all_at_once(asks, TIMEOUT)

    assert Counter(answer.status_code for answer in answered) == {302: 1, 409: 9}, server.log()[-3000:]
    assert all("already asked to be told" in a.text for a in answered if a.status_code == 409)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(CourseInterest.id))) == 1
    assert _audited("interest_registered") == 1
    db.session.commit()
    withdrawals = [
        _post_form(b, server.url + page + "/interest/withdraw", {"csrf_token": t, "practitioner": str(person_id)})
        for b, t in _browsers(server, email, 10, page)
    ]

    withdrawn = all_at_once(withdrawals, TIMEOUT)

    assert Counter(answer.status_code for answer in withdrawn) == {302: 1, 409: 9}, server.log()[-3000:]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(CourseInterest.id))) == 0
    assert _audited("interest_withdrawn") == 1
    assert "Traceback" not in server.log()
