"""Whose data a user may see: one answer for pages, the API, workbook downloads and exports."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from ...extensions import db
from ...models import AwarenessSignOff, Booking, Charge, Practitioner, Role, TrainingSession, User
from ..common.batches import in_chunks

# Staff run the whole programme and see every record; the other roles are scoped (SPEC 2).
STAFF_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR})


def is_staff(user: User) -> bool:
    """Whether a user runs the programme (an administrator or a coordinator)."""
    return user.role in STAFF_ROLES


def report_scope(user: User) -> set[int] | None:
    """The ids of the authorities a workforce lead may see in reports; None (everything) for other readers."""
    return user.authority_ids if user.role == Role.WORKFORCE_LEAD else None


def organisation_scope(user: User) -> int | None:
    """The organisation a booker books and sees for; None for everyone else."""
    return user.organisation_id if user.role == Role.BOOKER else None


def acts_for(user: User, organisation_id: int | None) -> bool:
    """Whether the user is a booker of this organisation (who books, decides requests and claims for its staff)."""
    return organisation_id is not None and organisation_scope(user) == organisation_id


def staff_in_organisation_scope(user: User) -> sa.ColumnElement[bool] | None:
    """The SQL beside `organisation_scope`: a booker's own organisation's practitioners; None (no filter) otherwise."""
    scope = organisation_scope(user)
    return None if scope is None else Practitioner.organisation_id == scope


def within_organisation_scope(user: User, organisation_id: int | None) -> bool:
    """Whether a record of this organisation is within the user's organisation scope (always, but for a booker
    of another organisation)."""
    scope = organisation_scope(user)
    return scope is None or scope == organisation_id


def may_see_charge(user: User, charge: Charge) -> bool:
    """A charge is seen by staff and by its organisation's bookers (the routes say who else may open the page)."""
    return within_organisation_scope(user, charge.organisation_id)


def can_see_practitioner(user: User, practitioner: Practitioner) -> bool:
    """Whether a user may see a practitioner's record: staff see everyone, a booker their organisation's staff,
    a workforce lead people who work for one of their authorities, a practitioner themself; finance nobody."""
    if is_staff(user):
        return True
    if user.role == Role.BOOKER:
        return user.organisation_id is not None and practitioner.organisation_id == user.organisation_id
    if user.role == Role.WORKFORCE_LEAD:
        return bool(user.authority_ids & {authority.id for authority in practitioner.authorities})
    if user.role == Role.PRACTITIONER:
        return user.practitioner_id is not None and user.practitioner_id == practitioner.id
    return False


def booked_people_scope(user: User, session: TrainingSession) -> int | None | bool:
    """Whom of the people booked on a session a user may see listed: everyone (None) for coordinators,
    administrators and the session's trainers, a booker's own organisation's staff (its id), nobody (False) else."""
    if is_staff(user) or any(trainer.user_id == user.id for trainer in session.trainers):
        return None
    if user.role == Role.BOOKER and user.organisation_id is not None:
        return user.organisation_id
    return False


def can_book_for(user: User, practitioner: Practitioner) -> bool:
    """Whether a user may book or cancel for a practitioner: staff for anyone, a booker for their organisation's
    staff, a practitioner for themself (whether the course lets them book is the booking service's rule)."""
    if is_staff(user):
        return True
    if user.role == Role.BOOKER:
        return user.organisation_id is not None and practitioner.organisation_id == user.organisation_id
    if user.role == Role.PRACTITIONER:
        return user.practitioner_id is not None and user.practitioner_id == practitioner.id
    return False


def may_book_for_booking(user: User, booking: Booking) -> bool:
    """Whether a user may cancel or change a booking: as `can_book_for` its practitioner."""
    return can_book_for(user, booking.practitioner)


def can_see_sign_off(user: User, sign_off: AwarenessSignOff) -> bool:
    """Whether a user may see an awareness sign-off: staff see all, a workforce lead those covering their
    authorities; nobody else."""
    if is_staff(user):
        return True
    if user.role == Role.WORKFORCE_LEAD:
        return bool(user.authority_ids & {authority.id for authority in sign_off.authorities})
    return False


# Who acts for an organisation: its active bookers, copied into every email about its staff's bookings, claims and
# reminders (SPEC 3.4, 3.6, 3.7).
_BOOKERS = sa.select(User.organisation_id, User.email).where(User.role == Role.BOOKER, User.active.is_(True))
_BOOKERS_OF_ONE = _BOOKERS.where(User.organisation_id == sa.bindparam("organisation_id")).order_by(User.email)
_BOOKERS_OF_MANY = _BOOKERS.where(User.organisation_id.in_(sa.bindparam("organisation_ids", expanding=True))).order_by(
    User.email
)


def coordinator_emails() -> list[str]:
    """The active coordinators' addresses, for what the programme's coordinators are told (re-awareness due, a
    session below its minimum)."""
    query = sa.select(User.email).where(User.role == Role.COORDINATOR, User.active.is_(True)).order_by(User.email)
    return list(db.session.scalars(query))


def bookers_of(organisation_id: int | None) -> list[str]:
    """The active bookers' addresses of an organisation (none for no organisation), by address."""
    if organisation_id is None:
        return []
    return [email for _, email in db.session.execute(_BOOKERS_OF_ONE, {"organisation_id": organisation_id})]


def bookers_by_organisation(organisation_ids: Iterable[int | None]) -> dict[int, list[str]]:
    """`bookers_of` for many organisations at once (one statement per few thousand), by organisation id."""
    wanted = sorted({found for found in organisation_ids if found is not None})
    copied: dict[int, list[str]] = {}
    for chunk in in_chunks(wanted):
        for organisation_id, email in db.session.execute(_BOOKERS_OF_MANY, {"organisation_ids": chunk}):
            if organisation_id is not None:
                copied.setdefault(organisation_id, []).append(email)
    return copied
