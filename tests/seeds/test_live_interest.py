"""The demo's interest (SPEC 3.4 Interest, 5): a course without dates that people in several areas asked to be told
about; the coordinator's course page counts them by authority and area, the demo practitioner and the booker see their
own, and the 2008 table stands."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from seeds.users import DEMO_PASSWORD
from tests.reference import TRAINED_BY_AREA_2008_08_31
from tests.web.helpers import signed_in
from training_app.extensions import db
from training_app.models import Course, TrainingSession
from training_app.services.booking.interest import interest_by_area
from training_app.services.reporting.counting import AreaRow, trained_by_area

TODAY = date(2026, 12, 1)


@pytest.fixture
def live(app):
    """The demo pinned to 1 December 2026 (one seed for this module's one test: seeding takes seconds)."""
    result = app.test_cli_runner().invoke(args=["seed", "demo", "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output


def test_a_course_without_dates_has_interest_from_several_areas(app, live):
    with app.app_context():
        course = db.session.scalars(sa.select(Course).where(Course.code == "TAC")).one()
        assert db.session.scalar(sa.select(sa.func.count()).where(TrainingSession.course_id == course.id)) == 0
        counts = interest_by_area(course.id)
        assert counts.total >= 8 and len(counts.rows) >= 6
        assert max(row.count for row in counts.rows) >= 3
        assert trained_by_area(date(2008, 8, 31)) == [AreaRow(*row) for row in TRAINED_BY_AREA_2008_08_31]
    coordinator = _course_page(app, "coordinator@demo.test")
    assert f"{counts.total} people want dates" in coordinator
    practitioner = _course_page(app, "practitioner@demo.test")
    assert "You asked to be emailed when this course has new dates" in practitioner
    booker = _course_page(app, "booker@demo.test")
    assert "Your staff waiting for dates" in booker


def _course_page(app, email: str) -> str:
    return signed_in(app.test_client(), email, DEMO_PASSWORD).get("/courses/TAC").get_data(as_text=True)
