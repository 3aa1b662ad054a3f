"""The API's own way to routes whose pages are raced elsewhere, at a 4-worker server at once: ten calls recording one
service's awareness sign-off, ten registering one person's interest in a course and ten withdrawing it, ten giving
one booking's evaluation, six changing one target and six pausing and resuming one webhook. One call makes each
record or decision (201 or 200), the others get 409, and each change is audited once, in turn; never a 500. SQLite
and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import requests
import sqlalchemy as sa

from tests.factories import (
    group,
    make_authority,
    make_booking,
    make_course,
    make_organisation,
    make_practitioner,
    make_session,
    make_user,
)
from training_app.extensions import db
from training_app.models import AwarenessSignOff, BookingStatus, CourseInterest, Evaluation, Role, Target, Webhook
from training_app.services.accounts.accounts import issue_api_token
from training_app.services.attendance.records import record_completions
from training_app.services.common.calendar import london_today
from training_app.services.evaluation.evaluation_forms import current_questions
from training_app.services.webhooks.webhooks import register_webhook
from training_app.services.workforce.targets import TargetValues, set_target, target_values

from .server import LiveServer, all_at_once
from .test_simultaneous_catalogue_changes import _chained, _fine
from .test_simultaneous_decisions import TIMEOUT, _actions


def _call(server: LiveServer, method: str, token: str, path: str, body: dict | None = None):
    def call() -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"}
        return requests.request(method, server.url + "/api/v1" + path, json=body, headers=headers, timeout=TIMEOUT)

    return call


def _tokens(role: Role, count: int) -> list[str]:
    return [issue_api_token(make_user(role)) for _ in range(count)]


def _codes(answers: list[requests.Response]) -> Counter[int]:
    return Counter(answer.status_code for answer in answers)


def test_ten_sign_offs_of_one_service_posted_at_once_make_one(app, app_ctx, shared_live_server):
    make_authority(code="LEICESTERSHIRE", name="Leicestershire")
    tokens = _tokens(Role.COORDINATOR, 10)
    db.session.commit()
    body = {
        "service": "Adult Services Coalville",
        "sector": "adult_services",
        "authorities": ["LEICESTERSHIRE"],
        "contact_name": "Jim Lawrenson",
        "package": "Leicestershire Awareness Package",
        "completed_on": "2008-07",
        "status": "signed_off",
    }
    calls = [_call(shared_live_server, "POST", token, "/awareness/sign-offs", body) for token in tokens]

    answers = all_at_once(calls, TIMEOUT)

    assert _codes(answers) == {201: 1, 409: 9}, shared_live_server.log()[-3000:]
    _fine(answers, shared_live_server, {201, 409})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AwarenessSignOff)) == 1
    assert len(_actions("awareness_sign_off_recorded")) == 1


def test_ten_interests_posted_and_ten_withdrawn_at_once_register_and_withdraw_once(app, app_ctx, shared_live_server):
    make_course(code="RACE-TAC", title="Racing for dates")
    make_practitioner(email="rae@school.example")
    tokens = _tokens(Role.COORDINATOR, 10)
    db.session.commit()
    body = {"practitioner": "rae@school.example"}
    posts = [_call(shared_live_server, "POST", t, "/courses/RACE-TAC/interest", body) for t in tokens]

    asked = all_at_once(posts, TIMEOUT)

    assert _codes(asked) == {201: 1, 409: 9}, shared_live_server.log()[-3000:]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CourseInterest)) == 1
    assert len(_actions("interest_registered")) == 1
    db.session.commit()
    path = "/courses/RACE-TAC/interest/rae@school.example"

    withdrawn = all_at_once([_call(shared_live_server, "DELETE", t, path) for t in tokens], TIMEOUT)

    assert _codes(withdrawn) == {200: 1, 409: 9}, shared_live_server.log()[-3000:]
    _fine(asked + withdrawn, shared_live_server, {200, 201, 409})
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CourseInterest)) == 0
    assert len(_actions("interest_withdrawn")) == 1


def test_ten_evaluations_of_one_booking_posted_at_once_give_it_once(app, app_ctx, shared_live_server):
    course = make_course(code="EVAL-RACE")
    session = make_session(course=course, code="EVAL-RACE-1", days=(london_today() - timedelta(days=1),))
    person = make_practitioner(first_name="Rae", last_name="Race")
    booking = make_booking(session, person, BookingStatus.ATTENDED)
    user = make_user(Role.PRACTITIONER, email="rae.race@example.org", practitioner=person)
    db.session.commit()
    record_completions([booking])
    db.session.commit()
    values = {"rating": 4, "yes_no": True, "text": "Good"}
    body = {"answers": [{"question": q.id, "value": values[q.kind.value]} for q in current_questions(course.id)]}
    tokens = [issue_api_token(user, f"device {n}") for n in range(10)]
    booking_id = booking.id
    db.session.commit()
    calls = [_call(shared_live_server, "POST", t, f"/bookings/{booking_id}/evaluation", body) for t in tokens]

    answers = all_at_once(calls, TIMEOUT)

    assert _codes(answers) == {201: 1, 409: 9}, shared_live_server.log()[-3000:]
    _fine(answers, shared_live_server, {201, 409})
    assert db.session.scalar(sa.select(sa.func.count(Evaluation.id)).where(Evaluation.given_at.is_not(None))) == 1
    assert len(_actions("evaluation_given")) == 1


def test_six_changes_of_one_target_put_at_once_are_audited_one_after_the_other(app, app_ctx, shared_live_server):
    shire = make_authority("SHIRE", "Shire")
    make_organisation(shire, code="MINE", name="Mine Primary")
    make_organisation(shire, code="OURS", name="Ours Academy")
    make_course(code="CAF", counts_as_trained=True)
    group("3")
    coordinator = make_user(Role.COORDINATOR)
    due = london_today() + timedelta(days=200)
    target = set_target(TargetValues("MINE", None, ["3"], "CAF", 50, due), coordinator, london_today())
    target_id, first = target.id, target_values(target)
    tokens = _tokens(Role.COORDINATOR, 6)
    db.session.commit()
    bodies = [
        {"organisation": ("OURS", "MINE")[n % 2], "groups": ["3"], "course": "CAF", "percent": 51 + n}
        | {"due_on": due.isoformat()}
        for n in range(6)
    ]
    calls = [
        _call(shared_live_server, "PUT", t, f"/targets/{target_id}", b) for t, b in zip(tokens, bodies, strict=True)
    ]

    answers = all_at_once(calls, TIMEOUT)

    _fine(answers, shared_live_server, {200})
    changes = _actions("target_changed")
    assert len(changes) == 6
    left = _chained(changes, first)
    db.session.expire_all()
    assert target_values(db.session.get(Target, target_id)) == left


def test_a_webhook_paused_and_resumed_by_six_calls_at_once_is_audited_in_turn(app, app_ctx, shared_live_server):
    admin = make_user(Role.ADMIN)
    hook_id = register_webhook("https://hr.example.org/x", "s" * 32, ["booking.created"], by=admin).id
    tokens = _tokens(Role.ADMIN, 6)
    db.session.commit()
    calls = [
        _call(shared_live_server, "POST", t, f"/webhooks/{hook_id}/{('pause', 'resume')[n % 2]}")
        for n, t in enumerate(tokens)
    ]

    answers = all_at_once(calls, TIMEOUT)

    _fine(answers, shared_live_server, {200, 409})
    changes = _actions("webhook_paused", "webhook_resumed")
    assert changes
    active = True
    for action, old, new in changes:
        assert action == ("webhook_paused" if active else "webhook_resumed")
        assert (old["active"], new["active"]) == (active, not active)
        active = not active
    db.session.expire_all()
    assert db.session.get(Webhook, hook_id).active is active
