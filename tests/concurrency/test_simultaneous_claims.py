"""The same attendance is never claimed twice (SPEC 3.7): 20 simultaneous POST /claims for one school's days at a
4-worker server make exactly one draft holding every day; the others are 409. SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import date

import requests
import sqlalchemy as sa

from tests.factories import make_attendance, make_fund, make_organisation, make_practitioner, make_user
from training_app.extensions import db
from training_app.models import Claim, ClaimLine, CoverCategory, OrganisationKind, Role
from training_app.services.accounts.accounts import issue_api_token

from .server import LiveServer, all_at_once

TIMEOUT = 120
REQUESTS = 20


def _claim(server: LiveServer, token: str):
    def call() -> requests.Response:
        return requests.post(
            server.url + "/api/v1/claims",
            json={"financial_year": 2007},
            headers={"Authorization": f"Bearer {token}"},
            timeout=TIMEOUT,
        )

    return call


def test_twenty_simultaneous_claims_for_the_same_days_make_one(app, app_ctx, live_server):
    school = make_organisation(kind=OrganisationKind.SCHOOL, code="SCH-RACE")
    for n in range(4):
        teacher = make_practitioner(school, cover=CoverCategory.TEACHER)
        make_attendance(teacher, [date(2007, 10, 1 + n), date(2007, 10, 8 + n)])
    make_fund(2007)
    tokens = [issue_api_token(make_user(Role.BOOKER, organisation=school)) for _ in range(4)]
    db.session.commit()

    answers = all_at_once([_claim(live_server, tokens[n % 4]) for n in range(REQUESTS)], TIMEOUT)

    assert Counter(answer.status_code for answer in answers) == {201: 1, 409: REQUESTS - 1}, live_server.log()[-3000:]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Claim.id))) == 1
    lines = db.session.scalars(sa.select(ClaimLine.attendance_mark_id)).all()
    assert len(lines) == len(set(lines)) == 8
