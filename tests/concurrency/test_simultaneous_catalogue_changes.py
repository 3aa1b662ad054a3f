"""The catalogue changed from several pages at once on a 4-worker server: a course edited, retired and reinstated, a
venue edited, an organisation marked awareness-only or not, a pathway edited (courses added, moved, removed, made
optional; a course added while it is retired). Each change runs after the one before it: its audit entry's old value
is what that one left, the last entry's new value is what the page shows now, and nothing answers with a 500.
SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter

import requests
import sqlalchemy as sa

from tests.factories import group, make_course, make_organisation, make_user, make_venue
from training_app.extensions import db
from training_app.models import AuditEvent, Course, Organisation, Requirement, Role, Venue
from training_app.services.catalogue import pathway_editor

from .server import LiveServer, all_at_once
from .test_simultaneous_decisions import _actions, _browsers, _post_form

TIMEOUT = 120
COORDINATOR = "coordinator@council.example"


def _chained(changes: list[tuple[str, object, object]], first: object, key: str | None = None) -> object:
    """Check each change's old value is what the change before it left; the value the last one left."""
    held = first
    for _, old, new in changes:
        assert (old[key] if key else old) == held, changes
        held = new[key] if key else new
    return held


def _sent(server: LiveServer, count: int, page: str, url: str, forms: list[dict]):
    """`count` coordinators' browsers with `page` open, each ready to send its form to `url`."""
    browsers = _browsers(server, COORDINATOR, count, page)
    return [
        _post_form(browser, server.url + url, form | {"csrf_token": token})
        for (browser, token), form in zip(browsers, forms, strict=True)
    ]


def _fine(answers: list[requests.Response], server: LiveServer, allowed: set[int]) -> None:
    assert {answer.status_code for answer in answers} <= allowed, server.log()[-3000:]
    assert "Traceback" not in server.log()


COURSE_FORM = {
    "code": "CAF",
    "kind": "caf_practitioner",
    "reminder_lead_days": "90",
    "booking_closes_days": "2",
    "cancellation_window_days": "2",
    "counts_as_trained": "no",
    "charge_half_day": "25.00",
    "charge_day": "50.00",
    "self_booking": "no",
    "waitlist_order": "first_come",
}


def test_six_simultaneous_edits_of_a_course_are_audited_one_after_the_other(app, app_ctx, shared_live_server):
    make_user(Role.COORDINATOR, email=COORDINATOR)
    course_id = make_course(code="CAF", title="First title").id
    db.session.commit()
    forms = [COURSE_FORM | {"title": f"Title {n}"} for n in range(6)]

    answers = all_at_once(_sent(shared_live_server, 6, "/courses/CAF/edit", "/courses/CAF/edit", forms))

    assert Counter(answer.status_code for answer in answers) == {302: 6}, shared_live_server.log()[-3000:]
    changes = _actions("course_changed")
    assert len(changes) == 6
    left = _chained(changes, "First title", "title")
    db.session.expire_all()
    assert db.session.get(Course, course_id).title == left


def test_retiring_and_reinstating_a_course_at_once_are_audited_one_after_the_other(app, app_ctx, shared_live_server):
    make_user(Role.COORDINATOR, email=COORDINATOR)
    course_id = make_course(code="CAF").id
    db.session.commit()
    server = shared_live_server
    browsers = _browsers(server, COORDINATOR, 6, "/courses/CAF/edit")
    urls = ["/courses/CAF/retire", "/courses/CAF/reinstate"] * 3
    sends = [_post_form(b, server.url + url, {"csrf_token": t}) for (b, t), url in zip(browsers, urls, strict=True)]

    answers = all_at_once(sends)

    assert Counter(answer.status_code for answer in answers) == {302: 6}, server.log()[-3000:]
    changes = _actions("course_retired", "course_reinstated")
    assert changes  # at least the first retirement, whatever came first
    retired = False
    for action, old, new in changes:  # a retirement only of a course in use, a reinstatement only of a retired one
        assert (action, old, new) == (
            ("course_reinstated", {"retired": True}, {"retired": False})
            if retired
            else ("course_retired", {"retired": False}, {"retired": True})
        )
        retired = not retired
    db.session.expire_all()
    assert db.session.get(Course, course_id).is_retired is retired


def test_six_simultaneous_edits_of_a_venue_are_audited_one_after_the_other(app, app_ctx, shared_live_server):
    make_user(Role.COORDINATOR, email=COORDINATOR)
    venue_id = make_venue("Town Hall", capacity=30).id
    db.session.commit()
    page = f"/venues/{venue_id}/edit"
    forms = [
        {"name": "Town Hall", "address": "", "postcode": "", "capacity": str(40 + n), "accessibility_notes": ""}
        for n in range(6)
    ]

    answers = all_at_once(_sent(shared_live_server, 6, page, page, forms))

    assert Counter(answer.status_code for answer in answers) == {302: 6}, shared_live_server.log()[-3000:]
    changes = _actions("venue_changed")
    assert len(changes) == 6
    left = _chained(changes, 30, "capacity")
    db.session.expire_all()
    assert db.session.get(Venue, venue_id).capacity == left


