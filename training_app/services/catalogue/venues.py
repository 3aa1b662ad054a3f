"""Venues (SPEC 3.3): rooms with their own capacity, created and edited by coordinators, audited."""

from __future__ import annotations

import re
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ...extensions import db
from ...models import AuditAction, User, Venue
from ...validation import control_character_problem
from ..accounts import audit
from ..common.locks import lock_row
from ..common.unique_keys import refused_if_taken

MAX_ROOM_CAPACITY = 10_000
# The shape of a UK postcode (outward code, space, inward code), e.g. LE1 6ZG, SW1A 1AA.
POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}")


@dataclass(frozen=True)
class VenueSettings:
    """What a coordinator sets on a venue."""

    name: str
    capacity: int
    address: str = ""
    postcode: str = ""
    accessibility_notes: str = ""


class VenueError(ValueError):
    """Venue settings were refused; `fields` maps each bad field to a message."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in fields.items()))
        self.fields = dict(fields)


def normal_postcode(text: str) -> str:
    """A postcode in capitals with one space before its last three characters (empty stays empty)."""
    compact = re.sub(r"\s+", "", text).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def all_venues() -> list[Venue]:
    """Every venue by name."""
    return list(db.session.scalars(sa.select(Venue).order_by(Venue.name)))


def venue_problems(settings: VenueSettings, venue: Venue | None = None) -> dict[str, str]:
    """Every rule the settings break, by field; `venue` is the one being edited (None for a new one)."""
    problems: dict[str, str] = {}
    name = settings.name.strip()
    if not name or len(name) > 200:
        problems["name"] = "Enter a name of at most 200 characters."
    elif problem := control_character_problem(name):
        problems["name"] = f"The name {problem}."
    else:
        holder = db.session.execute(sa.select(Venue).filter_by(name=name)).scalar_one_or_none()
        if holder is not None and holder is not venue:
            problems["name"] = _taken(name)
    if not 1 <= settings.capacity <= MAX_ROOM_CAPACITY:
        problems["capacity"] = f"Room capacity must be from 1 to {MAX_ROOM_CAPACITY:,}."
    if len(settings.address) > 400:
        problems["address"] = "Address must be 400 characters or fewer."
    elif problem := control_character_problem(settings.address, multiline=True):
        problems["address"] = f"The address {problem}."
    postcode = normal_postcode(settings.postcode)
    if postcode and not POSTCODE.fullmatch(postcode):
        problems["postcode"] = "Enter a real postcode, like LE1 6ZG."
    return problems


def create_venue(settings: VenueSettings, actor: User | str | None) -> Venue:
    """Add a venue, audited and committed; VenueError lists every problem."""
    if problems := venue_problems(settings):
        raise VenueError(problems)
    venue = Venue(name=settings.name.strip(), capacity=settings.capacity)
    _apply(venue, settings)
    db.session.add(venue)
    with _name_kept(venue.name):
        db.session.flush()
        audit.record(actor, AuditAction.VENUE_CREATED, venue, None, venue_values(venue))
        db.session.commit()
    return venue


def edit_venue(venue: Venue, settings: VenueSettings, actor: User | str | None) -> bool:
    """Change a venue, audited (old and new values) and committed; False when nothing changed."""
    venue = lock_row(Venue, venue.id)  # a change at the same moment is audited after this one, from its values
    if problems := venue_problems(settings, venue):
        raise VenueError(problems)
    old = venue_values(venue)
    _apply(venue, settings)
    new = venue_values(venue)
    if new == old:
        return False
    with _name_kept(venue.name):
        audit.record(actor, AuditAction.VENUE_CHANGED, venue, old, new)
        db.session.commit()
    return True


def venue_values(venue: Venue) -> dict[str, Any]:
    """A venue's settings as plain JSON values (for the audit trail)."""
    return {
        "name": venue.name,
        "address": venue.address,
        "postcode": venue.postcode,
        "capacity": venue.capacity,
        "accessibility_notes": venue.accessibility_notes,
    }


def _taken(name: str) -> str:
    return f"There is already a venue called {name}."


def _name_kept(name: str) -> AbstractContextManager[None]:
    """A simultaneous request that took the same name first: refused as a duplicate found by the check is."""
    return refused_if_taken({"uq_venues_name": lambda: VenueError({"name": _taken(name)})})


def _apply(venue: Venue, settings: VenueSettings) -> None:
    venue.name, venue.capacity = settings.name.strip(), settings.capacity
    venue.address = settings.address.strip() or None
    venue.postcode = normal_postcode(settings.postcode) or None
    venue.accessibility_notes = settings.accessibility_notes.strip()
