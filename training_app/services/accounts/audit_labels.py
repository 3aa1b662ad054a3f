"""What the audit trail's ids stand for: a booking as "<practitioner> on <session code>", a session by its code, a user
by email; looked up for a page of events in one query per kind of record, never one per event."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any

import sqlalchemy as sa

from ...models import (
    ApiToken,
    Area,
    AttendanceMark,
    AuditEvent,
    Authority,
    AwarenessPresentation,
    AwarenessSignOff,
    Booking,
    Certificate,
    Charge,
    Claim,
    ClaimDeadlineExtension,
    Course,
    CourseInterest,
    Fund,
    Organisation,
    Pathway,
    Practitioner,
    Trainer,
    TrainingRecord,
    TrainingSession,
    User,
    Venue,
)
from ..common.batches import Query, fetch_in

Key = tuple[str, int]


def _name(first: str, last: str) -> str:
    return f"{first} {last}".strip()


def _booked(first: str, last: str, code: str) -> str:
    return f"{_name(first, last)} on {code}"


# Per kind of record (the audit trail's entity_type): the query giving (id, *parts) for some ids, and how the parts
# read. A booking, a charge and a register mark all read as the practitioner on the session's code.
_BOOKING_PARTS = (Practitioner.first_name, Practitioner.last_name, TrainingSession.code)
_LABELS: dict[str, tuple[Callable[[], Query], Callable[..., str]]] = {
    "session": (lambda: sa.select(TrainingSession.id, TrainingSession.code), str),
    "booking": (
        lambda: sa.select(Booking.id, *_BOOKING_PARTS).join(Booking.practitioner).join(Booking.session),
        _booked,
    ),
    "charge": (
        lambda: (
            sa.select(Charge.id, *_BOOKING_PARTS)
            .join(Booking, Booking.id == Charge.booking_id)
            .join(Booking.practitioner)
            .join(Booking.session)
        ),
        _booked,
    ),
    "attendance_mark": (
        lambda: (
            sa.select(AttendanceMark.id, *_BOOKING_PARTS)
            .join(Booking, Booking.id == AttendanceMark.booking_id)
            .join(Booking.practitioner)
            .join(Booking.session)
        ),
        _booked,
    ),
    "user": (lambda: sa.select(User.id, User.email), str),
    "practitioner": (lambda: sa.select(Practitioner.id, Practitioner.first_name, Practitioner.last_name), _name),
    "course": (lambda: sa.select(Course.id, Course.title, Course.code), lambda title, code: f"{title} ({code})"),
    "organisation": (
        lambda: sa.select(Organisation.id, Organisation.name, Organisation.code),
        lambda name, code: f"{name} ({code})",
    ),
    "authority": (lambda: sa.select(Authority.id, Authority.name), str),
    "area": (lambda: sa.select(Area.id, Area.name), str),
    "venue": (lambda: sa.select(Venue.id, Venue.name), str),
    "trainer": (lambda: sa.select(Trainer.id, Trainer.name), str),
    "pathway": (lambda: sa.select(Pathway.id, Pathway.name), str),
    "training_record": (
        lambda: (
            sa.select(TrainingRecord.id, Practitioner.first_name, Practitioner.last_name, Course.code)
            .join(Practitioner, Practitioner.id == TrainingRecord.practitioner_id)
            .join(Course, Course.id == TrainingRecord.course_id)
        ),
        lambda first, last, code: f"{_name(first, last)}: {code}",
    ),
    "certificate": (lambda: sa.select(Certificate.id, Certificate.number), str),
    "course_interest": (
        lambda: (
            sa.select(CourseInterest.id, Practitioner.first_name, Practitioner.last_name, Course.code)
            .join(Practitioner, Practitioner.id == CourseInterest.practitioner_id)
            .join(Course, Course.id == CourseInterest.course_id)
        ),
        lambda first, last, code: f"{_name(first, last)} in {code}",
    ),
    "claim": (
        lambda: (
            sa.select(Claim.id, Organisation.name, Fund.financial_year)
            .join(Organisation, Organisation.id == Claim.organisation_id)
            .join(Fund, Fund.id == Claim.fund_id)
        ),
        lambda name, year: f"{name}, {year} to {year + 1}",
    ),
    "fund": (lambda: sa.select(Fund.id, Fund.financial_year), lambda year: f"{year} to {year + 1}"),
    "claim_deadline_extension": (
        lambda: (
            sa.select(ClaimDeadlineExtension.id, Organisation.name, Fund.financial_year)
            .join(Organisation, Organisation.id == ClaimDeadlineExtension.organisation_id)
            .join(Fund, Fund.id == ClaimDeadlineExtension.fund_id)
        ),
        lambda name, year: f"{name}, {year} to {year + 1}",
    ),
    "awareness_signoff": (lambda: sa.select(AwarenessSignOff.id, AwarenessSignOff.service), str),
    "awareness_presentation": (lambda: sa.select(AwarenessPresentation.id, AwarenessPresentation.audience), str),
    "api_token": (
        lambda: sa.select(ApiToken.id, ApiToken.prefix, User.email).join(User, User.id == ApiToken.user_id),
        lambda prefix, email: f"{prefix}… of {email}",
    ),
}


@dataclass(frozen=True)
class AuditEntry:
    """One event as people read it: the record named, and old and new values with their ids named."""

    event: AuditEvent
    record: str
    old_value: Any
    new_value: Any


def audit_entries(events: Iterable[AuditEvent]) -> list[AuditEntry]:
    """The events with their records and the ids in their values named, one query per kind of record on the page."""
    events = list(events)
    labels = record_labels(_wanted((e.entity_type, e.entity_id, e.old_value, e.new_value) for e in events))
    return [
        AuditEntry(
            event,
            _record(event.entity_type, event.entity_id, labels),
            _named(event.old_value, labels),
            _named(event.new_value, labels),
        )
        for event in events
    ]


def named_rows(rows: Iterable[tuple[str, int | None, Any, Any]], batch: int = 1000) -> Iterator[tuple[str, Any, Any]]:
    """For (kind of record, id, old value, new value) rows, as many as an export holds: the record and the values
    with their ids named, looked up `batch` rows at a time (one query per kind of record in each batch)."""
    rows = iter(rows)
    while chunk := list(islice(rows, batch)):
        labels = record_labels(_wanted(chunk))
        for entity_type, entity_id, old, new in chunk:
            yield _record(entity_type, entity_id, labels), _named(old, labels), _named(new, labels)


def _wanted(rows: Iterable[tuple[str, int | None, Any, Any]]) -> dict[str, set[int]]:
    wanted: dict[str, set[int]] = {}
    for entity_type, entity_id, old, new in rows:
        if entity_id is not None:
            wanted.setdefault(entity_type, set()).add(entity_id)
        for value in (old, new):
            for kind, ids in _value_ids(value):
                wanted.setdefault(kind, set()).update(ids)
    return wanted


def record_labels(wanted: Mapping[str, Iterable[int]]) -> dict[Key, str]:
    """What each (kind of record, id) stands for, for the kinds the trail can name; one query per kind."""
    labels: dict[Key, str] = {}
    for kind, ids in wanted.items():
        found = _LABELS.get(kind)
        id_list = sorted(set(ids))
        if found is None or not id_list:
            continue
        query, label = found
        select = query()
        for row in fetch_in(select, select.selected_columns[0], id_list, scalars=False):
            labels[(kind, row[0])] = label(*row[1:])
    return labels


def _record(entity_type: str, entity_id: int | None, labels: Mapping[Key, str]) -> str:
    kind = entity_type.replace("_", " ")
    kind = kind[:1].upper() + kind[1:]
    if entity_id is None:
        return kind
    name = labels.get((entity_type, entity_id))
    return f"{kind}: {name}" if name else f"{kind} {entity_id} (since removed)"


def _id_kind(key: str) -> tuple[str, bool] | None:
    """The kind of record a value's key holds ids of ('session_id' -> session), and whether it holds a list."""
    for suffix, many in (("_ids", True), ("_id", False)):
        if key.endswith(suffix) and key.removesuffix(suffix) in _LABELS:
            return key.removesuffix(suffix), many
    return None


def _value_ids(value: Any) -> Iterable[tuple[str, list[int]]]:
    if not isinstance(value, dict):
        return
    for key, item in value.items():
        found = _id_kind(str(key))
        if found is None:
            continue
        kind, many = found
        items = item if many and isinstance(item, list) else [item]
        yield kind, [n for n in items if isinstance(n, int) and not isinstance(n, bool)]


def _named(value: Any, labels: Mapping[Key, str]) -> Any:
    """A value with its id keys renamed for people ('session_id' -> 'session') and the ids named."""
    if not isinstance(value, dict):
        return value
    named: dict[str, Any] = {}
    for key, item in value.items():
        found = _id_kind(str(key))
        if found is None:
            named[str(key)] = item
            continue
        kind, many = found
        items = item if many and isinstance(item, list) else [item]
        shown = [labels.get((kind, n), f"{n} (since removed)") if isinstance(n, int) else n for n in items]
        named[f"{kind}s" if many else kind] = shown if many else shown[0]
    return named
