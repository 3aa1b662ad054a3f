"""Charges for no-shows and late cancellations (SPEC 3.4), and their waivers: by a substitute who attended, or by a
coordinator with a reason, each audited."""

from __future__ import annotations

from datetime import date, time

import pytest
import sqlalchemy as sa

from tests.factories import make_booking, make_course, make_organisation, make_practitioner, make_session, make_user
from training_app.extensions import db
from training_app.models import AuditEvent, BookingStatus, Charge, ChargeReason, Role
from training_app.services.booking.charges import (
    SUBSTITUTE_ATTENDED,
    ChargeRefused,
    charge_no_show,
    charge_rows,
    waive_charge,
    waive_for_substitute,
)

pytestmark = pytest.mark.usefixtures("app_ctx")


@pytest.fixture
def no_show():
    course = make_course(code="CAF", charge_half_day_pence=2500, charge_day_pence=5000)
    school = make_organisation(code="SCH", name="Oak School")
    session = make_session(course=course, code="CAF-1", days=(date(2026, 3, 2), date(2026, 3, 3)))
    absent = make_practitioner(organisation=school, first_name="Abe", last_name="Sent")
    colleague = make_practitioner(organisation=school, first_name="Col", last_name="League")
    booking = make_booking(session, absent, BookingStatus.NO_SHOW)
    db.session.commit()
    return {"booking": booking, "colleague": colleague, "session": session, "school": school}


def test_a_no_show_is_charged_the_course_policy_once(no_show):
    first = charge_no_show(no_show["booking"])
    again = charge_no_show(no_show["booking"])
    db.session.commit()
    assert first.id == again.id
    assert (first.reason, first.amount_pence, first.waived_reason) == (ChargeReason.NO_SHOW, 10000, None)
    assert first.organisation_id == no_show["school"].id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Charge)) == 1


def test_a_half_day_session_charges_the_half_day_rate():
    session = make_session(course=make_course(), days=(date(2026, 3, 2),), start=time(9, 0), end=time(12, 30))
    booking = make_booking(session, make_practitioner(organisation=make_organisation()), BookingStatus.NO_SHOW)
    assert charge_no_show(booking).amount_pence == 2500


def test_a_no_show_whose_named_substitute_attended_is_waived_at_once(no_show):
    make_booking(no_show["session"], no_show["colleague"], BookingStatus.ATTENDED)
    no_show["booking"].substitute_id = no_show["colleague"].id
    charge = charge_no_show(no_show["booking"])
    assert charge.waived_reason == SUBSTITUTE_ATTENDED


def test_a_booker_names_the_colleague_who_attended_and_the_charge_is_waived(no_show):
    booker = make_user(Role.BOOKER, organisation=no_show["school"])
    charge = charge_no_show(no_show["booking"])
    db.session.commit()
    with pytest.raises(ChargeRefused, match="did not attend"):
        waive_for_substitute(charge, no_show["colleague"], booker)
    make_booking(no_show["session"], no_show["colleague"], BookingStatus.ATTENDED)
    waive_for_substitute(charge, no_show["colleague"], booker)
    assert charge.waived_reason == f"{SUBSTITUTE_ATTENDED}: Col League"
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "charge_waived")).scalar_one()
    assert event.user_id == booker.id


def test_another_organisations_booker_cannot_waive(no_show):
    stranger = make_user(Role.BOOKER, organisation=make_organisation())
    charge = charge_no_show(no_show["booking"])
    make_booking(no_show["session"], no_show["colleague"], BookingStatus.ATTENDED)
    with pytest.raises(ChargeRefused, match="not one of your organisation"):
        waive_for_substitute(charge, no_show["colleague"], stranger)


def test_a_coordinator_waives_with_a_reason_and_only_once(no_show):
    coordinator = make_user(Role.COORDINATOR)
    booker = make_user(Role.BOOKER, organisation=no_show["school"])
    charge = charge_no_show(no_show["booking"])
    with pytest.raises(ChargeRefused, match="Enter why"):
        waive_charge(charge, coordinator, "   ")
    with pytest.raises(ChargeRefused, match="only a coordinator"):
        waive_charge(charge, booker, "Snow")
    waive_charge(charge, coordinator, "Snow closed the roads")
    assert charge.waived_reason == "Snow closed the roads"
    with pytest.raises(ChargeRefused, match="already waived"):
        waive_charge(charge, coordinator, "Again")
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "charge_waived")).scalar_one()
    assert event.new_value == {"waived": True, "reason": "Snow closed the roads"}


def test_charge_rows_list_an_organisations_charges_in_one_query(no_show):
    other = make_booking(no_show["session"], make_practitioner(organisation=make_organisation()), BookingStatus.NO_SHOW)
    charge_no_show(no_show["booking"])
    charge_no_show(other)
    db.session.commit()
    rows = charge_rows(no_show["school"].id)
    assert [(r.practitioner, r.session_code, r.reason, r.amount_pence, r.payable_pence) for r in rows] == [
        ("Abe Sent", "CAF-1", "no_show", 10000, 10000)
    ]
    assert len(charge_rows()) == 2
    assert charge_rows(date_from=date(2026, 3, 3)) == []
