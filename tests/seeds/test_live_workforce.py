"""The demo's joiner and leaver (SPEC 3.1, 5, issue 22) at the demo booker's school: the joiner in post since twelve
days before the load day, the leaver gone four days before it with their coming booking cancelled free, their
training record kept, and neither of them in the 2008 figures."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.reference import TRAINED_BY_AREA_2008_08_31
from training_app.extensions import db
from training_app.models import Booking, BookingStatus, Charge, Organisation, Practitioner, User
from training_app.services.attendance.certificates import training_records_of
from training_app.services.booking.staff import staff_page
from training_app.services.reporting.counting import trained_by_area
from training_app.services.workforce.in_post import in_post_on

TODAY = date(2026, 12, 1)


@pytest.fixture
def live(app):
    result = app.test_cli_runner().invoke(args=["seed", "demo", "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output


def _person(email: str) -> Practitioner:
    return db.session.execute(sa.select(Practitioner).filter_by(email=email)).scalar_one()


def test_a_joiner_and_a_leaver_at_the_bookers_school(app_ctx, live):
    school = db.session.execute(sa.select(User.organisation_id).filter_by(email="booker@demo.test")).scalar_one()
    joiner = _person("amira.haddad@" + _domain(school))
    leaver = _person("gareth.pryce@" + _domain(school))

    assert (joiner.started_on, joiner.left_on) == (TODAY - timedelta(days=12), None)
    assert (leaver.started_on, leaver.left_on) == (date(2016, 9, 1), TODAY - timedelta(days=4))
    [booking] = db.session.scalars(sa.select(Booking).filter_by(practitioner_id=leaver.id))
    assert booking.status == BookingStatus.CANCELLED and booking.session.starts_on > TODAY
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Charge).filter_by(booking_id=booking.id)) == 0
    assert [row.course_code for row in training_records_of(leaver)] == ["CAF"]

    in_post = {m.email for m in staff_page(school, TODAY, per_page=1000).members}
    leavers = {m.email for m in staff_page(school, TODAY, per_page=1000, leavers=True).members}
    assert joiner.email in in_post and leaver.email not in in_post and leavers == {leaver.email}
    in_2008 = set(db.session.scalars(sa.select(Practitioner.id).where(in_post_on(date(2008, 8, 31)))))
    assert len(in_2008) == 2346 and {joiner.id, leaver.id}.isdisjoint(in_2008)
    rows = [
        [row.label, row.trained, row.spaces_to_end_of_year, row.spaces_planned_next_year]
        for row in trained_by_area(date(2008, 8, 31))
    ]
    assert rows == TRAINED_BY_AREA_2008_08_31


def _domain(organisation_id: int) -> str:
    organisation = db.session.get(Organisation, organisation_id)
    assert organisation is not None
    return f"{organisation.code.lower()}.example.org"
