"""Awareness sign-offs (SPEC 3.8): statuses, one record per service, scope, coverage and re-awareness dates."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.awareness_data import awareness_world, values
from tests.factories import make_user
from training_app.extensions import db
from training_app.models import AuditEvent, AwarenessSignOff, OrganisationKind, Role
from training_app.models.awareness import SignOffStatus
from training_app.services.accounts.scope import can_see_sign_off
from training_app.services.awareness import awareness, awareness_coverage, reawareness
from training_app.services.awareness.awareness import SignOffError, parse_completed
from training_app.services.common.calendar import DateProblem

pytestmark = pytest.mark.usefixtures("app_ctx")


def test_a_sign_off_is_recorded_with_its_authorities_and_audited():
    awareness_world()
    coordinator = make_user(Role.COORDINATOR)

    sign_off = awareness.record_sign_off(values(authority_codes=["LEICESTERSHIRE", "RUTLAND"]), actor=coordinator)

    db.session.expire_all()
    stored = db.session.get(AwarenessSignOff, sign_off.id)
    assert stored.status == SignOffStatus.SIGNED_OFF
    assert sorted(a.code for a in stored.authorities) == ["LEICESTERSHIRE", "RUTLAND"]
    assert stored.signed_off_by_id == coordinator.id
    assert awareness.completed_label(stored) == "October 2007"
    event = db.session.scalars(sa.select(AuditEvent).filter_by(action="awareness_sign_off_recorded")).one()
    assert event.new_value["service"] == "Probation Service" and event.actor == coordinator.email


def test_a_second_sign_off_for_the_same_service_is_refused_whatever_its_case():
    awareness_world()
    awareness.record_sign_off(values())

    with pytest.raises(SignOffError) as refused:
        awareness.record_sign_off(values(service="probation service"))

    assert "already has a sign-off" in refused.value.fields["service"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AwarenessSignOff)) == 1


def test_unknown_authorities_and_missing_contact_are_each_named():
    awareness_world()

    with pytest.raises(SignOffError) as refused:
        awareness.record_sign_off(values(authority_codes=["LEICESTERSHIRE", "DERBY"], contact_name=" "))

    assert refused.value.fields == {
        "contact_name": "Enter the named contact.",
        "authorities": "There is no authority with code DERBY.",
    }
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AwarenessSignOff)) == 0


def test_a_sign_off_moves_from_planned_to_delivered_to_signed_off():
    awareness_world()
    sign_off = awareness.record_sign_off(values(status=SignOffStatus.PLANNED))

    for status in (SignOffStatus.DELIVERED, SignOffStatus.SIGNED_OFF):
        awareness.change_sign_off(sign_off, values(status=status))
        assert db.session.get(AwarenessSignOff, sign_off.id).status == status

    changes = db.session.scalars(
        sa.select(AuditEvent).filter_by(action="awareness_sign_off_changed").order_by(AuditEvent.id)
    ).all()
    assert [(e.old_value["status"], e.new_value["status"]) for e in changes] == [
        ("planned", "delivered"),
        ("delivered", "signed_off"),
    ]


@pytest.mark.parametrize(
    ("text", "day", "month_only"),
    [
        ("2007-10", date(2007, 10, 31), True),
        ("2008-02", date(2008, 2, 29), True),
        ("2007-10-03", date(2007, 10, 3), False),
    ],
)
def test_completion_may_be_a_month_or_a_day(text, day, month_only):
    assert parse_completed(text) == (day, month_only)


@pytest.mark.parametrize("text", ["2007-13", "2007-00", "2007-02-30", "Oct-07", "1899-12", ""])
def test_impossible_months_and_dates_are_refused(text):
    with pytest.raises(DateProblem):
        parse_completed(text)


def test_a_workforce_lead_sees_only_sign_offs_covering_their_authorities():
    world = awareness_world()
    awareness.record_sign_off(values())
    awareness.record_sign_off(
        values(service="Rutland GPs", sector_kind=OrganisationKind.GP, authority_codes=["RUTLAND"])
    )
    lead = make_user(Role.WORKFORCE_LEAD, authorities=[world["rutland"]])

    seen = awareness.sign_offs(lead.authority_ids)

    assert [s.service for s in seen] == ["Rutland GPs"]
    everything = awareness.sign_offs()
    assert [can_see_sign_off(lead, s) for s in everything] == [False, True]
    assert all(can_see_sign_off(make_user(Role.COORDINATOR), s) for s in everything)
    assert not any(can_see_sign_off(make_user(Role.FINANCE), s) for s in everything)


def test_the_coverage_grid_shows_signed_off_delivered_and_missing_cells():
    awareness_world()
    awareness.record_sign_off(values(authority_codes=["LEICESTERSHIRE", "RUTLAND"]))
    awareness.record_sign_off(
        values(service="City Probation", authority_codes=["LEICESTER"], status=SignOffStatus.DELIVERED)
    )

    grid = awareness_coverage.coverage()

    assert [a.code for a in grid.authorities] == ["RUTLAND", "LEICESTERSHIRE", "LEICESTER"]
    rows = dict(grid.rows)
    rutland, shire, city = rows[OrganisationKind.PROBATION]
    assert (shire.status, shire.completed_on) == (SignOffStatus.SIGNED_OFF, date(2007, 10, 31))
    assert rutland.status == SignOffStatus.SIGNED_OFF
    assert city.status == SignOffStatus.DELIVERED
    assert all(cell.status is None for cell in rows[OrganisationKind.GP])
    assert OrganisationKind.SCHOOL not in rows  # not an awareness sector, nothing signed off


def test_a_lead_sees_only_their_authorities_in_the_coverage_grid():
    world = awareness_world()
    awareness.record_sign_off(values())

    grid = awareness_coverage.coverage({world["rutland"].id})

    assert [a.code for a in grid.authorities] == ["RUTLAND"]


def test_re_awareness_falls_due_after_the_renewal_period(app):
    awareness_world()
    sign_off = awareness.record_sign_off(values())
    versions = reawareness.current_versions()

    assert reawareness.reawareness_due_on(sign_off, versions, 36) == date(2010, 10, 31)
    assert reawareness.reawareness_due_on(sign_off, versions, 12) == date(2008, 10, 31)
    app.config["AWARENESS_RENEWAL_MONTHS"] = 24
    try:
        assert reawareness.reawareness_due_on(sign_off, versions) == date(2009, 10, 31)
    finally:
        app.config["AWARENESS_RENEWAL_MONTHS"] = 36


def test_re_awareness_falls_due_when_the_package_version_changes():
    awareness_world()
    old = awareness.record_sign_off(values())
    newer = awareness.record_sign_off(
        values(service="Adult Services Coalville", package_version="2008.1", completed_on=date(2008, 7, 31))
    )
    versions = reawareness.current_versions()

    assert reawareness.reawareness_due_on(old, versions, 36) == date(2008, 7, 31)
    assert reawareness.reawareness_due_on(newer, versions, 36) == date(2011, 7, 31)
    assert [(s.service, d) for s, d in reawareness.due_for_reawareness(date(2009, 1, 1), 36)] == [
        ("Probation Service", date(2008, 7, 31))
    ]


def test_planned_sign_offs_have_no_re_awareness_date():
    awareness_world()
    planned = awareness.record_sign_off(values(status=SignOffStatus.PLANNED))

    assert reawareness.reawareness_due_on(planned, reawareness.current_versions(), 36) is None


def test_an_organisation_can_be_marked_awareness_only_and_back():
    world = awareness_world()
    probation = world["probation"]

    awareness.set_awareness_only(probation, False)
    assert not probation.awareness_only
    awareness.set_awareness_only(probation, True)

    events = db.session.scalars(
        sa.select(AuditEvent).filter_by(action="awareness_only_set").order_by(AuditEvent.id)
    ).all()
    assert [(e.old_value, e.new_value) for e in events] == [(True, False), (False, True)]


def test_the_awareness_summary_counts_statuses_due_dates_and_presentations():
    awareness_world()
    awareness.record_sign_off(values())
    awareness.record_sign_off(values(service="Planned GPs", status=SignOffStatus.PLANNED))

    assert reawareness.awareness_summary(date(2010, 10, 30)) == reawareness.AwarenessSummary(1, 1, 0, 0, 0)
    assert reawareness.awareness_summary(date(2010, 10, 31)).due == 1
