"""Coordinators' course, venue and pathway pages: what they show, the error summaries, and what is saved."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token_from
from tests.factories import group, make_course, make_user, make_venue
from tests.web.helpers import h1_of, signed_in, title_of
from training_app.extensions import db
from training_app.models import Course, Pathway, Requirement, Role, SelfBooking, Venue

COURSE = {
    "code": "CAF",
    "title": "CAF practitioner training",
    "kind": "caf_practitioner",
    "typical_duration_minutes": "390",
    "validity_months": "36",
    "reminder_lead_days": "90",
    "counts_as_trained": "yes",
    "prerequisites": "",
    "charge_half_day": "25.00",
    "charge_day": "50.00",
    "self_booking": "with_approval",
    "waitlist_order": "pathway_need",
    "description": "Two days.",
    "joining_instructions": "Bring a pen.",
}


@pytest.fixture
def coordinator(app, client):
    with app.app_context():
        email = make_user(Role.COORDINATOR).email
        db.session.commit()
    return signed_in(client, email)


def _post(client, path, form_path=None, **data):
    token = csrf_token_from(client.get(form_path or path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def _error_summary(response) -> list[str]:
    html = response.get_data(as_text=True)
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.S)
    assert summary, "no error summary"
    return [re.sub(r"\s+", " ", text).strip() for text in re.findall(r"<a [^>]*>(.*?)</a>", summary.group(0), re.S)]


def _course(app, code="CAF"):
    with app.app_context():
        course = db.session.scalars(sa.select(Course).filter_by(code=code)).one_or_none()
        if course is not None:
            return {
                "retired": course.is_retired,
                "self_booking": course.self_booking,
                "waitlist_order": course.waitlist_order,
                "charges": (course.charge_half_day_pence, course.charge_day_pence),
                "prerequisites": [p.code for p in course.prerequisites],
                "validity": course.validity_months,
                "joining": course.joining_instructions,
                "cancellation_window": course.cancellation_window_days,
            }
        return None


def test_a_coordinator_adds_a_course_and_sees_it_listed(app, coordinator):
    response = _post(coordinator, "/courses/new", **{**COURSE, "charge_day": "60"})
    assert response.status_code == 302 and response.headers["Location"] == "/courses"
    listing = coordinator.get("/courses")
    assert "Course CAF has been added." in listing.get_data(as_text=True)
    assert title_of(listing).startswith("Courses – ")
    assert "CAF practitioner training" in listing.get_data(as_text=True)
    saved = _course(app)
    assert saved["self_booking"] == SelfBooking.WITH_APPROVAL and saved["charges"] == (2500, 6000)
    assert saved["validity"] == 36 and saved["joining"] == "Bring a pen."
    assert saved["waitlist_order"] == "pathway_need"
    assert saved["cancellation_window"] == 2  # the form's default


def test_a_coordinator_sets_the_late_cancellation_window_and_sees_it_when_editing(app, coordinator):
    _post(coordinator, "/courses/new", **{**COURSE, "cancellation_window_days": "5"})
    assert _course(app)["cancellation_window"] == 5
    page = coordinator.get("/courses/CAF/edit").get_data(as_text=True)
    assert re.search(r'name="cancellation_window_days"[^>]*value="5"', page)
    _post(coordinator, "/courses/CAF/edit", **{**COURSE, "cancellation_window_days": "0"})
    assert _course(app)["cancellation_window"] == 0


def test_the_new_course_form_offers_the_defaults(coordinator):
    page = coordinator.get("/courses/new")
    html = page.get_data(as_text=True)
    assert h1_of(page) == "Add a course"
    assert 'value="90"' in html and 'value="25.00"' in html and 'value="50.00"' in html


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"validity_months": "0"}, "Validity must be from 1 to 1200 months, or left empty."),
        ({"validity_months": "1201"}, "Validity must be from 1 to 1200 months, or left empty."),
        ({"validity_months": "three"}, "Validity must be a whole number, like 36"),
        ({"prerequisites": "NOPE"}, "There is no course with code NOPE."),
        ({"charge_day": "fifty"}, "The charge per day must be an amount in pounds, like 25.00"),
        ({"title": ""}, "Enter a title"),
        ({"cancellation_window_days": "61"}, "Late cancellation must start 0 to 60 working days before."),
        ({"cancellation_window_days": "soon"}, "The cancellation window must be a whole number, like 36"),
    ],
)
def test_bad_course_input_shows_the_error_summary_and_saves_nothing(app, coordinator, fields, message):
    response = _post(coordinator, "/courses/new", **{**COURSE, **fields})
    assert response.status_code == 200
    assert title_of(response).startswith("Error: Add a course")
    assert message in _error_summary(response)
    assert _course(app) is None


def test_a_prerequisite_loop_is_refused_on_the_edit_form(app, coordinator):
    with app.app_context():
        aware = make_course(code="AWARE")
        caf = make_course(code="CAF")
        caf.prerequisites = [aware]
        db.session.commit()
    response = _post(coordinator, "/courses/AWARE/edit", **{**COURSE, "code": "AWARE", "prerequisites": "CAF"})
    assert "These prerequisites lead back to this course (a loop)." in _error_summary(response)
    assert _course(app, "AWARE")["prerequisites"] == []


def test_editing_shows_the_saved_values_and_retiring_marks_the_course(app, coordinator):
    with app.app_context():
        make_course(code="LP", title="Lead professional", validity_months=24)
        db.session.commit()
    page = coordinator.get("/courses/LP/edit")
    assert h1_of(page) == "Change course LP" and 'value="24"' in page.get_data(as_text=True)
    response = _post(coordinator, "/courses/LP/retire", "/courses/LP/edit")
    assert response.status_code == 302
    listing = coordinator.get("/courses").get_data(as_text=True)
    assert "Course LP has been retired." in listing and "Retired" in listing
    assert _course(app, "LP")["retired"] is True
    _post(coordinator, "/courses/LP/reinstate", "/courses/LP/edit")
    assert _course(app, "LP")["retired"] is False


def test_an_unknown_course_is_404(coordinator):
    assert coordinator.get("/courses/NOPE/edit").status_code == 404


def test_a_form_without_its_csrf_token_changes_nothing(app, coordinator):
    response = coordinator.post("/courses/new", data=COURSE)
    assert response.status_code in (200, 400)
    assert _course(app) is None


def test_a_coordinator_adds_and_changes_a_venue(app, coordinator):
    data = {
        "name": "County Hall",
        "address": "Glenfield",
        "postcode": "le3 8rl",
        "capacity": "40",
        "accessibility_notes": "Step-free entrance",
    }
    assert _post(coordinator, "/venues/new", **data).status_code == 302
    listing = coordinator.get("/venues").get_data(as_text=True)
    assert "County Hall" in listing and "LE3 8RL" in listing and "Step-free entrance" in listing
    with app.app_context():
        venue_id = db.session.scalars(sa.select(Venue.id)).one()
    assert _post(coordinator, f"/venues/{venue_id}/edit", **{**data, "capacity": "45"}).status_code == 302
    with app.app_context():
        assert db.session.get(Venue, venue_id).capacity == 45


@pytest.mark.parametrize(
    ("capacity", "message"),
    [("0", "Room capacity must be from 1 to 10,000."), ("", "Enter the room capacity")],
)
def test_a_venue_with_a_capacity_below_one_is_refused(app, coordinator, capacity, message):
    response = _post(coordinator, "/venues/new", name="Hall", capacity=capacity)
    assert message in _error_summary(response)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Venue)) == 0


def test_a_venue_with_a_name_already_taken_is_refused(app, coordinator):
    with app.app_context():
        make_venue(name="Hall")
        db.session.commit()
    response = _post(coordinator, "/venues/new", name="Hall", capacity="10")
    assert "There is already a venue called Hall." in _error_summary(response)


def _steps(app, code="3"):
    with app.app_context():
        pathway = db.session.scalars(sa.select(Pathway).filter_by(group_id=group(code).id)).one_or_none()
        steps = sorted(pathway.steps, key=lambda s: s.position) if pathway else []
        return [(s.course.code, s.requirement) for s in steps]


def test_the_pathway_editor_adds_moves_changes_and_removes_courses(app, coordinator):
    with app.app_context():
        for code in ("AWARE", "CAF", "LP"):
            make_course(code=code)
        db.session.commit()
    page = coordinator.get("/pathways/3")
    assert h1_of(page) == "Group 3 pathway" and "no courses on its pathway yet" in page.get_data(as_text=True)
    for code in ("AWARE", "CAF", "LP"):
        response = _post(coordinator, "/pathways/3/courses", "/pathways/3", course=code, requirement="required")
        assert response.status_code == 302
    _post(coordinator, "/pathways/3/courses/LP/up", "/pathways/3")
    assert [c for c, _ in _steps(app)] == ["AWARE", "LP", "CAF"]
    _post(coordinator, "/pathways/3/courses/AWARE/down", "/pathways/3")
    assert [c for c, _ in _steps(app)] == ["LP", "AWARE", "CAF"]
    _post(coordinator, "/pathways/3/courses/CAF/requirement", "/pathways/3", requirement="optional")
    _post(coordinator, "/pathways/3/courses/AWARE/remove", "/pathways/3")
    assert _steps(app) == [("LP", Requirement.REQUIRED), ("CAF", Requirement.OPTIONAL)]
    matrix = coordinator.get("/pathways")
    html = matrix.get_data(as_text=True)
    assert h1_of(matrix) == "Pathways" and "Group 3:" in html and "Optional" in html


def test_moving_the_first_course_up_shows_the_error_summary(app, coordinator):
    with app.app_context():
        make_course(code="CAF")
        db.session.commit()
    _post(coordinator, "/pathways/3/courses", "/pathways/3", course="CAF", requirement="required")
    response = _post(coordinator, "/pathways/3/courses/CAF/up", "/pathways/3")
    assert "CAF cannot move further up." in _error_summary(response)


def test_adding_without_choosing_a_course_shows_the_error_summary(app, coordinator):
    with app.app_context():
        make_course(code="CAF")
        db.session.commit()
    response = _post(coordinator, "/pathways/3/courses", "/pathways/3", course="", requirement="required")
    assert "Select a course" in _error_summary(response)
    assert _steps(app) == []


def test_an_unknown_group_is_404(coordinator):
    assert coordinator.get("/pathways/99").status_code == 404


@pytest.mark.parametrize(
    "path", ["/courses/%00/edit", "/courses/" + "X" * 300 + "/edit", "/pathways/%00", "/pathways/3/courses/%00/up"]
)
def test_codes_no_record_could_have_are_404_not_500(coordinator, path):
    expected = 400 if "%00" in path else 404  # a NUL anywhere in an address is refused before any view
    if path.endswith("/up"):
        assert _post(coordinator, path, "/pathways/3").status_code == expected
    else:
        assert coordinator.get(path).status_code == expected


def test_the_navigation_offers_courses_pathways_and_venues_to_coordinators(coordinator):
    html = coordinator.get("/").get_data(as_text=True)
    for text, href in (("Courses", "/courses"), ("Pathways", "/pathways"), ("Venues", "/venues")):
        assert f'href="{href}"' in html and text in html


def test_a_coordinator_makes_the_certificate_wait_for_the_evaluation_and_finds_the_form(app, coordinator):
    _post(coordinator, "/courses/new", **{**COURSE, "certificate_after_evaluation": "yes"})
    with app.app_context():
        assert db.session.scalar(sa.select(Course.certificate_after_evaluation).filter_by(code="CAF")) is True
    page = coordinator.get("/courses/CAF/edit").get_data(as_text=True)
    assert re.search(r'name="certificate_after_evaluation"[^>]*value="yes"[^>]*checked', page)
    assert 'href="/courses/CAF/evaluation-form"' in page
    _post(coordinator, "/courses/CAF/edit", **{**COURSE, "certificate_after_evaluation": "no"})
    with app.app_context():
        assert db.session.scalar(sa.select(Course.certificate_after_evaluation).filter_by(code="CAF")) is False
