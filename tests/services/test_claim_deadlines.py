"""Claim deadlines (SPEC 3.7): a claim is submitted by its fund's deadline, or by finance's extension for that school;
only finance extend, with a date and a reason, audited. Days are London's: the clock is frozen around a deadline."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
import time_machine

from training_app.extensions import db
from training_app.models import AuditEvent, ClaimDeadlineExtension, ClaimStatus, CoverCategory, OrganisationKind, Role
from training_app.services.accounts.audit_labels import audit_entries
from training_app.services.claims import claim_decisions, claims, deadlines
from training_app.services.claims.claims import ClaimRefused, Refusal
from training_app.services.claims.deadlines import ExtensionRefused

from ..factories import make_attendance, make_fund, make_organisation, make_practitioner, make_user

DEADLINE = date(2008, 4, 30)


def at(day: date, hour: int = 12):
    """The clock stopped at noon UTC on that day (in spring, 1 pm in London: the same London day)."""
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC), tick=False)


@pytest.fixture
def world(app_ctx):
    school = make_organisation(kind=OrganisationKind.SCHOOL, code="SCH-A", name="Alpha Primary")
    other = make_organisation(kind=OrganisationKind.SCHOOL, code="SCH-B", name="Beta Primary")
    fund = make_fund(2007, scheme_start=date(2007, 9, 1), claim_deadline=DEADLINE)
    teacher = make_practitioner(school, email="t@alpha.example", cover=CoverCategory.TEACHER)
    make_attendance(teacher, [date(2007, 10, 10)])
    booker = make_user(Role.BOOKER, organisation=school, email="bursar@alpha.example")
    finance = make_user(Role.FINANCE, email="finance@council.example")
    db.session.commit()
    with at(date(2007, 11, 1)):
        draft = claims.create_claim(school, fund, booker).claim
    return {"school": school, "other": other, "fund": fund, "booker": booker, "finance": finance, "claim": draft}


def submitted(world) -> bool:
    db.session.expire_all()
    return db.session.get(type(world["claim"]), world["claim"].id).status == ClaimStatus.SUBMITTED


def test_a_claim_is_submitted_on_its_deadline_day(world):
    with at(DEADLINE):
        claim_decisions.submit_claim(world["claim"], world["booker"])
    assert submitted(world)


def test_after_the_deadline_submitting_is_refused_and_nothing_changes(world):
    with at(date(2008, 5, 1)), pytest.raises(ClaimRefused) as refused:
        claim_decisions.submit_claim(world["claim"], world["booker"])
    assert refused.value.kind == Refusal.CONFLICT
    assert refused.value.message == (
        "The 2007-08 claim deadline for Alpha Primary was 30 April 2008, so the claim cannot be submitted. "
        "Ask finance to extend the school's deadline."
    )
    db.session.rollback()
    assert not submitted(world)
    assert db.session.scalars(sa.select(AuditEvent.action).filter_by(action="claim_submitted")).all() == []


def test_after_the_deadline_no_claim_is_started_and_nothing_is_written(world):
    db.session.delete(world["claim"])
    db.session.commit()
    with at(date(2008, 5, 1)), pytest.raises(ClaimRefused) as refused:
        claims.create_claim(world["school"], world["fund"], world["booker"])
    assert refused.value.kind == Refusal.CONFLICT
    assert refused.value.message == (
        "The 2007-08 claim deadline for Alpha Primary was 30 April 2008, so no claim can be started. "
        "Ask finance to extend the school's deadline."
    )
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(type(world["claim"]))) == 0


def test_with_an_extension_a_claim_is_started_after_the_fund_s_deadline(world):
    db.session.delete(world["claim"])
    db.session.commit()
    with at(date(2008, 5, 2)):
        deadlines.grant_extension(world["fund"], world["school"], date(2008, 5, 31), "Late invoices", world["finance"])
        made = claims.create_claim(world["school"], world["fund"], world["booker"])
    assert made.claim.status == ClaimStatus.DRAFT
    assert [line.session_day.date for line in made.claim.lines] == [date(2007, 10, 10)]


def test_with_an_extension_the_school_submits_until_the_extended_date(world):
    with at(date(2008, 5, 2)):
        extension, created = deadlines.grant_extension(
            world["fund"], world["school"], date(2008, 5, 31), "Invoices lost in the post", world["finance"]
        )
    assert created and (extension.extended_to, extension.granted_by_id) == (date(2008, 5, 31), world["finance"].id)
    with at(date(2008, 5, 31)):
        claim_decisions.submit_claim(world["claim"], world["booker"])
    assert submitted(world)


def test_after_the_extended_date_submitting_is_refused_again(world):
    with at(date(2008, 5, 2)):
        deadlines.grant_extension(world["fund"], world["school"], date(2008, 5, 31), "Late invoices", world["finance"])
    with at(date(2008, 6, 1)), pytest.raises(ClaimRefused, match="was extended to 31 May 2008, which has passed"):
        claim_decisions.submit_claim(world["claim"], world["booker"])
    db.session.rollback()
    assert not submitted(world)


def test_an_extension_is_for_one_school_only(world):
    with at(date(2008, 5, 2)):
        deadlines.grant_extension(world["fund"], world["other"], date(2008, 5, 31), "Head was away", world["finance"])
        with pytest.raises(ClaimRefused, match="30 April 2008"):
            claim_decisions.submit_claim(world["claim"], world["booker"])


@pytest.mark.parametrize("role", [Role.BOOKER, Role.ADMIN, Role.COORDINATOR])
def test_only_finance_extend_a_deadline(world, role):
    user = world["booker"] if role == Role.BOOKER else make_user(role, email=f"{role.value}@council.example")
    with at(date(2008, 5, 2)), pytest.raises(ExtensionRefused) as refused:
        deadlines.grant_extension(world["fund"], world["school"], date(2008, 5, 31), "Please", user)
    assert refused.value.forbidden
    assert db.session.scalars(sa.select(ClaimDeadlineExtension)).all() == []


def test_changing_an_extension_keeps_one_row_and_audits_old_and_new(world):
    fund, school, finance = world["fund"], world["school"], world["finance"]
    with at(date(2008, 5, 2)):
        deadlines.grant_extension(fund, school, date(2008, 5, 31), "Late invoices", finance)
        _, created = deadlines.grant_extension(fund, school, date(2008, 6, 30), "Still waiting for the agency", finance)
    assert not created
    held = db.session.scalars(sa.select(ClaimDeadlineExtension)).one()
    assert (held.extended_to, held.reason) == (date(2008, 6, 30), "Still waiting for the agency")
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action.like("claim_deadline%")).order_by(AuditEvent.id)
    ).all()
    assert [event.action for event in events] == ["claim_deadline_extended", "claim_deadline_extension_changed"]
    assert events[1].old_value["extended_to"] == "2008-05-31" and events[1].new_value["extended_to"] == "2008-06-30"
    assert events[1].actor == "finance@council.example"
    named = audit_entries(events)  # as the audit log shows them
    assert named[1].record == "Claim deadline extension: Alpha Primary, 2007 to 2008"


@pytest.mark.parametrize(
    ("extended_to", "reason", "field", "message"),
    [
        (date(2008, 4, 30), "Late", "extended_to", "The new deadline must be after the fund's, 30 April 2008"),
        (date(2008, 5, 1), "Late", "extended_to", "The new deadline must be today or later"),
        (date(2008, 5, 31), "  ", "reason", "Enter the reason for the extension, at most 1000 characters"),
        (date(2008, 5, 31), "x" * 1001, "reason", "Enter the reason for the extension, at most 1000 characters"),
        (
            date(2008, 5, 31),
            "bad\x07bell",
            "reason",
            "The reason must not contain control characters (it contains U+0007)",
        ),
    ],
)
def test_a_bad_extension_is_refused_with_its_field_and_nothing_saved(world, extended_to, reason, field, message):
    with at(date(2008, 5, 2)), pytest.raises(ExtensionRefused) as refused:
        deadlines.grant_extension(world["fund"], world["school"], extended_to, reason, world["finance"])
    assert refused.value.fields == {field: message}
    assert db.session.scalars(sa.select(ClaimDeadlineExtension)).all() == []


def test_a_deadline_day_is_london_s(world):
    # 23:30 UTC on 30 April 2008 is already 1 May in London (BST): the deadline has passed.
    with at(DEADLINE, hour=23), pytest.raises(ClaimRefused, match="30 April 2008"):
        claim_decisions.submit_claim(world["claim"], world["booker"])
