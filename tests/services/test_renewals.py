"""Courses that renew another (SPEC 3.2, 3.6): a refresher's completion is a completion of the renewed course for its
status, expiry, reminders and pathway; reminders and reports read the one stored expiry."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import (
    group,
    make_area,
    make_authority,
    make_booking,
    make_course,
    make_organisation,
    make_practitioner,
    make_record,
    make_session,
)
from tests.outbox import body_of, emails_to
from training_app.extensions import db
from training_app.models import AuditEvent, CourseKind, Pathway, PathwayCourse, PathwayStatus, Requirement
from training_app.services.attendance.redating import RedateRefused, records_to_redate, redate_records
from training_app.services.catalogue.courses import CourseError, CourseSettings, create_course, edit_course
from training_app.services.catalogue.pathways import pathway_of
from training_app.services.reminders.reminders import due_refreshers, run_reminders
from training_app.services.reporting.counting import trained_by_area
from training_app.services.reporting.coverage import coverage_grid, still_to_train_in_cell
from training_app.services.reporting.refresher_outlook import refresher_outlook
from training_app.services.reporting.report_plots import refresher_status_by_area

TODAY = date(2026, 12, 6)

pytestmark = pytest.mark.usefixtures("app_ctx")


@pytest.fixture
def courses():
    """CAF (36 months, counts as trained) and CAF-REFRESH, which renews it, both on group 3's pathway."""
    caf = make_course(code="CAF", validity_months=36, counts_as_trained=True)
    refresh = make_course(code="CAF-REFRESH", kind=CourseKind.REFRESHER, validity_months=36, renews=caf)
    pathway = Pathway(group=group("3"), name="Intensive")
    pathway.steps = [
        PathwayCourse(course=caf, requirement=Requirement.REQUIRED, position=1),
        PathwayCourse(course=refresh, requirement=Requirement.RECOMMENDED, position=2),
    ]
    db.session.add(pathway)
    db.session.flush()
    return caf, refresh


def test_a_refresher_completed_on_10_november_2026_makes_caf_current_until_its_own_expiry(courses):
    caf, refresh = courses
    person = make_practitioner(group=group("3"))
    make_record(person, caf, date(2007, 5, 15))
    make_record(person, refresh, date(2026, 11, 10))

    statuses = {c.course.code: (c.status, c.completed_on, c.expires_on) for c in pathway_of(person, TODAY).courses}

    assert statuses["CAF"] == (PathwayStatus.CURRENT, date(2026, 11, 10), date(2029, 11, 10))
    assert statuses["CAF-REFRESH"] == (PathwayStatus.CURRENT, date(2026, 11, 10), date(2029, 11, 10))


def test_a_refresher_alone_trains_nobody_in_the_reports(courses):
    caf, refresh = courses
    rutland = make_authority("RUTLAND", "Rutland", order=1)
    make_record(make_practitioner(make_organisation(rutland)), refresh, date(2026, 11, 10))

    assert [(row.label, row.trained) for row in trained_by_area(TODAY)] == [("Rutland", 0), ("Total Number Trained", 0)]
    assert refresher_status_by_area(TODAY) == []


def test_a_refresher_supersedes_the_caf_record_so_no_caf_reminder_follows_it(courses):
    caf, refresh = courses
    renewed, lapsing, booked = (
        make_practitioner(email=f"{name}@school.example") for name in ("renewed", "lapsing", "booked")
    )
    for person in (renewed, lapsing, booked):
        make_record(person, caf, TODAY - timedelta(days=1066))  # expires in 30 days: due soon
    make_record(renewed, refresh, TODAY - timedelta(days=20))
    make_booking(make_session(course=refresh, days=(TODAY + timedelta(days=10),)), booked)

    due = {(r.email, r.course_code, r.stage.value) for r in due_refreshers(TODAY)}

    assert due == {("lapsing@school.example", "CAF", "due_soon")}


def test_a_lapsing_refresher_is_reminded_once_and_counted_once_in_the_outlook(courses):
    caf, refresh = courses
    person = make_practitioner(make_organisation(area=make_area(make_authority(), "Melton")))
    make_record(person, caf, date(2020, 1, 6))
    make_record(person, refresh, TODAY - timedelta(days=1066))

    due = [(r.course_code, r.stage.value) for r in due_refreshers(TODAY)]
    outlook = refresher_outlook(TODAY)

    assert due == [("CAF-REFRESH", "due_soon")]
    assert [(row.area, row.expired, sum(row.by_month)) for row in outlook.rows] == [("Melton", 0, 1)]
    assert [(row.area, row.values) for row in refresher_status_by_area(TODAY)] == [("Melton", (0, 1, 0))]


