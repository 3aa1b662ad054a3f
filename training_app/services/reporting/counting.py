"""Counting by authority (SPEC 3.9): each person once, under the exact set of authorities they work for.

Rows are grouped by Practitioner.authority_key, the sorted id list of that set, so the grouping happens
in SQL. Rows come in the order SPEC 3.9 gives: single partner rows by ascending display order, then
combinations by the number of authorities and then alphabetically by label, then the "Other – ..." rows,
then the total. Labels list authority names alphabetically ("A", "A and B", "A, B and C"). A set made only
of non-partner authorities reads "Other – <label>". A set that mixes partner and non-partner authorities
is labelled like a partner combination with every name in it (e.g. "Leicestershire and Nottingham"):
the person works for the partnership, and hiding the other authority would misstate where they work.

Places taken on a session come from services.booking.places (bookings that took a place and did not give it
back), so an as-of date in the past still sees sessions that have since run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import sqlalchemy as sa

from ...extensions import db
from ...models import Authority, Course, Practitioner, SessionStatus, TrainingRecord
from ...models.people import practitioner_authorities
from ...models.sessions import TrainingSession
from ..booking.places import places_left, taken_on
from ..common.batches import Query
from ..workforce.in_post import in_post_on

TOTAL_LABEL = "Total Number Trained"
OTHER_PREFIX = "Other – "  # an EN DASH, as the partnership's reports print it


@dataclass(frozen=True)
class AreaRow:
    """One row of the trained-by-area table; spaces only on single partner rows."""

    label: str
    trained: int
    spaces_to_end_of_year: int | None = None
    spaces_planned_next_year: int | None = None


@dataclass(frozen=True)
class _Authority:
    id: int
    name: str
    partner: bool
    display_order: int


def trained_by_area(as_of: date, authority_ids: set[int] | None = None) -> list[AreaRow]:
    """The SPEC 3.9 table as of a date, optionally kept to a workforce lead's authorities; total last."""
    return area_table(as_of, trained_by_key(as_of, authority_ids), authority_ids)


def area_table(as_of: date, trained: dict[str, int], authority_ids: set[int] | None = None) -> list[AreaRow]:
    """The SPEC 3.9 table from trained practitioners per non-empty authority_key (counted by the caller, e.g. the
    workbook's one grouped pass in report_rows.report_sheets), with the spaces columns; total last."""
    authorities = _authorities()
    spaces = _spaces_by_host(as_of)
    rows = _single_partner_rows(authorities, trained, spaces, authority_ids)
    rows += _combination_rows(authorities, trained)
    total = sum(row.trained for row in rows)
    return rows + [AreaRow(TOTAL_LABEL, total)]


def rows_by_authority_set(
    counts: dict[str, int], total_label: str, authority_ids: set[int] | None = None
) -> list[AreaRow]:
    """Counts keyed by authority_key as rows labelled and ordered like the 3.9 table, without spaces; total last."""
    authorities = _authorities()
    rows = _single_partner_rows(authorities, counts, None, authority_ids)
    rows += _combination_rows(authorities, counts)
    return rows + [AreaRow(total_label, sum(row.trained for row in rows))]


def combination_label(names: Iterable[str], partner: bool = True) -> str:
    """Names as 'A', 'A and B' or 'A, B and C', listed alphabetically; 'Other – ...' when not partner."""
    names = list(names)
    if len(names) == 1:
        label = names[0]
    else:
        names.sort(key=_alphabetical)
        label = ", ".join(names[:-1]) + " and " + names[-1]
    return label if partner else OTHER_PREFIX + label


def _alphabetical(name: str) -> tuple[str, str]:
    return (name.casefold(), name)


def authority_set_labeller() -> Callable[[str], str]:
    """A function from an authority_key to its row label ('Leicester and Leicestershire', 'Other – Nottingham'),
    reading the authorities once, for exports that show each person's set; '' for an empty key."""
    authorities = _authorities()
    labels = _set_labels(authorities)

    def label(key: str) -> str:
        return _describe(key, authorities, labels)[2] if key else ""

    return label


# How an authority set's row reads: (has a partner authority, how many authorities, label, label casefolded).
SetLabel = tuple[bool, int, str, str]


def _set_labels(authorities: dict[int, _Authority]) -> dict[str, SetLabel]:
    """The sets labelled so far for the authorities as they are now, kept per process: a national table labels
    some 14,000 sets on every request otherwise. Renaming an authority or changing whether it is a partner makes
    a new fingerprint, so the sets are labelled afresh."""
    return _labels_for(tuple(sorted((a.id, a.name, a.partner) for a in authorities.values())))


@lru_cache(maxsize=2)
def _labels_for(fingerprint: tuple[tuple[int, str, bool], ...]) -> dict[str, SetLabel]:
    return {}


def _describe(key: str, authorities: dict[int, _Authority], labels: dict[str, SetLabel]) -> SetLabel:
    """An authority_key's row as labels holds it, worked out (and kept) the first time."""
    found = labels.get(key)
    if found is None:
        members = [authorities[int(i)] for i in key.split(",")]
        partner = any(a.partner for a in members)
        label = combination_label([a.name for a in members], partner)
        found = labels[key] = (partner, len(members), label, label.casefold())
    return found


def _authorities() -> dict[int, _Authority]:
    query = sa.select(Authority.id, Authority.name, Authority.partner, Authority.display_order)
    return {row.id: _Authority(*row) for row in db.session.execute(query)}


