"""The booking page's preview names the supply cover a school teacher's attendance makes claimable (SPEC 3.4)."""

from __future__ import annotations

from datetime import date, timedelta

from tests.conftest import csrf_token_from
from tests.factories import make_organisation, make_practitioner, make_session, make_user
from tests.web.helpers import signed_in
from training_app.extensions import db
from training_app.models import CoverCategory, OrganisationKind, Role
from training_app.services.claims.funds import FundSettings, set_fund
from training_app.services.common.calendar import financial_year_of, london_today


def test_the_preview_shows_the_cover_claimable_for_a_teacher(app, client):
    day = london_today() + timedelta(days=28)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    with app.app_context():
        school = make_organisation(kind=OrganisationKind.SCHOOL, code="PINE")
        teacher = make_practitioner(organisation=school, cover=CoverCategory.TEACHER, first_name="Tia").id
        make_session(code="COVER-1", days=(day,))
        year = financial_year_of(day)
        settings = FundSettings(1_000_000, date(year, 4, 1), date(year + 1, 4, 30))
        set_fund(year, settings, make_user(Role.FINANCE))
        booker = make_user(Role.BOOKER, organisation=school).email
        db.session.commit()
    signed_in(client, booker)
    token = csrf_token_from(client.get("/bookings/new/COVER-1").get_data(as_text=True))
    preview = client.post("/bookings/new/COVER-1", data={"csrf_token": token, "staff": [teacher], "check": "1"})
    assert "Attending makes £180.00 of supply cover claimable" in preview.get_data(as_text=True)
