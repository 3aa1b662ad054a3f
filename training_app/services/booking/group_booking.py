"""Booking several people onto one session at once (SPEC 3.4): see who would get a place and who would wait before
confirming, then book each in turn, so one refusal never stops the others (and is reported with its reason)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa

from ...extensions import db
from ...models import (
    BookingStatus,
    ClaimCategory,
    CoverCategory,
    Organisation,
    OrganisationKind,
    Practitioner,
    TrainingSession,
    User,
    utcnow,
)
from ..accounts.scope import can_book_for
from ..claims.funds import cover_unit, get_fund, line_amount, rate_table
from ..common.calendar import financial_year_of
from .booking_checks import BookingRefused, eligibility_problems
from .bookings import PlaceLedger, book_place

REFUSED = "refused"


@dataclass(frozen=True)
class GroupOutcome:
    """What booking one person did or would do: booked, waitlisted (with the position) or refused (why)."""

    practitioner: Practitioner
    outcome: str
    position: int | None = None
    reason: str | None = None
    cover_pence: int | None = None  # for school staff: the supply cover attending would make claimable

    @property
    def refused(self) -> bool:
        return self.outcome == REFUSED


def preview_group_booking(
    session: TrainingSession, people: Sequence[Practitioner], by: User, now: datetime | None = None
) -> list[GroupOutcome]:
    """What booking these people in this order would do now, by the same rules as booking; nothing is written."""
    now = now or utcnow()
    ledger = PlaceLedger([session], [person.id for person in people])
    outcomes = []
    for person in people:
        if not can_book_for(by, person):
            outcomes.append(GroupOutcome(person, REFUSED, reason=f"{person.full_name} is not one of your staff"))
            continue
        status = BookingStatus.BOOKED if ledger.has_place(session) else BookingStatus.WAITLISTED
        problems = eligibility_problems(session, person.id, now) + ledger.take(session, person.id, status)
        if problems:
            outcomes.append(GroupOutcome(person, REFUSED, reason=_reason(person, problems[0])))
        elif status == BookingStatus.WAITLISTED:
            outcomes.append(GroupOutcome(person, status.value, position=ledger.next_position(session.id)))
        else:
            outcomes.append(GroupOutcome(person, status.value))
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
    session: TrainingSession, people: Sequence[Practitioner], by: User, now: datetime | None = None
) -> list[GroupOutcome]:
    """Book each person in turn, each in its own transaction: those who can be are, and the rest say why not."""
    outcomes = []
    for person in people:
        try:
            booking = book_place(session, person, by, now=now)
        except BookingRefused as refused:
            outcomes.append(GroupOutcome(person, REFUSED, reason=_reason(person, refused)))
            continue
        outcomes.append(GroupOutcome(person, booking.status.value, position=booking.waitlist_position))
    return outcomes


def _reason(person: Practitioner, refused: BookingRefused) -> str:
    """A refusal as one sentence about the person."""
    if refused.field == "practitioner":
        return f"{person.full_name} {refused.message}"
    return f"{person.full_name} cannot be booked: {refused.message}"