def trained_by_key(as_of: date, authority_ids: set[int] | None) -> dict[str, int]:
    """Distinct trained practitioners in post on as_of (SPEC 3.1: a leaver counts for the dates they were in post)
    per non-empty authority_key, written as `id IN (subquery)` (fastest on SQLite). People who work for no authority
    come back as one group and are dropped here, not filtered row by row."""
    query = (
        sa.select(Practitioner.authority_key, sa.func.count())
        .where(in_post_on(as_of))
        .group_by(Practitioner.authority_key)
    )
    if authority_ids is None:
        query = query.where(Practitioner.id.in_(trained_practitioner_ids(as_of)))
    else:
        # Driven from the lead's people, each asked whether they are trained (one index probe): with two lists to
        # choose from, SQLite walked the whole trained list and filtered it by scope (issue 25).
        query = query.where(Practitioner.id.in_(practitioner_ids_in_scope(authority_ids)), is_trained(as_of))
    return {key: count for key, count in db.session.execute(query) if key}


def trained_practitioner_ids(as_of: date) -> Query:
    """Ids of practitioners with a record of a counts_as_trained course completed on or before as_of."""
    return (
        sa.select(TrainingRecord.practitioner_id)
        .join(Course, Course.id == TrainingRecord.course_id)
        .where(*trained_record_conditions(as_of))
    )


def is_trained(as_of: date) -> sa.ColumnElement[bool]:
    """The practitioner holds a record that makes them trained on as_of, as EXISTS (one probe per person)."""
    return ~not_trained(as_of)


def trained_record_conditions(as_of: date) -> list[sa.ColumnElement[bool]]:
    """A training record (with its Course) that makes its practitioner trained on as_of (SPEC 3.9)."""
    return [Course.counts_as_trained.is_(True), TrainingRecord.completed_on <= as_of]


def not_trained(as_of: date) -> sa.ColumnElement[bool]:
    """The practitioner has no record of a counts_as_trained course completed on or before as_of: written as NOT
    EXISTS, an anti-join on PostgreSQL (where NOT IN over the trained list falls back to scanning it for every row
    once it outgrows work_mem) and one index lookup per person on SQLite."""
    return no_record_where(trained_record_conditions(as_of))


def no_record_where(conditions: list[sa.ColumnElement[bool]]) -> sa.ColumnElement[bool]:
    """The practitioner holds no training record (joined to its Course) meeting the conditions, as NOT EXISTS."""
    return ~sa.exists().where(
        TrainingRecord.practitioner_id == Practitioner.id, TrainingRecord.course_id == Course.id, *conditions
    )


def practitioner_ids_in_scope(authority_ids: set[int]) -> Query:
    """Ids of practitioners whose set of authorities meets the given one (a workforce lead's scope)."""
    return sa.select(practitioner_authorities.c.practitioner_id).where(
        practitioner_authorities.c.authority_id.in_(authority_ids)
    )


def _spaces_by_host(as_of: date) -> dict[int, tuple[int, int]]:
    """Per host authority: free places to 31 December of as_of's year, and capacity in the next year."""
    this_year = TrainingSession.starts_on <= date(as_of.year, 12, 31)
    sessions = (
        sa.select(
            TrainingSession.host_authority_id.label("host"),
            sa.case((this_year, 0), else_=TrainingSession.capacity).label("next_year"),
            # places are counted only for this year's sessions: next year's count by capacity alone
            sa.case((this_year, TrainingSession.capacity), else_=0).label("capacity"),
            sa.case((this_year, taken_on(TrainingSession.id)), else_=0).label("taken"),
        )
        .join(Course, Course.id == TrainingSession.course_id)
        .where(
            Course.counts_as_trained.is_(True),
            TrainingSession.status != SessionStatus.CANCELLED,
            TrainingSession.starts_on > as_of,
            TrainingSession.starts_on <= date(as_of.year + 1, 12, 31),
        )
        # Materialised so that each session's places are counted once (inlined, the correlated count ran for each
        # use of `taken` in places_left), then summed per host.
        .cte("session_spaces")
        .prefix_with("MATERIALIZED")
    )
    free = places_left(sessions.c.capacity, sessions.c.taken)
    query = sa.select(sessions.c.host, sa.func.sum(free), sa.func.sum(sessions.c.next_year)).group_by(sessions.c.host)
    return {host: (int(to_end), int(next_year)) for host, to_end, next_year in db.session.execute(query)}


def _single_partner_rows(
    authorities: dict[int, _Authority],
    trained: dict[str, int],
    spaces: dict[int, tuple[int, int]] | None,
    authority_ids: set[int] | None,
) -> list[AreaRow]:
    """Every partner authority in scope, in ascending display order, zeros included; no spaces when None."""
    partners = [a for a in authorities.values() if a.partner and (authority_ids is None or a.id in authority_ids)]
    rows = []
    for authority in sorted(partners, key=lambda a: (a.display_order, a.name)):
        to_end, next_year = (None, None) if spaces is None else spaces.get(authority.id, (0, 0))
        rows.append(AreaRow(authority.name, trained.get(str(authority.id), 0), to_end, next_year))
    return rows


def _combination_rows(authorities: dict[int, _Authority], trained: dict[str, int]) -> list[AreaRow]:
    """Rows for every other non-empty set: partner combinations by size then label, then 'Other' sets likewise."""
    labels = _set_labels(authorities)
    keyed = []
    for key, count in trained.items():
        if count == 0:
            continue
        partner, size, label, folded = _describe(key, authorities, labels)
        if partner and size == 1:
            continue
        keyed.append((not partner, size, folded, label, count))
    keyed.sort()  # plain tuples: a national table has thousands of sets
    return [AreaRow(label, count) for _, _, _, label, count in keyed]
