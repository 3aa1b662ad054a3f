"""Booking several people onto one session at once (SPEC 3.4): see who would get a place and who would wait before
confirming, then book each in turn, so one refusal never stops the others (and is reported with its reason)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa

from ...extensions import db
from ...models import (
    AuditAction,
    Booking,
    ClaimCategory,
    CoverCategory,
    Organisation,
    OrganisationKind,
    Practitioner,
    TrainingSession,
    User,
    utcnow,
)
from ...models.webhooks import WebhookEvent
from ..accounts import audit
from ..claims.funds import cover_unit, get_fund, line_amount, rate_table
from ..common.calendar import financial_year_of
from ..webhooks.events import record_booking_event
from . import booking_mail
from .allocation import Allocation, allocate, permission_problem, place
from .booking_checks import BookingRefused, Eligibility
from .booking_needs import Needs
from .bookings import PlaceLedger, booking_made_values, lock_session

REFUSED = "refused"


@dataclass(frozen=True)
class GroupOutcome:
    """What booking one person did or would do: booked, waitlisted (with the position) or refused (why); `name` is
    the person's, read before the booking committed (so listing the outcomes asks nothing of the database)."""

    practitioner: Practitioner
    outcome: str
    position: int | None = None
    reason: str | None = None
    cover_pence: int | None = None  # for school staff: the supply cover attending would make claimable
    name: str = ""

    @property
    def refused(self) -> bool:
        return self.outcome == REFUSED


def preview_group_booking(
    session: TrainingSession, people: Sequence[Practitioner], by: User, now: datetime | None = None
) -> list[GroupOutcome]:
    """What booking these people in this order would do now, by the same step as booking; nothing is written."""
    now = now or utcnow()
    ledger = PlaceLedger([session], [person.id for person in people])
    eligibility = Eligibility.load(session, [person.id for person in people])
    outcomes = [_outcome(person, _allocate(session, person, by, ledger, eligibility, now)) for person in people]
    cover = cover_amounts(session, [o.practitioner for o in outcomes if not o.refused])
    return [replace(o, cover_pence=cover.get(o.practitioner.id)) if not o.refused else o for o in outcomes]


def cover_amounts(session: TrainingSession, people: Sequence[Practitioner]) -> dict[int, int]:
    """For each school teacher or teaching assistant, the supply cover (pence) that attending every day of the session
    would make claimable (SPEC 3.7): the rate card of the fund of each day's financial year; days in a year without
    a fund add nothing, and someone with nothing claimable is left out."""
    covered = {p.id: ClaimCategory(p.cover_category.value) for p in people if p.cover_category != CoverCategory.NONE}
    if not covered:
        return {}
    at_schools = set(
        db.session.scalars(
            sa.select(Practitioner.id)
            .join(Organisation, Organisation.id == Practitioner.organisation_id)
            .where(Practitioner.id.in_(list(covered)), Organisation.kind == OrganisationKind.SCHOOL)
        )
    )
    years = {financial_year_of(day.date) for day in session.days}
    rates = {year: rate_table(fund) for year in years if (fund := get_fund(year)) is not None}
    amounts: dict[int, int] = {}
    for person_id in at_schools:
        category = covered[person_id].value
        total = sum(
            line_amount(rates[financial_year_of(day.date)][category][cover_unit(day.minutes).value])
            for day in session.days
            if financial_year_of(day.date) in rates
        )
        if total:
            amounts[person_id] = total
    return amounts


def book_group(
    session: TrainingSession,
    people: Sequence[Practitioner],
    by: User,
    now: datetime | None = None,
    needs: Mapping[int, Needs] | None = None,
) -> list[GroupOutcome]:
    """Book each person in turn under one lock of the session, in one committed transaction, each with their answers
    to the booking questions from `needs` (by practitioner id, `booking_needs.read_needs`): those who can be are,
    and the rest say why not, one refusal never stopping the others (each booking is written in a savepoint, so a
    race the database refuses undoes only that one).

    What the rules read of the people (their active bookings, overlaps and prerequisites, their bookers' emails) is
    loaded for all of them at once, so each person adds only their own writes."""
    now = now or utcnow()
    locked = lock_session(session.id)
    ids = [person.id for person in people]
    ledger = PlaceLedger([locked], ids)
    eligibility = Eligibility.load(locked, ids)
    outcomes, booked = [], []
    for person in people:
        allocation = _allocate(locked, person, by, ledger, eligibility, now)
        booking = Booking(
            session_id=locked.id, practitioner_id=person.id, course_id=locked.course_id, booked_by_id=by.id
        )
        if needs and person.id in needs:
            needs[person.id].write_to(booking)
        if not allocation.refused:
            try:
                with db.session.begin_nested():
                    place(booking, allocation, locked)
            except BookingRefused as refused:
                allocation = Allocation(None, problems=(refused,))
        outcomes.append(_outcome(person, allocation))
        if not allocation.refused:
            booked.append(booking)
    for booking in booked:  # after the savepoints, so the audit events go in together
        audit.record(by, AuditAction.BOOKING_MADE, booking, new=booking_made_values(booking))
    record_booking_event(WebhookEvent.BOOKING_CREATED, booked)
    # Emails join this transaction (outgoing_mail) and go once it commits: never lost, never sent twice.
    booking_mail.tell_of_bookings(booked)
    db.session.commit()
    return outcomes


def _allocate(
    session: TrainingSession,
    person: Practitioner,
    by: User,
    ledger: PlaceLedger,
    eligibility: Eligibility,
    now: datetime,
) -> Allocation:
    """One person's allocation as book_place makes it: may this user book them, then the allocation step."""
    if problem := permission_problem(by, person, session):
        return Allocation(None, problems=(problem,))
    return allocate(session, person.id, ledger, eligibility, now)


def _outcome(person: Practitioner, allocation: Allocation) -> GroupOutcome:
    if allocation.refused:
        return GroupOutcome(person, REFUSED, reason=_reason(person, allocation.refusal), name=person.full_name)
    assert allocation.status is not None
    return GroupOutcome(person, allocation.status.value, position=allocation.position, name=person.full_name)


def _reason(person: Practitioner, refused: BookingRefused) -> str:
    """A refusal as one sentence about the person."""
    if refused.field == "practitioner":
        return f"{person.full_name} {refused.message}"
    return f"{person.full_name} cannot be booked: {refused.message}"
