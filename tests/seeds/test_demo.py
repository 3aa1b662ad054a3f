"""`flask seed demo` loads the partnership of the source documents (SPEC 5), deterministically and quickly.

Tests that only read the demo share one copy (`shared_demo` in the conftest); a test that changes it seeds its own.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from seeds.users import DEMO_PASSWORD, DEMO_USERS
from tests.reference import TRAINED_BY_AREA_2008_08_31
from tests.seeds.helpers import empty_database, fingerprint, seed_demo
from tests.web.helpers import sign_in
from training_app.extensions import db
from training_app.models import (
    AttendanceMark,
    Authority,
    AwarenessPresentation,
    AwarenessSignOff,
    Booking,
    BookingStatus,
    Certificate,
    Claim,
    ClaimLine,
    ClaimStatus,
    Course,
    CoverCategory,
    Fund,
    MarkStatus,
    Organisation,
    OrganisationKind,
    Pathway,
    Practitioner,
    Role,
    SessionDay,
    SessionStatus,
    TrainingRecord,
    TrainingSession,
    User,
)
from training_app.models.people import practitioner_authorities
from training_app.services.attendance.records import certificate_number, expiry_for
from training_app.services.booking.places import NO_BOOKINGS, places_by_session
from training_app.services.reporting.counting import AreaRow, trained_by_area
from training_app.services.reporting.report_rows import still_to_train
from training_app.services.workforce.in_post import in_post_on


@pytest.fixture
def seeded(shared_demo):
    """The demo, loaded once for the tests here that only read it."""
    return shared_demo


def scalar(query):
    return db.session.execute(query).scalar_one()


def test_the_demo_reproduces_the_partnerships_trained_by_area_table(seeded):
    assert trained_by_area(date(2008, 8, 31)) == [AreaRow(*row) for row in TRAINED_BY_AREA_2008_08_31]
    assert "practitioners: 2348" in seeded.output  # the history's 2,346 and the live joiner and leaver


def test_the_as_of_date_matters_because_people_were_trained_before_and_after_it(seeded):
    september = {row.label: row.trained for row in trained_by_area(date(2008, 9, 30))}
    first_phase = {row.label: row.trained for row in trained_by_area(date(2007, 7, 31))}

    assert september["Total Number Trained"] > 1764
    assert 0 < first_phase["Total Number Trained"] < 1764
    assert scalar(sa.select(sa.func.max(TrainingRecord.completed_on))) > date(2008, 8, 31)


def test_places_people_and_courses_cover_what_the_documents_describe(seeded):
    authorities = db.session.execute(
        sa.select(Authority.code, Authority.partner, Authority.display_order).order_by(Authority.display_order)
    ).all()
    assert [tuple(a) for a in authorities] == [
        ("RUTLAND", True, 1),
        ("LEICESTERSHIRE", True, 2),
        ("LEICESTER", True, 3),
        ("NOTTINGHAM", False, 4),
    ]
    kinds = set(db.session.execute(sa.select(Organisation.kind).distinct()).scalars())
    assert kinds == set(OrganisationKind)
    awareness_kinds = db.session.execute(sa.select(Organisation.kind).where(Organisation.awareness_only)).scalars()
    assert {"probation", "prison", "adult_services", "gp"} <= set(awareness_kinds)
    assert scalar(sa.select(sa.func.count()).where(Organisation.urn.is_not(None), Organisation.pupils > 0)) > 100
    caf = db.session.execute(sa.select(Course).filter_by(counts_as_trained=True)).scalar_one()
    assert (caf.kind, caf.validity_months) == ("caf_practitioner", 36)
    lead = db.session.execute(sa.select(Course).filter_by(kind="lead_professional")).scalar_one()
    assert lead.prerequisites == [caf]
    assert scalar(sa.select(sa.func.count(Pathway.id))) == 5
    covers = set(db.session.execute(sa.select(Practitioner.cover_category).distinct()).scalars())
    assert covers == set(CoverCategory)


def test_about_three_hundred_leicestershire_practitioners_still_need_training(seeded):
    county = scalar(sa.select(Authority.id).filter_by(code="LEICESTERSHIRE"))
    trained = sa.select(TrainingRecord.practitioner_id).join(Course).where(Course.counts_as_trained.is_(True))
    untrained = scalar(
        sa.select(sa.func.count(Practitioner.id))
        .join(Organisation, Organisation.id == Practitioner.organisation_id)
        .where(Practitioner.authority_key == str(county), Practitioner.id.not_in(trained))
        .where(Organisation.awareness_only.is_(False))
        .where(in_post_on(date(2008, 8, 31)))  # the history's staff; the live joiner came in 2026 (SPEC 3.1)
    )
    assert untrained == 300
    aware_staff = scalar(
        sa.select(sa.func.count())
        .select_from(Practitioner)
        .join(Organisation)
        .where(Organisation.awareness_only.is_(True))
    )
    assert aware_staff > 0


def test_every_booking_record_and_key_is_consistent(seeded):
    keys = db.session.execute(
        sa.select(Practitioner.authority_key, sa.func.count(practitioner_authorities.c.authority_id))
        .join(practitioner_authorities)
        .group_by(Practitioner.id, Practitioner.authority_key)
    ).all()
    assert all(len(key.split(",")) == count for key, count in keys)
    sessions = db.session.execute(sa.select(TrainingSession.id, TrainingSession.capacity)).all()
    places = places_by_session(session_id for session_id, _ in sessions)
    assert all(places.get(session_id, NO_BOOKINGS).taken <= capacity for session_id, capacity in sessions)
    assert sum(p.taken for p in places.values()) == scalar(
        sa.select(sa.func.count()).where(
            Booking.status.notin_(
                ["waitlisted", "cancelled", "late_cancelled", "requested", "declined", "offer_declined", "offer_lapsed"]
            )
        )
    )
    positions = db.session.execute(
        sa.select(
            Booking.session_id,
            sa.func.min(Booking.waitlist_position),
            sa.func.max(Booking.waitlist_position),
            sa.func.count(),
        )
        .where(Booking.status == BookingStatus.WAITLISTED)
        .group_by(Booking.session_id)
    ).all()
    assert positions and all((low, high) == (1, n) for _, low, high, n in positions)
    mismatched = scalar(
        sa.select(sa.func.count())
        .select_from(Booking)
        .join(TrainingSession)
        .where(Booking.course_id != TrainingSession.course_id)
    )
    assert mismatched == 0
    attended = scalar(sa.select(sa.func.count()).where(Booking.status == BookingStatus.ATTENDED))
    assert scalar(sa.select(sa.func.count(Certificate.id))) == attended
    marks = scalar(
        sa.select(sa.func.count())
        .select_from(AttendanceMark)
        .join(Booking)
        .where(Booking.status == BookingStatus.ATTENDED, AttendanceMark.status == MarkStatus.ATTENDED)
    )
    attended_days = scalar(
        sa.select(sa.func.count())
        .select_from(Booking)
        .join(SessionDay, SessionDay.session_id == Booking.session_id)
        .where(Booking.status == BookingStatus.ATTENDED)
    )
    assert marks == attended_days
    statuses = set(db.session.execute(sa.select(TrainingSession.status).distinct()).scalars())
    assert statuses == set(SessionStatus)
    day_lengths = {day.is_half_day for day in db.session.execute(sa.select(SessionDay)).scalars()}
    assert day_lengths == {True, False}


def test_appendix_b_sign_offs_and_the_awareness_presentations(seeded):
    sign_offs = db.session.execute(
        sa.select(AwarenessSignOff.service, AwarenessSignOff.contact_name, AwarenessSignOff.completed_on)
    ).all()
    by_service = {service: (contact, day) for service, contact, day in sign_offs}
    assert len(by_service) == 10
    assert by_service["Probation Service"] == ("Martin Curran", date(2007, 10, 31))
    assert by_service["Citizens Advice"] == ("Sue Julkes", date(2007, 11, 30))
    assert by_service["Adult Services Loughborough"] == ("Fiona Campbell", date(2008, 7, 31))
    gps = db.session.execute(sa.select(AwarenessSignOff).filter_by(service="GPs")).scalar_one()
    assert gps.contact_name == "All Practices in Leicestershire and Rutland"
    assert {a.code for a in gps.authorities} == {"LEICESTERSHIRE", "RUTLAND"}
    count, people = db.session.execute(
        sa.select(sa.func.count(AwarenessPresentation.id), sa.func.sum(AwarenessPresentation.headcount))
    ).one()
    assert (count, people) == (650, 10_000)


def test_the_supply_cover_fund_and_claims_in_every_state(seeded):
    fund = db.session.execute(sa.select(Fund).filter_by(financial_year=2007)).scalar_one()
    assert (fund.financial_year, fund.amount_pence) == (2007, 15_400_000)
    assert (fund.scheme_start, fund.claim_deadline) == (date(2007, 12, 11), date(2008, 4, 30))
    assert {(r.category, r.unit): r.amount_pence for r in fund.rates}[("teacher", "day")] == 18000
    contributions = {c.contributor: c.amount_pence for c in fund.contributions}
    assert sum(contributions.values()) == 38_100_000
    assert contributions["Schools (Dedicated Schools Grant)"] == 23_600_000
    claims = db.session.execute(sa.select(Claim).filter_by(fund_id=fund.id)).scalars().all()
    assert {c.status for c in claims} == set(ClaimStatus)
    for claim in claims:
        assert claim.lines and claim.organisation.kind == OrganisationKind.SCHOOL
        assert all(line.live == (claim.status != ClaimStatus.REJECTED) for line in claim.lines)
        for line in claim.lines:
            assert line.practitioner.organisation_id == claim.organisation_id
            assert line.attendance_mark.status == MarkStatus.ATTENDED
            assert line.retrospective == (line.session_day.date < fund.scheme_start)
            assert line.unit == ("half_day" if line.session_day.is_half_day else "day")
            expected = min(line.rate_pence, line.evidence_amount_pence or line.rate_pence)
            assert line.amount_pence == expected
    twice = db.session.execute(
        sa.select(ClaimLine.attendance_mark_id)
        .where(ClaimLine.live)
        .group_by(ClaimLine.attendance_mark_id)
        .having(sa.func.count() > 1)
    ).all()
    assert twice == []
    assert any(line.retrospective for claim in claims for line in claim.lines)


def test_one_demo_user_per_role_signs_in_with_the_demo_password(seeded):
    users = {u.email: u for u in db.session.execute(sa.select(User)).scalars()}
    assert {u.role for u in users.values()} == set(Role)
    assert all(u.check_password("demo-password") for u in users.values())
    booker = users["booker@demo.test"]
    assert booker.organisation.kind == OrganisationKind.SCHOOL
    assert db.session.execute(sa.select(Claim).filter_by(organisation_id=booker.organisation_id)).first()
    assert [a.code for a in users["lead@demo.test"].authorities] == ["LEICESTERSHIRE"]
    practitioner = users["practitioner@demo.test"].practitioner
    assert practitioner is not None
    assert db.session.execute(sa.select(TrainingRecord).filter_by(practitioner_id=practitioner.id)).first()


def test_it_refuses_to_seed_twice_and_seeds_the_same_data_every_time(app, app_ctx):
    assert seed_demo(app).exit_code == 0
    first = fingerprint()
    practitioners = scalar(sa.select(sa.func.count(Practitioner.id)))

    again = seed_demo(app)

    assert again.exit_code == 1
    assert "already holds authorities" in again.output
    assert "Traceback" not in again.output
    assert scalar(sa.select(sa.func.count(Practitioner.id))) == practitioners

    skipped = app.test_cli_runner().invoke(args=["seed", "demo", "--if-empty"])
    assert skipped.exit_code == 0 and "not loaded again" in skipped.output
    assert scalar(sa.select(sa.func.count(Practitioner.id))) == practitioners

    empty_database()
    assert seed_demo(app).exit_code == 0
    assert fingerprint() == first


def test_every_demo_user_signs_in_through_the_form_and_sees_their_dashboard(app):
    # No app context of the test's own here: requests must not share `g` (and its signed-in user).
    assert seed_demo(app).exit_code == 0
    for email, _role, _name, _scope in DEMO_USERS:
        client = app.test_client()
        response = sign_in(client, email, DEMO_PASSWORD)
        assert response.status_code == 302, f"{email} could not sign in"
        dashboard = client.get("/")
        assert dashboard.status_code == 200
        assert email in dashboard.get_data(as_text=True)


def test_three_hundred_leicestershire_practitioners_still_require_caf_training_in_september_2009(seeded):
    # Report 001 (4 September 2009): "Currently 300 Leicestershire practitioners are requiring CAF training".
    rows = {row.label: row.count for row in still_to_train(date(2009, 9, 4))}
    assert rows["Leicestershire"] == 300
    before_the_autumn_sessions = {row.label: row.count for row in still_to_train(date(2008, 8, 31))}
    assert before_the_autumn_sessions["Leicestershire"] > 300


def test_demo_certificates_and_expiry_dates_follow_the_products_rules(seeded):
    rows = db.session.execute(
        sa.select(Certificate.number, TrainingRecord.id, TrainingRecord.completed_on, TrainingRecord.expires_on, Course)
        .join(TrainingRecord, TrainingRecord.id == Certificate.training_record_id)
        .join(Course, Course.id == TrainingRecord.course_id)
    ).all()
    assert rows
    assert all(number == certificate_number(record_id) for number, record_id, *_ in rows)
    assert all(expires == expiry_for(done, course.validity_months) for _, _, done, expires, course in rows)
