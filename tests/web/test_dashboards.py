"""Each role's dashboard: its heading and figures from the database, scoped to the user."""

from datetime import date, time, timedelta

import pytest

from tests.factories import (
    make_authority,
    make_booking,
    make_course,
    make_organisation,
    make_practitioner,
    make_record,
    make_session,
    make_user,
    make_venue,
)
from tests.web.helpers import h1_of, signed_in, title_of
from training_app.extensions import db
from training_app.models import (
    AttendanceMark,
    BookingStatus,
    Claim,
    ClaimCategory,
    ClaimLine,
    ClaimStatus,
    CoverCategory,
    CoverUnit,
    Fund,
    MarkStatus,
    Role,
    SessionStatus,
    utcnow,
)
from training_app.services.common.calendar import london_today
from training_app.services.sessions.sessions_query import SessionFilters, list_sessions


@pytest.fixture
def dashboard_for(app, client):
    """Sign in as the user the given builder makes (inside an app context) and return the dashboard page."""

    def fetch(build):
        with app.app_context():
            email = build().email
            db.session.commit()
        signed_in(client, email)
        response = client.get("/")
        assert response.status_code == 200
        return response, response.get_data(as_text=True)

    return fetch


def test_admin_sees_counts_of_users_and_records(dashboard_for):
    def build():
        organisation = make_organisation()
        for _ in range(2):  # added seven years ago
            make_practitioner(organisation=organisation, created_at=utcnow() - timedelta(days=7 * 366))
        make_practitioner(organisation=organisation)  # added just now
        make_user(Role.COORDINATOR)
        make_user(Role.COORDINATOR)
        return make_user(Role.ADMIN)

    response, page = dashboard_for(build)

    assert h1_of(response) == "Administration"
    assert title_of(response) == "Administration – Children's workforce training"
    assert '<span class="app-figure">3</span> practitioners' in page
    assert '<span class="app-figure">1</span> organisations' in page
    assert 'Coordinator</th>\n          <td class="govuk-table__cell govuk-table__cell--numeric">2</td>' in page
    # None of the three has booked or trained: the two added seven years ago are offered for anonymising under
    # the 6-year default, the one added just now is not.
    assert "2 practitioners with no activity for 6 years, to anonymise" in page


def test_coordinator_sees_the_next_scheduled_sessions_with_places_booked(dashboard_for):
    def build():
        soon = london_today() + timedelta(days=7)
        session = make_session(
            code="CAF-NEXT", days=(soon,), capacity=20, venue=make_venue(name="Council House"), start=time(9, 30)
        )
        for _ in range(2):
            make_booking(session, make_practitioner())
        make_booking(session, make_practitioner(), BookingStatus.WAITLISTED, position=1)
        make_session(code="CAF-PAST", days=(london_today() - timedelta(days=3),))
        make_session(code="CAF-CANCELLED", days=(soon,), status=SessionStatus.CANCELLED)
        return make_user(Role.COORDINATOR)

    response, page = dashboard_for(build)

    assert h1_of(response) == "Training coordination"
    assert "CAF-NEXT" in page
    assert "2 of 20" in page
    assert "Council House" in page
    soon = london_today() + timedelta(days=7)
    assert f"{soon.day} {soon:%B %Y}, 9:30am" in page
    assert "CAF-PAST" not in page
    assert "CAF-CANCELLED" not in page


def test_coordinator_counts_places_as_the_api_does_on_a_session_running_today(app, dashboard_for):
    def build():
        session = make_session(code="CAF-TODAY", days=(london_today(),), capacity=12)
        make_booking(session, make_practitioner())
        make_booking(session, make_practitioner(), BookingStatus.ATTENDED)  # marked on the register this morning
        make_booking(session, make_practitioner(), BookingStatus.CANCELLED)
        return make_user(Role.COORDINATOR)

    _, page = dashboard_for(build)

    with app.app_context():
        listed = {s.code: s for s in list_sessions(SessionFilters())}
    assert listed["CAF-TODAY"].booked == 2
    assert "2 of 12" in page


def test_booker_sees_only_their_own_organisation(dashboard_for):
    def build():
        school = make_organisation(name="Hope Valley Primary")
        other = make_organisation(name="Elsewhere Academy")
        staff = [make_practitioner(organisation=school, first_name="Sam", last_name=f"Teacher{n}") for n in range(2)]
        session = make_session(course=make_course(title="CAF assessment"), days=(london_today() + timedelta(days=3),))
        make_booking(session, staff[0])
        make_booking(session, make_practitioner(organisation=other, first_name="Outsider", last_name="Person"))
        return make_user(Role.BOOKER, organisation=school)

    response, page = dashboard_for(build)

    assert h1_of(response) == "Your organisation’s training"
    assert "Hope Valley Primary" in page
    assert '<span class="app-figure">2</span> staff on your list' in page
    assert "Sam Teacher0" in page
    assert "CAF assessment" in page
    assert "Outsider" not in page
    assert "Elsewhere Academy" not in page