def test_marking_an_organisation_awareness_only_and_not_at_once_audits_each_change_in_turn(
    app, app_ctx, shared_live_server
):
    make_user(Role.COORDINATOR, email=COORDINATOR)
    organisation_id = make_organisation(code="PROBATION1").id
    db.session.commit()
    forms = [{"organisation": "PROBATION1", "awareness_only": "yes" if n % 2 == 0 else "no"} for n in range(6)]

    answers = all_at_once(_sent(shared_live_server, 6, "/awareness/coverage", "/awareness/awareness-only", forms))

    assert Counter(answer.status_code for answer in answers) == {302: 6}, shared_live_server.log()[-3000:]
    changes = _actions("awareness_only_set")
    assert 1 <= len(changes) <= 6
    left = _chained(changes, False)
    db.session.expire_all()
    assert db.session.get(Organisation, organisation_id).awareness_only is left


def _pathway_codes() -> list[str]:
    steps = pathway_editor.pathway_values(pathway_editor.group_pathway(group("3")))
    positions = [step["position"] for step in steps]
    assert len(set(positions)) == len(positions)  # no two in one place (a removal leaves a gap, as one at a time)
    return [step["course"] for step in steps]


def _pathway_chain(first: list[str]) -> list[str]:
    """Check the pathway's audit entries chain; the courses the last one left, in order."""
    changes = _actions("pathway_changed")
    held = first
    for _, old, new in changes:
        assert [step["course"] for step in old["steps"]] == held, changes
        held = [step["course"] for step in new["steps"]]
    return held


def test_simultaneous_edits_of_one_pathway_run_one_after_the_other(app, app_ctx, shared_live_server):
    make_user(Role.COORDINATOR, email=COORDINATOR)
    courses = {code: make_course(code=code) for code in ("AAA", "BBB", "CCC", "DDD", "EEE")}
    for code in ("AAA", "BBB", "CCC"):
        pathway_editor.add_course(group("3"), courses[code], Requirement.REQUIRED, "test")
    db.session.commit()  # and touch no model until the rush is over: this process must not hold SQLite's lock
    server = shared_live_server
    page = "/pathways/3"
    calls = [
        ("/pathways/3/courses/AAA/down", {}),
        ("/pathways/3/courses/CCC/up", {}),
        ("/pathways/3/courses/BBB/requirement", {"requirement": "optional"}),
        ("/pathways/3/courses/BBB/remove", {}),
        ("/pathways/3/courses/BBB/remove", {}),
        ("/pathways/3/courses", {"course": "DDD", "requirement": "required"}),
        ("/pathways/3/courses", {"course": "EEE", "requirement": "recommended"}),
    ]
    browsers = _browsers(server, COORDINATOR, len(calls), page)
    sends = [
        _post_form(browser, server.url + url, form | {"csrf_token": token})
        for (browser, token), (url, form) in zip(browsers, calls, strict=True)
    ]

    answers = all_at_once(sends)

    _fine(answers, server, {200, 302})
    refusals = [answer for answer in answers if answer.status_code == 200]
    assert all("govuk-error-summary" in answer.text for answer in refusals)
    assert len(_actions("pathway_changed")) == 3 + 7 - len(refusals)
    db.session.expire_all()
    final = _pathway_codes()
    assert _pathway_chain([]) == final  # from the empty pathway, through the three added before the rush
    assert "BBB" not in final and {"AAA", "CCC", "DDD", "EEE"} == set(final)


def test_a_course_added_to_a_pathway_as_it_is_retired_is_added_before_or_refused(app, app_ctx, shared_live_server):
    make_user(Role.COORDINATOR, email=COORDINATOR)
    make_course(code="CAF")
    db.session.commit()
    server = shared_live_server
    [(adder, add_token), *retirers] = _browsers(server, COORDINATOR, 3, "/pathways/3")
    sends = [
        _post_form(
            adder,
            server.url + "/pathways/3/courses",
            {"course": "CAF", "requirement": "required"} | {"csrf_token": add_token},
        )
    ]
    sends += [_post_form(b, server.url + "/courses/CAF/retire", {"csrf_token": t}) for b, t in retirers]

    answers = all_at_once(sends)

    _fine(answers, server, {200, 302})
    actions = AuditEvent.action.in_(["pathway_changed", "course_retired"])
    events = list(db.session.scalars(sa.select(AuditEvent.action).where(actions).order_by(AuditEvent.id)))
    db.session.expire_all()
    if _pathway_codes() == ["CAF"]:  # added while it was in use, then retired
        assert events == ["pathway_changed", "course_retired"]
    else:  # retired first: the addition is refused as it would be a moment later
        assert events == ["course_retired"]
        assert answers[0].status_code == 200 and "retired" in answers[0].text
