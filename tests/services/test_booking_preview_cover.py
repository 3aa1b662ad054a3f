"""The booking preview shows school staff the supply cover that attending would make claimable (SPEC 3.4, 3.7)."""

from __future__ import annotations

from datetime import date, time

import pytest

from tests.factories import make_organisation, make_practitioner, make_session, make_user
from training_app.extensions import db
from training_app.models import CoverCategory, OrganisationKind, Role
from training_app.services.booking.group_booking import cover_amounts
from training_app.services.claims.funds import FundSettings, set_fund

pytestmark = pytest.mark.usefixtures("app_ctx")


def test_cover_comes_from_the_fund_of_each_days_financial_year_for_school_teachers_and_assistants():
    school = make_organisation(kind=OrganisationKind.SCHOOL)
    teacher = make_practitioner(organisation=school, cover=CoverCategory.TEACHER)
    assistant = make_practitioner(organisation=school, cover=CoverCategory.TEACHING_ASSISTANT)
    governor = make_practitioner(organisation=school)
    nurse = make_practitioner(organisation=make_organisation(kind=OrganisationKind.HEALTH), cover=CoverCategory.TEACHER)
    # a full day on 31 March 2027 (financial year 2026) and a morning on 1 April 2027 (2027, no fund)
    session = make_session(days=(date(2027, 3, 31),), start=time(9, 0), end=time(16, 0))
    settings = FundSettings(amount_pence=1_000_000, scheme_start=date(2026, 4, 1), claim_deadline=date(2027, 4, 30))
    set_fund(2026, settings, make_user(Role.FINANCE))
    db.session.commit()

    amounts = cover_amounts(session, [teacher, assistant, governor, nurse])

    assert amounts == {teacher.id: 18000, assistant.id: 7000}  # the default rates for a day
    no_fund = make_session(days=(date(2027, 4, 1),), start=time(9, 0), end=time(12, 0))
    assert cover_amounts(no_fund, [teacher]) == {}
