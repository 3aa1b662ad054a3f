"""Settings changed from several pages at once on a 4-worker server: a target moved between two schools and given
new percentages, a booking's needs given and taken back, a report email started and stopped, a webhook paused and
resumed, and one API token revoked ten times. Each change runs after the one before it: its audit entry's old
value is what that one left, the last entry's new value is what the database holds, nothing is audited twice and
nothing answers with a 500. SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

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
from training_app.models import ApiToken, Booking, ReportSubscription, Role, Target, Webhook
from training_app.services.accounts.accounts import issue_api_token
from training_app.services.common.calendar import london_today
from training_app.services.webhooks.webhooks import register_webhook
from training_app.services.workforce.targets import TargetValues, set_target, target_values

from .server import LiveServer, all_at_once
from .test_simultaneous_catalogue_changes import _chained, _fine
from .test_simultaneous_decisions import _actions, _browsers, _post_form

TIMEOUT = 120
COORDINATOR = "coordinator@council.example"


def _sends(server: LiveServer, email: str, page: str, posts: list[tuple[str, dict]]):
    """One browser per post, each signed in as `email` with `page` open, ready to send its form."""
    browsers = _browsers(server, email, len(posts), page)
    return [
        _post_form(browser, server.url + url, form | {"csrf_token": token})
        for (browser, token), (url, form) in zip(browsers, posts, strict=True)
    ]


def test_six_simultaneous_edits_of_a_target_are_audited_one_after_the_other(app, app_ctx, shared_live_server):
    shire = make_authority("SHIRE", "Shire")
    make_organisation(shire, code="MINE", name="Mine Primary")
    make_organisation(shire, code="OURS", name="Ours Academy")
    make_course(code="CAF", counts_as_trained=True)
    group("3")
    coordinator = make_user(Role.COORDINATOR, email=COORDINATOR)
    due = london_today() + timedelta(days=200)
    target = set_target(TargetValues("MINE", None, ["3"], "CAF", 50, due), coordinator, london_today())
    target_id, first = target.id, target_values(target)
    db.session.commit()
    page = f"/targets/{target_id}/edit"
    dated = {"due_on": [str(due.day), str(due.month), str(due.year)], "authority": "", "groups": ["3"]}
    posts = [
        (page, dated | {"organisation": ("OURS", "MINE")[n % 2], "course": "CAF", "percent": str(51 + n)})
        for n in range(6)
    ]

    answers = all_at_once(_sends(shared_live_server, COORDINATOR, page, posts), TIMEOUT)

    assert Counter(answer.status_code for answer in answers) == {302: 6}, shared_live_server.log()[-3000:]
    _fine(answers, shared_live_server, {302})
    changes = _actions("target_changed")
    assert len(changes) == 6
    left = _chained(changes, first)  # the whole target: school, percentage and all, as the one before left it
    db.session.expire_all()
    assert target_values(db.session.get(Target, target_id)) == left


def test_needs_given_and_taken_back_from_six_pages_at_once_are_audited_in_turn(app, app_ctx, shared_live_server):
    make_user(Role.COORDINATOR, email=COORDINATOR)
    session = make_session(days=(london_today() + timedelta(days=30),))
    booking_id = make_booking(session, make_practitioner()).id
    db.session.commit()
    page = f"/bookings/{booking_id}/needs"
    posts = [(page, {"access_needs": "Step-free access" if n % 2 == 0 else "", "dietary_needs": ""}) for n in range(6)]

    answers = all_at_once(_sends(shared_live_server, COORDINATOR, page, posts), TIMEOUT)

    _fine(answers, shared_live_server, {302})
    changes = _actions("booking_needs_changed")
    assert changes  # the first save at least gives them; identical saves after it change nothing
    left = _chained(changes, {"needs": "none"})
    db.session.expire_all()
    access = db.session.get(Booking, booking_id).access_needs
    assert left == {"needs": "given" if access else "none"}


def test_a_report_email_started_and_stopped_from_six_pages_at_once_is_audited_in_turn(app, app_ctx, shared_live_server):
    make_user(Role.COORDINATOR, email=COORDINATOR)
    db.session.commit()
    url = "/report-emails/targets"
    posts = [(url, {"frequency": ("weekly", "stop", "monthly")[n % 3], "back": "list"}) for n in range(6)]

    answers = all_at_once(_sends(shared_live_server, COORDINATOR, "/report-emails", posts), TIMEOUT)

    _fine(answers, shared_live_server, {302})
    changes = _actions("report_subscription_changed")
    assert changes
    left = _chained(changes, None)
    db.session.expire_all()
    held = db.session.scalars(sa.select(ReportSubscription)).all()
    assert [{"report": s.report.value, "frequency": s.frequency.value} for s in held] == ([left] if left else [])


def test_pausing_and_resuming_a_webhook_at_once_are_audited_in_turn(app, app_ctx, shared_live_server):
    admin = make_user(Role.ADMIN, email="admin@council.example")
    hook_id = register_webhook("https://hr.example.org/x", "s" * 32, ["booking.created"], by=admin).id
    db.session.commit()
    posts = [(f"/admin/webhooks/{hook_id}/{('pause', 'resume')[n % 2]}", {}) for n in range(6)]

    answers = all_at_once(_sends(shared_live_server, "admin@council.example", "/admin/webhooks", posts), TIMEOUT)

    _fine(answers, shared_live_server, {302})
    changes = _actions("webhook_paused", "webhook_resumed")
    assert changes  # a pause at least; a resume of a running webhook changes nothing
    active = True
    for action, old, new in changes:
        assert action == ("webhook_paused" if active else "webhook_resumed")
        assert (old["active"], new["active"]) == (active, not active)
        active = not active
    db.session.expire_all()
    assert db.session.get(Webhook, hook_id).active is active


def test_one_api_token_revoked_from_ten_pages_at_once_is_revoked_once(app, app_ctx, shared_live_server):
    user = make_user(Role.COORDINATOR, email=COORDINATOR)
    issue_api_token(user, "laptop")
    token_id = db.session.scalars(sa.select(ApiToken.id)).one()
    db.session.commit()
    posts = [(f"/api-tokens/{token_id}/revoke", {}) for _ in range(10)]

    answers = all_at_once(_sends(shared_live_server, COORDINATOR, "/api-tokens", posts), TIMEOUT)

    _fine(answers, shared_live_server, {302})
    assert len(_actions("api_token_revoked")) == 1
    db.session.expire_all()
    assert db.session.get(ApiToken, token_id).revoked_at is not None
