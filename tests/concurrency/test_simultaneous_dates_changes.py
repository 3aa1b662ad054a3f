"""A person's dates changed from several places at once on a 4-worker server: ten coordinators marking one
practitioner as left from their dates page, six leavings and returns crossing there, ten bookers bringing one leaver
back, and six API calls changing different fields of one practitioner. Each change runs after the one before it:
one leaving cancels the bookings and switches the account off once, each audit entry's old dates are what the one
before left, and a field an API call left out keeps what another call gave it. Nothing answers with a 500. SQLite
and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import requests
import sqlalchemy as sa

from tests.factories import make_booking, make_organisation, make_practitioner, make_session, make_user
from training_app.extensions import db
from training_app.models import Booking, BookingStatus, OutgoingMail, Practitioner, Role, User
from training_app.services.accounts.accounts import issue_api_token
from training_app.services.common.calendar import london_today
from training_app.services.workforce.leavers import mark_left

from .server import all_at_once
from .test_simultaneous_catalogue_changes import _chained, _fine
from .test_simultaneous_decisions import TIMEOUT, _actions
from .test_simultaneous_settings_changes import _sends

COORDINATOR = "coordinator@council.example"
STARTED = date(2020, 1, 6)
DATES = ("started_on", "left_on")


def _boxes(day: date | None) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)] if day else ["", "", ""]


def _no_mail_twice() -> None:
    """No email went twice: each (recipients, subject) once."""
    sent = Counter(db.session.execute(sa.select(OutgoingMail.recipients, OutgoingMail.subject)).all())
    assert all(count == 1 for count in sent.values()), sent


def _leaver_with_a_booking(email: str = "lou@school.example") -> tuple[int, int]:
    """A practitioner in post since STARTED with an account and a place on a session in four weeks: their ids."""
    school = make_organisation(code="SCHOOL")
    lou = make_practitioner(organisation=school, email=email, first_name="Lou", last_name="Lane", started_on=STARTED)
    make_user(Role.PRACTITIONER, email=email, practitioner=lou)
    day = london_today() + timedelta(days=28)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    booking = make_booking(make_session(code="LATER-1", days=(day,)), lou)
    return lou.id, booking.id


def test_ten_identical_leavings_from_the_dates_page_cancel_and_switch_off_once(app, app_ctx, shared_live_server):
    make_user(Role.COORDINATOR, email=COORDINATOR)
    lou_id, booking_id = _leaver_with_a_booking()
    db.session.commit()
    page = "/practitioners/lou@school.example/dates"
    form = {"started_on": _boxes(STARTED), "left_on": _boxes(london_today())}
    calls = _sends(shared_live_server, COORDINATOR, page, [(page, form)] * 10)

    answers = all_at_once(calls, TIMEOUT)

    _fine(answers, shared_live_server, {302})  # the nine after the first save the dates they find
    left = _actions("practitioner_left")
    assert len(left) == 1, left
    assert left[0][2]["bookings_cancelled"] == 1 and left[0][2]["account_switched_off"] is True
    assert len(_actions("booking_cancelled")) == 1
    assert len(_actions("user_deactivated")) == 1
    assert not _actions("practitioner_dates_changed", "practitioner_returned")
    db.session.expire_all()
    assert db.session.get(Booking, booking_id).status == BookingStatus.CANCELLED
    assert db.session.get(Practitioner, lou_id).left_on == london_today()
    assert db.session.scalar(sa.select(User.active).where(User.practitioner_id == lou_id)) is False
    _no_mail_twice()


def test_leavings_and_returns_from_six_dates_pages_at_once_are_audited_in_turn(app, app_ctx, shared_live_server):
    make_user(Role.COORDINATOR, email=COORDINATOR)
    lou_id, _ = _leaver_with_a_booking()
    db.session.commit()
    page = "/practitioners/lou@school.example/dates"
    back = london_today() - timedelta(days=3)
    forms = [
        {"started_on": _boxes(STARTED), "left_on": _boxes(london_today() - timedelta(days=5))}
        if n % 2 == 0
        else {"started_on": _boxes(back), "left_on": _boxes(None)}
        for n in range(6)
    ]
    calls = _sends(shared_live_server, COORDINATOR, page, [(page, form) for form in forms])

    answers = all_at_once(calls, TIMEOUT)

    _fine(answers, shared_live_server, {302})
    changes = _actions("practitioner_left", "practitioner_returned", "practitioner_dates_changed")
    assert changes
    held = _chained(
        [(a, {k: old[k] for k in DATES}, {k: new[k] for k in DATES}) for a, old, new in changes],
        {"started_on": STARTED.isoformat(), "left_on": None},
    )
    db.session.expire_all()
    lou = db.session.get(Practitioner, lou_id)
    assert {"started_on": lou.started_on.isoformat(), "left_on": lou.left_on and lou.left_on.isoformat()} == held
    assert len(_actions("booking_cancelled")) == 1  # the first leaving cancelled the place; no later one found it
    assert len(_actions("user_deactivated")) == 1
    _no_mail_twice()


def test_ten_bookers_bringing_one_leaver_back_at_once_bring_them_back_once(app, app_ctx, shared_live_server):
    school = make_organisation(code="SCHOOL")
    booker = make_user(Role.BOOKER, email="office@school.example", organisation=school)
    lou = make_practitioner(organisation=school, email="lou@school.example", started_on=STARTED)
    mark_left(lou, london_today() - timedelta(days=30), booker)  # committed
    lou_id = lou.id
    db.session.commit()
    page = f"/staff/{lou_id}/return"
    form = {"started_on": _boxes(london_today())}
    calls = _sends(shared_live_server, "office@school.example", page, [(page, form)] * 10)

    answers = all_at_once(calls, TIMEOUT)

    assert Counter(answer.status_code for answer in answers) == {302: 1, 422: 9}, shared_live_server.log()[-3000:]
    assert all("has not left" in answer.text for answer in answers if answer.status_code == 422)
    _fine(answers, shared_live_server, {302, 422})
    returned = _actions("practitioner_returned")
    assert len(returned) == 1, returned
    assert returned[0][2] == {"started_on": london_today().isoformat(), "left_on": None}
    db.session.expire_all()
    back = db.session.get(Practitioner, lou_id)
    assert (back.started_on, back.left_on) == (london_today(), None)


def _put(url: str, token: str, body: dict):
    def call() -> requests.Response:
        return requests.put(url, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT)

    return call


def test_six_api_changes_of_different_fields_of_one_practitioner_at_once_lose_none(app, app_ctx, shared_live_server):
    make_practitioner(
        organisation=make_organisation(code="SCHOOL"),
        email="lou@school.example",
        first_name="Lou",
        job_title="Teacher",
        started_on=STARTED,
    )
    tokens = [issue_api_token(make_user(Role.COORDINATOR)) for _ in range(6)]
    db.session.commit()
    url = shared_live_server.url + "/api/v1/practitioners/lou@school.example"
    bodies: list[dict] = [{"job_title": f"Job {n}"} if n % 2 == 0 else {"first_name": f"Name {n}"} for n in range(6)]
    calls = [_put(url, token, body) for token, body in zip(tokens, bodies, strict=True)]

    answers = all_at_once(calls, TIMEOUT)

    _fine(answers, shared_live_server, {200})
    db.session.expire_all()
    lou = db.session.scalars(sa.select(Practitioner)).one()
    assert lou.job_title in {"Job 0", "Job 2", "Job 4"}  # a call that changed only the name left the job as it was
    assert lou.first_name in {"Name 1", "Name 3", "Name 5"}
    assert len(_actions("import")) == 6


def test_ten_api_calls_giving_one_date_each_at_once_keep_the_other(app, app_ctx, shared_live_server):
    make_practitioner(organisation=make_organisation(code="SCHOOL"), email="lou@school.example", started_on=STARTED)
    tokens = [issue_api_token(make_user(Role.COORDINATOR)) for _ in range(10)]
    db.session.commit()
    url = shared_live_server.url + "/api/v1/practitioners/lou@school.example"
    starts = [date(2021, 1, 4) + timedelta(days=n) for n in range(5)]
    lefts = [london_today() - timedelta(days=n) for n in range(5)]
    bodies = [{"started_on": day.isoformat()} for day in starts] + [{"left_on": day.isoformat()} for day in lefts]
    calls = [_put(url, token, body) for token, body in zip(tokens, bodies, strict=True)]

    answers = all_at_once(calls, TIMEOUT)

    _fine(answers, shared_live_server, {200})
    changes = _actions("practitioner_left", "practitioner_dates_changed")
    assert len(_actions("practitioner_left")) == 1
    held = _chained(
        [(a, {k: old[k] for k in DATES}, {k: new[k] for k in DATES}) for a, old, new in changes],
        {"started_on": STARTED.isoformat(), "left_on": None},
    )
    db.session.expire_all()
    lou = db.session.scalars(sa.select(Practitioner)).one()
    assert lou.started_on in starts and lou.left_on in lefts  # a call giving one date kept the other's
    assert held == {"started_on": lou.started_on.isoformat(), "left_on": lou.left_on.isoformat()}