def test_workforce_lead_sees_practitioners_in_their_authorities_only(dashboard_for):
    def build():
        rutland = make_authority(code="RUTLAND", name="Rutland")
        leicester = make_authority(code="LEICESTER", name="Leicester")
        nottingham = make_authority(code="NOTTINGHAM", name="Nottingham", partner=False)
        organisation = make_organisation(authority=rutland)
        make_practitioner(organisation=organisation, authorities=[rutland])
        make_practitioner(organisation=organisation, authorities=[rutland, leicester])
        make_practitioner(organisation=organisation, authorities=[nottingham])
        return make_user(Role.WORKFORCE_LEAD, authorities=[rutland, leicester])

    response, page = dashboard_for(build)

    assert h1_of(response) == "Workforce in your authorities"
    assert 'Rutland</th>\n          <td class="govuk-table__cell govuk-table__cell--numeric">2</td>' in page
    assert 'Leicester</th>\n          <td class="govuk-table__cell govuk-table__cell--numeric">1</td>' in page
    assert "Nottingham" not in page


def test_finance_sees_funds_in_pounds_and_claims_by_status(dashboard_for):
    def build():
        fund = Fund(
            financial_year=2007,
            amount_pence=15_400_000,
            scheme_start=date(2007, 9, 1),
            claim_deadline=date(2008, 4, 30),
        )
        school = make_organisation(name="Hope Valley Primary")
        teacher = make_practitioner(organisation=school, cover=CoverCategory.TEACHER)
        session = make_session(days=(date(2007, 10, 3),))
        mark = AttendanceMark(
            booking=make_booking(session, teacher, BookingStatus.ATTENDED),
            session_day=session.days[0],
            status=MarkStatus.ATTENDED,
        )
        claim = Claim(organisation=school, fund=fund, status=ClaimStatus.SUBMITTED)
        claim.lines = [
            ClaimLine(
                attendance_mark=mark,
                practitioner=teacher,
                session_day=session.days[0],
                category=ClaimCategory.TEACHER,
                unit=CoverUnit.DAY,
                rate_pence=18_000,
                amount_pence=18_000,
            )
        ]
        db.session.add_all([fund, mark, claim, Claim(organisation=school, fund=fund, status=ClaimStatus.SUBMITTED)])
        return make_user(Role.FINANCE)

    response, page = dashboard_for(build)

    assert h1_of(response) == "Supply-cover funds and claims"
    assert "2007-08" in page
    assert "£154,000.00" in page
    assert "1 September 2007" in page
    assert (
        'Submitted</th>\n          <td class="govuk-table__cell govuk-table__cell--numeric" data-label="Claims"><a '
        'class="govuk-link" href="/claims?status=submitted">2<span class="govuk-visually-hidden"> submitted claims'
        '</span></a></td>\n          <td class="govuk-table__cell govuk-table__cell--numeric" '
        'data-label="Amount claimed">£180.00</td>'
    ) in page


def test_practitioner_sees_their_own_bookings_and_records(dashboard_for):
    def build():
        me = make_practitioner(first_name="Jo", last_name="Bloggs")
        someone_else = make_practitioner(first_name="Not", last_name="Me")
        session = make_session(
            course=make_course(title="Lead Professional"),
            code="LP-2026-001",
            days=(london_today() + timedelta(days=10),),
        )
        make_booking(session, me, BookingStatus.WAITLISTED, position=3)
        make_booking(session, someone_else)
        make_record(me, make_course(title="CAF awareness"), date(2008, 3, 14), expires_on=date(2011, 3, 14))
        return make_user(Role.PRACTITIONER, practitioner=me)

    response, page = dashboard_for(build)

    assert h1_of(response) == "Your training"
    assert "Jo Bloggs" in page
    assert "LP-2026-001" in page
    assert "Waitlisted (number 3 on the waiting list)" in page
    assert "CAF awareness" in page
    assert "14 March 2008" in page
    assert "14 March 2011" in page
    assert "Not Me" not in page


def test_practitioner_account_without_a_record_is_told_so(dashboard_for):
    response, page = dashboard_for(lambda: make_user(Role.PRACTITIONER))

    assert h1_of(response) == "Your training"
    assert "not linked to a practitioner record" in page