def test_a_validity_change_applies_to_new_records_and_redating_changes_exactly_the_previewed_number(courses):
    caf, _ = courses
    caf.validity_months = 12
    person, other = make_practitioner(group=group("3")), make_practitioner()
    make_record(person, caf, date(2025, 10, 1))  # stored: 1 October 2026, expired
    make_record(other, caf, date(2025, 3, 1))
    edit_course(caf, CourseSettings("CAF", caf.title, caf.kind, validity_months=36, counts_as_trained=True), "test")

    assert pathway_of(person, TODAY).courses[0].status == PathwayStatus.EXPIRED  # the stored date, not 36 months
    new = make_record(make_practitioner(), caf, TODAY)
    assert new.expires_on == date(2029, 12, 6)
    assert records_to_redate(caf) == 2

    with pytest.raises(RedateRefused):
        redate_records(caf, 3, "coordinator")
    assert records_to_redate(caf) == 2

    assert redate_records(caf, 2, "coordinator") == 2

    assert pathway_of(person, TODAY).courses[0].status == PathwayStatus.CURRENT
    assert pathway_of(person, TODAY).courses[0].expires_on == date(2028, 10, 1)
    assert records_to_redate(caf) == 0
    event = db.session.scalars(sa.select(AuditEvent).filter_by(action="training_records_redated")).one()
    assert (event.old_value, event.new_value) == ({"records": 2}, {"records": 2, "validity_months": 36})


@pytest.mark.parametrize(
    ("code", "renews", "message"),
    [
        ("CAF-REFRESH", "CAF-REFRESH", "A course cannot renew itself."),
        ("CAF", "CAF-REFRESH", "CAF-REFRESH renews CAF, so CAF cannot renew CAF-REFRESH (a loop)."),
        ("TOP-UP", "CAF-REFRESH", "CAF-REFRESH itself renews CAF: name the course it renews, CAF, instead."),
        ("TOP-UP", "NOPE", "There is no course with code NOPE."),
    ],
)
def test_a_course_may_not_renew_itself_a_refresher_or_form_a_loop(courses, code, renews, message):
    settings = CourseSettings(code, "A course", CourseKind.REFRESHER, renews=renews)
    with pytest.raises(CourseError) as refused:
        if code in ("CAF", "CAF-REFRESH"):
            edit_course(courses[0] if code == "CAF" else courses[1], settings, "test")
        else:
            create_course(settings, "test")
    assert refused.value.fields == {"renews": message}


def test_coverage_counts_someone_current_through_a_refresher_but_a_refresher_alone_trains_nobody(courses):
    caf, refresh = courses
    school = make_organisation(area=make_area(make_authority(), "Melton"))
    renewed, refresher_only, lapsed = (make_practitioner(school, group=group("3")) for _ in range(3))
    make_record(renewed, caf, date(2007, 5, 15))
    make_record(renewed, refresh, date(2026, 11, 10))
    make_record(refresher_only, refresh, date(2026, 11, 10))
    make_record(lapsed, caf, date(2007, 5, 15))

    grid = coverage_grid(TODAY)
    cell = grid.areas[0].cells[group("3").id]
    left, total = still_to_train_in_cell(TODAY, cell.area_id, cell.group_id)

    assert (cell.required, cell.current) == (3, 1)
    assert total == 2 and sorted(row.email for row in left) == sorted([refresher_only.email, lapsed.email])


def test_a_caf_reminder_lists_coming_refresher_sessions_too(app, courses, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "MAIL_OUTBOX", str(tmp_path / "outbox"))
    caf, refresh = courses
    make_record(make_practitioner(email="lapsing@school.example"), caf, TODAY - timedelta(days=1066))
    make_session(course=refresh, code="CAF-REFRESH-NEXT", days=(TODAY + timedelta(days=20),), capacity=10)
    make_session(course=caf, code="CAF-NEXT", days=(TODAY + timedelta(days=30),), capacity=10)
    db.session.commit()

    run_reminders(TODAY)

    [message] = emails_to(app, "lapsing@school.example")
    text = body_of(message)
    assert text.index("CAF-REFRESH-NEXT: 26 December 2026") < text.index("CAF-NEXT: 5 January 2027")
