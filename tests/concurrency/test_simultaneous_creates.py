"""A code or email taken by a simultaneous request is refused as a duplicate is one at a time: ten identical POSTs
at a 4-worker server create one course, session or account, and the nine others see the form's usual error, never
a 500. SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import requests
import sqlalchemy as sa

from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, make_authority, make_course, make_user
from training_app.extensions import db
from training_app.models import Course, Role, TrainingSession, User
from training_app.services.common.calendar import is_bank_holiday, london_today

from .server import LiveServer, all_at_once

TIMEOUT = 120
REQUESTS = 10


@dataclass(frozen=True)
class Race:
    """One form sent ten times at once: where, with what, what a duplicate is told, and how many rows there are."""

    path: str
    fields: dict[str, str | list[str]]
    duplicate: str
    count: Callable[[], int | None]


def _count(model, *where) -> Callable[[], int | None]:
    return lambda: db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _weekday_ahead(days: int) -> date:
    day = london_today() + timedelta(days=days)
    while day.weekday() >= 5 or is_bank_holiday(day):
        day += timedelta(days=1)
    return day


def _course_race() -> Race:
    fields = {
        "code": "RACE",
        "title": "Racing to the same code",
        "kind": "other",
        "reminder_lead_days": "90",
        "booking_closes_days": "2",
        "cancellation_window_days": "2",
        "counts_as_trained": "no",
        "charge_half_day": "25.00",
        "charge_day": "50.00",
        "self_booking": "no",
        "waitlist_order": "first_come",
    }
    return Race("/courses/new", fields, "There is already a course with code RACE.", _count(Course))


def _session_race() -> Race:
    course, authority = make_course("CAF", title="CAF assessment"), make_authority("RUTLAND", "Rutland")
    day = _weekday_ahead(60)
    fields = {
        "code": "CAF-RACE-001",
        "course_id": str(course.id),
        "venue_id": "",
        "capacity": "12",
        "host_authority_id": str(authority.id),
        "host_area_id": "",
        "booking_closes_days": "2",
        "notes": "",
        "days-0-date": [str(day.day), str(day.month), str(day.year)],
        "days-0-start": "09:30",
        "days-0-end": "16:00",
        "submit": "Save session",
    }
    return Race("/sessions/new", fields, "A session with the code CAF-RACE-001 already exists", _count(TrainingSession))


def _invite_race() -> Race:
    fields = {"email": "racer@council.example", "role": "finance", "name": "Ray Racer", "organisation": ""}
    duplicate = "A user with email racer@council.example already exists"
    return Race("/admin/users/invite", fields, duplicate, _count(User, User.email == "racer@council.example"))


def _send(server: LiveServer, email: str, race: Race) -> Callable[[], requests.Response]:
    """Sign in and open the form now; the returned call sends it."""
    browser = requests.Session()
    page = browser.get(server.url + "/sign-in", timeout=TIMEOUT)
    signed = browser.post(
        server.url + "/sign-in",
        data={"csrf_token": csrf_token_from(page.text), "email": email, "password": PASSWORD},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert signed.status_code == 302, signed.text
    form = browser.get(server.url + race.path, timeout=TIMEOUT)
    assert form.status_code == 200
    data = {"csrf_token": csrf_token_from(form.text), **race.fields}
    return lambda: browser.post(server.url + race.path, data=data, allow_redirects=False, timeout=TIMEOUT)


@pytest.mark.parametrize(
    ("make_race", "role"),
    [(_course_race, Role.COORDINATOR), (_session_race, Role.COORDINATOR), (_invite_race, Role.ADMIN)],
    ids=["course code", "session code", "invited email"],
)
def test_ten_identical_creates_at_once_make_one_and_tell_the_others_it_exists(
    app, app_ctx, live_server, make_race, role
):
    race = make_race()
    email = make_user(role).email
    db.session.commit()
    sends = [_send(live_server, email, race) for _ in range(REQUESTS)]

    answers = all_at_once(sends, TIMEOUT)

    statuses = Counter(answer.status_code for answer in answers)
    assert statuses == {302: 1, 200: REQUESTS - 1}, live_server.log()[-3000:]
    for answer in answers:
        if answer.status_code == 200:
            assert "govuk-error-summary" in answer.text
            assert race.duplicate in answer.text.replace("&#39;", "'")
    assert "IntegrityError" not in live_server.log()
    db.session.expire_all()
    assert race.count() == 1


def test_ten_sessions_numbered_at_once_each_get_the_next_free_number(app, app_ctx, live_server):
    race = _session_race()
    race.fields["code"] = ""  # the service numbers them: CAF-YYYY-001, -002, ...
    email = make_user(Role.COORDINATOR).email
    db.session.commit()
    sends = [_send(live_server, email, race) for _ in range(REQUESTS)]

    answers = all_at_once(sends, TIMEOUT)

    assert Counter(answer.status_code for answer in answers) == {302: REQUESTS}, live_server.log()[-3000:]
    db.session.expire_all()
    codes = sorted(db.session.scalars(sa.select(TrainingSession.code)))
    year = _weekday_ahead(60).year  # an automatic code takes the year of the session's first day
    assert codes == [f"CAF-{year}-{n:03d}" for n in range(1, REQUESTS + 1)]
