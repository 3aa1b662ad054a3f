"""Minimum numbers on the pages (SPEC 3.3): the course form sets them; the coordinator's dashboard and the session's
page flag a session below its minimum."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from tests.factories import make_booking, make_course, make_practitioner, make_session, make_user
from tests.web.helpers import signed_in
from training_app.extensions import db
from training_app.models import Course, Role
from training_app.services.common.calendar import london_today


def test_a_session_below_its_minimum_is_flagged_for_coordinators_only(app):
    with app.app_context():
        course = make_course(code="MIN", title="Minimum course", minimum_places=4)
        session = make_session(course=course, code="MIN-1", days=(london_today() + timedelta(days=30),))
        make_booking(session, make_practitioner())
        coordinator, booker = make_user(Role.COORDINATOR), make_user(Role.BOOKER)
        db.session.commit()
        emails = coordinator.email, booker.email
    staff = signed_in(app.test_client(), emails[0])
    dashboard = staff.get("/").get_data(as_text=True)
    assert "Sessions below their minimum" in dashboard and "1 of its minimum 4 places taken" in dashboard
    assert "Below its minimum: 1 of 4 places taken" in staff.get("/sessions/MIN-1").get_data(as_text=True)
    other = signed_in(app.test_client(), emails[1])
    assert "Below its minimum" not in other.get("/sessions/MIN-1").get_data(as_text=True)


def test_the_course_form_sets_the_minimum_and_refuses_nonsense(app, client):
    from tests.web.test_courses_pages import COURSE, _error_summary, _post

    with app.app_context():
        email = make_user(Role.COORDINATOR).email
        db.session.commit()
    signed_in(client, email)
    bad = _post(client, "/courses/new", **{**COURSE, "minimum_places": "0", "minimum_notice_days": "99"})
    assert _error_summary(bad) == [
        "Minimum places must be from 1 to 10,000, or left empty.",
        "Tell coordinators 0 to 60 working days before.",
    ]
    _post(client, "/courses/new", **{**COURSE, "minimum_places": "6", "minimum_notice_days": "5"})
    with app.app_context():
        course = db.session.scalar(sa.select(Course).filter_by(code="CAF"))
        assert (course.minimum_places, course.minimum_notice_days) == (6, 5)


def test_the_session_list_flags_the_pages_sessions_below_their_minimum_in_one_more_statement(app, count_statements):
    with app.app_context():
        course = make_course(code="MIN", title="Minimum course", minimum_places=3)
        start = london_today() + timedelta(days=30)
        low = make_session(course=course, code="MIN-LOW", days=(start,), capacity=10)
        enough = make_session(course=course, code="MIN-OK", days=(start,), capacity=10, minimum_places=1)
        make_session(course=course, code="MIN-FAR", days=(start + timedelta(days=300),), capacity=10)
        make_booking(low, make_practitioner())
        make_booking(enough, make_practitioner())
        coordinator, booker = make_user(Role.COORDINATOR), make_user(Role.BOOKER)
        db.session.commit()
        emails = coordinator.email, booker.email
    staff = signed_in(app.test_client(), emails[0])
    staff.get("/sessions/")
    with count_statements() as statements:
        page = staff.get("/sessions/").get_data(as_text=True)
    cells = re.findall(r'<th scope="row"[^>]*><a [^>]*>([A-Z-]+)</a>(.*?)</th>', page, re.S)
    rows = dict(cells)
    assert "Below minimum: 1 of 3" in rows["MIN-LOW"] and "Below minimum" not in rows["MIN-OK"]
    assert "Below minimum: 0 of 3" in rows["MIN-FAR"]  # beyond the alerts' look-ahead, still on this page
    minimum = [sql for sql in statements.sql if "coalesce(sessions.minimum_places" in sql]
    assert len(minimum) == 1
    other = signed_in(app.test_client(), emails[1]).get("/sessions/").get_data(as_text=True)
    assert "Below minimum" not in other
